"""Plan figures (planning/summary.py) on a plan worked out by hand, and capacity summaries as GeoDataFrames."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from tiny import hand_plan, three_centres  # type: ignore[import-not-found]

from abri.geo.capacity import capacity_summary
from abri.planning.plan import Plan
from abri.planning.summary import per_day, plan_summary


def test_plan_summary_by_hand() -> None:
    inputs = three_centres()
    plan = hand_plan(inputs)  # 5 direct coaches of 10 seats: 10 + 2 to A, 10 + 1 to B, 1 to C
    summary = plan_summary(plan)
    assert (
        summary["trips"] == 5 and summary["people"] == summary["placed"] == summary["carried"] == 24
    )
    assert summary["seat_fill_pct"] == round(100 * 24 / 50, 1)
    assert summary["coach_km"] == (2 * 100 + 2 * 300 + 500)
    assert summary["unplaced"] == summary["not_carried"] == 0 and summary["legal_trips"] == 5
    rides = [
        (s.arrival_s - t.departure_s) / 3600 for t in plan.trips for s in t.stops for _ in s.people
    ]
    assert summary["longest_ride_h"] == round(max(rides), 2) and summary["mean_ride_h"] == round(
        sum(rides) / 24, 2
    )
    adults = plan_summary(plan, adults_only=True)  # the coach carrying the one minor is left out
    assert adults["trips"] == 4 and adults["people"] == 23 and adults["coach_km"] == 800


def test_per_day_by_hand() -> None:
    plan = hand_plan(three_centres())
    table = per_day(plan)
    assert table.to_dict("records") == [
        {
            "day": "2016-10-24",
            "coaches": 5,
            "people": 24,
            "seat_fill_pct": 48.0,
            "coach_km": 1300,
            "legal": 5,
        }
    ]


def test_an_empty_plan_sums_to_zero() -> None:
    inputs = three_centres()
    empty = Plan([], inputs.allocate(), inputs.fleet, inputs.rules)
    summary = plan_summary(empty)
    assert (
        summary["trips"] == 0
        and summary["carried"] == 0
        and summary["seat_fill_pct"] == 0.0
        and summary["longest_ride_h"] == 0.0
    )
    assert per_day(empty).empty


@pytest.mark.parametrize(("by", "areas"), [("departement", 96), ("region", 13)])
@pytest.mark.datapack
def test_capacity_summary_as_a_geodataframe(
    examples: Path, data_dir: Path, by: str, areas: int
) -> None:
    from abri.geo.centres import read_centres

    centres, _ = read_centres(examples / "centres-sample.csv", data_dir=data_dir)
    table = capacity_summary(centres, by=by, data_dir=data_dir)  # type: ignore[arg-type]
    shapes = capacity_summary(centres, by=by, data_dir=data_dir, geometry=True)  # type: ignore[arg-type]
    assert (
        isinstance(shapes, gpd.GeoDataFrame)
        and shapes.crs.to_epsg() == 4326
        and len(shapes) == areas
    )
    assert shapes.geometry.notna().all() and shapes.geometry.is_valid.all()
    assert shapes.drop(columns="geometry").equals(table) and int(shapes["places"].sum()) == int(
        centres["capacity"].sum()
    )
    # every centre lies in the area it is counted in
    joined = gpd.sjoin(
        centres[["id", "geometry"]], shapes[["geometry"]].reset_index(), predicate="within"
    )
    assert len(joined) >= 0.9 * len(centres)
    counted = joined.groupby(by).size()
    assert (counted <= shapes.loc[counted.index, "centres"]).all()
