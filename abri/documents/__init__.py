"""Documents people act on, from a plan folder: coach road sheets, centre arrival sheets, prefecture summaries, an operation summary.

:func:`write_documents` writes, into one folder (whole or not at all):

- ``road-sheets.html``, ``centre-sheets.html``, ``prefecture-summaries.html``,
  ``operation-summary.html``: printable, one sheet per printed page;
- with ``pdf=True``, the same four as PDF (headless Chromium, else WeasyPrint),
  one page per sheet when a sheet fits on a page;
- ``documents.xlsx``: one tab per document type, typed cells, frozen headers;
- ``road-sheets.csv`` (one row per coach and stop), ``centre-sheets.csv`` (one
  row per centre and arriving coach), ``prefecture-summaries.csv`` (one row
  per department and day), ``operation-summary.csv`` (per day, then per region);
- with ``readiness`` rows (:func:`abri.readiness.prefecture_rows`): a readiness
  section in each prefecture summary (places by group, places to open, needed
  by), ``prefecture-readiness.csv`` and a workbook tab.

Examples
--------
>>> write_documents("calais-plan", "calais-documents", lang="fr", pdf=True)  # doctest: +SKIP
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from abri.documents import html
from abri.documents.pdf import PdfEngine, write_pdfs
from abri.documents.spreadsheets import write_table_csv, write_workbook
from abri.documents.tables import (
    PlanFolder,
    centre_sheet_table,
    operation_table,
    prefecture_table,
    read_plan_folder,
    readiness_table,
    road_sheet_table,
)
from abri.files import CsvDialect, atomic_dir, write_text_atomic
from abri.i18n import DEFAULT_LANG, check_lang, translate

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
    """The four document tables and the plan folder they come from."""

    folder: PlanFolder
    tables: dict[str, pd.DataFrame]  # DOCUMENTS key (and READINESS when given) -> long table

    def sheets(self, key: str, lang: str) -> list[str]:
        """The HTML sheets of one document type."""
        pf, tables = self.folder, self.tables
        if key == "road_sheets":
            return html.road_sheets(tables[key], pf, lang)
        if key == "centre_sheets":
            return html.centre_sheets(tables[key], pf, lang)
        if key == "prefecture_summaries":
            return html.prefecture_sheets(
                tables[key], tables["centre_sheets"], pf, lang, readiness=tables.get(READINESS)
            )
        return html.operation_sheets(tables[key], pf, lang)


def default_dialect(lang: str) -> CsvDialect:
    """The CSV dialect a reader of `lang` opens in Excel: ``excel-fr`` for French, else ``default``."""
    return "excel-fr" if lang == "fr" else "default"


MARKER = "operation-summary.html"  # a folder holding it was written here and may be replaced


def check_documents_dir(out_dir: str | os.PathLike[str], plan_dir: str | os.PathLike[str]) -> Path:
    """Refuse a documents folder whose replacement would lose files: the plan folder, a folder holding it, or other files."""
    from abri.errors import DataFileError

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
) -> Documents:
    """Read a plan folder (and an optional fleet roster and readiness rows) into the document tables."""
    pf = read_plan_folder(plan_dir, roster=roster, data_dir=data_dir)
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
    return Documents(pf, tables)


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
    """
    lang = check_lang(lang)
    dialect = dialect or default_dialect(lang)
    out = check_documents_dir(out_dir, plan_dir)
    docs = build_documents(plan_dir, roster=roster, data_dir=data_dir, readiness=readiness)
    files: dict[str, Path] = {}
    with atomic_dir(out) as tmp:
        pages = {}
        for key, stem in DOCUMENTS.items():
            pages[key] = html.page(translate(key, lang), docs.sheets(key, lang), lang=lang)
            files[f"{key}_html"] = write_text_atomic(tmp / f"{stem}.html", pages[key])
            files[f"{key}_csv"] = write_table_csv(
                tmp / f"{stem}.csv", docs.tables[key], lang=lang, dialect=dialect
            )
        if READINESS in docs.tables:
            stem = READINESS.replace("_", "-")
            files[f"{READINESS}_csv"] = write_table_csv(
                tmp / f"{stem}.csv", docs.tables[READINESS], lang=lang, dialect=dialect
            )
        files["workbook"] = write_workbook(
            tmp / "documents.xlsx", docs.tables, lang=lang, label=docs.folder.label
        )
        if pdf:
            files |= write_pdfs(
                {
                    f"{key}_pdf": (tmp / f"{stem}.pdf", pages[key])
                    for key, stem in DOCUMENTS.items()
                },
                engine=pdf_engine,
            )
    return {name: out / path.name for name, path in files.items()}
