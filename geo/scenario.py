"""A scenario folder: its types (:class:`Fleet`, :class:`Rules`, :class:`Scenario`) and its reader.

A scenario folder holds ``centres.csv`` (or any centre file abri reads),
``people.csv``, and optionally ``fleet.json``, ``rules.json`` and
``scenario.json`` (a name and a label). Every default lives here, once: a
key missing from ``fleet.json`` or ``rules.json`` takes the default of the
field below; an unknown key is an error that names the file and the key.
The synthetic generator is :mod:`abri.geo.synthetic`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, fields
from difflib import get_close_matches
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from abri.constants import CALAIS, CALAIS_NAME
from abri.errors import DataFileError
from abri.geo.report import ValidationReport


@dataclass(frozen=True)
class Rules:
    """Coach and driver rules (EU Regulation 561/2006) and the planner's choices."""

    max_stops: int = 4
    departure: str = "07:00"
    service_minutes: int = 15
    break_after_hours: float = 4.5
    break_minutes: int = 45
    max_driving_hours: float = 9.0
    second_driver: bool = True  # False: trips over the limit are refused
    second_driver_cost_hours: float = 4.0
    reception_open: str = "08:00"
    reception_close: str = "22:00"
    preference_penalty_hours: float = 24.0


@dataclass(frozen=True)
class Fleet:
    """Coaches available each day, and the origin they leave from."""

    coaches_per_day: int = 60
    seats: int = 55
    origin_lon: float = CALAIS[0]
    origin_lat: float = CALAIS[1]
    origin_name: str = CALAIS_NAME
    days: list[str] = field(default_factory=list)


DEFAULT_RULES = Rules()
DEFAULT_FLEET = Fleet()


@dataclass
class Scenario:
    """Everything a plan needs, read from a scenario folder."""

    folder: Path
    centres_path: Path
    people: pd.DataFrame
    people_report: ValidationReport
    fleet: Fleet
    rules: Rules
    name: str = ""
    label: str = ""  # e.g. "SYNTHETIC ..." for a generated scenario; empty for a real list

    def __repr__(self) -> str:
        return (f"Scenario({self.name or self.folder.name!r}, {len(self.people):,} people, "
                f"{self.fleet.coaches_per_day} coaches x {self.fleet.seats} seats{', ' + self.label if self.label else ''})")


T = TypeVar("T")
# Keys a file may carry besides the dataclass fields (free text for people).
_INFORMATIVE = {"label", "name", "description", "comment", "notes"}


def _type_ok(value: Any, default: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(default, list):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, type(default))


def read_json_dataclass(path: Path, cls: type[T], *, overrides: dict[str, Any] | None = None) -> T:
    """A dataclass from a JSON object file: unknown keys and wrong types are errors naming file and key.

    A missing file gives the defaults. `overrides` (already typed) replace values after reading.
    """
    raw: Any = {}
    if path.is_file():
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            msg = f"{path}: not valid JSON ({exc})"
            raise DataFileError(msg) from exc
    if not isinstance(raw, dict):
        msg = f"{path}: got a JSON {type(raw).__name__}; expected an object of keys such as {[f.name for f in fields(cls)][:4]}"  # type: ignore[arg-type]
        raise DataFileError(msg)
    defaults = cls()
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    unknown = [k for k in raw if k not in known and k not in _INFORMATIVE]
    if unknown:
        hints = [f"{k!r} (did you mean {close[0]!r}?)" if (close := get_close_matches(k, known, 1)) else repr(k) for k in unknown]
        msg = f"{path}: unknown key(s) {', '.join(hints)}; expected keys among {', '.join(sorted(known))}"
        raise DataFileError(msg)
    values = {}
    for name in known:
        if name not in raw:
            continue
        value, default = raw[name], getattr(defaults, name)
        if not _type_ok(value, default):
            msg = f"{path}: key {name!r} is {value!r}; expected a {type(default).__name__} like {default!r}"
            raise DataFileError(msg)
        if isinstance(value, int | float) and not isinstance(value, bool) and (value != value or value < 0):
            msg = f"{path}: key {name!r} is {value!r}; expected a number >= 0 like {default!r}"
            raise DataFileError(msg)
        values[name] = float(value) if isinstance(default, float) else value
    values.update(overrides or {})
    return cls(**values)


def read_label(folder: Path) -> tuple[str, str]:
    """The scenario's name and label from ``scenario.json`` (empty when the file is absent)."""
    path = folder / "scenario.json"
    if not path.is_file():
        return folder.name, ""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        msg = f"{path}: not valid JSON ({exc})"
        raise DataFileError(msg) from exc
    if not isinstance(raw, dict):
        msg = f"{path}: got a JSON {type(raw).__name__}; expected an object with 'name' and 'label'"
        raise DataFileError(msg)
    return str(raw.get("name", folder.name)), str(raw.get("label", ""))


def read_scenario(folder: str | os.PathLike[str], *, regions: set[str] | None = None) -> Scenario:
    """Read a scenario folder: ``centres.csv``, ``people.csv``, ``fleet.json``, ``rules.json``, ``scenario.json``."""
    from abri.geo.people import read_people

    folder = Path(folder)
    for name in ("centres.csv", "people.csv"):
        if not (folder / name).is_file():
            msg = f"{folder}: no {name}; a scenario folder holds centres.csv, people.csv, fleet.json and rules.json (see `abri scenario`)"
            raise DataFileError(msg)
    fleet = read_json_dataclass(folder / "fleet.json", Fleet)
    rules = read_json_dataclass(folder / "rules.json", Rules)
    for path, key, value in ((folder / "fleet.json", "seats", fleet.seats), (folder / "fleet.json", "coaches_per_day", fleet.coaches_per_day),
                             (folder / "rules.json", "max_stops", rules.max_stops)):
        if value < 1:
            msg = f"{path}: key {key!r} is {value!r}; expected at least 1"
            raise DataFileError(msg)
    name, label = read_label(folder)
    people, report = read_people(folder / "people.csv", regions=regions)
    return Scenario(folder, folder / "centres.csv", people, report, fleet, rules, name=name, label=label)
