"""The independent check of each person's ride: their ride limit and, minors and vulnerable people, a late arrival.

Part of :func:`abri.planning.check.check_plan` (through
:mod:`abri.planning.check_needs`). A ride is re-timed from the trip: from
its departure to the later of the planned arrival and the earliest arrival
driving and breaks allow (:func:`abri.planning.check_trip.stop_rides`). Each
person's limit is the group's (the rules' ``max_ride_hours``) and, for a
ride-limiting need, at most the rules' ``need_max_ride_hours``. A ride over
the limit (``ride-limit``) or an arrival from
:data:`~abri.planning.schedule.LATE_ARRIVAL` on for the
:data:`~abri.planning.schedule.LATE_GROUPS` (``late-arrival``) is an error
unless it is listed as a shortfall with that code, then a warning with its count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from abri.planning.check_trip import TIME_TOLERANCE_S, clock, hhmm, stop_rides
from abri.planning.schedule import LATE_ARRIVAL, LATE_GROUPS

SHOWN = 10
"""People named in one message at most."""


def names(ids: Sequence[str]) -> str:
    """Up to :data:`SHOWN` ids, sorted, and how many more."""
    shown = ", ".join(sorted(ids)[:SHOWN])
    return shown + (f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else "")


def ride_limit(group: str, needs: str, limited: bool, rules: Any) -> tuple[float, str] | None:
    """A person's ride limit (h) and what sets it: the group's, or a need's when lower; None: no limit."""
    limits = []
    if group in rules.max_ride_hours:
        limits.append((float(rules.max_ride_hours[group]), f"group {group}"))
    if limited:
        limits.append((float(rules.need_max_ride_hours), f"need {needs.replace(';', ', ')}"))
    return min(limits) if limits else None


def _warning(code: str, what: str, values: list[float]) -> list[str]:
    if not values:
        return []
    return [
        f"{code}: {len(values):,} people {what} (up to {max(values):.2f} h), listed as shortfalls"
    ]


def ride_problems(
    plan: Any,
    times: pd.DataFrame,
    *,
    limit_of: Callable[[str], tuple[float, str] | None],
    group_of: Callable[[str], str],
    listed: dict[str, set[str]],
) -> tuple[list[str], list[str]]:
    """Rides over each person's limit and late arrivals: errors when not listed with their code, else warnings with counts.

    Parameters
    ----------
    plan
        The plan (trips and rules).
    times
        Travel times (s), to re-time the rides.
    limit_of, group_of
        A person's ride limit (h, and what sets it; None: no limit) and group.
    listed
        Shortfall codes listed per person.
    """
    late_s = clock(LATE_ARRIVAL) or 0.0
    over: dict[tuple[str, str, float, float, str], list[str]] = defaultdict(list)
    late: dict[tuple[str, str, float, float], list[str]] = defaultdict(list)
    listed_over: list[float] = []
    listed_late: list[float] = []
    for trip in plan.trips:
        for stop, ride_s in stop_rides(trip, plan.rules, times):
            ride, arrival = ride_s / 3600, trip.departure_s + ride_s
            for person in stop.people:
                limit = limit_of(person)
                if limit is not None and ride_s > limit[0] * 3600 + TIME_TOLERANCE_S:
                    if "ride-limit" in listed.get(person, set()):
                        listed_over.append(ride)
                    else:
                        over[(trip.coach, stop.centre_id, ride, *limit)].append(person)
                if arrival >= late_s + TIME_TOLERANCE_S and group_of(person) in LATE_GROUPS:
                    if "late-arrival" in listed.get(person, set()):
                        listed_late.append(ride)
                    else:
                        late[(trip.coach, stop.centre_id, arrival, ride)].append(person)
    errors = [
        f"need ride limit: {len(ids)} people ({names(ids)}) ride {ride:.2f} h on {coach} to {cid}, "
        f"over their limit of {limit:g} h ({why}), with no ride-limit shortfall listed"
        for (coach, cid, ride, limit, why), ids in sorted(over.items())
    ]
    errors += [
        f"late arrival: {len(ids)} minors or vulnerable people ({names(ids)}) arrive at {cid} at "
        f"{hhmm(arrival)} on {coach} (from {LATE_ARRIVAL} on is late; ride {ride:.2f} h), "
        "with no late-arrival shortfall listed"
        for (coach, cid, arrival, ride), ids in sorted(late.items())
    ]
    warnings = _warning("ride limit", "ride over their limit", listed_over)
    warnings += _warning("late arrival", f"arrive from {LATE_ARRIVAL} on", listed_late)
    return errors, warnings
