"""One search of PyVRP over a day's loads: the model, a feasible start, the stopping rule.

The model: coaches of `seats` places and at most `max_stops` stops,
one-driver coaches limited to the planned driving one driver may do
(breaks counted pro rata) and two-driver coaches to twice that, reception
hours as time windows, open routes (the way back is planned after). Every
load is optional with a prize (:data:`LOAD_PRIZE` plus its people weighted
by the rules' priorities): a day whose slots, bays, fleet or hours cannot
carry everyone carries as many as it can, vulnerable people and families
first. The objective counts each coach first, then driving time.

Needs: a load with wheelchair users rides only an accessible coach (a
vehicle type of ``accessible_seats`` seats and ``wheelchair_places``
places, the third dimension of the load; at most the day's accessible
coaches of each kind). With every coach at the first departure, a load
whose people have a ride limit must arrive within it when a direct coach
could (a time window): the search puts it first on its coach or on a
coach of its own rather than late in a round.

The search starts from a feasible plan built here (:func:`greedy_start`:
loads by priority, each inserted where it costs least or on a new coach),
so its best answer is always feasible: a day never ends with no trip
because the search found no feasible whole solution.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from pyvrp import IteratedLocalSearchParams, Model, ProblemData, Solution, SolveParams
from pyvrp import Route as PyvrpRoute
from pyvrp.IteratedLocalSearch import IteratedLocalSearchCallbacks

from abri.constants import ORIGIN
from abri.inputs.scenario import Fleet, Rules
from abri.planning.demand import priority
from abri.planning.schedule import Stop, clock_to_s, driver_limit_s, margin

log = logging.getLogger(__name__)

COACH_COST = 20 * 3600
"""Cost of one coach in the solver, as much as 20 h of driving (PyVRP's penalties must outweigh it)."""
LOAD_PRIZE = 2 * COACH_COST
"""Prize of carrying a load, whatever its size: with its people's, more than a coach of its own with two drivers costs."""
PERSON_PRIZE = COACH_COST
"""Prize of each person of a load, times the group's ride weight: when coaches run short, more and weightier people first."""
NO_IMPROVEMENT = 4_000
"""Iterations without a better solution after which a search stops."""

ACCESSIBLE_KIND = 2
"""Added to a route's kind when its coach is accessible (2: one driver, 3: two drivers)."""

Route = tuple[int, int, list[int]]
"""A coach route in the solver: slot, kind (0: one driver, 1: two drivers, plus :data:`ACCESSIBLE_KIND` for an accessible coach), indices of its loads in order."""


@dataclass
class DaySpec:
    """What one day's search needs besides the loads."""

    times: pd.DataFrame
    fleet: Fleet
    rules: Rules
    hours: dict[str, tuple[int, int]]
    departures: list[int]
    caps: list[int]  # coaches that may leave in each slot
    limit_of: dict[str, float] = field(
        default_factory=dict
    )  # person -> longest acceptable ride (h)
    accessible: int = 0  # accessible coaches the day may use


def load_limit_s(load: Stop, day: DaySpec) -> float:
    """The longest acceptable ride (s) of a load: its people's smallest limit (inf: none)."""
    return 3600 * min((day.limit_of.get(p, math.inf) for p in load.people), default=math.inf)


class SearchRecord(IteratedLocalSearchCallbacks):
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
        self.budget = time_limit  # seconds allowed, summed over parts

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

    def add(self, other: SearchRecord) -> None:
        """Count `other` (an earlier search, or another part of the day) in this record."""
        self.done += other.done
        self.seconds += other.seconds
        self.budget += other.budget


def _kinds(rules: Rules) -> list[tuple[str, float, int, int]]:
    """Coach kinds: name, duration factor (breaks pro rata), planned driving allowed, extra cost."""
    limit = int(driver_limit_s(rules))
    inflate = 1 + rules.break_minutes / 60 / rules.break_after_hours
    kinds = [("1 driver", inflate, limit, 0)]
    if rules.second_driver:
        kinds.append(("2 drivers", 1.0, 2 * limit, int(rules.second_driver_cost_hours * 3600)))
    return kinds


def build_model(
    loads: list[Stop], day: DaySpec, *, one_slot: bool
) -> tuple[Model, list[tuple[int, int]]]:
    """The PyVRP model of a day's loads, and the (slot, kind) of each vehicle type in order."""
    rules, fleet = day.rules, day.fleet
    kinds = _kinds(rules)
    model = Model()
    depot_loc = model.add_location(fleet.origin_lon, fleet.origin_lat, name=ORIGIN)
    model.add_depot(depot_loc, name=ORIGIN)
    profiles = [model.add_profile(name=name) for name, *_ in kinds]
    types: list[tuple[int, int]] = []
    slots = (
        [(day.departures[0], sum(day.caps))] if one_slot else list(zip(day.departures, day.caps))
    )
    lifts = min(day.accessible, sum(load.wheelchairs > 0 for load in loads))
    for slot, (departure, cap) in enumerate(slots):
        for acc in (0, 1) if lifts > 0 else (0,):
            n = min(cap, lifts) if acc else cap
            seats = [fleet.accessible_seats, rules.max_stops, fleet.wheelchair_places]
            for k, ((name, _, max_drive, extra), profile) in enumerate(zip(kinds, profiles)):
                if n > 0:
                    model.add_vehicle_type(
                        num_available=n,
                        capacity=seats if acc else [fleet.seats, rules.max_stops, 0],
                        fixed_cost=COACH_COST + extra,
                        max_distance=max_drive,
                        tw_early=departure,
                        start_late=departure,
                        profile=profile,
                        name=f"{name}{' accessible' if acc else ''} slot {slot}",
                    )
                    types.append((slot, k + ACCESSIBLE_KIND * acc))
    default = (clock_to_s(rules.reception_open), clock_to_s(rules.reception_close))
    ids = [ORIGIN] + [load.centre_id for load in loads]
    drive = day.times.loc[ids, ids].to_numpy() * margin(rules)
    locations = [depot_loc]
    for k, load in enumerate(loads):
        locations.append(model.add_location(0.0, 0.0, name=load.centre_id))
        opens, closes = day.hours.get(load.centre_id, default)
        if one_slot:  # within the ride limit when a direct coach arrives within it
            deadline = day.departures[0] + load_limit_s(load, day)
            if max(day.departures[0] + drive[0, k + 1], opens) <= deadline < math.inf:
                closes = min(closes, int(deadline))
        model.add_client(
            locations[-1],
            delivery=[len(load.people), 1, load.wheelchairs],
            service_duration=rules.service_minutes * 60,
            tw_early=opens,
            tw_late=closes,
            required=False,
            prize=LOAD_PRIZE + round(PERSON_PRIZE * priority(load, rules.ride_weight)),
            name=str(k),
        )
    for profile, (_, factor, _, _) in zip(profiles, kinds):
        for i, a in enumerate(locations):
            for j, b in enumerate(locations):
                if i != j:  # open routes: the way back (j == 0) is planned after
                    d = 0 if j == 0 else round(drive[i, j])
                    model.add_edge(a, b, distance=d, duration=round(d * factor), profile=profile)
    return model, types


def _cheapest_insertion(
    data: ProblemData, routes: list[list[int]], types: list[int], k: int, room: list[bool]
) -> tuple[int, list[int]] | None:
    """The route and visits where load `k` adds least duration while staying feasible (None: nowhere)."""
    best: tuple[float, int, list[int]] | None = None
    for r, (visits, vt) in enumerate(zip(routes, types)):
        if not room[r]:
            continue
        before = PyvrpRoute(data, visits, vt).duration()
        for pos in range(len(visits) + 1):
            candidate = [*visits[:pos], k, *visits[pos:]]
            route = PyvrpRoute(data, candidate, vt)
            if route.is_feasible() and (best is None or route.duration() - before < best[0]):
                best = (route.duration() - before, r, candidate)
    return None if best is None else (best[1], best[2])


def _room(data: ProblemData) -> tuple[int, int]:
    """Seats and stops of the first vehicle type (the largest coach): a first sieve before feasibility."""
    if not data.num_vehicle_types:
        return 0, 0
    capacity = data.vehicle_types()[0].capacity
    return int(capacity[0]), int(capacity[1])


def greedy_start(
    data: ProblemData,
    loads: list[Stop],
    rules: Rules,
    *,
    routes: list[tuple[int, list[int]]] | None = None,
) -> Solution:
    """A feasible solution: loads by priority (weightiest people, then largest loads), each at its cheapest feasible place.

    `routes` (vehicle type, loads) are kept where feasible; a load that fits
    no existing coach takes a new one of the first type left where it is
    feasible alone; a load feasible nowhere is left out.
    """
    left = [vt.num_available for vt in data.vehicle_types()]
    kept: list[list[int]] = []
    kept_types: list[int] = []
    for vt, visits in routes or []:
        if visits and left[vt] > 0 and PyvrpRoute(data, visits, vt).is_feasible():
            kept.append(list(visits))
            kept_types.append(vt)
            left[vt] -= 1
    served = {k for visits in kept for k in visits}
    seats, stops = _room(data)
    order = sorted(
        (k for k in range(len(loads)) if k not in served),
        key=lambda k: (
            -priority(loads[k], rules.ride_weight) / len(loads[k].people),
            -len(loads[k].people),
            k,
        ),
    )
    on_board = [sum(len(loads[k].people) for k in visits) for visits in kept]
    for k in order:
        size = len(loads[k].people)
        room = [n + size <= seats and len(v) < stops for n, v in zip(on_board, kept)]
        found = _cheapest_insertion(data, kept, kept_types, k, room)
        if found is not None:
            kept[found[0]] = found[1]
            on_board[found[0]] += size
            continue
        for vt in range(len(left)):
            if left[vt] > 0 and PyvrpRoute(data, [k], vt).is_feasible():
                kept.append([k])
                kept_types.append(vt)
                on_board.append(size)
                left[vt] -= 1
                break
    _swap_up(data, loads, kept, kept_types, [k for k in order if all(k not in v for v in kept)])
    return Solution(data, [PyvrpRoute(data, v, vt) for v, vt in zip(kept, kept_types)])


def _fills(left: list[int], size: list[int], free: int, slots: int) -> list[list[int]]:
    """Ways to fill `free` seats with at most `slots` loads left out: largest first, under each size cap; fullest first."""
    out: dict[tuple[int, ...], int] = {}
    for cap in sorted({size[k] for k in left if size[k] <= free}, reverse=True):
        picked: list[int] = []
        room = free
        for k in left:  # sorted by size, largest first
            if size[k] <= min(cap, room) and len(picked) < slots:
                picked.append(k)
                room -= size[k]
        out.setdefault(tuple(picked), free - room)
    return [list(p) for p, _ in sorted(out.items(), key=lambda item: -item[1])]


def _swap_up(
    data: ProblemData,
    loads: list[Stop],
    routes: list[list[int]],
    types: list[int],
    left: list[int],
) -> None:
    """When coaches run short: one load of a coach traded for loads left out that carry more people, where feasible."""
    size = [len(load.people) for load in loads]
    seats, stops = _room(data)
    left = sorted(left, key=lambda k: (-size[k], k))
    for r in range(len(routes)):
        for i in list(routes[r]):
            rest = [k for k in routes[r] if k != i]
            free = seats - sum(size[k] for k in rest)
            for picked in _fills(left, size, free, stops - len(rest)):
                if sum(size[k] for k in picked) <= size[i]:
                    break
                if PyvrpRoute(data, [*rest, *picked], types[r]).is_feasible():
                    routes[r] = [*rest, *picked]
                    left = sorted(
                        [k for k in left if k not in picked] + [i], key=lambda k: (-size[k], k)
                    )
                    break
            if i not in routes[r]:
                break


def solve_routes(
    loads: list[Stop],
    day: DaySpec,
    *,
    seed: int,
    iterations: int,
    time_limit: float,
    one_slot: bool = False,
    initial: list[Route] | None = None,
) -> tuple[list[Route], SearchRecord]:
    """Group loads into coach routes with PyVRP from a feasible start; the routes and the search's record.

    Each slot offers ``caps[slot]`` coaches of each kind (one driver: planned
    driving inflated by its breaks pro rata; two drivers: no breaks, a
    second driver's cost); with `one_slot`, every coach of the day leaves at
    the first departure. `initial` routes are kept in the start where feasible.
    """
    bound = max(  # each coach has its seats and stops at most max_stops centres
        -(-sum(len(s.people) for s in loads) // day.fleet.seats),
        -(-len({s.centre_id for s in loads}) // day.rules.max_stops),
    )
    search = SearchRecord(bound, iterations, time_limit, len(loads))
    if not loads or not any(day.caps):
        return [], search
    model, types = build_model(loads, day, one_slot=one_slot)
    data, index = model.data(), {t: i for i, t in enumerate(types)}
    kinds = len(_kinds(day.rules))
    keys = [
        (slot, min(kind % ACCESSIBLE_KIND, kinds - 1) + kind // ACCESSIBLE_KIND * ACCESSIBLE_KIND)
        for slot, kind, _ in initial or []
    ]
    given = [
        (index[key], route)
        for key, (_, _, route) in zip(keys, initial or [])
        if route and key in index
    ]
    start = greedy_start(data, loads, day.rules, routes=given)
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
    best = result.best if result.best.is_feasible() else start
    return [
        (*types[r.vehicle_type()], [a.idx for a in r.schedule() if a.is_client()])
        for r in best.routes()
    ], search
