"""The plan as tables and lines (the analyst API) and as a folder (the writer)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import Point
from tiny import hand_plan, three_centres  # type: ignore[import-not-found]

from abri.constants import GROUPS, ORIGIN
from abri.outputs.planfile import for_csv
from abri.pipeline import PlanRun, run_plan, write_run
from abri.planning.check import check_plan
from abri.planning.plan import Plan
from abri.planning.tables import (
    MANIFEST_COLUMNS,
    STOP_COLUMNS,
    TRIP_COLUMNS,
    manifests_frame,
    stops_frame,
    trips_frame,
)


@pytest.fixture(scope="module")
def small_run(small_scenario: Path, data_dir: Path) -> PlanRun:
    """The small scenario planned on the data directory's major roads (a few seconds)."""
    return run_plan(
        small_scenario,
        roads="france-major-roads",
        data_dir=data_dir,
        iterations=100,
        jobs=1,
        baseline=False,
    )


@pytest.fixture(scope="module")
def national_run(small_scenario: Path, datapack: Path) -> PlanRun:
    """The small scenario on the national graph of every road class: access legs are short (cached: a few seconds)."""
    return run_plan(
        small_scenario,
        roads="france-all-roads",
        data_dir=datapack,
        iterations=100,
        jobs=1,
        baseline=False,
    )


def test_tables_use_timestamps_and_timedeltas() -> None:
    inputs = three_centres()
    plan = hand_plan(inputs)
    trips = plan.trips_frame()
    assert list(trips.columns) == TRIP_COLUMNS and len(trips) == len(plan.trips)
    assert str(trips["departure"].dtype).startswith("datetime64") and str(
        trips["driving"].dtype
    ).startswith("timedelta64")
    first = trips.iloc[0]
    assert first["departure"] == pd.Timestamp("2016-10-24 07:00") and first[
        "driving"
    ] == pd.Timedelta(seconds=round(plan.trips[0].driving_s))
    stops = plan.stops_frame({"A": "Centre A"})
    assert list(stops.columns) == STOP_COLUMNS and len(stops) == sum(
        len(t.stops) for t in plan.trips
    )
    assert (stops["arrival"] >= stops["coach"].map(trips.set_index("coach")["departure"])).all()
    assert (
        stops["ride"]
        == stops["arrival"] - stops["coach"].map(trips.set_index("coach")["departure"])
    ).all()
    assert stops.loc[stops["centre_id"] == "A", "centre_name"].eq("Centre A").all()
    assert stops["total"].sum() == trips["people"].sum() == 24
    assert (stops[list(GROUPS)].sum(axis=1) == stops["total"]).all()
    assert list(manifests_frame(plan).columns) == MANIFEST_COLUMNS


def test_an_arrival_after_midnight_falls_on_the_next_date() -> None:
    inputs = three_centres()
    plan = hand_plan(inputs)
    plan.trips[0].stops[0].arrival_s = 25.5 * 3600
    assert stops_frame(plan)["arrival"].iloc[0] == pd.Timestamp("2016-10-25 01:30")


def test_csv_form_of_the_tables() -> None:
    plan = hand_plan(three_centres())
    csv = for_csv(trips_frame(plan))
    assert "driving_h" in csv.columns and "driving" not in csv.columns
    assert csv["departure"].iloc[0] == "2016-10-24 07:00"
    assert csv["driving_h"].iloc[0] == round(plan.trips[0].driving_s / 3600, 2)


def test_an_empty_plan_has_typed_empty_tables() -> None:
    inputs = three_centres()
    empty = Plan([], inputs.allocate(), inputs.fleet, inputs.rules)
    trips, stops = empty.trips_frame(), empty.stops_frame()
    assert (
        trips.empty
        and list(trips.columns) == TRIP_COLUMNS
        and str(trips["departure"].dtype).startswith("datetime64")
    )
    assert stops.empty and list(stops.columns) == STOP_COLUMNS
    assert (
        list(for_csv(trips).columns)[:4] == ["coach", "day", "departure", "last_arrival"]
        and "driving_h" in for_csv(trips).columns
    )


def test_short_reprs(small_run: PlanRun) -> None:
    for obj in (
        small_run,
        small_run.plan,
        small_run.allocation,
        small_run.scenario,
        small_run.check,
    ):
        text = repr(obj)
        assert len(text) < 300 and "\n" not in text and "person_id" not in text, text
    assert repr(small_run.plan).startswith("Plan(") and repr(small_run.allocation).startswith(
        "Allocation("
    )


def test_trips_as_lines_follow_their_roads(national_run: PlanRun) -> None:
    lines = national_run.trip_lines()
    assert (
        isinstance(lines, gpd.GeoDataFrame)
        and lines.crs.to_epsg() == 4326
        and len(lines) == len(national_run.plan.trips)
    )
    geod = Geod(ellps="WGS84")
    origin = national_run.points[ORIGIN]
    for trip, (_, row) in zip(national_run.plan.trips, lines.iterrows()):
        km = geod.geometry_length(row.geometry) / 1000
        assert abs(km - trip.km) <= 0.01 * trip.km, (trip.coach, km, trip.km)
        assert Point(row.geometry.coords[0]).distance(Point(origin)) < 1e-9
        assert (
            Point(row.geometry.coords[-1]).distance(
                Point(national_run.points[trip.stops[-1].centre_id])
            )
            < 1e-9
        )
    light = national_run.trip_lines(tolerance=0.002)
    assert (
        light.geometry.map(lambda g: len(g.coords)).sum()
        < lines.geometry.map(lambda g: len(g.coords)).sum()
    )


def test_write_run_writes_a_whole_checked_folder(small_run: PlanRun, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    files = write_run(small_run, out)
    assert {p.name for p in out.iterdir()} >= {
        "plan.json",
        "trips.csv",
        "manifests.csv",
        "assignments.csv",
        "unplaced.csv",
        "centres.geojson",
        "trips.geojson",
        "origin.json",
    }
    doc = json.loads(files["plan"].read_text())
    check = check_plan(
        small_run.plan,
        times=small_run.times,
        km=small_run.km,
        centres=small_run.centres,
        people_in=small_run.scenario.people_report.rows_read,
        source=small_run.scenario.people_report.file,
    )
    assert doc["accounting"] == check.accounting.to_dict() and doc["accounting"]["ok"]
    assert doc["check"]["ok"] == check.ok
    assert (doc["scenario"], doc["label"]) == (
        small_run.scenario.name,
        small_run.scenario.label,
    )  # the maps' titles read them
    trips = pd.read_csv(files["trips"])
    assert (
        len(trips) == len(small_run.plan.trips)
        and trips["departure"].str.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d$").all()
    )
    manifests = pd.read_csv(files["manifests"])
    assert manifests["total"].sum() == doc["accounting"]["carried"]
    lines = gpd.read_file(files["routes"])
    assert len(lines) == len(trips) and lines.crs.to_epsg() == 4326
    write_run(small_run, out)  # an earlier plan folder is replaced as a whole
    assert not [
        p
        for p in tmp_path.iterdir()
        if p.name.startswith(".plan.") and not p.name.endswith(".lock")
    ]
