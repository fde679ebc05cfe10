"""Property-based tests: random small scenarios and random rules through the allocation, the planner, the checker and the writer.

Scenarios are built in memory (centres on a plane, exact matrices; see ``tiny.py``), so each
example takes a fraction of a second and no data pack is needed.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from dataclasses import fields
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from tiny import Tiny, tiny  # type: ignore[import-not-found]

from abri.constants import GROUPS
from abri.errors import DataFileError
from abri.inputs.scenario import Fleet, Rules, read_scenario
from abri.outputs.planfile import write_plan
from abri.planning.check import check_plan
from abri.planning.tables import assignments_frame, stops_frame, trips_frame

RULE_FIELDS = {f.name for f in fields(Rules)}
DAYS = ["2016-10-24", "2016-10-25", "2016-10-26"]
PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def rules(draw: st.DrawFn) -> Rules:
    """Rules inside the ranges the scenario reader accepts (and driving hours down to 0, which the API must survive)."""
    departure = draw(st.integers(4 * 60, 12 * 60))
    opens = draw(st.integers(0, 12 * 60))
    values: dict[str, Any] = {
        "max_stops": draw(st.integers(1, 6)),
        "departure": clock(departure),
        "last_departure": clock(departure + draw(st.integers(0, 180))),
        "bays": draw(st.integers(1, 6)),
        "boarding_minutes": draw(st.integers(5, 60)),
        "service_minutes": draw(st.integers(0, 60)),
        "break_after_hours": draw(st.floats(0.25, 6)),
        "break_minutes": draw(st.integers(0, 90)),
        "max_driving_hours": draw(
            st.floats(0, 15)
        ),  # 0 and near 0 once hung plan_coaches: kept in on purpose
        "margin_pct": draw(st.floats(0, 50)),
        "second_driver": draw(st.booleans()),
        "reception_open": clock(opens),
        "reception_close": clock(draw(st.integers(opens + 1, 23 * 60 + 59))),
    }
    return Rules(**{k: v for k, v in values.items() if k in RULE_FIELDS})


@st.composite
def scenarios(draw: st.DrawFn) -> Tiny:
    """1-6 centres within 600 km, 0-20 households of 1-6 people on 1-3 days, a random fleet and random rules."""
    centres = []
    for i in range(draw(st.integers(1, 6))):
        groups = draw(
            st.lists(st.sampled_from(GROUPS), min_size=1, max_size=len(GROUPS), unique=True)
        )
        centres.append(
            (
                f"C{i}",
                draw(st.floats(-600, 600)),
                draw(st.floats(-600, 600)),
                draw(st.integers(1, 40)),
                ";".join(groups),
            )
        )
    people = []
    for h in range(draw(st.integers(0, 20))):
        size = draw(st.integers(1, 6))
        group = "families" if size > 1 else draw(st.sampled_from(GROUPS))
        day = draw(st.sampled_from(DAYS))
        people += [(f"H{h}-{k}", day, group, f"H{h}" if size > 1 else "") for k in range(size)]
    fleet = Fleet(coaches_per_day=draw(st.integers(1, 8)), seats=draw(st.integers(1, 60)), days=[])
    return tiny(centres, people, fleet=fleet, rules=draw(rules()))


@PROPERTY_SETTINGS
@given(scenarios())
def test_plans_keep_every_promise(inputs: Tiny) -> None:
    allocation = inputs.allocate()
    capacity = inputs.centres.set_index("id")["capacity"]
    # allocation never over capacity, a household in one centre
    per_centre = allocation.per_centre()
    assert (per_centre <= capacity.reindex(per_centre.index)).all()
    families = allocation.assignments[
        allocation.assignments["household"].str.startswith("H")
        & (allocation.assignments["group"] == "families")
    ]
    assert (families.groupby("household")["centre_id"].nunique() <= 1).all()
    plan = inputs.plan(allocation, iterations=30)
    legal_before = {t.coach for t in plan.trips if t.legal}
    check = check_plan(plan, times=inputs.times, km=inputs.km, centres=inputs.centres)
    # nobody lost: people in = carried + not carried + unplaced, each with a reason
    assert check.accounting.ok, check.accounting.lines()
    # households never split between coaches or stops; nobody on two coaches; capacity kept
    assert not [
        p for p in check.plan if "household" in p or "more than one coach" in p or "capacity" in p
    ], check.plan
    # a trip the planner calls legal passes the independent check
    assert not {c: p for c, p in check.trips.items() if c in legal_before and p}
    # manifests add up to the assignments, centre by centre and group by group
    stops = stops_frame(plan)
    assignments = assignments_frame(plan)
    carried = assignments[assignments["coach"] != ""]
    assert (
        stops.groupby("centre_id")["total"].sum().to_dict()
        == carried.groupby("centre_id").size().to_dict()
    )
    assert (stops[list(GROUPS)].sum(axis=1) == stops["total"]).all()
    assert stops[list(GROUPS)].sum().to_dict() == {
        g: int((carried["group"] == g).sum()) for g in GROUPS
    }
    trips = trips_frame(plan)
    assert (trips["people"] <= inputs.fleet.seats).all() or not trips["legal"].all()


@PROPERTY_SETTINGS
@given(scenarios())
def test_the_writer_writes_what_the_plan_holds(inputs: Tiny) -> None:
    plan = inputs.plan(iterations=20)
    check = check_plan(plan, times=inputs.times, km=inputs.km, centres=inputs.centres)
    with tempfile.TemporaryDirectory() as folder:
        files = write_plan(plan, Path(folder), centres=inputs.centres, check=check)
        doc = json.loads(files["plan"].read_text())
        trips = pd.read_csv(files["trips"], dtype={"coach": str})
        manifests = pd.read_csv(files["manifests"])
        assignments = pd.read_csv(files["assignments"], dtype=str, keep_default_na=False)
        unplaced = pd.read_csv(files["unplaced"], dtype=str, keep_default_na=False)
    assert len(trips) == len(plan.trips) == len(doc["trips"])
    assert (
        int(manifests["total"].sum())
        == check.accounting.carried
        == int((assignments["coach"] != "").sum())
    )
    assert len(unplaced) == sum(check.accounting.unplaced.values()) + sum(
        check.accounting.not_carried.values()
    )
    assert doc["accounting"]["ok"] and doc["accounting"]["people_in"] == len(inputs.people)


# ---- the scenario reader: random rules and fleets, in and out of range ----

NUMBERS = st.one_of(
    st.integers(-10, 2000),
    st.floats(-10, 2000, allow_nan=False),
    st.just(float("nan")),
    st.booleans(),
    st.text(max_size=5),
)
CLOCKS = st.one_of(st.builds(clock, st.integers(0, 24 * 60 + 30)), st.text(max_size=6))
RULE_KEYS = [
    "max_stops",
    "departure",
    "last_departure",
    "bays",
    "boarding_minutes",
    "service_minutes",
    "break_after_hours",
    "break_minutes",
    "max_driving_hours",
    "margin_pct",
    "second_driver",
    "reception_open",
    "reception_close",
    "max_stop",
]


@st.composite
def rule_files(draw: st.DrawFn) -> dict[str, Any]:
    keys = draw(st.lists(st.sampled_from(RULE_KEYS), max_size=5, unique=True))
    out: dict[str, Any] = {}
    for key in keys:
        if key in ("departure", "last_departure", "reception_open", "reception_close"):
            out[key] = draw(CLOCKS)
        elif key == "second_driver":
            out[key] = draw(st.one_of(st.booleans(), st.integers(0, 1)))
        else:
            out[key] = draw(NUMBERS)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rule_files(),
    st.dictionaries(
        st.sampled_from(["coaches_per_day", "seats", "origin_lon", "origin_lat", "days"]),
        NUMBERS,
        max_size=3,
    ),
    st.lists(
        st.tuples(
            st.sampled_from(["P1", "P2", "P3", ""]),
            st.sampled_from([*DAYS, "2016-13-45", ""]),
            st.sampled_from([*GROUPS, "aliens"]),
        ),
        max_size=8,
    ),
)
def test_the_scenario_reader_accepts_or_names_the_problem(
    rule_values: dict[str, Any], fleet_values: dict[str, Any], people: list[tuple[str, str, str]]
) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "centres.csv").write_text("id;capacity;insee\nA;10;62193\n")
        (folder / "people.csv").write_text(
            "person_id,day,group\n" + "".join(f"{p},{d},{g}\n" for p, d, g in people)
        )
        (folder / "rules.json").write_text(json.dumps(rule_values))
        (folder / "fleet.json").write_text(json.dumps(fleet_values))
        try:
            scenario = read_scenario(folder)
        except DataFileError as exc:
            assert str(folder) in str(exc)
            return
    assert (
        scenario.people_report.rows_read
        == len(people)
        == len(scenario.people) + scenario.people_report.rows_rejected
    )
    assert (
        Counter(scenario.people["person_id"]).most_common(1)[0][1] == 1
        if len(scenario.people)
        else True
    )
    assert (
        scenario.fleet.seats >= 1
        and scenario.fleet.coaches_per_day >= 1
        and scenario.rules.max_stops >= 1
    )
    assert scenario.rules.break_after_hours > 0


@pytest.mark.parametrize("value", [0, -1, 10**9])
def test_fleet_sizes_out_of_range_are_refused(value: int) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "centres.csv").write_text("id;capacity;insee\nA;10;62193\n")
        (folder / "people.csv").write_text("person_id,day,group\n")
        (folder / "fleet.json").write_text(json.dumps({"seats": value}))
        with pytest.raises(DataFileError, match="seats"):
            read_scenario(folder)
