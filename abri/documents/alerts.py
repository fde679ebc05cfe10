"""Welfare and fragility: what is wrong or close to wrong in a plan, for the pages concerned.

Three kinds of watch point, one row each in :func:`alert_table`:

- ``ride``: people whose ride is longer than their group's limit (plan.json's ``ride_exceptions``),
  one row per coach, centre and group;
- ``late``: minors and vulnerable people arriving at or after the late hour (:data:`LATE_HOUR`);
- ``fragile``: trips legal now but not with road times 10 or 20 % longer: from the trip's own
  ``legal_at_longer_roads`` when the plan gives it, else from its slack (driving time left,
  time before a centre closes) against the extra road time.

Every row names its coach, centre and department, so each page shows the rows that concern it.
"""

from __future__ import annotations

from html import escape
from typing import Any

import pandas as pd

from abri.documents.tables import PlanFolder, clock_seconds, clock_text
from abri.i18n import format_duration, translate

#: Arrivals at or after this hour (or after midnight) are late for the groups in LATE_GROUPS.
LATE_HOUR = "21:00"
LATE_GROUPS = ("minors", "vulnerable")
#: Extra road time (%) a plan is checked against.
FRAGILE_PCTS = (10, 20)
COLUMNS = ["kind", "coach", "centre_id", "departement", "group", "people", "detail"]


def _centre_dep(pf: PlanFolder, centre_id: str) -> str:
    return str(pf.centres.at[centre_id, "departement"]) if centre_id in pf.centres.index else ""


def _ride_rows(pf: PlanFolder) -> list[dict[str, Any]]:
    frame = pd.DataFrame(pf.ride_exceptions)
    if frame.empty:
        return []
    rows = []
    for (coach, centre, group), part in frame.groupby(["coach", "centre_id", "group"], sort=True):
        rows.append(
            {
                "kind": "ride",
                "coach": str(coach),
                "centre_id": str(centre),
                "departement": _centre_dep(pf, str(centre)),
                "group": str(group),
                "people": len(part),
                "detail": {
                    "ride_h": float(part["ride_h"].max()),
                    "limit_h": float(part["limit_h"].max()),
                },
            }
        )
    return rows


def _late_rows(pf: PlanFolder, late_hour: str) -> list[dict[str, Any]]:
    late = clock_seconds(late_hour)
    rows = []
    for trip in pf.trips:
        for stop in trip["stops"]:
            at = clock_seconds(stop["arrival"])
            if at < late:
                continue
            for group in LATE_GROUPS:
                n = int(stop.get("groups", {}).get(group, 0))
                if n:
                    rows.append(
                        {
                            "kind": "late",
                            "coach": str(trip["coach"]),
                            "centre_id": str(stop["centre_id"]),
                            "departement": _centre_dep(pf, str(stop["centre_id"])),
                            "group": group,
                            "people": n,
                            "detail": {"time": clock_text(at), "late": late_hour},
                        }
                    )
    return rows


def fragile_at(trip: dict[str, Any], pct: int) -> str:
    """Why `trip` (legal now) would not be legal with road times `pct` % longer: ``"driving"``, ``"close"`` or ``""``."""
    given = trip.get("legal_at_longer_roads")
    if isinstance(given, dict) and f"+{pct}%" in given:
        return "" if given[f"+{pct}%"] else "driving"
    extra = float(trip.get("planned_driving_h", trip.get("driving_h", 0.0))) * pct / 100
    if "slack_driving_h" in trip and extra > float(trip["slack_driving_h"]):
        return "driving"
    if "slack_close_h" in trip and extra > float(trip["slack_close_h"]):
        return "close"
    return ""


def _fragile_rows(pf: PlanFolder) -> list[dict[str, Any]]:
    rows = []
    for trip in pf.trips:
        if not trip.get("legal", True):
            continue
        for pct in FRAGILE_PCTS:
            why = fragile_at(trip, pct)
            if why:
                rows += [
                    {
                        "kind": "fragile",
                        "coach": str(trip["coach"]),
                        "centre_id": str(stop["centre_id"]),
                        "departement": _centre_dep(pf, str(stop["centre_id"])),
                        "group": "",
                        "people": len(stop["people"]),
                        "detail": {"pct": pct, "why": why},
                    }
                    for stop in trip["stops"]
                ]
                break  # the smallest extra that breaks it
    return rows


def alert_table(pf: PlanFolder, *, late_hour: str = LATE_HOUR) -> pd.DataFrame:
    """Every watch point of the plan, one row per kind, coach, centre (and group)."""
    rows = _ride_rows(pf) + _late_rows(pf, late_hour) + _fragile_rows(pf)
    return pd.DataFrame(rows, columns=COLUMNS)


def alert_text(row: dict[str, Any], pf: PlanFolder, lang: str) -> str:
    """One watch point as a sentence in `lang` (escaped HTML)."""
    detail, centre = row["detail"], str(row["centre_id"])
    name = str(pf.centres.at[centre, "name"]) if centre in pf.centres.index else centre
    where = f"{name} ({centre})"
    if row["kind"] == "ride":
        text = translate(
            "alert_ride",
            lang,
            n=row["people"],
            group=translate(row["group"], lang).lower(),
            ride=format_duration(detail["ride_h"], lang),
            limit=format_duration(detail["limit_h"], lang),
            coach=row["coach"],
            centre=where,
        )
    elif row["kind"] == "late":
        text = translate(
            "alert_late",
            lang,
            n=row["people"],
            group=translate(row["group"], lang).lower(),
            time=detail["time"],
            late=detail["late"],
            coach=row["coach"],
            centre=where,
        )
    else:
        text = translate(
            "alert_fragile",
            lang,
            coach=row["coach"],
            pct=detail["pct"],
            why=translate(f"why_{detail['why']}", lang),
        )
    return escape(text)


def alerts_section(
    alerts: list[dict[str, Any]], pf: PlanFolder, lang: str, *, where: dict[str, str]
) -> str:
    """The watch points (rows of :func:`alert_table` as records) whose fields equal `where`, as a boxed list."""
    seen: set[tuple[str, str, str, str]] = set()
    items = []
    for row in alerts:
        if any(str(row[k]) != str(v) for k, v in where.items()):
            continue
        key = (
            row["kind"],
            row["coach"],
            "" if row["kind"] == "fragile" else row["centre_id"],
            row["group"],
        )
        if key in seen:  # a fragile trip once per page, not once per stop
            continue
        seen.add(key)
        items.append(f'<li data-alert="{row["kind"]}">{alert_text(row, pf, lang)}</li>')
    if not items:
        return f'<p class="alerts ok"><b>{translate("no_alerts", lang)}</b></p>'
    return (
        f'<div class="alerts"><h2>{translate("alerts", lang)}</h2><ul>{"".join(items)}</ul></div>'
    )
