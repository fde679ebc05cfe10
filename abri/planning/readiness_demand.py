"""The people the readiness model places: classes by day, group and need, and households.

From a checked people file (:func:`abri.inputs.people.read_people`):
people who refused are left out (they are counted, see
:mod:`abri.planning.readiness_pathways`), and so are minors with a UK link
who leave for the UK from the camp within the day's quota. Everyone else
needs a place: people alone are counted by class (day, group, need,
preferred regions), families by household with the need of the household.
From expected counts: people by group, with no need but the group's ride
limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from abri.constants import GROUPS
from abri.planning.pathways import CENTRE_ROUTES, Routes
from abri.planning.readiness_needs import NO_LIMIT, Need, NeedRules, household_need, people_needs

HOUSEHOLD_SIZE = 4
"""People per household when families are given as an expected count."""
SINGLE_COLUMNS = ["day", "group", "pref1", "pref2", "need", "count"]
HOUSEHOLD_COLUMNS = ["day", "household", "size", "pref1", "pref2", "need"]


@dataclass(frozen=True)
class Demand:
    """People expected: classes of people travelling alone, and households (families), each with a day and a :class:`Need`."""

    singles: pd.DataFrame  # day, group, pref1, pref2, need, count
    households: pd.DataFrame  # day, household, size, pref1, pref2, need
    source: str  # "people file" or "expected counts"
    rules: NeedRules = field(default_factory=NeedRules)

    @property
    def days(self) -> list[str]:
        """Departure days, in order."""
        return sorted(set(self.singles["day"]) | set(self.households["day"]))

    def only(self, groups: set[str]) -> Demand:
        """The people of `groups` alone."""
        households = self.households if "families" in groups else self.households.iloc[:0]
        singles = self.singles[self.singles["group"].isin(groups)]
        return Demand(singles, households, self.source, self.rules)

    @property
    def needs_care(self) -> bool:
        """Whether someone needs care within reach of their centre."""
        needs = [*self.singles["need"], *self.households["need"]]
        return any(need_of(n).care for n in needs)

    def group_need(self, group: str) -> Need:
        """The need of a person of `group` with no need of their own (the group's ride limit)."""
        return self.rules.need("", group)

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


def demand_from_people(
    people: pd.DataFrame, rules: NeedRules | None = None, *, routes: Routes | None = None
) -> Demand:
    """Demand from a checked people file: families by household, as the allocation does.

    `rules` turn each person's needs into a :class:`Need` (default: the default rules); with
    `routes` (:func:`abri.planning.pathways.route_people`) only people routed to a centre
    need a place (not those who refused, leave for the UK from the camp or have no route).
    """
    rules = rules or NeedRules()
    if routes is not None:
        route = people["person_id"].map(routes.route).fillna("centre")
        people = people[route.isin(CENTRE_ROUTES).to_numpy(bool)]
    people = people.assign(need=people_needs(people, rules, routes))
    family = people["group"] == "families"
    households = (
        people[family]
        .groupby(["day", "household"], as_index=False)
        .agg(
            size=("person_id", "size"),
            pref1=("pref1", "first"),
            pref2=("pref2", "first"),
            need=("need", lambda needs: household_need(list(needs))),
        )
        .reindex(columns=HOUSEHOLD_COLUMNS)
    )
    singles = (
        people[~family]
        .groupby(["day", "group", "pref1", "pref2", "need"], as_index=False)
        .size()
        .rename(columns={"size": "count"})
        .reindex(columns=SINGLE_COLUMNS)
    )
    return Demand(singles, households, "people file", rules)


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
    counts: Mapping[str, int],
    *,
    day: str,
    household_size: int = HOUSEHOLD_SIZE,
    rules: NeedRules | None = None,
) -> Demand:
    """Demand from expected counts, all leaving on `day`; families are split into households of `household_size`."""
    unknown = [g for g in counts if g not in GROUPS]
    if unknown or any(int(n) < 0 for n in counts.values()) or household_size < 1:
        msg = f"counts {dict(counts)} with household size {household_size}: expected groups among {', '.join(GROUPS)}, counts >= 0, size >= 1"
        raise ValueError(msg)
    rules = rules or NeedRules()
    singles = pd.DataFrame(
        [
            {
                "day": day,
                "group": g,
                "pref1": "",
                "pref2": "",
                "need": rules.need("", g),
                "count": int(n),
            }
            for g, n in counts.items()
            if g != "families" and n > 0
        ],
        columns=SINGLE_COLUMNS,
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
            "need": [rules.need("", "families")] * len(sizes),
        },
        columns=HOUSEHOLD_COLUMNS,
    )
    return Demand(singles, households, "expected counts", rules)


def need_of(row_need: object) -> Need:
    """The :class:`Need` of a demand row (no need when the frame predates needs)."""
    return row_need if isinstance(row_need, Need) else Need(limit_h=NO_LIMIT)
