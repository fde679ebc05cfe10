"""The coach plan: for each day, trips from the origin that carry everyone placed.

Each day's demand (every centre's people, in loads of whole households; a
large remainder cut in two so that coaches can share it) is a capacitated
vehicle routing problem solved with PyVRP (iterated local search): coaches
of `seats` places, at most `max_stops` stops, one-driver coaches limited to
9 h of planned driving (road data plus the rules' margin) and two-driver
coaches to 18 h, reception hours as time windows, open routes (the way back
is planned after). The objective counts each coach first, then driving time.

Coaches leave the origin in boarding slots: ``bays`` coaches every
``boarding_minutes`` from the first to the last departure. The search first
lets every coach leave at the first departure; slots are then handed out
earliest deadline first (the trip that must leave first, mostly the
longest, boards first). Only when that breaks a trip does the search go on,
from that answer, with one vehicle type per slot leaving at its own time.

A day's search stops at the first of: the lower bound (people / seats,
rounded up) reached, ``time_limit`` seconds, ``iterations`` iterations, or
a long run without improvement; the plan records which one (only a time
limit makes a plan depend on the machine's speed). Days are searched in
parallel worker processes unless the fleet is given coach by coach.

After the search: a centre's two loads on one coach are one stop again; a
stop order that keeps a group over its longest acceptable ride is changed
when another order is legal; every trip is scheduled and checked (see
:mod:`abri.planning.schedule`) and its way back planned. Nothing unchecked is
marked legal: an infeasible solver answer carries nobody.
"""

from __future__ import annotations

import itertools
import logging
import math
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd
from pyvrp import IteratedLocalSearchParams, Model, Solution, SolveParams
from pyvrp import Route as PyvrpRoute
from pyvrp.IteratedLocalSearch import IteratedLocalSearchCallbacks
from tqdm import tqdm  # plain bars: tqdm.auto warns in notebooks without ipywidgets

from abri.constants import ORIGIN
from abri.defaults import DEFAULT_ITERATIONS, DEFAULT_TIME_LIMIT
from abri.inputs.scenario import Fleet, Rules, check_rules
from abri.planning.allocation import Allocation
from abri.planning.schedule import (
    Stop,
    Trip,
    after_drop,
    clock_to_s,
    driver_limit_s,
    legal_with_extra,
    margin,
    s_to_clock,
    schedule,
    slot_departures,
)
from abri.routing.matrix import _die_with_parent

if TYPE_CHECKING:
    import geopandas as gpd

    from abri.routing.graph import RoadGraph

log = logging.getLogger(__name__)

COACH_COST = 20 * 3600
"""Cost of one coach in the solver, as much as 20 h of driving (PyVRP's penalties must outweigh it)."""
EXTRA_MARGINS = (5, 10, 20)
"""Road times this many % longer than the data: the plan reports how many trips stay legal."""
FIRST_SHARE = 0.7
"""Share of a day's search time spent with every coach at the first departure (see :func:`_search_day`)."""
NO_IMPROVEMENT = 4_000
"""Iterations without a better solution after which a day's search stops."""


@dataclass
class Plan:
    """Trips of every day, and who could not travel.

    ``days`` has one row per day: people, the lower bound on coaches
    (people / seats, rounded up), trips, the gap, and why the search
    stopped. ``legal_at`` counts the trips that stay legal when road times
    are 5, 10 and 20 % longer than the data. ``ride_exceptions`` lists the
    people whose ride is longer than their group's limit, with the reason.
    """

    trips: list[Trip]
    allocation: Allocation
    fleet: Fleet
    rules: Rules
    not_carried: pd.DataFrame = field(
        default_factory=pd.DataFrame
    )  # person_id, day, centre_id, reason
    method: str = "pyvrp"
    days: list[dict] = field(default_factory=list)
    legal_at: dict[str, int] = field(default_factory=dict)
    ride_exceptions: pd.DataFrame = field(
        default_factory=pd.DataFrame
    )  # person_id, day, group, centre_id, coach, ride_h, limit_h, reason
    hours: dict[str, tuple[int, int]] = field(
        default_factory=dict
    )  # reception hours the plan was made with

    # -- analyst API (tables and lines built by abri.outputs.planfile / abri.outputs.trips) --
    def __repr__(self) -> str:
        carried = sum(t.people for t in self.trips)
        return (
            f"Plan({self.method}: {len(self.trips)} trips over {len({t.day for t in self.trips})} days, {carried:,} carried, "
            f"{len(self.not_carried):,} not carried, {sum(not t.legal for t in self.trips)} illegal)"
        )

    def trips_frame(self) -> pd.DataFrame:
        """One row per trip; times as ``Timestamp``, durations as ``Timedelta``, km (see :mod:`abri.outputs.planfile`).

        Examples
        --------
        >>> run.plan.trips_frame()[
        ...     ["coach", "departure", "last_arrival", "people", "km"]
        ... ].head()  # doctest: +SKIP
        """
        from abri.outputs.planfile import trips_frame

        return trips_frame(self)

    def stops_frame(self, names: dict[str, str] | None = None) -> pd.DataFrame:
        """One row per stop: coach, centre, arrival (``Timestamp``), ride (``Timedelta``), people by group.

        Examples
        --------
        >>> run.plan.stops_frame().query("centre_id == 'CAO-001'")  # doctest: +SKIP
        """
        from abri.outputs.planfile import stops_frame

        return stops_frame(self, names)

    def to_geodataframe(
        self,
        graph: RoadGraph,
        snapped: pd.DataFrame,
        *,
        points: dict[str, tuple[float, float]] | None = None,
        tolerance: float = 0.0,
    ) -> gpd.GeoDataFrame:
        """Trips as lines along their roads (EPSG:4326); see :func:`abri.outputs.trips.trip_lines`.

        Examples
        --------
        >>> lines = run.plan.to_geodataframe(
        ...     run.graph, run.snapped, points=run.points
        ... )  # doctest: +SKIP
        >>> lines.explore(color=lines["colour"])  # doctest: +SKIP
        """
        from abri.outputs.trips import trip_lines

        return trip_lines(graph, snapped, self.trips, tolerance=tolerance, points=points)


def _stop(centre_id: str, households: list[list[str]], group_of: dict[str, str]) -> Stop:
    people = [p for h in households for p in h]
    counts = pd.Series([group_of[p] for p in people], dtype=object).value_counts()
    return Stop(
        centre_id, people, {str(k): int(v) for k, v in counts.items()}, households=households
    )


def _pack(households: list[list[str]], size: float) -> list[list[list[str]]]:
    """Cut a list of households into parts of at most `size` people (a larger household stands alone)."""
    parts: list[list[list[str]]] = [[]]
    for members in households:
        if parts[-1] and sum(map(len, parts[-1])) + len(members) > size:
            parts.append([])
        parts[-1].append(members)
    return [p for p in parts if p]


def day_demand(day: str, placed: pd.DataFrame, seats: int) -> tuple[list[Stop], list[list[str]]]:
    """Each centre's people that day as full coach loads plus one remainder; households never split.

    Returns the loads and the households larger than a coach's seats (not in any load).
    """
    today = placed[placed["day"] == day]
    group_of = dict(zip(today["person_id"], today["group"]))
    loads: list[Stop] = []
    too_big: list[list[str]] = []
    for centre_id, people in today.groupby("centre_id", sort=True):
        households = sorted(
            (list(h["person_id"]) for _, h in people.groupby("household", sort=True)),
            key=len,
            reverse=True,
        )
        too_big += [h for h in households if len(h) > seats]
        fitting = [h for h in households if len(h) <= seats]
        loads += [_stop(str(centre_id), part, group_of) for part in _pack(fitting, seats)]
    return loads, too_big


def split_load(load: Stop, group_of: dict[str, str], parts: int = 2) -> list[Stop]:
    """One load as `parts` smaller loads of whole households, so that coaches can share a centre."""
    pieces = (
        _pack(load.households, -(-len(load.people) // parts))
        if len(load.households) > 1
        else [load.households]
    )
    return [_stop(load.centre_id, piece, group_of) for piece in pieces]


def merge_stops(stops: list[Stop], group_of: dict[str, str]) -> list[Stop]:
    """One stop per centre: loads of a centre on the same coach become one stop, at its first place."""
    out: dict[str, list[list[str]]] = {}
    for stop in stops:
        out.setdefault(stop.centre_id, []).extend(stop.households or [stop.people])
    return [_stop(cid, households, group_of) for cid, households in out.items()]


def _legs(trip: Trip, times: pd.DataFrame, km: pd.DataFrame) -> Trip:
    previous = ORIGIN
    for stop in trip.stops:
        stop.leg_s = float(times.at[previous, stop.centre_id])
        stop.leg_km = float(km.at[previous, stop.centre_id]) / 1000
        previous = stop.centre_id
    return trip


class _Search(IteratedLocalSearchCallbacks):
    """PyVRP stopping criterion: the lower bound, a time limit, an iteration cap or no improvement; remembers which.

    Also PyVRP's callbacks, to see the number of coaches of each new best solution.
    """

    def __init__(self, bound: int, iterations: int, time_limit: float, loads: int = 0) -> None:
        self.bound, self.iterations, self.time_limit, self.loads = (
            bound,
            iterations,
            time_limit,
            loads,
        )
        self.start = time.perf_counter()
        self.done, self.best, self.since_best = 0, math.inf, 0
        self.routes = math.inf
        self.reason = ""
        self.seconds = 0.0  # of search

    def on_start(self, ils: Any) -> None:
        """The initial solution may already be the best."""
        self.on_best(ils.initial_solution)

    def on_best(self, best: Solution) -> None:
        """Remember the coaches of a new best (feasible, all loads served) solution."""
        if best.is_feasible() and best.num_clients() == self.loads:  # every load on a coach
            self.routes = best.num_routes()

    def __call__(self, best_cost: float) -> bool:
        self.done += 1
        if best_cost < self.best:
            self.best, self.since_best = best_cost, 0
        else:
            self.since_best += 1
        if self.routes <= self.bound:
            self.reason = "lower bound"
        elif self.done > self.iterations:
            self.reason = "iterations"
        elif self.since_best > NO_IMPROVEMENT:
            self.reason = "no improvement"
        elif self.time_limit > 0 and time.perf_counter() - self.start > self.time_limit:
            self.reason = "time limit"
        return bool(self.reason)


@dataclass
class _Day:
    """What one day's search needs besides the loads."""

    times: pd.DataFrame
    fleet: Fleet
    rules: Rules
    hours: dict[str, tuple[int, int]]
    departures: list[int]
    caps: list[int]  # coaches that may leave in each slot


def _slot_caps(
    departures: list[int], bays: int, coaches: int, free_by: list[int] | None
) -> list[int]:
    """Coaches that may leave in each slot: at most `bays`, `coaches` in all, and (named fleet) no more than are back by then."""
    caps, used = [], 0
    for k in range(len(departures)):
        limit = coaches if free_by is None else min(coaches, free_by[k])
        caps.append(max(0, min(bays, limit - used)))
        used += caps[-1]
    return caps


def _assign_slots(trips: list[Trip], day: _Day) -> None:
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


def _group_limits(trip: Trip, rules: Rules, group_of: dict[str, str]) -> int:
    """People on `trip` whose ride is longer than their group's limit."""
    over = 0
    for stop in trip.stops:
        ride = stop.arrival_s - trip.departure_s
        over += sum(
            1 for p in stop.people if ride > rules.max_ride_hours.get(group_of[p], math.inf) * 3600
        )
    return over


def _best_order(
    trip: Trip, day: _Day, times: pd.DataFrame, km: pd.DataFrame, group_of: dict[str, str]
) -> Trip:
    """The stop order with fewest people over their ride limit among legal orders (the solver's order first)."""

    def timed(stops: list[Stop]) -> Trip:
        t = Trip(
            trip.coach, trip.day, list(stops), slot=trip.slot, bay=trip.bay, info=list(trip.info)
        )
        return schedule(
            _legs(t, times, km),
            day.rules,
            hours=day.hours,
            departure_s=trip.departure_s,
            seats=day.fleet.seats,
        )

    best, best_key = (
        trip,
        (_group_limits(trip, day.rules, group_of), not trip.legal, trip.planned_driving_s),
    )
    if best_key[0] == 0 or len(trip.stops) < 2:
        return trip
    for order in itertools.permutations(trip.stops):
        candidate = timed(list(order))
        key = (
            _group_limits(candidate, day.rules, group_of),
            not candidate.legal,
            candidate.planned_driving_s,
        )
        if candidate.legal and key < best_key:
            best, best_key = candidate, key
    return timed(best.stops)  # the stops are shared objects: time them again in the chosen order


def _day_offsets(days: list[str]) -> dict[str, float]:
    """Seconds from the first day's midnight to each day's midnight (dates when they parse, else one day apart)."""
    dates = pd.to_datetime(pd.Series(days, dtype=object), errors="coerce", format="mixed")
    if dates.notna().all() and len(days):
        return {d: float((t - dates.min()).total_seconds()) for d, t in zip(days, dates)}
    return {d: 86_400.0 * k for k, d in enumerate(days)}


def plan_coaches(
    allocation: Allocation,
    times: pd.DataFrame,
    km: pd.DataFrame,
    fleet: Fleet,
    rules: Rules,
    *,
    hours: dict[str, tuple[int, int]] | None = None,
    seed: int = 1,
    iterations: int = DEFAULT_ITERATIONS,
    time_limit: float = DEFAULT_TIME_LIMIT,
    jobs: int | None = None,
    progress: bool = False,
) -> Plan:
    """Coach trips for every day of the allocation.

    Parameters
    ----------
    allocation
        Who goes to which centre, by day.
    times, km
        Door-to-door driving time (s) and distance (m) between ``ORIGIN``
        and centre ids (both axes; the centre -> ``ORIGIN`` column times the way back).
    fleet, rules
        Coaches and seats per day (or coach by coach); boarding, stops, margins, driver and reception rules.
    hours
        Reception hours per centre id (see :func:`~abri.planning.schedule.reception_hours`);
        centres not listed use the rules' default.
    seed, iterations, time_limit
        PyVRP's seed, and the most iterations and seconds of search per day
        (the same inputs and seed give the same plan unless a day stops on
        its time limit: see ``Plan.days``; a `time_limit` of 0 means none, for
        a plan that depends only on its inputs and seed).
    jobs
        Worker processes that search days at once (default: one per core; days are searched
        one after the other when the fleet is given coach by coach).
    """
    check_rules(rules, "rules")
    hours = hours or {}
    trips: list[Trip] = []
    left: list[dict[str, str]] = []
    days_rows: list[dict] = []
    placed = allocation.placed
    group_of = dict(zip(placed["person_id"], placed["group"]))
    household_of = dict(zip(placed["person_id"], placed["household"]))
    centre_of = dict(zip(placed["person_id"], placed["centre_id"]))
    days = sorted(placed["day"].unique())
    offsets = _day_offsets(days)
    departures = slot_departures(rules)
    boarding = rules.boarding_minutes * 60
    free_at = {
        coach: -math.inf for coach in fleet.coaches
    }  # named fleet: when each coach is back (s from the first day)
    loads_of: dict[str, list[Stop]] = {}
    for day in days:
        loads, too_big = day_demand(day, placed, fleet.seats)
        for h in too_big:
            reason = (
                f"household {household_of[h[0]]} of {len(h)} people is larger than a coach ({fleet.seats} seats); "
                "it needs coaches travelling together, planned by hand"
            )
            left += [
                {"person_id": p, "day": day, "centre_id": centre_of[p], "reason": reason} for p in h
            ]
        loads_of[day] = [
            part
            for load in loads
            for part in (
                split_load(load, group_of)
                if fleet.seats // 2 < len(load.people) < fleet.seats
                else [load]
            )
        ]
    coaches = (
        fleet.coaches_per_day
        if not fleet.coaches
        else min(fleet.coaches_per_day, len(fleet.coaches))
    )
    kwargs: dict[str, Any] = {"seed": seed, "iterations": iterations, "time_limit": time_limit}
    found = (
        {}
        if fleet.coaches
        else _search_days(
            loads_of,
            _Day(
                times,
                fleet,
                rules,
                hours,
                departures,
                _slot_caps(departures, rules.bays, coaches, None),
            ),
            km,
            group_of,
            kwargs,
            jobs,
        )
    )
    for day in tqdm(days, desc="coach plan", unit="day", disable=not progress, leave=False):
        start = time.perf_counter()
        loads = loads_of[day]
        free_by = None
        if fleet.coaches:
            free_by = [
                sum(offsets[day] + d - boarding >= f for f in free_at.values()) for d in departures
            ]
        caps = _slot_caps(departures, rules.bays, coaches, free_by)
        spec = _Day(times, fleet, rules, hours, departures, caps)
        people_today = int((placed["day"] == day).sum())
        bound = -(-people_today // fleet.seats)
        day_trips, dropped, search, runs = _try_day(
            loads, spec, times, km, group_of, str(day), found=found.get(day), **kwargs
        )
        capacity = sum(caps)
        if len(day_trips) >= capacity and dropped:
            by_slots = rules.bays * len(departures) < min(
                coaches, free_by[-1] if free_by else coaches
            )
            short = (
                f"no boarding slot left this day ({rules.bays} bays x {len(departures)} slots)"
                if by_slots
                else "fleet too small for this day"
                if free_by is None
                else "fleet too small for this day: no other coach of the fleet is back at the origin in time"
            )
        else:
            short = "no legal trip reaches this centre within its reception hours"
        for load in dropped:
            left += [
                {"person_id": p, "day": day, "centre_id": load.centre_id, "reason": short}
                for p in load.people
            ]
        # the way back, and (named fleet) which coach runs each trip
        for trip in sorted(day_trips, key=lambda t: (t.slot, t.bay)):
            last = trip.stops[-1].centre_id
            after_drop(
                trip, rules, float(times.at[last, ORIGIN]), float(km.at[last, ORIGIN]) / 1000
            )
            trip.boarding_s = trip.departure_s - boarding
            if fleet.coaches:
                ready = sorted(
                    (f, c) for c, f in free_at.items() if f <= offsets[day] + trip.boarding_s
                )
                if not ready:
                    reason = f"no coach of the fleet is back at the origin by {s_to_clock(trip.boarding_s)}"
                    left += [
                        {"person_id": p, "day": day, "centre_id": s.centre_id, "reason": reason}
                        for s in trip.stops
                        for p in s.people
                    ]
                    trip.stops = []
                    continue
                trip.vehicle = ready[0][1]
                free_at[trip.vehicle] = offsets[day] + trip.free_at_s
        day_trips = [t for t in day_trips if t.stops]
        trips += day_trips
        days_rows.append(
            {
                "day": day,
                "people": people_today,
                "lower_bound": bound,
                "trips": len(day_trips),
                "gap": len(day_trips) - bound,
                "slots_used": len({t.slot for t in day_trips}),
                "last_departure": s_to_clock(
                    max((t.departure_s for t in day_trips), default=departures[0])
                ),
                "stopped": search.reason or "nothing to plan",
                "iterations": search.done,
                "solves": runs,
                "search_seconds": round(search.seconds, 1),
                "seconds": round(time.perf_counter() - start, 1),
            }
        )
    not_carried = pd.DataFrame(left, columns=["person_id", "day", "centre_id", "reason"])
    plan = Plan(trips, allocation, fleet, rules, not_carried, days=days_rows, hours=hours)
    plan.legal_at = {
        f"+{x}%": sum(legal_with_extra(t, rules, x, hours=hours) for t in trips)
        for x in EXTRA_MARGINS
    }
    plan.ride_exceptions = ride_exceptions(plan)
    return plan


Route = tuple[int, int, list[int]]
"""A coach route in the solver: slot, kind (0: one driver, 1: two drivers), indices of its loads in order."""


def _solve_indices(
    loads: list[Stop],
    day: _Day,
    *,
    seed: int,
    iterations: int,
    time_limit: float,
    one_slot: bool = False,
    initial: list[Route] | None = None,
) -> tuple[list[Route], _Search]:
    """Group loads into coach routes with PyVRP; the routes and the search's record.

    Each slot offers ``caps[slot]`` coaches of each kind (one driver: planned
    driving inflated by its breaks pro rata; two drivers: no breaks, a
    second driver's cost); with `one_slot`, every coach of the day leaves at
    the first departure. `initial` is a first solution to improve.
    """
    rules, fleet = day.rules, day.fleet
    bound = -(-sum(len(s.people) for s in loads) // fleet.seats)
    search = _Search(bound, iterations, time_limit, len(loads))
    if not loads or not any(day.caps):
        return [], search
    limit = int(driver_limit_s(rules))
    inflate = 1 + rules.break_minutes / 60 / rules.break_after_hours
    model = Model()
    depot_loc = model.add_location(fleet.origin_lon, fleet.origin_lat, name=ORIGIN)
    model.add_depot(depot_loc, name=ORIGIN)
    kinds = [("1 driver", inflate, limit, 0)]
    if rules.second_driver:
        kinds.append(("2 drivers", 1.0, 2 * limit, int(rules.second_driver_cost_hours * 3600)))
    profiles = [model.add_profile(name=name) for name, *_ in kinds]
    types: list[tuple[int, int]] = []  # (slot, kind) of each vehicle type, in order
    slots = (
        [(day.departures[0], sum(day.caps))] if one_slot else list(zip(day.departures, day.caps))
    )
    for slot, (departure, cap) in enumerate(slots):
        for k, ((name, _, max_drive, extra), profile) in enumerate(zip(kinds, profiles)):
            if cap > 0:
                model.add_vehicle_type(
                    num_available=cap,
                    capacity=[fleet.seats, rules.max_stops],
                    fixed_cost=COACH_COST + extra,
                    max_distance=max_drive,
                    tw_early=departure,
                    start_late=departure,
                    profile=profile,
                    name=f"{name} slot {slot}",
                )
                types.append((slot, k))
    default = (clock_to_s(rules.reception_open), clock_to_s(rules.reception_close))
    locations = [depot_loc]
    for k, load in enumerate(loads):
        loc = model.add_location(0.0, 0.0, name=load.centre_id)
        locations.append(loc)
        opens, closes = day.hours.get(load.centre_id, default)
        model.add_client(
            loc,
            delivery=[len(load.people), 1],
            service_duration=rules.service_minutes * 60,
            tw_early=opens,
            tw_late=closes,
            required=False,
            prize=10 * COACH_COST,
            name=str(k),
        )
    ids = [ORIGIN] + [load.centre_id for load in loads]
    drive = day.times.loc[ids, ids].to_numpy() * margin(rules)
    for profile, (_, factor, _, _) in zip(profiles, kinds):
        for i, a in enumerate(locations):
            for j, b in enumerate(locations):
                if i != j:  # open routes: the way back (j == 0) is planned after
                    d = 0 if j == 0 else round(drive[i, j])
                    model.add_edge(a, b, distance=d, duration=round(d * factor), profile=profile)
    start = None
    if initial:
        data, index = model.data(), {t: i for i, t in enumerate(types)}
        start = Solution(
            data,
            [
                PyvrpRoute(data, list(route), index[(slot, min(kind, len(kinds) - 1))])
                for slot, kind, route in initial
                if route
            ],
        )
    params = SolveParams(ils=IteratedLocalSearchParams(callbacks=search))
    result = model.solve(
        stop=search,
        seed=seed,
        display=False,
        collect_stats=False,
        params=params,
        initial_solution=start,
    )
    search.seconds = time.perf_counter() - search.start
    if not result.best.is_feasible():  # nothing unchecked: an infeasible answer carries nobody
        log.warning("no feasible coach plan found (%s)", search.reason)
        return [], search
    return [
        (
            *types[r.vehicle_type()],
            [int(model.clients[a.idx].name) for a in r.schedule() if a.is_client()],
        )
        for r in result.best.routes()
    ], search


def _make_trips(
    routes: list[Route],
    loads: list[Stop],
    spec: _Day,
    times: pd.DataFrame,
    km: pd.DataFrame,
    group_of: dict[str, str],
    day: str,
    *,
    reslot: bool,
) -> list[Trip]:
    """Trips in the routes' order: one stop per centre, slots (earliest deadline first, or the solver's), scheduled."""
    trips = [
        _legs(
            Trip(
                coach="", day=day, stops=merge_stops([loads[i] for i in route], group_of), slot=slot
            ),
            times,
            km,
        )
        for slot, _, route in routes
    ]
    if reslot:
        _assign_slots(trips, spec)
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


def _search_day(
    loads: list[Stop],
    spec: _Day,
    times: pd.DataFrame,
    km: pd.DataFrame,
    group_of: dict[str, str],
    day: str,
    *,
    seed: int,
    iterations: int,
    time_limit: float,
) -> tuple[list[Route], _Search, int]:
    """A day's routes: first with every coach at the first departure, slots handed out earliest deadline first;
    when that breaks a trip, the search goes on with every slot its own departure, from that answer.

    Returns the routes, the search's record and the number of searches.
    """
    first, search = _solve_indices(
        loads,
        spec,
        seed=seed,
        iterations=iterations,
        time_limit=FIRST_SHARE * time_limit,
        one_slot=True,
    )
    trips = _make_trips(first, loads, spec, times, km, group_of, day, reslot=True)
    legal = all(t.legal for t in trips) and len(trips) <= sum(spec.caps)
    slotted = [
        (t.slot, int(t.drivers == 2), route)
        for t, (_, _, route) in zip(trips, first)
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
    routes, more = _solve_indices(
        loads, spec, seed=seed, iterations=iterations, time_limit=rest, initial=slotted
    )
    more.done += search.done
    more.seconds += search.seconds
    return routes, more, 2


def _search_worker(args: tuple) -> tuple[list[Route], _Search, int]:
    loads, spec, times, km, group_of, day, kwargs = args
    return _search_day(loads, spec, times, km, group_of, day, **kwargs)


def _search_days(
    loads_of: dict[str, list[Stop]],
    spec: _Day,
    km: pd.DataFrame,
    group_of: dict[str, str],
    kwargs: dict,
    jobs: int | None,
) -> dict[str, tuple[list[Route], _Search, int]]:
    """Every day's search, days in parallel worker processes (each day seeded alike: the same plan as one by one)."""
    days = [d for d in loads_of if loads_of[d]]
    n_jobs = min(jobs or os.cpu_count() or 1, len(days))
    if n_jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return {}
    args = [(loads_of[d], spec, spec.times, km, group_of, str(d), kwargs) for d in days]
    with ProcessPoolExecutor(
        n_jobs, mp_context=multiprocessing.get_context("fork"), initializer=_die_with_parent
    ) as pool:
        return dict(zip(days, pool.map(_search_worker, args)))


def _try_day(
    loads: list[Stop],
    spec: _Day,
    times: pd.DataFrame,
    km: pd.DataFrame,
    group_of: dict[str, str],
    day: str,
    *,
    seed: int,
    iterations: int,
    time_limit: float,
    found: tuple | None = None,
) -> tuple[list[Trip], list[Stop], _Search, int]:
    """A day's trips (searched here unless `found`), the loads left over, the search's record and the number of searches."""
    routes, search, runs = found or _search_day(
        loads,
        spec,
        times,
        km,
        group_of,
        day,
        seed=seed,
        iterations=iterations,
        time_limit=time_limit,
    )
    trips = _make_trips(routes, loads, spec, times, km, group_of, day, reslot=True)
    per_slot = [sum(slot == k for slot, _, _ in routes) for k in range(len(spec.caps))]
    if not all(t.legal for t in trips) and all(n <= cap for n, cap in zip(per_slot, spec.caps)):
        own = _make_trips(
            routes, loads, spec, times, km, group_of, day, reslot=False
        )  # the solver's own slots
        if sum(t.legal for t in own) > sum(t.legal for t in trips):
            trips = own
    served = {i for t, (_, _, route) in zip(trips, routes) if t.slot >= 0 for i in route}
    trips = sorted((t for t in trips if t.slot >= 0), key=lambda t: (t.slot, t.bay))
    for n, trip in enumerate(trips, start=1):
        trip.coach = f"{day}-C{n:02d}"
    return (
        [_best_order(t, spec, times, km, group_of) for t in trips],
        [s for i, s in enumerate(loads) if i not in served],
        search,
        runs,
    )


def ride_exceptions(plan: Plan) -> pd.DataFrame:
    """People whose ride (departure to arrival) is longer than their group's limit, and why."""
    rules = plan.rules
    alloc = plan.allocation.assignments.set_index("person_id")
    notes = alloc["ride_note"] if "ride_note" in alloc.columns else pd.Series("", index=alloc.index)
    rows = []
    for trip in plan.trips:
        for n, stop in enumerate(trip.stops):
            ride = (stop.arrival_s - trip.departure_s) / 3600
            for p in stop.people:
                group = str(alloc.at[p, "group"])
                limit = rules.max_ride_hours.get(group)
                if limit is None or ride <= limit:
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
                        "group": group,
                        "centre_id": stop.centre_id,
                        "coach": trip.coach,
                        "ride_h": round(ride, 2),
                        "limit_h": limit,
                        "reason": reason,
                    }
                )
    return pd.DataFrame(
        rows,
        columns=["person_id", "day", "group", "centre_id", "coach", "ride_h", "limit_h", "reason"],
    )
