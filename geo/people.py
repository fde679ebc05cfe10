"""Read and check a scenario folder: people, fleet and rules.

People files get the same row-level messages as centre files: file, row,
column, value, what was expected; bad rows are set aside into a rejects
file, never dropped silently.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

import pandas as pd

from abri.errors import DataFileError
from abri.geo.centres import GROUPS
from abri.geo.readers import read_cells
from abri.geo.report import RowCheck, ValidationReport
from abri.geo.scenario import Fleet, Rules

PEOPLE_COLUMNS = ("person_id", "day", "group", "household", "pref1", "pref2")


@dataclass
class Scenario:
    """Everything a plan needs, read from a scenario folder."""

    folder: Path
    centres_path: Path
    people: pd.DataFrame
    people_report: ValidationReport
    fleet: Fleet
    rules: Rules


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


def _read_json_dataclass(path: Path, cls: type) -> object:
    """A dataclass from a JSON file; unknown keys are ignored, wrong types named."""
    if not path.is_file():
        return cls()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        msg = f"{path}: not valid JSON ({exc})"
        raise DataFileError(msg) from exc
    values = {}
    defaults = cls()
    for f in fields(cls):
        if f.name not in raw:
            continue
        value, default = raw[f.name], getattr(defaults, f.name)
        ok = isinstance(value, type(default)) or (isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool))
        if not ok or (isinstance(value, int | float) and not isinstance(value, bool) and value < 0):
            msg = f"{path}: key {f.name!r} is {value!r}; expected a {type(default).__name__} like {default!r}"
            raise DataFileError(msg)
        values[f.name] = value
    return cls(**values)


def read_scenario(folder: str | os.PathLike[str], *, regions: set[str] | None = None) -> Scenario:
    """Read a scenario folder: ``centres.csv``, ``people.csv``, ``fleet.json``, ``rules.json``."""
    folder = Path(folder)
    for name in ("centres.csv", "people.csv"):
        if not (folder / name).is_file():
            msg = f"{folder}: no {name}; a scenario folder holds centres.csv, people.csv, fleet.json and rules.json (see `abri scenario`)"
            raise DataFileError(msg)
    people, report = read_people(folder / "people.csv", regions=regions)
    fleet = _read_json_dataclass(folder / "fleet.json", Fleet)
    rules = _read_json_dataclass(folder / "rules.json", Rules)
    assert isinstance(fleet, Fleet) and isinstance(rules, Rules)
    if fleet.seats < 1 or fleet.coaches_per_day < 1 or rules.max_stops < 1:
        msg = f"{folder / 'fleet.json'}: seats, coaches_per_day and max_stops must be at least 1"
        raise DataFileError(msg)
    return Scenario(folder, folder / "centres.csv", people, report, fleet, rules)
