"""Read and check a people file (the scenario folder reader is :mod:`abri.geo.scenario`).

People files get the same row-level messages as centre files: file, row,
column, value, what was expected; bad rows are set aside into a rejects
file, never dropped silently.
"""

from __future__ import annotations

import os
from datetime import date

import pandas as pd

from abri.constants import GROUPS
from abri.errors import DataFileError
from abri.geo.readers import read_cells
from abri.geo.report import RowCheck, ValidationReport

PEOPLE_COLUMNS = ("person_id", "day", "group", "household", "pref1", "pref2")


def read_people(path: str | os.PathLike[str], *, regions: set[str] | None = None) -> tuple[pd.DataFrame, ValidationReport]:
    """People: ``person_id``, ``day`` (YYYY-MM-DD), ``group``, ``household``, ``pref1``, ``pref2``."""
    table = read_cells(path)
    file = str(path)
    missing = [c for c in ("person_id", "day", "group") if c not in table.frame.columns]
    if missing:
        msg = f"{file}: missing column(s) {missing}; expected {list(PEOPLE_COLUMNS)}"
        raise DataFileError(msg)
    frame = table.frame.reindex(columns=list(PEOPLE_COLUMNS), fill_value="")
    seen: dict[str, int] = {}
    rows = []
    for number, record in zip(table.rows, frame.to_dict("records")):
        row = RowCheck(number, record)
        pid = record["person_id"]
        if not pid:
            row.error(file, "person_id", pid, "a non-empty person id", "missing-id")
        elif pid in seen:
            row.error(file, "person_id", pid, f"a unique id (already used on row {seen[pid]})", "duplicate-id")
        else:
            seen[pid] = number
        try:
            date.fromisoformat(record["day"])
        except ValueError:
            row.error(file, "day", record["day"], "a date YYYY-MM-DD", "bad-day")
        if record["group"] not in GROUPS:
            row.error(file, "group", record["group"], f"one of {', '.join(GROUPS)}", "unknown-group")
        if record["group"] == "families" and not record["household"]:
            row.warn(file, "household", "", "a household id for a family member (travels alone otherwise)", "missing-household")
        for col in ("pref1", "pref2"):
            if record[col] and regions is not None and record[col] not in regions:
                row.error(file, col, record[col], f"a region code among {', '.join(sorted(regions))}", "unknown-region")
        rows.append(row)
    report = ValidationReport.from_rows(file, frame, rows)
    kept = frame.drop(index=frame.index[[i for i, r in enumerate(rows) if r.rejected]]).reset_index(drop=True)
    kept["household"] = kept["household"].where(kept["household"] != "", kept["person_id"])
    return kept, report
