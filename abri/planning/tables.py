"""A plan as tables: one row per trip, per stop, per person on a coach (the manifests), per person.

Also the people whose ride breaks a rule: :func:`ride_exceptions` (over
their ride limit) and :func:`shortfalls_frame` (each breach of a need, with
its cause). Times are ``Timestamp``, durations ``Timedelta``;
:mod:`abri.outputs.planfile` writes them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from abri.constants import GROUPS, ORIGIN
from abri.inputs.scenario import Rules
from abri.planning.demand import ride_limits
from abri.planning.schedule import (
    LATE_ARRIVAL,
    LATE_GROUPS,
    Stop,
    Trip,
    clock_to_s,
    s_to_clock,
    schedule,
)

if TYPE_CHECKING:
    from abri.planning.plan import Plan

GROUP_COLUMNS = list(GROUPS)
TRIP_COLUMNS = [
    "coach",
    "day",
    "departure",
    "last_arrival",
    "n_stops",
    "stops",
    "people",
    "seats_free",
    "km",
    "driving",
    "breaks",
    "drivers",
    "legal",
    "notes",
    "slot",
    "bay",
    "boarding",
    "vehicle",
    "vehicle_kind",
    "planned_driving",
    "slack_driving",
    "slack_close",
    "return_km",
    "return_driving",
    "rest_where",
    "free_at",
    "drivers_free_at",
]
STOP_COLUMNS = [
    "coach",
    "day",
    "stop",
    "centre_id",
    "centre_name",
    "arrival",
    "ride",
    "leg_km",
    "leg_driving",
    "breaks_before",
    *GROUP_COLUMNS,
    "total",
]
MANIFEST_COLUMNS = [
    "coach",
    "day",
    "stop",
    "centre_id",
    "centre_name",
    "arrival",
    *GROUP_COLUMNS,
    "total",
]


def at(day: str, seconds: float) -> pd.Timestamp:
    """The time `seconds` after midnight of `day` (``'2016-10-24'``); NaT when `day` is not a date.

    Examples
    --------
    >>> at("2016-10-24", 7 * 3600 + 30 * 60)
    Timestamp('2016-10-24 07:30:00')
    >>> at("2016-10-24", 25 * 3600)
    Timestamp('2016-10-25 01:00:00')
    """
    start = pd.to_datetime(day, errors="coerce", format="%Y-%m-%d")
    return pd.NaT if pd.isna(start) else start + pd.Timedelta(seconds=round(float(seconds)))


def trips_frame(plan: Plan) -> pd.DataFrame:
    """One row per trip.

    Parameters
    ----------
    plan
        A coach plan (:func:`abri.planning.plan.plan_coaches`).

    Returns
    -------
    DataFrame
        ``coach``, ``day``, ``departure`` and ``last_arrival`` (Timestamp),
        ``n_stops``, ``stops`` (``centre @ HH:MM: people; ...``), ``people``,
        ``seats_free``, ``km``, ``driving`` (Timedelta, without breaks),
        ``breaks``, ``drivers``, ``legal``, ``notes``.

    Examples
    --------
    >>> trips = trips_frame(run.plan)  # doctest: +SKIP
    >>> trips.groupby("day")["km"].sum()  # doctest: +SKIP
    >>> (trips["last_arrival"] - trips["departure"]).max()  # doctest: +SKIP
    Timedelta('0 days 14:57:00')
    """
    rows = [
        {
            "coach": t.coach,
            "day": t.day,
            "departure": at(t.day, t.departure_s),
            "last_arrival": at(t.day, t.end_s),
            "n_stops": len(t.stops),
            "stops": "; ".join(
                f"{s.centre_id} @ {s_to_clock(s.arrival_s)}: {len(s.people)}" for s in t.stops
            ),
            "people": t.people,
            "seats_free": plan.fleet.seats - t.people,
            "km": round(t.km, 1),
            "driving": pd.Timedelta(seconds=round(t.driving_s)),
            "breaks": t.breaks,
            "drivers": t.drivers,
            "legal": t.legal,
            "notes": " | ".join(t.notes + t.info),
            "slot": t.slot,
            "bay": t.bay,
            "boarding": at(t.day, t.boarding_s),
            "vehicle": t.vehicle,
            "vehicle_kind": t.vehicle_kind,
            "planned_driving": pd.Timedelta(seconds=round(t.planned_driving_s)),
            "slack_driving": pd.Timedelta(seconds=round(t.slack_driving_s)),
            "slack_close": pd.Timedelta(seconds=round(t.slack_close_s)),
            "return_km": round(t.return_km, 1),
            "return_driving": pd.Timedelta(seconds=round(t.return_s)),
            "rest_where": t.rest_where,
            "free_at": at(t.day, t.free_at_s),
            "drivers_free_at": at(t.day, t.drivers_free_at_s),
        }
        for t in plan.trips
    ]
    return pd.DataFrame(rows, columns=TRIP_COLUMNS).astype(
        {
            "departure": "datetime64[ns]",
            "last_arrival": "datetime64[ns]",
            "driving": "timedelta64[ns]",
            "n_stops": "int64",
            "boarding": "datetime64[ns]",
            "free_at": "datetime64[ns]",
            "drivers_free_at": "datetime64[ns]",
            "planned_driving": "timedelta64[ns]",
            "slack_driving": "timedelta64[ns]",
            "slack_close": "timedelta64[ns]",
            "return_driving": "timedelta64[ns]",
            "slot": "int64",
            "people": "int64",
            "seats_free": "int64",
            "km": "float64",
            "breaks": "int64",
            "drivers": "int64",
            "legal": "bool",
        }
    )


def stops_frame(plan: Plan, names: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per stop: which coach, which centre, when, and who gets off (counts by group).

    Parameters
    ----------
    plan
        A coach plan.
    names
        Centre names by id, for the ``centre_name`` column (empty otherwise).

    Returns
    -------
    DataFrame
        ``coach``, ``day``, ``stop`` (1, 2, ...), ``centre_id``,
        ``centre_name``, ``arrival`` (Timestamp), ``ride`` (Timedelta since
        departure), ``leg_km``, ``leg_driving`` (Timedelta), ``breaks_before``,
        one column per group and ``total``.

    Examples
    --------
    >>> stops = stops_frame(run.plan)  # doctest: +SKIP
    >>> stops.loc[
    ...     stops["ride"] > pd.Timedelta(hours=12), ["coach", "centre_id", "ride"]
    ... ]  # doctest: +SKIP
    """
    names = names or {}
    rows = []
    for t in plan.trips:
        for n, s in enumerate(t.stops, start=1):
            rows.append(
                {
                    "coach": t.coach,
                    "day": t.day,
                    "stop": n,
                    "centre_id": s.centre_id,
                    "centre_name": names.get(s.centre_id, ""),
                    "arrival": at(t.day, s.arrival_s),
                    "ride": pd.Timedelta(seconds=round(s.arrival_s - t.departure_s)),
                    "leg_km": round(s.leg_km, 1),
                    "leg_driving": pd.Timedelta(seconds=round(s.leg_s)),
                    "breaks_before": s.breaks_before,
                    **{g: int(s.groups.get(g, 0)) for g in GROUP_COLUMNS},
                    "total": len(s.people),
                }
            )
    return pd.DataFrame(rows, columns=STOP_COLUMNS).astype(
        {
            "arrival": "datetime64[ns]",
            "ride": "timedelta64[ns]",
            "leg_driving": "timedelta64[ns]",
            "stop": "int64",
            "leg_km": "float64",
            "breaks_before": "int64",
            "total": "int64",
            **{g: "int64" for g in GROUP_COLUMNS},
        }
    )


def manifests_frame(plan: Plan, names: dict[str, str] | None = None) -> pd.DataFrame:
    """The coach manifests: one row per coach and stop, counts by group (a subset of :func:`stops_frame`).

    Examples
    --------
    >>> manifests_frame(run.plan).groupby("day")["total"].sum()  # doctest: +SKIP
    """
    return stops_frame(plan, names)[MANIFEST_COLUMNS]


def assignments_frame(plan: Plan) -> pd.DataFrame:
    """One row per person: centre, coach and stop (empty when unplaced or not carried), and why.

    Examples
    --------
    >>> assignments = assignments_frame(run.plan)  # doctest: +SKIP
    >>> assignments[assignments["reason"] != ""]  # doctest: +SKIP
    """
    where = {
        p: (t.coach, n)
        for t in plan.trips
        for n, s in enumerate(t.stops, start=1)
        for p in s.people
    }
    out = plan.allocation.assignments.copy()
    out["coach"] = pd.Series(
        [where.get(p, ("", 0))[0] for p in out["person_id"]], index=out.index, dtype=object
    )
    out["stop"] = pd.Series(
        [where.get(p, ("", 0))[1] for p in out["person_id"]], index=out.index, dtype="int64"
    )
    not_carried = (
        plan.not_carried.set_index("person_id")["reason"]
        if len(plan.not_carried)
        else pd.Series(dtype=str)
    )
    out["reason"] = out["reason"].where(
        out["reason"] != "", out["person_id"].map(not_carried).astype(object).fillna("")
    )
    short = plan.shortfalls
    if len(short):
        said = (short["code"] + ": " + short["detail"]).groupby(short["person_id"]).agg(" | ".join)
        before = out["shortfall"] if "shortfall" in out.columns else pd.Series("", index=out.index)
        added = out["person_id"].map(said).astype(object).fillna("")
        before = before.fillna("").astype(str)
        out["shortfall"] = [" | ".join(x for x in (b, a) if x) for b, a in zip(before, added)]
    elif "shortfall" not in out.columns:
        out["shortfall"] = ""
    return out


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
