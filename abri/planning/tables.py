"""A plan as tables: one row per trip, per stop, per person on a coach (the manifests), per person.

The people whose ride breaks a rule are in :mod:`abri.planning.coach_needs`.
Times are ``Timestamp``, durations ``Timedelta``; :mod:`abri.outputs.planfile`
writes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from abri.constants import GROUPS
from abri.planning.schedule import (
    Trip,
    s_to_clock,
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


def day_row(
    day: str, people: int, seats: int, trips: list[Trip], found: tuple, departures: list[int]
) -> dict[str, Any]:
    """The plan's line for a day: people, bound, trips, gap, slots, how the search went."""
    _, search, runs, parts = found
    bound = -(-people // seats)
    carried = sum(t.people for t in trips)
    return {
        "day": day,
        "people": people,
        "carried": carried,
        "lower_bound": bound,
        "trips": len(trips),
        "gap": len(trips) - bound,
        "slots_used": len({t.slot for t in trips}),
        "last_departure": s_to_clock(max((t.departure_s for t in trips), default=departures[0])),
        "stopped": search.reason or "nothing to plan",
        "iterations": search.done,
        "solves": runs,
        "parts": parts,
        "budget_seconds": round(search.budget, 1),
        "search_seconds": round(search.seconds, 1),
    }
