"""Read an Excel workbook (.xlsx) into text cells, streamed cell by cell.

The workbook's unzipped size is bounded before it is opened; the sheet is
read in openpyxl's read-only mode straight from its XML, one stored cell at
a time, so a lone cell at XFD1048576 costs nothing and is refused by its
column; rows and columns are bounded as they come (:mod:`abri.inputs.limits`).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from abri.errors import DataFileError
from abri.inputs.limits import MAX_COLUMNS, MAX_ROWS, MAX_UNZIPPED_BYTES, check_count
from abri.inputs.readers import RawTable, _pick, _table
from abri.inputs.values import format_cell


def _check_workbook(path: Path) -> None:
    """Refuse a workbook whose zip would unpack past :data:`MAX_UNZIPPED_BYTES` (a zip bomb)."""
    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        msg = f"{path}: cannot read as an Excel workbook (not a valid .xlsx zip: {exc})"
        raise DataFileError(msg) from exc
    check_count("bytes once unzipped", size, MAX_UNZIPPED_BYTES, source=str(path))


def _sheet_records(ws: Any, path: Path) -> Iterator[tuple[int, list[str]]]:
    """Stream a read-only sheet's non-empty rows as text, cell by cell as stored (gaps cost nothing)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet._reader import WorkSheetParser

    workbook = ws.parent
    with ws._get_source() as source:
        parser = WorkSheetParser(
            source,
            ws._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        count = 0
        for number, cells in parser.parse():
            values = {c["column"]: format_cell(c["value"]) for c in cells}
            values = {k: v for k, v in values.items() if v}
            if not values:
                continue
            widest = max(values)
            if widest > MAX_COLUMNS:
                msg = (
                    f"{path}, sheet {ws.title!r}: a value in cell {get_column_letter(widest)}{number}; "
                    f"abri reads at most {MAX_COLUMNS} columns (A to {get_column_letter(MAX_COLUMNS)})"
                )
                raise DataFileError(msg)
            count += 1
            check_count(
                "rows",
                count,
                MAX_ROWS + 1,
                source=f"{path}, sheet {ws.title!r}",
                advice="split the file",
            )
            row = [""] * widest
            for k, v in values.items():
                row[k - 1] = v
            yield number, row


def read_excel_cells(path: Path, *, sheet: str | int = 0) -> RawTable:
    """Read the first (or named) sheet of an .xlsx workbook, streamed."""
    import openpyxl

    _check_workbook(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        msg = f"{path}: cannot read as an Excel workbook ({type(exc).__name__}: {exc})"
        raise DataFileError(msg) from exc
    try:
        names = list(workbook.sheetnames)
        title = _pick(path, names, sheet, "sheet")
        try:
            records = list(_sheet_records(workbook[title], path))
        except DataFileError:
            raise
        except Exception as exc:  # a damaged sheet
            msg = f"{path}, sheet {title!r}: cannot read ({type(exc).__name__}: {exc})"
            raise DataFileError(msg) from exc
        if not records:
            others = [n for n in names if n != title]
            msg = f"{path}: sheet {title!r} is empty" + (
                f"; the workbook also holds {', '.join(map(repr, others))} (move the list to the first sheet, or choose one with --sheet)"
                if others
                else "; expected a header row and at least one data row"
            )
            raise DataFileError(msg)
    finally:
        workbook.close()
    return _table(str(path), records, sheets=names, sheet=title)
