"""The limits abri puts on its inputs, each written once.

A file past a limit is refused up front (exit 2) with a message naming the
file, the limit and what to do; nothing is read half-way. The limits are
far above the reference case (about 500 centres, 7,000 people) and the
scale abri aims at on one machine (a few thousand centres, tens of
thousands of people); they exist so that a small hostile file (a 5 KB
workbook whose one cell sits at XFD1048576, a CSV of 10,000 columns, a
fleet of 10^7 coaches) cannot exhaust the machine.
"""

from __future__ import annotations

from abri.errors import DataFileError

MAX_FILE_BYTES = 100_000_000
"""Largest input table (CSV, Excel, GeoJSON, GeoPackage) read, in bytes (a million people is about 45 MB of CSV)."""
MAX_UNZIPPED_BYTES = 250_000_000
"""Largest uncompressed content of an .xlsx workbook (a zip), in bytes (about 200,000 rows of 12 columns)."""
MAX_JSON_BYTES = 1_000_000
"""Largest fleet.json, rules.json or scenario.json, in bytes."""
MAX_ROWS = 1_000_000
"""Most data rows in one table file (Excel's own limit is 1,048,576)."""
MAX_COLUMNS = 256
"""Most columns in one table file (Excel 2003's limit; a centre list uses about 12)."""
MAX_HEADER_SCAN = 10
"""Rows searched for a misplaced header (a title row above it) when columns are missing."""
MAX_CENTRES = 50_000
"""Most centres in one list."""
MAX_MATRIX_POINTS = 5_001
"""Most points (origin + centres) in a full travel-time matrix (two float64 arrays: 400 MB)."""
MAX_COACHES_PER_DAY = 10_000
"""Most coaches a day in fleet.json (60 in 2016); the other fleet and rules ranges are in :mod:`abri.inputs.scenario`."""
MAX_SEATS = 1_000
"""Most seats in one coach in fleet.json (49 to 63 in 2016)."""
MAX_JOBS = 64
"""Most worker processes (``--jobs``) for a travel-time matrix."""
MAX_CAPACITY = 100_000
"""Most places in one centre."""
MAX_PLACES = 1_000_000
"""Most places in a synthetic scenario (``abri scenario --places``)."""


def check_count(what: str, count: int, limit: int, *, source: str, advice: str = "") -> None:
    """Refuse `count` of `what` above `limit` with a message naming `source` (a file or an option).

    Raises
    ------
    DataFileError
        `count` is above `limit`.
    """
    if count > limit:
        msg = f"{source}: {count:,} {what}; abri reads at most {limit:,}" + (
            f" ({advice})" if advice else ""
        )
        raise DataFileError(msg)


def check_matrix(points: int, *, source: str) -> None:
    """Refuse a full travel-time matrix of `points` x `points` above :data:`MAX_MATRIX_POINTS`."""
    check_count(
        "points for a full travel-time matrix (origin and centres)",
        points,
        MAX_MATRIX_POINTS,
        source=source,
        advice=f"{points:,} x {points:,} would need {16 * points * points / 1e9:,.1f} GB; split the list by region",
    )
