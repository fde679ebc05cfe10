"""Any table abri reads, by its file type: CSV or text, Excel, GeoJSON or GeoPackage, as cells of text.

:func:`read_cells` is the one entry point; each format's reader lives in its own module
(:mod:`abri.inputs.readers` for text, :mod:`abri.inputs.excel`, :mod:`abri.inputs.features`).
"""

from __future__ import annotations

import os
from pathlib import Path

from abri.errors import DataFileError
from abri.inputs.excel import read_excel_cells
from abri.inputs.features import read_geo_cells
from abri.inputs.limits import MAX_FILE_BYTES, check_count
from abri.inputs.readers import EXCEL, FORMATS, GEO, SPREADSHEET, RawTable, _kind, read_csv_cells


def read_cells(path: str | os.PathLike[str], *, sheet: str | int = 0) -> RawTable:
    """Read any supported table file into text cells; the format comes from the suffix, checked against the content.

    `sheet` names an Excel sheet or a GeoPackage layer (a name, or a 0-based index).
    """
    path = Path(path)
    if not path.is_file():
        msg = f"{path}: {'not a regular file (a folder, device or pipe)' if path.exists() else 'no such file'}"
        raise DataFileError(msg)
    suffix = path.suffix.lower()
    if suffix not in SPREADSHEET | EXCEL | GEO:
        msg = f"{path}: unsupported file type {suffix!r}; expected one of {', '.join(FORMATS)}"
        raise DataFileError(msg)
    size = path.stat().st_size
    check_count("bytes", size, MAX_FILE_BYTES, source=str(path), advice="split the file")
    with open(path, "rb") as fh:
        head = fh.read(16)
    kind = _kind(head)
    if (
        kind
        and not (kind.startswith("a zip") and suffix in EXCEL)
        and not (kind.startswith("a SQLite") and suffix == ".gpkg")
    ):
        hint = (
            " (rename it to .xlsx)"
            if kind.startswith("a zip")
            else " (rename it to .gpkg)"
            if kind.startswith("a SQLite")
            else ""
        )
        msg = f"{path}: this file is {kind}, not a {suffix} file{hint}"
        raise DataFileError(msg)
    if suffix in EXCEL and head and not kind:
        msg = f"{path}: this is not an Excel workbook (an .xlsx is a zip file); if it is text, rename it to .csv"
        raise DataFileError(msg)
    if suffix in SPREADSHEET:
        return read_csv_cells(path)
    if suffix in EXCEL:
        return read_excel_cells(path, sheet=sheet)
    return read_geo_cells(path, sheet=sheet)
