"""Where missing places go: everyone placed with the fewest extra places, at the least cost.

The number of extra places is fixed at the fewest people without a place
(:mod:`abri.planning.readiness`); they may be added per department, group
and need at the least cost: coach time from the origin, the preference
penalty outside both preferred regions, a rising cost per further block of
places in one department (so the asks are spread), and a large cost per
place that must meet a need (of the fewest extra places, the fewest
accessible, near care...). People no site can take (no department within
reach meets their needs) are counted apart.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np

from abri.planning.readiness_demand import Demand, need_of
from abri.planning.readiness_model import (
    Milp,
    Rows,
    Sites,
    Solution,
    Supply,
    household_vars,
    used_places,
)
from abri.planning.readiness_needs import Need

NEED_EXTRA_HOURS = 1000.0
"""Cost of an extra place that must meet a need (accessible, care...) over an ordinary one, per place, in hours:
of the fewest extra places, the fewest must meet a need."""
UNRESOLVED_COST = 1e8
"""Cost per person no site can take (no department within reach meets the need)."""


class _Extras:
    """The placement model's extra places: variables per department, group and need, and their blocks."""

    def __init__(self, model: Milp) -> None:
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
    model: Milp,
    demand: Demand,
    supply: Supply,
    sites: Sites,
    rows: Rows,
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


def placement(
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
    model = Milp()
    rows = Rows(supply)
    extras = _Extras(model)

    def penalty(p1: str, p2: str, region: str) -> float:
        return penalty_s if (p1 or p2) and region not in (p1, p2) else 0.0

    _place_singles(model, demand, supply, sites, rows, extras, penalty)
    house = household_vars(
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
    return Solution(short, used_places(house, x, len(supply.ids)), exact, extra, unresolved)
