"""A plan as tables, and as a folder: plan.json, trips.csv, manifests.csv, assignments, unplaced.

Units, the same in every table this module returns: **times** are
``pandas.Timestamp`` on the trip's day (an arrival after midnight falls on
the next date), **durations** are ``pandas.Timedelta``, **distances** are
kilometres. The CSV files give times as ``YYYY-MM-DD HH:MM`` and durations
in hours (columns ending ``_h``), which spreadsheets read as they are.

Every file is written whole or not at all (:mod:`abri.files`), and a plan
with no trips still gives every file, tables with their headers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from abri.constants import GROUPS
from abri.files import write_csv, write_json, write_text_atomic
from abri.outputs.planformat import VersionRecord, stamp
from abri.planning.schedule import s_to_clock
from abri.planning.summary import per_day, plan_summary, rides_by_group

if TYPE_CHECKING:
    from abri.planning.check import PlanCheck
    from abri.planning.plan import Plan

GROUP_COLUMNS = list(GROUPS)
TRIP_COLUMNS = [
    "coach",
    "day",
    "departure",
    "last_arrival",
    "n_stops",
    "stops",
    "people",
    "seats_free",
    "km",
    "driving",
    "breaks",
    "drivers",
    "legal",
    "notes",
    "slot",
    "bay",
    "boarding",
    "vehicle",
    "planned_driving",
    "slack_driving",
    "slack_close",
    "return_km",
    "return_driving",
    "rest_where",
    "free_at",
    "drivers_free_at",
]
STOP_COLUMNS = [
    "coach",
    "day",
    "stop",
    "centre_id",
    "centre_name",
    "arrival",
    "ride",
    "leg_km",
    "leg_driving",
    "breaks_before",
    *GROUP_COLUMNS,
    "total",
]
MANIFEST_COLUMNS = [
    "coach",
    "day",
    "stop",
    "centre_id",
    "centre_name",
    "arrival",
    *GROUP_COLUMNS,
    "total",
]


def at(day: str, seconds: float) -> pd.Timestamp:
    """The time `seconds` after midnight of `day` (``'2016-10-24'``); NaT when `day` is not a date.

    Examples
    --------
    >>> at("2016-10-24", 7 * 3600 + 30 * 60)
    Timestamp('2016-10-24 07:30:00')
    >>> at("2016-10-24", 25 * 3600)
    Timestamp('2016-10-25 01:00:00')
    """
    start = pd.to_datetime(day, errors="coerce", format="%Y-%m-%d")
    return pd.NaT if pd.isna(start) else start + pd.Timedelta(seconds=round(float(seconds)))


def trips_frame(plan: Plan) -> pd.DataFrame:
    """One row per trip.

    Parameters
    ----------
    plan
        A coach plan (:func:`abri.planning.plan.plan_coaches`).

    Returns
    -------
    DataFrame
        ``coach``, ``day``, ``departure`` and ``last_arrival`` (Timestamp),
        ``n_stops``, ``stops`` (``centre @ HH:MM: people; ...``), ``people``,
        ``seats_free``, ``km``, ``driving`` (Timedelta, without breaks),
        ``breaks``, ``drivers``, ``legal``, ``notes``.

    Examples
    --------
    >>> trips = trips_frame(run.plan)  # doctest: +SKIP
    >>> trips.groupby("day")["km"].sum()  # doctest: +SKIP
    >>> (trips["last_arrival"] - trips["departure"]).max()  # doctest: +SKIP
    Timedelta('0 days 14:57:00')
    """
    rows = [
        {
            "coach": t.coach,
            "day": t.day,
            "departure": at(t.day, t.departure_s),
            "last_arrival": at(t.day, t.end_s),
            "n_stops": len(t.stops),
            "stops": "; ".join(
                f"{s.centre_id} @ {s_to_clock(s.arrival_s)}: {len(s.people)}" for s in t.stops
            ),
            "people": t.people,
            "seats_free": plan.fleet.seats - t.people,
            "km": round(t.km, 1),
            "driving": pd.Timedelta(seconds=round(t.driving_s)),
            "breaks": t.breaks,
            "drivers": t.drivers,
            "legal": t.legal,
            "notes": " | ".join(t.notes + t.info),
            "slot": t.slot,
            "bay": t.bay,
            "boarding": at(t.day, t.boarding_s),
            "vehicle": t.vehicle,
            "planned_driving": pd.Timedelta(seconds=round(t.planned_driving_s)),
            "slack_driving": pd.Timedelta(seconds=round(t.slack_driving_s)),
            "slack_close": pd.Timedelta(seconds=round(t.slack_close_s)),
            "return_km": round(t.return_km, 1),
            "return_driving": pd.Timedelta(seconds=round(t.return_s)),
            "rest_where": t.rest_where,
            "free_at": at(t.day, t.free_at_s),
            "drivers_free_at": at(t.day, t.drivers_free_at_s),
        }
        for t in plan.trips
    ]
    return pd.DataFrame(rows, columns=TRIP_COLUMNS).astype(
        {
            "departure": "datetime64[ns]",
            "last_arrival": "datetime64[ns]",
            "driving": "timedelta64[ns]",
            "n_stops": "int64",
            "boarding": "datetime64[ns]",
            "free_at": "datetime64[ns]",
            "drivers_free_at": "datetime64[ns]",
            "planned_driving": "timedelta64[ns]",
            "slack_driving": "timedelta64[ns]",
            "slack_close": "timedelta64[ns]",
            "return_driving": "timedelta64[ns]",
            "slot": "int64",
            "people": "int64",
            "seats_free": "int64",
            "km": "float64",
            "breaks": "int64",
            "drivers": "int64",
            "legal": "bool",
        }
    )


def stops_frame(plan: Plan, names: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per stop: which coach, which centre, when, and who gets off (counts by group).

    Parameters
    ----------
    plan
        A coach plan.
    names
        Centre names by id, for the ``centre_name`` column (empty otherwise).

    Returns
    -------
    DataFrame
        ``coach``, ``day``, ``stop`` (1, 2, ...), ``centre_id``,
        ``centre_name``, ``arrival`` (Timestamp), ``ride`` (Timedelta since
        departure), ``leg_km``, ``leg_driving`` (Timedelta), ``breaks_before``,
        one column per group and ``total``.

    Examples
    --------
    >>> stops = stops_frame(run.plan)  # doctest: +SKIP
    >>> stops.loc[
    ...     stops["ride"] > pd.Timedelta(hours=12), ["coach", "centre_id", "ride"]
    ... ]  # doctest: +SKIP
    """
    names = names or {}
    rows = []
    for t in plan.trips:
        for n, s in enumerate(t.stops, start=1):
            rows.append(
                {
                    "coach": t.coach,
                    "day": t.day,
                    "stop": n,
                    "centre_id": s.centre_id,
                    "centre_name": names.get(s.centre_id, ""),
                    "arrival": at(t.day, s.arrival_s),
                    "ride": pd.Timedelta(seconds=round(s.arrival_s - t.departure_s)),
                    "leg_km": round(s.leg_km, 1),
                    "leg_driving": pd.Timedelta(seconds=round(s.leg_s)),
                    "breaks_before": s.breaks_before,
                    **{g: int(s.groups.get(g, 0)) for g in GROUP_COLUMNS},
                    "total": len(s.people),
                }
            )
    return pd.DataFrame(rows, columns=STOP_COLUMNS).astype(
        {
            "arrival": "datetime64[ns]",
            "ride": "timedelta64[ns]",
            "leg_driving": "timedelta64[ns]",
            "stop": "int64",
            "leg_km": "float64",
            "breaks_before": "int64",
            "total": "int64",
            **{g: "int64" for g in GROUP_COLUMNS},
        }
    )


def manifests_frame(plan: Plan, names: dict[str, str] | None = None) -> pd.DataFrame:
    """The coach manifests: one row per coach and stop, counts by group (a subset of :func:`stops_frame`).

    Examples
    --------
    >>> manifests_frame(run.plan).groupby("day")["total"].sum()  # doctest: +SKIP
    """
    return stops_frame(plan, names)[MANIFEST_COLUMNS]


def assignments_frame(plan: Plan) -> pd.DataFrame:
    """One row per person: centre, coach and stop (empty when unplaced or not carried), and why.

    Examples
    --------
    >>> assignments = assignments_frame(run.plan)  # doctest: +SKIP
    >>> assignments[assignments["reason"] != ""]  # doctest: +SKIP
    """
    where = {
        p: (t.coach, n)
        for t in plan.trips
        for n, s in enumerate(t.stops, start=1)
        for p in s.people
    }
    out = plan.allocation.assignments.copy()
    out["coach"] = pd.Series(
        [where.get(p, ("", 0))[0] for p in out["person_id"]], index=out.index, dtype=object
    )
    out["stop"] = pd.Series(
        [where.get(p, ("", 0))[1] for p in out["person_id"]], index=out.index, dtype="int64"
    )
    not_carried = (
        plan.not_carried.set_index("person_id")["reason"]
        if len(plan.not_carried)
        else pd.Series(dtype=str)
    )
    out["reason"] = out["reason"].where(
        out["reason"] != "", out["person_id"].map(not_carried).astype(object).fillna("")
    )
    return out


def for_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as the CSV files give it: times as ``YYYY-MM-DD HH:MM``, durations as hours in ``<name>_h`` columns.

    Examples
    --------
    >>> for_csv(pd.DataFrame({"driving": [pd.Timedelta(minutes=90)]}))
       driving_h
    0        1.5
    """
    out = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_timedelta64_dtype(frame[column]):
            out = out.rename(columns={column: f"{column}_h"})
            out[f"{column}_h"] = (frame[column].dt.total_seconds() / 3600).round(2)
        elif pd.api.types.is_datetime64_any_dtype(frame[column]):
            out[column] = frame[column].dt.round("min").dt.strftime("%Y-%m-%d %H:%M").fillna("")
    return out


def plan_document(
    plan: Plan,
    baseline: Plan | None = None,
    *,
    label: str = "",
    scenario: str = "",
    check: PlanCheck | None = None,
    version: VersionRecord | None = None,
) -> dict[str, Any]:
    """Everything about a plan as one JSON-ready dict (with the check and the accounting when given).

    The document carries its format (:data:`~abri.outputs.planformat.PLAN_FORMAT`) and
    version block first; :func:`~abri.outputs.planformat.read_plan_json` reads it back.
    """
    doc: dict[str, Any] = {
        "scenario": scenario,
        "label": label,
        "method": plan.method,
        "fleet": plan.fleet.__dict__,
        "rules": plan.rules.__dict__,
        "summary": plan_summary(plan),
        "summary_adults": plan_summary(plan, adults_only=True),
    }
    if check is not None:
        doc["accounting"] = check.accounting.to_dict()
        doc["check"] = check.to_dict()
    doc |= {
        "per_day": per_day(plan).to_dict("records"),
        "days": plan.days,
        "legal_at_longer_roads": plan.legal_at,
        "rides_by_group": rides_by_group(plan),
        "ride_exceptions": plan.ride_exceptions.to_dict("records"),
        "trips": [
            {
                "coach": t.coach,
                "day": t.day,
                "departure": s_to_clock(t.departure_s),
                "drivers": t.drivers,
                "driving_h": round(t.driving_s / 3600, 3),
                "breaks": t.breaks,
                "km": round(t.km, 2),
                "legal": t.legal,
                "notes": t.notes,
                "info": t.info,
                "slot": t.slot,
                "bay": t.bay,
                "boarding": s_to_clock(t.boarding_s),
                "vehicle": t.vehicle,
                "planned_driving_h": round(t.planned_driving_s / 3600, 3),
                "slack_driving_h": round(t.slack_driving_s / 3600, 3),
                "slack_close_h": round(t.slack_close_s / 3600, 3),
                "return_km": round(t.return_km, 2),
                "return_h": round(t.return_s / 3600, 3),
                "rest_where": t.rest_where,
                "free_at": s_to_clock(t.free_at_s),
                "free_where": t.free_where,
                "drivers_free_at": s_to_clock(t.drivers_free_at_s),
                "stops": [
                    {
                        "centre_id": s.centre_id,
                        "arrival": s_to_clock(s.arrival_s),
                        "leg_km": round(s.leg_km, 2),
                        "leg_h": round(s.leg_s / 3600, 3),
                        "breaks_before": s.breaks_before,
                        "groups": s.groups,
                        "people": s.people,
                    }
                    for s in t.stops
                ],
            }
            for t in plan.trips
        ],
        "unplaced": plan.allocation.unplaced.reindex(
            columns=["person_id", "day", "group", "reason"]
        ).to_dict("records"),
        "not_carried": plan.not_carried.to_dict("records"),
    }
    if baseline is not None:
        doc["baseline"] = {
            "summary": plan_summary(baseline),
            "summary_adults": plan_summary(baseline, adults_only=True),
            "per_day": per_day(baseline).to_dict("records"),
        }
    return dict(stamp(doc, version))


def write_plan(
    plan: Plan,
    out_dir: str | Path,
    *,
    centres: gpd.GeoDataFrame,
    check: PlanCheck,
    lines: gpd.GeoDataFrame | None = None,
    baseline: Plan | None = None,
    origin: tuple[float, float] | None = None,
    label: str = "",
    scenario: str = "",
) -> dict[str, Path]:
    """Write every plan file into `out_dir`; returns their paths by name.

    `check` (:func:`abri.planning.check.check_plan`, already applied) goes into
    ``plan.json`` as its ``check`` and ``accounting`` blocks. `label` (from the
    scenario's ``scenario.json``, e.g. "SYNTHETIC ...") goes into ``plan.json`` and so onto every map.
    """
    out = Path(out_dir)
    names = dict(zip(centres["id"].astype(str), centres["name"].astype(str)))
    allocated = plan.allocation.per_centre()
    located = centres.assign(
        allocated=centres["id"].astype(str).map(allocated).fillna(0).astype(int)
    )
    assignments = assignments_frame(plan)
    files = {
        "plan": write_json(
            out / "plan.json",
            plan_document(plan, baseline, label=label, scenario=scenario, check=check),
        ),
        "trips": write_csv(out / "trips.csv", for_csv(trips_frame(plan))),
        "manifests": write_csv(out / "manifests.csv", for_csv(manifests_frame(plan, names))),
        "assignments": write_csv(out / "assignments.csv", assignments),
        "unplaced": write_csv(out / "unplaced.csv", assignments[assignments["reason"] != ""]),
        "centres": write_text_atomic(out / "centres.geojson", located.to_json(drop_id=True)),
    }
    if lines is not None:
        files["routes"] = write_text_atomic(out / "trips.geojson", lines.to_json(drop_id=True))
    if origin is not None:
        files["origin"] = write_text_atomic(
            out / "origin.json",
            json.dumps({"lon": origin[0], "lat": origin[1], "name": plan.fleet.origin_name}),
        )
    return files
