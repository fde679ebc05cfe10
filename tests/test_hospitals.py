"""Hospital lists and the road minutes from centres to care."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abri.errors import DataFileError, MissingDataError
from abri.geo.centres import read_centres
from abri.geo.hospitals import read_hospitals
from abri.inputs.needs import CARE_KINDS
from abri.routing.care import add_care_minutes, care_minutes, fill_care_minutes, max_speed_mps
from abri.routing.graph import RoadGraph, load_graph
from abri.routing.profile import load_profile
from abri.routing.snap import great_circle_m


@pytest.fixture(scope="module")
def sites(data_dir: Path) -> pd.DataFrame:
    frame, _ = read_hospitals(data_dir=data_dir)
    return frame


@pytest.fixture(scope="module")
def roads(data_dir: Path) -> RoadGraph:
    return load_graph("hauts-de-france-roads", data_dir=data_dir)


def _pas_de_calais_centres(sites: pd.DataFrame) -> pd.DataFrame:
    """Ten centres: one 300 m from a dialysis hospital placed at its building, the others in 62."""
    dialysis = sites[sites["dialysis"] & ~sites["approximate"] & sites["id"].str.startswith("62")]
    near = dialysis.iloc[0]
    lon = [near["lon"] + 0.004, *np.linspace(1.7, 2.9, 9)]
    lat = [near["lat"], *np.linspace(50.3, 50.9, 9)]
    return pd.DataFrame({"id": [f"C{i}" for i in range(10)], "lon": lon, "lat": lat})


def test_the_data_directorys_hospitals_are_typed_with_their_care(data_dir: Path) -> None:
    frame, report = read_hospitals(data_dir=data_dir)
    assert report.errors == [] or all(p.rule.endswith("not-a-number") for p in report.errors)
    assert len(frame) == report.rows_kept and len(frame) > 100
    assert all(frame[k].dtype == bool and frame[k].any() for k in CARE_KINDS)
    assert frame["approximate"].any() and not frame["approximate"].all()
    assert (frame["approximate"] == (frame["geo_source"] == "commune")).all()
    assert frame["id"].is_unique and frame["lon"].between(-180, 180).all()


def test_a_planners_list_with_french_headers_and_care_words(write) -> None:
    path = write(
        "hopitaux.csv",
        "nom;longitude;latitude;soins;urgences\n"
        "CH A;1,85;50,95;dialyse, Maternité;non\n"
        "CH B;1.9;50.9;;1\n"
        "CH C;;50.9;psy;0\n"
        "CH D;1.7;50.7;dialyse, chiropodie;peut-être\n",
    )
    frame, report = read_hospitals(path)
    assert frame["name"].tolist() == ["CH A", "CH B", "CH D"]
    assert frame[list(CARE_KINDS)].to_numpy().tolist() == [
        [False, True, True, False],
        [True, False, False, False],
        [False, False, True, False],
    ]
    [error] = report.errors
    assert (error.row, error.column, error.value, error.rule) == (
        4,
        "longitude",
        "",
        "lon-not-a-number",
    )
    rules = {p.rule: (p.row, p.column, p.value) for p in report.warnings}
    assert rules["unknown-care-kind"] == (5, "soins", "dialyse, chiropodie")
    assert rules["bad-yes-no"] == (5, "urgences", "peut-être")


def test_a_finess_number_twice_is_a_warning_and_both_are_kept(write) -> None:
    path = write(
        "h.csv", "finess,name,lon,lat,dialysis\n620000001,A,1.8,50.9,1\n620000001,B,1.9,50.9,0\n"
    )
    frame, report = read_hospitals(path)
    assert frame["name"].tolist() == ["A", "B"]
    [warning] = report.warnings
    assert (warning.row, warning.column, warning.rule) == (3, "finess", "duplicate-id")


def test_a_list_without_points_or_care_is_refused(write, tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="lat"):
        read_hospitals(write("h.csv", "name,lon,dialysis\nA,1.8,1\n"))
    with pytest.raises(DataFileError, match="the care given"):
        read_hospitals(write("h2.csv", "name,lon,lat\nA,1.8,50.9\n"))
    with pytest.raises(MissingDataError, match=r"health/hospitals\.csv"):
        read_hospitals(data_dir=tmp_path)


def test_a_centre_next_to_a_dialysis_hospital_is_minutes_away(
    sites: pd.DataFrame, roads: RoadGraph
) -> None:
    centres = _pas_de_calais_centres(sites)
    care = care_minutes(centres, sites, roads)
    assert care.index.tolist() == centres["id"].tolist()
    assert care.columns.tolist() == [f"care_min_{k}" for k in CARE_KINDS]
    assert 0 < care.loc["C0", "care_min_dialysis"] < 10
    assert care.notna().all().all()


def test_road_minutes_are_at_least_the_straight_line_at_the_fastest_speed(
    sites: pd.DataFrame, roads: RoadGraph
) -> None:
    centres = _pas_de_calais_centres(sites)
    care = care_minutes(centres, sites, roads)
    speed = max_speed_mps(roads, load_profile())
    for kind in CARE_KINDS:
        here = sites[sites[kind]]
        straight = np.array(
            [
                great_circle_m(
                    np.full(len(here), lon), np.full(len(here), lat), here["lon"], here["lat"]
                ).min()
                for lon, lat in zip(centres["lon"], centres["lat"], strict=True)
            ]
        )
        assert (care[f"care_min_{kind}"].to_numpy() >= straight / speed / 60).all()


def test_the_nearest_by_road_does_not_depend_on_the_candidates(
    sites: pd.DataFrame, roads: RoadGraph
) -> None:
    centres = _pas_de_calais_centres(sites)
    one = care_minutes(centres, sites, roads, candidates=1)
    every = care_minutes(centres, sites, roads, candidates=len(sites))
    pd.testing.assert_frame_equal(one, every)


def test_off_the_roads_or_no_hospital_of_a_kind_is_nan(
    sites: pd.DataFrame, roads: RoadGraph
) -> None:
    centres = pd.DataFrame({"id": ["sea", "land"], "lon": [-1.5, 1.86], "lat": [50.5, 50.95]})
    no_psychiatry = sites.assign(psychiatry=False)
    care = care_minutes(centres, no_psychiatry, roads)
    assert care.loc["sea"].isna().all()
    assert care.loc["land", "care_min_emergency"] > 0
    assert math.isnan(care.loc["land", "care_min_psychiatry"])


def test_fill_keeps_the_minutes_the_centre_file_gave() -> None:
    centres = pd.DataFrame({"id": ["A", "B"], "care_min_dialysis": [12.0, np.nan]})
    care = pd.DataFrame(
        {"care_min_dialysis": [30.0, 40.0], "care_min_emergency": [5.0, 6.0]},
        index=pd.Index(["A", "B"], name="id"),
    )
    filled = fill_care_minutes(centres, care)
    assert filled["care_min_dialysis"].tolist() == [12.0, 40.0]
    assert filled["care_min_emergency"].tolist() == [5.0, 6.0]
    assert centres["care_min_dialysis"].isna().sum() == 1  # the input is not changed


def test_centres_read_then_measured_keep_their_own_minutes(
    write, data_dir: Path, roads: RoadGraph
) -> None:
    path = write("c.csv", "id;capacite;code_insee;soins_min_dialyse\nA;20;62193;55\nB;20;62160;\n")
    centres, _ = read_centres(path, data_dir=data_dir)
    measured, report = add_care_minutes(centres, roads, data_dir=data_dir)
    assert report is not None and report.rows_kept > 100
    got = measured.set_index("id")
    assert got.loc["A", "care_min_dialysis"] == 55.0
    assert got[[f"care_min_{k}" for k in CARE_KINDS]].notna().all().all()
    assert type(measured) is type(centres)
    full = measured.copy()
    again, none = add_care_minutes(full, roads, data_dir=data_dir)
    assert none is None and again is full


@pytest.mark.slow
def test_every_sample_centre_has_care_within_reach_on_the_national_roads(
    datapack: Path, examples: Path
) -> None:
    centres, _ = read_centres(examples / "centres-sample.csv", data_dir=datapack)
    sites, _ = read_hospitals(data_dir=datapack)
    graph = load_graph("france-all-roads", data_dir=datapack)
    care = care_minutes(centres, sites, graph)
    assert care.notna().all().all() and (care > 0).all().all()
    every = care_minutes(centres, sites, graph, candidates=len(sites))
    pd.testing.assert_frame_equal(care, every)
