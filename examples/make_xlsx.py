"""Write centres-sample.xlsx from centres-sample.csv, typed as a planner's spreadsheet would be.

Capacities and coordinates are numbers, codes (INSEE, postcode, department) are text so
that their leading zeros stay; empty cells stay empty. Run from this folder:
``python3 make_xlsx.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
NUMBERS = {"capacite": int, "lon": float, "lat": float}


def main() -> None:
    with (HERE / "centres-sample.csv").open(encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f, delimiter=";"))
    book = Workbook()
    sheet = book.active
    sheet.title = "centres"
    sheet.append(header)
    for row in rows:
        sheet.append(
            [
                NUMBERS[col](value.replace(",", "."))
                if value and col in NUMBERS
                else (value or None)
                for col, value in zip(header, row)
            ]
        )
    book.properties.creator = "abri"
    book.properties.created = book.properties.modified = dt.datetime(2016, 10, 24)
    book.save(HERE / "centres-sample.xlsx")


if __name__ == "__main__":
    main()
