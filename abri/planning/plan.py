"""The coach plan: for each day, trips from the origin that carry as many of the people placed as the day allows.

Each day's demand (:mod:`abri.planning.demand`: loads of whole households)
is a capacitated vehicle routing problem with optional loads, solved with
PyVRP from a feasible start (:mod:`abri.planning.search`); boarding slots,
stop order and the repair of any trip that breaks a rule follow
(:mod:`abri.planning.days`); a large day is searched in parts, on any
executor (:mod:`abri.planning.parts`). Every trip is scheduled and checked
(:mod:`abri.planning.schedule`) and its way back planned; a trip that would
break a rule is repaired before the plan is returned, so no illegal trip
leaves the planner. People a day cannot carry are listed with the limit
that stopped them (boarding slots, the fleet, reception hours, a rule).

Needs: only the coach pathways ride (:data:`~abri.planning.demand.COACH_PATHWAYS`);
wheelchair users ride accessible coaches (at most the fleet's a day, or
they are not carried, with the reason ``accessible-coach: ...``); rides
over a person's limit and late arrivals of minors and vulnerable people
are avoided where the day allows, and every one left is a row of
``Plan.shortfalls`` with its cause.

A day's search stops at the first of: the lower bound (people / seats,
rounded up) reached, ``time_limit`` seconds (per part), ``iterations``
iterations, or a long run without improvement; the plan records which one,
the parts and the budget (only a time limit makes a plan depend on the
machine's speed).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd
from tqdm import tqdm  # plain bars: tqdm.auto warns in notebooks without ipywidgets

from abri.constants import ORIGIN
from abri.defaults import DEFAULT_ITERATIONS, DEFAULT_TIME_LIMIT
from abri.inputs.scenario import Fleet, Rules, check_rules
from abri.planning.allocation import Allocation
from abri.planning.coach_needs import (
    SHORTFALL_COLUMNS,
    ease,
    limit_accessible,
    rescue,
    shortfalls_frame,
)
from abri.planning.coach_needs import ride_exceptions as ride_exceptions
from abri.planning.days import day_trips, repair, slot_caps
from abri.planning.demand import accessible_per_day, coach_demand, plan_demand, ride_limits
from abri.planning.parts import PART_LOADS, search_days
from abri.planning.schedule import (
    ACCESSIBLE,
    Stop,
    Trip,
    after_drop,
    legal_with_extra,
    s_to_clock,
    slot_departures,
)
from abri.planning.search import DaySpec, SearchRecord
from abri.planning.tables import day_row, stops_frame, trips_frame
from abri.processes import Mapper, process_map

if TYPE_CHECKING:
    pass

EXTRA_MARGINS = (5, 10, 20)
"""Road times this many % longer than the data: the plan reports how many trips stay legal."""
NOT_CARRIED = ["person_id", "day", "centre_id", "reason"]


@dataclass
class Plan:
    """Trips of every day, and who could not travel.

    ``days`` has one row per day: people, the lower bound on coaches
    (people / seats, rounded up), trips, the gap, and why the search
    stopped. ``legal_at`` counts the trips that stay legal when road times
    are 5, 10 and 20 % longer than the data. ``ride_exceptions`` lists the
    people whose ride is longer than their limit, with the reason;
    ``shortfalls`` every need not met on a coach (person_id, day, centre_id,
    coach, code ``ride-limit``, ``late-arrival`` or ``accessible-coach``,
    detail with the cause).
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
    shortfalls: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=SHORTFALL_COLUMNS)
    )

    # -- analyst API: the plan as tables (abri.planning.tables); its lines along the roads: PlanRun.trip_lines --
    def __repr__(self) -> str:
        carried = sum(t.people for t in self.trips)
        return (
            f"Plan({self.method}: {len(self.trips)} trips over {len({t.day for t in self.trips})} days, {carried:,} carried, "
            f"{len(self.not_carried):,} not carried, {sum(not t.legal for t in self.trips)} illegal)"
        )

    def trips_frame(self) -> pd.DataFrame:
        """One row per trip; times as ``Timestamp``, durations as ``Timedelta``, km (see :mod:`abri.planning.tables`).

        Examples
        --------
        >>> run.plan.trips_frame()[
        ...     ["coach", "departure", "last_arrival", "people", "km"]
        ... ].head()  # doctest: +SKIP
        """
        return trips_frame(self)

    def stops_frame(self, names: dict[str, str] | None = None) -> pd.DataFrame:
        """One row per stop: coach, centre, arrival (``Timestamp``), ride (``Timedelta``), people by group.

        Examples
        --------
        >>> run.plan.stops_frame().query("centre_id == 'CAO-001'")  # doctest: +SKIP
        """
        return stops_frame(self, names)


def _day_offsets(days: list[str]) -> dict[str, float]:
    """Seconds from the first day's midnight to each day's midnight (dates when they parse, else one day apart)."""
    dates = pd.to_datetime(pd.Series(days, dtype=object), errors="coerce", format="mixed")
    if dates.notna().all() and len(days):
        return {d: float((t - dates.min()).total_seconds()) for d, t in zip(days, dates)}
    return {d: 86_400.0 * k for k, d in enumerate(days)}


def _rows(stops: list[Stop], day: str, reason: str) -> list[dict[str, str]]:
    return [
        {"person_id": p, "day": day, "centre_id": s.centre_id, "reason": reason}
        for s in stops
        for p in s.people
    ]


def shortage_reason(
    rules: Rules, departures: list[int], coaches: int, free_by: list[int] | None
) -> str:
    """The limit that stops a day's coaches: boarding slots, the fleet, or (named fleet) coaches not back."""
    if rules.bays * len(departures) < min(coaches, free_by[-1] if free_by else coaches):
        return f"no boarding slot left this day ({rules.bays} bays x {len(departures)} slots)"
    if free_by is None:
        return "fleet too small for this day"
    return "fleet too small for this day: no other coach of the fleet is back at the origin in time"


class _Coaches:
    """Named fleet: when each coach is back at the origin (s from the first day), and who runs each trip."""

    def __init__(self, fleet: Fleet, days: list[str], rules: Rules) -> None:
        self.free_at = {coach: -math.inf for coach in fleet.coaches}
        self.accessible = set(fleet.accessible_coaches)
        self.accessible_seats = fleet.accessible_seats
        self.offsets = _day_offsets(days)
        self.boarding = rules.boarding_minutes * 60

    def free_by(self, day: str, departures: list[int]) -> list[int] | None:
        """Coaches back by each slot's boarding (None for coaches hired by the day)."""
        if not self.free_at:
            return None
        start = self.offsets[day] - self.boarding
        return [sum(start + d >= f for f in self.free_at.values()) for d in departures]

    def assign(self, trip: Trip) -> bool:
        """Give `trip` the first coach back by its boarding (an accessible one only if it must or has room); False when none is."""
        if not self.free_at:
            return True
        needs_lift = trip.vehicle_kind == ACCESSIBLE
        ready = sorted(
            (c in self.accessible, f, c)
            for c, f in self.free_at.items()
            if f <= self.offsets[trip.day] + trip.boarding_s
            and (c in self.accessible or not needs_lift)
            and (c not in self.accessible or trip.people <= self.accessible_seats)
        )
        if not ready:
            return False
        trip.vehicle = ready[0][2]
        if ready[0][0]:
            trip.vehicle_kind = ACCESSIBLE
        self.free_at[trip.vehicle] = self.offsets[trip.day] + trip.free_at_s
        return True


def _way_back(
    trips: list[Trip], rules: Rules, times: pd.DataFrame, km: pd.DataFrame, coaches: _Coaches
) -> tuple[list[Trip], list[dict[str, str]]]:
    """The way back of each trip, boarding times, and (named fleet) the coach that runs it."""
    kept, left = [], []
    for trip in sorted(trips, key=lambda t: (t.slot, t.bay)):
        last = trip.stops[-1].centre_id
        after_drop(trip, rules, float(times.at[last, ORIGIN]), float(km.at[last, ORIGIN]) / 1000)
        trip.boarding_s = trip.departure_s - rules.boarding_minutes * 60
        if coaches.assign(trip):
            kept.append(trip)
        else:
            lift = "accessible-coach: no accessible" if trip.vehicle_kind == ACCESSIBLE else "no"
            reason = (
                f"{lift} coach of the fleet is back at the origin by {s_to_clock(trip.boarding_s)}"
            )
            left += _rows(trip.stops, trip.day, reason)
    return kept, left


@dataclass
class _Context:
    """What every day of a plan shares."""

    times: pd.DataFrame
    km: pd.DataFrame
    fleet: Fleet
    rules: Rules
    hours: dict[str, tuple[int, int]]
    departures: list[int]
    n_coaches: int
    group_of: dict[str, str]
    limit_of: dict[str, float]
    kwargs: dict[str, Any]
    mapper: Mapper
    part_size: int


def _plan_day(
    ctx: _Context, day: str, loads: list[Stop], found: dict[str, tuple], coaches: _Coaches
) -> tuple[list[Trip], list[dict[str, str]]]:
    """A day's legal trips (searched now unless `found`), and the people it leaves, with the limit that stopped them."""
    rules, departures = ctx.rules, ctx.departures
    free_by = coaches.free_by(day, departures)
    caps = slot_caps(departures, rules.bays, ctx.n_coaches, free_by)
    spec = _spec(ctx, caps)
    if day not in found:
        found.update(
            search_days(
                {day: loads},
                {day: spec},
                ctx.km,
                ctx.group_of,
                ctx.kwargs,
                ctx.mapper,
                part_size=ctx.part_size,
            )
        )
    found.setdefault(day, ([], SearchRecord(0, 0, 0.0), 0, 0))
    today, dropped = day_trips(found[day][0], loads, spec, ctx.km, ctx.group_of, str(day))
    reason = (
        shortage_reason(rules, departures, ctx.n_coaches, free_by)
        if len(today) >= sum(caps) and dropped
        else "no legal trip reaches this centre within its reception hours"
    )
    today, repaired = repair(today, spec, ctx.km)
    today, no_lift = limit_accessible(today, spec, ctx.km, ctx.group_of)
    unplanned = [(s, reason) for s in dropped] + repaired + no_lift
    today, still = rescue(unplanned, today, spec, ctx.km, day)
    left = [row for stop, why in still for row in _rows([stop], day, why)]
    today = ease(today, spec, ctx.km)
    today, not_back = _way_back(today, rules, ctx.times, ctx.km, coaches)
    return today, left + not_back


def _spec(ctx: _Context, caps: list[int]) -> DaySpec:
    """A day's search spec with these slot caps."""
    return DaySpec(
        ctx.times,
        ctx.fleet,
        ctx.rules,
        ctx.hours,
        ctx.departures,
        caps,
        limit_of=ctx.limit_of,
        accessible=accessible_per_day(ctx.fleet),
    )


def _search_all(ctx: _Context, loads_of: dict[str, list[Stop]]) -> dict[str, tuple]:
    """Every day's search at once (coaches hired by the day: days do not depend on each other)."""
    caps = slot_caps(ctx.departures, ctx.rules.bays, ctx.n_coaches, None)
    specs = dict.fromkeys(loads_of, _spec(ctx, caps))
    return search_days(
        loads_of, specs, ctx.km, ctx.group_of, ctx.kwargs, ctx.mapper, part_size=ctx.part_size
    )


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
    mapper: Mapper | None = None,
    part_size: int = PART_LOADS,
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
        (per part of a large day; the same inputs and seed give the same plan unless a
        search stops on its time limit: see ``Plan.days``; a `time_limit` of 0 means none).
    jobs, mapper
        Worker processes that search days (and parts of days) at once (default: one per
        core), or an executor's map to run them on (e.g. Dask's; see
        :mod:`abri.planning.parts`). With a fleet given coach by coach, days are searched in turn.
    part_size
        Loads above which a day is searched in parts of about this size (by region).
    """
    check_rules(rules, "rules")
    hours = hours or {}
    placed = coach_demand(allocation.placed)
    group_of = dict(zip(placed["person_id"], placed["group"]))
    days = sorted(placed["day"].unique())
    departures = slot_departures(rules)
    loads_of, left = plan_demand(days, placed, fleet, group_of)
    n_coaches = min(fleet.coaches_per_day, len(fleet.coaches) or fleet.coaches_per_day)
    kwargs: dict[str, Any] = {"seed": seed, "iterations": iterations, "time_limit": time_limit}
    ctx = _Context(
        times,
        km,
        fleet,
        rules,
        hours,
        departures,
        n_coaches,
        group_of,
        ride_limits(placed, rules),
        kwargs,
        mapper or process_map(jobs),
        part_size,
    )
    found = {} if fleet.coaches else _search_all(ctx, loads_of)
    coaches = _Coaches(fleet, days, rules)
    trips: list[Trip] = []
    days_rows: list[dict] = []
    for day in tqdm(days, desc="coach plan", unit="day", disable=not progress, leave=False):
        start = time.perf_counter()
        today, rows = _plan_day(ctx, day, loads_of[day], found, coaches)
        trips += today
        left += rows
        row = day_row(
            day, int((placed["day"] == day).sum()), fleet.seats, today, found[day], departures
        )
        days_rows.append({**row, "seconds": round(time.perf_counter() - start, 1)})
    plan = Plan(
        trips,
        allocation,
        fleet,
        rules,
        pd.DataFrame(left, columns=NOT_CARRIED),
        days=days_rows,
        hours=hours,
    )
    plan.legal_at = {
        f"+{x}%": sum(legal_with_extra(t, rules, x, hours=hours) for t in trips)
        for x in EXTRA_MARGINS
    }
    plan.ride_exceptions = ride_exceptions(plan)
    plan.shortfalls = shortfalls_frame(plan, times, hours)
    return plan
