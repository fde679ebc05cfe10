"""Readiness of the operation: can the origin board, and the fleet carry, each day's people?

Places are not the only limit. Each day the origin boards at most ``bays``
coaches per slot over its slots (``bays x slots`` coaches of ``seats``),
the fleet has ``coaches_per_day`` coaches (or its named coaches), one
driver may plan at most ``max_driving_hours`` (less the buffer) and
centres receive only within their reception hours. This model says, per
day, how many people the day can carry, which limit binds, and what would
lift it: N more bays, N more coaches, or N days more. The allocation
(:func:`abri.planning.allocation.allocate`) uses the same capacity, so
that it places only the people the day's coaches can carry, and the coach
plan lists the same limit for anyone it cannot carry.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from abri.inputs.scenario import Fleet, Rules
from abri.planning.schedule import clock_to_s, driver_limit_s, margin, slot_departures


@dataclass(frozen=True)
class DayCapacity:
    """Coaches the origin can board (bays x slots) and the fleet has, in one day; seats a coach."""

    bays: int
    slots: int
    fleet: int
    seats: int

    @property
    def boarding(self) -> int:
        """Coaches the origin can board in a day."""
        return self.bays * self.slots

    @property
    def coaches(self) -> int:
        """Coaches that can leave in a day: the smaller of boarding and fleet."""
        return min(self.boarding, self.fleet)

    @property
    def people(self) -> int:
        """Seats of the coaches that can leave in a day."""
        return self.coaches * self.seats

    @property
    def binding(self) -> str:
        """The limit that binds first: ``'boarding'`` or ``'fleet'``."""
        return "boarding" if self.boarding < self.fleet else "fleet"

    def reason(self) -> str:
        """Why people beyond the day's capacity are not placed that day (the allocation's and the plan's words)."""
        if self.binding == "boarding":
            return (
                f"no boarding slot left this day ({self.bays} bays x {self.slots} slots x "
                f"{self.seats} seats = {self.people:,} people)"
            )
        return f"fleet too small for this day ({self.fleet} coaches x {self.seats} seats = {self.people:,} people)"


def day_capacity(fleet: Fleet, rules: Rules) -> DayCapacity:
    """The day's boarding and fleet capacity under these rules."""
    coaches = (
        min(fleet.coaches_per_day, len(fleet.coaches)) if fleet.coaches else fleet.coaches_per_day
    )
    return DayCapacity(rules.bays, len(slot_departures(rules)), coaches, fleet.seats)


def lifts(people: int, cap: DayCapacity) -> str:
    """What would carry `people` in one day: more bays, more coaches, or more days."""
    needed = math.ceil(people / cap.seats)
    if needed <= cap.coaches:
        return ""
    out = []
    bays = math.ceil(needed / cap.slots) - cap.bays
    if bays > 0:
        out.append(f"{bays} more bay{'s' if bays > 1 else ''}")
    coaches = needed - cap.fleet
    if coaches > 0:
        out.append(f"{coaches} more coach{'es' if coaches > 1 else ''}")
    days = math.ceil(people / max(cap.people, 1)) - 1
    return " and ".join(out) + f", or {days} more day{'s' if days > 1 else ''}"


def reach(time_s: pd.Series, capacity: pd.Series, rules: Rules) -> dict[str, int]:
    """Places by what limits the coaches that reach them: drivers' hours and reception hours.

    `time_s` is the road time from the origin to each centre, `capacity` its
    places. Returns the places one driver cannot reach (two drivers needed,
    or out of reach when second drivers are off) and the places a coach
    leaving at the last slot reaches only after closing (they need earlier slots).
    """
    planned = time_s.astype(float) * margin(rules)
    one = planned <= driver_limit_s(rules)
    breaks = (planned / 3600 / rules.break_after_hours).apply(math.floor) * rules.break_minutes * 60
    arrival_last = clock_to_s(rules.last_departure) + planned + breaks.where(one, 0)
    late = arrival_last > clock_to_s(rules.reception_close)
    return {
        "places_two_drivers": int(capacity[~one & planned.notna()].sum()),
        "places_out_of_reach": 0 if rules.second_driver else int(capacity[~one].sum()),
        "places_early_slots_only": int(capacity[late & planned.notna()].sum()),
    }


def operation_table(people_per_day: pd.Series, fleet: Fleet, rules: Rules) -> pd.DataFrame:
    """One row per day: people, coaches needed, the origin's boarding and the fleet, people the day can carry, what binds, what lifts it."""
    cap = day_capacity(fleet, rules)
    rows = []
    for day, people in people_per_day.items():
        people = int(people)
        short = max(0, people - cap.people)
        rows.append(
            {
                "day": str(day),
                "people": people,
                "coaches_needed": math.ceil(people / cap.seats),
                "boarding_coaches": cap.boarding,
                "fleet_coaches": cap.fleet,
                "can_carry": cap.people,
                "short": short,
                "binds": cap.binding if short else "",
                "lift": lifts(people, cap),
            }
        )
    columns = [
        "day",
        "people",
        "coaches_needed",
        "boarding_coaches",
        "fleet_coaches",
        "can_carry",
        "short",
        "binds",
        "lift",
    ]
    return pd.DataFrame(rows, columns=columns).set_index("day")


def operation_lines(table: pd.DataFrame) -> list[str]:
    """The operation's readiness for the command line: one line per day that cannot carry its people."""
    short = table[table["short"] > 0]
    if short.empty:
        return ["operation: every day's people fit the origin's boarding and the fleet"]
    return [
        f"operation: {day}: {int(r.people):,} people, the day carries {int(r.can_carry):,} "
        f"({r.binds} binds: {int(r.boarding_coaches)} coaches can board, the fleet has {int(r.fleet_coaches)}); "
        f"{int(r.short):,} short; lift: {r.lift}"
        for day, r in short.iterrows()
    ]
