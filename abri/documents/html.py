"""Printable HTML sheets: one ``<section class="sheet">`` per coach, centre or department, one per printed page.

Every sheet carries the plan's label and its number ("Feuille 3 sur 107");
printed pages add the label at the top and the page number at the bottom
(CSS paged media, honoured by WeasyPrint and Chromium). Every text from an
input file goes through :func:`html.escape`.
"""

from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

import pandas as pd

from abri.documents.tables import (
    FULL_SHARE,
    GROUP_KEYS,
    PlanFolder,
    centre_occupancy,
    longest_rides,
)
from abri.i18n import format_date, format_datetime, format_number, translate

FONT = "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif"
DIGITS = {
    "leg_km": 1,
    "leg_h": 2,
    "return_km": 1,
    "return_h": 2,
    "ride_h": 2,
    "longest_ride_h": 2,
    "occupancy_pct": 1,
    "seat_fill_pct": 1,
    "mean_ride_h": 2,
    "preferred_region_pct": 1,
}

CSS = """
@page { size: A4; margin: 16mm 11mm 15mm 11mm;
  @top-center { content: string(label); font: 7.5pt %(font)s; color: #a00; }
  @bottom-right { content: "%(page)s " counter(page) " / " counter(pages); font: 8pt %(font)s; }
  @bottom-left { content: string(title); font: 8pt %(font)s; } }
html { font: 8.5pt/1.25 %(font)s; color: #111; }
body { margin: 0; }
.sheet { break-after: page; page-break-after: always; }
.sheet:last-child { break-after: auto; page-break-after: auto; }
.label { string-set: label content(); color: #a00; font-weight: bold; font-size: 8pt; border: 1px solid #a00; padding: 1mm 2mm; margin: 0 0 2mm; }
.label:empty { display: none; }
header h1 { string-set: title content(); font-size: 14pt; margin: 0 0 1mm; }
header .number { float: right; font-size: 8pt; color: #555; }
dl.facts { display: grid; grid-template-columns: repeat(3, auto 1fr); gap: 0.5mm 3mm; margin: 2mm 0; }
dl.facts dt { font-weight: bold; } dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%%; margin: 1.5mm 0 3mm; }
th, td { border: 0.5pt solid #888; padding: 0.6mm 1.2mm; vertical-align: top; text-align: left; }
th { background: #eee; font-size: 7.5pt; }
td.n { text-align: right; white-space: nowrap; }
tr.note td { border-top: none; padding-top: 0; }
h2 { font-size: 10.5pt; margin: 3mm 0 1mm; }
.ids { font: 7.5pt/1.35 'DejaVu Sans Mono', monospace; word-spacing: 1mm; }
.small { font-size: 7.5pt; color: #333; }
.warn { color: #a00; }
@media screen { body { background: #ddd; } .sheet { background: #fff; width: 188mm; margin: 6mm auto; padding: 10mm 11mm; box-shadow: 0 0 3px #888; } }
"""


def value_text(value: Any, key: str, lang: str) -> str:
    """One value as the reader writes it: dates and numbers in the locale's format, text escaped."""
    if (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and value != value)
    ):
        return ""
    if isinstance(value, dt.datetime):
        return format_datetime(value, lang)
    if isinstance(value, dt.date):
        return format_date(value, lang)
    if isinstance(value, bool):
        return escape(str(value))
    if isinstance(value, numbers.Number):
        return format_number(float(value), lang, digits=DIGITS.get(key, 0))  # type: ignore[arg-type]
    return escape(str(value))


def table(frame: pd.DataFrame, columns: Sequence[str], lang: str, *, cls: str = "") -> str:
    """An HTML table of `columns` of `frame` with translated headers (numbers right-aligned)."""
    head = "".join(f"<th>{escape(translate(c, lang))}</th>" for c in columns)
    rows = []
    for record in frame[list(columns)].itertuples(index=False):
        cells = []
        for key, value in zip(columns, record):
            numeric = isinstance(value, numbers.Number) and not isinstance(value, bool)
            cells.append(
                f'<td class="n">{value_text(value, key, lang)}</td>'
                if numeric
                else f"<td>{value_text(value, key, lang)}</td>"
            )
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def facts(pairs: Iterable[tuple[str, str]]) -> str:
    """A definition list of (already escaped) label/value pairs; empty values are left out."""
    items = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in pairs if value != "")
    return f'<dl class="facts">{items}</dl>'


def sheet(
    kind: str, key: str, title: str, body: str, *, number: int, count: int, label: str, lang: str
) -> str:
    """One printed sheet: the label, a title, "sheet n of N", the body."""
    numbering = f"{translate('sheet', lang)} {number} {translate('of', lang)} {count}"
    return (
        f'<section class="sheet" data-kind="{kind}" data-key="{escape(key)}"><p class="label">{escape(label)}</p>'
        f'<header><span class="number">{numbering}</span><h1>{escape(title)}</h1></header>{body}</section>'
    )


def page(title: str, sheets: list[str], *, lang: str) -> str:
    """A whole printable HTML document."""
    css = CSS % {"font": FONT, "page": translate("page", lang)}
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{css}</style></head><body>{''.join(sheets)}</body></html>"
    )


def _extras(row: pd.Series, columns: Iterable[str], *, sep: str = "<br>") -> str:
    return sep.join(
        f"{escape(c)}: {escape(str(row[c]))}"
        for c in columns
        if str(row[c]) not in ("", "nan", "None")
    )


def _ids(frame: pd.DataFrame, heading: str, extra: Iterable[str] = ()) -> str:
    """Person ids by stop (or coach), under `heading` filled from the row, with the row's `extra` columns."""
    extra = list(extra)
    return "".join(
        f"<p><b>{escape(heading.format(**r))}</b> ({r['total']})"
        + (
            f' <span class="small">{_extras(pd.Series(r), extra, sep=" · ")}</span>'
            if extra
            else ""
        )
        + f'<br><span class="ids">{escape(r["person_ids"])}</span></p>'
        for r in frame.to_dict("records")
    )


def road_sheets(stops: pd.DataFrame, pf: PlanFolder, lang: str) -> list[str]:
    """One sheet per coach: the trip, its stops in road order with contacts and breaks, the boarding list by stop."""
    by_trip = {str(t["coach"]): t for t in pf.trips}
    roster = list(pf.roster.columns) if pf.roster is not None else []
    coaches = list(dict.fromkeys(stops["coach"])) if len(stops) else []
    out = []
    for n, coach in enumerate(coaches, start=1):
        part = stops[stops["coach"] == coach]
        trip, first = by_trip[coach], part.iloc[0]
        groups = [g for g in GROUP_KEYS if part[g].sum()]
        pairs = [
            (translate("day", lang), format_date(first["day"], lang)),
            *(
                (translate(k, lang), value_text(first[k], k, lang))
                for k in ("vehicle", "slot", "bay", "boarding")
            ),
            (translate("departure", lang), f"{escape(first['departure'])} ({escape(pf.origin)})"),
            (translate("drivers", lang), str(first["drivers"])),
            (translate("people", lang), format_number(part["total"].sum(), lang)),
            (translate("km", lang), format_number(trip.get("km", 0), lang)),
            (translate("breaks", lang), str(int(trip.get("breaks", 0)))),
            *(
                (translate(k, lang), value_text(first[k], k, lang))
                for k in (
                    "end",
                    "rest_where",
                    "return_km",
                    "return_h",
                    "return",
                    "free_at",
                    "free_where",
                )
            ),
        ]
        pairs += [(escape(c), escape(str(first[c]))) for c in roster if str(first[c])]
        columns = ("stop", "centre_name", "arrival", *groups, "total", "leg_km", "leg_h")
        rows = []
        for _, r in part.iterrows():
            rows.append(
                f'<tr><td class="n">{r["stop"]}</td><td><b>{escape(r["centre_name"])}</b> ({escape(r["centre_id"])}), '
                f'{escape(r["commune"])} {escape(r["departement"])}</td><td class="n"><b>{escape(r["arrival"])}</b></td>'
                + "".join(f'<td class="n">{r[g]}</td>' for g in groups)
                + f'<td class="n"><b>{r["total"]}</b></td><td class="n">{format_number(r["leg_km"], lang, digits=1)}</td>'
                f'<td class="n">{format_number(r["leg_h"], lang, digits=2)}</td></tr>'
            )
            notes = [_extras(r, pf.centre_extra, sep=" · ")]
            notes.append(
                f"{translate('households', lang)}: {escape(r['households'])}"
                if r["households"]
                else ""
            )
            notes.append(
                f'<span class="warn">{translate("break_note", lang, minutes=pf_break(trip) * r["breaks_before"])}</span>'
                if r["breaks_before"]
                else ""
            )
            if any(notes):
                rows.append(
                    f'<tr class="note"><td></td><td colspan="{len(columns) - 1}" class="small">{" · ".join(x for x in notes if x)}</td></tr>'
                )
        head = "".join(f"<th>{escape(translate(c, lang))}</th>" for c in columns)
        rows_html = "".join(rows)
        warning = ""
        if not trip.get("legal", True):  # the planner must see why before handing the sheet over
            warning = f'<p class="warn"><b>{translate("not_legal", lang)}</b>: {escape(" | ".join(map(str, trip.get("notes", []))))}</p>'
        roads = " ".join(r for r in part["roads"] if r)
        body = (
            facts(pairs)
            + warning
            + f"<h2>{translate('itinerary', lang)}</h2><table><thead><tr>{head}</tr></thead><tbody>{rows_html}</tbody></table>"
            + (f'<p class="small">{translate("roads", lang)}: {escape(roads)}</p>' if roads else "")
            + f"<h2>{translate('boarding_list', lang)}</h2>"
            + _ids(part, translate("stop", lang) + " {stop}: {centre_id}")
        )
        out.append(
            sheet(
                "coach",
                coach,
                f"{translate('road_sheet', lang)} — {translate('coach', lang)} {coach}",
                body,
                number=n,
                count=len(coaches),
                label=pf.label,
                lang=lang,
            )
        )
    return out


def pf_break(trip: dict[str, Any]) -> int:
    """Minutes of one driver break (45 unless the plan says otherwise)."""
    return int(trip.get("break_minutes", 45))


def centre_sheets(arrivals: pd.DataFrame, pf: PlanFolder, lang: str) -> list[str]:
    """One sheet per receiving centre: every coach arriving, when, who, and the places left after each arrival."""
    roster = list(pf.roster.columns) if pf.roster is not None else []
    centres = list(dict.fromkeys(arrivals["centre_id"])) if len(arrivals) else []
    out = []
    for n, centre_id in enumerate(centres, start=1):
        part = arrivals[arrivals["centre_id"] == centre_id]
        first = part.iloc[0]
        groups = [g for g in GROUP_KEYS if part[g].sum()]
        pairs = [
            (translate("centre_id", lang), escape(centre_id)),
            (translate("commune", lang), escape(first["commune"])),
            (translate("departement", lang), escape(first["departement"])),
            (translate("capacity", lang), format_number(first["capacity"], lang)),
            (translate("people", lang), format_number(part["total"].sum(), lang)),
            (translate("remaining", lang), format_number(part["remaining"].iat[-1], lang)),
        ]
        pairs += [
            (escape(c), escape(str(first[c])))
            for c in pf.centre_extra
            if str(first[c]) not in ("", "nan", "None")
        ]
        columns = ["arrival_day", "arrival", "coach", *groups, "total", "households", "remaining"]
        body = (
            facts(pairs)
            + f"<h2>{translate('arrivals', lang)}</h2>"
            + table(part, columns, lang)
            + f"<h2>{translate('person_ids', lang)}</h2>"
            + _ids(part, translate("coach", lang) + " {coach}", roster)
        )
        out.append(
            sheet(
                "centre",
                centre_id,
                f"{translate('centre_sheet', lang)} — {first['centre_name']}",
                body,
                number=n,
                count=len(centres),
                label=pf.label,
                lang=lang,
            )
        )
    return out


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


def prefecture_sheets(
    summary: pd.DataFrame,
    arrivals: pd.DataFrame,
    pf: PlanFolder,
    lang: str,
    readiness: pd.DataFrame | None = None,
) -> list[str]:
    """One sheet per department with arrivals: centres, places, arrivals by day and group, coaches, longest rides, full centres.

    With `readiness` (:func:`~abri.documents.tables.readiness_table`), each sheet also shows the department's places by group
    and the places to open; a department asked for places where nobody arrives gets a sheet of its own.
    """
    occupancy = centre_occupancy(arrivals, pf)
    departements = list(dict.fromkeys(summary["departement"])) if len(summary) else []
    if readiness is not None:
        departements = sorted(
            {*departements, *readiness.loc[readiness["extra"] > 0, "departement"]}
        )
    out = []
    for n, dep in enumerate(departements, start=1):
        ready = (
            readiness[readiness["departement"] == dep] if readiness is not None else pd.DataFrame()
        )
        part = summary[summary["departement"] == dep] if len(summary) else summary
        if not len(part):  # places to open, nobody arriving
            body = facts(
                [
                    (translate("centres", lang), format_number(ready["centres"].iat[0], lang)),
                    (translate("places", lang), format_number(ready["places"].iat[0], lang)),
                ]
            ) + readiness_section(ready, lang)
            out.append(
                sheet(
                    "departement",
                    dep,
                    f"{translate('prefecture_summary', lang)} — {dep} {ready['departement_name'].iat[0]}",
                    body,
                    number=n,
                    count=len(departements),
                    label=pf.label,
                    lang=lang,
                )
            )
            continue
        here = occupancy[occupancy["departement"].astype(str) == dep]
        coming = arrivals[arrivals["departement"] == dep]
        full = here[here["occupancy_pct"] > 100 * FULL_SHARE]
        name = part["departement_name"].iat[0]
        pairs = [
            (translate("centres", lang), format_number(part["centres"].iat[0], lang)),
            (translate("places", lang), format_number(part["places"].iat[0], lang)),
            (translate("people", lang), format_number(part["total"].sum(), lang)),
            (translate("coaches", lang), format_number(coming["coach"].nunique(), lang)),
            (
                translate("occupancy_pct", lang),
                format_number(
                    100 * part["total"].sum() / max(part["places"].iat[0], 1), lang, digits=1
                ),
            ),
        ]
        groups = [g for g in GROUP_KEYS if part[g].sum()]
        body = (
            facts(pairs)
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
                longest_rides(arrivals, dep),
                ["coach", "day", "centre_name", "arrival", "ride_h"],
                lang,
            )
            + f"<h2>{translate('over_90', lang)}</h2>"
            + (
                table(
                    full, ["centre_id", "centre_name", "capacity", "people", "occupancy_pct"], lang
                )
                if len(full)
                else f"<p>{translate('none', lang)}</p>"
            )
            + (readiness_section(ready, lang) if len(ready) else "")
        )
        out.append(
            sheet(
                "departement",
                dep,
                f"{translate('prefecture_summary', lang)} — {dep} {name}",
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


def operation_sheets(operation: pd.DataFrame, pf: PlanFolder, lang: str) -> list[str]:
    """The coordinating ministry's sheet: the plan's figures, then per day and per region."""
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
    body = (
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
