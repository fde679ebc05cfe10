"""The allocation's two solvers: a min-cost flow for people alone, a small MILP for households.

Both place the people of one day on the places left (:class:`~abri.planning.needs.Places`)
and respect each person's hard requirements (:class:`~abri.planning.needs.Signature`):
centres that do not meet them get no edge (flow) or a zero upper bound (MILP). The
accessible places and single rooms are capacities inside a centre's capacity: in the
flow, a sub-capacity node (``acc``/``single``) in front of the centre's node; in the
MILP, one more row per centre. A centre with an interpreter of one of a person's
languages costs the rules' ``language_weight_hours`` less than one without (weighted
like the person's ride). People needing both an accessible place and a single room go
through the MILP (two sub-capacities are not a path of the flow).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from abri.inputs.scenario import Rules
from abri.planning.flow import Network
from abri.planning.needs import (
    Places,
    Signature,
    combine,
    explain,
    interprets,
    mask,
    without_home_office,
)

UNPLACED_COST = 10**9
OVER_LIMIT_COST = 10**7
"""Cost per person of a centre beyond the group's longest acceptable ride: above any ride and preference cost, below unplaced."""


def accepts(centres: pd.DataFrame, group: str) -> np.ndarray:
    """Centres accepting `group` (from their ``group_set`` when the frame has it)."""
    sets = (
        centres["group_set"] if "group_set" in centres.columns else centres["groups"].str.split(";")
    )
    return np.fromiter((group in gs for gs in sets), bool, len(centres))


def eligible(centres: pd.DataFrame, group: str, remaining: pd.Series) -> pd.DataFrame:
    """Centres accepting `group`, reachable, with places left."""
    left = remaining.reindex(centres["id"]).to_numpy() > 0
    return centres[accepts(centres, group) & centres["time_s"].notna().to_numpy() & left]


def pref_cost(
    centre_time: np.ndarray, centre_region: np.ndarray, prefs: tuple[str, str], penalty: int
) -> np.ndarray:
    """Rounded ride cost plus `penalty` outside the two preferred regions (none given: no penalty)."""
    outside = (
        ~np.isin(centre_region, [p for p in prefs if p])
        if any(prefs)
        else np.zeros(len(centre_region), bool)
    )
    return np.round(centre_time).astype(np.int64) + outside * penalty


def group_cost(
    centres: pd.DataFrame,
    group: str,
    rules: Rules | None,
    *,
    languages: tuple[str, ...] = (),
    language_s: float = 0.0,
) -> np.ndarray:
    """Ride cost of each centre for one person of `group`: weighted time, a large cost beyond the
    group's ride limit, and `language_s` (weighted) at centres without an interpreter of `languages`."""
    time_s = centres["time_s"].to_numpy(float)
    weight = rules.ride_weight.get(group, 1.0) if rules is not None else 1.0
    cost = time_s * weight if rules is not None else time_s
    if languages and language_s:
        cost = cost + ~interprets(centres, languages) * (language_s * weight)
    if rules is not None:
        limit = rules.max_ride_hours.get(group)
        if limit is not None:
            cost = cost + (centres["ride_h"].to_numpy(float) > limit) * OVER_LIMIT_COST
    return cost


def _room(centres: pd.DataFrame, sig: Signature, places: Places) -> np.ndarray:
    """Centres with the accessible places and single rooms `sig` needs left."""
    ok = np.ones(len(centres), bool)
    for need, left in ((sig.accessible, places.accessible), (sig.single_room, places.single)):
        if need:
            ok &= left.reindex(centres["id"]).to_numpy() >= need
    return ok


def place_units(
    units: pd.DataFrame,
    centres: pd.DataFrame,
    places: Places,
    penalty: int,
    rules: Rules | None,
    need_rules: Rules,
) -> dict[str, str]:
    """Units (households; ``size``, ``group``, ``pref1``, ``pref2``, ``sig``) -> centre id, one each, by MILP; unplaced absent."""
    left = places.left.reindex(centres["id"]).to_numpy() > 0
    groups = set(units["group"])
    usable = np.zeros(len(centres), bool)
    for g in groups:
        usable |= accepts(centres, g)
    cols = centres[usable & centres["time_s"].notna().to_numpy() & left]
    if units.empty or cols.empty:
        return {}
    n_h, n_c = len(units), len(cols)
    regions, language_s = cols["region"].to_numpy(), need_rules.language_weight_hours * 3600
    cost_rows, ok_rows = [], []
    for group, sig, size, p1, p2 in zip(
        units["group"], units["sig"], units["size"], units["pref1"], units["pref2"]
    ):
        times = group_cost(cols, group, rules, languages=sig.languages, language_s=language_s)
        cost_rows.append(size * pref_cost(times, regions, (p1, p2), penalty))
        ok_rows.append(
            accepts(cols, group) & mask(cols, sig, need_rules) & _room(cols, sig, places)
        )
    sizes_all = units["size"].to_numpy()
    cost = np.concatenate([*cost_rows, UNPLACED_COST * sizes_all]).astype(float)
    upper = np.concatenate([*ok_rows, np.ones(n_h, bool)]).astype(float)
    h_idx, c_idx, n_x = np.repeat(np.arange(n_h), n_c), np.tile(np.arange(n_c), n_h), n_h * n_c
    one_each = coo_matrix(
        (np.ones(n_x + n_h), (np.concatenate([h_idx, np.arange(n_h)]), np.arange(n_x + n_h))),
        shape=(n_h, n_x + n_h),
    )
    constraints = [LinearConstraint(one_each, 1, 1)]
    ids = cols["id"]
    for per_unit, caps in (
        (sizes_all, places.left),
        (np.array([s.accessible for s in units["sig"]]), places.accessible),
        (np.array([s.single_room for s in units["sig"]]), places.single),
    ):
        if per_unit.any():
            rows = coo_matrix((per_unit[h_idx], (c_idx, np.arange(n_x))), shape=(n_c, n_x + n_h))
            constraints.append(LinearConstraint(rows, 0, caps.reindex(ids).to_numpy()))
    result = milp(
        cost,
        integrality=np.ones(n_x + n_h, dtype=np.int8),
        bounds=Bounds(0, upper),
        constraints=constraints,
        options={"time_limit": 30, "mip_rel_gap": 1e-4},
    )
    if result.x is None:
        return {}
    chosen = np.round(result.x[:n_x]).reshape(n_h, n_c)
    out = {}
    for h, unit in enumerate(units.index):
        hit = np.flatnonzero(chosen[h] > 0.5)
        if len(hit):
            out[str(unit)] = str(ids.iat[hit[0]])
    return out


def _target(sig: Signature, cid: str) -> tuple[str, str]:
    """The flow node a person of `sig` enters centre `cid` by: its accessible places, single rooms, or any place."""
    return ("acc" if sig.accessible else "single" if sig.single_room else "centre", cid)


class _Layers:
    """The flow's shared layers, built once each: region nodes of a (group, hard needs) to the
    centres meeting them, and interpreter nodes of a (group, hard needs, languages) to the
    centres among them with an interpreter of those languages."""

    def __init__(
        self,
        net: Network,
        centres: pd.DataFrame,
        places: Places,
        rules: Rules | None,
        need_rules: Rules,
        hard: dict[int, Signature],
    ) -> None:
        self.net, self.centres, self.places = net, centres, places
        self.rules, self.need_rules, self.hard = rules, need_rules, hard
        self.pools: dict[tuple[str, int], pd.DataFrame] = {}
        self.built: dict[tuple, list[str]] = {}
        self.entries: set[tuple[str, str]] = set()

    def _pool(self, group: str, number: int) -> pd.DataFrame:
        if (group, number) not in self.pools:
            sig, places = self.hard[number], self.places
            pool = eligible(self.centres, group, places.left)
            pool = pool[mask(pool, sig, self.need_rules) & _room(pool, sig, places)]
            self.pools[group, number] = pool.assign(cost=group_cost(pool, group, self.rules))
        return self.pools[group, number]

    def regions(self, group: str, number: int, langs: str = "") -> list[str]:
        """Regions of the layer (interpreters of `langs` only, when given), built on first use."""
        key = (group, number, langs)
        if key not in self.built:
            pool = self._pool(group, number)
            if langs:
                pool = pool[interprets(pool, tuple(langs.split(";")))]
            sig = self.hard[number]
            head = ("ilang", group, number, langs) if langs else ("region", group, number)
            for cid, region, cost in zip(pool["id"], pool["region"], pool["cost"]):
                self.net.edge((*head, region), _target(sig, cid), round(cost))
                self.entries.add(_target(sig, cid))
            self.built[key] = sorted(set(pool["region"]))
        return self.built[key]


def place_singles(
    people: pd.DataFrame,
    sigs: pd.Series,
    centres: pd.DataFrame,
    places: Places,
    penalty: int,
    rules: Rules | None,
    need_rules: Rules,
) -> dict[str, str]:
    """Person -> centre for people travelling alone, by min-cost flow; unplaced people absent.

    Classes are people of the same group, preferred regions, hard needs and interpreter
    languages. A class reaches its (group, hard needs) region nodes at its preference cost
    plus the language weight when it has languages, and the interpreter nodes of its
    languages at its preference cost alone; region and interpreter nodes reach centres at
    the ride cost.
    """
    if people.empty:
        return {}
    sig_of = sigs.reindex(people["person_id"]).to_numpy()
    hard = [replace(s, languages=()) for s in sig_of]
    numbers = {s: i for i, s in enumerate(dict.fromkeys(hard))}
    net = Network()
    net.node("sink", len(people))
    net.edge("unplaced", "sink", 0)
    layers = _Layers(net, centres, places, rules, need_rules, {i: s for s, i in numbers.items()})
    number = [numbers[s] for s in hard]
    langs = [  # languages no centre of the layer interprets weigh nothing: no class of their own
        ";".join(s.languages) if s.languages and layers.regions(g, n, ";".join(s.languages)) else ""
        for g, n, s in zip(people["group"], number, sig_of)
    ]
    keyed = people.assign(sig=number, langs=langs)
    classes = keyed.groupby(["group", "pref1", "pref2", "sig", "langs"])["person_id"].apply(list)
    language_s = need_rules.language_weight_hours * 3600
    for (group, p1, p2, number, langs), members in classes.items():
        node = ("class", group, p1, p2, number, langs)
        net.node(node, -len(members))
        net.edge(node, "unplaced", UNPLACED_COST)
        weight = rules.ride_weight.get(group, 1.0) if rules is not None else 1.0
        extra = round(language_s * weight) if langs else 0
        for region in layers.regions(group, number):
            cost = penalty if bool(p1 or p2) and region not in (p1, p2) else 0
            net.edge(node, ("region", group, number, region), cost + extra)
        for region in layers.regions(group, number, langs) if langs else []:
            cost = penalty if bool(p1 or p2) and region not in (p1, p2) else 0
            net.edge(node, ("ilang", group, number, langs, region), cost)
    _add_capacities(net, layers.entries, places)
    return _decompose(net.solve(), classes)


def _add_capacities(net: Network, entries: set[tuple[str, str]], places: Places) -> None:
    """Centre nodes to the sink with the places left; sub-capacity nodes to their centre."""
    sub = {"acc": places.accessible, "single": places.single}
    for kind, cid in sorted(entries):
        if kind in sub:
            net.edge((kind, cid), ("centre", cid), 0, int(sub[kind][cid]))
    for cid in sorted({cid for _, cid in entries}):
        net.edge(("centre", cid), "sink", 0, int(places.left[cid]))


def _decompose(flow: dict, classes: pd.Series) -> dict[str, str]:
    """Person -> centre from a flow: class -> region node -> centre slots, people in class order."""
    slots: dict[tuple, list[list]] = defaultdict(list)
    for region_node, targets in flow.items():
        if isinstance(region_node, tuple) and region_node[0] in ("region", "ilang"):
            slots[region_node] = [[c[1], n] for c, n in targets.items() if n > 0]
    out: dict[str, str] = {}
    for key, members in classes.items():
        queue = iter(members)
        for region_node, amount in flow[("class", *key)].items():
            if region_node == "unplaced":
                continue
            while amount > 0:
                slot = slots[region_node][0]
                take = min(amount, slot[1])
                for _ in range(take):
                    out[next(queue)] = slot[0]
                slot[1] -= take
                amount -= take
                if slot[1] == 0:
                    slots[region_node].pop(0)
    return out


def group_reason(
    centres: pd.DataFrame, group: str, day: str = "", remaining: pd.Series | None = None
) -> str:
    """Why a person of `group` has no place: no centre takes the group, none is reachable, none has places left (open by `day`)."""
    accepts_group = centres[accepts(centres, group)]
    if accepts_group.empty:
        return f"no centre accepts group '{group}'"
    if accepts_group["time_s"].isna().all():
        return f"every centre for group '{group}' is unreachable by road (or by coach before it closes)"
    later = (
        accepts_group[accepts_group["time_s"].notna() & (accepts_group["opens_on"] > day)]
        if remaining is not None
        else accepts_group.iloc[:0]
    )
    left = int(remaining.reindex(later["id"]).sum()) if remaining is not None and len(later) else 0
    if left:
        return f"no places left for group '{group}' open by {day}; {left} more open later (from {later['opens_on'].min()})"
    return f"no places left for group '{group}'"


@dataclass
class DayPlacer:
    """The allocation under way: places left, people placed, and why the others are not."""

    frame: pd.DataFrame
    sigs: pd.Series  # Signature by person_id
    penalty: int
    rules: Rules | None
    need_rules: Rules
    places: Places = field(init=False)
    assigned: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    shortfall: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.places = Places.of(self.frame)

    def units(self, today: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Households (and people needing two sub-capacities) for the MILP; the others alone."""
        sig = self.sigs.reindex(today["person_id"]).to_numpy()
        both = np.array([s.accessible > 0 and s.single_room > 0 for s in sig], bool)
        household = today["household"].astype(str)
        is_family = (today["group"] == "families").to_numpy()
        grouped = is_family | both
        key = np.where(
            is_family & (household != "").to_numpy(),
            "h:" + household,
            "p:" + today["person_id"].astype(str),
        )
        if not grouped.any():
            return pd.DataFrame(
                columns=["size", "pref1", "pref2", "group", "members", "sig"]
            ), today
        rows = today[grouped].assign(unit=key[grouped], sig=sig[grouped])
        units = rows.groupby("unit", sort=False).agg(
            size=("person_id", "size"),
            pref1=("pref1", "first"),
            pref2=("pref2", "first"),
            group=("group", "first"),
            members=("person_id", list),
            sig=("sig", lambda s: combine(list(s))),
        )
        return units, today[~grouped]

    def take(self, pairs: dict[str, str], open_places: Places) -> None:
        """Give each person of `pairs` their centre: places used in all and on the day."""
        self.assigned.update(pairs)
        sig = self.sigs.reindex(list(pairs)).to_numpy()
        for places in (self.places, open_places):
            places.take_many(list(pairs.values()), sig)

    def place_day(self, day: str, today: pd.DataFrame, *, retry_home_office: bool) -> list[str]:
        """Place the people of `day`; give the others their reason. Returns the people who wanted a
        Home Office centre and found none (`retry_home_office`: their preference dropped, to try again)."""
        shut = self.frame.loc[self.frame["opens_on"] > day, "id"].to_numpy()
        open_places = self.places.shut(shut)
        units, alone = self.units(today)
        args = (self.frame, open_places, self.penalty, self.rules, self.need_rules)
        unit_of: dict[str, tuple[Signature, int]] = {}
        for members, sig, size in zip(units["members"], units["sig"], units["size"]):
            unit_of.update(dict.fromkeys(members, (sig, size)))
        by_unit = place_units(units, *args)
        self.take(
            {pid: cid for unit, cid in by_unit.items() for pid in units.at[unit, "members"]},
            open_places,
        )
        self.take(place_singles(alone, self.sigs, *args), open_places)
        retry = []
        for pid, group in zip(today["person_id"], today["group"]):
            if pid in self.assigned:
                continue
            sig, size = unit_of.get(pid, (self.sigs[pid], 1))
            if sig.home_office and retry_home_office:
                self.sigs[pid] = without_home_office(self.sigs[pid])
                retry.append(pid)
                continue
            code, text = explain(self.frame, sig, group, open_places, self.need_rules, size=size)
            if code:
                self.reasons[pid], self.shortfall[pid] = text, f"{code}: {text}"
            else:
                self.reasons[pid] = group_reason(self.frame, group, day, self.places.left)
        return retry
