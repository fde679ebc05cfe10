"""Read tabular input files (CSV, Excel, GeoJSON, GeoPackage) into text cells.

Every cell comes back as a string ("" when empty) with the row number a
person would see in the file (the header is row 1 in CSV and Excel; a record
spread over several lines is numbered by its first line; features count
from 1 in GeoJSON and GeoPackage), so that later checks can name the exact
place of a problem. What the reader itself notices on a row (cells beyond
the header, a byte that is not UTF-8, a polygon given for a point) is kept
as a :class:`~abri.inputs.report.Problem` and reported with that row.

Sizes are bounded before anything is loaded (:mod:`abri.inputs.limits`): file
bytes, rows and columns. The content, not the name, says what a file is (a
workbook named .csv is refused with the reason). CSV text is read here;
Excel in :mod:`abri.inputs.excel` (streamed cell by cell), GeoJSON and
GeoPackage in :mod:`abri.inputs.features`.
"""

from __future__ import annotations

import bisect
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from abri.errors import DataFileError
from abri.inputs.limits import MAX_COLUMNS, MAX_HEADER_SCAN, MAX_ROWS, check_count
from abri.inputs.report import Problem, RowCheck, Severity

SPREADSHEET = {".csv", ".txt", ".tsv"}
EXCEL = {".xlsx", ".xlsm"}
GEO = {".geojson", ".json", ".gpkg"}
FORMATS = sorted(SPREADSHEET | EXCEL | GEO)
LON_NAMES = {"lon", "longitude", "lng", "long", "x"}
LAT_NAMES = {"lat", "latitude", "y"}


def note(
    record: int | None,
    row: int | None,
    column: str,
    value: str,
    expected: str,
    severity: Severity,
    rule: str,
) -> Problem:
    """A problem the reader noticed on one record (`record`: its index in the frame) or on the file (None).

    The file's name is filled in when the table hands its problems over.
    """
    return Problem("", row, column, value, expected, severity, rule, record=record)


@dataclass
class RawTable:
    """The cells of a file as text, with the row number of each record."""

    path: str
    frame: pd.DataFrame  # all columns str, "" for empty
    rows: list[int]  # row number in the file for each record
    encoding: str = ""
    delimiter: str = ""
    notes: list[Problem] = field(default_factory=list)
    head: list[tuple[int, list[str]]] = field(
        default_factory=list
    )  # the first records (header included), for hints
    sheets: list[str] = field(
        default_factory=list
    )  # every sheet (Excel) or layer (GeoPackage) of the file
    sheet: str = ""  # the one read

    def row_checks(self, columns: dict[str, str]) -> list[RowCheck]:
        """One :class:`RowCheck` per record over the canonical fields `columns` (field -> file column), with the reader's notes."""
        fields = list(columns)
        values = (
            zip(*(self.frame[c].tolist() for c in columns.values()))
            if fields
            else ((),) * len(self.rows)
        )
        rows = [RowCheck(n, dict(zip(fields, cells))) for n, cells in zip(self.rows, values)]
        for problem in self.notes:
            if problem.record is not None:
                rows[problem.record].problems.append(replace(problem, file=self.path, record=None))
        return rows

    def file_problems(self) -> list[Problem]:
        """The notes about the file as a whole (its header, its encoding)."""
        return [replace(n, file=self.path) for n in self.notes if n.record is None]

    def layout_hint(self, looks_like_header: Any) -> str:
        """Why expected columns may be missing: a title row above the header, other sheets, a lone column."""
        hints = []
        for number, cells in self.head[1:]:
            if looks_like_header(cells):
                hints.append(
                    f"row {number} looks like the header: remove the row(s) above it (a title?)"
                )
                break
        others = [s for s in self.sheets if s != self.sheet]
        if others:
            hints.append(
                f"read {'layer' if self.path.lower().endswith('.gpkg') else 'sheet'} {self.sheet!r}; the file also holds "
                f"{', '.join(map(repr, others))} (choose one with --sheet)"
            )
        if self.delimiter and len(self.frame.columns) == 1 and not hints:
            hints.append(
                f"the header is one column {str(self.frame.columns[0])[:60]!r} with the separator {self.delimiter!r}"
            )
        return "; ".join(hints)


def normalise_header(name: object) -> str:
    """``'Capacité (places)'`` -> ``'capacite_places'``."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


# --- bytes to text -------------------------------------------------------------------------------------------------


@dataclass
class Decoded:
    """A text file decoded: its text, the encoding, and every byte that was not valid in it (line, byte, read as)."""

    text: str
    encoding: str
    stray: list[tuple[int, int, str]] = field(default_factory=list)


_MAGIC = (
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx workbook?)"),
    (b"\xd0\xcf\x11\xe0", "an old Office file (Excel 97-2003 .xls?); save it as .xlsx or CSV"),
    (b"SQLite format 3\x00", "a SQLite database (a GeoPackage?)"),
    (b"%PDF", "a PDF document"),
)


def _kind(head: bytes) -> str:
    """What the first bytes of a file say it is ("" for text)."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    return ""


def decode_text(data: bytes, path: str = "") -> Decoded:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16/32 (by BOM or by NUL bytes), else Windows-1252.

    A UTF-8 file with a few bytes that are not UTF-8 stays UTF-8: each stray
    byte is read as Windows-1252 and listed in ``stray`` with its line, so
    that it is reported rather than silently changing the whole file.
    """
    for mark, encoding in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(mark):
            return _decode_wide(data[len(mark) :], encoding, path)
    if b"\x00" in data:
        sample = data[:4096]
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if max(even, odd) > 0.3 * len(sample) / 2:
            return _decode_wide(data, "utf-16-be" if even > odd else "utf-16-le", path)
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        msg = f"{path}, line {line}: a NUL byte; expected a text file (CSV), not a binary one"
        raise DataFileError(msg)
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    try:
        return Decoded(body.decode("utf-8"), "utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError:
        pass
    text = body.decode("utf-8", errors="surrogateescape")
    stray_at = [m.start() for m in re.finditer("[\udc80-\udcff]", text)]
    valid_multibyte = sum(1 for ch in text if ord(ch) > 127) - len(stray_at)
    if bom or valid_multibyte > 0:
        return _mend(text, stray_at, "utf-8-sig" if bom else "utf-8")
    try:
        return Decoded(body.decode("cp1252"), "cp1252")
    except UnicodeDecodeError:
        return Decoded(body.decode("latin-1"), "latin-1")


def _decode_wide(data: bytes, encoding: str, path: str) -> Decoded:
    try:
        return Decoded(data.decode(encoding), encoding)
    except UnicodeDecodeError as exc:
        msg = f"{path}: looks like {encoding.upper()} text but byte {exc.start} is not valid in it; save the file as UTF-8 CSV"
        raise DataFileError(msg) from exc


def _mend(text: str, stray_at: list[int], encoding: str) -> Decoded:
    """Replace each undecodable byte (a surrogate escape) by its Windows-1252 reading, noting its line."""
    newlines = [m.start() for m in re.finditer("\n", text)]
    stray = []
    parts, last = [], 0
    for pos in stray_at:
        byte = ord(text[pos]) - 0xDC00
        char = bytes([byte]).decode("cp1252", errors="replace")
        stray.append((bisect.bisect_left(newlines, pos) + 1, byte, char))
        parts += [text[last:pos], char]
        last = pos + 1
    parts.append(text[last:])
    return Decoded("".join(parts), encoding, stray)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode text as UTF-8 (with or without BOM), UTF-16, else Windows-1252 or Latin-1: (text, encoding)."""
    decoded = decode_text(data)
    return decoded.text, decoded.encoding


def sniff_delimiter(text: str) -> str:
    """The field separator of a CSV text: ``;``, ``,``, tab or ``|``."""
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if not lines:
        return ","
    header = lines[0]
    counts = {d: header.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


# --- records to a table --------------------------------------------------------------------------------------------


def _header_names(
    path: str, number: int, header: list[str], body: list[tuple[int, list[str]]]
) -> list[str]:
    """Column names: stripped, an unnamed column that holds data named ``column_N``; duplicates refused."""
    names = [str(h).strip() for h in header]
    seen: dict[str, int] = {}
    for j, name in enumerate(names):
        if not name:
            continue
        key = name.casefold()
        if key in seen:
            msg = (
                f"{path}, row {number}: columns {seen[key] + 1} and {j + 1} are both called {name!r}; "
                f"expected each column once (rename or remove one)"
            )
            raise DataFileError(msg)
        seen[key] = j
    for j, name in enumerate(names):
        if not name:
            names[j] = (
                f"column_{j + 1}" if f"column_{j + 1}" not in seen else f"column_{j + 1}_unnamed"
            )
    return names


def _table(
    path: str,
    records: list[tuple[int, list[str]]],
    *,
    encoding: str = "",
    delimiter: str = "",
    notes: list[Problem] | None = None,
    sheets: list[str] | None = None,
    sheet: str = "",
) -> RawTable:
    """A table from non-empty records (row number, cells); the first is the header.

    A value beyond the header's last column is an error in a CSV (the row is
    likely shifted by an unquoted separator), a warning in a sheet (a note
    beside the table: not read, but said).
    """
    in_sheet = bool(sheet)
    if not records:
        msg = f"{path}: no header row found; expected a header row and at least one data row"
        raise DataFileError(msg)
    (header_row, header), body = records[0], records[1:]
    while header and not str(header[-1]).strip():
        header = header[:-1]
    check_count(
        "columns in the header", len(header), MAX_COLUMNS, source=f"{path}, row {header_row}"
    )
    check_count("data rows", len(body), MAX_ROWS, source=path, advice="split the file")
    width = len(header)
    names = _header_names(path, header_row, header, body)
    notes = list(notes or [])
    cells = []
    for i, (number, row) in enumerate(body):
        cells.append([c.strip() for c in (row + [""] * width)[:width]])
        extra = [
            (width + k + 1, c.strip())
            for k, c in enumerate(row[width : width + MAX_COLUMNS])
            if c.strip()
        ]
        if extra or (
            len(row) > width + MAX_COLUMNS and any(c.strip() for c in row[width + MAX_COLUMNS :])
        ):
            shown = "; ".join(f"column {k}: {c}" for k, c in extra[:3])
            expected = (
                f"a header above each value (only the {width} columns under one are read)"
                if in_sheet
                else f"at most {width} cells, as in the header (a separator inside a value must be quoted)"
            )
            notes.append(
                note(
                    i,
                    number,
                    f"column {extra[0][0] if extra else width + MAX_COLUMNS}",
                    shown,
                    expected,
                    "warning" if in_sheet else "error",
                    "cells-beyond-header",
                )
            )
    frame = (
        pd.DataFrame(cells, columns=names, dtype=object)
        if cells
        else pd.DataFrame(columns=names, dtype=object)
    )
    unnamed = [n for j, n in enumerate(names) if not str(header[j]).strip()]
    empty = [n for n in unnamed if not (frame[n] != "").any()]
    frame = frame.drop(columns=empty)
    head = [(n, [str(c).strip() for c in r]) for n, r in records[: MAX_HEADER_SCAN + 1]]
    return RawTable(
        path, frame, [n for n, _ in body], encoding, delimiter, notes, head, sheets or [], sheet
    )


def _stray_notes(
    stray: list[tuple[int, int, str]],
    records: list[tuple[int, list[str]]],
    ends: list[int],
    encoding: str,
) -> list[Problem]:
    """A warning on the record holding each byte that was not valid in the file's encoding."""
    notes = []
    starts = [n for n, _ in records]
    for line, byte, char in stray:
        k = bisect.bisect_right(starts, line) - 1
        if k < 0 or line > ends[k]:
            continue  # on a blank line
        number, cells = records[k]
        header = records[0][1]
        j = next((j for j, c in enumerate(cells) if char in c), None)
        column = (
            "row"
            if j is None
            else (
                str(header[j]).strip()
                if j < len(header) and str(header[j]).strip()
                else f"column {j + 1}"
            )
        )
        expected = f"{encoding.upper()} text (byte 0x{byte:02X} on line {line} is not; read as {char!r} in Windows-1252)"
        value = cells[j].strip() if j is not None else ""
        notes.append(
            note(k - 1 if k else None, number, column, value, expected, "warning", "invalid-byte")
        )
    return notes


_TEXT_CONSTANT = re.compile(r'^="([^"]*)"$')


def read_csv_cells(path: Path) -> RawTable:
    """Read a CSV with any common separator, encoding and decimal mark."""
    data = path.read_bytes()
    decoded = decode_text(data, str(path))
    text = decoded.text
    if not text.strip():
        msg = f"{path}: file is empty; expected a header row and at least one data row"
        raise DataFileError(msg)
    offset = 0
    if match := re.match(r"\s*sep=(.)[ \t]*\r?\n", text):  # Excel's hint line: "sep=;"
        delimiter = match.group(1)
        offset = text[: match.end()].count("\n")
        text = text[match.end() :]
    else:
        delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    ends: list[int] = []
    previous = 0
    try:
        for row in reader:
            start, previous = previous + 1, reader.line_num
            if any(cell.strip() for cell in row):
                # Excel's text constant ="01" (excel-fr CSVs keep codes as text): the text 01
                row = [_TEXT_CONSTANT.sub(r"\1", cell) for cell in row]
                records.append((start + offset, row))
                ends.append(previous + offset)
                if len(records) > MAX_ROWS + 1:
                    check_count(
                        "data rows",
                        len(records) - 1,
                        MAX_ROWS,
                        source=str(path),
                        advice="split the file",
                    )
    except csv.Error as exc:
        msg = f"{path}, row {previous + 1 + offset}: not valid CSV ({exc})"
        raise DataFileError(msg) from exc
    notes = _stray_notes(decoded.stray, records, ends, decoded.encoding) + _layout_notes(
        records, ends, delimiter
    )
    return _table(str(path), records, encoding=decoded.encoding, delimiter=delimiter, notes=notes)


def _layout_notes(
    records: list[tuple[int, list[str]]], ends: list[int], delimiter: str
) -> list[Problem]:
    """Errors on rows whose shape says the file is broken there: a quote never closed, another separator."""
    if not records:
        return []
    width = len(records[0][1])
    notes = []
    for k, ((number, cells), end) in enumerate(zip(records, ends)):
        if k == 0:
            continue
        swallowed = [
            c
            for c in cells
            if "\n" in c
            and any(line.count(delimiter) >= max(1, width - 1) for line in c.splitlines()[1:])
        ]
        if end > number and swallowed:
            notes.append(
                note(
                    k - 1,
                    number,
                    "row",
                    swallowed[0][:60],
                    f'a closing quote (") in this row: lines {number} to {end} '
                    f"were read into one cell",
                    "error",
                    "unclosed-quote",
                )
            )
        elif len(cells) < width and width > 1 and any(c.strip() for c in cells):
            other = next(
                (
                    d
                    for d in (";", ",", "\t", "|")
                    if d != delimiter and max(c.count(d) for c in cells) >= width - 1
                ),
                None,
            )
            if other is not None:
                notes.append(
                    note(
                        k - 1,
                        number,
                        "row",
                        delimiter.join(cells)[:60],
                        f"{width} cells separated by {delimiter!r} "
                        f"as in the header (this row uses {other!r})",
                        "error",
                        "wrong-separator",
                    )
                )
    return notes


def _pick(path: Path, names: list[str], wanted: str | int, what: str) -> str:
    """The sheet or layer `wanted` (a name, or a 0-based index) among `names`."""
    if isinstance(wanted, int) or (
        isinstance(wanted, str) and wanted.isdigit() and wanted not in names
    ):
        index = int(wanted)
        if 0 <= index < len(names):
            return names[index]
    elif wanted in names:
        return wanted
    msg = f"{path}: no {what} {wanted!r}; expected one of {', '.join(map(repr, names))}"
    raise DataFileError(msg)


# --- any file --------------------------------------------------------------------------------------------------------


def map_columns(
    columns: list[str], *, aliases: dict[str, tuple[str, ...]], path: str = ""
) -> dict[str, str]:
    """Map canonical field names to the file's own column names.

    Raises
    ------
    DataFileError
        Two columns give the same field (``nom`` and ``name``): which one to read is not guessed.
    """
    found: dict[str, str] = {}
    for column in columns:
        key = normalise_header(column)
        for field_name, names in aliases.items():
            if key not in names:
                continue
            if field_name in found:
                msg = (
                    f"{path}: columns {found[field_name]!r} and {column!r} both give the {field_name} "
                    f"(expected one column among {', '.join(names)}; rename or remove one)"
                )
                raise DataFileError(msg)
            found[field_name] = column
    return found
