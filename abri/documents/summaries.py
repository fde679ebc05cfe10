"""Summaries for the prefectures and the coordinating ministry: one sheet per department with places, one for the operation."""

from __future__ import annotations

from html import escape
from typing import Any

import pandas as pd

from abri.documents.alerts import alerts_section
from abri.documents.html import facts, sheet, table, value_text
from abri.documents.tables import (
    FULL_SHARE,
    GROUP_KEYS,
    PlanFolder,
    centre_occupancy,
    clock_seconds,
    longest_rides,
    need_column,
    need_counts,
)
from abri.i18n import format_number, translate


def readiness_section(rows: pd.DataFrame, lang: str) -> str:
    """A department's readiness (one row of :func:`~abri.documents.tables.readiness_table`): places by group, places to open, needed by."""
    row = rows.iloc[0]
    groups = [g for g in GROUP_KEYS if row[f"places_{g}"] or row[f"extra_{g}"]]
    frame = pd.DataFrame(
        {
            "group": [translate(g, lang) for g in groups],
            "places_accepting": [int(row[f"places_{g}"]) for g in groups],
            "extra": [int(row[f"extra_{g}"]) for g in groups],
        }
    )
    if row["extra"]:
        when = (
            translate("needed_by", lang) + " " + value_text(row["needed_by"], "needed_by", lang)
            if row["needed_by"] is not None
            else ""
        )
        verdict = f'<p class="warn">{escape(translate("readiness_missing", lang, n=format_number(row["extra"], lang)))} {escape(when)}</p>'
    else:
        verdict = f"<p>{escape(translate('readiness_ok', lang))}</p>"
    return (
        f"<h2>{translate('readiness', lang)}</h2>"
        + verdict
        + table(frame, ["group", "places_accepting", "extra"], lang)
    )


def needs_section(pf: PlanFolder, centre_ids: list[str], lang: str) -> str:
    """People arriving in these centres (by coach or medical transfer) with each need: counts, no names."""
    people = pf.people
    arriving = people[
        people["centre_id"].isin(centre_ids)
        & ((people["coach"] != "") | (people["pathway"] == "medical"))
    ]
    counts = {t: n for t, n in need_counts(list(arriving["needs"])).items() if n}
    if not counts:
        return ""
    frame = pd.DataFrame(
        {"need": [translate(need_column(t), lang) for t in counts], "people": list(counts.values())}
    )
    return f"<h2>{translate('needs_heading', lang)}</h2>" + table(frame, ["need", "people"], lang)


def timetable(arrivals: pd.DataFrame, departement: str) -> pd.DataFrame:
    """Who arrives in `departement`, when, on which coach: one row per coach and centre, in arrival order."""
    part = arrivals[arrivals["departement"] == departement].copy()
    part["households"] = [len(str(v).split()) for v in part["households"]]
    part["_order"] = [(d, clock_seconds(a)) for d, a in zip(part["arrival_day"], part["arrival"])]
    return part.sort_values(["_order", "coach"]).drop(columns="_order")


def _departements(
    summary: pd.DataFrame, pf: PlanFolder, readiness: pd.DataFrame | None
) -> list[str]:
    """Every department with places, with arrivals, or asked for places (by readiness), in code order."""
    places = pf.centres[pd.to_numeric(pf.centres["capacity"], errors="coerce").fillna(0) > 0]
    found = {*places["departement"].astype(str), *(summary["departement"] if len(summary) else [])}
    if readiness is not None:
        found |= set(readiness.loc[readiness["extra"] > 0, "departement"])
    return sorted(d for d in found if d)


def _stand_down(dep: str, pf: PlanFolder, ready: pd.DataFrame, lang: str) -> str:
    """The body of a sheet for a department where nobody is sent: its places stay free (or the places to open)."""
    here = pf.centres[pf.centres["departement"].astype(str) == dep]
    places = int(pd.to_numeric(here["capacity"], errors="coerce").fillna(0).sum())
    if len(ready) and not len(here):
        places = int(ready["places"].iat[0])
    body = facts(
        [
            (
                translate("centres", lang),
                format_number(len(here) or (ready["centres"].iat[0] if len(ready) else 0), lang),
            ),
            (translate("places", lang), format_number(places, lang)),
        ]
    )
    body += f'<p class="stand-down"><b>{escape(translate("stand_down", lang, n=format_number(places, lang)))}</b></p>'
    return body + (readiness_section(ready, lang) if len(ready) else "")


def _receiving(
    dep: str,
    part: pd.DataFrame,
    arrivals: pd.DataFrame,
    alerts: list[dict[str, Any]],
    occupancy: pd.DataFrame,
    pf: PlanFolder,
    lang: str,
) -> str:
    """The body of a sheet for a department receiving people: figures, watch points, timetable, centres, longest rides."""
    here = occupancy[occupancy["departement"].astype(str) == dep]
    times = timetable(arrivals, dep)
    full = here[here["occupancy_pct"] > 100 * FULL_SHARE]
    pairs = [
        (translate("centres", lang), format_number(part["centres"].iat[0], lang)),
        (translate("places", lang), format_number(part["places"].iat[0], lang)),
        (translate("people", lang), format_number(part["total"].sum(), lang)),
        (translate("coaches", lang), format_number(times["coach"].nunique(), lang)),
        (
            translate("occupancy_pct", lang),
            format_number(
                100 * part["total"].sum() / max(part["places"].iat[0], 1), lang, digits=1
            ),
        ),
    ]
    groups = [g for g in GROUP_KEYS if part[g].sum()]
    return (
        facts(pairs)
        + alerts_section(alerts, pf, lang, where={"departement": dep})
        + needs_section(pf, list(here["centre_id"]), lang)
        + f"<h2>{translate('timetable', lang)}</h2>"
        + table(
            times,
            ["arrival_day", "arrival", "coach", "centre_name", *groups, "total", "households"],
            lang,
        )
        + f"<h2>{translate('arrivals_by_day', lang)}</h2>"
        + table(part, ["day", "centres_receiving", "coaches", *groups, "total"], lang)
        + f"<h2>{translate('centres', lang)}</h2>"
        + table(
            here[here["people"] > 0],
            ["centre_id", "centre_name", "capacity", "people", "occupancy_pct"],
            lang,
        )
        + f"<h2>{translate('longest_rides', lang)}</h2>"
        + table(
            longest_rides(arrivals, dep), ["coach", "day", "centre_name", "arrival", "ride_h"], lang
        )
        + f"<h2>{translate('over_90', lang)}</h2>"
        + (
            table(full, ["centre_id", "centre_name", "capacity", "people", "occupancy_pct"], lang)
            if len(full)
            else f"<p>{translate('none', lang)}</p>"
        )
    )


def prefecture_sheets(
    summary: pd.DataFrame,
    arrivals: pd.DataFrame,
    alerts: list[dict[str, Any]],
    pf: PlanFolder,
    lang: str,
    readiness: pd.DataFrame | None = None,
) -> list[str]:
    """One sheet per department with places (or asked for places): who arrives, when, on which coach; or that nobody does.

    With `readiness` (:func:`~abri.documents.tables.readiness_table`), each sheet also shows the
    department's places by group and the places to open.
    """
    occupancy = centre_occupancy(arrivals, pf)
    departements = _departements(summary, pf, readiness)
    names = pf.names.get("departement", {})
    out = []
    for n, dep in enumerate(departements, start=1):
        ready = (
            readiness[readiness["departement"] == dep] if readiness is not None else pd.DataFrame()
        )
        part = summary[summary["departement"] == dep] if len(summary) else summary
        if len(part):
            body = _receiving(dep, part, arrivals, alerts, occupancy, pf, lang)
            if len(ready):
                body += readiness_section(ready, lang)
            elif readiness is not None:  # readiness asks nothing of a department it does not list
                body += f"<h2>{translate('readiness', lang)}</h2><p>{escape(translate('readiness_ok', lang))}</p>"
        else:
            body = _stand_down(dep, pf, ready, lang)
        name = names.get(dep) or (str(ready["departement_name"].iat[0]) if len(ready) else "")
        out.append(
            sheet(
                "departement",
                dep,
                f"{translate('prefecture_summary', lang)} — {dep} {name}".rstrip(),
                body,
                number=n,
                count=len(departements),
                label=pf.label,
                lang=lang,
            )
        )
    return out


SUMMARY_FIGURES = (
    "people",
    "placed",
    "carried",
    "unplaced",
    "not_carried",
    "trips",
    "seat_fill_pct",
    "coach_km",
    "longest_ride_h",
    "mean_ride_h",
    "preferred_region_pct",
    "legal_trips",
    "two_driver_trips",
    "breaks",
)


def legal_at_text(pf: PlanFolder, lang: str) -> str:
    """How many trips stay legal with road times 5, 10, 20 % longer (plan.json's ``legal_at_longer_roads``)."""
    total = len(pf.trips)
    if not pf.legal_at or not total:
        return ""
    values = ", ".join(
        translate(
            "of_trips", lang, n=format_number(n, lang), total=format_number(total, lang), pct=pct
        )
        for pct, n in pf.legal_at.items()
    )
    fragile = any(int(n) < total for n in pf.legal_at.values())
    return f'<p class="{"warn" if fragile else ""}">{escape(translate("legal_at", lang, values=values))}</p>'


def operation_sheets(
    operation: pd.DataFrame, alerts: list[dict[str, Any]], pf: PlanFolder, lang: str
) -> list[str]:
    """The coordinating ministry's sheet: watch points first, the plan's figures, then per day and per region."""
    figures = "".join(
        f'<tr><td>{escape(translate(k, lang))}</td><td class="n">{value_text(pf.summary[k], k, lang)}</td></tr>'
        for k in SUMMARY_FIGURES
        if k in pf.summary
    )
    days = (
        operation[operation["level"] == "day"].rename(columns={"value": "day"})
        if len(operation)
        else operation
    )
    regions = (
        operation[operation["level"] == "region"].rename(
            columns={"value": "region", "value_name": "region_name"}
        )
        if len(operation)
        else operation
    )
    body = alerts_section(alerts, pf, lang, where={}) + legal_at_text(pf, lang)
    body += (
        f"<table><thead><tr><th>{translate('figure', lang)}</th><th>{translate('value', lang)}</th></tr></thead>"
        f"<tbody>{figures}</tbody></table>"
        if figures
        else ""
    )
    if len(days):
        body += f"<h2>{translate('per_day', lang)}</h2>" + table(
            days,
            [
                "day",
                "coaches",
                "centres_receiving",
                *GROUP_KEYS,
                "total",
                "coach_km",
                "longest_ride_h",
            ],
            lang,
        )
    if len(regions):
        body += f"<h2>{translate('per_region', lang)}</h2>" + table(
            regions,
            [
                "region",
                "region_name",
                "places",
                "centres_receiving",
                "coaches",
                "total",
                "longest_ride_h",
            ],
            lang,
        )
    return [
        sheet(
            "operation",
            "operation",
            translate("operation_summary", lang),
            body,
            number=1,
            count=1,
            label=pf.label,
            lang=lang,
        )
    ]
