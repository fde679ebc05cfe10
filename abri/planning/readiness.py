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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_matrix

from abri.constants import GROUPS
from abri.errors import AbriError

DETOUR = 1.3
"""Road distance over straight-line distance, for the coach-time estimate."""
COACH_KMH = 80.0
"""Mean coach speed of the straight-line estimate (km/h)."""
SPREAD_PLACES = 50
"""Extra places asked of one department for one group before the next block costs more."""
SPREAD_HOURS = 2.0
"""Cost of each further block of extra places in one department, per place, in hours of travel."""
HOUSEHOLD_SIZE = 4
"""People per household when families are given as an expected count."""
TIME_LIMIT_S = 60.0
"""Limit of each HiGHS solve; a solve stopped by it is reported as not proven exact."""


@dataclass(frozen=True)
class Demand:
    """People expected: classes of people travelling alone, and households (families), each with a day."""

    singles: pd.DataFrame  # day, group, pref1, pref2, count
    households: pd.DataFrame  # day, household, size, pref1, pref2
    source: str  # "people file" or "expected counts"

    @property
    def days(self) -> list[str]:
        """Departure days, in order."""
        return sorted(set(self.singles["day"]) | set(self.households["day"]))

    def only(self, groups: set[str]) -> Demand:
        """The people of `groups` alone."""
        households = self.households if "families" in groups else self.households.iloc[:0]
        return Demand(self.singles[self.singles["group"].isin(groups)], households, self.source)

    def by_day_group(self) -> pd.DataFrame:
        """People per day (rows) and group (columns)."""
        singles = self.singles.groupby(["day", "group"])["count"].sum()
        families = self.households.groupby("day")["size"].sum().rename("families")
        table = (
            singles.unstack(fill_value=0)
            if len(singles)
            else pd.DataFrame(index=pd.Index([], name="day"))
        )
        table = table.join(families, how="outer") if len(families) else table
        return (
            table.reindex(columns=[g for g in GROUPS if g in table.columns]).fillna(0).astype(int)
        )


def demand_from_people(people: pd.DataFrame) -> Demand:
    """Demand from a checked people file (:func:`abri.inputs.people.read_people`): families by household, as the allocation does."""
    family = people["group"] == "families"
    households = (
        people[family]
        .groupby(["day", "household"], as_index=False)
        .agg(size=("person_id", "size"), pref1=("pref1", "first"), pref2=("pref2", "first"))
    )
    singles = (
        people[~family]
        .groupby(["day", "group", "pref1", "pref2"], as_index=False)
        .size()
        .rename(columns={"size": "count"})
    )
    return Demand(singles, households, "people file")


def parse_counts(text: str) -> dict[str, int]:
    """``'men=4800,families=350'`` -> ``{'men': 4800, 'families': 350}``; a ValueError says what is wrong."""
    counts: dict[str, int] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        group, sep, value = part.partition("=")
        group = group.strip()
        if not sep or group not in GROUPS or not value.strip().isdigit():
            msg = f"got {part!r}; expected GROUP=COUNT with GROUP one of {', '.join(GROUPS)} and COUNT a whole number, e.g. men=4800,families=350"
            raise ValueError(msg)
        counts[group] = counts.get(group, 0) + int(value)
    if not counts:
        msg = f"got {text!r}; expected counts such as men=4800,families=350"
        raise ValueError(msg)
    return counts


def demand_from_counts(
    counts: Mapping[str, int], *, day: str, household_size: int = HOUSEHOLD_SIZE
) -> Demand:
    """Demand from expected counts, all leaving on `day`; families are split into households of `household_size`."""
    unknown = [g for g in counts if g not in GROUPS]
    if unknown or any(int(n) < 0 for n in counts.values()) or household_size < 1:
        msg = f"counts {dict(counts)} with household size {household_size}: expected groups among {', '.join(GROUPS)}, counts >= 0, size >= 1"
        raise ValueError(msg)
    singles = pd.DataFrame(
        [
            {"day": day, "group": g, "pref1": "", "pref2": "", "count": int(n)}
            for g, n in counts.items()
            if g != "families" and n > 0
        ],
        columns=["day", "group", "pref1", "pref2", "count"],
    )
    families = int(counts.get("families", 0))
    sizes = [household_size] * (families // household_size) + (
        [families % household_size] if families % household_size else []
    )
    households = pd.DataFrame(
        {
            "day": day,
            "household": [f"H{i + 1:04d}" for i in range(len(sizes))],
            "size": sizes,
            "pref1": "",
            "pref2": "",
        },
        columns=["day", "household", "size", "pref1", "pref2"],
    )
    return Demand(singles, households, "expected counts")


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
    """Centres as arrays for the model."""

    ids: np.ndarray
    capacity: np.ndarray
    accepts: dict[str, np.ndarray]  # group -> bool per centre
    opens_on: np.ndarray  # ISO date, "" when always open
    region: np.ndarray
    time_s: np.ndarray

    def eligible(self, group: str, day: str) -> np.ndarray:
        """Indices of the centres that take `group` on the morning of `day`."""
        ok = (
            self.accepts.get(group, np.zeros(len(self.ids), bool))
            & (self.opens_on <= day)
            & (self.capacity > 0)
        )
        return np.flatnonzero(ok & np.isfinite(self.time_s))


def supply_arrays(centres: pd.DataFrame) -> Supply:
    groups = centres["groups"].astype(str).str.split(";")
    return Supply(
        centres["id"].astype(str).to_numpy(),
        centres["capacity"].to_numpy(int),
        {g: groups.map(lambda gs, g=g: g in gs).to_numpy(bool) for g in GROUPS},
        centres["opens_on"].fillna("").astype(str).to_numpy()
        if "opens_on" in centres
        else np.full(len(centres), ""),
        centres["region"].astype(str).to_numpy(),
        centres["time_s"].to_numpy(float),
    )


@dataclass
class Solution:
    short: dict[tuple[str, str], int]  # (day, group) -> people without an existing place
    used: np.ndarray  # places taken by households in each centre
    exact: bool
    extras: dict[tuple[str, str], tuple[int, str]] = field(
        default_factory=dict
    )  # (group, departement) -> (places, needed by)


_House = tuple[
    str, int, str, str, list[tuple[int, int]]
]  # day, size, pref1, pref2, [(variable, centre)]


def _households(
    model: _Milp,
    demand: Demand,
    supply: Supply,
    cap_rows: dict[int, list[tuple[int, float]]],
    upto: str,
    cost_of: Any,
) -> list[_House]:
    """One binary per household and centre that takes families that day and can hold the whole household."""
    out: list[_House] = []
    for day, size, p1, p2 in demand.households.loc[
        demand.households["day"] <= upto, ["day", "size", "pref1", "pref2"]
    ].itertuples(index=False):
        entries = []
        for c in supply.eligible("families", day):
            if supply.capacity[c] >= size:
                var = model.var(size * cost_of(p1, p2, int(c)), 1)
                cap_rows[int(c)].append((var, float(size)))
                entries.append((var, int(c)))
        out.append((day, int(size), p1, p2, entries))
    return out


def _used(house: list[_House], x: np.ndarray, n: int) -> np.ndarray:
    used = np.zeros(n)
    for _, size, _, _, entries in house:
        for var, c in entries:
            used[c] += size * x[var]
    return used


def _shortfall(demand: Demand, supply: Supply, *, upto: str, time_limit: float) -> Solution:
    """Fewest people of days <= `upto` left without a place (preferences change costs, not feasibility: left out)."""
    model = _Milp()
    cap_rows: dict[int, list[tuple[int, float]]] = defaultdict(list)
    classes = demand.singles[demand.singles["day"] <= upto].groupby(["day", "group"])["count"].sum()
    short_vars = {}
    for (day, group), count in classes.items():
        entries = []
        for c in supply.eligible(group, day):
            var = model.var(0.0)
            cap_rows[int(c)].append((var, 1.0))
            entries.append((var, 1.0))
        short_vars[(day, group)] = model.var(1.0)
        model.row([*entries, (short_vars[(day, group)], 1.0)], count, count)
    house = _households(model, demand, supply, cap_rows, upto, lambda p1, p2, c: 0.0)
    house_short = []
    for day, size, _, _, options in house:
        var = model.var(float(size), 1)
        house_short.append((var, day, size))
        model.row([(v, 1.0) for v, _ in options] + [(var, 1.0)], 1, 1)
    for c, entries in cap_rows.items():
        model.row(entries, 0, float(supply.capacity[c]))
    x, exact = model.solve(time_limit)
    short: dict[tuple[str, str], int] = {key: int(x[var]) for key, var in short_vars.items()}
    for var, day, size in house_short:
        short[(day, "families")] = short.get((day, "families"), 0) + size * int(x[var])
    return Solution(short, _used(house, x, len(supply.ids)), exact)


def _placement(
    demand: Demand,
    supply: Supply,
    candidates: pd.DataFrame,
    *,
    total: int,
    penalty_s: float,
    spread_places: int,
    spread_s: float,
    time_limit: float,
) -> Solution:
    """Everyone placed with exactly `total` extra places, at the least cost: where the extra places go."""
    model = _Milp()
    cap_rows: dict[int, list[tuple[int, float]]] = defaultdict(list)
    extra_in: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
    to_extra: list[
        tuple[int, str, str, str, int]
    ] = []  # variable, day, group, departement, people per unit

    def penalty(p1: str, p2: str, region: str) -> float:
        return penalty_s if (p1 or p2) and region not in (p1, p2) else 0.0

    regions = sorted(set(supply.region) | set(candidates["region"]))
    by_region = {
        r: list(
            candidates.loc[candidates["region"] == r, ["departement", "time_s"]].itertuples(
                index=False
            )
        )
        for r in regions
    }
    node_in: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for day, group, p1, p2, count in demand.singles[
        ["day", "group", "pref1", "pref2", "count"]
    ].itertuples(index=False):
        entries = []
        for region in regions:
            var = model.var(penalty(p1, p2, region))
            node_in[(day, group, region)].append(var)
            entries.append((var, 1.0))
        model.row(entries, count, count)
    for (day, group, region), inflow in node_in.items():
        outflow = []
        eligible = supply.eligible(group, day)
        for c in eligible[supply.region[eligible] == region]:
            var = model.var(float(supply.time_s[c]))
            cap_rows[int(c)].append((var, 1.0))
            outflow.append((var, -1.0))
        for dept, time_s in by_region[region]:
            var = model.var(float(time_s))
            extra_in[(group, dept)].append((var, 1.0))
            to_extra.append((var, day, group, dept, 1))
            outflow.append((var, -1.0))
        model.row([(v, 1.0) for v in inflow] + outflow, 0, 0)
    house = _households(
        model,
        demand,
        supply,
        cap_rows,
        "9999",
        lambda p1, p2, c: float(supply.time_s[c]) + penalty(p1, p2, str(supply.region[c])),
    )
    for day, size, p1, p2, options in house:
        row = [(v, 1.0) for v, _ in options]
        for dept, region, time_s in candidates[["departement", "region", "time_s"]].itertuples(
            index=False
        ):
            var = model.var(size * (float(time_s) + penalty(p1, p2, region)), 1)
            extra_in[("families", dept)].append((var, float(size)))
            to_extra.append((var, day, "families", dept, size))
            row.append((var, 1.0))
        model.row(row, 1, 1)
    for c, entries in cap_rows.items():
        model.row(entries, 0, float(supply.capacity[c]))
    blocks_of: dict[tuple[str, str], list[int]] = {}
    n_blocks = max(1, math.ceil(total / max(spread_places, 1)))
    for key, arrivals in extra_in.items():
        blocks_of[key] = [
            model.var(k * spread_s, spread_places if k < n_blocks - 1 else np.inf)
            for k in range(n_blocks)
        ]
        model.row(arrivals + [(b, -1.0) for b in blocks_of[key]], 0, 0)
    model.row([(b, 1.0) for blocks in blocks_of.values() for b in blocks], total, total)
    x, exact = model.solve(time_limit)
    short: dict[tuple[str, str], int] = defaultdict(int)
    first: dict[tuple[str, str], str] = {}
    for var, day, group, dept, per in to_extra:
        if x[var] > 0:
            short[(day, group)] += int(x[var]) * per
            first[(group, dept)] = min(first.get((group, dept), day), day)
    extras = {
        key: (int(sum(x[b] for b in blocks)), first[key])
        for key, blocks in blocks_of.items()
        if key in first
    }
    return Solution(dict(short), _used(house, x, len(supply.ids)), exact, extras)


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
    candidates: pd.DataFrame,
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
            n for (d, _), n in full.short.items() if d <= day
        )  # the full answer, cut at `day`, is one way to place them
        if bound and i < len(days) - 1:
            partial = _shortfall(demand, supply, upto=day, time_limit=time_limit)
            bound, exact = sum(partial.short.values()), exact and partial.exact
        to_date[day] = bound
    if not len(candidates):
        return Solution(full.short, full.used, exact), to_date
    placed = _placement(
        demand,
        supply,
        candidates,
        total=total,
        penalty_s=penalty_s,
        spread_places=spread_places,
        spread_s=spread_s,
        time_limit=time_limit,
    )
    return Solution(placed.short, placed.used, exact, placed.extras), to_date


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


def margins(demand: Demand, supply: Supply, solution: Solution, last_day: str) -> dict[str, int]:
    """Per group, the most further people of that group (alone) who could still be placed once everyone is."""
    classes = demand.singles.groupby(["day", "group"])["count"].sum()
    remaining = supply.capacity - solution.used
    out = {}
    for probe in GROUPS:
        cols: list[tuple[int, int]] = []  # (row, centre) per variable
        rows_eq: list[float] = []
        for (day, group), count in classes.items():
            rows_eq.append(float(count - solution.short.get((day, group), 0)))
            cols += [(len(rows_eq) - 1, int(c)) for c in supply.eligible(group, day)]
        probes = supply.eligible(probe, last_day)
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
    candidates: pd.DataFrame,
    *,
    penalty_s: float,
    spread_places: int = SPREAD_PLACES,
    spread_s: float = SPREAD_HOURS * 3600,
    time_limit: float = TIME_LIMIT_S,
) -> tuple[Solution, dict[str, int]]:
    """Fewest people without a place (all days; each day so far) and where the missing places go, for every set of groups.

    `candidates`: departments that may be asked (``departement``, ``region``, ``time_s``).
    Returns the solution and, per day, the people of the days so far who have no place.
    """
    days = demand.days
    parts = [
        _solve_part(
            demand.only(groups),
            supply,
            candidates,
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
    )
    return solution, {day: sum(dated[day] for _, dated in parts) for day in days}
