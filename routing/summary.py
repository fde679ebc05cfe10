"""Figures that say how good a plan is, the same for every method."""

from __future__ import annotations

import pandas as pd

from abri.routing.plan import Plan


def plan_summary(plan: Plan, *, adults_only: bool = False) -> dict[str, float | int | str]:
    """Trips, seat fill, coach-km, rides, preferences, legality and unplaced people."""
    trips = [t for t in plan.trips if not adults_only or any(g != "minors" for s in t.stops for g in s.groups)]
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
        "people": int(len(alloc)),
        "placed": int(len(placed)),
        "carried": int(people),
        "unplaced": int(len(alloc) - len(placed)),
        "not_carried": int(len(plan.not_carried)),
        "trips": len(trips),
        "max_coaches_per_day": int(pd.Series([t.day for t in trips]).value_counts().max()) if trips else 0,
        "seat_fill_pct": round(100 * people / seats, 1) if seats else 0.0,
        "coach_km": round(sum(t.km for t in trips)),
        "longest_ride_h": round(max(rides), 2) if rides else 0.0,
        "mean_ride_h": round(sum(rides) / len(rides), 2) if rides else 0.0,
        "preferred_region_pct": round(100 * float(with_prefs["in_preferred"].mean()), 1) if len(with_prefs) else 0.0,
        "legal_trips": sum(t.legal for t in trips),
        "two_driver_trips": sum(t.drivers == 2 for t in trips),
        "breaks": sum(t.breaks for t in trips),
    }


def per_day(plan: Plan) -> pd.DataFrame:
    """Coaches, people, seat fill and coach-km for each day."""
    rows = []
    for day in sorted({t.day for t in plan.trips}):
        trips = [t for t in plan.trips if t.day == day]
        people = sum(t.people for t in trips)
        rows.append({"day": day, "coaches": len(trips), "people": people,
                     "seat_fill_pct": round(100 * people / (len(trips) * plan.fleet.seats), 1),
                     "coach_km": round(sum(t.km for t in trips)), "legal": sum(t.legal for t in trips)})
    return pd.DataFrame(rows)
