"""A day's trips from the search's routes: boarding slots, stop order, repair.

The search first lets every coach leave at the first departure; slots are
then handed out earliest deadline first (the trip that must leave first,
mostly the longest, boards first). Only when that breaks a trip does the
search go on, from that answer, with one vehicle type per slot leaving at
its own time.

After the search: a centre's two loads on one coach are one stop again; a
stop order that keeps a group over its longest acceptable ride is changed
when another order is legal. A trip still illegal is repaired
(:func:`repair`): the stops that break a rule move to another trip of the
day where they are legal, or are dropped with their people listed. No
illegal trip leaves the planner.
"""

from __future__ import annotations

import itertools
import logging
import math

import pandas as pd

from abri.constants import ORIGIN
from abri.planning.demand import merge_stops
from abri.planning.schedule import Stop, Trip, schedule
from abri.planning.search import DaySpec, Route, SearchRecord, solve_routes

log = logging.getLogger(__name__)

FIRST_SHARE = 0.7
"""Share of a day's search time spent with every coach at the first departure (see :func:`search_day`)."""


def slot_caps(
    departures: list[int], bays: int, coaches: int, free_by: list[int] | None
) -> list[int]:
    """Coaches that may leave in each slot: at most `bays`, `coaches` in all, and (named fleet) no more than are back by then."""
    caps, used = [], 0
    for k in range(len(departures)):
        limit = coaches if free_by is None else min(coaches, free_by[k])
        caps.append(max(0, min(bays, limit - used)))
        used += caps[-1]
    return caps


def legs(trip: Trip, times: pd.DataFrame, km: pd.DataFrame) -> Trip:
    """Fill in each stop's leg (road time and km) from the previous stop or the origin."""
    previous = ORIGIN
    for stop in trip.stops:
        stop.leg_s = float(times.at[previous, stop.centre_id])
        stop.leg_km = float(km.at[previous, stop.centre_id]) / 1000
        previous = stop.centre_id
    return trip


def timed(trip: Trip, stops: list[Stop], day: DaySpec, km: pd.DataFrame) -> Trip:
    """A copy of `trip` with `stops` in this order, scheduled at its departure."""
    t = Trip(trip.coach, trip.day, list(stops), slot=trip.slot, bay=trip.bay, info=list(trip.info))
    return schedule(
        legs(t, day.times, km),
        day.rules,
        hours=day.hours,
        departure_s=trip.departure_s,
        seats=day.fleet.seats,
    )


def assign_slots(trips: list[Trip], day: DaySpec) -> None:
    """Earliest deadline first: the trip that must leave first (then the longest) takes the first free slot."""
    first = day.departures[0]
    for trip in trips:
        schedule(trip, day.rules, hours=day.hours, departure_s=first, seats=day.fleet.seats)
    order = sorted(
        trips, key=lambda t: (first + t.slack_close_s, -(t.end_s - t.departure_s), t.coach)
    )
    slots = [k for k, cap in enumerate(day.caps) for _ in range(cap)]
    bay_of = [b for cap in day.caps for b in range(1, cap + 1)]
    for trip in order:
        trip.slot, trip.bay = -1, 0  # no slot left: the trip cannot run
    for trip, slot, bay in zip(order, slots, bay_of):
        trip.slot, trip.bay = slot, bay


def _over_limit(trip: Trip, day: DaySpec, group_of: dict[str, str]) -> int:
    """People on `trip` whose ride is longer than their group's limit."""
    limits = day.rules.max_ride_hours
    return sum(
        1
        for stop in trip.stops
        for p in stop.people
        if stop.arrival_s - trip.departure_s > limits.get(group_of[p], math.inf) * 3600
    )


def best_order(trip: Trip, day: DaySpec, km: pd.DataFrame, group_of: dict[str, str]) -> Trip:
    """The stop order with fewest people over their ride limit among legal orders (the solver's order first)."""
    best_key = (_over_limit(trip, day, group_of), not trip.legal, trip.planned_driving_s)
    if best_key[0] == 0 or len(trip.stops) < 2:
        return trip
    best = trip
    for order in itertools.permutations(trip.stops):
        candidate = timed(trip, list(order), day, km)
        key = (
            _over_limit(candidate, day, group_of),
            not candidate.legal,
            candidate.planned_driving_s,
        )
        if candidate.legal and key < best_key:
            best, best_key = candidate, key
    return timed(trip, best.stops, day, km)  # the stops are shared: time them again in this order


def make_trips(
    routes: list[Route],
    loads: list[Stop],
    spec: DaySpec,
    km: pd.DataFrame,
    group_of: dict[str, str],
    day: str,
    *,
    reslot: bool,
) -> list[Trip]:
    """Trips in the routes' order: one stop per centre, slots (earliest deadline first, or the solver's), scheduled."""
    trips = [
        legs(
            Trip(coach="", day=day, stops=merge_stops([loads[i] for i in r], group_of), slot=slot),
            spec.times,
            km,
        )
        for slot, _, r in routes
    ]
    if reslot:
        assign_slots(trips, spec)
    else:
        for slot in {t.slot for t in trips}:
            for bay, trip in enumerate((t for t in trips if t.slot == slot), start=1):
                trip.bay = bay
    for trip in trips:
        if trip.slot >= 0:
            schedule(
                trip,
                spec.rules,
                hours=spec.hours,
                departure_s=spec.departures[trip.slot],
                seats=spec.fleet.seats,
            )
    return trips


def search_day(
    loads: list[Stop],
    spec: DaySpec,
    km: pd.DataFrame,
    group_of: dict[str, str],
    day: str,
    *,
    seed: int,
    iterations: int,
    time_limit: float,
) -> tuple[list[Route], SearchRecord, int]:
    """A day's routes: first with every coach at the first departure, slots handed out earliest deadline first;
    when that breaks a trip, the search goes on with every slot its own departure, from that answer.

    Returns the routes, the search's record and the number of searches.
    """
    first, search = solve_routes(
        loads,
        spec,
        seed=seed,
        iterations=iterations,
        time_limit=FIRST_SHARE * time_limit,
        one_slot=True,
    )
    trips = make_trips(first, loads, spec, km, group_of, day, reslot=True)
    legal = all(t.legal for t in trips) and len(trips) <= sum(spec.caps)
    slotted = [
        (t.slot, int(t.drivers == 2), r) for t, (_, _, r) in zip(trips, first) if t.slot >= 0
    ]
    if legal or (search.reason == "lower bound" and not trips):
        return slotted, search, 1
    log.info(
        "%s: the slots break %d trip(s); searching on with a departure per slot",
        day,
        sum(not t.legal for t in trips),
    )
    rest = max(time_limit - search.seconds, 0.1 * time_limit)
    routes, more = solve_routes(
        loads, spec, seed=seed, iterations=iterations, time_limit=rest, initial=slotted
    )
    more.add(search)
    more.budget = time_limit
    return routes, more, 2


def day_trips(
    routes: list[Route],
    loads: list[Stop],
    spec: DaySpec,
    km: pd.DataFrame,
    group_of: dict[str, str],
    day: str,
) -> tuple[list[Trip], list[Stop]]:
    """A day's trips from its routes (slots, names, stop order), and the loads on no trip."""
    trips = make_trips(routes, loads, spec, km, group_of, day, reslot=True)
    per_slot = [sum(slot == k for slot, _, _ in routes) for k in range(len(spec.caps))]
    if not all(t.legal for t in trips) and all(n <= cap for n, cap in zip(per_slot, spec.caps)):
        own = make_trips(routes, loads, spec, km, group_of, day, reslot=False)  # the solver's slots
        if sum(t.legal for t in own) > sum(t.legal for t in trips):
            trips = own
    served = {i for t, (_, _, r) in zip(trips, routes) if t.slot >= 0 for i in r}
    trips = sorted((t for t in trips if t.slot >= 0), key=lambda t: (t.slot, t.bay))
    for n, trip in enumerate(trips, start=1):
        trip.coach = f"{day}-C{n:02d}"
    return (
        [best_order(t, spec, km, group_of) for t in trips],
        [s for i, s in enumerate(loads) if i not in served],
    )


def _best_subset(trip: Trip, day: DaySpec, km: pd.DataFrame) -> tuple[Trip, list[Stop]]:
    """The legal trip keeping most people out of `trip`'s stops (in their order), and the stops left out."""
    stops = trip.stops
    for keep in range(len(stops) - 1, 0, -1):
        candidates = [
            timed(trip, list(kept), day, km) for kept in itertools.combinations(stops, keep)
        ]
        legal = [c for c in candidates if c.legal]
        if legal:
            best = max(legal, key=lambda c: (c.people, -c.planned_driving_s))
            kept_ids = {id(s) for s in best.stops}
            return best, [s for s in stops if id(s) not in kept_ids]
    return timed(trip, [], day, km), list(stops)


def _insert(stop: Stop, trips: list[Trip], day: DaySpec, km: pd.DataFrame) -> bool:
    """Put `stop` on a legal trip where it stays legal (fewest extra planned driving); False when none can take it."""
    best: tuple[float, int, Trip] | None = None
    for n, trip in enumerate(trips):
        if (
            not trip.legal
            or not trip.stops
            or trip.people + len(stop.people) > day.fleet.seats
            or len(trip.stops) >= day.rules.max_stops
            or any(s.centre_id == stop.centre_id for s in trip.stops)
        ):
            continue
        for pos in range(len(trip.stops) + 1):
            candidate = timed(trip, [*trip.stops[:pos], stop, *trip.stops[pos:]], day, km)
            extra = candidate.planned_driving_s - trip.planned_driving_s
            if candidate.legal and (best is None or extra < best[0]):
                best = (extra, n, candidate)
    if best is None:
        return False
    trips[best[1]] = best[2]
    return True


def repair(
    trips: list[Trip], spec: DaySpec, km: pd.DataFrame
) -> tuple[list[Trip], list[tuple[Stop, str]]]:
    """Make every trip of a day legal: stops that break a rule move to another trip, or are dropped with the reason.

    Returns the trips (an emptied trip is removed) and the dropped stops with the rule they would break.
    """
    dropped: list[tuple[Stop, str]] = []
    for n, trip in enumerate(trips):
        if trip.legal:
            continue
        why = "; ".join(trip.notes)
        kept, out = _best_subset(trip, spec, km)
        trips[n] = kept
        log.info("%s %s: %d stop(s) taken off (%s)", trip.day, trip.coach, len(out), why)
        for stop in out:
            if not _insert(stop, trips, spec, km):
                dropped.append(
                    (stop, f"taken off coach {trip.coach}, which would break a rule: {why}")
                )
    return [t for t in trips if t.stops], dropped
