"""People to pathways: a refusal, the UK (direct or through a centre), a medical transfer, or a coach.

Each person is given one route before any centre is chosen:

- ``refusal``: the person refused (a non-empty ``refusal``): no centre, no coach;
- ``medical``: the person cannot travel seated or needs care that cannot wait
  (:attr:`~abri.inputs.needs.NeedProfile.medical_transfer`): a centre meeting
  the care need, reached by the scenario's medical transfer on the person's
  day, within its daily quota (people in file order); with no such transfer
  that day, or its quota used up, the person (and their household) has no
  route, with a reason coded ``medical-transfer``;
- ``uk``: an unaccompanied minor (group ``minors``) with a family link in the
  UK leaves from the camp on the UK direct pathway when it runs that day and
  has quota left;
- ``uk-centre``: otherwise such a minor goes by coach to a minors' centre
  holding Home Office interviews, under the UK ``centre`` pathway's days and
  quota (with no such row, whenever a centre holds interviews); when neither
  is possible, the minor goes to an ordinary minors' centre (``centre``) with a
  shortfall coded ``uk-quota`` saying why;
- ``centre``: everyone else, by coach to a reception centre.

The days compared are the people file's (``YYYY-MM-DD``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from abri.inputs.needs import NeedProfile
from abri.inputs.pathways import Pathway

ROUTES = ("centre", "uk", "uk-centre", "medical", "refusal")
"""Routes a person may get; ``""`` is none (unplaced, with a reason)."""
COACH_ROUTES = ("centre", "uk-centre")
"""Routes travelled on the plan's coaches."""
CENTRE_ROUTES = (*COACH_ROUTES, "medical")
"""Routes ending in a reception centre."""


@dataclass
class Routes:
    """The route of each person, and what was said about it."""

    route: dict[str, str] = field(default_factory=dict)
    """person_id -> one of :data:`ROUTES`, or ``""`` (no route: see `reason`)."""
    reason: dict[str, str] = field(default_factory=dict)
    """Why a person has no centre: no route (coded), refused, or gone to the UK."""
    shortfall: dict[str, str] = field(default_factory=dict)
    """``code: text`` of a route that is a second best (``uk-quota``) or missing (``medical-transfer``)."""
    ride_limit: dict[str, float] = field(default_factory=dict)
    """Hard ride limit (h) a pathway sets for a person (a medical transfer's ``max_ride_hours``)."""


class _Quotas:
    """People taken by each pathway on each day, against its daily quota."""

    def __init__(self, pathways: list[Pathway]) -> None:
        self.pathways = pathways
        self.used: Counter[tuple[int, str]] = Counter()

    def find(self, kind: str, mode: str | None, day: str) -> Pathway | None:
        """The pathway of `kind` (and `mode`, any if None) running on `day`."""
        return next(
            (
                p
                for p in self.pathways
                if p.kind == kind and mode in (None, p.mode) and p.runs_on(day)
            ),
            None,
        )

    def exists(self, kind: str, mode: str | None = None) -> bool:
        """Whether the scenario has a pathway of `kind` (and `mode`) on any day."""
        return any(p.kind == kind and mode in (None, p.mode) for p in self.pathways)

    def take(self, kind: str, mode: str | None, day: str) -> tuple[Pathway | None, str]:
        """A place on the pathway running on `day`: (the pathway, "") or (None, why not)."""
        found = self.find(kind, mode, day)
        name = f"{kind} {mode}" if mode else kind
        if found is None:
            runs = sorted(
                {
                    d
                    for p in self.pathways
                    if p.kind == kind and mode in (None, p.mode)
                    for d in p.days
                }
            )
            why = (
                f"the {name} pathway does not run on {day} (only {', '.join(runs)})"
                if self.exists(kind, mode)
                else f"no {name} pathway in the scenario (pathways.csv)"
            )
            return None, why
        key = (self.pathways.index(found), day)
        if found.daily_quota is not None and self.used[key] >= found.daily_quota:
            return (
                None,
                f"the {name} pathway's quota of {found.daily_quota} a day is used up on {day}",
            )
        self.used[key] += 1
        return found, ""


def _uk_route(quotas: _Quotas, day: str, home_office_centres: bool) -> tuple[str, str, str]:
    """(route, reason, shortfall) of a minor with a UK family link on `day`."""
    direct, why_direct = quotas.take("uk", "direct", day)
    if direct is not None:
        where = f" to {direct.destination}" if direct.destination else ""
        return "uk", f"UK transfer{where}, direct from the camp", ""
    if quotas.exists("uk", "centre"):
        through, why_centre = quotas.take("uk", "centre", day)
        if through is not None:
            return "uk-centre", "", ""
    elif home_office_centres:
        return "uk-centre", "", ""
    else:
        why_centre = "no centre holds Home Office interviews"
    why = f"{why_direct}; {why_centre}" if quotas.exists("uk", "direct") else why_centre
    return "centre", "", f"uk-quota: {why}; placed in an ordinary minors' centre"


def route_people(
    people: pd.DataFrame,
    needs: pd.Series,
    pathways: list[Pathway],
    *,
    home_office_centres: bool,
) -> Routes:
    """The route of every person (see the module's docstring).

    Parameters
    ----------
    people
        The people frame (``person_id``, ``day``, ``group``, ``household``, ``family_country``,
        ``refusal``), in file order.
    needs
        Each person's :class:`~abri.inputs.needs.NeedProfile`, aligned with `people`.
    pathways
        The scenario's pathways.
    home_office_centres
        Whether some centre holds Home Office interviews.
    """
    quotas, out = _Quotas(pathways), Routes()
    rows = zip(
        people["person_id"],
        people["day"],
        people["group"],
        people["family_country"],
        people["refusal"],
        needs,
    )
    for pid, day, group, country, refusal, need in rows:
        route, reason, shortfall = _route_one(
            quotas, str(day)[:10], group, country, str(refusal), need, home_office_centres
        )
        out.route[pid] = route
        if reason:
            out.reason[pid] = reason
        if shortfall:
            out.shortfall[pid] = shortfall
        if route == "medical":
            ride = quotas.find("medical", None, str(day)[:10])
            if ride is not None and ride.max_ride_hours is not None:
                out.ride_limit[pid] = ride.max_ride_hours
    _households_follow(people, out)
    return out


def _route_one(
    quotas: _Quotas,
    day: str,
    group: str,
    country: str,
    refusal: str,
    need: NeedProfile,
    home_office: bool,
) -> tuple[str, str, str]:
    if refusal.strip():
        return "refusal", f"refused: {refusal.strip()}", ""
    if need.medical_transfer:
        found, why = quotas.take("medical", None, day)
        if found is None:
            text = f"medical-transfer: {why}"
            return "", text, text
        return "medical", "", ""
    if group == "minors" and country == "UK":
        return _uk_route(quotas, day, home_office)
    return "centre", "", ""


def _households_follow(people: pd.DataFrame, routes: Routes) -> None:
    """A household travels whole: a member with no route leaves the others (families) without one too."""
    families = people[(people["group"] == "families") & (people["household"].astype(str) != "")]
    for household, members in families.groupby("household")["person_id"]:
        stuck = [p for p in members if routes.route[p] == ""]
        if not stuck:
            continue
        for pid in members:
            if routes.route[pid] in ("centre", "uk-centre", "medical"):
                routes.route[pid] = ""
                text = f"{routes.shortfall[stuck[0]].split(': ', 1)[0]}: with household {household}, whose member {stuck[0]} has no solution ({routes.reason[stuck[0]]})"
                routes.reason[pid] = routes.shortfall[pid] = text
