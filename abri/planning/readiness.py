"""The readiness model: people by group and day against places, solved exactly by SciPy's HiGHS.

The allocation's model (:mod:`abri.planning.allocation`): a group goes only
where it is accepted, each household into one centre, capacity respected,
places taken by earlier days stay taken, and a centre counts from the
morning of its opening date. Solved for the fewest people without a place
(a MILP: flows for people travelling alone, binaries for households), for
all days and for each day's people so far. Preferences change costs, not
feasibility, so this first solve leaves them out. Groups that share no
centre are solved apart.

Every hard need counts (:mod:`abri.planning.readiness_needs`): a class of
people (day, group, need) goes only to centres meeting its need, and
accessible places and single rooms are capacities inside the capacity.

Where places are missing, a second solve fixes their number at that
minimum and lets them be added per department, group and need at the least
cost (:mod:`abri.planning.readiness_extras`). The model's parts are
:mod:`abri.planning.readiness_model`.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from abri.constants import GROUPS
from abri.planning.readiness_demand import Demand, need_of
from abri.planning.readiness_extras import placement
from abri.planning.readiness_model import (
    COACH_KMH,
    DETOUR,
    SPREAD_HOURS,
    SPREAD_PLACES,
    TIME_LIMIT_S,
    Milp,
    Rows,
    Sites,
    Solution,
    Supply,
    household_vars,
    straight_time_s,
    supply_arrays,
    used_places,
)
from abri.planning.readiness_needs import Need

__all__ = [
    "COACH_KMH",
    "DETOUR",
    "SPREAD_HOURS",
    "SPREAD_PLACES",
    "TIME_LIMIT_S",
    "Sites",
    "Solution",
    "Supply",
    "margins",
    "solve",
    "straight_time_s",
    "supply_arrays",
]


def _shortfall(demand: Demand, supply: Supply, *, upto: str, time_limit: float) -> Solution:
    """Fewest people of days <= `upto` left without a place meeting their needs (preferences left out)."""
    model = Milp()
    rows = Rows(supply)
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
    house = household_vars(model, demand, supply, rows, upto, lambda p1, p2, c: 0.0)
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
    return Solution(
        {k: n for k, n in short.items() if n}, used_places(house, x, len(supply.ids)), exact
    )


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
    placed = placement(
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
