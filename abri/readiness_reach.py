"""Within reach: coach times from the origin and road minutes to care, on the roads or estimated.

With a road set (``--roads``, loaded as ``abri plan`` loads it), coach
times are the graph's from the origin (only the origin's row of the
matrix) and the care minutes the centre file left empty are measured on the
same roads from the hospital list (:func:`abri.routing.care.care_minutes`);
without, both are the straight line x 1.3 at 80 km/h. Either way the answer
says which estimate was used.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from abri.constants import ORIGIN
from abri.geo.hospitals import read_hospitals
from abri.geo.services import CARE_COLUMNS
from abri.planning.readiness import COACH_KMH, DETOUR, straight_time_s
from abri.planning.readiness_needs import fill_missing, straight_care_minutes
from abri.routing.care import care_minutes
from abri.routing.graph import RoadGraph, load_graph
from abri.routing.measure import snap_and_measure
from abri.routing.profile import load_profile


def travel_times(
    lon: np.ndarray,
    lat: np.ndarray,
    origin: tuple[float, float],
    roads: str | os.PathLike[str] | None,
    data_dir: str | os.PathLike[str] | None,
) -> tuple[np.ndarray, str, RoadGraph | None]:
    """Coach time (s) from the origin to each point (NaN when no road reaches it), how it was measured, the roads."""
    if roads is None:
        travel = f"straight line x {DETOUR} at {COACH_KMH:g} km/h"
        return straight_time_s(lon, lat, origin), travel, None

    profile = load_profile(None)
    graph = load_graph(roads, profile=profile, data_dir=data_dir)
    points = pd.DataFrame({"id": [f"P{i}" for i in range(len(lon))], "lon": lon, "lat": lat})
    snapped, times, _ = snap_and_measure(
        graph, origin, points, profile=profile, origin_only=True, with_distance=False
    )
    out = np.array(times.loc[ORIGIN, points["id"]], dtype=float)
    out[~snapped.loc[points["id"], "reachable"].to_numpy(bool)] = np.nan
    return out, f"coach time on the roads {roads}", graph


def with_care(
    points: pd.DataFrame, graph: RoadGraph | None, data_dir: str | os.PathLike[str] | None
) -> tuple[pd.DataFrame, str]:
    """`points` (centres and reference towns) with the care minutes the centre file left empty:
    on the roads when a graph is given, else the straight-line estimate; and how they were measured."""
    missing = [c for c in CARE_COLUMNS if c not in points or points[c].isna().any()]
    if not missing:
        return points, "care minutes from the centre file"
    hospitals, _ = read_hospitals(data_dir=data_dir)
    if graph is not None:
        ids = points.assign(id=[f"P{i}" for i in range(len(points))])
        care = care_minutes(ids, hospitals, graph)
        measured = pd.DataFrame(care.to_numpy(float), index=points.index, columns=care.columns)
        return fill_missing(points, measured), "care minutes on the roads"
    per_minute = COACH_KMH / DETOUR / 60
    measured = straight_care_minutes(points, hospitals, km_per_minute=per_minute)
    return fill_missing(
        points, measured
    ), f"care minutes by straight line x {DETOUR} at {COACH_KMH:g} km/h"


def measured(
    centres: pd.DataFrame,
    candidates: pd.DataFrame,
    origin: tuple[float, float],
    roads: str | os.PathLike[str] | None,
    data_dir: str | os.PathLike[str] | None,
    *,
    care: bool,
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Centres and reference towns with their coach time from the origin (``time_s``) and (`care`)
    their care minutes; the towns no road reaches dropped; how it was all measured."""
    times, travel, graph = travel_times(
        np.r_[centres["lon"].to_numpy(float), candidates["lon"].to_numpy(float)],
        np.r_[centres["lat"].to_numpy(float), candidates["lat"].to_numpy(float)],
        origin,
        roads,
        data_dir,
    )
    frame = pd.DataFrame(centres).assign(time_s=times[: len(centres)])
    candidates = candidates.assign(time_s=times[len(centres) :])
    if care:
        both, how = with_care(pd.concat([frame, candidates], ignore_index=True), graph, data_dir)
        frame = frame.assign(**{c: both[c].to_numpy()[: len(frame)] for c in CARE_COLUMNS})
        candidates = candidates.assign(
            **{c: both[c].to_numpy()[len(frame) :] for c in CARE_COLUMNS}
        )
        travel = f"{travel}; {how}"
    return frame, candidates.dropna(subset=["time_s"]).reset_index(drop=True), travel
