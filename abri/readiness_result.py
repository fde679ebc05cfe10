"""The answer of a readiness check (:class:`Readiness`) and its statements per need.

Per need a place must meet (:data:`abri.planning.readiness_needs.PLACE_NEEDS`),
a line such as "accessible-place: 14 wheelchair users, 6 accessible places
within reach: 8 short (Hauts-de-France 3, Normandie 5); add 3 accessible
places in department 59 (Nord), 5 in 76 (Seine-Maritime)"; per pathway
check, "UK pathway: 180 minors with a link, quota 40 a day over 3 days: 60
short; raise the quota by 20 a day".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from abri.inputs.report import ValidationReport
from abri.planning.operation import operation_lines

WHO = {
    "accessible-place": ("wheelchair users", "accessible places within reach"),
    "single-room": ("people needing a single room", "single rooms"),
    "care:emergency": ("people with emergency follow-up", "places near emergency care"),
    "care:maternity": ("people needing maternity care", "places near a maternity unit"),
    "care:dialysis": ("people on dialysis", "places near dialysis"),
    "care:psychiatry": ("people needing psychiatric care", "places near psychiatric care"),
    "home-office": (
        "minors with a UK link going through a centre",
        "places with Home Office interviews within reach",
    ),
    "ride-limit": ("people with a ride-limiting need", "places within their ride limit"),
    "": ("", "places within reach"),
}
"""Who has each need and what meets it, in the command line's words."""


@dataclass
class Readiness:
    """The answer: ready or not, who cannot be placed, and where how many places are missing.

    Tables (pandas): ``groups`` (people, places accepting the group, placed,
    unplaced, margin), ``days`` (people and places open by each morning,
    people of the days so far without a place), ``departements`` and
    ``regions`` (places by group accepted, extra places by group), ``extras``
    (one row per department, group and need: the number to ask each prefect
    for), ``needs`` (per need a place must meet: people, places within reach,
    short, extra places, where) and ``pathways`` (per day: the UK pathway,
    medical transfers, accessible coaches; refusals counted).
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
    reports: list[ValidationReport] = field(
        default_factory=list, repr=False
    )  # the centre (and people) file checks
    centres: pd.DataFrame | None = field(
        default=None, repr=False
    )  # the centres counted, for the map
    origin: tuple[float, float] | None = None
    operation: pd.DataFrame = field(
        default_factory=pd.DataFrame, repr=False
    )  # per day: people, boarding and fleet coaches, what binds, what lifts it
    reach: dict[str, int] = field(default_factory=dict)  # places by drivers' and reception hours
    needs: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    pathways: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    unresolved: int = 0  # people no site within reach can take, even with extra places

    @property
    def pathway_short(self) -> int:
        """People short of the UK pathway, a medical transfer or an accessible coach."""
        return int(self.pathways["short"].sum()) if len(self.pathways) else 0

    def need_lines(self) -> list[str]:
        """Each need's shortfall and the additions that meet it, for the command line."""
        return need_lines(self.needs, self.extras, self.pathways, self.unresolved)

    @property
    def carried_short(self) -> int:
        """People the origin's boarding and the fleet cannot carry on their day."""
        return int(self.operation["short"].sum()) if len(self.operation) else 0

    def operation_lines(self) -> list[str]:
        """What limits the operation beyond places, for the command line."""
        lines = operation_lines(self.operation) if len(self.operation) else []
        if self.reach.get("places_early_slots_only"):
            lines.append(
                f"operation: {self.reach['places_early_slots_only']:,} places are reached before closing "
                "only by coaches leaving before the last slot (straight-line coach times)"
            )
        if self.reach.get("places_out_of_reach"):
            lines.append(
                f"operation: {self.reach['places_out_of_reach']:,} places are beyond one driver's hours "
                "and second drivers are off"
            )
        return lines

    @property
    def unplaced(self) -> int:
        """People who cannot be placed in the places of the centre file."""
        return int(self.groups["unplaced"].sum())

    def __repr__(self) -> str:
        people = int(self.groups["people"].sum())
        if self.ready:
            margins = ", ".join(
                f"{g} {int(m):,}"
                for g, m in self.groups["margin"].items()
                if self.groups.at[g, "people"] > 0
            )
            beyond = (
                f"; {self.carried_short:,} beyond the days' coaches" if self.carried_short else ""
            )
            return f"Readiness(READY: {people:,} people; margin {margins}{beyond})"
        short = ", ".join(f"{g} {int(n):,}" for g, n in self.groups["unplaced"].items() if n > 0)
        n = self.extras["departement"].nunique()
        return (
            f"Readiness(NOT READY: {self.unplaced:,} of {people:,} people unplaced ({short}); "
            + (f"{self.carried_short:,} beyond the days' coaches; " if self.carried_short else "")
            + (
                f"{self.pathway_short:,} short of a pathway or coach; "
                if self.pathway_short
                else ""
            )
            + f"{int(self.extras['places'].sum()):,} extra places in {n} department{'s' if n != 1 else ''})"
        )


def _quota(rows: pd.DataFrame) -> str:
    """``quota 40 a day over 3 days`` (or each day's), ``no quota``."""
    values = rows["available"].astype(float)
    days = len(rows)
    if values.map(math.isinf).all():
        return "no quota"
    if values.nunique() == 1:
        return f"quota {int(values.iat[0]):,} a day over {days} day{'s' if days != 1 else ''}"
    return "quota " + ", ".join(
        f"{'no limit' if math.isinf(v) else int(v)} on {d}" for d, v in zip(rows["day"], values)
    )


def _detail(rows: pd.DataFrame) -> str:
    """`` (the day's detail)`` when every day says the same, else ``""``."""
    details = set(rows["detail"]) - {""} if "detail" in rows else set()
    return f" ({details.pop()})" if len(details) == 1 else ""


def _pathway_line(need: str, rows: pd.DataFrame) -> str:
    people, short = int(rows["people"].sum()), int(rows["short"].sum())
    if need == "refusal":
        return f"refusals: {people:,} people refused (kept in the accounting; no place needed)"
    adds = rows[rows["add"] > 0]
    if need == "accessible-coach":
        places = _quota(rows).replace("quota ", "")
        head = (
            f"accessible coaches: {people:,} wheelchair users by coach, wheelchair places {places}"
            + _detail(rows)
        )
        todo = ", ".join(f"{int(a)} on {d}" for d, a in zip(adds["day"], adds["add"]))
        return head + (
            f": {short:,} short; add accessible coaches: {todo}" if short else ": enough"
        )
    what = "UK pathway" if need == "uk-quota" else "medical transfers"
    who = "minors with a link" if need == "uk-quota" else "people who cannot travel by coach"
    head = f"{what}: {people:,} {who}, {_quota(rows)}{_detail(rows)}"
    todo = ", ".join(f"{int(a)} more on {d}" for d, a in zip(adds["day"], adds["add"]))
    return head + (f": {short:,} short; raise the daily quota: {todo}" if short else ": enough")


def need_lines(
    needs: pd.DataFrame, extras: pd.DataFrame, pathways: pd.DataFrame, unresolved: int = 0
) -> list[str]:
    """One line per need a place must meet and per pathway check (see the module's examples)."""
    lines = []
    for need, row in needs.iterrows():
        who, what = WHO.get(str(need), (f"people with {need}", "places"))
        line = f"{need}: {int(row['people']):,} {who}, {int(row['places']):,} {what}"
        if row["short"]:
            line += (
                f": {int(row['short']):,} short ({row['where']})"
                if row["where"]
                else f": {int(row['short']):,} short"
            )
            line += f"; add {row['add']}" if row["add"] else "; no site within reach to suggest"
        lines.append(line)
    if unresolved:
        lines.append(
            f"{unresolved:,} people have needs no department within reach can meet "
            "(no site near the care they need): extra places cannot be suggested for them"
        )
    if len(pathways):
        for need, rows in pathways[pathways["people"] > 0].groupby("need", sort=False):
            lines.append(_pathway_line(str(need), rows))
    return lines
