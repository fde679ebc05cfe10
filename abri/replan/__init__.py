"""Re-plan from what happened: keep what is done, move only whom events force, say what changed.

``abri replan PLAN_DIR --events FILE --now "YYYY-MM-DD HH:MM" -o NEW_DIR``:

1. the parent plan folder is read back as it was written (:mod:`abri.replan.state`);
2. the events are checked against it, all or nothing (:mod:`abri.inputs.events`);
3. they are applied (:mod:`abri.replan.apply`): coaches that left before ``--now`` keep
   their stops and times; people a no-show, a refusal, a breakdown, a delay, a closed
   centre or fewer places take off a coach travel again, with the reason;
4. those people and the new registrations go into free seats and places first, then on
   new trips planned with the same planner in the slots still free (:mod:`abri.replan.place`);
5. the plan is checked by the same independent check as any plan
   (:func:`abri.planning.check.check_plan`) and written as version parent + 1, with
   ``changes.csv`` (person, from, to, why), ``coaches_changed.csv`` and ``ledger.csv``.

With no event, the new plan's trips are the parent's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from abri.defaults import DEFAULT_ITERATIONS, DEFAULT_SEED
from abri.files import atomic_dir, check_output_dir, read_csv_any, write_csv, write_json
from abri.inputs.events import Event, Known, check_against
from abri.inputs.report import Problem
from abri.inputs.scenario import Fleet, Rules
from abri.outputs.planfile import plan_document, write_plan
from abri.outputs.planformat import VersionRecord, read_plan_json
from abri.outputs.trips import trip_lines
from abri.pipeline import PlanRun, Prepared
from abri.planning.allocation import Allocation
from abri.planning.check import PlanCheck, check_plan, mark_illegal
from abri.planning.coach_needs import shortfalls_frame
from abri.planning.plan import EXTRA_MARGINS, NOT_CARRIED, Plan, ride_exceptions
from abri.planning.schedule import legal_with_extra, reception_hours, s_to_clock
from abri.replan.apply import Operation
from abri.replan.place import free_seats, merge_coaches, new_trips
from abri.replan.roads import Roads, road_closures
from abri.replan.state import LEDGER, identity, ledger_states, load_plan
from abri.replan.tables import arrivals_table, changes_table, coaches_table

REPLAN_TIME_LIMIT = 5.0
"""Seconds of search per day for the new trips of a re-plan."""


@dataclass
class Replanned:
    """A re-planned version: the run to write, its check, what changed, the ledger."""

    run: PlanRun
    check: PlanCheck
    version: VersionRecord
    changes: pd.DataFrame
    coaches: pd.DataFrame
    ledger: pd.DataFrame
    arrivals: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def _known(plan: Plan) -> Known:
    coach_of = {p: t.coach for t in plan.trips for s in t.stops for p in s.people}
    people = {p: coach_of.get(p, "") for p in plan.allocation.assignments["person_id"]}
    stops = {(t.coach, s.centre_id): len(s.people) for t in plan.trips for s in t.stops}
    return Known({t.coach for t in plan.trips}, people, set(), stops)


def _after_now(events: list[Event], now: str, file: str) -> list[Problem]:
    return [
        Problem(
            file, e.row, "time", e.time, f"a time at or before --now {now}", "error", "after-now"
        )
        for e in events
        if e.time and e.time > now
    ]


def _not_carried(op: Operation, old: pd.DataFrame) -> pd.DataFrame:
    """The parent's people not carried (unless they moved) and the new ones, once each."""
    carried = {p for t in op.trips.values() for s in t.stops for p in s.people}
    unplaced = set(op.people.index[op.people["centre_id"] == ""])
    rows = [tuple(r) for r in old[NOT_CARRIED].itertuples(index=False)] + op.not_carried
    seen: dict[str, tuple] = {}
    for row in rows:
        if row[0] not in carried and row[0] not in unplaced:
            seen[row[0]] = row
    return pd.DataFrame(list(seen.values()), columns=NOT_CARRIED)


def _rebuilt(op: Operation, parent: Plan) -> Plan:
    trips = sorted(op.trips.values(), key=lambda t: (t.day, t.slot, t.bay, t.coach))
    assignments = op.people.reset_index(drop=True)
    plan = Plan(
        trips,
        Allocation(assignments),
        parent.fleet,
        parent.rules,
        _not_carried(op, parent.not_carried),
        method=parent.method,
        days=parent.days,
        hours=parent.hours,
    )
    plan.legal_at = {
        f"+{x}%": sum(legal_with_extra(t, plan.rules, x, hours=plan.hours) for t in trips)
        for x in EXTRA_MARGINS
    }
    plan.ride_exceptions = ride_exceptions(plan)
    plan.shortfalls = shortfalls_frame(plan, op.times, plan.hours)
    return plan


def replan(
    prepared: Prepared,
    parent_dir: str | os.PathLike[str],
    events: list[Event],
    now: str,
    *,
    events_file: str = "events",
    seed: int = DEFAULT_SEED,
    iterations: int = DEFAULT_ITERATIONS,
    time_limit: float = REPLAN_TIME_LIMIT,
    problems: list[Problem] | None = None,
) -> Replanned:
    """The next version of the plan in `parent_dir`, given what happened (`events`) up to `now`.

    `problems`: the events file's bad rows (``read_events(..., strict=False)``), refused
    together with the events' times after `now` and their contradictions, in one list.

    Examples
    --------
    >>> out = replan(prepared, "plan-v1", events, "2016-10-24 10:30")  # doctest: +SKIP
    >>> out.changes.head(), out.version["number"]  # doctest: +SKIP
    """
    scenario = prepared.scenario
    hours = reception_hours(prepared.centres, scenario.rules)
    loaded = load_plan(parent_dir, scenario.fleet, scenario.rules, hours=hours)
    parent = load_plan(parent_dir, scenario.fleet, scenario.rules, hours=hours).plan
    known = _known(parent)
    known.centres = set(prepared.centres["id"].astype(str))
    closures, off_road = road_closures(events, prepared.graph, file=events_file)
    before = [*(problems or []), *_after_now(events, now, events_file), *off_road]
    check_against(events, known, file=events_file, before=before)
    assert prepared.km is not None, "a re-plan needs the km matrix"
    roads = Roads(prepared.graph, prepared.snapped, prepared.times, prepared.km, closures)
    capacity = dict(
        zip(prepared.centres["id"].astype(str), prepared.centres["capacity"].astype(int))
    )
    op = Operation(loaded.plan, prepared.times, prepared.km, capacity, now, roads=roads)
    op.apply(events)
    free_seats(op, prepared.centres)
    merge_coaches(op)
    new_trips(op, prepared.centres, seed=seed, iterations=iterations, time_limit=time_limit)
    plan = _rebuilt(op, parent)
    centres = prepared.centres.assign(capacity=prepared.centres["id"].astype(str).map(op.capacity))
    report = scenario.people_report
    check = check_plan(
        plan,
        times=prepared.times,
        km=prepared.km,
        centres=centres,
        people_in=len(plan.allocation.assignments) + report.rows_rejected,
        rejected=report.rows_rejected,
        source=f"{report.file} and the registrations",
        pathways=scenario.pathways,
        measures=op.measures,
    )
    mark_illegal(plan, check)
    number = int(loaded.document["version"]["number"]) + 1
    version: VersionRecord = {
        "number": number,
        "parent": str(parent_dir),
        "now": now,
        "events": [e.to_dict() for e in events],
    }
    ledger = _ledger(loaded.folder, parent, plan, op, number)
    fields_ = {
        k: getattr(prepared, k)
        for k in ("scenario", "centres", "centre_report", "graph", "snapped", "times", "km")
    }
    run = PlanRun(**fields_, seconds={}, allocation=plan.allocation, plan=plan, check=check)
    run.centres = centres
    return Replanned(
        run,
        check,
        version,
        changes_table(parent, plan, op.why, op.retimed, rerouted=op.rerouted),
        coaches_table(parent, op),
        ledger,
        arrivals_table(parent, plan),
        op.warnings,
    )


def _ledger(folder: Path, parent: Plan, plan: Plan, op: Operation, number: int) -> pd.DataFrame:
    """The parent's ledger (or its states, for a first plan) and this version's states."""
    path = folder / "ledger.csv"
    if path.is_file():
        old = read_csv_any(path, dtype=str, keep_default_na=False)
        old["version"] = old["version"].astype(int)
    else:
        old = ledger_states(parent, number - 1, gone=set(), arrived=set(), refused={})
    last = old[old["version"] == number - 1]
    previous = dict(zip(last["person_id"], last["state"]))
    new = ledger_states(
        plan, number, gone=op.gone, arrived=op.arrived, refused=op.refused, previous=previous
    )
    return pd.concat([old, new], ignore_index=True)[LEDGER]


def write_version(result: Replanned, out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Write the new version's plan folder (every plan file, version block, changes, ledger), as a whole."""
    out = check_output_dir(out_dir)
    run = result.run
    lines = trip_lines(run.graph, run.snapped, run.plan.trips, points=run.points)
    origin = (run.scenario.fleet.origin_lon, run.scenario.fleet.origin_lat)
    with atomic_dir(out) as tmp:
        files = write_plan(
            run.plan,
            tmp,
            centres=run.centres,
            lines=lines,
            origin=origin,
            label=run.scenario.label,
            scenario=run.scenario.name,
            check=result.check,
        )
        document = plan_document(
            run.plan,
            label=run.scenario.label,
            scenario=run.scenario.name,
            check=result.check,
            version=result.version,
            scenario_dir=str(run.scenario.folder.resolve()),
        )
        files["plan"] = write_json(tmp / "plan.json", document)
        files["changes"] = write_csv(tmp / "changes.csv", result.changes)
        files["coaches_changed"] = write_csv(tmp / "coaches_changed.csv", result.coaches)
        files["ledger"] = write_csv(tmp / "ledger.csv", result.ledger)
        files["arrivals_changed"] = write_csv(tmp / "arrivals_changed.csv", result.arrivals)
    return {name: out / path.name for name, path in files.items()}


def status(folder: str | os.PathLike[str]) -> tuple[pd.DataFrame, list[str]]:
    """Where everyone stands in a plan folder: the last version's states, and its identity lines."""
    folder = Path(folder)
    document = read_plan_json(folder)
    number = int(document["version"]["number"])
    path = folder / "ledger.csv"
    if path.is_file():
        ledger = read_csv_any(path, dtype=str, keep_default_na=False)
        ledger["version"] = ledger["version"].astype(int)
    else:  # a first plan: everyone carried is planned
        fleet, rules = Fleet(**document["fleet"]), Rules(**document["rules"])
        plan = load_plan(folder, fleet, rules).plan
        ledger = ledger_states(plan, number, gone=set(), arrived=set(), refused={})
    versions = sorted(set(ledger["version"]))
    return ledger[ledger["version"] == number], [identity(ledger, v) for v in versions]
