"""Real routes against independently known road distances."""

from pathlib import Path

import pytest

from abri.errors import GraphError
from abri.routing.graph import load_graph
from abri.routing.profile import load_profile
from abri.routing.route import route, route_frame
from abri.routing.snap import Snapper

CITIES = {
    "calais": (1.8587, 50.9513),
    "paris": (2.3522, 48.8566),
    "lyon": (4.8357, 45.7640),
    "marseille": (5.3698, 43.2965),
    "bordeaux": (-0.5792, 44.8378),
    "strasbourg": (7.7521, 48.5734),
}
# Road distances published by route planners and road atlases (km).
KNOWN_KM = [
    ("calais", "lyon", 750),
    ("calais", "paris", 290),
    ("paris", "lyon", 465),
    ("paris", "marseille", 775),
    ("paris", "bordeaux", 585),
    ("lyon", "marseille", 315),
    ("calais", "strasbourg", 620),
]


@pytest.fixture(scope="module")
def snapper(data_dir: Path) -> Snapper:
    return Snapper(load_graph("france-major-roads", data_dir=data_dir), load_profile())


@pytest.mark.datapack
def test_calais_lyon_near_740_km(snapper: Snapper) -> None:
    r = route(snapper, CITIES["calais"], CITIES["lyon"])
    assert r.road_km == pytest.approx(741, abs=15)
    assert r.roads[0] == "A26" and "A6" in r.roads
    assert 7 < r.hours < 10.5


@pytest.mark.parametrize(("a", "b", "km"), KNOWN_KM)
@pytest.mark.datapack
def test_known_pairs_within_15_percent(snapper: Snapper, a: str, b: str, km: float) -> None:
    r = route(snapper, CITIES[a], CITIES[b])
    assert r.km == pytest.approx(km, rel=0.15)


def test_route_frame(snapper: Snapper) -> None:
    r = route(snapper, CITIES["calais"], CITIES["paris"])
    frame = route_frame([r], ["calais-paris"])
    assert frame.crs.to_epsg() == 4326 and frame.loc[0, "roads"].startswith("A26")
    assert frame.geometry.iloc[0].coords[0] == CITIES["calais"]
    assert frame.geometry.iloc[0].coords[-1] == CITIES["paris"]


def test_point_at_sea(snapper: Snapper) -> None:
    with pytest.raises(GraphError, match=r"--to -8.0,46.0: unreachable.*at sea"):
        route(snapper, CITIES["calais"], (-8.0, 46.0))  # Bay of Biscay


def test_swapped_latitude_and_longitude_get_a_hint(snapper: Snapper) -> None:
    with pytest.raises(  # Arras, latitude first
        GraphError,
        match=r"--to 50.291,2.7775: unreachable.*look swapped.*did you mean --to 2.7775,50.291\?",
    ):
        route(snapper, CITIES["calais"], (50.291, 2.7775))
    with pytest.raises(
        GraphError, match="at sea"
    ) as info:  # a point at sea swapped is still at sea: no hint
        route(snapper, CITIES["calais"], (-8.0, 46.0))
    assert "swapped" not in str(info.value)


@pytest.mark.datapack
def test_cch_route_equals_scipy_reference(snapper: Snapper) -> None:
    a, b = (
        route(snapper, CITIES["calais"], CITIES["marseille"], engine="cch"),
        route(snapper, CITIES["calais"], CITIES["marseille"], engine="scipy"),
    )
    assert a.road_s == pytest.approx(b.road_s, abs=1e-3) and a.roads == b.roads


@pytest.mark.datapack
def test_route_command_summary(data_dir: Path) -> None:
    from click.testing import CliRunner

    from abri.cli import main

    result = CliRunner().invoke(
        main,
        [
            "route",
            "--to",
            "4.8357,45.7640",
            "--roads",
            "france-major-roads",
            "--depart",
            "08:00",
            "--data-dir",
            str(data_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "leaving 08:00, arriving 1" in result.output and "break(s) of 45 min" in result.output
    swapped = CliRunner().invoke(
        main,
        [
            "route",
            "--to",
            "45.76,4.83",
            "--roads",
            "france-major-roads",
            "--data-dir",
            str(data_dir),
        ],
    )
    assert swapped.exit_code == 1 and "did you mean --to 4.83,45.76?" in swapped.output
    bad = CliRunner().invoke(
        main, ["route", "--to", "4.8,45.7", "--depart", "25:99", "--data-dir", str(data_dir)]
    )
    assert bad.exit_code == 2 and "--depart" in bad.output
