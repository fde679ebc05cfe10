"""A scenario folder: its types (:class:`Fleet`, :class:`Rules`, :class:`Scenario`) and its reader.

A scenario folder holds ``centres.csv`` (or any centre file abri reads),
``people.csv``, and optionally ``fleet.json``, ``rules.json``,
``scenario.json`` (a name and a label) and ``pathways.csv`` (the UK and
medical pathways, :mod:`abri.inputs.pathways`). Every default lives here, once: a
key missing from ``fleet.json`` or ``rules.json`` takes the default of the
field below; an unknown key is an error that names the file and the key.
The synthetic generator is :mod:`abri.synthetic`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, fields
from difflib import get_close_matches
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from abri.constants import CALAIS, CALAIS_NAME, GROUPS
from abri.errors import DataFileError
from abri.inputs.limits import MAX_COACHES_PER_DAY, MAX_JSON_BYTES, MAX_SEATS, check_count
from abri.inputs.needs import CARE_KINDS
from abri.inputs.pathways import Pathway, read_pathways
from abri.inputs.people import read_people
from abri.inputs.report import ValidationReport
from abri.inputs.values import parse_day


@dataclass(frozen=True)
class Rules:
    """Coach and driver rules (EU Regulation 561/2006) and the planner's choices.

    Boarding at the origin: ``bays`` coaches board at once, each for
    ``boarding_minutes``; the first coaches leave at ``departure``, then one
    slot every ``boarding_minutes`` up to ``last_departure`` (defaults: four
    bays, 30 minutes a coach, 07:00 to 13:00, i.e. 13 slots and at most 52
    coaches a day, the 2016 pace of a coach every 7-8 minutes through the
    morning). Margins: every road time is planned ``margin_pct`` % longer
    than the data says (default 10), and each driver keeps
    ``driving_buffer_minutes`` of the legal driving time unused. Rides:
    ``max_ride_hours`` is the longest acceptable ride per group and
    ``ride_weight`` the weight of a group's ride time in the allocation
    (groups not named: no limit, weight 1). After the drop the crew takes
    ``daily_rest_hours`` of daily rest (11 h, Art. 8) before or after the
    way back.
    """

    max_stops: int = 4
    departure: str = "07:00"  # the first departure from the origin
    last_departure: str = "13:00"
    bays: int = 4  # coaches boarding at once at the origin
    boarding_minutes: int = 30  # to board one coach (one slot)
    service_minutes: int = 15
    break_after_hours: float = 4.5
    break_minutes: int = 45
    max_driving_hours: float = 9.0
    driving_buffer_minutes: int = 0  # of each driver's driving time kept unused
    margin_pct: float = 10.0  # planned road times = data x (1 + margin_pct / 100)
    second_driver: bool = True  # False: trips over the limit are refused
    second_driver_cost_hours: float = 4.0
    reception_open: str = "08:00"
    reception_close: str = "22:00"
    preference_penalty_hours: float = 24.0
    max_ride_hours: dict[str, float] = field(
        default_factory=lambda: {"vulnerable": 9.0, "families": 11.0, "minors": 12.0}
    )
    ride_weight: dict[str, float] = field(
        default_factory=lambda: {"vulnerable": 4.0, "families": 2.0, "minors": 2.0, "women": 1.5}
    )
    daily_rest_hours: float = 11.0
    need_max_ride_hours: float = (
        9.0  # rides of people with a ride-limiting need (abri.inputs.needs)
    )
    care_max_minutes: dict[str, float] = field(
        default_factory=lambda: {
            "emergency": 30.0,
            "maternity": 45.0,
            "dialysis": 45.0,
            "psychiatry": 60.0,
        }
    )  # road time from the centre to the nearest hospital giving each kind of care
    language_weight_hours: float = (
        2.0  # a place with an interpreter of the person's language is worth this much ride
    )
    change_cost_coaches: float = 0.1  # a re-plan: one person moved costs this share of a coach


@dataclass(frozen=True)
class Fleet:
    """Coaches available each day, and the origin they leave from.

    ``coaches`` gives the fleet coach by coach (one id per coach, e.g. a
    registration): a coach then serves a day only when it is back at the
    origin by that day's boarding, and never two trips at once; empty (the
    default), each day has ``coaches_per_day`` coaches hired for the day.
    """

    coaches_per_day: int = 60
    seats: int = 55
    origin_lon: float = CALAIS[0]
    origin_lat: float = CALAIS[1]
    origin_name: str = CALAIS_NAME
    days: list[str] = field(default_factory=list)
    coaches: list[str] = field(default_factory=list)
    accessible_coaches_per_day: int = 0  # of coaches_per_day, with a lift and wheelchair places
    accessible_seats: int = 49  # seats of an accessible coach (fewer: the lift and the places)
    wheelchair_places: int = 2  # wheelchair places of an accessible coach
    accessible_coaches: list[str] = field(
        default_factory=list
    )  # ids among `coaches` that are accessible


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
    pathways: list[Pathway] = field(default_factory=list)  # pathways.csv (abri.inputs.pathways)

    def __repr__(self) -> str:
        return (
            f"Scenario({self.name or self.folder.name!r}, {len(self.people):,} people, "
            f"{self.fleet.coaches_per_day} coaches x {self.fleet.seats} seats{', ' + self.label if self.label else ''})"
        )


T = TypeVar("T")
# Keys a file may carry besides the dataclass fields (free text for people).
_INFORMATIVE = {"label", "name", "description", "comment", "notes"}
# Numbers that may be negative (west of Greenwich, south of the equator), with their bound in degrees.
_SIGNED = {"origin_lon": 180.0, "origin_lat": 90.0}


def _read_json(path: Path) -> Any:
    """A small JSON file (at most :data:`~abri.inputs.limits.MAX_JSON_BYTES`), its errors naming the file."""

    check_count(
        "bytes",
        path.stat().st_size,
        MAX_JSON_BYTES,
        source=str(path),
        advice="a settings file is a few hundred bytes",
    )
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        msg = f"{path}: not valid JSON ({exc})"
        raise DataFileError(msg) from exc


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
    raw: Any = _read_json(path) if path.is_file() else {}
    if not isinstance(raw, dict):
        msg = f"{path}: got a JSON {type(raw).__name__}; expected an object of keys such as {[f.name for f in fields(cls)][:4]}"  # type: ignore[arg-type]
        raise DataFileError(msg)
    defaults = cls()
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    unknown = [k for k in raw if k not in known and k not in _INFORMATIVE]
    if unknown:
        hints = [
            f"{k!r} (did you mean {close[0]!r}?)"
            if (close := get_close_matches(k, known, 1))
            else repr(k)
            for k in unknown
        ]
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
        if name in _SIGNED and not -_SIGNED[name] <= value <= _SIGNED[name]:  # NaN fails too
            msg = f"{path}: key {name!r} is {value!r}; expected degrees from {-_SIGNED[name]:g} to {_SIGNED[name]:g} like {default!r}"
            raise DataFileError(msg)
        if (
            name not in _SIGNED
            and isinstance(value, int | float)
            and not isinstance(value, bool)
            and (value != value or value < 0)
        ):
            msg = f"{path}: key {name!r} is {value!r}; expected a number >= 0 like {default!r}"
            raise DataFileError(msg)
        values[name] = float(value) if isinstance(default, float) else value
    values.update(overrides or {})
    return cls(**values)


def _clock_ok(text: str) -> bool:
    hours, _, minutes = text.partition(":")
    return (
        len(minutes) == 2
        and hours.isdigit()
        and minutes.isdigit()
        and len(hours) <= 2
        and 0 <= int(hours) <= 23
        and 0 <= int(minutes) <= 59
    )


# (low, high) of each numeric rule; the plan's arithmetic is safe inside these bounds.
RULE_RANGES: dict[str, tuple[float, float]] = {
    "max_stops": (1, 50),
    "bays": (1, 500),
    "boarding_minutes": (1, 24 * 60),
    "service_minutes": (0, 24 * 60),
    "break_after_hours": (0.25, 24),
    "break_minutes": (0, 24 * 60),
    "max_driving_hours": (0, 24),
    "driving_buffer_minutes": (0, 24 * 60),
    "margin_pct": (0, 200),
    "second_driver_cost_hours": (0, 1000),
    "preference_penalty_hours": (0, 1000),
    "daily_rest_hours": (0, 48),
    "need_max_ride_hours": (0.5, 72),
    "language_weight_hours": (0, 100),
    "change_cost_coaches": (0, 1000),
}
FLEET_RANGES: dict[str, tuple[float, float]] = {
    "coaches_per_day": (1, MAX_COACHES_PER_DAY),
    "seats": (1, MAX_SEATS),
    "accessible_coaches_per_day": (0, MAX_COACHES_PER_DAY),
    "accessible_seats": (1, MAX_SEATS),
    "wheelchair_places": (1, 20),
}
# (names allowed as keys, what they are, low, high) of each mapping rule.
MAPPING_RANGES: dict[str, tuple[tuple[str, ...], str, float, float]] = {
    "max_ride_hours": (GROUPS, "group", 0.5, 72.0),
    "ride_weight": (GROUPS, "group", 0.01, 100.0),
    "care_max_minutes": (CARE_KINDS, "care kind", 1.0, 600.0),
}


def check_rules(rules: Rules, where: str = "rules.json") -> None:
    """Raise a :class:`DataFileError` naming `where` and the key for any rule outside its range.

    Clock times must be ``HH:MM`` (00:00-23:59), the reception must close
    after it opens, the last departure must not precede the first, and
    ``max_ride_hours`` / ``ride_weight`` must map known groups, and
    ``care_max_minutes`` known care kinds, to numbers in range.
    """

    for key, (low, high) in RULE_RANGES.items():
        value = getattr(rules, key)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            msg = f"{where}: key {key!r} is {value!r}; expected a number from {low:g} to {high:g}"
            raise DataFileError(msg)
    for key in ("departure", "last_departure", "reception_open", "reception_close"):
        value = getattr(rules, key)
        if not isinstance(value, str) or not _clock_ok(value):
            msg = f"{where}: key {key!r} is {value!r}; expected a clock time HH:MM from 00:00 to 23:59, like '07:00'"
            raise DataFileError(msg)

    def minutes(text: str) -> int:
        hours, _, mins = text.partition(":")
        return int(hours) * 60 + int(mins)

    if minutes(rules.reception_close) <= minutes(rules.reception_open):
        msg = f"{where}: key 'reception_close' is {rules.reception_close!r}, not after 'reception_open' {rules.reception_open!r}"
        raise DataFileError(msg)
    if minutes(rules.last_departure) < minutes(rules.departure):
        msg = f"{where}: key 'last_departure' is {rules.last_departure!r}, before 'departure' {rules.departure!r}"
        raise DataFileError(msg)
    if rules.driving_buffer_minutes > rules.max_driving_hours * 60:
        msg = f"{where}: key 'driving_buffer_minutes' is {rules.driving_buffer_minutes!r}, more than max_driving_hours ({rules.max_driving_hours:g} h)"
        raise DataFileError(msg)
    for key in MAPPING_RANGES:
        _check_mapping(getattr(rules, key), key, where)


def _check_mapping(mapping: object, key: str, where: str) -> None:
    """A rule mapping names (groups, care kinds) to numbers: known names, numbers in range."""
    names, noun, low, high = MAPPING_RANGES[key]
    if not isinstance(mapping, dict):
        msg = f"{where}: key {key!r} is {mapping!r}; expected an object of {noun} -> number"
        raise DataFileError(msg)
    for name, value in mapping.items():
        if name not in names:
            msg = f"{where}: key {key!r} names {noun} {name!r}; expected {noun}s among {', '.join(names)}"
            raise DataFileError(msg)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            msg = f"{where}: key {key!r}, {noun} {name!r} is {value!r}; expected a number from {low:g} to {high:g}"
            raise DataFileError(msg)


def check_fleet(fleet: Fleet, where: str = "fleet.json") -> None:
    """Raise a :class:`DataFileError` naming `where` and the key for a fleet value outside its range."""
    for key, (low, high) in FLEET_RANGES.items():
        value = getattr(fleet, key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            msg = f"{where}: key {key!r} is {value!r}; expected a whole number from {low:g} to {high:g}"
            raise DataFileError(msg)
    if len(fleet.coaches) > FLEET_RANGES["coaches_per_day"][1]:
        msg = f"{where}: key 'coaches' lists {len(fleet.coaches):,} coaches; expected at most {FLEET_RANGES['coaches_per_day'][1]:,.0f}"
        raise DataFileError(msg)
    seen: set[str] = set()
    for coach in fleet.coaches:
        if not coach.strip() or coach in seen:
            msg = f"{where}: key 'coaches' has {'an empty' if not coach.strip() else 'a repeated'} coach id {coach!r}; expected distinct ids"
            raise DataFileError(msg)
        seen.add(coach)
    _check_accessible(fleet, where)


def _check_accessible(fleet: Fleet, where: str) -> None:
    """Accessible coaches, when the fleet has any: no more than the coaches, no more seats than a coach, ids among the coaches."""
    if not fleet.accessible_coaches_per_day and not fleet.accessible_coaches:
        return  # the defaults of an unused accessible coach never make a file invalid
    coaches = len(fleet.coaches) if fleet.coaches else fleet.coaches_per_day
    for key, value, limit, what in (
        ("accessible_coaches_per_day", fleet.accessible_coaches_per_day, coaches, "the coaches"),
        ("accessible_seats", fleet.accessible_seats, fleet.seats, "'seats'"),
    ):
        if value > limit:
            msg = f"{where}: key {key!r} is {value!r}; expected at most {what} ({limit})"
            raise DataFileError(msg)
    known, seen = set(fleet.coaches), set[str]()
    for coach in fleet.accessible_coaches:
        if coach not in known or coach in seen:
            expected = (
                "ids listed once"
                if coach in seen
                else f"ids among 'coaches' ({', '.join(fleet.coaches[:5])}{' ...' if len(fleet.coaches) > 5 else ''})"
            )
            msg = f"{where}: key 'accessible_coaches' has {coach!r}; expected {expected}"
            raise DataFileError(msg)
        seen.add(coach)


def _normalise_days(fleet: Fleet, path: Path) -> Fleet:
    """The fleet with its days as YYYY-MM-DD (``20161024`` and ``2016-10-24`` are one day), each once."""
    from dataclasses import replace

    days = []
    for text in fleet.days:
        try:
            day = parse_day(text)
        except ValueError:
            msg = f"{path}: key 'days' holds {text!r}; expected dates YYYY-MM-DD like '2016-10-24'"
            raise DataFileError(msg) from None
        if day in days:
            msg = f"{path}: key 'days' lists {day} twice ({text!r}); expected each day once"
            raise DataFileError(msg)
        days.append(day)
    return replace(fleet, days=days)


def read_label(folder: Path) -> tuple[str, str]:
    """The scenario's name and label from ``scenario.json`` (empty when the file is absent)."""
    path = folder / "scenario.json"
    if not path.is_file():
        return folder.name, ""
    raw = _read_json(path)
    if not isinstance(raw, dict):
        msg = f"{path}: got a JSON {type(raw).__name__}; expected an object with 'name' and 'label'"
        raise DataFileError(msg)
    return str(raw.get("name", folder.name)), str(raw.get("label", ""))


def read_fleet_and_rules(folder: Path) -> tuple[Fleet, Rules]:
    """``fleet.json`` and ``rules.json`` of a scenario folder, read and range-checked (defaults where a file is absent)."""
    fleet = read_json_dataclass(folder / "fleet.json", Fleet)
    rules = read_json_dataclass(folder / "rules.json", Rules)
    for path, key, value in (
        (folder / "fleet.json", "seats", fleet.seats),
        (folder / "fleet.json", "coaches_per_day", fleet.coaches_per_day),
        (folder / "rules.json", "max_stops", rules.max_stops),
    ):
        if value < 1:
            msg = f"{path}: key {key!r} is {value!r}; expected at least 1"
            raise DataFileError(msg)
    check_rules(rules, str(folder / "rules.json"))
    check_fleet(fleet, str(folder / "fleet.json"))
    fleet = _normalise_days(fleet, folder / "fleet.json")
    return fleet, rules


def read_scenario(folder: str | os.PathLike[str], *, regions: set[str] | None = None) -> Scenario:
    """Read a scenario folder: ``centres.csv``, ``people.csv``, ``fleet.json``, ``rules.json``, ``scenario.json``, ``pathways.csv``."""

    folder = Path(folder)
    for name in ("centres.csv", "people.csv"):
        if not (folder / name).is_file():
            msg = f"{folder}: no {name}; a scenario folder holds centres.csv, people.csv, fleet.json and rules.json (see `abri scenario`)"
            raise DataFileError(msg)
    fleet, rules = read_fleet_and_rules(folder)
    name, label = read_label(folder)
    people, report = read_people(folder / "people.csv", regions=regions, days=fleet.days)
    pathways = read_pathways(folder)
    return Scenario(
        folder,
        folder / "centres.csv",
        people,
        report,
        fleet,
        rules,
        name=name,
        label=label,
        pathways=pathways,
    )
