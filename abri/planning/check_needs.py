"""The independent check of every person's hard needs, their pathway and their ride.

Part of :func:`abri.planning.check.check_plan`; trusts none of the
planner's flags. From the assignments' ``needs`` (:func:`abri.inputs.needs.profile`),
``pathway``, ``group`` and ``family_country``, the trips, the centre list and the rules:

- **wheelchair**: a wheelchair user's centre has an accessible place for
  each (``accessible_places``), and their coach is accessible
  (``vehicle_kind == "accessible"``: at most ``fleet.wheelchair_places``
  wheelchairs and ``fleet.accessible_seats`` seated people; at most
  ``fleet.accessible_coaches_per_day`` such trips a day, or the named
  ``fleet.accessible_coaches``);
- **care**: the centre's ``care_min_<kind>`` is known and within the rules'
  ``care_max_minutes[kind]``; **single rooms** per centre;
- **medical transfer** (stretcher, urgent care), **UK direct** and
  **refusal**: never on a coach; every person's pathway against their own
  row, UK-link minors and the pathways' days and quotas:
  :mod:`abri.planning.check_pathways`;
- **rides** (:mod:`abri.planning.check_rides`): each person's ride limit
  and, minors and vulnerable people, a late arrival, re-timed from the trip:
  a breach not listed as a shortfall with its code (the assignments'
  ``shortfall`` column or ``plan.shortfalls``) is an error, a listed one a
  warning with its count.

Each message names the need, the person(s), the trip or centre and the value against the limit.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from abri.inputs.pathways import Pathway
from abri.planning.accounting import OWN_WAY
from abri.planning.check_pathways import (
    CheckPeople,
    check_people,
    pathway_problems,
    quota_problems,
)
from abri.planning.check_rides import names, ride_problems
from abri.planning.schedule import ACCESSIBLE


@dataclass
class NeedsCheck:
    """Need problems of the plan, need problems of each trip (by trip key), warnings."""

    plan: list[str] = field(default_factory=list)
    trips: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _number(table: pd.DataFrame, cid: str, column: str) -> float:
    """A centre's number in `column`: NaN when the column or the centre is missing or not a number."""
    if column not in table.columns or cid not in table.index:
        return math.nan
    return float(pd.to_numeric(pd.Series([table.at[cid, column]]), errors="coerce").iloc[0])


def _place_problems(who: CheckPeople, table: pd.DataFrame) -> list[str]:
    """Wheelchair users and single rooms per centre against its accessible places and single rooms."""
    centre = who.frame["centre_id"].astype(str)
    problems = []
    for need, column, wants in (
        ("wheelchair (accessible place)", "accessible_places", lambda p: p.accessible),
        ("single-room", "single_rooms", lambda p: p.single_room),
    ):
        by_centre: dict[str, list[str]] = defaultdict(list)
        for person, prof in who.profiles.items():
            if wants(prof) and centre[person]:
                by_centre[centre[person]].append(person)
        for cid, ids in sorted(by_centre.items()):
            places = _number(table, cid, column)
            places = 0.0 if math.isnan(places) else places
            if len(ids) > places:
                problems.append(
                    f"need {need}: {len(ids)} people placed in {cid} ({names(ids)}), "
                    f"over its {int(places)} {column.replace('_', ' ')}"
                )
    return problems


def _care_problems(who: CheckPeople, table: pd.DataFrame, rules: Any) -> list[str]:
    """Each care need within the rules' minutes of the person's centre."""
    centre = who.frame["centre_id"].astype(str)
    late: dict[tuple[str, str], list[str]] = defaultdict(list)
    for person, prof in who.profiles.items():
        for kind in prof.care:
            if centre[person] and kind in rules.care_max_minutes:
                late[(centre[person], kind)].append(person)
    problems = []
    for (cid, kind), ids in sorted(late.items()):
        limit = float(rules.care_max_minutes[kind])
        minutes = _number(table, cid, f"care_min_{kind}")
        if math.isnan(minutes):
            value = f"no known road time to {kind} care (care_min_{kind} empty); the limit is"
        elif minutes > limit:
            value = f"{minutes:.0f} min by road from {kind} care, over the limit of"
        else:
            continue
        problems.append(
            f"need care:{kind}: {len(ids)} people placed in {cid} ({names(ids)}), "
            f"{value} {limit:g} min"
        )
    return problems


def _trip_need_problems(trip: Any, fleet: Any, who: CheckPeople) -> list[str]:
    """One trip's people against their needs and pathways: accessible coach, medical transfers, no-coach pathways."""
    problems = []
    aboard = [(p, s.centre_id) for s in trip.stops for p in s.people]
    chairs = [(p, c) for p, c in aboard if p in who.profiles and who.profiles[p].accessible]
    kind = str(getattr(trip, "vehicle_kind", "") or "")

    def named(pairs: list[tuple[str, str]]) -> str:
        return f"{names([p for p, _ in pairs])} (to {', '.join(sorted({c for _, c in pairs}))})"

    if chairs and kind != ACCESSIBLE:
        problems.append(
            f"need wheelchair (accessible coach): {len(chairs)} wheelchair users {named(chairs)} "
            f"on a coach that is not accessible (vehicle_kind '{kind}')"
        )
    if kind == ACCESSIBLE:
        if len(chairs) > fleet.wheelchair_places:
            problems.append(
                f"need wheelchair (accessible coach): {len(chairs)} wheelchair users {named(chairs)}, "
                f"more than the coach's {fleet.wheelchair_places} wheelchair places"
            )
        if len(aboard) - len(chairs) > fleet.accessible_seats:
            problems.append(
                f"{len(aboard) - len(chairs)} seated people on an accessible coach, "
                f"more than its {fleet.accessible_seats} seats"
            )
        vehicle = str(getattr(trip, "vehicle", "") or "")
        if vehicle and fleet.accessible_coaches and vehicle not in fleet.accessible_coaches:
            problems.append(
                f"accessible trip run by coach {vehicle}, not one of the fleet's accessible coaches"
            )
    medical = [(p, c) for p, c in aboard if p in who.profiles and who.profiles[p].medical_transfer]
    if medical:
        problems.append(
            f"need medical transfer (stretcher or urgent care, never a coach): {named(medical)} ride this coach"
        )
    for way, label in OWN_WAY.items():
        off = [(p, c) for p, c in aboard if who.pathway.get(p) == way]
        if off:
            problems.append(f"pathway {way} ({label}, no coach): {named(off)} ride this coach")
    return problems


def _accessible_day_problems(plan: Any, keys: list[str], trips: dict[str, list[str]]) -> list[str]:
    """Accessible trips a day within the fleet's accessible coaches."""
    fleet = plan.fleet
    limit = (
        len(set(fleet.accessible_coaches) & set(fleet.coaches))
        if fleet.coaches
        else fleet.accessible_coaches_per_day
    )
    problems = []
    seen: Counter[str] = Counter()
    for trip, key in zip(plan.trips, keys):
        if str(getattr(trip, "vehicle_kind", "") or "") != ACCESSIBLE:
            continue
        seen[trip.day] += 1
        if seen[trip.day] == limit + 1:
            problems.append(
                f"more accessible trips on {trip.day} than the fleet's {limit} accessible coaches"
            )
        if seen[trip.day] > limit:
            trips[key].append(f"accessible coach beyond the fleet's {limit} on {trip.day}")
    return problems


def _listed_warning(who: CheckPeople) -> list[str]:
    counts = Counter(code for codes in who.listed.values() for code in codes)
    if not counts:
        return []
    return [
        "shortfalls listed (a hard need not met, with its cause): "
        + ", ".join(f"{code} {n:,}" for code, n in sorted(counts.items()))
    ]


def check_needs(
    plan: Any,
    people: pd.DataFrame,
    table: pd.DataFrame,
    times: pd.DataFrame,
    keys: list[str],
    *,
    pathways: Sequence[Pathway] | None = None,
) -> NeedsCheck:
    """Every hard need, pathway and ride limit of the plan's people.

    Parameters
    ----------
    plan
        The plan (trips, allocation, fleet, rules; ``shortfalls`` when it has them).
    people
        The allocation indexed by person id (one row each).
    table
        The centre list indexed by id.
    times
        Travel times (s), to re-time the rides.
    keys
        Each trip's key in the check's trip problems (aligned with ``plan.trips``).
    pathways
        The scenario's pathways (:class:`abri.inputs.pathways.Pathway`): checks their days and
        daily quotas; None skips them.
    """
    who = check_people(people, plan)
    out = NeedsCheck(trips={key: [] for key in keys})
    on_coach = set()
    for trip, key in zip(plan.trips, keys):
        out.trips[key] += _trip_need_problems(trip, plan.fleet, who)
        on_coach |= {p for s in trip.stops for p in s.people}
    out.plan += _accessible_day_problems(plan, keys, out.trips)
    out.plan += _place_problems(who, table) + _care_problems(who, table, plan.rules)
    out.plan += pathway_problems(who, table, on_coach)
    if pathways is not None:
        out.plan += quota_problems(who, pathways)
    errors, out.warnings = ride_problems(
        plan,
        times,
        limit_of=lambda p: who.ride_limit(p, plan.rules),
        group_of=lambda p: who.text("group", p),
        listed=who.listed,
    )
    out.plan += errors
    out.warnings += _listed_warning(who)
    return out
