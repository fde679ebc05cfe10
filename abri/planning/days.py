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

Needs: each person's ride limit (:func:`abri.planning.demand.ride_limits`)
and, for minors and vulnerable people, arriving before
:data:`~abri.planning.schedule.LATE_ARRIVAL` are soft: slots go first to
the trips that would otherwise arrive late (when that breaks no trip) and
the stop order with fewest breaches wins; :mod:`abri.planning.coach_needs`
then moves a stop still in breach to another coach or a coach of its own.
Wheelchair users ride only accessible coaches.
"""

from __future__ import annotations

import itertools
import logging
import math

import pandas as pd

from abri.constants import ORIGIN
from abri.planning.demand import merge_stops
from abri.planning.schedule import (
    ACCESSIBLE,
    LATE_ARRIVAL,
    LATE_GROUPS,
    Stop,
    Trip,
    clock_to_s,
    schedule,
)
from abri.planning.search import ACCESSIBLE_KIND, DaySpec, Route, SearchRecord, solve_routes

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


def seats_of(trip: Trip, day: DaySpec) -> int:
    """Seats of the trip's coach (fewer on an accessible coach)."""
    return day.fleet.accessible_seats if trip.vehicle_kind == ACCESSIBLE else day.fleet.seats


def scheduled(trip: Trip, day: DaySpec, departure_s: float) -> Trip:
    """`trip` scheduled at `departure_s` under the day's rules, hours, seats and wheelchair places."""
    return schedule(
        trip,
        day.rules,
        hours=day.hours,
        departure_s=departure_s,
        seats=seats_of(trip, day),
        wheelchair_places=day.fleet.wheelchair_places,
    )


def timed(trip: Trip, stops: list[Stop], day: DaySpec, km: pd.DataFrame) -> Trip:
    """A copy of `trip` with `stops` in this order, scheduled at its departure."""
    t = Trip(
        trip.coach,
        trip.day,
        list(stops),
        slot=trip.slot,
        bay=trip.bay,
        info=list(trip.info),
        vehicle_kind=trip.vehicle_kind,
    )
    return scheduled(legs(t, day.times, km), day, trip.departure_s)


def _late_slack(trip: Trip) -> float:
    """Time left before the late hour at the stops of minors or vulnerable people (inf: none, or late whatever the slot)."""
    late = clock_to_s(LATE_ARRIVAL)
    gaps = [
        late - s.arrival_s
        for s in trip.stops
        if any(s.groups.get(g) for g in LATE_GROUPS) and s.arrival_s < late
    ]
    return min(gaps, default=math.inf)


def assign_slots(trips: list[Trip], day: DaySpec, *, late: bool = True) -> None:
    """Earliest deadline first: the trip that must leave first (then the longest) takes the first free slot.

    With `late`, a trip's deadline is also the late hour of its minors and vulnerable people.
    """
    first = day.departures[0]
    for trip in trips:
        scheduled(trip, day, first)
    order = sorted(
        trips,
        key=lambda t: (
            first + min(t.slack_close_s, _late_slack(t) if late else math.inf),
            -(t.end_s - t.departure_s),
            t.coach,
        ),
    )
    slots = [k for k, cap in enumerate(day.caps) for _ in range(cap)]
    bay_of = [b for cap in day.caps for b in range(1, cap + 1)]
    for trip in order:
        trip.slot, trip.bay = -1, 0  # no slot left: the trip cannot run
    for trip, slot, bay in zip(order, slots, bay_of):
        trip.slot, trip.bay = slot, bay


def stop_breaches(stop: Stop, trip: Trip, day: DaySpec) -> int:
    """People of `stop` over their ride limit, or minors and vulnerable people arriving at or after the late hour."""
    ride = stop.arrival_s - trip.departure_s
    over = sum(ride > day.limit_of.get(p, math.inf) * 3600 for p in stop.people)
    if stop.arrival_s >= clock_to_s(LATE_ARRIVAL):
        over += sum(stop.groups.get(g, 0) for g in LATE_GROUPS)
    return over


def breaches(trip: Trip, day: DaySpec) -> int:
    """People on `trip` over their ride limit or arriving late (see :func:`stop_breaches`)."""
    return sum(stop_breaches(s, trip, day) for s in trip.stops)


def best_order(trip: Trip, day: DaySpec, km: pd.DataFrame, group_of: dict[str, str]) -> Trip:
    """The stop order with fewest people over their ride limit or late among legal orders (the solver's order first)."""
    best_key = (breaches(trip, day), not trip.legal, trip.planned_driving_s)
    if best_key[0] == 0 or len(trip.stops) < 2:
        return trip
    best = trip
    for order in itertools.permutations(trip.stops):
        candidate = timed(trip, list(order), day, km)
        key = (
            breaches(candidate, day),
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
    for trip, (_, kind, _) in zip(
        trips, routes
    ):  # an accessible coach only where it carries a wheelchair
        if kind >= ACCESSIBLE_KIND and any(s.wheelchairs for s in trip.stops):
            trip.vehicle_kind = ACCESSIBLE
    if reslot:
        assign_slots(trips, spec)
        _schedule_slots(trips, spec)
        if not all(t.legal for t in trips if t.slot >= 0):  # the late hour broke a trip
            assign_slots(trips, spec, late=False)
    else:
        for slot in {t.slot for t in trips}:
            for bay, trip in enumerate((t for t in trips if t.slot == slot), start=1):
                trip.bay = bay
    _schedule_slots(trips, spec)
    return trips


def _schedule_slots(trips: list[Trip], spec: DaySpec) -> None:
    for trip in trips:
        if trip.slot >= 0:
            scheduled(trip, spec, spec.departures[trip.slot])


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
        (t.slot, int(t.drivers == 2) + ACCESSIBLE_KIND * (t.vehicle_kind == ACCESSIBLE), r)
        for t, (_, _, r) in zip(trips, first)
        if t.slot >= 0
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


def _insert(
    stop: Stop, trips: list[Trip], day: DaySpec, km: pd.DataFrame, *, within: float = math.inf
) -> bool:
    """Put `stop` on a legal trip where it stays legal (fewest extra planned driving); False when none can take it.

    With `within`, only where the trip then has fewer than `within` more people over their ride limit or late.
    """
    clean = within < math.inf
    best: tuple[float, int, Trip] | None = None
    for n, trip in enumerate(trips):
        if (
            not trip.legal
            or not trip.stops
            or trip.people + len(stop.people) > seats_of(trip, day)
            or (stop.wheelchairs and trip.vehicle_kind != ACCESSIBLE)
            or len(trip.stops) >= day.rules.max_stops
            or any(s.centre_id == stop.centre_id for s in trip.stops)
        ):
            continue
        before = breaches(timed(trip, trip.stops, day, km), day) if clean else 0
        for pos in range(len(trip.stops) + 1):
            candidate = timed(trip, [*trip.stops[:pos], stop, *trip.stops[pos:]], day, km)
            extra = candidate.planned_driving_s - trip.planned_driving_s
            if clean and breaches(candidate, day) - before >= within:
                continue
            if candidate.legal and (best is None or extra < best[0]):
                best = (extra, n, candidate)
    if best is None:
        return False
    trips[best[1]] = timed(best[2], best[2].stops, day, km)  # the stops are shared: time them again
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
