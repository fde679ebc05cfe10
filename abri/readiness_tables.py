"""The tables of a readiness check, from the model's solution: groups, days, extra places, departments, regions, needs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from abri.constants import GROUPS
from abri.inputs.scenario import Rules
from abri.planning.readiness import Sites, Solution, Supply
from abri.planning.readiness_demand import Demand, need_of
from abri.planning.readiness_needs import PLACE_NEEDS

EXTRA_COLUMNS = ["departement", "group", "need", "places", "needed_by"]


def group_tables(
    demand: Demand,
    supply: Supply,
    solution: Solution,
    margins: dict[str, int],
    to_date: dict[str, int],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per group (people, places, placed, unplaced, margin) and per day (people and places to date)."""
    people = demand.by_day_group()
    counted = np.isfinite(supply.time_s)
    short = pd.Series({(d, g): 0 for d, g, _ in solution.short}, dtype=int)
    for (d, g, _), n in solution.short.items():
        short[(d, g)] += n
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
    open_places = [
        int(supply.capacity[(supply.opens_on <= d) & counted].sum()) for d in demand.days
    ]
    days = pd.DataFrame(
        {
            "people": people.sum(axis=1).reindex(day_index).fillna(0).astype(int).to_numpy(),
            "places_open": open_places,
        },
        index=day_index,
    )
    days["people_to_date"] = days["people"].cumsum()
    days["places_later"] = int(supply.capacity[counted].sum()) - days["places_open"]
    days["unplaced_to_date"] = [to_date.get(d, 0) for d in demand.days]
    days["ready"] = days["unplaced_to_date"] == 0
    days = days[
        ["people", "people_to_date", "places_open", "places_later", "unplaced_to_date", "ready"]
    ]
    return groups, days


def extras_table(solution: Solution, sites: Sites, departements: pd.DataFrame) -> pd.DataFrame:
    """One row per department, group and need: the extra places, the day needed by, the town (and care minutes) of the site."""
    rows = [
        {"departement": d, "group": g, "need": label, "places": n, "needed_by": day, "row": row}
        for (g, d, label), (n, day, row) in solution.extras.items()
        if n > 0
    ]
    extras = pd.DataFrame(rows, columns=[*EXTRA_COLUMNS, "row"])
    site = sites.frame.reindex(extras["row"].to_numpy())
    care = [c for c in site.columns if c.startswith("care_min_")]
    for col in ("insee", "commune", *care):
        extras[col] = site[col].to_numpy() if len(extras) else pd.Series(dtype=object)
    extras = extras.drop(columns="row")
    extras.insert(1, "nom", extras["departement"].map(departements["nom"]))
    extras.insert(2, "region", extras["departement"].map(departements["region"]))
    order = {"group": GROUPS.index, "need": lambda v: (v != "", v)}
    return extras.sort_values(
        ["departement", "group", "need"],
        key=lambda s: s.map(order[str(s.name)]) if s.name in order else s,
    ).reset_index(drop=True)


def area_tables(
    frame: pd.DataFrame,
    supply: Supply,
    extras: pd.DataFrame,
    departements: pd.DataFrame,
    region_names: pd.Series,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per department and per region: centres, places by group accepted, extra places by group, needed by."""
    counted = np.isfinite(supply.time_s)
    live = frame[counted].assign(departement=lambda f: f["departement"].astype(str))
    per_dept = pd.DataFrame(
        {
            "centres": live.groupby("departement").size(),
            "places": live.groupby("departement")["capacity"].sum(),
        }
    )
    for g in GROUPS:
        per_dept[f"places_{g}"] = (
            pd.Series(np.where(supply.accepts[g], supply.capacity, 0)[counted], index=live.index)
            .groupby(live["departement"])
            .sum()
        )
        per_dept[f"extra_{g}"] = extras[extras["group"] == g].groupby("departement")["places"].sum()
    per_dept = (
        per_dept.reindex(per_dept.index.union(pd.Index(extras["departement"].unique())))
        .fillna(0)
        .astype(int)
    )
    per_dept["extra"] = per_dept[[f"extra_{g}" for g in GROUPS]].sum(axis=1)
    per_dept["accessible_places"] = (
        pd.Series(supply.services.accessible[counted], index=live.index)
        .groupby(live["departement"])
        .sum()
        .reindex(per_dept.index)
        .fillna(0)
        .astype(int)
    )
    with_need = extras[extras["need"] != ""].groupby("departement")["places"].sum()
    per_dept["extra_needs"] = with_need.reindex(per_dept.index).fillna(0).astype(int)
    per_dept["needed_by"] = (
        extras.groupby("departement")["needed_by"].min().reindex(per_dept.index).fillna("")
    )
    per_dept.insert(0, "nom", per_dept.index.map(departements["nom"]))
    per_dept.insert(1, "region", per_dept.index.map(departements["region"]))
    per_dept.index.name = "departement"
    numeric = [c for c in per_dept.columns if c not in ("nom", "region", "needed_by")]
    regions = per_dept.groupby("region")[numeric].sum()
    regions["needed_by"] = (
        per_dept[per_dept["needed_by"] != ""]
        .groupby("region")["needed_by"]
        .min()
        .reindex(regions.index)
        .fillna("")
    )
    regions.insert(0, "nom", regions.index.map(region_names))
    return per_dept, regions


def _people_with(demand: Demand, token: str) -> int:
    singles = sum(
        int(n)
        for need, n in zip(demand.singles["need"], demand.singles["count"])
        if token in need_of(need).tokens
    )
    house = demand.households
    for need, size in zip(house["need"], house["size"]):
        need = need_of(need)
        if token in need.tokens:
            singles += {"accessible-place": need.accessible, "single-room": need.single}.get(
                token, int(size)
            )
    return singles


def _places_for(token: str, supply: Supply, rules: Rules) -> int:
    """Places meeting one need within the rules' ride limit for that need."""
    s = supply.services
    limit = rules.need_max_ride_hours
    reach = np.isfinite(supply.time_s) & (s.ride_h <= limit)
    if token == "accessible-place":
        return int(s.accessible[reach].sum())
    if token == "single-room":
        return int(s.single[np.isfinite(supply.time_s)].sum())
    if token.startswith("care:"):
        return int(supply.capacity[reach & s.care_ok[token[5:]]].sum())
    if token == "home-office":
        minors = supply.accepts["minors"] & np.isfinite(supply.time_s)
        return int(
            supply.capacity[
                minors & s.home_office & (s.ride_h <= rules.max_ride_hours.get("minors", np.inf))
            ].sum()
        )
    return int(supply.capacity[reach].sum())


def need_table(
    demand: Demand,
    supply: Supply,
    solution: Solution,
    extras: pd.DataFrame,
    region_names: pd.Series,
    rules: Rules,
) -> pd.DataFrame:
    """Per need a place must meet: people, places within reach, short, extra places, where (by region), what to add (by department)."""
    rows = []
    for token in PLACE_NEEDS:
        people = _people_with(demand, token)
        if not people:
            continue
        short = sum(n for (_, _, label), n in solution.short.items() if token in label.split(";"))
        asks = extras[np.array([token in str(n).split(";") for n in extras["need"]], bool)]
        by_region = asks.groupby("region")["places"].sum().sort_values(ascending=False)
        by_dept = asks.groupby(["departement", "nom"])["places"].sum()
        what = {"accessible-place": "accessible", "single-room": "single-room"}.get(token, "")
        rows.append(
            {
                "need": token,
                "people": people,
                "places": _places_for(token, supply, rules),
                "short": int(short),
                "extra": int(asks["places"].sum()),
                "where": ", ".join(
                    f"{region_names.get(r, r)} {int(n)}" for r, n in by_region.items()
                ),
                "add": ", ".join(
                    f"{int(n)} {what + ' ' if what else ''}place{'s' if n != 1 else ''} in department {d} ({nom})"
                    for (d, nom), n in by_dept.items()
                ),
            }
        )
    columns = ["need", "people", "places", "short", "extra", "where", "add"]
    return pd.DataFrame(rows, columns=columns).set_index("need")
