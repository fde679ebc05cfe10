"""The plan folder's ``plan.json``: its format version, its typed shape, and the one loader.

``plan.json`` is the contract between planning and everything after it (maps, documents,
readiness, sweeps, re-planning). Every reader goes through :func:`read_plan_json`, which
checks the format version and the shape, and upgrades an older document in memory:

- version 1: the documents written before the format was versioned (no ``format`` key);
- version 2: ``format`` and ``version`` (this plan's number, its parent, the time it was
  made for and the events applied: one plan folder is one version of an operation).

A document of a newer version than this abri knows is refused with a message that says so.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TypedDict, cast

from abri.errors import PlanFormatError

#: The format this abri writes.
PLAN_FORMAT = 2
#: Every format this abri reads.
READABLE_FORMATS = (1, 2)


class StopRecord(TypedDict):
    """One stop of a trip."""

    centre_id: str
    arrival: str  # "HH:MM", "+1d HH:MM" past midnight
    leg_km: float
    leg_h: float
    breaks_before: int
    groups: dict[str, int]
    people: list[str]


class TripRecord(TypedDict, total=False):
    """One coach trip (the keys every version has are checked; the rest are optional)."""

    coach: str
    day: str
    departure: str
    drivers: int
    driving_h: float
    breaks: int
    km: float
    legal: bool
    notes: list[str]
    info: list[str]
    slot: int | None
    bay: int | None
    boarding: str
    vehicle: str
    vehicle_kind: str  # "accessible" or ""
    planned_driving_h: float
    slack_driving_h: float
    slack_close_h: float
    return_km: float
    return_h: float
    rest_where: str
    free_at: str
    free_where: str
    drivers_free_at: str
    stops: list[StopRecord]


class VersionRecord(TypedDict):
    """Where this plan stands among the versions of one operation."""

    number: int
    parent: str | None  # the parent plan folder, as given to `abri replan`
    now: str | None  # "YYYY-MM-DD HH:MM": everything before it happened as recorded
    events: list[dict[str, Any]]


class PlanDocument(TypedDict, total=False):
    """The whole of ``plan.json``."""

    format: int
    version: VersionRecord
    scenario: str
    scenario_dir: str  # the scenario folder the plan was made from (absolute), when known
    label: str
    method: str
    fleet: dict[str, Any]
    rules: dict[str, Any]
    summary: dict[str, Any]
    summary_adults: dict[str, Any]
    accounting: dict[str, Any]
    check: dict[str, Any]
    per_day: list[dict[str, Any]]
    days: list[str]
    legal_at_longer_roads: dict[str, Any]
    rides_by_group: dict[str, Any]
    ride_exceptions: list[dict[str, Any]]
    shortfalls: list[dict[str, Any]]  # person_id, day, centre_id, coach, code, detail
    trips: list[TripRecord]
    unplaced: list[dict[str, Any]]
    not_carried: list[dict[str, Any]]
    baseline: dict[str, Any]


#: Keys a trip and a stop must have in every readable version.
TRIP_KEYS = ("coach", "day", "departure", "stops")
STOP_KEYS = ("centre_id", "arrival", "people")


def first_version() -> VersionRecord:
    """The version block of a plan made from scratch."""
    return {"number": 1, "parent": None, "now": None, "events": []}


def stamp(document: dict[str, Any], version: VersionRecord | None = None) -> PlanDocument:
    """`document` with this abri's format number and a version block, first in the file."""
    return cast(
        PlanDocument,
        {"format": PLAN_FORMAT, "version": version or first_version(), **document},
    )


def upgrade(document: dict[str, Any], *, source: str = "plan.json") -> PlanDocument:
    """Check `document`'s format and shape; return it in the current format (a new dict)."""
    fmt = document.get("format", 1)
    if not isinstance(fmt, int) or isinstance(fmt, bool):
        msg = f"{source}: key 'format' is {fmt!r}; expected a whole number (the plan format)"
        raise PlanFormatError(msg)
    if fmt > PLAN_FORMAT:
        msg = (
            f"{source}: plan format {fmt} was written by a newer abri; this abri reads formats "
            f"{', '.join(map(str, READABLE_FORMATS))}: upgrade abri to read it"
        )
        raise PlanFormatError(msg)
    if fmt not in READABLE_FORMATS:
        msg = f"{source}: plan format {fmt} is not one this abri reads ({READABLE_FORMATS})"
        raise PlanFormatError(msg)
    _check_shape(document, source)
    out = dict(document)
    if fmt == 1:  # unversioned: the first plan of its operation
        out = dict(stamp(out))
        out["format"] = PLAN_FORMAT
    return cast(PlanDocument, out)


def _check_shape(document: dict[str, Any], source: str) -> None:
    trips = document.get("trips")
    if not isinstance(trips, list):
        msg = f"{source}: expected an object with a list 'trips' (written by `abri plan`)"
        raise PlanFormatError(msg)
    for n, trip in enumerate(trips, start=1):
        missing = [k for k in TRIP_KEYS if not isinstance(trip, dict) or k not in trip]
        if missing:
            msg = f"{source}: trip {n} has no {', '.join(missing)}; expected {', '.join(TRIP_KEYS)}"
            raise PlanFormatError(msg)
        for m, stop in enumerate(trip["stops"], start=1):
            gaps = [k for k in STOP_KEYS if not isinstance(stop, dict) or k not in stop]
            if gaps:
                msg = f"{source}: trip {n} ({trip['coach']}), stop {m} has no {', '.join(gaps)}"
                raise PlanFormatError(msg)
    version = document.get("version")
    if version is not None and not (isinstance(version, dict) and "number" in version):
        msg = f"{source}: key 'version' is {version!r}; expected an object with a 'number'"
        raise PlanFormatError(msg)


def read_plan_json(path: str | os.PathLike[str]) -> PlanDocument:
    """Read a ``plan.json`` (or the one in a plan folder), checked and in the current format.

    Examples
    --------
    >>> doc = read_plan_json("calais-plan")  # doctest: +SKIP
    >>> doc["format"], doc["version"]["number"], len(doc["trips"])  # doctest: +SKIP
    (2, 1, 138)
    """
    path = Path(path)
    if path.is_dir():
        path = path / "plan.json"
    if not path.is_file():
        msg = f"{path}: no such file; a plan folder (written by `abri plan`) holds plan.json"
        raise PlanFormatError(msg)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        msg = f"{path}: not valid JSON ({exc})"
        raise PlanFormatError(msg) from exc
    if not isinstance(document, dict):
        msg = f"{path}: got a JSON {type(document).__name__}; expected an object (a plan)"
        raise PlanFormatError(msg)
    return upgrade(document, source=str(path))
