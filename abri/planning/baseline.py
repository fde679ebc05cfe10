"""The naive baseline a planner with a spreadsheet would produce.

For each day, centres are taken nearest first and coaches are filled centre
by centre: a coach takes the next centre's people until its seats or its
stops run out, then the next coach starts; coaches board in the order they
were filled, ``bays`` to a slot. Same allocation, same rules, same driver
schedule as the optimised plan, so the two can be compared figure by figure.
"""

from __future__ import annotations

import pandas as pd

from abri.constants import ORIGIN
from abri.inputs.scenario import Fleet, Rules
from abri.planning.allocation import Allocation
from abri.planning.days import legs
from abri.planning.demand import day_demand
from abri.planning.plan import Plan, ride_exceptions
from abri.planning.schedule import Stop, Trip, after_drop, schedule, slot_departures


def naive_plan(
    allocation: Allocation,
    times: pd.DataFrame,
    km: pd.DataFrame,
    fleet: Fleet,
    rules: Rules,
    *,
    hours: dict[str, tuple[int, int]] | None = None,
) -> Plan:
    """Fill coaches centre by centre, nearest centre first."""
    trips: list[Trip] = []
    left: list[dict[str, str]] = []
    placed = allocation.by_coach  # medical transfers, UK direct and refusals take no coach
    departures = slot_departures(rules)
    centre_of = dict(zip(placed["person_id"], placed["centre_id"]))
    for day in sorted(placed["day"].unique()):
        loads, too_big = day_demand(day, placed, fleet.seats)
        left += [
            {
                "person_id": p,
                "day": day,
                "centre_id": centre_of[p],
                "reason": "household larger than a coach",
            }
            for h in too_big
            for p in h
        ]
        loads.sort(key=lambda load: times.at[ORIGIN, load.centre_id])
        coaches: list[list[Stop]] = []
        for load in loads:
            people = list(load.people)
            while people:
                if (
                    not coaches
                    or sum(len(s.people) for s in coaches[-1]) >= fleet.seats
                    or len(coaches[-1]) >= rules.max_stops
                ):
                    coaches.append([])
                room = fleet.seats - sum(len(s.people) for s in coaches[-1])
                part, people = people[:room], people[room:]
                groups = placed.set_index("person_id").loc[part, "group"].value_counts().to_dict()
                coaches[-1].append(
                    Stop(load.centre_id, part, {str(k): int(v) for k, v in groups.items()})
                )
        for n, stops in enumerate(coaches, start=1):
            if n > min(fleet.coaches_per_day, rules.bays * len(departures)):
                left += [
                    {
                        "person_id": p,
                        "day": day,
                        "centre_id": s.centre_id,
                        "reason": "fleet too small for this day",
                    }
                    for s in stops
                    for p in s.people
                ]
                continue
            slot = (n - 1) // rules.bays
            trip = Trip(
                coach=f"{day}-N{n:02d}",
                day=day,
                stops=stops,
                slot=slot,
                bay=(n - 1) % rules.bays + 1,
            )
            schedule(
                legs(trip, times, km),
                rules,
                hours=hours,
                departure_s=departures[slot],
                seats=fleet.seats,
            )
            trip.boarding_s = trip.departure_s - rules.boarding_minutes * 60
            last = stops[-1].centre_id
            trips.append(
                after_drop(
                    trip, rules, float(times.at[last, ORIGIN]), float(km.at[last, ORIGIN]) / 1000
                )
            )
    plan = Plan(
        trips,
        allocation,
        fleet,
        rules,
        pd.DataFrame(left, columns=["person_id", "day", "centre_id", "reason"]),
        method="naive",
        hours=hours or {},
    )
    plan.ride_exceptions = ride_exceptions(plan)
    return plan
