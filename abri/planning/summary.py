"""Figures that say how good a plan is, the same for every method."""

from __future__ import annotations

import numpy as np
import pandas as pd

from abri.planning.plan import EXTRA_MARGINS, Plan
from abri.planning.schedule import legal_with_extra, s_to_clock


def lower_bound(plan: Plan, *, adults_only: bool = False) -> int:
    """Coaches no plan can do without: each day's placed people / seats, rounded up, summed over days."""
    placed = plan.allocation.placed
    if adults_only:
        placed = placed[placed["group"] != "minors"]
    return int(sum(-(-n // plan.fleet.seats) for n in placed.groupby("day").size()))


def rides_by_group(plan: Plan, trips: list | None = None) -> dict[str, dict[str, float]]:
    """Ride (departure to drop, h) of the people carried, by group: people, mean, 95th percentile, max."""
    group_of = dict(
        zip(plan.allocation.assignments["person_id"], plan.allocation.assignments["group"])
    )
    rides: dict[str, list[float]] = {}
    for t in plan.trips if trips is None else trips:
        for s in t.stops:
            for p in s.people:
                rides.setdefault(str(group_of.get(p, "")), []).append(
                    (s.arrival_s - t.departure_s) / 3600
                )
    return {
        g: {
            "people": len(r),
            "mean_h": round(float(np.mean(r)), 2),
            "p95_h": round(float(np.percentile(r, 95)), 2),
            "max_h": round(float(np.max(r)), 2),
        }
        for g, r in sorted(rides.items())
    }


def plan_summary(plan: Plan, *, adults_only: bool = False) -> dict[str, float | int | str]:
    """Trips and the lower bound, seat fill, coach-km, rides, preferences, legality (also with longer roads), slots and unplaced people."""
    trips = [
        t
        for t in plan.trips
        if not adults_only or any(g != "minors" for s in t.stops for g in s.groups)
    ]
    people = sum(t.people for t in trips)
    seats = len(trips) * plan.fleet.seats
    rides = [(s.arrival_s - t.departure_s) / 3600 for t in trips for s in t.stops for _ in s.people]
    alloc = plan.allocation.assignments
    if adults_only:
        alloc = alloc[alloc["group"] != "minors"]
    placed = alloc[alloc["centre_id"] != ""]
    with_prefs = placed[(placed["pref1"] != "") | (placed["pref2"] != "")]
    return {
        "method": plan.method,
        "people": len(alloc),
        "placed": len(placed),
        "carried": int(people),
        "unplaced": int(  # no solution: a refusal or a UK transfer is a pathway, not unplaced
            ((alloc["centre_id"] == "") & (alloc["pathway"] == "")).sum()
            if "pathway" in alloc.columns
            else len(alloc) - len(placed)
        ),
        "not_carried": len(plan.not_carried),
        "trips": len(trips),
        "max_coaches_per_day": int(pd.Series([t.day for t in trips]).value_counts().max())
        if trips
        else 0,
        "seat_fill_pct": round(100 * people / seats, 1) if seats else 0.0,
        "coach_km": round(sum(t.km for t in trips)),
        "longest_ride_h": round(max(rides), 2) if rides else 0.0,
        "mean_ride_h": round(sum(rides) / len(rides), 2) if rides else 0.0,
        "preferred_region_pct": round(100 * float(with_prefs["in_preferred"].mean()), 1)
        if len(with_prefs)
        else 0.0,
        "legal_trips": sum(t.legal for t in trips),
        "two_driver_trips": sum(t.drivers == 2 for t in trips),
        "breaks": sum(t.breaks for t in trips),
        "lower_bound": (bound := lower_bound(plan, adults_only=adults_only)),
        "gap_to_bound": len(trips) - bound,
        "max_coaches_per_slot": int(
            pd.Series([(t.day, t.slot) for t in trips]).value_counts().max()
        )
        if trips
        else 0,
        "last_departure": s_to_clock(max(t.departure_s for t in trips)) if trips else "",
        "centre_twice_on_a_trip": sum(
            len({s.centre_id for s in t.stops}) < len(t.stops) for t in trips
        ),
        **{
            f"legal_at_{x}pct": sum(
                legal_with_extra(t, plan.rules, x, hours=plan.hours) for t in trips
            )
            for x in EXTRA_MARGINS
        },
        "min_slack_driving_h": round(
            min((t.slack_driving_s for t in trips), default=0.0) / 3600, 2
        ),
        "min_slack_close_h": round(min((t.slack_close_s for t in trips), default=0.0) / 3600, 2),
        "deadhead_km": round(sum(t.return_km for t in trips)),
        "ride_exceptions": len(plan.ride_exceptions),
    }


def per_day(plan: Plan) -> pd.DataFrame:
    """Coaches, people, seat fill and coach-km for each day."""
    rows = []
    for day in sorted({t.day for t in plan.trips}):
        trips = [t for t in plan.trips if t.day == day]
        people = sum(t.people for t in trips)
        rows.append(
            {
                "day": day,
                "coaches": len(trips),
                "people": people,
                "seat_fill_pct": round(100 * people / (len(trips) * plan.fleet.seats), 1),
                "coach_km": round(sum(t.km for t in trips)),
                "legal": sum(t.legal for t in trips),
            }
        )
    return pd.DataFrame(rows)
