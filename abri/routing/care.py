"""Road minutes from each centre to the nearest hospital giving each kind of care.

Centres and hospitals are snapped to the road graph like any point
(:class:`~abri.routing.snap.Snapper`: nearest junction of the national
network, an access leg at each end), and the times are the graph's own:
the **coach** profile the graph was built with (the packaged
``coach_profile.toml`` unless another is given). A car or an ambulance is
faster: these minutes are an upper bound, on the cautious side of a limit.

Only a few hospitals are routed to per centre: its ``candidates`` nearest
in a straight line. The answer is still exact: no hospital farther than the
last candidate can be reached faster than its straight-line distance at the
fastest speed on the graph (:func:`max_speed_mps`), so a centre whose best
road time is not below that bound is searched again with four times as many
candidates. A centre or hospital too far from any road, or a centre with no
hospital of a kind reachable, gets NaN for that kind.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import TypeVar

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from abri.errors import MissingDataError
from abri.geo.hospitals import read_hospitals
from abri.geo.services import CARE_COLUMNS
from abri.inputs.needs import CARE_KINDS
from abri.inputs.report import ValidationReport
from abri.routing.graph import RoadGraph
from abri.routing.matrix import Engine, node_matrix
from abri.routing.profile import CoachProfile, load_profile
from abri.routing.snap import Snapper, great_circle_m, unit_vectors

CARE_CANDIDATES = 8
"""Hospitals routed to per centre and kind in the first round (nearest in a straight line)."""
Frame = TypeVar("Frame", bound=pd.DataFrame)


def max_speed_mps(graph: RoadGraph, profile: CoachProfile) -> float:
    """The fastest a door-to-door trip covers straight-line distance (m/s): the fastest edge or access leg."""
    moving = graph.time_s > 0
    edge = float(np.max(graph.length_m[moving] / graph.time_s[moving])) if moving.any() else 0.0
    return max(edge, profile.access_speed_kmh / 3.6 / profile.detour_factor)


def _door_to_door(
    graph: RoadGraph,
    sources: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    engine: Engine,
    n_jobs: int | None,
) -> np.ndarray:
    """Seconds from snapped `sources` to snapped `targets`, access legs included; NaN when unreachable."""
    times, _ = node_matrix(
        graph,
        sources["node"].to_numpy(),
        targets["node"].to_numpy(),
        engine=engine,
        n_jobs=n_jobs,
    )
    full = times + sources["access_s"].to_numpy()[:, None] + targets["access_s"].to_numpy()[None, :]
    return np.where(np.isfinite(full), full, np.nan)


def _nearest_seconds(
    graph: RoadGraph,
    centres: pd.DataFrame,
    hospitals: pd.DataFrame,
    *,
    speed: float,
    candidates: int,
    engine: Engine,
    n_jobs: int | None,
) -> np.ndarray:
    """Door-to-door seconds from each snapped centre to its fastest-reached hospital (NaN: none).

    Both frames are snapped points with ``lon`` and ``lat``; `hospitals` are all reachable.
    """
    best = np.full(len(centres), np.nan)
    if hospitals.empty:
        return best
    lon, lat = centres["lon"].to_numpy(float), centres["lat"].to_numpy(float)
    h_lon, h_lat = hospitals["lon"].to_numpy(float), hospitals["lat"].to_numpy(float)
    tree = cKDTree(unit_vectors(h_lon, h_lat))
    pending = np.flatnonzero(centres["reachable"].to_numpy(bool))
    k = max(1, candidates)
    while len(pending):
        m = min(k + 1, len(hospitals))
        _, found = tree.query(unit_vectors(lon[pending], lat[pending]), k=m)
        found = np.asarray(found).reshape(len(pending), m)
        columns = np.unique(found[:, :k])
        seconds = _door_to_door(
            graph,
            centres.iloc[pending],
            hospitals.iloc[columns],
            engine=engine,
            n_jobs=n_jobs,
        )
        reached = np.isfinite(seconds).any(axis=1)
        best[pending[reached]] = np.nanmin(seconds[reached], axis=1)
        if m <= k:  # every hospital was a candidate
            break
        nearest_left = found[:, k]
        bound = great_circle_m(lon[pending], lat[pending], h_lon[nearest_left], h_lat[nearest_left])
        proven = reached & (best[pending] <= bound / speed * (1 - 1e-9))
        pending, k = pending[~proven], k * 4
    return best


def care_minutes(
    centres: pd.DataFrame,
    hospitals: pd.DataFrame,
    graph: RoadGraph,
    *,
    profile: CoachProfile | None = None,
    kinds: Sequence[str] = CARE_KINDS,
    candidates: int = CARE_CANDIDATES,
    engine: Engine = "auto",
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Road minutes from each centre to the nearest hospital giving each kind of care.

    Parameters
    ----------
    centres
        ``id``, ``lon``, ``lat`` (validated centres).
    hospitals
        ``lon``, ``lat`` and one bool column per kind (:func:`abri.geo.hospitals.read_hospitals`).
    graph
        The road graph; its times are those of the coach profile it was built with.
    profile
        Access legs (detour factor, local speed, farthest snap); default: the packaged profile.
    kinds
        Kinds of care to measure.
    candidates
        Hospitals routed to per centre in the first round (the result is exact whatever it is).
    engine, n_jobs
        As in :func:`abri.routing.matrix.node_matrix`.

    Returns
    -------
    pandas.DataFrame
        Indexed by centre ``id``, one float column ``care_min_<kind>`` per kind; NaN when the
        centre or every hospital of that kind is off the roads.
    """
    profile = profile or load_profile()
    index = pd.Index(centres["id"].astype(str).tolist(), name="id")
    out = pd.DataFrame(np.nan, index=index, columns=[f"care_min_{k}" for k in kinds])
    if centres.empty:
        return out
    snapper = Snapper(graph, profile)
    c_lon, c_lat = centres["lon"].to_numpy(float), centres["lat"].to_numpy(float)
    snapped = snapper.snap(c_lon, c_lat).reset_index(drop=True).assign(lon=c_lon, lat=c_lat)
    h_lon, h_lat = hospitals["lon"].to_numpy(float), hospitals["lat"].to_numpy(float)
    sites = snapper.snap(h_lon, h_lat).reset_index(drop=True).assign(lon=h_lon, lat=h_lat)
    speed = max_speed_mps(graph, profile)
    for kind in kinds:
        usable = hospitals[kind].to_numpy(bool) & sites["reachable"].to_numpy(bool)
        seconds = _nearest_seconds(
            graph,
            snapped,
            sites[usable],
            speed=speed,
            candidates=candidates,
            engine=engine,
            n_jobs=n_jobs,
        )
        out[f"care_min_{kind}"] = seconds / 60
    return out


def fill_care_minutes(centres: Frame, care: pd.DataFrame) -> Frame:
    """A copy of `centres` whose ``care_min_<kind>`` cells left empty by the file are taken from `care`.

    Values the centre file gave are kept; `care` is :func:`care_minutes`'s frame (indexed by id).
    """
    out = centres.copy()
    ids = out["id"].astype(str)
    for column in care.columns:
        measured = ids.map(care[column]).astype(float)
        given = out[column].astype(float) if column in out else measured * math.nan
        out[column] = given.fillna(measured)
    return out


def add_care_minutes(
    centres: Frame,
    graph: RoadGraph,
    *,
    hospitals: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    profile: CoachProfile | None = None,
    engine: Engine = "auto",
) -> tuple[Frame, ValidationReport | None]:
    """Centres with every care column the file left empty measured on the roads.

    `hospitals` is a hospital list (default: the data directory's ``health/hospitals.csv``).
    Nothing is read or routed when the file gave every value. Returns the centres and the
    hospital list's report (None when it was not read).

    Raises
    ------
    MissingDataError
        A care value is missing and there is no hospital list.
    """
    missing = [c for c in CARE_COLUMNS if c not in centres or centres[c].isna().any()]
    if not missing or centres.empty:
        return centres, None
    try:
        sites, report = read_hospitals(hospitals, data_dir=data_dir)
    except MissingDataError as exc:
        msg = f"{exc} (needed for the road minutes from each centre to care: give care_min_<kind> columns in the centre file, or the hospital list)"
        raise MissingDataError(msg) from exc
    kinds = [c.removeprefix("care_min_") for c in missing]
    care = care_minutes(centres, sites, graph, profile=profile, kinds=kinds, engine=engine)
    return fill_care_minutes(centres, care), report
