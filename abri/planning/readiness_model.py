"""The readiness model's parts: a small MILP for SciPy's HiGHS, centres as arrays, sites for extra places, a solution.

Used by :mod:`abri.planning.readiness` (the fewest people without a place)
and :mod:`abri.planning.readiness_extras` (where the missing places go).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
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


class Milp:
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

    cache: dict[Need, dict[str | None, list[tuple[str, float, int]]]] = field(
        default_factory=dict, repr=False
    )

    def best(self, need: Need, region: str | None = None) -> list[tuple[str, float, int]]:
        """Per department (of `region`), the nearest site where a new place meets `need`: (departement, time_s, row)."""
        if need not in self.cache:
            f = self.frame
            ok = self.services.meets(need, places=False) & np.isfinite(f["time_s"].to_numpy(float))
            if not need.care:
                ok &= (f["site"] == "").to_numpy()
            rows = f[ok].sort_values("time_s", kind="stable").drop_duplicates("departement")
            by_region: dict[str | None, list[tuple[str, float, int]]] = defaultdict(list)
            for d, r, t, i in zip(rows["departement"], rows["region"], rows["time_s"], rows.index):
                site = (str(d), float(t), int(i))
                by_region[None].append(site)
                by_region[str(r)].append(site)
            self.cache[need] = by_region
        return self.cache[need].get(region, [])


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


class Rows:
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

    def add_to(self, model: Milp) -> None:
        s = self.supply
        for rows, bound in (
            (self.cap, s.capacity),
            (self.acc, s.services.accessible),
            (self.single, s.services.single),
        ):
            for c, entries in rows.items():
                model.row(entries, 0, float(bound[c]))


House = tuple[
    str, int, str, str, Need, list[tuple[int, int]]
]  # day, size, pref1, pref2, need, [(variable, centre)]


def household_vars(
    model: Milp, demand: Demand, supply: Supply, rows: Rows, upto: str, cost_of: Any
) -> list[House]:
    """One binary per household and centre that takes families that day, holds the whole household and meets its need."""
    out: list[House] = []
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


def used_places(house: list[House], x: np.ndarray, n: int) -> np.ndarray:
    used = np.zeros(n)
    for _, size, _, _, _, entries in house:
        for var, c in entries:
            used[c] += size * x[var]
    return used
