"""The naive baseline a planner with a spreadsheet would produce.

For each day, centres are taken nearest first and coaches are filled centre
by centre: a coach takes the next centre's people until its seats or its
stops run out, then the next coach starts. Same allocation, same rules, same
driver schedule as the optimised plan, so the two can be compared figure by
figure.
"""

from __future__ import annotations

import pandas as pd

from abri.geo.scenario import Fleet, Rules
from abri.routing.allocation import Allocation
from abri.routing.plan import ORIGIN, Plan, _legs, day_demand
from abri.routing.schedule import Stop, Trip, schedule


def naive_plan(allocation: Allocation, times: pd.DataFrame, km: pd.DataFrame, fleet: Fleet, rules: Rules,
               *, hours: dict[str, tuple[int, int]] | None = None) -> Plan:
    """Fill coaches centre by centre, nearest centre first."""
    trips: list[Trip] = []
    left: list[dict[str, str]] = []
    placed = allocation.placed
    for day in sorted(placed["day"].unique()):
        loads = day_demand(day, placed, fleet.seats)
        loads.sort(key=lambda load: times.at[ORIGIN, load.centre_id])
        coaches: list[list[Stop]] = []
        for load in loads:
            people = list(load.people)
            while people:
                if not coaches or sum(len(s.people) for s in coaches[-1]) >= fleet.seats or len(coaches[-1]) >= rules.max_stops:
                    coaches.append([])
                room = fleet.seats - sum(len(s.people) for s in coaches[-1])
                part, people = people[:room], people[room:]
                groups = placed.set_index("person_id").loc[part, "group"].value_counts().to_dict()
                coaches[-1].append(Stop(load.centre_id, part, {str(k): int(v) for k, v in groups.items()}))
        for n, stops in enumerate(coaches, start=1):
            if n > fleet.coaches_per_day:
                left += [{"person_id": p, "day": day, "centre_id": s.centre_id, "reason": "fleet too small for this day"} for s in stops for p in s.people]
                continue
            trips.append(schedule(_legs(Trip(coach=f"{day}-N{n:02d}", day=day, stops=stops), times, km), rules, hours=hours))
    return Plan(trips, allocation, fleet, rules, pd.DataFrame(left, columns=["person_id", "day", "centre_id", "reason"]), method="naive")
