"""Where points meet roads: snap the origin and the centres, then time and measure the trips between them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from abri.constants import ORIGIN
from abri.routing.graph import RoadGraph
from abri.routing.matrix import travel_matrix
from abri.routing.profile import CoachProfile
from abri.routing.snap import snap_points


def snap_and_measure(
    graph: RoadGraph,
    origin: tuple[float, float],
    centres: pd.DataFrame,
    *,
    profile: CoachProfile,
    jobs: int | None = None,
    progress: bool = False,
    origin_only: bool = False,
    with_distance: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """Snap the origin and the centres to the roads, then time (s) and measure (m) the trips between them.

    The one place where points meet roads: every command and :func:`run_plan` call it.
    With `origin_only`, the matrices have the ``ORIGIN`` row only.
    """
    ids = [ORIGIN, *centres["id"].astype(str)]
    snapped = snap_points(
        graph,
        np.r_[origin[0], centres["lon"].to_numpy(float)],
        np.r_[origin[1], centres["lat"].to_numpy(float)],
        ids=ids,
        profile=profile,
    )
    sources = snapped.iloc[:1] if origin_only else snapped
    times, km = travel_matrix(
        graph, sources, snapped, with_distance=with_distance, n_jobs=jobs, progress=progress
    )
    return snapped, times, km
