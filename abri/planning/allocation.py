"""Who goes where: people to centres, by min-cost flow and a small MILP.

Each departure day is solved in turn on the places left by earlier days.
Families (households) are kept together by a mixed-integer program (SciPy's
HiGHS): one centre per household, capacities respected. Everyone else is
placed by a min-cost flow (networkx network simplex) from classes of people
(group, two preferred regions) through region nodes to centres. Cost is the
coach travel time from the origin plus a penalty outside the person's two
preferred regions. Nobody is dropped: whoever cannot be placed is listed
with the reason. A centre with an opening date (``opens_on``) receives only
the people of that day and later: people of day D need it open by the
morning of D.

With the rules, rides count by group: a group's travel time is weighted by
its ``ride_weight`` (so vulnerable people, weighted most, get the nearer
places their groups accept before men do), and a centre whose estimated ride
(road time with the margin, one driver's breaks pro rata) is longer than the
group's ``max_ride_hours`` is used only when nothing nearer is left; those
people carry a ``ride_note`` saying so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from abri.inputs.scenario import Rules

UNPLACED_COST = 10**9
OVER_LIMIT_COST = 10**7
"""Cost per person of a centre beyond the group's longest acceptable ride: above any ride and preference cost, below unplaced."""


@dataclass
class Allocation:
    """One row per person: the centre (empty if unplaced) and the reason when unplaced."""

    assignments: pd.DataFrame  # person_id, day, group, household, pref1, pref2, centre_id, in_preferred, reason, ride_h, ride_note

    def __repr__(self) -> str:
        a = self.assignments
        placed = int((a["centre_id"] != "").sum()) if "centre_id" in a.columns else 0
        return f"Allocation({placed:,} of {len(a):,} people placed in {a.loc[a['centre_id'] != '', 'centre_id'].nunique() if placed else 0} centres)"

    @property
    def placed(self) -> pd.DataFrame:
        """People who have a centre."""
        return self.assignments[self.assignments["centre_id"] != ""]

    @property
    def unplaced(self) -> pd.DataFrame:
        """People with no centre, and why."""
        return self.assignments[self.assignments["centre_id"] == ""]

    def per_centre(self) -> pd.Series:
        """People placed in each centre."""
        return self.placed.groupby("centre_id").size()

    def preferred_share(self, *, adults_only: bool = True) -> float:
        """Share of placed people (adults by default) in one of their preferred regions."""
        placed = self.placed
        if adults_only:
            placed = placed[placed["group"] != "minors"]
        return float(placed["in_preferred"].mean()) if len(placed) else 0.0


def _eligible(centres: pd.DataFrame, group: str, remaining: pd.Series) -> pd.DataFrame:
    accepts = centres["groups"].str.split(";").map(lambda gs: group in gs)
    return centres[
        accepts & centres["time_s"].notna() & (remaining.reindex(centres["id"]).to_numpy() > 0)
    ]


def _reason(
    centres: pd.DataFrame, group: str, day: str = "", remaining: pd.Series | None = None
) -> str:
    accepts = centres[centres["groups"].str.split(";").map(lambda gs: group in gs)]
    if accepts.empty:
        return f"no centre accepts group '{group}'"
    if accepts["time_s"].isna().all():
        return f"every centre for group '{group}' is unreachable by road (or by coach before it closes)"
    later = (
        accepts[accepts["time_s"].notna() & (accepts["opens_on"] > day)]
        if remaining is not None
        else accepts.iloc[:0]
    )
    left = int(remaining.reindex(later["id"]).sum()) if remaining is not None and len(later) else 0
    if left:
        return f"no places left for group '{group}' open by {day}; {left} more open later (from {later['opens_on'].min()})"
    return f"no places left for group '{group}'"


def _cost(
    centre_time: np.ndarray, centre_region: np.ndarray, prefs: tuple[str, str], penalty: int
) -> np.ndarray:
    outside = (
        ~np.isin(centre_region, [p for p in prefs if p])
        if any(prefs)
        else np.zeros(len(centre_region), bool)
    )
    return np.round(centre_time).astype(np.int64) + outside * penalty


def ride_estimate_h(time_s: pd.Series, rules: Rules) -> pd.Series:
    """Estimated ride (h) on a direct coach: road time with the margin, plus one driver's breaks pro rata."""
    planned = time_s.astype(float) * (1 + rules.margin_pct / 100)
    one_driver = planned <= rules.max_driving_hours * 3600 - rules.driving_buffer_minutes * 60
    breaks = 1 + rules.break_minutes / 60 / rules.break_after_hours
    return planned.where(~one_driver, planned * breaks) / 3600


def _group_cost(centres: pd.DataFrame, group: str, rules: Rules | None) -> np.ndarray:
    """Ride cost of each centre for one person of `group`: weighted time, plus a large cost beyond the group's ride limit."""
    time_s = centres["time_s"].to_numpy(float)
    if rules is None:
        return time_s
    cost = time_s * rules.ride_weight.get(group, 1.0)
    limit = rules.max_ride_hours.get(group)
    if limit is not None:
        cost = cost + (centres["ride_h"].to_numpy(float) > limit) * OVER_LIMIT_COST
    return cost


def _place_households(
    people: pd.DataFrame,
    centres: pd.DataFrame,
    remaining: pd.Series,
    penalty: int,
    rules: Rules | None = None,
) -> dict[str, str]:
    """Households (same ``household`` id) -> centre, one centre each, by MILP; unplaced households absent."""
    households = people.groupby("household").agg(
        size=("person_id", "size"),
        pref1=("pref1", "first"),
        pref2=("pref2", "first"),
        group=("group", "first"),
    )
    eligible = _eligible(centres, "families", remaining)
    if households.empty or eligible.empty:
        return {}
    n_h, n_c = len(households), len(eligible)
    times, regions = _group_cost(eligible, "families", rules), eligible["region"].to_numpy()
    cost = np.concatenate(
        [
            np.concatenate(
                [
                    size * _cost(times, regions, (p1, p2), penalty)
                    for size, p1, p2 in zip(
                        households["size"], households["pref1"], households["pref2"]
                    )
                ]
            ),
            UNPLACED_COST * households["size"].to_numpy(),  # one 'unplaced' slack per household
        ]
    ).astype(float)
    h_idx = np.repeat(np.arange(n_h), n_c)
    c_idx = np.tile(np.arange(n_c), n_h)
    n_x = n_h * n_c
    one_each = coo_matrix(
        (np.ones(n_x + n_h), (np.concatenate([h_idx, np.arange(n_h)]), np.arange(n_x + n_h))),
        shape=(n_h, n_x + n_h),
    )
    sizes = households["size"].to_numpy()[h_idx]
    fits = coo_matrix((sizes, (c_idx, np.arange(n_x))), shape=(n_c, n_x + n_h))
    caps = remaining.reindex(eligible["id"]).to_numpy()
    result = milp(
        cost,
        integrality=np.ones(n_x + n_h, dtype=np.int8),
        bounds=Bounds(0, 1),
        constraints=[LinearConstraint(one_each, 1, 1), LinearConstraint(fits, 0, caps)],
        options={"time_limit": 30, "mip_rel_gap": 1e-4},
    )
    if result.x is None:
        return {}
    chosen = np.round(result.x[:n_x]).reshape(n_h, n_c)
    out = {}
    for h, household in enumerate(households.index):
        hit = np.flatnonzero(chosen[h] > 0.5)
        if len(hit):
            out[household] = str(eligible["id"].iat[hit[0]])
    return out


def _place_singles(
    people: pd.DataFrame,
    centres: pd.DataFrame,
    remaining: pd.Series,
    penalty: int,
    rules: Rules | None = None,
) -> dict[str, str]:
    """Person -> centre for people travelling alone, by min-cost flow; unplaced people absent."""
    if people.empty:
        return {}
    classes = people.groupby(["group", "pref1", "pref2"])["person_id"].apply(list)
    graph: nx.DiGraph[object] = nx.DiGraph()
    graph.add_node("sink", demand=len(people))
    graph.add_node("unplaced")
    graph.add_edge("unplaced", "sink", weight=0)
    used_centres: set[str] = set()
    for (group, p1, p2), members in classes.items():
        node = ("class", group, p1, p2)
        graph.add_node(node, demand=-len(members))
        graph.add_edge(node, "unplaced", weight=UNPLACED_COST)
        eligible = _eligible(centres, group, remaining)
        for region, in_region in eligible.groupby("region"):
            region_node = ("region", group, region)
            outside = bool(p1 or p2) and region not in (p1, p2)
            graph.add_edge(node, region_node, weight=penalty if outside else 0)
            for cid, t in zip(in_region["id"], _group_cost(in_region, group, rules)):
                graph.add_edge(region_node, ("centre", cid), weight=round(t))
                used_centres.add(cid)
    for cid in used_centres:
        graph.add_edge(("centre", cid), "sink", weight=0, capacity=int(remaining[cid]))
    _, flow = nx.network_simplex(graph)
    # Decompose: class -> region node -> centre slots.
    slots: dict[tuple, list[list]] = defaultdict(list)
    for region_node, targets in flow.items():
        if isinstance(region_node, tuple) and region_node[0] == "region":
            slots[region_node] = [[c[1], n] for c, n in targets.items() if n > 0]
    out: dict[str, str] = {}
    for (group, p1, p2), members in classes.items():
        queue = iter(members)
        for region_node, amount in flow[("class", group, p1, p2)].items():
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


def within_capacity(
    today: pd.DataFrame, limit: int, weights: dict[str, float]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The people a day can carry (`limit`), households whole, weightiest groups first (then in file order); and the rest."""
    household = (
        today["household"]
        .astype(str)
        .where(today["household"].astype(str) != "", today["person_id"].astype(str))
    )
    weight = today["group"].map(lambda g: weights.get(g, 1.0)).astype(float)
    order = (
        pd.DataFrame({"household": household, "weight": weight, "row": range(len(today))})
        .groupby("household", sort=False)
        .agg(weight=("weight", "max"), row=("row", "min"), size=("row", "size"))
        .sort_values(["weight", "row"], ascending=[False, True], kind="stable")
    )
    keep, used = set(), 0
    for name, size in zip(order.index, order["size"]):
        if used + size <= limit:
            keep.add(name)
            used += size
    kept = household.isin(keep).to_numpy()
    return today[kept], today[~kept]


def allocate(
    people: pd.DataFrame,
    centres: pd.DataFrame,
    origin_time_s: pd.Series,
    *,
    penalty_hours: float = 24.0,
    rules: Rules | None = None,
    day_limit: tuple[int, str] | None = None,
) -> Allocation:
    """Place every person in a centre that accepts their group, day by day.

    Parameters
    ----------
    people
        ``person_id``, ``day``, ``group``, ``household``, ``pref1``, ``pref2``.
    centres
        Validated centres: ``id``, ``capacity``, ``groups``, ``region``.
    origin_time_s
        Travel time (s) from the origin to each centre id; NaN when unreachable.
    penalty_hours
        Cost of a place outside both preferred regions, in hours of travel.
    rules
        Ride weights and longest rides by group (see the module's docstring); without them every
        group's ride counts the same and has no limit.
    day_limit
        People the day's coaches can carry and the reason given to the others
        (:func:`abri.planning.operation.day_capacity`): beyond it, households are
        left unplaced, the groups of most ride weight placed first.
    """
    penalty = int(penalty_hours * 3600)
    frame = pd.DataFrame(centres)[["id", "capacity", "groups", "region"]].copy()
    frame["id"] = frame["id"].astype(str)
    frame["time_s"] = frame["id"].map(origin_time_s).astype(float)
    opens_on = (
        centres["opens_on"] if "opens_on" in centres.columns else pd.Series("", index=centres.index)
    )
    frame["opens_on"] = (
        opens_on.fillna("").astype(str).str[:10].to_numpy()
    )  # ISO date, "" when open from the start
    frame["ride_h"] = (
        ride_estimate_h(frame["time_s"], rules) if rules is not None else frame["time_s"] / 3600
    )
    if (
        rules is not None
    ):  # a centre no coach reaches before it closes, even leaving first with two drivers, is out of reach
        closes = pd.Series(
            list(centres["closes"]) if "closes" in centres.columns else [""] * len(frame),
            index=frame.index,
        )
        closes = (
            closes.astype(object)
            .where(closes.astype(str).str.contains(":"), rules.reception_close)
            .astype(str)
        )
        close_h = closes.map(lambda c: int(c.split(":")[0]) + int(c.split(":")[1]) / 60)
        first = int(rules.departure.split(":")[0]) + int(rules.departure.split(":")[1]) / 60
        direct_h = frame["time_s"] * (1 + rules.margin_pct / 100) / 3600
        frame.loc[first + direct_h > close_h, "time_s"] = np.nan
    remaining = frame.set_index("id")["capacity"].astype(int).copy()
    assigned: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for day in sorted(people["day"].unique()):
        today = people[people["day"] == day]
        if day_limit is not None and len(today) > day_limit[0]:
            today, beyond = within_capacity(
                today, day_limit[0], rules.ride_weight if rules is not None else {}
            )
            reasons.update(dict.fromkeys(beyond["person_id"], day_limit[1]))
        is_family = today["group"] == "families"
        shut = frame.loc[
            frame["opens_on"] > str(day)[:10], "id"
        ]  # not open by the morning of `day`: no places that day
        open_today = remaining.copy()
        open_today.loc[shut.to_numpy()] = 0
        by_household = _place_households(today[is_family], frame, open_today, penalty, rules)
        for pid, household in zip(
            today.loc[is_family, "person_id"], today.loc[is_family, "household"]
        ):
            if household in by_household:
                assigned[pid] = by_household[household]
                remaining[by_household[household]] -= 1
                open_today[by_household[household]] -= 1
        singles = _place_singles(today[~is_family], frame, open_today, penalty, rules)
        for pid, cid in singles.items():
            assigned[pid] = cid
            remaining[cid] -= 1
        for pid, group in zip(today["person_id"], today["group"]):
            if pid not in assigned:
                reasons[pid] = _reason(frame, group, str(day)[:10], remaining)
    out = people.copy()
    out["centre_id"] = out["person_id"].map(assigned).astype(object).fillna("")
    region_of = frame.set_index("id")["region"]
    centre_region = out["centre_id"].map(region_of)
    out["in_preferred"] = (centre_region == out["pref1"]) | (centre_region == out["pref2"])
    out["reason"] = out["person_id"].map(reasons).astype(object).fillna("")
    out["ride_h"] = out["centre_id"].map(frame.set_index("id")["ride_h"]).astype(float).round(2)
    out["ride_note"] = ""
    if rules is not None:
        limit = out["group"].map(rules.max_ride_hours).astype(float)
        over = out["ride_h"] > limit
        out.loc[over, "ride_note"] = [
            f"no place within {lim:g} h accepting group '{g}' was left that day (estimated ride {r:.1f} h)"
            for g, lim, r in zip(out.loc[over, "group"], limit[over], out.loc[over, "ride_h"])
        ]
    return Allocation(out)
