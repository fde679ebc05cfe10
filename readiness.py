"""Readiness: before the camp is dismantled, is there a place of the right kind for each person expected?

Demand by group and departure day comes from the people file (or from
expected counts); supply from the centre file: places, groups accepted,
department, region and opening date. The check is exact, not a ratio of
totals: the allocation's own model (groups accepted, each household in one
centre, capacity, places filled by earlier days, a centre counted from the
morning of its opening date) solved by SciPy's HiGHS MILP for the fewest
people left without a place, for everyone and for each day's people so far.

Where places are missing, a second solve lets extra places be added per
department and group, and places everyone at the least cost: coach time
from the origin, plus the preference penalty outside a person's two
preferred regions, plus a rising cost for each further block of places
asked of one department (so asks are spread). The number of extra places
stays the smallest possible; their spread is what each prefect is asked for.
Coach time is the straight line x 1.3 at 80 km/h unless a road graph is named.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_matrix

from abri.constants import GROUPS
from abri.geo.report import ValidationReport

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
        table = singles.unstack(fill_value=0) if len(singles) else pd.DataFrame(index=pd.Index([], name="day"))
        table = table.join(families, how="outer") if len(families) else table
        return table.reindex(columns=[g for g in GROUPS if g in table.columns]).fillna(0).astype(int)


def demand_from_people(people: pd.DataFrame) -> Demand:
    """Demand from a checked people file (:func:`abri.geo.people.read_people`): families by household, as the allocation does."""
    family = people["group"] == "families"
    households = (people[family].groupby(["day", "household"], as_index=False)
                  .agg(size=("person_id", "size"), pref1=("pref1", "first"), pref2=("pref2", "first")))
    singles = people[~family].groupby(["day", "group", "pref1", "pref2"], as_index=False).size().rename(columns={"size": "count"})
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


def demand_from_counts(counts: Mapping[str, int], *, day: str, household_size: int = HOUSEHOLD_SIZE) -> Demand:
    """Demand from expected counts, all leaving on `day`; families are split into households of `household_size`."""
    unknown = [g for g in counts if g not in GROUPS]
    if unknown or any(int(n) < 0 for n in counts.values()) or household_size < 1:
        msg = f"counts {dict(counts)} with household size {household_size}: expected groups among {', '.join(GROUPS)}, counts >= 0, size >= 1"
        raise ValueError(msg)
    singles = pd.DataFrame([{"day": day, "group": g, "pref1": "", "pref2": "", "count": int(n)}
                            for g, n in counts.items() if g != "families" and n > 0], columns=["day", "group", "pref1", "pref2", "count"])
    families = int(counts.get("families", 0))
    sizes = [household_size] * (families // household_size) + ([families % household_size] if families % household_size else [])
    households = pd.DataFrame({"day": day, "household": [f"H{i + 1:04d}" for i in range(len(sizes))], "size": sizes, "pref1": "", "pref2": ""},
                              columns=["day", "household", "size", "pref1", "pref2"])
    return Demand(singles, households, "expected counts")


def straight_time_s(lon: np.ndarray, lat: np.ndarray, origin: tuple[float, float]) -> np.ndarray:
    """Estimated coach time (s) from `origin`: great-circle km x :data:`DETOUR` at :data:`COACH_KMH`."""
    lon1, lat1 = np.radians(origin[0]), np.radians(origin[1])
    lon2, lat2 = np.radians(np.asarray(lon, float)), np.radians(np.asarray(lat, float))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    km = 2 * 6371.0 * np.arcsin(np.sqrt(a))
    return np.asarray(km * DETOUR / COACH_KMH * 3600.0)


# ---------------------------------------------------------------- the model


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
        matrix = coo_matrix((self.v, (self.r, self.c)), shape=(len(self.lo), len(self.cost))).tocsr()
        result = milp(np.asarray(self.cost), integrality=np.asarray(self.integer), bounds=Bounds(0, np.asarray(self.upper)),
                      constraints=[LinearConstraint(matrix, self.lo, self.hi)] if self.lo else [],
                      options={"time_limit": time_limit, "mip_rel_gap": 1e-6})
        if result.x is None:
            msg = f"the readiness model could not be solved ({result.message})"
            raise RuntimeError(msg)
        return np.round(result.x), bool(result.status == 0)


@dataclass
class _Supply:
    """Centres as arrays for the model."""

    ids: np.ndarray
    capacity: np.ndarray
    accepts: dict[str, np.ndarray]  # group -> bool per centre
    opens_on: np.ndarray  # ISO date, "" when always open
    region: np.ndarray
    time_s: np.ndarray

    def eligible(self, group: str, day: str) -> np.ndarray:
        """Indices of the centres that take `group` on the morning of `day`."""
        ok = self.accepts.get(group, np.zeros(len(self.ids), bool)) & (self.opens_on <= day) & (self.capacity > 0)
        return np.flatnonzero(ok & np.isfinite(self.time_s))


def _supply(centres: pd.DataFrame) -> _Supply:
    groups = centres["groups"].astype(str).str.split(";")
    return _Supply(centres["id"].astype(str).to_numpy(), centres["capacity"].to_numpy(int),
                   {g: groups.map(lambda gs, g=g: g in gs).to_numpy(bool) for g in GROUPS},
                   centres["opens_on"].fillna("").astype(str).to_numpy() if "opens_on" in centres else np.full(len(centres), ""),
                   centres["region"].astype(str).to_numpy(), centres["time_s"].to_numpy(float))


@dataclass
class _Solution:
    short: dict[tuple[str, str], int]  # (day, group) -> people without an existing place
    used: np.ndarray  # places taken by households in each centre
    exact: bool
    extras: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)  # (group, departement) -> (places, needed by)


_House = tuple[str, int, str, str, list[tuple[int, int]]]  # day, size, pref1, pref2, [(variable, centre)]


def _households(model: _Milp, demand: Demand, supply: _Supply, cap_rows: dict[int, list[tuple[int, float]]], upto: str,
                cost_of: Any) -> list[_House]:
    """One binary per household and centre that takes families that day and can hold the whole household."""
    out: list[_House] = []
    for day, size, p1, p2 in demand.households.loc[demand.households["day"] <= upto, ["day", "size", "pref1", "pref2"]].itertuples(index=False):
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


def _shortfall(demand: Demand, supply: _Supply, *, upto: str, time_limit: float) -> _Solution:
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
    return _Solution(short, _used(house, x, len(supply.ids)), exact)


def _placement(demand: Demand, supply: _Supply, candidates: pd.DataFrame, *, total: int, penalty_s: float, spread_places: int,
               spread_s: float, time_limit: float) -> _Solution:
    """Everyone placed with exactly `total` extra places, at the least cost: where the extra places go."""
    model = _Milp()
    cap_rows: dict[int, list[tuple[int, float]]] = defaultdict(list)
    extra_in: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
    to_extra: list[tuple[int, str, str, str, int]] = []  # variable, day, group, departement, people per unit

    def penalty(p1: str, p2: str, region: str) -> float:
        return penalty_s if (p1 or p2) and region not in (p1, p2) else 0.0

    regions = sorted(set(supply.region) | set(candidates["region"]))
    by_region = {r: list(candidates.loc[candidates["region"] == r, ["departement", "time_s"]].itertuples(index=False)) for r in regions}
    node_in: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for day, group, p1, p2, count in demand.singles[["day", "group", "pref1", "pref2", "count"]].itertuples(index=False):
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
    house = _households(model, demand, supply, cap_rows, "9999",
                        lambda p1, p2, c: float(supply.time_s[c]) + penalty(p1, p2, str(supply.region[c])))
    for day, size, p1, p2, options in house:
        row = [(v, 1.0) for v, _ in options]
        for dept, region, time_s in candidates[["departement", "region", "time_s"]].itertuples(index=False):
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
        blocks_of[key] = [model.var(k * spread_s, spread_places if k < n_blocks - 1 else np.inf) for k in range(n_blocks)]
        model.row(arrivals + [(b, -1.0) for b in blocks_of[key]], 0, 0)
    model.row([(b, 1.0) for blocks in blocks_of.values() for b in blocks], total, total)
    x, exact = model.solve(time_limit)
    short: dict[tuple[str, str], int] = defaultdict(int)
    first: dict[tuple[str, str], str] = {}
    for var, day, group, dept, per in to_extra:
        if x[var] > 0:
            short[(day, group)] += int(x[var]) * per
            first[(group, dept)] = min(first.get((group, dept), day), day)
    extras = {key: (int(sum(x[b] for b in blocks)), first[key]) for key, blocks in blocks_of.items() if key in first}
    return _Solution(dict(short), _used(house, x, len(supply.ids)), exact, extras)


def _components(supply: _Supply) -> list[set[str]]:
    """Groups split into sets that share no centre: each is solved on its own (smaller models, same answer)."""
    out: list[set[str]] = []
    for group in GROUPS:
        if not any(group in part for part in out):
            out.append(_linked_groups(supply, {group}))
    return out


def _solve_part(demand: Demand, supply: _Supply, candidates: pd.DataFrame, days: list[str], *, penalty_s: float, spread_places: int,
                spread_s: float, time_limit: float) -> tuple[_Solution, dict[str, int]]:
    """Groups sharing centres: fewest people without a place (all days, then each day so far), and where extra places go."""
    full = _shortfall(demand, supply, upto="9999", time_limit=time_limit)
    total, exact = sum(full.short.values()), full.exact
    to_date = dict.fromkeys(days, 0)
    if not total:
        return full, to_date
    for i, day in enumerate(days):
        bound = sum(n for (d, _), n in full.short.items() if d <= day)  # the full answer, cut at `day`, is one way to place them
        if bound and i < len(days) - 1:
            partial = _shortfall(demand, supply, upto=day, time_limit=time_limit)
            bound, exact = sum(partial.short.values()), exact and partial.exact
        to_date[day] = bound
    if not len(candidates):
        return _Solution(full.short, full.used, exact), to_date
    placed = _placement(demand, supply, candidates, total=total, penalty_s=penalty_s, spread_places=spread_places, spread_s=spread_s,
                        time_limit=time_limit)
    return _Solution(placed.short, placed.used, exact, placed.extras), to_date


def _linked_groups(supply: _Supply, groups: set[str]) -> set[str]:
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


def _margins(demand: Demand, supply: _Supply, solution: _Solution, last_day: str) -> dict[str, int]:
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
        eq = coo_matrix((np.ones(n_y), ([r for r, _ in cols], range(n_y))), shape=(len(rows_eq), n))
        centre_of = np.array([c for _, c in cols] + list(probes), dtype=int)
        cap = coo_matrix((np.ones(n), (centre_of, range(n))), shape=(len(supply.ids), n))
        cost = np.r_[np.zeros(n_y), -np.ones(len(probes))]
        result = linprog(cost, A_ub=cap, b_ub=remaining, A_eq=eq if rows_eq else None, b_eq=rows_eq or None, bounds=(0, None), method="highs")
        out[probe] = int(round(-result.fun)) if result.status == 0 else 0
    return out


# ---------------------------------------------------------------- the result


@dataclass
class Readiness:
    """The answer: ready or not, who cannot be placed, and where how many places are missing.

    Tables (pandas): ``groups`` (people, places accepting the group, placed,
    unplaced, margin), ``days`` (people and places open by each morning,
    people of the days so far without a place), ``departements`` and
    ``regions`` (places by group accepted, extra places by group), ``extras``
    (one row per department and group: the number to ask each prefect for).
    """

    ready: bool
    groups: pd.DataFrame
    days: pd.DataFrame
    departements: pd.DataFrame
    regions: pd.DataFrame
    extras: pd.DataFrame
    exact: bool  # HiGHS proved the counts optimal
    travel: str
    source: str
    not_counted: list[str] = field(default_factory=list)  # centre ids no coach reaches
    seconds: float = 0.0
    label: str = ""
    reports: list[ValidationReport] = field(default_factory=list, repr=False)  # the centre (and people) file checks
    centres: pd.DataFrame | None = field(default=None, repr=False)  # the centres counted, for the map
    origin: tuple[float, float] | None = None

    @property
    def unplaced(self) -> int:
        """People who cannot be placed in the places of the centre file."""
        return int(self.groups["unplaced"].sum())

    def __repr__(self) -> str:
        people = int(self.groups["people"].sum())
        if self.ready:
            margins = ", ".join(f"{g} {int(m):,}" for g, m in self.groups["margin"].items() if self.groups.at[g, "people"] > 0)
            return f"Readiness(READY: {people:,} people; margin {margins})"
        short = ", ".join(f"{g} {int(n):,}" for g, n in self.groups["unplaced"].items() if n > 0)
        return (f"Readiness(NOT READY: {self.unplaced:,} of {people:,} people unplaced ({short}); "
                f"{int(self.extras['places'].sum()):,} extra places in {self.extras['departement'].nunique()} departments)")


def _areas(data_dir: str | os.PathLike[str] | None) -> tuple[pd.DataFrame, pd.Series]:
    from abri.geo.departements import load_departements, load_regions

    departements = pd.DataFrame(load_departements(data_dir, simplified=True)[["code", "nom", "region"]]).set_index("code")
    return departements, load_regions(data_dir).set_index("code")["nom"]


def _candidates(centres: pd.DataFrame, departements: pd.DataFrame, origin: tuple[float, float],
                data_dir: str | os.PathLike[str] | None) -> pd.DataFrame:
    """Departments that may be asked for places, each at its most populous commune.

    Those with a centre in the file (all if none), less the origin's own department: people are leaving it.
    """
    from abri.geo.gazetteer import load_communes

    communes = load_communes(data_dir)
    home = communes["departement"].iat[int(np.argmin((communes["lon"] - origin[0]) ** 2 + (communes["lat"] - origin[1]) ** 2))]
    codes = (set(centres["departement"].astype(str)) & set(departements.index) or set(departements.index)) - {home}
    communes = communes[communes["departement"].isin(codes) & communes["population"].notna()]
    top = communes.loc[communes.groupby("departement")["population"].idxmax()]
    return pd.DataFrame({"departement": top["departement"].to_numpy(), "region": top["departement"].map(departements["region"]).to_numpy(),
                         "insee": top["code"].to_numpy(), "commune": top["nom"].to_numpy(), "lon": top["lon"].to_numpy(float),
                         "lat": top["lat"].to_numpy(float)})


def _travel_times(lon: np.ndarray, lat: np.ndarray, origin: tuple[float, float], roads: str | os.PathLike[str] | None,
                  data_dir: str | os.PathLike[str] | None) -> tuple[np.ndarray, str]:
    """Coach time (s) from the origin to each point (NaN when no road reaches it), and how it was measured."""
    if roads is None:
        return straight_time_s(lon, lat, origin), f"straight line x {DETOUR} at {COACH_KMH:g} km/h"
    from abri.constants import ORIGIN
    from abri.pipeline import snap_and_measure
    from abri.routing.graph import load_graph
    from abri.routing.profile import load_profile

    profile = load_profile(None)
    graph = load_graph(roads, profile=profile, data_dir=data_dir)
    points = pd.DataFrame({"id": [f"P{i}" for i in range(len(lon))], "lon": lon, "lat": lat})
    snapped, times, _ = snap_and_measure(graph, origin, points, profile=profile, origin_only=True, with_distance=False)
    out = np.array(times.loc[ORIGIN, points["id"]], dtype=float)
    out[~snapped.loc[points["id"], "reachable"].to_numpy(bool)] = np.nan
    return out, f"coach time on the roads {roads}"


def check_readiness(
    demand: Demand,
    centres: pd.DataFrame,
    *,
    origin: tuple[float, float],
    data_dir: str | os.PathLike[str] | None = None,
    penalty_hours: float = 24.0,
    roads: str | os.PathLike[str] | None = None,
    spread_places: int = SPREAD_PLACES,
    spread_hours: float = SPREAD_HOURS,
    time_limit: float = TIME_LIMIT_S,
) -> Readiness:
    """Check that `demand` can be placed in `centres`, and where places are missing.

    Parameters
    ----------
    demand
        :func:`demand_from_people` or :func:`demand_from_counts`.
    centres
        Checked centres (:func:`abri.geo.centres.read_centres`): ``id``, ``capacity``, ``groups``,
        ``departement``, ``region``, ``lon``, ``lat`` and optionally ``opens_on`` (ISO date).
    origin
        Lon/lat the coaches leave from.
    penalty_hours
        Cost of a place outside both preferred regions, in hours (the scenario's rules).
    roads
        A road set or file to time coaches on; None estimates from the straight line.
    spread_places, spread_hours
        Each further block of `spread_places` extra places in one department costs `spread_hours` more per place.
    """
    import time

    start = time.perf_counter()
    departements, region_names = _areas(data_dir)
    candidates = _candidates(centres, departements, origin, data_dir)
    times, travel = _travel_times(np.r_[centres["lon"].to_numpy(float), candidates["lon"].to_numpy(float)],
                                  np.r_[centres["lat"].to_numpy(float), candidates["lat"].to_numpy(float)], origin, roads, data_dir)
    frame = pd.DataFrame(centres).assign(time_s=times[:len(centres)])
    candidates = candidates.assign(time_s=times[len(centres):]).dropna(subset=["time_s"]).reset_index(drop=True)
    supply = _supply(frame)
    days = demand.days
    parts = [_solve_part(demand.only(groups), supply, candidates, days, penalty_s=penalty_hours * 3600, spread_places=spread_places,
                         spread_s=spread_hours * 3600, time_limit=time_limit) for groups in _components(supply)]
    solution = _Solution({k: n for part, _ in parts for k, n in part.short.items()}, sum((part.used for part, _ in parts), np.zeros(len(supply.ids))),
                         all(part.exact for part, _ in parts), {k: v for part, _ in parts for k, v in part.extras.items()})
    to_date = {day: sum(dated[day] for _, dated in parts) for day in days}
    total, exact = sum(solution.short.values()), solution.exact
    margins = _margins(demand, supply, solution, days[-1] if days else "9999")
    groups, per_day, per_dept, per_region, extras = _tables(demand, frame, supply, solution, margins, to_date, candidates, departements,
                                                           region_names)
    return Readiness(total == 0, groups, per_day, per_dept, per_region, extras, exact=exact, travel=travel, source=demand.source,
                     not_counted=list(supply.ids[~np.isfinite(supply.time_s)]), seconds=round(time.perf_counter() - start, 2),
                     centres=centres, origin=origin)


def _tables(demand: Demand, frame: pd.DataFrame, supply: _Supply, solution: _Solution, margins: dict[str, int], to_date: dict[str, int],
            candidates: pd.DataFrame, departements: pd.DataFrame, region_names: pd.Series
            ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    people = demand.by_day_group()
    counted = np.isfinite(supply.time_s)
    short = pd.Series(solution.short, dtype=int)
    unplaced = short.groupby(level=1).sum() if len(short) else pd.Series(dtype=int)
    groups = pd.DataFrame(index=pd.Index(list(GROUPS), name="group"))
    groups["people"] = people.sum().reindex(groups.index).fillna(0).astype(int)
    groups["households"] = 0
    groups.loc["families", "households"] = len(demand.households)
    groups["places"] = [int(supply.capacity[supply.accepts[g] & counted].sum()) for g in GROUPS]
    groups["unplaced"] = unplaced.reindex(groups.index).fillna(0).astype(int)
    groups["placed"] = groups["people"] - groups["unplaced"]
    groups["margin"] = pd.Series(margins).reindex(groups.index).fillna(0).astype(int)
    groups = groups[(groups["people"] > 0) | (groups["places"] > 0)]
    day_index = pd.Index(demand.days, name="day")
    open_places = [int(supply.capacity[(supply.opens_on <= d) & counted].sum()) for d in demand.days]
    days = pd.DataFrame({"people": people.sum(axis=1).reindex(day_index).fillna(0).astype(int).to_numpy(), "places_open": open_places}, index=day_index)
    days["people_to_date"] = days["people"].cumsum()
    days["places_later"] = int(supply.capacity[counted].sum()) - days["places_open"]
    days["unplaced_to_date"] = [to_date.get(d, 0) for d in demand.days]
    days["ready"] = days["unplaced_to_date"] == 0
    days = days[["people", "people_to_date", "places_open", "places_later", "unplaced_to_date", "ready"]]
    extras = pd.DataFrame([{"departement": d, "group": g, "places": n, "needed_by": day} for (g, d), (n, day) in solution.extras.items() if n > 0],
                          columns=["departement", "group", "places", "needed_by"])
    extras = extras.merge(candidates[["departement", "insee", "commune"]], on="departement", how="left")
    extras.insert(1, "nom", extras["departement"].map(departements["nom"]))
    extras.insert(2, "region", extras["departement"].map(departements["region"]))
    extras = extras.sort_values(["departement", "group"], key=lambda s: s.map(GROUPS.index) if s.name == "group" else s).reset_index(drop=True)
    live = frame[counted].assign(departement=lambda f: f["departement"].astype(str))
    per_dept = pd.DataFrame({"centres": live.groupby("departement").size(), "places": live.groupby("departement")["capacity"].sum()})
    for g in GROUPS:
        per_dept[f"places_{g}"] = pd.Series(np.where(supply.accepts[g], supply.capacity, 0)[counted], index=live.index).groupby(live["departement"]).sum()
        per_dept[f"extra_{g}"] = extras[extras["group"] == g].groupby("departement")["places"].sum()
    per_dept = per_dept.reindex(per_dept.index.union(pd.Index(extras["departement"].unique()))).fillna(0).astype(int)
    per_dept["extra"] = per_dept[[f"extra_{g}" for g in GROUPS]].sum(axis=1)
    per_dept["needed_by"] = extras.groupby("departement")["needed_by"].min().reindex(per_dept.index).fillna("")
    per_dept.insert(0, "nom", per_dept.index.map(departements["nom"]))
    per_dept.insert(1, "region", per_dept.index.map(departements["region"]))
    per_dept.index.name = "departement"
    numeric = [c for c in per_dept.columns if c not in ("nom", "region", "needed_by")]
    regions = per_dept.groupby("region")[numeric].sum()
    regions["needed_by"] = per_dept[per_dept["needed_by"] != ""].groupby("region")["needed_by"].min().reindex(regions.index).fillna("")
    regions.insert(0, "nom", regions.index.map(region_names))
    return groups, days, per_dept, regions, extras


def readiness(
    scenario_dir: str | os.PathLike[str],
    *,
    expect: Mapping[str, int] | None = None,
    day: str | None = None,
    household_size: int = HOUSEHOLD_SIZE,
    roads: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    spread_places: int = SPREAD_PLACES,
    spread_hours: float = SPREAD_HOURS,
    time_limit: float = TIME_LIMIT_S,
) -> Readiness:
    """Read a scenario folder and check that everyone expected has a place of the right kind.

    Parameters
    ----------
    scenario_dir
        A scenario folder: ``centres.csv``, ``people.csv`` (unless `expect`), ``fleet.json``, ``rules.json``.
    expect
        Expected people per group (e.g. ``{"men": 4800, "families": 350}``) instead of the people file.
    day
        Departure day of the expected people (default: the first day of ``fleet.json``).
    household_size
        People per household when families are an expected count.
    roads
        Road set or file to time coaches on; None: the straight-line estimate.

    Examples
    --------
    >>> readiness("calais", data_dir="../shared/data")  # doctest: +SKIP
    Readiness(READY: 7,212 people; margin men 1,457, ...)
    """
    from datetime import date

    from abri.errors import DataFileError
    from abri.geo.centres import read_centres
    from abri.geo.scenario import Fleet, Rules, read_json_dataclass, read_label

    folder = Path(scenario_dir)
    fleet = read_json_dataclass(folder / "fleet.json", Fleet)
    rules = read_json_dataclass(folder / "rules.json", Rules)
    for name in ("centres.csv", *(() if expect is not None else ("people.csv",))):
        if not (folder / name).is_file():
            msg = f"{folder}: no {name}; a scenario folder holds centres.csv and people.csv (or give expected counts, --expect men=4800,...)"
            raise DataFileError(msg)
    if expect is not None:
        when = day or (fleet.days[0] if fleet.days else date.today().isoformat())
        try:
            date.fromisoformat(when)
        except ValueError:
            msg = f"day {when!r}: expected a date YYYY-MM-DD"
            raise ValueError(msg) from None
        demand = demand_from_counts(expect, day=when, household_size=household_size)
    else:
        from abri.geo.gazetteer import load_communes
        from abri.geo.people import read_people

        people, people_report = read_people(folder / "people.csv", regions=set(load_communes(data_dir)["region"].unique()))
        demand = demand_from_people(people)
    centres, centre_report = read_centres(folder / "centres.csv", data_dir=data_dir)
    result = check_readiness(demand, centres, origin=(fleet.origin_lon, fleet.origin_lat), data_dir=data_dir,
                             penalty_hours=rules.preference_penalty_hours, roads=roads, spread_places=spread_places,
                             spread_hours=spread_hours, time_limit=time_limit)
    result.label = read_label(folder)[1]
    result.reports = [centre_report] if expect is not None else [centre_report, people_report]
    return result


# ---------------------------------------------------------------- outputs

#: Column headers and words of the readiness tables, one dict per language (abri.i18n can take them over).
HEADERS: dict[str, dict[str, str]] = {
    "fr": {
        "group": "Groupe", "people": "Personnes", "households": "Ménages", "places": "Places", "unplaced": "Sans place",
        "placed": "Placées", "margin": "Marge (places encore libres)", "day": "Jour", "people_to_date": "Personnes cumulées",
        "places_open": "Places ouvertes le matin", "places_later": "Places ouvrant plus tard", "unplaced_to_date": "Sans place à ce jour",
        "ready": "Prêt", "departement": "Département", "nom": "Nom", "region": "Région", "centres": "Centres",
        "extra": "Places à ouvrir", "needed_by": "Nécessaires le", "insee": "Code INSEE (commune de référence)",
        "commune": "Commune de référence", "places_of": "Places {group}", "extra_of": "Places à ouvrir {group}",
        "men": "hommes isolés", "women": "femmes", "families": "familles", "minors": "mineurs", "vulnerable": "personnes vulnérables",
        "yes": "oui", "no": "non", "groups_sheet": "Groupes", "days_sheet": "Jours", "departements_sheet": "Départements",
        "regions_sheet": "Régions", "extras_sheet": "Places à ouvrir", "extra_name": "Places à ouvrir ({group}), {nom}",
        "map_title": "Places à ouvrir par département", "map_legend": "places à ouvrir",
    },
    "en": {
        "group": "Group", "people": "People", "households": "Households", "places": "Places", "unplaced": "Without a place",
        "placed": "Placed", "margin": "Margin (places still free)", "day": "Day", "people_to_date": "People to date",
        "places_open": "Places open that morning", "places_later": "Places opening later", "unplaced_to_date": "Without a place to date",
        "ready": "Ready", "departement": "Department", "nom": "Name", "region": "Region", "centres": "Centres",
        "extra": "Extra places", "needed_by": "Needed by", "insee": "INSEE code (reference town)",
        "commune": "Reference town", "places_of": "Places {group}", "extra_of": "Extra places {group}",
        "men": "single men", "women": "women", "families": "families", "minors": "minors", "vulnerable": "vulnerable people",
        "yes": "yes", "no": "no", "groups_sheet": "Groups", "days_sheet": "Days", "departements_sheet": "Departments",
        "regions_sheet": "Regions", "extras_sheet": "Extra places", "extra_name": "Extra places ({group}), {nom}",
        "map_title": "Extra places by department", "map_legend": "extra places to open",
    },
}
#: Headers of the suggested centre rows (aliases :func:`abri.geo.centres.read_centres` reads).
CENTRE_HEADERS = {"fr": ("id", "nom", "capacite", "code_insee", "type", "publics", "departement", "ouverture_date"),
                  "en": ("id", "name", "capacity", "insee", "type", "groups", "departement", "opens_on")}


def _words(lang: str) -> dict[str, str]:
    if lang not in HEADERS:
        msg = f"`lang` is {lang!r}; expected one of {', '.join(HEADERS)}"
        raise ValueError(msg)
    return HEADERS[lang]


def _date(value: str, lang: str) -> str:
    return f"{value[8:10]}/{value[5:7]}/{value[:4]}" if lang == "fr" and len(value) == 10 else value


def _localised(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A table with its headers, group names, yes/no and dates in `lang`."""
    words = _words(lang)
    out = frame.reset_index() if frame.index.name else frame.copy()
    if "group" in out:
        out["group"] = out["group"].map(words)
    for col in ("day", "needed_by"):
        if col in out:
            out[col] = out[col].map(lambda v: _date(str(v), lang))
    if "ready" in out:
        out["ready"] = out["ready"].map({True: words["yes"], False: words["no"]})

    def header(col: str) -> str:
        for prefix, key in (("places_", "places_of"), ("extra_", "extra_of")):
            if col.startswith(prefix) and col[len(prefix):] in GROUPS:
                return words[key].format(group=words[col[len(prefix):]])
        return words.get(col, col)

    return out.rename(columns=header)


def extra_centres(result: Readiness, *, lang: str = "fr") -> pd.DataFrame:
    """The extra places as centre rows a planner can append to the centre file (one per department and group)."""
    words = _words(lang)
    rows = [(f"EXTRA-{r.departement}-{r.group}", words["extra_name"].format(group=words[r.group], nom=r.nom), int(r.places), r.insee,
             "CAOMI" if r.group == "minors" else "CAO", r.group, r.departement, r.needed_by) for r in result.extras.itertuples(index=False)]
    return pd.DataFrame(rows, columns=list(CENTRE_HEADERS[lang]))


def prefecture_rows(result: Readiness) -> pd.DataFrame:
    """One row per department: places by group accepted, extra places by group, the date they are needed by."""
    return result.departements.reset_index()


def extra_places_by_departement(result: Readiness) -> pd.Series:
    """Extra places to open per department code (for a map layer); zero where none."""
    return result.departements["extra"].rename("extra_places")


def write_readiness(result: Readiness, out_dir: str | os.PathLike[str], *, lang: str = "fr", data_dir: str | os.PathLike[str] | None = None,
                    with_map: bool = True) -> dict[str, Path]:
    """Write the tables (CSV and one XLSX workbook), the suggested centre rows, a JSON summary and (`with_map`) the capacity
    map with a layer of extra places by department into `out_dir`, whole or not at all."""
    from abri.files import atomic_dir, atomic_path, safe_frame, write_csv, write_json

    words = _words(lang)
    dialect = "excel-fr" if lang == "fr" else "default"
    tables = {"groups": result.groups, "days": result.days, "departements": result.departements, "regions": result.regions,
              "extras": result.extras}
    out = Path(out_dir)
    names: dict[str, str] = {}
    with atomic_dir(out) as tmp:
        for key, table in tables.items():
            names[key] = write_csv(tmp / f"readiness-{key}.csv", _localised(table, lang), dialect=dialect).name  # type: ignore[arg-type]
        with atomic_path(tmp / "readiness.xlsx") as path, pd.ExcelWriter(path, engine="openpyxl") as book:
            for key, table in tables.items():
                safe_frame(_localised(table, lang)).to_excel(book, sheet_name=words[f"{key}_sheet"], index=False)
        names["workbook"] = "readiness.xlsx"
        names["extra_centres"] = write_csv(tmp / "extra-centres.csv", extra_centres(result, lang=lang), dialect=dialect).name  # type: ignore[arg-type]
        summary = {"ready": result.ready, "unplaced": result.unplaced, "extra_places": int(result.extras["places"].sum()),
                   "exact": result.exact, "travel": result.travel, "demand": result.source, "not_counted": result.not_counted,
                   "seconds": result.seconds, "label": result.label}
        names["summary"] = write_json(tmp / "readiness.json", summary).name
        if with_map and result.centres is not None:
            from abri.maps.capacity import write_capacity_map

            origin = (*result.origin, "origin") if result.origin else None
            layer = {words["map_title"]: (extra_places_by_departement(result), words["map_legend"])}
            names["map"] = write_capacity_map(result.centres, tmp / "readiness-map.html", data_dir=data_dir, origin=origin,  # type: ignore[arg-type]
                                              extra=layer)[0].name
    return {key: out / name for key, name in names.items()}
