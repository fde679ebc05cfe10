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

from abri.files import write_csv, write_json, write_text_atomic
from abri.outputs.planformat import VersionRecord, stamp
from abri.planning.schedule import s_to_clock
from abri.planning.summary import per_day, plan_summary, rides_by_group
from abri.planning.tables import (
    assignments_frame,
    manifests_frame,
    trips_frame,
)

if TYPE_CHECKING:
    from abri.planning.check import PlanCheck
    from abri.planning.plan import Plan


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
    scenario_dir: str = "",
) -> dict[str, Any]:
    """Everything about a plan as one JSON-ready dict (with the check and the accounting when given).

    The document carries its format (:data:`~abri.outputs.planformat.PLAN_FORMAT`) and
    version block first; :func:`~abri.outputs.planformat.read_plan_json` reads it back.
    """
    doc: dict[str, Any] = {
        "scenario": scenario,
        **({"scenario_dir": scenario_dir} if scenario_dir else {}),
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
        "shortfalls": plan.shortfalls.to_dict("records"),
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
                "vehicle_kind": t.vehicle_kind,
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
    scenario_dir: str = "",
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
            plan_document(
                plan,
                baseline,
                label=label,
                scenario=scenario,
                check=check,
                scenario_dir=scenario_dir,
            ),
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
