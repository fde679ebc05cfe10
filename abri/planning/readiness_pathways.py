"""Readiness of what is not a place: the UK pathway, medical transfers, accessible coaches, refusals.

Counted per day against the scenario's pathways (:mod:`abri.inputs.pathways`)
and fleet:

- ``uk-quota``: minors with a UK family link. Those a direct pathway takes
  that day (within its daily quota) leave from the camp and need no place;
  the others go through a centre with Home Office interviews when a
  ``centre`` pathway exists (within its daily quota; their place is a need of
  the place model), else they are short. Without any UK pathway, minors with
  a UK link go to minors' centres like other minors (stated, not short).
- ``medical-transfer``: people who cannot travel seated or whose care cannot
  wait, against the medical pathway's daily quota (no pathway: all short).
  They still need a place meeting their care (the place model).
- ``accessible-coach``: wheelchair users travelling by coach (not on a
  medical transfer or leaving for the UK from the camp), against the day's
  accessible coaches x ``wheelchair_places``.
- ``refusal``: people who refused, counted and kept; they need nothing.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from abri.inputs.needs import profile
from abri.inputs.scenario import Fleet
from abri.planning.readiness_needs import NeedRules

PATHWAY_CHECKS = ("uk-quota", "medical-transfer", "accessible-coach", "refusal")
COLUMNS = ["need", "day", "people", "available", "short", "add"]


def _column(people: pd.DataFrame, name: str) -> pd.Series:
    return people[name].fillna("").astype(str) if name in people else pd.Series("", people.index)


def day_quota(rules: NeedRules, kind: str, mode: str | None, day: str) -> float:
    """People a day the pathways of `kind` (and `mode`) take on `day`: 0 when none runs, inf without a quota."""
    running = [p for p in rules.pathway(kind, mode) if p.runs_on(day)]
    if any(p.daily_quota is None for p in running):
        return math.inf
    return float(sum(p.daily_quota or 0 for p in running))


def accessible_coaches(fleet: Fleet) -> int:
    """Accessible coaches a day: the named ones when the fleet is given coach by coach, else the count a day."""
    named = [c for c in fleet.accessible_coaches if not fleet.coaches or c in fleet.coaches]
    return len(named) if fleet.coaches and named else fleet.accessible_coaches_per_day


def _row(need: str, day: str, people: int, available: float, add: int) -> dict[str, object]:
    short = int(max(0, people - available))
    return {
        "need": need,
        "day": day,
        "people": int(people),
        "available": available if math.isinf(available) else int(available),
        "short": short,
        "add": add if short else 0,
    }


def pathway_checks(
    people: pd.DataFrame, rules: NeedRules, fleet: Fleet
) -> tuple[pd.DataFrame, pd.Series]:
    """Per check of :data:`PATHWAY_CHECKS` and day: people, what is available, how many short, what to add.

    ``add``: more people a day on the UK or medical quota, more accessible coaches that day.
    Returns the table and, per person, whether they need no place (refused, or UK direct).
    """
    refused = _column(people, "refusal").str.strip() != ""
    profiles = _column(people, "needs").map(profile)
    medical = profiles.map(lambda p: p.medical_transfer) & ~refused
    uk = (people["group"] == "minors") & (_column(people, "family_country") == "UK") & ~refused
    direct = pd.Series(False, people.index)
    rows = []
    for day in sorted(set(people["day"])):
        today = people["day"] == day
        if rules.pathway("uk"):
            ids = people.index[uk & today]
            quota = day_quota(rules, "uk", "direct", day)
            direct.loc[ids[: int(min(len(ids), quota))]] = True
            via_centre = day_quota(rules, "uk", "centre", day)
            rows.append(_row("uk-quota", day, len(ids), quota + via_centre, len(ids)))
            rows[-1]["add"] = rows[-1]["short"]
        n = int((medical & today).sum())
        rows.append(_row("medical-transfer", day, n, day_quota(rules, "medical", None, day), 0))
        rows[-1]["add"] = rows[-1]["short"]
        chairs = profiles.map(lambda p: p.accessible) & today & ~refused & ~medical & ~direct
        coaches, per = accessible_coaches(fleet), max(fleet.wheelchair_places, 1)
        n = int(chairs.sum())
        rows.append(_row("accessible-coach", day, n, coaches * per, math.ceil(n / per) - coaches))
    rows.append(_row("refusal", "", int(refused.sum()), np.inf, 0))
    table = pd.DataFrame(rows, columns=COLUMNS)
    table = table[(table["people"] > 0) | (table["need"] == "refusal")].reset_index(drop=True)
    return table, refused | direct


def uk_linked(people: pd.DataFrame) -> int:
    """Minors with a UK family link who did not refuse."""
    refused = _column(people, "refusal").str.strip() != ""
    return int(
        (
            (people["group"] == "minors") & (_column(people, "family_country") == "UK") & ~refused
        ).sum()
    )
