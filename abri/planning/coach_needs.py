"""Needs on a day's coaches, and the shortfalls a plan leaves.

:func:`limit_accessible` keeps a day to its accessible coaches (wheelchair
users of any more move to one of them, or are not carried, with the reason
``accessible-coach: ...``); :func:`rescue` gives a stop taken off a coach a coach of its own where a
slot is free; :func:`ease` moves a stop whose people ride
over their limit, or arrive late (minors and vulnerable people, from
:data:`~abri.planning.schedule.LATE_ARRIVAL`), to another coach or a coach
of its own where fewer do. :func:`ride_exceptions` and
:func:`shortfalls_frame` list what is left, each with its cause.
"""

from __future__ import annotations

import copy
import math
from typing import TYPE_CHECKING

import pandas as pd

from abri.constants import ORIGIN
from abri.inputs.scenario import Rules
from abri.planning.days import (
    _insert,
    _schedule_slots,
    assign_slots,
    breaches,
    legs,
    scheduled,
    stop_breaches,
    timed,
)
from abri.planning.demand import make_stop, ride_limits
from abri.planning.schedule import (
    ACCESSIBLE,
    LATE_ARRIVAL,
    LATE_GROUPS,
    Stop,
    Trip,
    clock_to_s,
    s_to_clock,
    schedule,
)
from abri.planning.search import DaySpec

if TYPE_CHECKING:
    from abri.planning.plan import Plan


def _all_taken(spec: DaySpec) -> str:
    return f"accessible-coach: the day's {spec.accessible} accessible coach(es) are all taken"


def _chair_split(stop: Stop, group_of: dict[str, str]) -> tuple[Stop, Stop]:
    """A stop as its households with a wheelchair user and the others."""
    chairs = frozenset(stop.wheelchair_users)
    with_chair = [h for h in stop.households or [stop.people] if chairs.intersection(h)]
    others = [h for h in stop.households or [stop.people] if not chairs.intersection(h)]
    return (
        make_stop(stop.centre_id, with_chair, group_of, chairs),
        make_stop(stop.centre_id, others, group_of),
    )


def limit_accessible(
    trips: list[Trip], spec: DaySpec, km: pd.DataFrame, group_of: dict[str, str]
) -> tuple[list[Trip], list[tuple[Stop, str]]]:
    """At most the day's accessible coaches: the wheelchair users' households of any more move to one of them, or are dropped with the reason."""
    accessible = [t for t in trips if t.vehicle_kind == ACCESSIBLE]
    if len(accessible) <= spec.accessible:
        return trips, []
    ranked = sorted(accessible, key=lambda t: (-sum(s.wheelchairs for s in t.stops), t.slot, t.bay))
    extra = {id(t) for t in ranked[spec.accessible :]}
    dropped: list[tuple[Stop, str]] = []
    out: list[Trip] = [t for t in trips if id(t) not in extra]
    for trip in (t for t in trips if id(t) in extra):
        trip.vehicle_kind = ""
        stops = []
        for stop in trip.stops:
            chairs, others = _chair_split(stop, group_of) if stop.wheelchairs else (None, stop)
            if others.people:
                stops.append(others)
            if chairs is not None and not _insert(chairs, out, spec, km):
                dropped.append((chairs, _all_taken(spec)))
        rest = timed(trip, stops, spec, km)
        if rest.stops:
            out.append(rest)
    return out, dropped


def _direct(
    stop: Stop, trips: list[Trip], spec: DaySpec, km: pd.DataFrame, day: str, within: float
) -> Trip | None:
    """A coach of its own for `stop` in the first free slot where it is legal with fewer than `within` breaches (None: none)."""
    kind = ACCESSIBLE if stop.wheelchairs else ""
    if kind and sum(t.vehicle_kind == ACCESSIBLE for t in trips) >= spec.accessible:
        return None
    names = {t.coach for t in trips}
    number = len(trips) + 1
    while f"{day}-C{number:02d}" in names:
        number += 1
    for slot, cap in enumerate(spec.caps):
        used = sum(t.slot == slot for t in trips)
        if used >= cap:
            continue
        trip = Trip(f"{day}-C{number:02d}", day, [stop], slot=slot, bay=used + 1, vehicle_kind=kind)
        scheduled(legs(trip, spec.times, km), spec, spec.departures[slot])
        if trip.legal and breaches(trip, spec) < within:
            return trip
    return None


def ease(trips: list[Trip], spec: DaySpec, km: pd.DataFrame) -> list[Trip]:
    """Stops whose people ride over their limit or arrive late moved to another coach where they are not, or to a coach of their own."""
    trips = list(trips)
    for n in range(len(trips)):
        for stop in list(trips[n].stops):
            trip = trips[n] = timed(
                trips[n], trips[n].stops, spec, km
            )  # stops are shared: fresh times
            if len(trip.stops) < 2 or not any(s is stop for s in trip.stops):
                continue
            if not stop_breaches(stop, trip, spec):
                continue
            rest = timed(trip, [s for s in trip.stops if s is not stop], spec, km)
            gain = breaches(trip, spec) - breaches(rest, spec)
            if not rest.legal or gain <= 0:
                continue
            trips[n] = rest
            if _insert(stop, trips, spec, km, within=gain):
                continue
            direct = _direct(stop, trips, spec, km, trip.day, gain)
            if direct is None:
                trips[n] = timed(trip, trip.stops, spec, km)
            else:
                trips.append(direct)
    return [timed(t, t.stops, spec, km) for t in trips]  # the stops are shared: time them again


def _reslotted(
    stop: Stop, trips: list[Trip], spec: DaySpec, km: pd.DataFrame, day: str
) -> list[Trip] | None:
    """The day's coaches and one more for `stop`, slotted again earliest deadline first; None unless all are legal."""
    kind = ACCESSIBLE if stop.wheelchairs else ""
    if (kind and sum(t.vehicle_kind == ACCESSIBLE for t in trips) >= spec.accessible) or len(
        trips
    ) >= sum(spec.caps):
        return None
    names = {t.coach for t in trips}
    number = len(trips) + 1
    while f"{day}-C{number:02d}" in names:
        number += 1
    trial = [
        *copy.deepcopy(trips),
        legs(Trip(f"{day}-C{number:02d}", day, [stop], vehicle_kind=kind), spec.times, km),
    ]
    assign_slots(trial, spec, late=False)
    _schedule_slots(trial, spec)
    return trial if all(t.slot >= 0 and t.legal for t in trial) else None


def rescue(
    dropped: list[tuple[Stop, str]], trips: list[Trip], spec: DaySpec, km: pd.DataFrame, day: str
) -> tuple[list[Trip], list[tuple[Stop, str]]]:
    """Stops taken off their coach given a coach of their own in a free slot where it is legal; the rest, with their reasons."""
    trips, left = list(trips), []
    for stop, why in dropped:
        direct = _direct(stop, trips, spec, km, day, math.inf)
        if direct is None and (reslotted := _reslotted(stop, trips, spec, km, day)) is not None:
            trips = (
                reslotted  # every coach of the day given its slot again, earliest deadline first
            )
            continue
        lifts = sum(t.vehicle_kind == ACCESSIBLE for t in trips)
        if direct is None and stop.wheelchairs and lifts >= spec.accessible:
            left.append((stop, why if why.startswith("accessible-coach: ") else _all_taken(spec)))
        elif direct is None:
            left.append((stop, why))
        else:
            trips.append(direct)
    return trips, left


RIDE_EXCEPTION_COLUMNS = [
    "person_id",
    "day",
    "group",
    "centre_id",
    "coach",
    "ride_h",
    "limit_h",
    "reason",
]
SHORTFALL_COLUMNS = ["person_id", "day", "centre_id", "coach", "code", "detail"]


def ride_exceptions(plan: Plan) -> pd.DataFrame:
    """People whose ride (departure to arrival) is longer than their limit (group, and needs), and why."""
    alloc = plan.allocation.assignments.set_index("person_id")
    notes = alloc["ride_note"] if "ride_note" in alloc.columns else pd.Series("", index=alloc.index)
    limits = ride_limits(plan.allocation.assignments, plan.rules)
    rows = []
    for trip in plan.trips:
        for n, stop in enumerate(trip.stops):
            ride = (stop.arrival_s - trip.departure_s) / 3600
            for p in stop.people:
                limit = limits.get(p, math.inf)
                if ride <= limit:
                    continue
                reason = str(notes.get(p, "")) or (
                    f"the coach stops at {n} other centre(s) first and no order of its stops is legal with this one first"
                    if n
                    else "the planned ride (margin, breaks, waiting for the centre to open) is longer than the direct estimate"
                )
                rows.append(
                    {
                        "person_id": p,
                        "day": trip.day,
                        "group": str(alloc.at[p, "group"]),
                        "centre_id": stop.centre_id,
                        "coach": trip.coach,
                        "ride_h": round(ride, 2),
                        "limit_h": limit,
                        "reason": reason,
                    }
                )
    return pd.DataFrame(rows, columns=RIDE_EXCEPTION_COLUMNS)


def _direct_ride_s(
    centre_id: str, departure_s: float, rules: Rules, times: pd.DataFrame, hours: dict
) -> float:
    """The ride to `centre_id` on a coach of its own leaving at `departure_s` (margin, breaks, opening)."""
    alone = Stop(centre_id, [], {}, leg_s=float(times.at[ORIGIN, centre_id]))
    trip = schedule(Trip("", "", [alone]), rules, hours=hours, departure_s=departure_s)
    return alone.arrival_s - trip.departure_s


def _stop_causes(
    trip: Trip, n: int, limit_s: float, rules: Rules, times: pd.DataFrame, hours: dict
) -> tuple[str, str]:
    """Why a stop's people ride longer than `limit_s`, and why they arrive late."""
    stop = trip.stops[n]
    first = clock_to_s(rules.departure)
    direct = _direct_ride_s(stop.centre_id, trip.departure_s, rules, times, hours)
    early = first + _direct_ride_s(stop.centre_id, first, rules, times, hours)
    before = (
        f"the coach stops at {n} other centre(s) first; no other coach, order or free slot "
        "could take this stop first"
    )
    ride = (
        f"centre {direct / 3600:.1f} h away by road with breaks; no nearer place was left"
        if n == 0 or direct > limit_s
        else before
    )
    if early >= clock_to_s(LATE_ARRIVAL):
        late = f"centre {(early - first) / 3600:.1f} h away: a coach leaving at the first departure ({rules.departure}) arrives after {LATE_ARRIVAL}"
    elif n:
        late = before
    else:
        late = (
            f"the coach leaves at {s_to_clock(trip.departure_s)}; no earlier boarding slot was free"
        )
    return ride, late


def shortfalls_frame(
    plan: Plan, times: pd.DataFrame, hours: dict[str, tuple[int, int]] | None = None
) -> pd.DataFrame:
    """Each person on a coach over their ride limit (``ride-limit``) or, minors and vulnerable people,
    arriving at or after :data:`~abri.planning.schedule.LATE_ARRIVAL` (``late-arrival``), with the
    cause; and each person not carried for want of an accessible coach (``accessible-coach``).
    """
    rules, hours = plan.rules, hours or {}
    assignments = plan.allocation.assignments
    limits = ride_limits(assignments, rules)
    group_of = dict(zip(assignments["person_id"], assignments["group"]))
    late_s = clock_to_s(LATE_ARRIVAL)
    rows = []
    for trip in plan.trips:
        for n, stop in enumerate(trip.stops):
            ride = stop.arrival_s - trip.departure_s
            over = [p for p in stop.people if ride > limits.get(p, math.inf) * 3600]
            late = [
                p
                for p in stop.people
                if stop.arrival_s >= late_s and group_of.get(p) in LATE_GROUPS
            ]
            if not over and not late:
                continue
            limit_s = 3600 * min((limits[p] for p in over), default=math.inf)
            ride_cause, late_cause = _stop_causes(trip, n, limit_s, rules, times, hours)
            where = {"day": trip.day, "centre_id": stop.centre_id, "coach": trip.coach}
            rows += [
                {
                    "person_id": p,
                    **where,
                    "code": "ride-limit",
                    "detail": f"ride {ride / 3600:.1f} h, limit {limits[p]:g} h: {ride_cause}",
                }
                for p in over
            ]
            rows += [
                {
                    "person_id": p,
                    **where,
                    "code": "late-arrival",
                    "detail": f"arrives at {s_to_clock(stop.arrival_s)} (from {LATE_ARRIVAL} on is late), ride {ride / 3600:.1f} h: {late_cause}",
                }
                for p in late
            ]
    left = plan.not_carried
    if len(left):
        chair = left[left["reason"].astype(str).str.startswith("accessible-coach: ")]
        rows += [
            {
                "person_id": r.person_id,
                "day": r.day,
                "centre_id": r.centre_id,
                "coach": "",
                "code": "accessible-coach",
                "detail": str(r.reason).removeprefix("accessible-coach: "),
            }
            for r in chair.itertuples()
        ]
    return pd.DataFrame(rows, columns=SHORTFALL_COLUMNS)
