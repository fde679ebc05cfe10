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

from abri.i18n import format_date, format_datetime, format_duration, format_number, translate

FONT = "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif"
DIGITS = {
    "leg_km": 1,
    "return_km": 1,
    "occupancy_pct": 1,
    "seat_fill_pct": 1,
    "preferred_region_pct": 1,
}
#: Columns holding hours, written ``10 h 52`` on the pages (tables and CSVs keep decimal hours).
DURATIONS = {"leg_h", "return_h", "ride_h", "longest_ride_h", "mean_ride_h", "limit_h"}

CSS = """
@page { size: A4; margin: 16mm 11mm 15mm 11mm;
  @top-center { content: string(label); font: 7.5pt %(font)s; color: #a00; }
  @bottom-right { content: "%(page)s " counter(page) " / " counter(pages); font: 8pt %(font)s; }
  @bottom-left { content: string(title); font: 8pt %(font)s; } }
html { font: 8.5pt/1.25 %(font)s; color: #111; }
body { margin: 0; }
.sheet { break-after: page; page-break-after: always; }
tr, .stop, dl.facts, .alerts li, h2 { break-inside: avoid; page-break-inside: avoid; }
h2 { break-after: avoid; page-break-after: avoid; }
thead { display: table-header-group; }
.alerts { border: 1.5pt solid #a00; padding: 1mm 2mm; margin: 2mm 0; }
.alerts.ok { border-color: #888; }
.alerts h2 { margin-top: 0; color: #a00; } .alerts.ok h2 { color: #111; }
.alerts ul { margin: 0; padding-left: 5mm; }
tr.break td { background: #fff3d6; }
td.qr { width: 24mm; padding: 0; text-align: center; } td.qr svg { display: block; margin: auto; }
a.gps { color: #004; }
.address { font-weight: bold; }
@media print { .back { display: none; } }
nav.index ul { columns: 3 14em; } nav.index li { break-inside: avoid; }
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
h2 { font-size: 10.5pt; margin: 2.5mm 0 1mm; }
.ids { font: 7.5pt/1.35 'DejaVu Sans Mono', monospace; word-spacing: 1mm; }
.small { font-size: 7.5pt; color: #333; }
.warn { color: #a00; }
@media screen { body { background: #ddd; } .sheet { background: #fff; max-width: 188mm; margin: 6mm auto; padding: 10mm 11mm; box-shadow: 0 0 3px #888; } }
@media screen and (max-width: 600px) {
  html { font-size: 11pt; } body { background: #fff; }
  .sheet { margin: 0; padding: 3mm; box-shadow: none; border-bottom: 2px solid #888; }
  dl.facts { grid-template-columns: auto 1fr; }
  table { display: block; overflow-x: auto; }
  @media print { .back { display: none; } }
nav.index ul { columns: 1; } }
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
    if key in DURATIONS and isinstance(value, numbers.Number):
        return format_duration(float(value), lang)  # type: ignore[arg-type]
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


def page(title: str, sheets: list[str], *, lang: str, before: str = "") -> str:
    """A whole printable HTML document that also reads on a phone (`before`: e.g. a link back to the index)."""
    css = CSS % {"font": FONT, "page": translate("page", lang)}
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{css}</style></head><body>{before}{''.join(sheets)}</body></html>"
    )


def extras(row: pd.Series, columns: Iterable[str], *, sep: str = "<br>") -> str:
    return sep.join(
        f"{escape(c)}: {escape(str(row[c]))}"
        for c in columns
        if str(row[c]) not in ("", "nan", "None")
    )


def ids_by(frame: pd.DataFrame, heading: str, extra: Iterable[str] = ()) -> str:
    """Person ids by stop (or coach), under `heading` filled from the row, with the row's `extra` columns."""
    extra = list(extra)
    return "".join(
        f"<p><b>{escape(heading.format(**r))}</b> ({r['total']})"
        + (f' <span class="small">{extras(pd.Series(r), extra, sep=" · ")}</span>' if extra else "")
        + f'<br><span class="ids">{escape(r["person_ids"])}</span></p>'
        for r in frame.to_dict("records")
    )
