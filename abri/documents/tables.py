"""The documents' contents as long tables, read from a plan folder: one row per stop, arrival, department and day.

Tables use language-neutral column keys (see :data:`abri.i18n.MESSAGES`);
the writers translate headers and format values. Extra columns of the
centre file (phone, address, contact...) and of a fleet roster (company,
plate, driver phone...) are carried under their own names.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import pyogrio

from abri.constants import GROUPS
from abri.documents.versions import version_label
from abri.errors import DataFileError, MissingDataError
from abri.files import read_csv_any
from abri.i18n import MESSAGES
from abri.inputs.datadir import dataset_path
from abri.inputs.needs import CARE_KINDS, NEEDS
from abri.inputs.readers import normalise_header
from abri.inputs.tables import read_cells
from abri.outputs.planformat import read_plan_json

#: Columns of a plan folder's centres.geojson that abri itself writes; every other column is the file's own.
CENTRE_OWN = {
    "id",
    "name",
    "capacity",
    "type",
    "groups",
    "insee",
    "commune",
    "departement",
    "region",
    "departement_declared",
    "opens",
    "closes",
    "lon",
    "lat",
    "row",
    "allocated",
    "geometry",
    # the centre's services (issue 23): for the planner, not for the crews' sheets
    "accessible_places",
    "single_rooms",
    "interpreters",
    "home_office",
    "minors_only",
    "step_free",
    *(f"care_min_{kind}" for kind in CARE_KINDS),
}
GROUP_KEYS = list(GROUPS)
#: Columns of assignments.csv the documents read (issue 23's contract); an absent one reads as "".
PEOPLE_COLUMNS = [
    "person_id",
    "group",
    "household",
    "needs",
    "languages",
    "centre_id",
    "coach",
    "pathway",
    "shortfall",
    "interpreter",
    "reason",
]
LONGEST_RIDES = 5
FULL_SHARE = 0.9


@dataclass
class PlanFolder:
    """What the documents need from a plan folder (and an optional fleet roster)."""

    folder: Path
    label: str
    origin: str
    trips: list[dict[str, Any]]
    centres: pd.DataFrame  # indexed by centre id
    households: dict[str, str]  # person id -> household id
    roads: dict[str, str]  # coach -> roads of the whole trip (when the stops carry none)
    centre_extra: list[str] = field(default_factory=list)
    roster: pd.DataFrame | None = None  # indexed by coach
    names: dict[str, dict[str, str]] = field(
        default_factory=dict
    )  # "departement"/"region" -> code -> name
    summary: dict[str, Any] = field(default_factory=dict)  # plan.json's figures
    rules: dict[str, Any] = field(default_factory=dict)  # plan.json's rules (breaks, limits)
    ride_exceptions: list[dict[str, Any]] = field(default_factory=list)  # rides over a limit
    legal_at: dict[str, Any] = field(default_factory=dict)  # trips legal at +5/+10/+20 % road time
    lines: dict[str, Any] = field(default_factory=dict)  # coach -> the trip's line (EPSG:4326)
    dispatcher: str = ""  # the operation desk's contact, as given to the documents
    person_groups: dict[str, str] = field(default_factory=dict)  # person id -> group
    people: pd.DataFrame = field(  # PEOPLE_COLUMNS of assignments.csv, indexed by person id
        default_factory=lambda: pd.DataFrame(columns=PEOPLE_COLUMNS).set_index(
            "person_id", drop=False
        )
    )
    shortfalls: list[dict[str, Any]] = field(
        default_factory=list
    )  # plan.json's (person_id, code, detail)
    version: dict[str, Any] = field(
        default_factory=dict
    )  # plan.json's version: number, parent, now

    def needs_of(self, person_ids: list[str]) -> list[str]:
        """The need tokens of each of `person_ids` (``;``-joined, ``""`` for none or unknown)."""
        needs = self.people["needs"]
        return [str(needs.get(p, "") or "") for p in person_ids]


def clock_seconds(text: str) -> int:
    """``'07:30'`` or ``'+1d 01:10'`` -> seconds after midnight of the trip's day."""
    text = str(text).strip()
    days = 0
    if text.startswith("+"):
        head, text = text.split(" ", 1)
        days = int(head[1:].rstrip("d"))
    hours, minutes = text.split(":")[:2]
    return days * 86400 + int(hours) * 3600 + int(minutes) * 60


def clock_text(seconds: float) -> str:
    """Seconds after midnight -> ``'HH:MM'`` of the day it falls on."""
    minutes = round(seconds / 60) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def on_day(day: str, clock: str) -> dt.date:
    """The date of a clock time written relative to `day` (``'+1d 01:10'`` is the next day)."""
    return dt.date.fromisoformat(day[:10]) + dt.timedelta(days=clock_seconds(clock) // 86400)


_CLOCK = re.compile(r"^(?:\+(\d+)d )?(\d{1,2}):(\d{2})$")


def moment(day: str, value: Any) -> dt.datetime | str | None:
    """A time of a trip as a date and time: ``'+1d 02:10'`` (relative to `day`) or ISO ``'2016-10-25 02:10'``; other text as is."""
    text = _text(value).strip()
    if not text:
        return None
    if match := _CLOCK.match(text):
        start = dt.datetime.fromisoformat(day[:10])
        return start + dt.timedelta(
            days=int(match[1] or 0), hours=int(match[2]), minutes=int(match[3])
        )
    try:
        return dt.datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        return text


def _read_json(path: Path) -> Any:
    if not path.is_file():
        msg = f"{path}: no such file; a plan folder (written by `abri plan`) holds plan.json, centres.geojson and assignments.csv"
        raise DataFileError(msg)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        msg = f"{path}: not valid JSON ({exc})"
        raise DataFileError(msg) from exc


def read_roster(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A fleet roster (CSV or Excel): a ``coach`` column with the plan's coach ids, any other columns passed through."""

    frame = read_cells(path).frame
    frame = frame[[c for c in frame.columns if not str(c).startswith("__")]]
    key = next(
        (
            c
            for c in frame.columns
            if normalise_header(c) in {"coach", "car", "coach_id", "id_car", "vehicule"}
        ),
        None,
    )
    if key is None:
        msg = f"{path}: no coach column; expected a column 'coach' (or 'car') holding the plan's coach ids, got {list(frame.columns)}"
        raise DataFileError(msg)
    duplicated = frame[key][frame[key].duplicated()]
    if len(duplicated):
        msg = f"{path}: column {key!r}, row {int(duplicated.index[0]) + 2}: coach {duplicated.iat[0]!r} appears twice; expected one row per coach"
        raise DataFileError(msg)
    return frame.set_index(key).astype(str)


def _own_names(frame: pd.DataFrame, prefix: str, keep: set[str] = frozenset()) -> pd.DataFrame:  # type: ignore[assignment]
    """`frame` with columns that clash with the documents' own keys renamed ``<prefix> <name>`` (nothing is dropped)."""

    return frame.rename(
        columns={c: f"{prefix} {c}" for c in frame.columns if c in MESSAGES and c not in keep}
    )


def _names(data_dir: str | os.PathLike[str] | None) -> dict[str, dict[str, str]]:
    """Department and region names from the data pack, when it is there (codes only otherwise)."""
    names: dict[str, dict[str, str]] = {}
    for level, dataset in (
        ("departement", "departements-simplifie"),
        ("region", "regions-simplifie"),
    ):
        try:
            frame = pyogrio.read_dataframe(
                dataset_path(dataset, data_dir), read_geometry=False, columns=["code", "nom"]
            )
        except (MissingDataError, OSError, ValueError):
            continue
        names[level] = dict(zip(frame["code"].astype(str), frame["nom"].astype(str)))
    return names


def read_plan_folder(
    folder: str | os.PathLike[str],
    *,
    roster: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    dispatcher: str = "",
) -> PlanFolder:
    """Read plan.json, centres.geojson, assignments.csv (and trips.geojson for roads) from a plan folder."""

    folder = Path(folder)
    if not (folder / "plan.json").is_file():
        msg = f"{folder / 'plan.json'}: no such file; a plan folder (written by `abri plan`) holds plan.json, centres.geojson and assignments.csv"
        raise DataFileError(msg)
    plan = read_plan_json(folder / "plan.json")
    centres_path = folder / "centres.geojson"
    if not centres_path.is_file():
        msg = f"{centres_path}: no such file; a plan folder holds centres.geojson (written by `abri plan`)"
        raise DataFileError(msg)
    centres = pyogrio.read_dataframe(centres_path, read_geometry=False)
    centres["id"] = centres["id"].astype(str)
    centres = centres.set_index("id", drop=False)
    centres = _own_names(centres, "centre", keep=CENTRE_OWN)
    extra = [c for c in centres.columns if c not in CENTRE_OWN]
    assignments_path = folder / "assignments.csv"
    people = read_people_columns(assignments_path)
    households = dict(zip(people["person_id"], people["household"]))
    person_groups = dict(zip(people["person_id"], people["group"]))
    roads: dict[str, str] = {}
    geometry: dict[str, Any] = {}
    if (folder / "trips.geojson").is_file():
        lines = pyogrio.read_dataframe(folder / "trips.geojson")
        if {"coach", "roads"} <= set(lines.columns):
            roads = dict(zip(lines["coach"].astype(str), lines["roads"].fillna("").astype(str)))
        if "coach" in lines:
            geometry = dict(zip(lines["coach"].astype(str), lines.geometry))
    origin = ""
    if (folder / "origin.json").is_file():
        origin = str(_read_json(folder / "origin.json").get("name", ""))
    origin = origin or str(plan.get("fleet", {}).get("origin_name", ""))
    return PlanFolder(
        folder,
        version_label(str(plan.get("label", "")), dict(plan.get("version") or {})),
        origin,
        cast(list[dict[str, Any]], plan["trips"]),
        centres,
        households,
        roads,
        extra,
        _own_names(read_roster(roster), "coach") if roster is not None else None,
        _names(data_dir),
        summary=dict(plan.get("summary", {})),
        rules=dict(plan.get("rules", {})),
        ride_exceptions=list(plan.get("ride_exceptions", [])),
        legal_at=dict(plan.get("legal_at_longer_roads", {})),
        lines=geometry,
        dispatcher=dispatcher,
        person_groups=person_groups,
        people=people,
        shortfalls=list(cast(dict[str, Any], plan).get("shortfalls", [])),
        version=dict(plan.get("version") or {}),
    )


def read_people_columns(path: Path) -> pd.DataFrame:
    """:data:`PEOPLE_COLUMNS` of an assignments.csv (each absent column empty), indexed by person id."""
    people = pd.DataFrame(columns=PEOPLE_COLUMNS)
    if path.is_file():
        people = read_csv_any(path, dtype=str, usecols=lambda c: c in PEOPLE_COLUMNS).fillna("")
    for column in PEOPLE_COLUMNS:
        if column not in people:
            people[column] = ""
    return people[PEOPLE_COLUMNS].set_index("person_id", drop=False)


def need_column(token: str) -> str:
    """The column key (and message key) of a need token: ``care:dialysis`` -> ``need_care_dialysis``."""
    return "need_" + re.sub(r"[:-]", "_", token)


def need_counts(needs: list[str]) -> dict[str, int]:
    """How many of the people (their ``;``-joined need tokens) have each need, in :data:`NEEDS` order."""
    counts = dict.fromkeys(NEEDS, 0)
    for cell in needs:
        for token in {t for t in str(cell).split(";") if t}:
            if token in counts:
                counts[token] += 1
    return counts


def needs_in(pf: PlanFolder) -> list[str]:
    """The need tokens someone in the plan has, in :data:`NEEDS` order (none: no need columns anywhere)."""
    counts = need_counts(list(pf.people["needs"]))
    return [t for t in NEEDS if counts[t]]


WHEELCHAIR = "wheelchair"


def wheelchairs(pf: PlanFolder, person_ids: list[str]) -> int:
    """How many of `person_ids` use a wheelchair (places used on an accessible coach)."""
    return sum(WHEELCHAIR in n.split(";") for n in pf.needs_of(person_ids))


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _households(pf: PlanFolder, stop: dict[str, Any]) -> list[str]:
    if stop.get("households"):
        return [str(h) for h in stop["households"]]
    return sorted(
        {pf.households[p] for p in stop["people"] if pf.households.get(p) not in (None, "", p)}
    )  # a single is their own household


def _roster(pf: PlanFolder, trip: dict[str, Any]) -> dict[str, str]:
    """The roster's columns for a trip, found by coach id, else by the trip's ``vehicle`` when the plan names one."""
    if pf.roster is None:
        return {}
    for key in (str(trip["coach"]), _text(trip.get("vehicle"))):
        if key and key in pf.roster.index:
            return {str(k): _text(v) for k, v in pf.roster.loc[key].items()}
    return {c: "" for c in pf.roster.columns}


def _number(value: Any, digits: int) -> float | None:
    return None if value is None or value == "" else round(float(value), digits)


def _centre(pf: PlanFolder, centre_id: str) -> dict[str, Any]:
    if centre_id not in pf.centres.index:
        return {
            "centre_name": "",
            "commune": "",
            "departement": "",
            "region": "",
            "capacity": 0,
            **{c: "" for c in pf.centre_extra},
        }
    row = pf.centres.loc[centre_id]
    return {
        "centre_name": _text(row.get("name")),
        "commune": _text(row.get("commune")),
        "departement": _text(row.get("departement")),
        "region": _text(row.get("region")),
        "capacity": int(row.get("capacity", 0) or 0),
        **{c: _text(row[c]) for c in pf.centre_extra},
    }


def _place(pf: PlanFolder, where: object) -> str:
    """Where a coach or crew is after the drop: the origin's name, or the centre as on the sheet (name and id)."""
    if where == "ORIGIN":
        return str(pf.origin)
    text = _text(where)
    name = _centre(pf, text)["centre_name"] if text else ""
    return f"{name} ({text})" if name else text


def _human_slot(slot: object) -> int | None:
    """Boarding slots as people count them: plan.json's slot 0 (the first) is slot 1; no slot stays empty."""
    return (
        int(slot) + 1
        if isinstance(slot, int | float) and not isinstance(slot, bool) and slot >= 0
        else None
    )


def road_sheet_table(pf: PlanFolder) -> pd.DataFrame:
    """One row per coach and stop, in road order: the coach's day, slot, times and drivers, the stop, who gets off."""
    rows = []
    for trip in sorted(pf.trips, key=lambda t: (t["day"], t["coach"])):
        coach, day = str(trip["coach"]), str(trip["day"])
        start = clock_seconds(trip.get("departure", "00:00"))
        for n, stop in enumerate(trip["stops"], start=1):
            centre = _centre(pf, stop["centre_id"])
            rows.append(
                {
                    "coach": coach,
                    "day": dt.date.fromisoformat(day[:10]),
                    "vehicle": _text(trip.get("vehicle")),
                    "slot": _human_slot(trip.get("slot")),
                    "bay": trip.get("bay"),
                    "boarding": moment(day, trip.get("boarding")),
                    "departure": _text(trip.get("departure")),
                    "drivers": int(trip.get("drivers", 1)),
                    "end": moment(day, trip["stops"][-1]["arrival"]) if trip["stops"] else None,
                    "return_km": _number(trip.get("return_km"), 1),
                    "return_h": _number(trip.get("return_h"), 2),
                    "return": moment(day, trip.get("return")),
                    "free_at": moment(day, trip.get("free_at")),
                    "free_where": _place(pf, trip.get("free_where")),
                    "rest_where": _place(pf, trip.get("rest_where")),
                    "stop": n,
                    "centre_id": str(stop["centre_id"]),
                    **{k: centre[k] for k in ("centre_name", "commune", "departement")},
                    "arrival": clock_text(clock_seconds(stop["arrival"])),
                    "arrival_day": on_day(day, stop["arrival"]),
                    **{g: int(stop.get("groups", {}).get(g, 0)) for g in GROUP_KEYS},
                    "total": len(stop["people"]),
                    "households": " ".join(_households(pf, stop)),
                    "person_ids": " ".join(stop["people"]),
                    "leg_km": round(float(stop.get("leg_km", 0.0)), 1),
                    "leg_h": round(float(stop.get("leg_h", 0.0)), 2),
                    "breaks_before": int(stop.get("breaks_before", 0)),
                    "ride_h": round((clock_seconds(stop["arrival"]) - start) / 3600, 2),
                    "roads": _text(stop.get("roads"))
                    or (pf.roads.get(coach, "") if n == 1 else ""),
                    **{c: centre[c] for c in pf.centre_extra},
                    **_roster(pf, trip),
                }
            )
    out = pd.DataFrame(rows)
    accessible = [str(t.get("vehicle_kind", "")) for t in pf.trips]
    if len(out) and (any(accessible) or WHEELCHAIR in needs_in(pf)):  # operational, not health data
        kinds = dict(zip((str(t["coach"]) for t in pf.trips), accessible))
        out["vehicle_kind"] = out["coach"].map(kinds).fillna("")
        out["wheelchair_places"] = [wheelchairs(pf, ids.split()) for ids in out["person_ids"]]
    for column in (
        "boarding",
        "end",
        "return",
        "free_at",
    ):  # plain datetimes and None (not NaT), like the dates
        if column in out:
            out[column] = pd.Series([rows[i][column] for i in range(len(rows))], dtype=object)
    for column in ("slot", "bay"):  # whole numbers, empty when the plan has none
        values = [rows[i][column] for i in range(len(rows))]
        if column in out and all(
            v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in values
        ):
            out[column] = pd.array(values, dtype="Int64")
    return out


def centre_sheet_table(stops: pd.DataFrame, pf: PlanFolder) -> pd.DataFrame:
    """One row per centre and arriving coach, in arrival order, with the places left after each arrival."""
    if stops.empty:
        return pd.DataFrame()
    keep = [
        "centre_id",
        "centre_name",
        "commune",
        "departement",
        "day",
        "arrival_day",
        "arrival",
        "coach",
        "stop",
        *GROUP_KEYS,
        "total",
        "households",
        "person_ids",
        "ride_h",
        *pf.centre_extra,
    ]
    keep += [c for c in (pf.roster.columns if pf.roster is not None else []) if c not in keep]
    out = stops[keep].copy()
    out.insert(
        4,
        "capacity",
        [
            int(pf.centres.at[c, "capacity"]) if c in pf.centres.index else 0
            for c in out["centre_id"]
        ],
    )
    out["_order"] = [(d, clock_seconds(a)) for d, a in zip(out["arrival_day"], out["arrival"])]
    out = (
        out.sort_values(["departement", "centre_id", "_order", "coach"])
        .drop(columns="_order")
        .reset_index(drop=True)
    )
    out["remaining"] = out["capacity"] - out.groupby("centre_id")["total"].cumsum()
    for token in needs_in(pf):  # what the centre prepares for: people with each need, no names
        out[need_column(token)] = [
            need_counts(pf.needs_of(ids.split()))[token] for ids in out["person_ids"]
        ]
    return out


def prefecture_table(arrivals: pd.DataFrame, pf: PlanFolder) -> pd.DataFrame:
    """One row per department with arrivals and day: centres, places, coaches and people by group."""
    if arrivals.empty:
        return pd.DataFrame()
    places = pf.centres.groupby(pf.centres["departement"].astype(str))["capacity"].agg(
        ["size", "sum"]
    )
    names = pf.names.get("departement", {})
    rows = []
    for (dep, day), part in arrivals.groupby(["departement", "arrival_day"], sort=True):
        rows.append(
            {
                "departement": dep,
                "departement_name": names.get(str(dep), ""),
                "day": day,
                "centres": int(places.at[dep, "size"]) if dep in places.index else 0,
                "places": int(places.at[dep, "sum"]) if dep in places.index else 0,
                "centres_receiving": part["centre_id"].nunique(),
                "coaches": part["coach"].nunique(),
                **{g: int(part[g].sum()) for g in GROUP_KEYS},
                "total": int(part["total"].sum()),
                "longest_ride_h": float(part["ride_h"].max()),
                **{c: int(part[c].sum()) for c in part.columns if c.startswith("need_")},
            }
        )
    return pd.DataFrame(rows)


#: Columns of the readiness table (one row per department, from :func:`abri.readiness.prefecture_rows`).
READINESS_COLUMNS = [
    "departement",
    "departement_name",
    "region",
    "centres",
    "places",
    *(f"places_{g}" for g in GROUP_KEYS),
    *(f"extra_{g}" for g in GROUP_KEYS),
    "extra",
    "needed_by",
]


def readiness_table(rows: pd.DataFrame, pf: PlanFolder) -> pd.DataFrame:
    """Each department's readiness: places by group accepted, places to open by group, the day they are needed by.

    `rows` are :func:`abri.readiness.prefecture_rows` (or :func:`~abri.readiness.read_prefecture_rows` of an ``abri readiness -o`` folder).
    """
    wanted = ["departement", "centres", "places", "extra", "needed_by", *READINESS_COLUMNS[5:-2]]
    missing = [c for c in wanted if c not in rows.columns]
    if missing:
        msg = f"readiness rows: missing column(s) {', '.join(missing)}; expected the rows of abri.readiness.prefecture_rows"
        raise DataFileError(msg)
    names = pf.names.get("departement", {})
    out = pd.DataFrame({"departement": rows["departement"].astype(str).to_numpy()})
    given = rows["nom"].fillna("").astype(str).to_numpy() if "nom" in rows else [""] * len(rows)
    out["departement_name"] = [names.get(d) or n for d, n in zip(out["departement"], given)]
    out["region"] = rows["region"].fillna("").astype(str).to_numpy() if "region" in rows else ""
    for column in READINESS_COLUMNS[3:-1]:
        try:
            out[column] = (
                pd.to_numeric(rows[column], errors="raise").fillna(0).astype(int).to_numpy()
            )
        except (ValueError, TypeError) as exc:
            msg = f"readiness rows, column {column!r}: {exc}; expected whole numbers of places"
            raise DataFileError(msg) from None
    try:
        out["needed_by"] = [
            dt.date.fromisoformat(str(v)[:10])
            if str(v or "")[:10] not in ("", "nan", "None")
            else None
            for v in rows["needed_by"]
        ]
    except ValueError as exc:
        msg = f"readiness rows, column 'needed_by': {exc}; expected a date YYYY-MM-DD or nothing"
        raise DataFileError(msg) from None
    return out.sort_values("departement", kind="stable").reset_index(drop=True)


def longest_rides(arrivals: pd.DataFrame, departement: str, n: int = LONGEST_RIDES) -> pd.DataFrame:
    """The `n` longest rides (departure to arrival) of coaches stopping in `departement`."""
    part = arrivals[arrivals["departement"] == departement]
    return part.sort_values(["ride_h", "coach"], ascending=[False, True]).head(n)[
        ["coach", "day", "centre_id", "centre_name", "arrival", "ride_h"]
    ]


def centre_occupancy(arrivals: pd.DataFrame, pf: PlanFolder) -> pd.DataFrame:
    """Each centre's places, people arriving and occupancy (%), indexed by centre id."""
    arrived = (
        arrivals.groupby("centre_id")["total"].sum() if len(arrivals) else pd.Series(dtype=int)
    )
    out = (
        pf.centres[["id", "name", "departement", "region", "capacity"]]
        .rename(columns={"id": "centre_id", "name": "centre_name"})
        .copy()
    )
    out["people"] = out["centre_id"].map(arrived).fillna(0).astype(int)
    out["occupancy_pct"] = (
        (100 * out["people"] / out["capacity"].where(out["capacity"] > 0)).round(1).fillna(0.0)
    )
    return out


def operation_table(stops: pd.DataFrame, pf: PlanFolder) -> pd.DataFrame:
    """The operation at a glance, per day then per region: coaches, people by group, coach-km, longest ride."""
    occupancy = centre_occupancy(stops, pf)
    rows: list[dict[str, Any]] = []
    by_trip = {str(t["coach"]): t for t in pf.trips}
    for day, part in stops.groupby("day", sort=True) if len(stops) else []:
        coaches = part["coach"].unique()
        rows.append(
            {
                "level": "day",
                "value": day,
                "value_name": "",
                "coaches": len(coaches),
                "centres_receiving": part["centre_id"].nunique(),
                **{g: int(part[g].sum()) for g in GROUP_KEYS},
                "total": int(part["total"].sum()),
                "coach_km": round(sum(float(by_trip[c].get("km", 0)) for c in coaches)),
                "longest_ride_h": float(part["ride_h"].max()),
                "places": None,
            }
        )
    names = pf.names.get("region", {})
    for region, part in occupancy.groupby(occupancy["region"].astype(str), sort=True):
        here = stops[stops["centre_id"].isin(part["centre_id"])] if len(stops) else stops
        rows.append(
            {
                "level": "region",
                "value": region,
                "value_name": names.get(region, ""),
                "coaches": here["coach"].nunique() if len(here) else 0,
                "centres_receiving": int((part["people"] > 0).sum()),
                **{g: int(here[g].sum()) if len(here) else 0 for g in GROUP_KEYS},
                "total": int(part["people"].sum()),
                "coach_km": None,
                "longest_ride_h": float(here["ride_h"].max()) if len(here) else 0.0,
                "places": int(part["capacity"].sum()),
            }
        )
    out = pd.DataFrame(rows)
    for column in (
        "coach_km",
        "places",
    ):  # empty where the figure does not apply (per day / per region)
        if column in out:
            out[column] = out[column].astype("Int64")
    return out
