"""Snapping points to the road graph: nearest junction of the national network, access legs, unreachable points."""

from pathlib import Path

import numpy as np
import pytest

from abri.routing.graph import RoadGraph, load_graph
from abri.routing.profile import load_profile
from abri.routing.snap import Snapper, great_circle_m, snap_points


@pytest.fixture(scope="module")
def hdf(data_dir: Path) -> RoadGraph:
    return load_graph("hauts-de-france-roads", data_dir=data_dir)


def test_great_circle_against_known_distances() -> None:
    # Calais - Paris (Notre-Dame) is 236 km as the crow flies; one degree of latitude is 111.2 km.
    assert great_circle_m(
        np.array([1.8587]), np.array([50.9513]), np.array([2.3522]), np.array([48.8566])
    )[0] / 1000 == pytest.approx(236.5, abs=1.5)
    assert great_circle_m(np.array([0.0]), np.array([45.0]), np.array([0.0]), np.array([46.0]))[
        0
    ] == pytest.approx(111_195, rel=1e-3)
    assert (
        great_circle_m(np.array([3.0]), np.array([50.0]), np.array([3.0]), np.array([50.0]))[0] == 0
    )


def test_nearest_junction_of_the_main_network(hdf: RoadGraph) -> None:
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(1.6, 4.2, 60), rng.uniform(49.0, 51.0, 60)
    snapped = snap_points(hdf, lon, lat)
    main = np.flatnonzero(hdf.components == hdf.main_component)
    assert np.isin(snapped["node"], main).all()
    for i in range(len(lon)):  # brute force: no junction of the main network is nearer
        d = great_circle_m(
            np.full(len(main), lon[i]), np.full(len(main), lat[i]), hdf.lon[main], hdf.lat[main]
        )
        assert snapped["access_m"].iloc[i] == pytest.approx(d.min(), abs=0.5)
    profile = load_profile()
    assert np.allclose(snapped["access_road_m"], snapped["access_m"] * profile.detour_factor)
    assert np.allclose(
        snapped["access_s"], snapped["access_road_m"] / (profile.access_speed_kmh / 3.6)
    )


def test_unreachable_and_long_access_are_reported_never_routed(
    hdf: RoadGraph, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(
        "INFO", logger="abri.routing.snap"
    )  # logged at INFO (abri -v): the commands print the note once
    profile = load_profile()
    near = (
        hdf.lon[hdf.components == hdf.main_component][0],
        hdf.lat[hdf.components == hdf.main_component][0],
    )
    lon = np.array(
        [near[0], 1.0, 4.83]
    )  # on a junction; in the Channel 30+ km out; Lyon (far south of the region's roads)
    lat = np.array([near[1], 50.6, 45.76])
    snapped = Snapper(hdf, profile).snap(lon, lat, ids=["on", "sea", "lyon"])
    assert list(snapped.index) == ["on", "sea", "lyon"] and snapped.index.name == "id"
    assert (
        snapped.at["on", "access_m"] == pytest.approx(0, abs=0.01)
        and snapped.at["on", "note"] == ""
    )
    assert snapped.at["sea", "reachable"] and snapped.at["sea", "note"].startswith(
        "long access leg"
    )
    assert (
        not snapped.at["lyon", "reachable"]
        and "unreachable: nearest road" in snapped.at["lyon", "note"]
    )
    assert "lyon: unreachable" in caplog.text and "sea: long access leg" in caplog.text
    strict = Snapper(hdf, load_profile()).snap(lon[:1], lat[:1])
    assert list(strict.index) == [0]


def test_empty_input(hdf: RoadGraph) -> None:
    snapped = snap_points(hdf, np.array([]), np.array([]), ids=[])
    assert len(snapped) == 0 and list(snapped.columns) == [
        "node",
        "access_m",
        "access_road_m",
        "access_s",
        "reachable",
        "note",
    ]
