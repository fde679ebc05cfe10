"""Documents people act on, from a plan folder: coach road sheets, centre arrival sheets, prefecture summaries, an operation summary.

:func:`write_documents` writes, into one folder (whole or not at all):

- ``index.html``: links by department, by centre and by coach, to files of one sheet each
  (``departements/<code>.html``, ``centres/<id>.html``, ``coaches/<id>.html``);
- ``road-sheets.html``, ``centre-sheets.html``, ``prefecture-summaries.html``,
  ``operation-summary.html``: printable, one sheet per printed page, readable on a phone;
- with ``pdf=True``, the same four as PDF (headless Chromium, else WeasyPrint),
  one page per sheet when a sheet fits on a page;
- ``documents.xlsx``: one tab per document type, typed cells, frozen headers;
- ``road-sheets.csv`` (one row per coach and stop), ``centre-sheets.csv`` (one
  row per centre and arriving coach), ``prefecture-summaries.csv`` (one row
  per department and day), ``operation-summary.csv`` (per day, then per region);
- with ``readiness`` rows (:func:`abri.readiness.prefecture_rows`): a readiness
  section in each prefecture summary (places by group, places to open, needed
  by), ``prefecture-readiness.csv`` and a workbook tab;
- ``cards/cards.html`` and ``cards/cards.csv`` (and ``cards/cards.pdf`` with ``pdf=True``):
  a card per household and way out, in the person's language (:mod:`abri.documents.cards`).

Who each document is for and what it shows (road sheets carry no health data):
``docs/privacy.md``.

Examples
--------
>>> write_documents("calais-plan", "calais-documents", lang="fr", pdf=True)  # doctest: +SKIP
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from abri.documents import html
from abri.documents.alerts import LATE_HOUR, alert_table
from abri.documents.cards import write_cards
from abri.documents.centresheet import centre_sheets
from abri.documents.index import index_page, write_sheet_files
from abri.documents.pdf import PdfEngine, write_pdfs
from abri.documents.places import Towns
from abri.documents.roadsheet import road_sheets
from abri.documents.spreadsheets import write_table_csv, write_workbook
from abri.documents.summaries import operation_sheets, prefecture_sheets
from abri.documents.tables import (
    PlanFolder,
    centre_sheet_table,
    operation_table,
    prefecture_table,
    read_plan_folder,
    readiness_table,
    road_sheet_table,
)
from abri.documents.versions import changes, mark_changed, parent_number
from abri.errors import DataFileError
from abri.files import CSV_DIALECT_ENV, CsvDialect, atomic_dir, csv_dialect, write_text_atomic
from abri.i18n import DEFAULT_LANG, check_lang, translate
from abri.processes import run_forked

__all__ = [
    "DOCUMENTS",
    "READINESS",
    "Documents",
    "build_documents",
    "default_dialect",
    "write_documents",
]

#: Document types in the order they are written; each is a file stem and a message key.
DOCUMENTS = {
    "road_sheets": "road-sheets",
    "centre_sheets": "centre-sheets",
    "prefecture_summaries": "prefecture-summaries",
    "operation_summary": "operation-summary",
}
READINESS = "prefecture_readiness"  # the readiness table's key (and file stem, with dashes), when readiness rows are given


@dataclass
class Documents:
    """The four document tables, the watch points and the plan folder they come from."""

    folder: PlanFolder
    tables: dict[str, pd.DataFrame]  # DOCUMENTS key (and READINESS when given) -> long table
    alerts: pd.DataFrame  # abri.documents.alerts.alert_table
    towns: Towns  # for the place of each break

    def sheets(self, key: str, lang: str) -> list[str]:
        """The HTML sheets of one document type (in a re-planned version, those that changed marked)."""
        pf = self.folder
        changed = changes(pf.folder, pf.centres)
        since = parent_number(pf.version)
        return mark_changed(self._sheets(key, lang), changed, since=since, lang=lang)

    def _sheets(self, key: str, lang: str) -> list[str]:
        pf, tables = self.folder, self.tables
        alerts: list[dict[str, Any]] = self.alerts.to_dict("records")
        if key == "road_sheets":
            return road_sheets(tables[key], alerts, pf, self.towns, lang)
        if key == "centre_sheets":
            return centre_sheets(tables[key], alerts, pf, lang)
        if key == "prefecture_summaries":
            return prefecture_sheets(
                tables[key],
                tables["centre_sheets"],
                alerts,
                pf,
                lang,
                readiness=tables.get(READINESS),
            )
        return operation_sheets(tables[key], alerts, pf, lang)


def default_dialect(lang: str) -> CsvDialect:
    """The CSV dialect of documents in `lang`: ``$ABRI_CSV_DIALECT`` when set, else ``excel-fr`` for French, else ``default``."""
    if os.environ.get(CSV_DIALECT_ENV):
        return csv_dialect()
    return "excel-fr" if lang == "fr" else "default"


MARKER = "operation-summary.html"  # a folder holding it was written here and may be replaced


def check_documents_dir(out_dir: str | os.PathLike[str], plan_dir: str | os.PathLike[str]) -> Path:
    """Refuse a documents folder whose replacement would lose files: the plan folder, a folder holding it, or other files."""
    out, plan = Path(out_dir).absolute(), Path(plan_dir).absolute()
    if out == plan or out in plan.parents:
        msg = f"{out_dir}: the documents folder would replace the plan folder {plan_dir}; choose another folder (e.g. {plan_dir}/documents)"
        raise DataFileError(msg)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).is_file())):
        msg = f"{out_dir}: exists and holds files that are not abri documents; it is replaced as a whole, so choose a new or empty folder"
        raise DataFileError(msg)
    return Path(out_dir)


def build_documents(
    plan_dir: str | os.PathLike[str],
    *,
    roster: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    readiness: pd.DataFrame | None = None,
    dispatcher: str = "",
    late_hour: str = LATE_HOUR,
) -> Documents:
    """Read a plan folder (and an optional fleet roster and readiness rows) into the document tables."""
    pf = read_plan_folder(plan_dir, roster=roster, data_dir=data_dir, dispatcher=dispatcher)
    stops = road_sheet_table(pf)
    arrivals = centre_sheet_table(stops, pf)
    tables = {
        "road_sheets": stops,
        "centre_sheets": arrivals,
        "prefecture_summaries": prefecture_table(arrivals, pf),
        "operation_summary": operation_table(stops, pf),
    }
    if readiness is not None:
        tables[READINESS] = readiness_table(readiness, pf)
    return Documents(pf, tables, alert_table(pf, late_hour=late_hour), Towns.load(data_dir))


def write_documents(
    plan_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    lang: str = DEFAULT_LANG,
    dialect: CsvDialect | None = None,
    pdf: bool = False,
    pdf_engine: PdfEngine = "auto",
    roster: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    readiness: pd.DataFrame | None = None,
    dispatcher: str = "",
    late_hour: str = LATE_HOUR,
) -> dict[str, Path]:
    """Write every document of a plan folder into `out_dir` (replaced whole); returns the paths by name.

    Parameters
    ----------
    plan_dir
        A folder written by ``abri plan`` (plan.json, centres.geojson, assignments.csv, trips.geojson).
    out_dir
        The documents folder; written whole or not at all.
    lang
        ``"fr"`` or ``"en"``: headers, words, dates and numbers.
    dialect
        CSV dialect; default ``excel-fr`` in French, ``default`` in English.
    pdf
        Also write each document as PDF.
    pdf_engine
        ``"chromium"`` (headless, fast), ``"weasyprint"``, or ``"auto"``: Chromium when installed.
    roster
        Optional fleet roster (CSV/Excel) with a ``coach`` column; its other columns reach the sheets.
    data_dir
        Data directory for department and region names (codes only when absent).
    readiness
        Per-department readiness rows (:func:`abri.readiness.prefecture_rows`, or
        :func:`abri.readiness.read_prefecture_rows` of an ``abri readiness -o`` folder): a section in each prefecture summary.
    dispatcher
        The operation desk's contact (name and phone) printed on every road sheet.
    late_hour
        Minors and vulnerable people arriving at or after this hour are a watch point.
    """
    lang = check_lang(lang)
    dialect = dialect or default_dialect(lang)
    out = check_documents_dir(out_dir, plan_dir)
    docs = build_documents(
        plan_dir,
        roster=roster,
        data_dir=data_dir,
        readiness=readiness,
        dispatcher=dispatcher,
        late_hour=late_hour,
    )
    files: dict[str, Path] = {}
    with atomic_dir(out) as tmp:
        pages: dict[str, str] = {}
        entries: dict[str, list[tuple[str, str, str]]] = {}
        back = f'<p class="back"><a href="index.html">{translate("index", lang)}</a></p>'
        # each family of sheets, the workbook and the cards in worker processes (2 cores: about half the time)
        done = run_forked(
            [partial(docs.sheets, key, lang) for key in DOCUMENTS]
            + [
                partial(
                    write_workbook,
                    tmp / "documents.xlsx",
                    docs.tables,
                    lang=lang,
                    label=docs.folder.label,
                ),
                partial(
                    write_cards, docs.folder, tmp, pdf=pdf, pdf_engine=pdf_engine, dialect=dialect
                ),
            ]
        )
        for (key, stem), sheets in zip(DOCUMENTS.items(), done, strict=False):
            pages[key] = html.page(translate(key, lang), sheets, lang=lang)
            files[f"{key}_html"] = write_text_atomic(
                tmp / f"{stem}.html",
                html.page(translate(key, lang), sheets, lang=lang, before=back),
            )
            for kind, key_, title in write_sheet_files(
                tmp, sheets, lang=lang, title=translate(key, lang)
            ):
                entries.setdefault(kind, []).append((kind, key_, title))
            files[f"{key}_csv"] = write_table_csv(
                tmp / f"{stem}.csv", docs.tables[key], lang=lang, dialect=dialect
            )
        if READINESS in docs.tables:
            stem = READINESS.replace("_", "-")
            files[f"{READINESS}_csv"] = write_table_csv(
                tmp / f"{stem}.csv", docs.tables[READINESS], lang=lang, dialect=dialect
            )
        files["index"] = write_text_atomic(
            tmp / "index.html",
            index_page(
                entries,
                {translate(key, lang): f"{stem}.html" for key, stem in DOCUMENTS.items()}
                | {translate("cards", lang): "cards/cards.html"},
                lang=lang,
                label=docs.folder.label,
            ),
        )
        files["workbook"] = done[-2]
        for path in done[-1]:
            files[f"cards_{path.suffix.lstrip('.')}"] = path
        if pdf:
            files |= write_pdfs(
                {
                    f"{key}_pdf": (tmp / f"{stem}.pdf", pages[key])
                    for key, stem in DOCUMENTS.items()
                },
                engine=pdf_engine,
            )
    return {name: out / path.relative_to(tmp) for name, path in files.items()}
