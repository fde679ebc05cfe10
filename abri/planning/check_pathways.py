"""The allocation as the independent check sees it, and the check of each person's pathway.

Part of :func:`abri.planning.check.check_plan` (through
:mod:`abri.planning.check_needs`); trusts none of the planner's flags but
the pathway it checks. Each person's row (``needs``, ``refusal``,
``group``, ``family_country``) says which pathways they may take:

- a person who refused (``refusal``) is on ``refusal``; ``medical`` only for
  a need of a medical transfer (stretcher, urgent care), and such a person
  placed in a centre is on ``medical``; ``uk`` and ``uk-centre`` only with a
  family link in the UK;
- ``uk`` (UK direct) and ``refusal``: no centre (nor coach: see
  :mod:`abri.planning.check_needs`); ``uk-centre``: a centre holding Home
  Office interviews;
- a minor with a UK family link is on a UK pathway or listed with a
  ``uk-quota`` shortfall;
- with the scenario's pathways: each pathway a day runs that day and within
  its daily quota (``uk-centre`` with no row of its own runs whenever a
  centre holds interviews).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from abri.inputs.needs import NeedProfile, profile
from abri.inputs.pathways import Pathway
from abri.planning.accounting import OWN_WAY, pathway_of
from abri.planning.check_rides import names, ride_limit

SHORTFALL_CODE = re.compile(r"^\s*(care:[a-z]+|[a-z][a-z-]*)\s*:")
"""The machine code that starts each `` | ``-joined part of a ``shortfall`` cell."""
PATHWAY_OF_MODE = {
    ("uk", "direct"): "uk",
    ("uk", "centre"): "uk-centre",
    ("medical", "transfer"): "medical",
}


@dataclass(frozen=True)
class CheckPeople:
    """The allocation seen by the check: frame by person id, profiles of people with needs, pathways, listed shortfall codes."""

    frame: pd.DataFrame
    profiles: dict[str, NeedProfile]
    pathway: pd.Series
    listed: dict[str, set[str]]

    def ride_limit(self, person: str, rules: Any) -> tuple[float, str] | None:
        """The person's ride limit (h) and what sets it (:func:`abri.planning.check_rides.ride_limit`)."""
        prof = self.profiles.get(person)
        limited = prof is not None and prof.limited_ride
        return ride_limit(self.text("group", person), self.text("needs", person), limited, rules)

    def text(self, column: str, person: str) -> str:
        """The person's `column` as text, ``""`` when missing."""
        return self._texts(column).get(person, "")

    def _texts(self, column: str) -> dict[str, str]:
        """`column` as text by person id (read once per column: the check asks per person)."""
        cache: dict[str, dict[str, str]] = self.__dict__.setdefault("_text_cache", {})
        if column not in cache:
            values = self.frame[column] if column in self.frame.columns else pd.Series(dtype=str)
            cache[column] = {person: str(value) for person, value in values.items()}
        return cache[column]


def shortfall_codes(text: str) -> set[str]:
    """The codes of a ``shortfall`` cell (``'ride-limit: ... | care:dialysis: ...'``)."""
    return {m.group(1) for part in str(text).split(" | ") if (m := SHORTFALL_CODE.match(part))}


def _listed(people: pd.DataFrame, plan: Any) -> dict[str, set[str]]:
    """Shortfall codes listed per person, in the assignments and in the plan's ``shortfalls``."""
    listed: dict[str, set[str]] = defaultdict(set)
    if "shortfall" in people.columns:
        for person, text in people["shortfall"].items():
            if text:
                listed[str(person)] |= shortfall_codes(text)
    rows = getattr(plan, "shortfalls", None)
    frame = pd.DataFrame(rows) if rows is not None else pd.DataFrame()
    if {"person_id", "code"} <= set(frame.columns):
        for person, code in zip(frame["person_id"].astype(str), frame["code"].astype(str)):
            listed[person] |= {code.strip()} | shortfall_codes(code)
    return listed


def check_people(people: pd.DataFrame, plan: Any) -> CheckPeople:
    needs = people["needs"].fillna("").astype(str) if "needs" in people.columns else None
    cache: dict[str, NeedProfile] = {}
    profiles = {}
    if needs is not None:
        for person, text in needs[needs != ""].items():
            profiles[str(person)] = cache.setdefault(text, profile(text))
    return CheckPeople(people, profiles, pathway_of(people), _listed(people, plan))


def pathway_problems(who: CheckPeople, table: pd.DataFrame, on_coach: set[str]) -> list[str]:
    """Medical transfers, UK direct and refusals off the centres' coaches; uk-centre in a Home Office centre; UK-link minors."""
    frame, pathway = who.frame, who.pathway
    centre = frame["centre_id"].astype(str)
    found: dict[str, list[str]] = defaultdict(list)
    for person, prof in who.profiles.items():
        if (
            prof.medical_transfer
            and centre[person]
            and pathway[person] != "medical"
            and person not in on_coach
        ):
            found[
                f"need medical transfer: people placed in {centre[person]} on pathway "
                f"'{pathway[person]}', not a medical transfer"
            ].append(person)
    for person in frame.index[pathway.isin(["uk", "refusal"]) & (centre != "")]:
        found[
            f"pathway {pathway[person]} ({OWN_WAY[pathway[person]]}): people placed in "
            f"{centre[person]}, where they take no centre"
        ].append(person)
    for person in frame.index[pathway == "uk-centre"]:
        home_office = table["home_office"].get(centre[person]) if "home_office" in table else None
        if centre[person] and home_office is not True and str(home_office).lower() != "true":
            found[
                f"pathway uk-centre: people placed in {centre[person]}, which holds no Home Office interviews"
            ].append(person)
    found.update(_uk_link_problems(who))
    found.update(_wrong_pathway(who))
    return [f"{what} ({len(ids)}: {names(ids)})" for what, ids in sorted(found.items())]


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A text column, ``""`` where empty or when the frame has none."""
    if name not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[name].fillna("").astype(str)


def _medical(who: CheckPeople) -> pd.Series:
    """Whether each person needs a medical transfer."""
    index = who.frame.index
    return pd.Series([p in who.profiles and who.profiles[p].medical_transfer for p in index], index)


def _wrong_pathway(who: CheckPeople) -> dict[str, list[str]]:
    """People whose pathway their own row does not allow: a refusal elsewhere than ``refusal``;
    ``medical`` without a need for a medical transfer; a UK pathway without a family link in the UK.
    """
    frame, pathway = who.frame, who.pathway
    refusal, country = _column(frame, "refusal"), _column(frame, "family_country")
    cases = [
        (
            (refusal.str.strip() != "") & (pathway != "refusal"),
            "refusal: people who refused the solution offered are on pathway '{}'",
        ),
        (
            (pathway == "medical") & ~_medical(who),
            "pathway {}: people with no need for a medical transfer (stretcher or urgent care)",
        ),
    ]
    if "family_country" in frame.columns:
        cases.append(
            (
                pathway.isin(["uk", "uk-centre"]) & (country.str.upper() != "UK"),
                "pathway {}: people with no family link in the UK",
            )
        )
    found: dict[str, list[str]] = defaultdict(list)
    for mask, what in cases:
        for person in frame.index[mask]:
            found[what.format(pathway[person])].append(str(person))
    return found


def _uk_link_problems(who: CheckPeople) -> dict[str, list[str]]:
    """Minors with a UK family link neither on a UK pathway nor listed with a ``uk-quota`` shortfall."""
    frame, pathway = who.frame, who.pathway
    if "family_country" not in frame.columns or "group" not in frame.columns:
        return {}
    linked = (frame["group"].astype(str) == "minors") & (
        _column(frame, "family_country").str.upper() == "UK"
    )
    found: dict[str, list[str]] = defaultdict(list)
    for person in frame.index[linked & ~pathway.isin(["uk", "uk-centre", "medical", "refusal"])]:
        if "uk-quota" in who.listed.get(str(person), set()):
            continue
        where = (
            f"placed in {frame.at[person, 'centre_id']}"
            if frame.at[person, "centre_id"]
            else "unplaced"
        )
        found[
            f"need UK link: minors with family in the UK {where} on pathway '{pathway[person]}', "
            "not a UK pathway, and no uk-quota shortfall listed"
        ].append(str(person))
    return found


def quota_problems(who: CheckPeople, pathways: Sequence[Pathway]) -> list[str]:
    """People on each pathway a day within the scenario's pathways (their days and daily quotas).

    ``uk-centre`` with no UK ``centre`` row at all runs whenever a centre holds interviews.
    """
    problems = []
    day = who.frame.get("day", pd.Series("", index=who.frame.index)).astype(str)
    for name in ("uk", "uk-centre", "medical"):
        rows = [w for w in pathways if PATHWAY_OF_MODE.get((w.kind, w.mode)) == name]
        if name == "uk-centre" and not rows:
            continue
        for d, n in sorted(Counter(day[who.pathway == name]).items()):
            quotas = [w.daily_quota for w in rows if w.runs_on(d)]
            if not quotas:
                problems.append(f"pathway {name}: {n} people on {d}, a day it does not run")
            elif None not in quotas and n > sum(q or 0 for q in quotas):
                problems.append(
                    f"pathway {name}: {n} people on {d}, over its daily quota of {sum(q or 0 for q in quotas)}"
                )
    return problems
