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
from typing import TYPE_CHECKING

import pandas as pd
from pyvrp import Model
from pyvrp.stop import MaxIterations
from tqdm.auto import tqdm

from abri.constants import ORIGIN
from abri.geo.scenario import Fleet, Rules
from abri.routing.allocation import Allocation
from abri.routing.schedule import Stop, Trip, clock_to_s, schedule

if TYPE_CHECKING:
    import geopandas as gpd

    from abri.routing.graph import RoadGraph

log = logging.getLogger(__name__)


@dataclass
class Plan:
    """Trips of every day, and who could not travel."""

    trips: list[Trip]
    allocation: Allocation
    fleet: Fleet
    rules: Rules
    not_carried: pd.DataFrame = field(default_factory=pd.DataFrame)  # person_id, day, centre_id, reason
    method: str = "pyvrp"

    def __repr__(self) -> str:
        carried = sum(t.people for t in self.trips)
        return (f"Plan({self.method}: {len(self.trips)} trips over {len({t.day for t in self.trips})} days, {carried:,} carried, "
                f"{len(self.not_carried):,} not carried, {sum(not t.legal for t in self.trips)} illegal)")

    def trips_frame(self) -> pd.DataFrame:
        """One row per trip; times as ``Timestamp``, durations as ``Timedelta``, km (see :mod:`abri.routing.outputs`).

        Examples
        --------
        >>> run.plan.trips_frame()[["coach", "departure", "last_arrival", "people", "km"]].head()  # doctest: +SKIP
        """
        from abri.routing.outputs import trips_frame

        return trips_frame(self)

    def stops_frame(self, names: dict[str, str] | None = None) -> pd.DataFrame:
        """One row per stop: coach, centre, arrival (``Timestamp``), ride (``Timedelta``), people by group.

        Examples
        --------
        >>> run.plan.stops_frame().query("centre_id == 'CAO-001'")  # doctest: +SKIP
        """
        from abri.routing.outputs import stops_frame

        return stops_frame(self, names)

    def to_geodataframe(self, graph: RoadGraph, snapped: pd.DataFrame, *, points: dict[str, tuple[float, float]] | None = None,
                        tolerance: float = 0.0) -> gpd.GeoDataFrame:
        """Trips as lines along their roads (EPSG:4326); see :func:`abri.routing.geometry.trip_lines`.

        Examples
        --------
        >>> lines = run.plan.to_geodataframe(run.graph, run.snapped, points=run.points)  # doctest: +SKIP
        >>> lines.explore(color=lines["colour"])  # doctest: +SKIP
        """
        from abri.routing.geometry import trip_lines

        return trip_lines(graph, snapped, self.trips, tolerance=tolerance, points=points)


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


def _solve_day(remainders: list[Stop], times: pd.DataFrame, coaches: int, fleet: Fleet, rules: Rules, *, seed: int,
               iterations: int, hours: dict[str, tuple[int, int]], shared_pool: bool = False) -> tuple[list[list[Stop]], list[Stop]]:
    """Group remainder loads into coach routes with PyVRP; returns routes and loads left over.

    One-driver coaches see driving times inflated by their breaks (pro rata,
    an upper bound of the exact schedule); two-driver coaches do not stop.
    PyVRP counts each vehicle type on its own, so when the two types together
    would use more coaches than the day has, the day is solved again with a
    single two-driver-capable type (``shared_pool``).
    """
    if not remainders or coaches <= 0:
        return [], list(remainders)
    limit = int(rules.max_driving_hours * 3600)
    inflate = 1 + rules.break_minutes / 60 / rules.break_after_hours
    fixed = 20 * 3600  # one more coach costs as much as 20 h of driving
    departure = clock_to_s(rules.departure)
    model = Model()
    depot_loc = model.add_location(fleet.origin_lon, fleet.origin_lat, name=ORIGIN)
    model.add_depot(depot_loc, name=ORIGIN)
    kinds = []  # (profile, duration factor)
    two_drivers = rules.second_driver
    if not shared_pool:
        single = model.add_profile(name="1 driver")
        model.add_vehicle_type(num_available=coaches, capacity=[fleet.seats, rules.max_stops], fixed_cost=fixed,
                               max_distance=limit, tw_early=departure, profile=single, name="1 driver")
        kinds.append((single, inflate))
    if two_drivers or shared_pool:
        double = model.add_profile(name="2 drivers")
        extra = int(rules.second_driver_cost_hours * 3600) if not shared_pool else 0
        model.add_vehicle_type(num_available=coaches, capacity=[fleet.seats, rules.max_stops], fixed_cost=fixed + extra,
                               max_distance=2 * limit if two_drivers else limit, tw_early=departure, profile=double, name="2 drivers")
        kinds.append((double, 1.0 if two_drivers else inflate))
    default = (clock_to_s(rules.reception_open), clock_to_s(rules.reception_close))
    locations = [depot_loc]
    for k, load in enumerate(remainders):
        loc = model.add_location(0.0, 0.0, name=load.centre_id)
        locations.append(loc)
        opens, closes = hours.get(load.centre_id, default)
        model.add_client(loc, delivery=[len(load.people), 1], service_duration=rules.service_minutes * 60,
                         tw_early=opens, tw_late=closes, required=False, prize=10 * fixed, name=str(k))
    ids = [ORIGIN] + [load.centre_id for load in remainders]
    drive = times.loc[ids, ids].to_numpy()
    for profile, factor in kinds:
        for i, a in enumerate(locations):
            for j, b in enumerate(locations):
                if i != j:  # open routes: the way back (j == 0) is not part of the plan
                    d = 0 if j == 0 else int(round(drive[i, j]))
                    model.add_edge(a, b, distance=d, duration=int(round(d * factor)), profile=profile)
    result = model.solve(stop=MaxIterations(iterations), seed=seed, display=False)
    routes = [[remainders[int(model.clients[a.idx].name)] for a in r.schedule() if a.is_client()] for r in result.best.routes()]
    if len(routes) > coaches and not shared_pool:
        return _solve_day(remainders, times, coaches, fleet, rules, seed=seed, iterations=iterations, hours=hours, shared_pool=True)
    served = {id(s) for route in routes for s in route}
    return routes, [s for s in remainders if id(s) not in served]


def plan_coaches(allocation: Allocation, times: pd.DataFrame, km: pd.DataFrame, fleet: Fleet, rules: Rules,
                 *, hours: dict[str, tuple[int, int]] | None = None, seed: int = 1, iterations: int = 2_000,
                 progress: bool = False) -> Plan:
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
    hours
        Reception hours per centre id (see :func:`~abri.routing.schedule.reception_hours`);
        centres not listed use the rules' default.
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
        available = fleet.coaches_per_day - len(direct)
        routes, dropped = _solve_day(rest, times, available, fleet, rules, seed=seed, iterations=iterations, hours=hours or {})
        short = "fleet too small for this day"
        out_of_reach = "no legal trip reaches this centre within its reception hours"
        fleet_used_up = len(routes) >= available
        for load, reason in [(f, short) for f in full[fleet.coaches_per_day :]] + [(d, short if fleet_used_up else out_of_reach) for d in dropped]:
            left += [{"person_id": p, "day": day, "centre_id": load.centre_id, "reason": reason} for p in load.people]
        for n, stops in enumerate([[load] for load in direct] + routes, start=1):
            trip = Trip(coach=f"{day}-C{n:02d}", day=day, stops=stops)
            trips.append(schedule(_legs(trip, times, km), rules, hours=hours))
    not_carried = pd.DataFrame(left, columns=["person_id", "day", "centre_id", "reason"])
    return Plan(trips, allocation, fleet, rules, not_carried)
