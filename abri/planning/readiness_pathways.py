"""Readiness of what is not a place: the UK pathway, medical transfers, accessible coaches, refusals.

Each person's route is the allocation's own
(:func:`abri.planning.pathways.route_people`), so readiness and the plan
agree on who goes where; counted per day against the scenario's pathways
(:mod:`abri.inputs.pathways`) and fleet:

- ``uk-quota``: minors with a UK family link. Those the direct pathway takes
  that day leave from the camp and need no place; the others go through a
  centre with Home Office interviews (a need of the place model) within the
  ``centre`` pathway's quota; beyond both, or with neither, they are short
  (they go to an ordinary minors' centre, with a ``uk-quota`` shortfall).
- ``medical-transfer``: people who cannot travel seated or whose care cannot
  wait, against the medical pathway's daily quota: beyond it (or with no
  such pathway) they, and their household, are short. Those transferred
  still need a place meeting their care (the place model).
- ``accessible-coach``: wheelchair users travelling by coach, against the
  day's accessible coaches x ``wheelchair_places``.
- ``refusal``: people who refused, counted and kept; they need nothing.
"""

from __future__ import annotations

import math

import pandas as pd

from abri.inputs.needs import profile
from abri.inputs.scenario import Fleet
from abri.planning.needs import PERSON_COLUMNS, with_defaults
from abri.planning.pathways import COACH_ROUTES, Routes, route_people
from abri.planning.readiness_needs import NeedRules

PATHWAY_CHECKS = ("uk-quota", "medical-transfer", "accessible-coach", "refusal")
COLUMNS = ["need", "day", "people", "available", "short", "add", "detail"]


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


def _row(
    need: str, day: str, people: int, available: float, short: int, add: int, detail: str = ""
) -> dict[str, object]:
    return {
        "detail": detail,
        "need": need,
        "day": day,
        "people": int(people),
        "available": available if math.isinf(available) else int(available),
        "short": short,
        "add": max(add, 0) if short else 0,
    }


def _uk_quotas(rules: NeedRules, day: str, home_office_centres: bool) -> tuple[float, float, str]:
    """Minors the UK pathway takes on `day`: direct from the camp, through Home Office centres, in words."""

    def words(quota: float) -> str:
        return "no quota" if math.isinf(quota) else f"{int(quota):,} a day"

    direct = day_quota(rules, "uk", "direct", day)
    if rules.pathway("uk", "centre"):
        via = day_quota(rules, "uk", "centre", day)
    else:  # the allocation sends them to any centre holding interviews
        via = math.inf if home_office_centres else 0.0
    parts = [
        f"direct {words(direct)}" if direct else "no direct transfer",
        f"through Home Office centres {words(via)}" if via else "no Home Office centre",
    ]
    return direct, via, ", ".join(parts)


def pathway_checks(
    people: pd.DataFrame, rules: NeedRules, fleet: Fleet, *, home_office_centres: bool
) -> tuple[pd.DataFrame, Routes]:
    """Per check of :data:`PATHWAY_CHECKS` and day: people, what is available, how many short, what to add.

    Each person's route is the allocation's own (:func:`abri.planning.pathways.route_people`).
    ``add``: more people a day on the UK or medical quota, more accessible coaches that day.
    Returns the table and the routes.
    """
    people = with_defaults(people, PERSON_COLUMNS)
    profiles = people["needs"].map(profile)
    routes = route_people(
        people, profiles, list(rules.pathways), home_office_centres=home_office_centres
    )
    route = people["person_id"].map(routes.route).fillna("")
    code = people["person_id"].map(lambda p: routes.shortfall.get(p, "").split(":", 1)[0])
    uk = (people["group"] == "minors") & (people["family_country"] == "UK") & (route != "refusal")
    medical = profiles.map(lambda p: p.medical_transfer) & (route != "refusal")
    chairs = profiles.map(lambda p: p.accessible) & route.isin(COACH_ROUTES)
    rows = []
    for day in sorted(set(people["day"])):
        today = people["day"] == day
        if (uk & today).any():
            direct, via, detail = _uk_quotas(rules, day, home_office_centres)
            n, short = int((uk & today).sum()), int((uk & today & (code == "uk-quota")).sum())
            rows.append(_row("uk-quota", day, n, direct + via, short, short, detail))
        n = int((medical & today).sum())
        short = int((medical & today & (route == "")).sum())
        rows.append(
            _row("medical-transfer", day, n, day_quota(rules, "medical", None, day), short, short)
        )
        coaches, per = accessible_coaches(fleet), max(fleet.wheelchair_places, 1)
        n = int((chairs & today).sum())
        short = max(0, n - coaches * per)
        detail = (
            f"{coaches} accessible coach{'es' if coaches != 1 else ''} x {per} wheelchair places"
        )
        rows.append(
            _row(
                "accessible-coach",
                day,
                n,
                coaches * per,
                short,
                math.ceil(n / per) - coaches,
                detail,
            )
        )
    rows.append(_row("refusal", "", int((route == "refusal").sum()), math.inf, 0, 0))
    table = pd.DataFrame(rows, columns=COLUMNS)
    table = table[(table["people"] > 0) | (table["need"] == "refusal")].reset_index(drop=True)
    return table, routes
