"""The coach plan: for each day, trips from the origin that carry everyone placed.

A centre that needs a full coach or more gets direct coaches first; the
rest of each day's demand is a capacitated vehicle routing problem solved
with PyVRP (hybrid genetic search): coaches of `seats` places, at most
`max_stops` stops, one-driver coaches limited to 9 h of driving and
two-driver coaches to 18 h, reception hours as time windows, open routes
(coaches do not return the same day). The objective counts each coach
first, then driving time. Driver breaks are then scheduled exactly and
every trip is checked (see :mod:`abri.routing.schedule`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pyvrp import Model
from pyvrp.stop import MaxIterations
from tqdm.auto import tqdm

from abri.geo.scenario import Fleet, Rules
from abri.routing.allocation import Allocation
from abri.routing.schedule import Stop, Trip, clock_to_s, schedule

log = logging.getLogger(__name__)
ORIGIN = "ORIGIN"


@dataclass
class Plan:
    """Trips of every day, and who could not travel."""

    trips: list[Trip]
    allocation: Allocation
    fleet: Fleet
    rules: Rules
    not_carried: pd.DataFrame = field(default_factory=pd.DataFrame)  # person_id, day, centre_id, reason
    method: str = "pyvrp"


def _stop(centre_id: str, households: list[list[str]], group_of: dict[str, str]) -> Stop:
    people = [p for h in households for p in h]
    counts = pd.Series([group_of[p] for p in people]).value_counts()
    return Stop(centre_id, people, {str(k): int(v) for k, v in counts.items()}, households=households)


def _pack(households: list[list[str]], size: float) -> list[list[list[str]]]:
    """Cut a list of households into parts of at most `size` people (a larger household stands alone)."""
    parts: list[list[list[str]]] = [[]]
    for members in households:
        if parts[-1] and sum(map(len, parts[-1])) + len(members) > size:
            parts.append([])
        parts[-1].append(members)
    return parts


def day_demand(day: str, placed: pd.DataFrame, seats: int) -> list[Stop]:
    """Each centre's people that day as full coach loads plus one remainder; households never split."""
    today = placed[placed["day"] == day]
    group_of = dict(zip(today["person_id"], today["group"]))
    loads: list[Stop] = []
    for centre_id, people in today.groupby("centre_id", sort=True):
        households = sorted((list(h["person_id"]) for _, h in people.groupby("household", sort=True)), key=len, reverse=True)
        loads += [_stop(str(centre_id), part, group_of) for part in _pack(households, seats)]
    return loads


def split_load(load: Stop, group_of: dict[str, str], parts: int = 2) -> list[Stop]:
    """One load as `parts` smaller loads of whole households, so that coaches can share a centre."""
    pieces = _pack(load.households, -(-len(load.people) // parts)) if len(load.households) > 1 else [load.households]
    return [_stop(load.centre_id, piece, group_of) for piece in pieces]


def _legs(trip: Trip, times: pd.DataFrame, km: pd.DataFrame) -> Trip:
    previous = ORIGIN
    for stop in trip.stops:
        stop.leg_s = float(times.at[previous, stop.centre_id])
        stop.leg_km = float(km.at[previous, stop.centre_id]) / 1000
        previous = stop.centre_id
    return trip


def _solve_day(remainders: list[Stop], times: pd.DataFrame, coaches: int, fleet: Fleet, rules: Rules, *, seed: int, iterations: int) -> tuple[list[list[Stop]], list[Stop]]:
    """Group remainder loads into coach routes with PyVRP; returns routes and loads left over."""
    if not remainders or coaches <= 0:
        return [], list(remainders)
    limit = int(rules.max_driving_hours * 3600)
    inflate = 1 + rules.break_minutes / 60 / rules.break_after_hours  # breaks, pro rata (an upper bound)
    fixed = 20 * 3600  # one more coach costs as much as 20 h of driving
    model = Model()
    depot_loc = model.add_location(fleet.origin_lon, fleet.origin_lat, name=ORIGIN)
    model.add_depot(depot_loc, name=ORIGIN)
    departure = clock_to_s(rules.departure)
    model.add_vehicle_type(num_available=coaches, capacity=[fleet.seats, rules.max_stops], fixed_cost=fixed,
                           max_distance=limit, tw_early=departure, name="1 driver")
    if rules.second_driver:
        model.add_vehicle_type(num_available=coaches, capacity=[fleet.seats, rules.max_stops],
                               fixed_cost=fixed + int(rules.second_driver_cost_hours * 3600),
                               max_distance=2 * limit, tw_early=departure, name="2 drivers")
    open_t, close_t = clock_to_s(rules.reception_open), clock_to_s(rules.reception_close)
    locations = [depot_loc]
    for k, load in enumerate(remainders):
        loc = model.add_location(0.0, 0.0, name=load.centre_id)
        locations.append(loc)
        model.add_client(loc, delivery=[len(load.people), 1], service_duration=rules.service_minutes * 60,
                         tw_early=open_t, tw_late=close_t, required=False, prize=10 * fixed, name=str(k))
    ids = [ORIGIN] + [load.centre_id for load in remainders]
    drive = times.loc[ids, ids].to_numpy()
    for i, a in enumerate(locations):
        for j, b in enumerate(locations):
            if i == j:
                continue
            if j == 0:  # open routes: the way back is not part of the plan
                model.add_edge(a, b, distance=0, duration=0)
            else:
                model.add_edge(a, b, distance=int(round(drive[i, j])), duration=int(round(drive[i, j] * inflate)))
    result = model.solve(stop=MaxIterations(iterations), seed=seed, display=False)
    routes, served = [], set()
    for route in result.best.routes():
        stops = [remainders[int(model.clients[a.idx].name)] for a in route.schedule() if a.is_client()]
        served.update(id(s) for s in stops)
        routes.append(stops)
    if not result.best.is_feasible():
        log.warning("PyVRP found no feasible solution; the plan keeps what it found and flags illegal trips")
    return routes, [s for s in remainders if id(s) not in served]


def plan_coaches(allocation: Allocation, times: pd.DataFrame, km: pd.DataFrame, fleet: Fleet, rules: Rules,
                 *, seed: int = 1, iterations: int = 2_000, progress: bool = False) -> Plan:
    """Coach trips for every day of the allocation.

    Parameters
    ----------
    allocation
        Who goes to which centre, by day.
    times, km
        Door-to-door driving time (s) and distance (m) between ``ORIGIN``
        and centre ids (both axes).
    fleet, rules
        Coaches and seats per day; stops, driver and reception rules.
    seed, iterations
        PyVRP's seed and iteration budget (the same inputs and seed give
        the same plan).
    """
    trips: list[Trip] = []
    left: list[dict[str, str]] = []
    placed = allocation.placed
    days = sorted(placed["day"].unique())
    for day in tqdm(days, desc="coach plan", unit="day", disable=not progress, leave=False):
        loads = day_demand(day, placed, fleet.seats)
        full = [load for load in loads if len(load.people) == fleet.seats]
        group_of = dict(zip(placed["person_id"], placed["group"]))
        rest = [part for load in loads if len(load.people) < fleet.seats
                for part in (split_load(load, group_of) if len(load.people) > fleet.seats // 2 else [load])]
        direct = full[: fleet.coaches_per_day]
        routes, dropped = _solve_day(rest, times, fleet.coaches_per_day - len(direct), fleet, rules, seed=seed, iterations=iterations)
        for load in full[fleet.coaches_per_day :] + dropped:
            left += [{"person_id": p, "day": day, "centre_id": load.centre_id, "reason": "fleet too small for this day"} for p in load.people]
        for n, stops in enumerate([[load] for load in direct] + routes, start=1):
            trip = Trip(coach=f"{day}-C{n:02d}", day=day, stops=stops)
            trips.append(schedule(_legs(trip, times, km), rules))
    not_carried = pd.DataFrame(left, columns=["person_id", "day", "centre_id", "reason"])
    return Plan(trips, allocation, fleet, rules, not_carried)
