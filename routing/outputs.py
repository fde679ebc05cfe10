"""Write a plan to a folder: plan.json, trips.csv, manifests.csv, assignments, summary.

Every file is written whole or not at all (temporary file, then rename).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

from abri.files import write_csv, write_json, write_text_atomic
from abri.routing.plan import Plan
from abri.routing.schedule import s_to_clock
from abri.routing.summary import per_day, plan_summary

GROUP_COLUMNS = ["men", "women", "families", "vulnerable", "minors"]


def trips_frame(plan: Plan) -> pd.DataFrame:
    """One row per trip: coach, day, departure, stops with arrival and people, km, driving, breaks, drivers."""
    return pd.DataFrame([{
        "coach": t.coach, "day": t.day, "departure": s_to_clock(t.departure_s),
        "stops": "; ".join(f"{s.centre_id} @ {s_to_clock(s.arrival_s)}: {len(s.people)}" for s in t.stops),
        "people": t.people, "km": round(t.km, 1), "driving_h": round(t.driving_s / 3600, 2),
        "breaks": t.breaks, "drivers": t.drivers, "last_arrival": s_to_clock(t.end_s),
        "legal": t.legal, "notes": " | ".join(t.notes),
    } for t in plan.trips])


def manifests_frame(plan: Plan, names: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per coach and stop: counts by group."""
    names = names or {}
    rows = []
    for t in plan.trips:
        for n, s in enumerate(t.stops, start=1):
            rows.append({"coach": t.coach, "day": t.day, "stop": n, "centre_id": s.centre_id,
                         "centre_name": names.get(s.centre_id, ""), "arrival": s_to_clock(s.arrival_s),
                         **{g: s.groups.get(g, 0) for g in GROUP_COLUMNS}, "total": len(s.people)})
    return pd.DataFrame(rows)


def assignments_frame(plan: Plan) -> pd.DataFrame:
    """One row per person: centre, coach and stop (empty when unplaced or not carried), and why."""
    where = {p: (t.coach, n) for t in plan.trips for n, s in enumerate(t.stops, start=1) for p in s.people}
    out = plan.allocation.assignments.copy()
    out["coach"] = out["person_id"].map(lambda p: where.get(p, ("", 0))[0])
    out["stop"] = out["person_id"].map(lambda p: where.get(p, ("", 0))[1])
    not_carried = plan.not_carried.set_index("person_id")["reason"] if len(plan.not_carried) else pd.Series(dtype=str)
    out["reason"] = out["reason"].where(out["reason"] != "", out["person_id"].map(not_carried).astype(object).fillna(""))
    return out


def plan_document(plan: Plan, baseline: Plan | None = None, *, label: str = "") -> dict:
    """Everything about a plan as one JSON-ready dict."""
    doc = {
        "label": label, "method": plan.method,
        "fleet": plan.fleet.__dict__, "rules": plan.rules.__dict__,
        "summary": plan_summary(plan), "summary_adults": plan_summary(plan, adults_only=True),
        "per_day": per_day(plan).to_dict("records"),
        "trips": [{
            "coach": t.coach, "day": t.day, "departure": s_to_clock(t.departure_s), "drivers": t.drivers,
            "driving_h": round(t.driving_s / 3600, 3), "breaks": t.breaks, "km": round(t.km, 2), "legal": t.legal, "notes": t.notes,
            "stops": [{"centre_id": s.centre_id, "arrival": s_to_clock(s.arrival_s), "leg_km": round(s.leg_km, 2),
                       "leg_h": round(s.leg_s / 3600, 3), "breaks_before": s.breaks_before, "groups": s.groups, "people": s.people}
                      for s in t.stops],
        } for t in plan.trips],
        "unplaced": plan.allocation.unplaced[["person_id", "day", "group", "reason"]].to_dict("records"),
        "not_carried": plan.not_carried.to_dict("records"),
    }
    if baseline is not None:
        doc["baseline"] = {"summary": plan_summary(baseline), "summary_adults": plan_summary(baseline, adults_only=True),
                           "per_day": per_day(baseline).to_dict("records")}
    return doc


def write_plan(plan: Plan, out_dir: str | Path, *, centres: gpd.GeoDataFrame, lines: gpd.GeoDataFrame | None = None,
               baseline: Plan | None = None, origin: tuple[float, float] | None = None, label: str = "") -> dict[str, Path]:
    """Write every plan file into `out_dir`; returns their paths by name.

    `label` (from the scenario's ``scenario.json``, e.g. "SYNTHETIC ...") goes into ``plan.json`` and so onto every map.
    """
    out = Path(out_dir)
    names = dict(zip(centres["id"].astype(str), centres["name"].astype(str)))
    allocated = plan.allocation.per_centre()
    located = centres.assign(allocated=centres["id"].map(allocated).fillna(0).astype(int))
    assignments = assignments_frame(plan)
    files = {
        "plan": write_json(out / "plan.json", plan_document(plan, baseline, label=label)),
        "trips": write_csv(out / "trips.csv", trips_frame(plan)),
        "manifests": write_csv(out / "manifests.csv", manifests_frame(plan, names)),
        "assignments": write_csv(out / "assignments.csv", assignments),
        "unplaced": write_csv(out / "unplaced.csv", assignments[assignments["reason"] != ""]),
        "centres": write_text_atomic(out / "centres.geojson", located.to_json(drop_id=True)),
    }
    if lines is not None:
        files["routes"] = write_text_atomic(out / "trips.geojson", lines.to_json(drop_id=True))
    if origin is not None:
        files["origin"] = write_text_atomic(out / "origin.json", json.dumps({"lon": origin[0], "lat": origin[1], "name": plan.fleet.origin_name}))
    return files
