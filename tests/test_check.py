"""The independent plan checker: every rule broken on purpose is found, and the accounting identity."""

from __future__ import annotations

import copy
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from tiny import Tiny, hand_plan, three_centres  # type: ignore[import-not-found]

from abri.planning.check import Accounting, PlanCheck, check_plan, mark_illegal
from abri.planning.plan import Plan
from abri.planning.schedule import Stop


@pytest.fixture(scope="module")
def case() -> tuple[Tiny, Plan]:
    inputs = three_centres()
    return inputs, hand_plan(inputs)


def _check(inputs: Tiny, plan: Plan, **kwargs: object) -> PlanCheck:
    return check_plan(plan, times=inputs.times, km=inputs.km, centres=inputs.centres, **kwargs)  # type: ignore[arg-type]


def _broken(case: tuple[Tiny, Plan]) -> Plan:
    return copy.deepcopy(case[1])


def test_a_plan_made_by_hand_passes(case) -> None:
    inputs, plan = case
    check = _check(inputs, plan)
    assert check.ok, check.errors
    assert (
        check.accounting.people_in == 24
        and check.accounting.carried == 24
        and check.accounting.balance == 0
    )
    assert all(t.legal for t in plan.trips)


def _first_stop(plan: Plan) -> Stop:
    return plan.trips[0].stops[0]


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        ("seats", "more than the coach's 10 seats"),
        ("stops", "stops, more than the rules' 1"),
        ("twice", "stops twice at"),
        ("early", "before driving and breaks allow"),
        ("closed", "outside its reception hours"),
        ("driving", "exceeds one driver's"),
        ("group", "does not accept group(s) minors"),
        ("day", "travel on another day"),
        ("fleet_day", "is not one of the fleet's days"),
        ("manifest", "manifest at"),
        ("elsewhere", "allocated elsewhere"),
        ("km", "differs from the matrix"),
    ],
)
def test_each_broken_rule_is_found_and_the_trip_marked_illegal(
    case, breakage: str, expected: str
) -> None:
    inputs, _ = case
    plan = _broken(case)
    trip = plan.trips[0]
    stop = trip.stops[0]
    if breakage == "seats":
        plan = replace(plan, fleet=replace(plan.fleet, seats=max(1, trip.people - 1)))
        expected = f"more than the coach's {plan.fleet.seats} seats"
    elif breakage == "stops":
        plan = replace(plan, rules=replace(plan.rules, max_stops=1))
        trip = _two_stops(inputs, plan)
    elif breakage == "twice":
        trip.stops.append(copy.deepcopy(stop))
        trip.stops[-1].people, trip.stops[-1].groups = [], {}
    elif breakage == "early":
        stop.arrival_s = trip.departure_s + stop.leg_s / 2
    elif breakage == "closed":
        stop.arrival_s = 23.5 * 3600
    elif breakage == "driving":
        plan = replace(plan, rules=replace(plan.rules, max_driving_hours=0.5, second_driver=False))
    elif breakage == "group":
        minor = "M1"
        if minor not in stop.people:
            stop.people.append(minor)
            stop.groups["minors"] = stop.groups.get("minors", 0) + 1
        inputs = Tiny(
            inputs.people,
            inputs.centres.assign(groups="men;women;families"),
            inputs.times,
            inputs.km,
            inputs.fleet,
            inputs.rules,
        )
    elif breakage == "day":
        trip.day = "2016-10-25"
    elif breakage == "fleet_day":
        plan = replace(plan, fleet=replace(plan.fleet, days=["2016-11-02"]))
    elif breakage == "manifest":
        stop.groups = {"women": len(stop.people)}
    elif breakage == "elsewhere":
        other = next(s for t in plan.trips for s in t.stops if s.centre_id != stop.centre_id)
        moved = other.people.pop()
        other.groups = dict(
            pd.Series(
                inputs.people.set_index("person_id").loc[other.people, "group"]
            ).value_counts()
        )
        stop.people.append(moved)
        stop.groups = dict(
            pd.Series(inputs.people.set_index("person_id").loc[stop.people, "group"]).value_counts()
        )
    elif breakage == "km":
        trip.km *= 1.5
    check = _check(inputs, plan)
    assert not check.ok
    problems = check.trips[trip.coach]
    assert any(expected in p for p in problems), problems
    assert mark_illegal(plan, check) and not trip.legal
    assert any(n.startswith("check: ") and expected in n for n in trip.notes) or trip.notes
    before = list(trip.notes)
    mark_illegal(plan, check)
    assert trip.notes == before  # marking twice adds nothing


def _two_stops(inputs: Tiny, plan: Plan) -> object:
    """Merge the second-to-last coach's stop into the one before: a legal two-stop trip (A then B)."""
    first, second = plan.trips[1], plan.trips[3]  # 2 people to A, 1 person to B
    stop = second.stops[0]
    stop.leg_s = float(inputs.times.at[first.stops[0].centre_id, stop.centre_id])
    stop.leg_km = float(inputs.km.at[first.stops[0].centre_id, stop.centre_id]) / 1000
    stop.arrival_s = 14 * 3600
    first.stops.append(stop)
    first.driving_s += stop.leg_s
    first.km += stop.leg_km
    plan.trips.remove(second)
    return first


def test_a_two_stop_trip_made_by_hand_passes(case) -> None:
    inputs, _ = case
    plan = _broken(case)
    trip = _two_stops(inputs, plan)
    assert _check(inputs, plan).ok
    trip.stops[-1].arrival_s = (
        13 * 3600
    )  # too early: 1.4 h + 4.3 h of planned driving need a 45 min break
    assert any("before driving and breaks allow" in p for p in _check(inputs, plan).errors)


def test_plan_level_problems(case) -> None:
    inputs, plan = case
    # a centre over capacity, a household split, a person on two coaches, too many coaches in a day
    small = inputs.centres.assign(capacity=1)
    assert any(
        "over its capacity of 1" in p
        for p in check_plan(plan, times=inputs.times, km=inputs.km, centres=small).plan
    )
    broken = _broken(case)
    family_stop = next(s for t in broken.trips for s in t.stops if "F1" in s.people)
    family_stop.people.remove("F1")
    family_stop.groups["families"] -= 1
    lone = Stop(
        family_stop.centre_id,
        ["F1"],
        {"families": 1},
        leg_s=0,
        leg_km=0,
        arrival_s=family_stop.arrival_s,
    )
    other = (
        next(t for t in broken.trips if family_stop not in t.stops)
        if len(broken.trips) > 1
        else None
    )
    if other is not None:
        other.stops.append(lone)
        check = _check(inputs, broken)
        assert any("household H1 is split" in p for p in check.plan)
    fewer = replace(plan, fleet=replace(plan.fleet, coaches_per_day=1))
    if len(plan.trips) > 1:
        assert any("more than the fleet's 1" in p for p in _check(inputs, fewer).plan)


def test_accounting_identity_catches_a_lost_person(case) -> None:
    inputs, _ = case
    plan = _broken(case)
    stop = _first_stop(plan)
    gone = stop.people.pop()
    stop.groups = {g: n for g, n in stop.groups.items()}
    check = _check(inputs, plan)
    assert (
        not check.accounting.ok
        and check.accounting.balance == 1
        and check.accounting.lost == [gone]
    )
    assert any("accounting identity fails" in e for e in check.errors)
    assert "1 missing" in str(check.accounting)
    # someone counted twice: carried and listed as not carried
    plan = _broken(case)
    carried = _first_stop(plan).people[0]
    plan.not_carried = pd.DataFrame(
        [
            {
                "person_id": carried,
                "day": "2016-10-24",
                "centre_id": "A",
                "reason": "fleet too small for this day",
            }
        ]
    )
    check = _check(inputs, plan)
    assert check.accounting.balance == -1 and any(
        "both carried and listed" in p for p in check.plan
    )


def test_accounting_counts_rows_set_aside_and_reasons() -> None:
    accounting = Accounting(
        people_in=10,
        rejected=2,
        carried=5,
        not_carried={"fleet too small for this day": 2},
        unplaced={"no places left for group 'men'": 1},
    )
    assert accounting.ok and accounting.balance == 0
    assert accounting.to_dict()["rejected_rows"] == 2 and accounting.to_dict()["ok"] is True
    assert not replace(accounting, unplaced={"": 1}).ok  # a person left behind without a reason
    assert replace(accounting, people_in=11).balance == 1
    lines = accounting.lines()
    assert lines[0].startswith(
        "accounting: 10 people in = 5 carried + 2 not carried + 1 unplaced + 2 rows set aside"
    )
    assert "  not carried 2: fleet too small for this day" in lines


# ---- the command on hostile scenarios: every plan folder complete, exit 1 with a reason, no traceback ----

PLAN_FILES = {
    "plan.json",
    "trips.csv",
    "manifests.csv",
    "assignments.csv",
    "unplaced.csv",
    "centres.geojson",
    "trips.geojson",
    "origin.json",
}


def _scenario(small_scenario: Path, tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(small_scenario, folder)
    people = (folder / "people.csv").read_text().splitlines()
    if name == "empty":
        (folder / "people.csv").write_text(people[0] + "\n")
    elif name == "rejected":
        rows = [",".join([r.split(",")[0], "2016-13-45", *r.split(",")[2:]]) for r in people[1:]]
        (folder / "people.csv").write_text("\n".join([people[0], *rows]) + "\n")
    elif name == "sea":
        fleet = json.loads((folder / "fleet.json").read_text())
        fleet["origin_lon"], fleet["origin_lat"] = (
            5.0,
            42.0,
        )  # the Mediterranean, 100 km from any road
        (folder / "fleet.json").write_text(json.dumps(fleet))
    elif name == "zero-hours":
        rules = json.loads((folder / "rules.json").read_text())
        rules["max_driving_hours"] = 0
        rules.pop("driving_buffer_minutes", None)
        (folder / "rules.json").write_text(json.dumps(rules))
    return folder


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty", "has no people"),
        ("rejected", "rows of"),
        ("sea", "the origin"),
        ("zero-hours", "nobody could be carried"),
    ],
)
def test_a_plan_with_no_trip_is_written_whole_and_fails(
    small_scenario: Path, data_dir: Path, tmp_path: Path, name: str, message: str
) -> None:
    from abri.cli import main

    folder = _scenario(small_scenario, tmp_path, name)
    out = tmp_path / f"plan-{name}"
    result = CliRunner().invoke(
        main,
        [
            "plan",
            str(folder),
            "-o",
            str(out),
            "--roads",
            "france-major-roads",
            "--iterations",
            "50",
            "--jobs",
            "1",
            "--data-dir",
            str(data_dir),
            "--no-baseline",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 1, result.output
    assert "no coach trip planned" in result.output and message in result.output
    assert {p.name for p in out.iterdir()} >= PLAN_FILES
    assert (out / "trips.csv").read_text().startswith("coach,day,departure,last_arrival,")
    assert (out / "manifests.csv").read_text().startswith("coach,day,stop,centre_id")
    doc = json.loads((out / "plan.json").read_text())
    assert (
        doc["trips"] == [] and doc["accounting"]["ok"] is True and doc["accounting"]["balance"] == 0
    )
    people_rows = len((small_scenario / "people.csv").read_text().splitlines()) - 1
    assert doc["accounting"]["people_in"] == (0 if name == "empty" else people_rows)
    unplaced = pd.read_csv(out / "unplaced.csv", dtype=str, keep_default_na=False)
    medical = doc["accounting"]["medical_transfers"]  # placed, travelling by medical transfer
    assert (
        len(unplaced) + medical == (people_rows if name in ("sea", "zero-hours") else 0)
        and (unplaced["reason"] != "").all()
    )
    assert "accounting: " in result.output


@pytest.mark.parametrize("where", ["under-a-file", "the-input", "a-folder-of-other-files"])
def test_an_unusable_output_folder_is_refused_before_any_work(
    small_scenario: Path, data_dir: Path, tmp_path: Path, where: str
) -> None:
    from abri.cli import main

    folder = tmp_path / "scenario"
    shutil.copytree(small_scenario, folder)
    if where == "under-a-file":
        (tmp_path / "a-file").write_text("x")
        out = tmp_path / "a-file" / "plan"
    elif where == "the-input":
        out = folder
    else:
        out = tmp_path / "documents"
        out.mkdir()
        (out / "thesis.odt").write_text("precious")
    result = CliRunner().invoke(
        main,
        [
            "plan",
            str(folder),
            "-o",
            str(out),
            "--roads",
            "france-major-roads",
            "--data-dir",
            str(data_dir),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 2, result.output
    assert str(out) in result.output
    assert "plan ..." not in result.output  # refused before the plan step started
    assert (folder / "people.csv").is_file()
    if where == "a-folder-of-other-files":
        assert (out / "thesis.odt").read_text() == "precious"


@pytest.mark.datapack
def test_the_command_prints_the_accounting_and_writes_it(
    small_scenario: Path, data_dir: Path, tmp_path: Path
) -> None:
    from abri.cli import main

    out = tmp_path / "plan"
    result = CliRunner().invoke(
        main,
        [
            "plan",
            str(small_scenario),
            "-o",
            str(out),
            "--roads",
            "france-all-roads",
            "--iterations",
            "100",
            "--jobs",
            "1",
            "--data-dir",
            str(data_dir),
            "--no-baseline",
        ],
        catch_exceptions=False,
    )
    people = len((small_scenario / "people.csv").read_text().splitlines()) - 1
    assert f"accounting: {people} people in = " in result.output
    doc = json.loads((out / "plan.json").read_text())
    assert doc["accounting"]["people_in"] == people and doc["accounting"]["ok"] is True
    assert doc["check"]["errors"] == len(doc["check"]["plan_problems"]) + sum(
        map(len, doc["check"]["trip_problems"].values())
    )
    illegal = [t for t in doc["trips"] if not t["legal"]]
    assert {t["coach"] for t in illegal} >= set(doc["check"]["trip_problems"])
    assert result.exit_code == (
        0
        if doc["check"]["ok"] and not illegal and not doc["not_carried"] and not doc["unplaced"]
        else 1
    )


def test_a_centre_is_not_reached_before_it_opens(case) -> None:
    inputs, plan = case
    later = inputs.centres.assign(opens_on=["2016-10-25", "", ""])
    check = check_plan(plan, times=inputs.times, km=inputs.km, centres=later)
    to_a = [c for c, problems in check.trips.items() if problems]
    assert to_a and all(
        any("before it opens on 2016-10-25" in p for p in check.trips[c]) for c in to_a
    )
    assert {s.centre_id for t in plan.trips if t.coach in to_a for s in t.stops} == {"A"}
