"""The document tables as CSV (long form, one row per stop) and as one Excel workbook (one tab per document type).

Headers are translated; CSV dates are written the locale's way
(``24/10/2016``), workbook dates are date cells shown the same way. Text
from input files is never a live formula (see :func:`abri.files.neutralise`).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pandas as pd

from abri.files import CsvDialect, atomic_path, neutralise, write_csv
from abri.i18n import (
    excel_date_format,
    excel_datetime_format,
    format_date,
    format_datetime,
    translate,
)

MAX_WIDTH = 60
#: Values of these columns are message keys, written in the reader's language.
TRANSLATED_VALUES = ("level",)


def header(column: str, lang: str) -> str:
    """A column's header in `lang` (a pass-through column keeps its own name)."""
    return translate(column, lang)


def localised(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """`frame` for a CSV reader: translated headers and keyword values, dates written the locale's way."""
    out = frame.copy()
    for column in out.columns:
        if column in TRANSLATED_VALUES:
            out[column] = out[column].map(lambda v: translate(str(v), lang))
        elif out[column].dtype == object:
            out[column] = out[column].map(lambda v: _text(v, lang))
    return out.rename(columns=lambda c: header(str(c), lang))


def _text(value: Any, lang: str) -> Any:
    """A cell for a CSV reader: dates and times the locale's way, nothing for None."""
    if value is pd.NaT:
        return ""
    if isinstance(value, dt.datetime):
        return format_datetime(value, lang)
    if isinstance(value, dt.date):
        return format_date(value, lang)
    return "" if value is None else value


def write_table_csv(
    path: str | os.PathLike[str], frame: pd.DataFrame, *, lang: str, dialect: CsvDialect
) -> Path:
    """Write one document table as CSV (``excel-fr``: BOM, ``;``, decimal comma), whole or not at all."""
    return write_csv(path, localised(frame, lang), dialect=dialect)


def _cell(value: Any) -> Any:
    if (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and value != value)
    ):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    return neutralise(value) if isinstance(value, str) else value


def write_workbook(
    path: str | os.PathLike[str], tables: dict[str, pd.DataFrame], *, lang: str, label: str = ""
) -> Path:
    """Write `tables` (tab key -> table) as one .xlsx: typed cells, bold frozen headers, fitted column widths.

    A `label` (the plan's, e.g. "SYNTHETIC ...") goes into the workbook's properties and the printed header of every tab.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    date_format = excel_date_format(lang)
    bold = Font(bold=True)
    for key, frame in tables.items():
        sheet = book.create_sheet(translate(key, lang)[:31])
        headers = [neutralise(header(str(c), lang)) for c in frame.columns]
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = bold
        widths = [len(h) for h in headers]
        columns = list(frame.columns)
        values = frame.astype(object).to_numpy()
        for row in values:
            cells = [
                translate(str(v), lang) if columns[i] in TRANSLATED_VALUES else _cell(v)
                for i, v in enumerate(row)
            ]
            sheet.append(cells)
            for i, v in enumerate(cells):
                if v is not None:
                    widths[i] = max(widths[i], 10 if isinstance(v, dt.date) else len(str(v)))
        for i in range(len(columns)):
            kinds = {type(v) for v in values[:, i]} if len(values) else set()
            if kinds & {dt.date, dt.datetime}:
                shown = excel_datetime_format(lang) if dt.datetime in kinds else date_format
                for (cell,) in sheet.iter_rows(min_row=2, min_col=i + 1, max_col=i + 1):
                    cell.number_format = shown
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = min(width + 2, MAX_WIDTH)
        sheet.freeze_panes = "A2"
        if label:
            sheet.oddHeader.center.text = label.replace("&", "&&")
            sheet.evenHeader.center.text = label.replace("&", "&&")
        if len(values):
            sheet.auto_filter.ref = sheet.dimensions
    if label:
        book.properties.subject = book.properties.description = label
    path = Path(path)
    with atomic_path(path) as tmp:
        book.save(tmp)
    return path
