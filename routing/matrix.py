"""Travel-time and distance matrices on the compact graph (SciPy csgraph).

Shortest paths minimise coach travel time; the distance reported for a
pair is the length of that fastest path, found in the same Dijkstra pass
(see ``RoadGraph.csr("key")``). Sources are processed in chunks,
over several processes when there are many, each running SciPy's
Dijkstra on the shared CSR matrix.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra
from tqdm.auto import tqdm

from abri.routing.graph import LENGTH_BASE, RoadGraph

CHUNK = 32
_WORKER_GRAPH: RoadGraph | None = None  # set in the parent before forking workers


def _rows(graph: RoadGraph, sources: np.ndarray, targets: np.ndarray, with_distance: bool) -> tuple[np.ndarray, np.ndarray | None]:
    if not with_distance:
        return dijkstra(graph.csr("time"), indices=sources)[:, targets], None
    key = dijkstra(graph.csr("key"), indices=sources)[:, targets]
    ms = np.floor(key / LENGTH_BASE)
    with np.errstate(invalid="ignore"):
        metres = np.where(np.isinf(key), np.inf, key - ms * LENGTH_BASE)
    return ms / 1000, metres


def _worker(args: tuple[np.ndarray, np.ndarray, bool]) -> tuple[np.ndarray, np.ndarray | None]:
    assert _WORKER_GRAPH is not None
    return _rows(_WORKER_GRAPH, *args)


def node_matrix(
    graph: RoadGraph,
    sources: np.ndarray,
    targets: np.ndarray,
    *,
    with_distance: bool = False,
    n_jobs: int | None = None,
    progress: bool = False,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Fastest travel time (s) and its length (m) between graph nodes; inf when unreachable.

    Parameters
    ----------
    sources, targets
        Node indices.
    with_distance
        Also return the length of each fastest path.
    n_jobs
        Worker processes (default: all cores; 1 runs in this process).
    progress
        Show a progress bar.
    """
    global _WORKER_GRAPH
    sources = np.asarray(sources, dtype=np.int64)
    targets = np.asarray(targets, dtype=np.int64)
    unique, inverse = np.unique(sources, return_inverse=True)
    chunks = [unique[i : i + CHUNK] for i in range(0, len(unique), CHUNK)]
    n_jobs = min(n_jobs or os.cpu_count() or 1, len(chunks))
    graph.csr("key" if with_distance else "time")  # build before forking, so workers share it
    bar = tqdm(total=len(unique), desc="travel times", unit="src", disable=not progress, leave=False)
    results = []
    if n_jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for chunk in chunks:
            results.append(_rows(graph, chunk, targets, with_distance))
            bar.update(len(chunk))
    else:
        _WORKER_GRAPH = graph
        try:
            with ProcessPoolExecutor(n_jobs, mp_context=multiprocessing.get_context("fork")) as pool:
                for chunk, result in zip(chunks, pool.map(_worker, [(c, targets, with_distance) for c in chunks])):
                    results.append(result)
                    bar.update(len(chunk))
        finally:
            _WORKER_GRAPH = None
    bar.close()
    times = np.vstack([r[0] for r in results])[inverse] if results else np.empty((0, len(targets)))
    lengths = np.vstack([r[1] for r in results])[inverse] if with_distance and results else None
    return times, lengths


def travel_matrix(
    graph: RoadGraph,
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    *,
    with_distance: bool = True,
    n_jobs: int | None = None,
    progress: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Door-to-door time (s) and distance (m) between snapped points, access legs included.

    `origins` and `destinations` are frames from :func:`abri.routing.snap.snap_points`.
    A pair with an unreachable end is NaN, never 0; a point to itself is 0.
    """
    times, lengths = node_matrix(graph, origins["node"].to_numpy(), destinations["node"].to_numpy(),
                                 with_distance=with_distance, n_jobs=n_jobs, progress=progress)
    access_t = origins["access_s"].to_numpy()[:, None] + destinations["access_s"].to_numpy()[None, :]
    ok = origins["reachable"].to_numpy()[:, None] & destinations["reachable"].to_numpy()[None, :]
    same = origins.index.to_numpy()[:, None] == destinations.index.to_numpy()[None, :]

    def finish(net: np.ndarray, access: np.ndarray) -> pd.DataFrame:
        full = np.where(ok & np.isfinite(net), net + access, np.nan)
        full[same] = 0.0
        return pd.DataFrame(full, index=origins.index, columns=destinations.index)

    time_df = finish(times, access_t)
    if lengths is None:
        return time_df, None
    access_d = origins["access_road_m"].to_numpy()[:, None] + destinations["access_road_m"].to_numpy()[None, :]
    return time_df, finish(lengths, access_d)


def matrix_long(times: pd.DataFrame, lengths: pd.DataFrame | None) -> pd.DataFrame:
    """A matrix as rows ``from_id, to_id, minutes, km`` (NaN where unreachable)."""
    named = times.rename_axis(index="from_id", columns="to_id")
    out = named.stack(future_stack=True).rename("seconds").reset_index()
    out["minutes"] = (out.pop("seconds") / 60).round(2)
    if lengths is not None:
        out["km"] = (lengths.stack(future_stack=True).to_numpy() / 1000).round(3)
    return out
