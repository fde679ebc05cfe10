"""Welfare and fragility: what is wrong or close to wrong in a plan, for the pages concerned.

Four kinds of watch point, one row each in :func:`alert_table`:

- ``ride``: people whose ride is longer than their group's limit (plan.json's ``ride_exceptions``),
  one row per coach, centre and group;
- ``late``: minors and vulnerable people arriving at or after the late hour (:data:`LATE_HOUR`);
- ``fragile``: trips legal now but not with road times 10 or 20 % longer: from the trip's own
  ``legal_at_longer_roads`` when the plan gives it, else from its slack (driving time left,
  time before a centre closes) against the extra road time;
- ``need``: a rule of a person's needs or pathway not met (assignments.csv's ``shortfall``
  column, ``code: text`` joined by `` | ``, and plan.json's ``shortfalls``), one row per code,
  centre and group, with the person ids. A ``need`` row names no coach: it is health data and
  never reaches a road sheet; an unplaced person's row names no centre (the operation summary).

Every row names its coach, centre and department, so each page shows the rows that concern it.
"""

from __future__ import annotations

from html import escape
from typing import Any

import pandas as pd

from abri.documents.tables import PlanFolder, clock_seconds, clock_text
from abri.i18n import MESSAGES, format_duration, format_number, translate
from abri.inputs.needs import CARE_KINDS

#: Arrivals at or after this hour (or after midnight) are late for the groups in LATE_GROUPS.
LATE_HOUR = "21:00"
LATE_GROUPS = ("minors", "vulnerable")
#: Extra road time (%) a plan is checked against.
FRAGILE_PCTS = (10, 20)
COLUMNS = ["kind", "coach", "centre_id", "departement", "group", "people", "detail"]
#: Shortfall codes of issue 23's contract (``care:<kind>`` for each kind of care).
SHORTFALL_CODES = (
    "accessible-place",
    "accessible-coach",
    *(f"care:{k}" for k in CARE_KINDS),
    "single-room",
    "uk-quota",
    "medical-transfer",
    "ride-limit",
    "late-arrival",
)
#: Person ids written out in a sentence before "(+N)".
IDS_SHOWN = 60


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
                    "ids": sorted(map(str, part.get("person_id", []))),
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


def shortfall_codes(cell: str) -> list[tuple[str, str]]:
    """(code, text) of each statement of a ``shortfall`` cell (``care:dialysis: no centre ... | uk-quota: ...``)."""
    out = []
    for part in (p.strip() for p in str(cell).split(" | ")):
        if not part:
            continue
        code = next((c for c in SHORTFALL_CODES if part.startswith(c)), part.split(":")[0])
        out.append((code, part[len(code) :].lstrip(": ").strip()))
    return out


def _person_shortfalls(pf: PlanFolder) -> list[tuple[str, str]]:
    """(person id, code) of every shortfall, from assignments.csv then plan.json (each pair once)."""
    pairs = [
        (str(p), code)
        for p, cell in zip(pf.people["person_id"], pf.people["shortfall"])
        if cell
        for code, _ in shortfall_codes(cell)
    ]
    pairs += [(str(r.get("person_id", "")), str(r.get("code", ""))) for r in pf.shortfalls]
    return list(dict.fromkeys(pairs))


def _need_rows(pf: PlanFolder) -> list[dict[str, Any]]:
    people = pf.people
    found: dict[tuple[str, str, str], list[str]] = {}
    for person, code in _person_shortfalls(pf):
        centre = str(people.at[person, "centre_id"]) if person in people.index else ""
        group = str(people.at[person, "group"]) if person in people.index else ""
        found.setdefault((code, centre, group), []).append(person)
    return [
        {
            "kind": "need",
            "coach": "",  # health data: never on a road sheet
            "centre_id": centre,
            "departement": _centre_dep(pf, centre),
            "group": group,
            "people": len(ids),
            "detail": {"code": code, "ids": sorted(ids)},
        }
        for (code, centre, group), ids in sorted(found.items())
    ]


def alert_table(pf: PlanFolder, *, late_hour: str = LATE_HOUR) -> pd.DataFrame:
    """Every watch point of the plan, one row per kind, coach, centre (and group)."""
    rows = _need_rows(pf) + _ride_rows(pf) + _late_rows(pf, late_hour) + _fragile_rows(pf)
    return pd.DataFrame(rows, columns=COLUMNS)


def rule_text(code: str, lang: str, *, placed: bool = False) -> str:
    """The rule a shortfall code says is not met, in `lang` (for a person placed all the same when `placed`)."""
    if code.startswith("care:"):
        kind = code.split(":", 1)[1]
        return translate("shortfall_care", lang, care=translate(f"care_{kind}", lang))
    key = "shortfall_" + code.replace("-", "_")
    for name in ([f"{key}_placed"] if placed else []) + [key]:
        if name in MESSAGES:
            return translate(name, lang)
    return code


def ids_text(ids: list[str]) -> str:
    """Person ids for a sentence: the first :data:`IDS_SHOWN`, then how many more."""
    more = len(ids) - IDS_SHOWN
    return ", ".join(ids[:IDS_SHOWN]) + (f" (+{more})" if more > 0 else "")


def need_text(row: dict[str, Any], where: str, lang: str) -> str:
    """A ``need`` watch point as a sentence: how many of which group, the rule, placed or not, who."""
    shown = ids_text(row["detail"]["ids"])
    group = row["group"]
    return translate(
        "alert_need",
        lang,
        n=format_number(row["people"], lang),
        group=translate(group or "people", lang),
        rule=rule_text(str(row["detail"]["code"]), lang, placed=bool(row["centre_id"])),
        status=translate("need_placed_at", lang, centre=where)
        if row["centre_id"]
        else translate("need_unplaced", lang),
        ids=shown,
    )


def colon(lang: str) -> str:
    """A colon as the language writes it (a no-break space before it in French)."""
    return "\u00a0: " if lang == "fr" else ": "


def alert_text(row: dict[str, Any], pf: PlanFolder, lang: str) -> str:
    """One watch point as a sentence in `lang` (escaped HTML)."""
    detail, centre = row["detail"], str(row["centre_id"])
    name = str(pf.centres.at[centre, "name"]) if centre in pf.centres.index else centre
    where = f"{name} ({centre})"
    if row["kind"] == "need":
        text = need_text(row, where, lang)
    elif row["kind"] == "ride":
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
        text += f"{colon(lang)}{ids_text(detail['ids'])}" if detail.get("ids") else ""
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
    seen: set[tuple[str, str, str, str, str]] = set()
    items = []
    for row in alerts:
        if any(str(row[k]) != str(v) for k, v in where.items()):
            continue
        key = (
            row["kind"],
            row["coach"],
            "" if row["kind"] == "fragile" else row["centre_id"],
            row["group"],
            str(row["detail"].get("code", "")) if row["kind"] == "need" else "",
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
