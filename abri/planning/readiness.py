"""The readiness model: people by group and day against places, solved exactly by SciPy's HiGHS.

The allocation's model (:mod:`abri.planning.allocation`): a group goes only
where it is accepted, each household into one centre, capacity respected,
places taken by earlier days stay taken, and a centre counts from the
morning of its opening date. Solved for the fewest people without a place
(a MILP: flows for people travelling alone, binaries for households), for
all days and for each day's people so far. Preferences change costs, not
feasibility, so this first solve leaves them out. Groups that share no
centre are solved apart.

Where places are missing, a second solve fixes their number at that
minimum and lets them be added per department and group at the least
cost: coach time from the origin, the preference penalty outside both
preferred regions, and a rising cost per further block of places in one
department (so the asks are spread).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_matrix

from abri.constants import GROUPS
from abri.errors import AbriError
from abri.inputs.scenario import Rules
from abri.planning.allocation import ride_estimate_h
from abri.planning.readiness_demand import Demand, need_of
from abri.planning.readiness_needs import Need, Services, services_of

DETOUR = 1.3
"""Road distance over straight-line distance, for the coach-time estimate."""
COACH_KMH = 80.0
"""Mean coach speed of the straight-line estimate (km/h)."""
SPREAD_PLACES = 50
"""Extra places asked of one department for one group before the next block costs more."""
SPREAD_HOURS = 2.0
"""Cost of each further block of extra places in one department, per place, in hours of travel."""
TIME_LIMIT_S = 60.0
"""Limit of each HiGHS solve; a solve stopped by it is reported as not proven exact."""


def straight_time_s(lon: np.ndarray, lat: np.ndarray, origin: tuple[float, float]) -> np.ndarray:
    """Estimated coach time (s) from `origin`: great-circle km x :data:`DETOUR` at :data:`COACH_KMH`."""
    lon1, lat1 = np.radians(origin[0]), np.radians(origin[1])
    lon2, lat2 = np.radians(np.asarray(lon, float)), np.radians(np.asarray(lat, float))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    km = 2 * 6371.0 * np.arcsin(np.sqrt(a))
    return np.asarray(km * DETOUR / COACH_KMH * 3600.0)


class _Milp:
    """A small sparse MILP: variables with costs and bounds, rows of (column, coefficient)."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.upper: list[float] = []
        self.integer: list[int] = []
        self.r: list[int] = []
        self.c: list[int] = []
        self.v: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

    def var(self, cost: float, upper: float = np.inf, integer: bool = True) -> int:
        self.cost.append(cost)
        self.upper.append(upper)
        self.integer.append(int(integer))
        return len(self.cost) - 1

    def row(self, entries: list[tuple[int, float]], lo: float, hi: float) -> None:
        n = len(self.lo)
        for col, value in entries:
            self.r.append(n)
            self.c.append(col)
            self.v.append(value)
        self.lo.append(lo)
        self.hi.append(hi)

    def solve(self, time_limit: float) -> tuple[np.ndarray, bool]:
        """Values of the variables and whether HiGHS proved them optimal."""
        if not self.cost:
            return np.zeros(0), True
        matrix = coo_matrix(
            (
                np.asarray(self.v, dtype=float),
                (np.asarray(self.r, dtype=np.int64), np.asarray(self.c, dtype=np.int64)),
            ),
            shape=(len(self.lo), len(self.cost)),
        ).tocsr()
        result = milp(
            np.asarray(self.cost),
            integrality=np.asarray(self.integer),
            bounds=Bounds(0, np.asarray(self.upper)),
            constraints=[LinearConstraint(matrix, self.lo, self.hi)] if self.lo else [],
            options={"time_limit": time_limit, "mip_rel_gap": 1e-6},
        )
        if result.x is None:
            msg = f"the readiness model could not be solved within {time_limit:g} s ({result.message})"
            raise AbriError(msg)
        return np.round(result.x), bool(result.status == 0)


@dataclass
class Supply:
    """Centres as arrays for the model, with what they offer for the needs."""

    ids: np.ndarray
    capacity: np.ndarray
    accepts: dict[str, np.ndarray]  # group -> bool per centre
    opens_on: np.ndarray  # ISO date, "" when always open
    region: np.ndarray
    time_s: np.ndarray
    services: Services

    def eligible(self, group: str, day: str, need: Need | None = None) -> np.ndarray:
        """Indices of the centres that take `group` on the morning of `day` and meet `need`."""
        ok = (
            self.accepts.get(group, np.zeros(len(self.ids), bool))
            & (self.opens_on <= day)
            & (self.capacity > 0)
        )
        if need is not None:
            ok &= self.services.meets(need)
        return np.flatnonzero(ok & np.isfinite(self.time_s))


def supply_arrays(centres: pd.DataFrame, rules: Rules | None = None) -> Supply:
    """The model's arrays of checked centres with ``time_s`` (coach time from the origin)."""
    groups = centres["groups"].astype(str).str.split(";")
    rules = rules or Rules()
    ride_h = ride_estimate_h(centres["time_s"], rules).to_numpy(float)
    return Supply(
        centres["id"].astype(str).to_numpy(),
        centres["capacity"].to_numpy(int),
        {g: groups.map(lambda gs, g=g: g in gs).to_numpy(bool) for g in GROUPS},
        centres["opens_on"].fillna("").astype(str).to_numpy()
        if "opens_on" in centres
        else np.full(len(centres), ""),
        centres["region"].astype(str).to_numpy(),
        centres["time_s"].to_numpy(float),
        services_of(centres, ride_h, rules),
    )


@dataclass
class Sites:
    """Where extra places may be asked for: ``candidates`` rows (``departement``, ``region``,
    ``time_s``, ``site``: "" for a department's reference town, else a centre whose care it shares)."""

    frame: pd.DataFrame
    services: Services

    def best(self, need: Need, region: str | None = None) -> list[tuple[str, float, int]]:
        """Per department (of `region`), the nearest site where a new place meets `need`: (departement, time_s, row)."""
        f = self.frame
        ok = self.services.meets(need, places=False) & np.isfinite(f["time_s"].to_numpy(float))
        if not need.care:
            ok &= (f["site"] == "").to_numpy()
        if region is not None:
            ok &= (f["region"] == region).to_numpy()
        rows = f[ok].sort_values("time_s").drop_duplicates("departement")
        return [
            (str(d), float(t), int(i))
            for d, t, i in zip(rows["departement"], rows["time_s"], rows.index)
        ]


@dataclass
class Solution:
    short: dict[tuple[str, str, str], int]  # (day, group, need label) -> people without a place
    used: np.ndarray  # places taken by households in each centre
    exact: bool
    extras: dict[tuple[str, str, str], tuple[int, str, int]] = field(
        default_factory=dict
    )  # (group, departement, need label) -> (places, needed by, site row)
    unresolved: dict[tuple[str, str, str], int] = field(
        default_factory=dict
    )  # (day, group, need label) -> people no site can take


class _Rows:
    """Capacity rows per centre: all places, accessible places, single rooms."""

    def __init__(self, supply: Supply) -> None:
        self.supply = supply
        self.cap: dict[int, list[tuple[int, float]]] = defaultdict(list)
        self.acc: dict[int, list[tuple[int, float]]] = defaultdict(list)
        self.single: dict[int, list[tuple[int, float]]] = defaultdict(list)

    def take(self, var: int, centre: int, size: float, need: Need, per: float = 1.0) -> None:
        """`var` (people, or households of `size` when `per` is 1 and size > 1) takes places of `centre`."""
        self.cap[centre].append((var, size))
        if need.accessible:
            self.acc[centre].append((var, need.accessible * per))
        if need.single:
            self.single[centre].append((var, need.single * per))

    def add_to(self, model: _Milp) -> None:
        s = self.supply
        for rows, bound in (
            (self.cap, s.capacity),
            (self.acc, s.services.accessible),
            (self.single, s.services.single),
        ):
            for c, entries in rows.items():
                model.row(entries, 0, float(bound[c]))


_House = tuple[
    str, int, str, str, Need, list[tuple[int, int]]
]  # day, size, pref1, pref2, need, [(variable, centre)]


def _households(
    model: _Milp, demand: Demand, supply: Supply, rows: _Rows, upto: str, cost_of: Any
) -> list[_House]:
    """One binary per household and centre that takes families that day, holds the whole household and meets its need."""
    out: list[_House] = []
    for day, size, p1, p2, need in demand.households.loc[
        demand.households["day"] <= upto, ["day", "size", "pref1", "pref2", "need"]
    ].itertuples(index=False):
        need = need_of(need)
        entries = []
        for c in supply.eligible("families", day, need):
            if supply.capacity[c] >= size:
                var = model.var(size * cost_of(p1, p2, int(c)), 1)
                rows.take(var, int(c), float(size), need)
                entries.append((var, int(c)))
        out.append((day, int(size), p1, p2, need, entries))
    return out


def _used(house: list[_House], x: np.ndarray, n: int) -> np.ndarray:
    used = np.zeros(n)
    for _, size, _, _, _, entries in house:
        for var, c in entries:
            used[c] += size * x[var]
    return used


def _shortfall(demand: Demand, supply: Supply, *, upto: str, time_limit: float) -> Solution:
    """Fewest people of days <= `upto` left without a place meeting their needs (preferences left out)."""
    model = _Milp()
    rows = _Rows(supply)
    singles = demand.singles[demand.singles["day"] <= upto]
    classes = singles.groupby(["day", "group", "need"])["count"].sum()
    short_vars = {}
    for (day, group, need), count in classes.items():
        need = need_of(need)
        entries = []
        for c in supply.eligible(group, day, need):
            var = model.var(0.0)
            rows.take(var, int(c), 1.0, need)
            entries.append((var, 1.0))
        key = (day, group, need.label)
        short_vars[(key, need)] = model.var(1.0)
        model.row([*entries, (short_vars[(key, need)], 1.0)], count, count)
    house = _households(model, demand, supply, rows, upto, lambda p1, p2, c: 0.0)
    house_short = []
    for day, size, _, _, need, options in house:
        var = model.var(float(size), 1)
        house_short.append((var, day, size, need))
        model.row([(v, 1.0) for v, _ in options] + [(var, 1.0)], 1, 1)
    rows.add_to(model)
    x, exact = model.solve(time_limit)
    short: dict[tuple[str, str, str], int] = defaultdict(int)
    for (key, _), var in short_vars.items():
        short[key] += int(x[var])
    for var, day, size, need in house_short:
        short[(day, "families", need.label)] += size * int(x[var])
    return Solution({k: n for k, n in short.items() if n}, _used(house, x, len(supply.ids)), exact)


NEED_EXTRA_HOURS = 1000.0
"""Cost of an extra place that must meet a need (accessible, care...) over an ordinary one, per place, in hours:
of the fewest extra places, the fewest must meet a need."""
UNRESOLVED_COST = 1e8
"""Cost per person no site can take (no department within reach meets the need)."""


class _Extras:
    """The placement model's extra places: variables per department, group and need, and their blocks."""

    def __init__(self, model: _Milp) -> None:
        self.model = model
        self.into: dict[tuple[str, str, str], list[tuple[int, float]]] = defaultdict(list)
        self.vars: list[
            tuple[int, str, str, Need, str, int, int]
        ] = []  # var, day, group, need, dept, per, site
        self.unresolved: list[tuple[int, str, str, Need, int]] = []  # var, day, group, need, per

    def add(
        self,
        day: str,
        group: str,
        need: Need,
        site: tuple[str, float, int],
        cost: float,
        per: int,
        upper: float,
    ) -> int:
        dept, _, row = site
        extra = NEED_EXTRA_HOURS * 3600 if need.label else 0.0
        var = self.model.var(cost + per * extra, upper)
        self.into[(group, dept, need.label)].append((var, float(per)))
        self.vars.append((var, day, group, need, dept, per, row))
        return var

    def none_fits(self, day: str, group: str, need: Need, per: int, upper: float) -> int:
        var = self.model.var(per * UNRESOLVED_COST, upper)
        self.unresolved.append((var, day, group, need, per))
        return var

    def blocks(
        self, total: int, spread_places: int, spread_s: float
    ) -> dict[tuple[str, str, str], list[int]]:
        """Extra places of each department, group and need in blocks of rising cost; `total` in all."""
        model, out = self.model, {}
        n_blocks = max(1, math.ceil(total / max(spread_places, 1)))
        for key, arrivals in self.into.items():
            out[key] = [
                model.var(k * spread_s, spread_places if k < n_blocks - 1 else np.inf)
                for k in range(n_blocks)
            ]
            model.row(arrivals + [(b, -1.0) for b in out[key]], 0, 0)
        slack = [(var, float(per)) for var, _, _, _, per in self.unresolved]
        model.row([(b, 1.0) for bl in out.values() for b in bl] + slack, total, total)
        return out

    def solution(
        self, x: np.ndarray, blocks: dict[tuple[str, str, str], list[int]]
    ) -> tuple[dict, dict, dict]:
        short: dict[tuple[str, str, str], int] = defaultdict(int)
        first: dict[tuple[str, str, str], tuple[str, int]] = {}
        for var, day, group, need, dept, per, row in self.vars:
            if x[var] > 0:
                short[(day, group, need.label)] += int(x[var]) * per
                key = (group, dept, need.label)
                first[key] = min(first.get(key, (day, row)), (day, row))
        unresolved: dict[tuple[str, str, str], int] = defaultdict(int)
        for var, day, group, need, per in self.unresolved:
            if x[var] > 0:
                unresolved[(day, group, need.label)] += int(x[var]) * per
                short[(day, group, need.label)] += int(x[var]) * per
        extras = {
            key: (int(sum(x[b] for b in bl)), *first[key])
            for key, bl in blocks.items()
            if key in first
        }
        return dict(short), extras, dict(unresolved)


def _place_singles(
    model: _Milp,
    demand: Demand,
    supply: Supply,
    sites: Sites,
    rows: _Rows,
    extras: _Extras,
    penalty: Any,
) -> None:
    """People alone: class -> region (preference penalty) -> centres meeting the need, or extra places in the region."""
    regions = sorted(set(supply.region) | set(sites.frame["region"]))
    node_in: dict[tuple[str, str, Need, str], list[int]] = defaultdict(list)
    for day, group, p1, p2, need, count in demand.singles[
        ["day", "group", "pref1", "pref2", "need", "count"]
    ].itertuples(index=False):
        need = need_of(need)
        entries = [(extras.none_fits(day, group, need, 1, np.inf), 1.0)]
        for region in regions:
            var = model.var(penalty(p1, p2, region))
            node_in[(day, group, need, region)].append(var)
            entries.append((var, 1.0))
        model.row(entries, count, count)
    for (day, group, need, region), inflow in node_in.items():
        outflow = []
        eligible = supply.eligible(group, day, need)
        for c in eligible[supply.region[eligible] == region]:
            var = model.var(float(supply.time_s[c]))
            rows.take(var, int(c), 1.0, need)
            outflow.append((var, -1.0))
        for site in sites.best(need, region):
            outflow.append((extras.add(day, group, need, site, site[1], 1, np.inf), -1.0))
        model.row([(v, 1.0) for v in inflow] + outflow, 0, 0)


def _placement(
    demand: Demand,
    supply: Supply,
    sites: Sites,
    *,
    total: int,
    penalty_s: float,
    spread_places: int,
    spread_s: float,
    time_limit: float,
) -> Solution:
    """Everyone placed with exactly `total` extra places, at the least cost: where the extra places go."""
    model = _Milp()
    rows = _Rows(supply)
    extras = _Extras(model)

    def penalty(p1: str, p2: str, region: str) -> float:
        return penalty_s if (p1 or p2) and region not in (p1, p2) else 0.0

    _place_singles(model, demand, supply, sites, rows, extras, penalty)
    house = _households(
        model,
        demand,
        supply,
        rows,
        "9999",
        lambda p1, p2, c: float(supply.time_s[c]) + penalty(p1, p2, str(supply.region[c])),
    )
    region_of = sites.frame["region"]
    for day, size, p1, p2, need, options in house:
        row = [(v, 1.0) for v, _ in options] + [
            (extras.none_fits(day, "families", need, size, 1), 1.0)
        ]
        for site in sites.best(need):
            cost = size * (site[1] + penalty(p1, p2, str(region_of[site[2]])))
            row.append((extras.add(day, "families", need, site, cost, size, 1), 1.0))
        model.row(row, 1, 1)
    rows.add_to(model)
    blocks = extras.blocks(total, spread_places, spread_s)
    x, exact = model.solve(time_limit)
    short, extra, unresolved = extras.solution(x, blocks)
    return Solution(short, _used(house, x, len(supply.ids)), exact, extra, unresolved)


def _components(supply: Supply) -> list[set[str]]:
    """Groups split into sets that share no centre: each is solved on its own (smaller models, same answer)."""
    out: list[set[str]] = []
    for group in GROUPS:
        if not any(group in part for part in out):
            out.append(_linked_groups(supply, {group}))
    return out


def _solve_part(
    demand: Demand,
    supply: Supply,
    sites: Sites,
    days: list[str],
    *,
    penalty_s: float,
    spread_places: int,
    spread_s: float,
    time_limit: float,
) -> tuple[Solution, dict[str, int]]:
    """Groups sharing centres: fewest people without a place (all days, then each day so far), and where extra places go."""
    full = _shortfall(demand, supply, upto="9999", time_limit=time_limit)
    total, exact = sum(full.short.values()), full.exact
    to_date = dict.fromkeys(days, 0)
    if not total:
        return full, to_date
    for i, day in enumerate(days):
        bound = sum(
            n for (d, _, _), n in full.short.items() if d <= day
        )  # the full answer, cut at `day`, is one way to place them
        if bound and i < len(days) - 1:
            partial = _shortfall(demand, supply, upto=day, time_limit=time_limit)
            bound, exact = sum(partial.short.values()), exact and partial.exact
        to_date[day] = bound
    if not len(sites.frame):
        return Solution(full.short, full.used, exact, unresolved=dict(full.short)), to_date
    placed = _placement(
        demand,
        supply,
        sites,
        total=total,
        penalty_s=penalty_s,
        spread_places=spread_places,
        spread_s=spread_s,
        time_limit=time_limit,
    )
    return Solution(
        placed.short, placed.used, exact and placed.exact, placed.extras, placed.unresolved
    ), to_date


def _linked_groups(supply: Supply, groups: set[str]) -> set[str]:
    """`groups` and every group that shares a centre with one of them, transitively."""
    live = (supply.capacity > 0) & np.isfinite(supply.time_s)
    linked, todo = set(groups), list(groups)
    while todo:
        group = todo.pop()
        for other in GROUPS:
            if other not in linked and (supply.accepts[group] & supply.accepts[other] & live).any():
                linked.add(other)
                todo.append(other)
    return linked


def _placed_classes(demand: Demand, solution: Solution) -> dict[tuple[str, str, Need], int]:
    """People alone placed, per day, group and need (the shortfall of a need label taken from its classes in turn)."""
    left = dict(solution.short)
    out: dict[tuple[str, str, Need], int] = defaultdict(int)
    classes = demand.singles.groupby(["day", "group", "need"])["count"].sum()
    for (day, group, need), count in classes.items():
        need = need_of(need)
        key = (day, group, need.label)
        short = min(int(count), left.get(key, 0))
        left[key] = left.get(key, 0) - short
        out[(day, group, need)] += int(count) - short
    return out


def margins(demand: Demand, supply: Supply, solution: Solution, last_day: str) -> dict[str, int]:
    """Per group, the most further people of that group (alone) who could still be placed once everyone is."""
    classes = _placed_classes(demand, solution)
    remaining = supply.capacity - solution.used
    out = {}
    for probe in GROUPS:
        cols: list[tuple[int, int]] = []  # (row, centre) per variable
        rows_eq: list[float] = []
        for (day, group, need), count in classes.items():
            rows_eq.append(float(count))
            cols += [(len(rows_eq) - 1, int(c)) for c in supply.eligible(group, day, need)]
        probes = supply.eligible(probe, last_day, demand.group_need(probe))
        n_y, n = len(cols), len(cols) + len(probes)
        if not len(probes):
            out[probe] = 0
            continue
        eq = coo_matrix(
            (np.ones(n_y), (np.array([r for r, _ in cols], dtype=np.int64), np.arange(n_y))),
            shape=(len(rows_eq), n),
        )
        centre_of = np.array([c for _, c in cols] + list(probes), dtype=int)
        cap = coo_matrix((np.ones(n), (centre_of, np.arange(n))), shape=(len(supply.ids), n))
        cost = np.r_[np.zeros(n_y), -np.ones(len(probes))]
        # HiGHS takes sparse constraint matrices; scipy-stubs types A_ub/A_eq as dense only
        result = linprog(
            cost,
            A_ub=cap,
            b_ub=remaining,
            A_eq=eq if rows_eq else None,
            b_eq=rows_eq or None,  # type: ignore[call-overload]
            bounds=(0, None),
            method="highs",
        )
        out[probe] = round(-result.fun) if result.status == 0 else 0
    return out


def solve(
    demand: Demand,
    supply: Supply,
    sites: Sites,
    *,
    penalty_s: float,
    spread_places: int = SPREAD_PLACES,
    spread_s: float = SPREAD_HOURS * 3600,
    time_limit: float = TIME_LIMIT_S,
) -> tuple[Solution, dict[str, int]]:
    """Fewest people without a place (all days; each day so far) and where the missing places go, for every set of groups.

    `sites`: where extra places may be asked for (departments' reference towns, centres sharing their care).
    Returns the solution and, per day, the people of the days so far who have no place.
    """
    days = demand.days
    parts = [
        _solve_part(
            demand.only(groups),
            supply,
            sites,
            days,
            penalty_s=penalty_s,
            spread_places=spread_places,
            spread_s=spread_s,
            time_limit=time_limit,
        )
        for groups in _components(supply)
    ]
    solution = Solution(
        {k: n for part, _ in parts for k, n in part.short.items()},
        sum((part.used for part, _ in parts), np.zeros(len(supply.ids))),
        all(part.exact for part, _ in parts),
        {k: v for part, _ in parts for k, v in part.extras.items()},
        {k: v for part, _ in parts for k, v in part.unresolved.items()},
    )
    return solution, {day: sum(dated[day] for _, dated in parts) for day in days}
