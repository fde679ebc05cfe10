"""Read tabular input files (CSV, Excel, GeoJSON, GeoPackage) into text cells.

Every cell comes back as a string ("" when empty) with the row number a
person would see in the file (the header is row 1 in CSV and Excel; features
count from 1 in GeoJSON and GeoPackage), so that later checks can name
the exact place of a problem.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from abri.errors import DataFileError

SPREADSHEET = {".csv", ".txt", ".tsv"}
EXCEL = {".xlsx", ".xlsm"}
GEO = {".geojson", ".json", ".gpkg"}
FORMATS = sorted(SPREADSHEET | EXCEL | GEO)


@dataclass
class RawTable:
    """The cells of a file as text, with the row number of each record."""

    path: str
    frame: pd.DataFrame  # all columns str, "" for empty
    rows: list[int]  # row number in the file for each record
    encoding: str = ""
    delimiter: str = ""


def normalise_header(name: object) -> str:
    """``'Capacité (places)'`` -> ``'capacite_places'``."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode text as UTF-8 (with or without BOM), else Windows-1252, else Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """The field separator of a CSV text: ``;``, ``,``, tab or ``|``."""
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if not lines:
        return ","
    header = lines[0]
    counts = {d: header.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_csv_cells(path: Path) -> RawTable:
    """Read a CSV with any common separator, encoding and decimal mark."""
    text, encoding = decode_bytes(path.read_bytes())
    text = text.replace("\x00", "")
    if not text.strip():
        msg = f"{path}: file is empty; expected a header row and at least one data row"
        raise DataFileError(msg)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        msg = f"{path}, row {reader.line_num}: not valid CSV ({exc})"
        raise DataFileError(msg) from exc
    records = [(n, r) for n, r in records if any(cell.strip() for cell in r)]
    if not records:
        msg = f"{path}: no header row found"
        raise DataFileError(msg)
    (_, header), body = records[0], records[1:]
    width = len(header)
    cells = [[c.strip() for c in (row + [""] * width)[:width]] for _, row in body]
    extra = {n: row[width:] for n, row in body if any(c.strip() for c in row[width:])}
    frame = pd.DataFrame(cells, columns=[str(h).strip() for h in header], dtype=object)
    if extra:
        frame["__extra__"] = [";".join(extra.get(n, [])) for n, _ in body]
    return RawTable(str(path), frame, [n for n, _ in body], encoding, delimiter)


def read_excel_cells(path: Path, *, sheet: str | int = 0) -> RawTable:
    """Read the first (or named) sheet of an .xlsx workbook."""
    try:
        frame = pd.read_excel(path, sheet_name=sheet, dtype=object, header=0, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        msg = f"{path}: cannot read as an Excel workbook ({type(exc).__name__}: {exc})"
        raise DataFileError(msg) from exc
    frame = frame.dropna(how="all")
    rows = [int(i) + 2 for i in frame.index]
    frame = frame.map(_cell).reset_index(drop=True)
    frame.columns = [_cell(c) for c in frame.columns]
    return RawTable(str(path), frame, rows)


def read_geo_cells(path: Path) -> RawTable:
    """Read GeoJSON or GeoPackage features; point geometry becomes ``lon``/``lat`` cells."""
    import geopandas as gpd

    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        msg = f"{path}: cannot read as GeoJSON/GeoPackage ({type(exc).__name__}: {exc})"
        raise DataFileError(msg) from exc
    if gdf.crs is not None and not gdf.empty and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs("EPSG:4326")
    frame = pd.DataFrame(gdf.drop(columns="geometry")).map(_cell)
    if "geometry" in gdf and not gdf.empty:
        geoms = gdf.geometry
        points = geoms.where(geoms.geom_type == "Point", geoms.representative_point())
        names = {normalise_header(c) for c in frame.columns}
        if not names & {"lon", "longitude", "lng", "x"}:
            frame["lon"] = [_cell(p.x) if p is not None and not p.is_empty else "" for p in points]
            frame["lat"] = [_cell(p.y) if p is not None and not p.is_empty else "" for p in points]
        frame["__geometry_type__"] = [g.geom_type if g is not None else "" for g in geoms]
    return RawTable(str(path), frame.reset_index(drop=True), list(range(1, len(frame) + 1)))


def read_cells(path: str | os.PathLike[str], *, sheet: str | int = 0) -> RawTable:
    """Read any supported table file into text cells; the format comes from the suffix."""
    path = Path(path)
    if not path.is_file():
        msg = f"{path}: no such file"
        raise DataFileError(msg)
    suffix = path.suffix.lower()
    if suffix in SPREADSHEET:
        return read_csv_cells(path)
    if suffix in EXCEL:
        return read_excel_cells(path, sheet=sheet)
    if suffix in GEO:
        return read_geo_cells(path)
    msg = f"{path}: unsupported file type {suffix!r}; expected one of {', '.join(FORMATS)}"
    raise DataFileError(msg)
