"""Read and check an events file: what happened during the operation, one event a row.

An events file is CSV (or any table :func:`~abri.inputs.tables.read_cells` reads) or JSON
(a list of objects, or ``{"events": [...]}``), with French or English headers. Each row is
one event of a kind below; the columns each kind needs are checked with the same row-level
messages as every input (file, row, column, value, expected):

===============  ==========================================  ======================
kind             needs                                       French
===============  ==========================================  ======================
registered       person, group (household, day, pref1/2)     inscrit
no-show          person                                      absent
refused          person, reason (centre: the destination)    refus
boarded          person, coach                               embarque
departed         coach, time                                 parti
late             coach, minutes                              retard
broke-down       coach, time, where                          panne
places-changed   centre, places                              places
centre-closed    centre                                      centre_ferme
centre-refuses   centre                                      centre_refuse
arrived          coach, centre, count                        arrive
road-closed      way or point_a + point_b, from, to          route_fermee
===============  ==========================================  ======================

Events are all or nothing: any error refuses the whole file (:class:`EventsError`), so
nothing is half-applied. Contradictions between events, or with the plan they are applied
to (:func:`check_against`), are reported with both rows.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from abri.constants import GROUPS
from abri.errors import DataFileError
from abri.inputs.limits import MAX_ROWS, check_count
from abri.inputs.readers import RawTable, map_columns, normalise_header
from abri.inputs.report import Problem, RowCheck, ValidationReport
from abri.inputs.tables import read_cells
from abri.inputs.values import GROUP_ALIASES, clean_text, parse_clock, parse_day, parse_number

KINDS: dict[str, tuple[str, ...]] = {
    "registered": ("registered", "registration", "register", "inscrit", "inscription"),
    "no-show": ("no_show", "noshow", "absent", "non_presente", "non_present"),
    "refused": ("refused", "refusal", "refus", "refuse_destination"),
    "boarded": ("boarded", "board", "embarque", "embarquement", "monte"),
    "departed": ("departed", "departure", "parti", "depart"),
    "late": ("late", "delay", "delayed", "retard", "en_retard"),
    "broke-down": ("broke_down", "breakdown", "panne", "en_panne"),
    "places-changed": ("places_changed", "places", "places_modifiees", "capacite"),
    "centre-closed": ("centre_closed", "center_closed", "centre_ferme", "fermeture"),
    "centre-refuses": ("centre_refuses", "center_refuses", "centre_refuse", "refus_centre"),
    "arrived": ("arrived", "arrival", "arrive", "arrivee"),
    "road-closed": ("road_closed", "route_fermee", "fermeture_route", "route_coupee"),
}
"""Each kind and the names it may be written as (headers and values are compared folded)."""

NEEDS: dict[str, tuple[str, ...]] = {
    "registered": ("person", "group"),
    "no-show": ("person",),
    "refused": ("person", "reason"),
    "boarded": ("person", "coach"),
    "departed": ("coach", "time"),
    "late": ("coach", "minutes"),
    "broke-down": ("coach", "time", "where"),
    "places-changed": ("centre", "places"),
    "centre-closed": ("centre",),
    "centre-refuses": ("centre",),
    "arrived": ("coach", "centre", "count"),
    "road-closed": ("from", "to"),
}
"""The columns each kind must fill."""

EVENT_ALIASES: dict[str, tuple[str, ...]] = {
    "kind": ("kind", "event", "type", "evenement", "event_type", "nature"),
    "time": ("time", "at", "when", "heure", "date_heure", "horodatage", "timestamp", "moment"),
    "person": ("person", "person_id", "personne", "id_personne", "id"),
    "household": ("household", "foyer", "menage", "household_id"),
    "group": ("group", "groupe", "public", "queue"),
    "day": ("day", "jour", "departure_day"),
    "pref1": ("pref1", "preference1", "region1", "choix1"),
    "pref2": ("pref2", "preference2", "region2", "choix2"),
    "coach": ("coach", "car", "autocar", "bus", "trip"),
    "centre": ("centre", "center", "centre_id", "destination", "cao"),
    "places": ("places", "capacity", "capacite", "nb_places"),
    "minutes": ("minutes", "delay_minutes", "retard", "retard_minutes", "late_minutes"),
    "count": ("count", "nombre", "effectif", "people", "personnes"),
    "reason": ("reason", "motif", "raison", "why", "pourquoi"),
    "where": ("where", "lieu", "location", "ou"),
    "way": ("way", "way_id", "osm_way", "osm_way_id", "voie"),
    "point_a": ("point_a", "a", "from_point", "point_1"),
    "point_b": ("point_b", "b", "to_point", "point_2"),
    "from": ("from", "start", "debut", "du", "depuis"),
    "to": ("to", "end", "fin", "au", "jusqu_a", "until"),
}

_KIND_OF = {normalise_header(name): kind for kind, names in KINDS.items() for name in names}
_MOMENT = "a time YYYY-MM-DD HH:MM (also read: 24/10/2016 10:30)"


class EventsError(DataFileError):
    """An events file that cannot be applied as a whole; every problem is listed."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = [str(p) for p in problems[:30]]
        more = f"\n... and {len(problems) - 30} more" if len(problems) > 30 else ""
        head = f"{len(problems)} problem(s) in the events; none of them is applied:"
        super().__init__("\n".join([head, *lines]) + more)


@dataclass(frozen=True)
class Event:
    """One checked event; `row` is its row in the file (the JSON object's number from 1)."""

    row: int
    kind: str
    time: str = ""  # "YYYY-MM-DD HH:MM"
    person: str = ""
    household: str = ""
    group: str = ""
    day: str = ""
    pref1: str = ""
    pref2: str = ""
    coach: str = ""
    centre: str = ""
    number: int | None = None  # places, minutes or count
    reason: str = ""
    where: str = ""
    way: str = ""
    points: tuple[tuple[float, float], ...] = field(default_factory=tuple)
    start: str = ""
    end: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The event as the plan's version block records it (empty fields left out)."""
        return {k: v for k, v in asdict(self).items() if v not in ("", None, ())}


def parse_moment(text: str) -> str | None:
    """``'2016-10-24 10:30'``, ``'24/10/2016 10h30'``, ``'2016-10-24T10:30:00'`` -> ``'2016-10-24 10:30'``."""
    match = re.fullmatch(r"\s*(\S+?)[ T]+(\d{1,2}[:hH]?\d{0,2}(?::\d{2})?)\s*", text)
    if not match:
        return None
    try:
        day = parse_day(match.group(1))
    except ValueError:
        return None
    clock = parse_clock(
        re.sub(r":\d{2}$", "", match.group(2)) if match.group(2).count(":") == 2 else match.group(2)
    )
    return f"{day} {clock}" if clock else None


def _point(text: str) -> tuple[float, float] | None:
    parts = [parse_number(p) for p in re.split(r"[\s;]+|,(?=\s*-?\d)", text.strip()) if p]
    if len(parts) != 2 or any(p is None for p in parts):
        return None
    lon, lat = float(parts[0] or 0), float(parts[1] or 0)
    return (lon, lat) if -180 <= lon <= 180 and -90 <= lat <= 90 else None


class EventChecker:
    """Checks event rows one by one (the columns a kind needs, and each value's form)."""

    def __init__(self, path: str, columns: dict[str, str]) -> None:
        self.path = path
        self.columns = columns

    def col(self, name: str) -> str:
        """The file's own name for a canonical field."""
        return self.columns.get(name, name)

    def check(self, row: RowCheck) -> Event | None:
        """The row's event, or None (with its problems on the row)."""
        raw = row.cells.get("kind", "")
        kind = _KIND_OF.get(normalise_header(raw))
        if kind is None:
            row.error(
                self.path, self.col("kind"), raw, f"one of {', '.join(KINDS)}", "unknown-kind"
            )
            return None
        text = {k: clean_text(row.cells.get(k, "")) for k in EVENT_ALIASES}
        for name in NEEDS[kind]:
            if not text[name]:
                row.error(self.path, self.col(name), "", f"a {name} for a {kind} event", "missing")
        values: dict[str, Any] = {"row": row.number, "kind": kind}
        for name in ("person", "household", "coach", "centre", "reason", "where", "way"):
            values[name] = text[name]
        for name, target in (("time", "time"), ("from", "start"), ("to", "end")):
            if text[name]:
                moment = parse_moment(text[name])
                if moment is None:
                    row.error(self.path, self.col(name), text[name], _MOMENT, "bad-time")
                values[target] = moment or ""
        values.update(self._numbers(row, kind, text))
        values.update(self._person(row, kind, text))
        if kind == "road-closed":
            values["points"] = self._road(row, text)
        return None if row.rejected else Event(**values)

    def _numbers(self, row: RowCheck, kind: str, text: dict[str, str]) -> dict[str, Any]:
        name = {"places-changed": "places", "late": "minutes", "arrived": "count"}.get(kind)
        if name is None or not text[name]:
            return {}
        value = parse_number(text[name])
        if value is None or value < 0 or value != int(value):
            row.error(
                self.path, self.col(name), text[name], "a whole number, 0 or more", "bad-number"
            )
            return {}
        return {"number": int(value)}

    def _person(self, row: RowCheck, kind: str, text: dict[str, str]) -> dict[str, Any]:
        if kind != "registered":
            return {}
        out: dict[str, Any] = {"pref1": text["pref1"], "pref2": text["pref2"]}
        group = GROUP_ALIASES.get(normalise_header(text["group"]))
        if text["group"] and group is None:
            row.error(
                self.path,
                self.col("group"),
                text["group"],
                f"one of {', '.join(GROUPS)}",
                "unknown-group",
            )
        out["group"] = group or ""
        if text["day"]:
            try:
                out["day"] = parse_day(text["day"])
            except ValueError:
                row.error(self.path, self.col("day"), text["day"], "a date YYYY-MM-DD", "bad-day")
        return out

    def _road(self, row: RowCheck, text: dict[str, str]) -> tuple[tuple[float, float], ...]:
        if text["way"]:
            if not text["way"].isdigit():
                row.error(
                    self.path, self.col("way"), text["way"], "an OSM way id (digits)", "bad-way"
                )
            return ()
        points = []
        for name in ("point_a", "point_b"):
            point = _point(text[name])
            if point is None:
                expected = "a point 'lon lat' (or give an OSM way id in 'way')"
                row.error(self.path, self.col(name), text[name], expected, "bad-point")
            else:
                points.append(point)
        return tuple(points)


def _json_table(path: Path) -> RawTable:
    """A JSON events file as text cells (object number N is row N)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        msg = f"{path}: not valid JSON ({exc})"
        raise DataFileError(msg) from exc
    if isinstance(data, dict):
        data = data.get("events", data.get("evenements"))
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        msg = f"{path}: expected a list of event objects (or {{'events': [...]}})"
        raise DataFileError(msg)
    frame = pd.DataFrame(
        [{str(k): "" if v is None else str(v) for k, v in e.items()} for e in data], dtype=object
    ).fillna("")
    return RawTable(str(path), frame, list(range(1, len(data) + 1)))


def read_events(
    path: str | os.PathLike[str], *, strict: bool = True
) -> tuple[list[Event], ValidationReport]:
    """Read and check an events file; every event, or :class:`EventsError` listing every problem.

    With ``strict=False`` nothing is raised: the events of the good rows come back with the
    report, whose ``errors`` the caller lists together with the events' contradictions
    (:func:`contradictions`), so that one round shows every problem.

    Examples
    --------
    >>> events, report = read_events("events.csv")  # doctest: +SKIP
    >>> events[0].kind, events[0].person  # doctest: +SKIP
    ('no-show', 'P00012')
    """
    path = Path(path)
    table = _json_table(path) if path.suffix.lower() == ".json" else read_cells(path)
    file = str(path)
    columns = map_columns(list(table.frame.columns), path=file, aliases=EVENT_ALIASES)
    if "kind" not in columns:
        msg = f"{file}: no column giving the event's kind; expected one of {', '.join(EVENT_ALIASES['kind'])}"
        raise DataFileError(msg)
    check_count("events", len(table.rows), MAX_ROWS, source=file, advice="split the file")
    rows = table.row_checks(columns)
    checker = EventChecker(file, columns)
    events = [checker.check(row) for row in rows]
    report = ValidationReport.from_rows(
        file, table.frame, rows, file_problems=table.file_problems()
    )
    if report.errors and strict:
        raise EventsError(report.errors)
    return [e for e in events if e is not None], report


@dataclass
class Known:
    """What the plan the events apply to knows: coaches, people (and their coach) and centres."""

    coaches: set[str]
    people: dict[str, str]  # person -> planned coach ("" when not on one)
    centres: set[str]
    stops: dict[tuple[str, str], int] = field(default_factory=dict)  # (coach, centre) -> people


def _contradiction(
    file: str, event: Event, column: str, value: str, expected: str, rule: str
) -> Problem:
    return Problem(file, event.row, column, value, expected, "error", rule)


def check_against(
    events: list[Event], known: Known, *, file: str = "events", before: list[Problem] | None = None
) -> None:
    """Refuse (:class:`EventsError`) events about unknown coaches, people or centres, or that contradict each other.

    `before`: problems found earlier (bad rows, times after --now), listed with these, by row.
    """
    problems = [*(before or []), *contradictions(events, known, file=file)]
    if problems:
        raise EventsError(sorted(problems, key=lambda p: p.row or 0))


def contradictions(events: list[Event], known: Known, *, file: str = "events") -> list[Problem]:
    """Events about unknown coaches, people or centres, or that contradict each other.

    A contradiction names both rows: a person boarding two coaches, a coach departing twice,
    a person registered twice or already known, a no-show who boarded, more people arriving
    at a stop than it carries.
    """
    problems: list[Problem] = []
    first: dict[tuple[str, str], Event] = {}
    registered = {e.person for e in events if e.kind == "registered"}

    def once(key: tuple[str, str], event: Event, column: str, what: str) -> None:
        if key in first:
            other = first[key]
            problems.append(
                _contradiction(
                    file,
                    event,
                    column,
                    key[1],
                    f"{what} once (already on row {other.row})",
                    "contradiction",
                )
            )
        else:
            first[key] = event

    for e in events:
        if e.coach and e.coach not in known.coaches:
            problems.append(
                _contradiction(file, e, "coach", e.coach, "a coach of the plan", "unknown-coach")
            )
        if e.centre and e.centre not in known.centres:
            problems.append(
                _contradiction(
                    file, e, "centre", e.centre, "a centre of the plan", "unknown-centre"
                )
            )
        if e.kind == "registered":
            if e.person in known.people:
                problems.append(
                    _contradiction(
                        file,
                        e,
                        "person",
                        e.person,
                        "a person the plan does not know yet",
                        "already-known",
                    )
                )
            once(("registered", e.person), e, "person", "registered")
        elif e.person and e.person not in known.people and e.person not in registered:
            problems.append(
                _contradiction(
                    file,
                    e,
                    "person",
                    e.person,
                    "a person of the plan or registered in the events",
                    "unknown-person",
                )
            )
        if e.kind in ("boarded", "no-show", "refused"):
            once(("person", e.person), e, "person", "boarding, not showing or refusing")
        if e.kind == "departed":
            once(("departed", e.coach), e, "coach", "departing")
        if e.kind == "broke-down":
            once(("broke-down", e.coach), e, "coach", "breaking down")
    return problems + _counts(events, known, file)


def _counts(events: list[Event], known: Known, file: str) -> list[Problem]:
    """Arrivals that exceed what the stop carries (minus no-shows and refusals on that coach)."""
    missing: dict[str, list[Event]] = {}
    for e in events:
        if e.kind in ("no-show", "refused") and known.people.get(e.person):
            missing.setdefault(known.people[e.person], []).append(e)
    problems = []
    for e in events:
        if e.kind != "arrived" or e.number is None or e.coach not in known.coaches:
            continue
        if (e.coach, e.centre) not in known.stops:
            expected = f"a centre where coach {e.coach} stops"
            problems.append(_contradiction(file, e, "centre", e.centre, expected, "not-a-stop"))
            continue
        planned = known.stops[(e.coach, e.centre)]
        gone = missing.get(e.coach, [])
        if e.number > planned:
            rows = "".join(f", row {g.row} ({g.kind} {g.person})" for g in gone)
            expected = f"at most {planned}, the people coach {e.coach} carries to {e.centre}{rows}"
            problems.append(
                _contradiction(file, e, "count", str(e.number), expected, "count-mismatch")
            )
    return problems
