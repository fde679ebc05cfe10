"""A plan folder read back into planning objects, and where every person stands in it.

:func:`load_plan` turns a plan folder (``plan.json`` through
:func:`~abri.outputs.planformat.read_plan_json`, and ``assignments.csv``) into a
:class:`~abri.planning.plan.Plan` whose trips are the recorded ones, field for field, so
that a re-plan changes only what it must. :func:`ledger_states` says, for one version,
each person's state (registered, planned, boarded, arrived, refused, not carried);
:func:`identity` checks that they add up.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pandas as pd

from abri.errors import PlanFormatError
from abri.files import read_csv_any
from abri.inputs.scenario import Fleet, Rules
from abri.outputs.planformat import PlanDocument, TripRecord, read_plan_json
from abri.planning.allocation import Allocation
from abri.planning.plan import NOT_CARRIED, Plan
from abri.planning.schedule import Stop, Trip, s_to_clock

STATES = ("registered", "planned", "boarded", "arrived", "refused", "not carried")
"""A person's states in the ledger, in the order of the operation."""
LEDGER = ["version", "person_id", "state", "centre_id", "coach", "why"]


def clock_s(text: str) -> float:
    """``'07:30'`` -> 27000; ``'+1d 01:10'`` -> 90600 (the inverse of ``s_to_clock``)."""
    day = 0
    if text.startswith("+"):
        head, text = text.split(" ", 1)
        day = int(head[1:-1])
    hours, minutes = text.split(":")
    return float(day * 86_400 + int(hours) * 3600 + int(minutes) * 60)


def trip_from_record(record: TripRecord, group_of: dict[str, str]) -> Trip:
    """A :class:`Trip` with every field of its ``plan.json`` record."""
    stops = []
    for s in record["stops"]:
        people = [str(p) for p in s["people"]]
        stops.append(
            Stop(
                s["centre_id"],
                people,
                dict(s.get("groups") or Counter(group_of.get(p, "") for p in people)),
                leg_s=float(s.get("leg_h", 0.0)) * 3600,
                leg_km=float(s.get("leg_km", 0.0)),
                arrival_s=clock_s(s["arrival"]),
                breaks_before=int(s.get("breaks_before", 0)),
            )
        )
    r: dict[str, Any] = dict(record)
    hours = {k: float(r.get(f"{k}_h", 0.0)) * 3600 for k in ("driving", "planned_driving")}
    return Trip(
        r["coach"],
        str(r["day"]),
        stops,
        departure_s=clock_s(r["departure"]),
        drivers=int(r.get("drivers", 1)),
        driving_s=hours["driving"],
        breaks=int(r.get("breaks", 0)),
        km=float(r.get("km", 0.0)),
        legal=bool(r.get("legal", True)),
        notes=list(r.get("notes", [])),
        info=list(r.get("info", [])),
        vehicle=str(r.get("vehicle", "")),
        vehicle_kind=str(r.get("vehicle_kind", "")),
        slot=int(r.get("slot") or 0),
        bay=int(r.get("bay") or 1),
        boarding_s=clock_s(r.get("boarding", r["departure"])),
        planned_driving_s=hours["planned_driving"],
        slack_driving_s=float(r.get("slack_driving_h", 0.0)) * 3600,
        slack_close_s=float(r.get("slack_close_h", 0.0)) * 3600,
        return_s=float(r.get("return_h", 0.0)) * 3600,
        return_km=float(r.get("return_km", 0.0)),
        rest_where=str(r.get("rest_where", "")),
        free_at_s=clock_s(r.get("free_at", "00:00")),
        free_where=str(r.get("free_where", "")),
        drivers_free_at_s=clock_s(r.get("drivers_free_at", "00:00")),
    )


@dataclass
class Loaded:
    """A plan folder as planning objects: its document, its plan, its folder."""

    folder: Path
    document: PlanDocument
    plan: Plan


ASSIGNMENT_COLUMNS = [
    "person_id",
    "day",
    "group",
    "household",
    "pref1",
    "pref2",
    "centre_id",
    "in_preferred",
    "reason",
    "ride_h",
    "ride_note",
]


def load_plan(
    folder: str | os.PathLike[str],
    fleet: Fleet,
    rules: Rules,
    *,
    hours: dict[str, tuple[int, int]] | None = None,
) -> Loaded:
    """Read a plan folder back: trips as recorded, the allocation from ``assignments.csv``."""
    folder = Path(folder)
    document = read_plan_json(folder)
    path = folder / "assignments.csv"
    if not path.is_file():
        msg = f"{path}: no such file; a plan folder written by `abri plan` holds assignments.csv"
        raise PlanFormatError(msg)
    table = read_csv_any(path, dtype=str, keep_default_na=False)
    missing = [c for c in ASSIGNMENT_COLUMNS[:7] if c not in table.columns]
    if missing:
        msg = f"{path}: missing column(s) {missing}; expected {ASSIGNMENT_COLUMNS}"
        raise PlanFormatError(msg)
    extra = [
        c for c in table.columns if c not in ASSIGNMENT_COLUMNS
    ]  # needs, pathway, shortfall...
    table = table.reindex(columns=[*ASSIGNMENT_COLUMNS, *extra], fill_value="")
    table["in_preferred"] = table["in_preferred"].str.lower().eq("true")
    table["ride_h"] = pd.to_numeric(  # excel-fr writes a decimal comma
        table["ride_h"].str.replace(",", ".", regex=False), errors="coerce"
    )
    group_of = dict(zip(table["person_id"], table["group"]))
    trips = [trip_from_record(t, group_of) for t in document["trips"]]
    not_carried = pd.DataFrame(document.get("not_carried", []), columns=NOT_CARRIED)
    plan = Plan(
        trips,
        Allocation(table),
        fleet,
        rules,
        not_carried.astype(str),
        days=cast(
            list[dict[str, Any]], document.get("days", [])
        ),  # typed list[str] in PlanDocument
        legal_at=dict(document.get("legal_at_longer_roads", {})),
        hours=hours or {},
    )
    plan.ride_exceptions = pd.DataFrame(document.get("ride_exceptions", []))
    if document.get("shortfalls"):
        plan.shortfalls = pd.DataFrame(document["shortfalls"]).astype(str)
    return Loaded(folder, document, plan)


def seats_of(plan: Plan) -> dict[str, tuple[str, str, str]]:
    """Each carried person's (centre, coach, departure clock)."""
    return {
        p: (s.centre_id, t.coach, s_to_clock(t.departure_s))
        for t in plan.trips
        for s in t.stops
        for p in s.people
    }


def ledger_states(
    plan: Plan,
    version: int,
    *,
    gone: set[str],
    arrived: set[str],
    refused: dict[str, str],
    previous: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Every person's state in one version (`gone`: coaches that have left; `previous`: the states of the parent)."""
    previous = previous or {}
    where = {p: (s.centre_id, t.coach) for t in plan.trips for s in t.stops for p in s.people}
    not_carried = dict(zip(plan.not_carried["person_id"], plan.not_carried["reason"]))
    rows = []
    for pid, reason in zip(
        plan.allocation.assignments["person_id"], plan.allocation.assignments["reason"]
    ):
        centre, coach = where.get(pid, ("", ""))
        why = str(not_carried.get(pid, reason) or "")
        if (pid in refused or previous.get(pid) == "refused") and not coach:  # else re-offered
            state, why = "refused", refused.get(pid, why)
        elif pid in arrived or previous.get(pid) == "arrived":
            state = "arrived"
        elif coach and coach in gone:
            state = "boarded"
        elif coach:
            state = "planned"
        elif why:
            state = "not carried"
        else:
            state = "registered"
        rows.append(
            {
                "version": version,
                "person_id": pid,
                "state": state,
                "centre_id": centre,
                "coach": coach,
                "why": why,
            }
        )
    return pd.DataFrame(rows, columns=LEDGER)


def identity(ledger: pd.DataFrame, version: int) -> str:
    """The accounting identity of one version: people known = the sum of every state (raises when it fails)."""
    rows = ledger[ledger["version"] == version]
    counts = Counter(rows["state"])
    if rows["person_id"].duplicated().any() or sum(counts.values()) != len(rows):
        msg = f"version {version}: a person is counted twice in the ledger"
        raise ValueError(msg)
    parts = " + ".join(f"{counts.get(s, 0)} {s}" for s in STATES)
    return f"version {version}: {len(rows)} people = {parts}"
