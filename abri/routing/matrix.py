"""Travel-time and distance matrices between graph nodes and snapped points.

Two engines answer the same question (``engine=``):

* ``"cch"`` (the default): RoutingKit's customizable contraction hierarchy
  (:mod:`abri.routing.engine`), in threads; times equal the reference to
  the millisecond, km are those of a path within seconds of the fastest;
* ``"scipy"``, the reference: SciPy's Dijkstra on the whole
  ``RoadGraph.csr("key")``, which finds the fastest path (the shortest among
  equally fast ones) and its time and length exactly in one pass. Sources go
  in chunks over worker processes, which die with the parent process.
"""

from __future__ import annotations

import os
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra
from tqdm import tqdm  # plain bars: tqdm.auto warns in notebooks without ipywidgets

from abri.processes import can_fork, process_pool
from abri.routing.engine import engine_for
from abri.routing.graph import LENGTH_BASE, RoadGraph

CHUNK = 32
_WORKER_MATRIX: sp.csr_matrix | None = None  # set in the parent before forking workers
Engine = Literal["auto", "cch", "scipy"]
ENGINES = ("auto", "cch", "scipy")


def _rows(
    matrix: sp.csr_matrix, sources: np.ndarray, targets: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Time (s) and length (m) of the fastest paths, from one Dijkstra on ``"key"`` weights."""
    key = dijkstra(matrix, indices=sources)[:, targets]
    ms = np.floor(key / LENGTH_BASE)
    with np.errstate(invalid="ignore"):
        metres = np.where(np.isinf(key), np.inf, key - ms * LENGTH_BASE)
    return ms / 1000, metres


def _worker(args: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    assert _WORKER_MATRIX is not None
    return _rows(_WORKER_MATRIX, *args)


def resolve_engine(engine: str) -> str:
    """``"auto"`` is ``"cch"`` when routingkit-cch is installed, else ``"scipy"``."""
    if engine not in ENGINES:
        msg = f"unknown routing engine {engine!r}; expected one of {', '.join(ENGINES)}"
        raise ValueError(msg)
    if engine != "auto":
        return engine
    try:
        import routingkit_cch  # noqa: F401
    except ImportError:
        return "scipy"
    return "cch"


def node_matrix(
    graph: RoadGraph,
    sources: np.ndarray,
    targets: np.ndarray,
    *,
    with_distance: bool = False,
    n_jobs: int | None = None,
    progress: bool = False,
    engine: Engine = "auto",
) -> tuple[np.ndarray, np.ndarray | None]:
    """Fastest travel time (s) and its length (m) between graph nodes; inf when unreachable.

    Parameters
    ----------
    sources, targets
        Node indices.
    with_distance
        Also return the length of each fastest path.
    n_jobs
        Threads (CCH) or worker processes (SciPy); default: all cores; 1 runs in this process.
    progress
        Show a progress bar (SciPy engine).
    engine
        ``"cch"``, ``"scipy"`` (the reference) or ``"auto"`` (CCH when installed).
    """
    if resolve_engine(engine) == "cch":
        src, tgt = np.asarray(sources, dtype=np.int64), np.asarray(targets, dtype=np.int64)
        unique, inverse = np.unique(src, return_inverse=True)
        times, lengths = engine_for(graph).matrix(
            unique, tgt, with_distance=with_distance, n_jobs=n_jobs or os.cpu_count() or 1
        )
        return times[inverse].reshape(len(src), len(tgt)), (
            None if lengths is None else lengths[inverse].reshape(len(src), len(tgt))
        )
    return _scipy_matrix(
        graph, sources, targets, with_distance=with_distance, n_jobs=n_jobs, progress=progress
    )


def _scipy_matrix(
    graph: RoadGraph,
    sources: np.ndarray,
    targets: np.ndarray,
    *,
    with_distance: bool,
    n_jobs: int | None,
    progress: bool,
) -> tuple[np.ndarray, np.ndarray | None]:
    """The reference: SciPy's Dijkstra on the ``"key"`` weights, over worker processes."""
    global _WORKER_MATRIX  # noqa: PLW0603 - one matrix per worker process, shared by its tasks
    matrix = graph.csr("key")
    sources, targets = np.asarray(sources, dtype=np.int64), np.asarray(targets, dtype=np.int64)
    unique, inverse = np.unique(sources, return_inverse=True)
    chunks = [unique[i : i + CHUNK] for i in range(0, len(unique), CHUNK)]
    n_jobs = min(n_jobs or os.cpu_count() or 1, len(chunks))
    bar = tqdm(
        total=len(unique), desc="travel times", unit="src", disable=not progress, leave=False
    )
    results = []
    if n_jobs <= 1 or not can_fork():
        for chunk in chunks:
            results.append(_rows(matrix, chunk, targets))
            bar.update(len(chunk))
    else:
        _WORKER_MATRIX = matrix
        try:
            with process_pool(n_jobs) as pool:
                for chunk, result in zip(chunks, pool.map(_worker, [(c, targets) for c in chunks])):
                    results.append(result)
                    bar.update(len(chunk))
        finally:
            _WORKER_MATRIX = None
    bar.close()
    if not results:
        return np.empty((0, len(targets))), (np.empty((0, len(targets))) if with_distance else None)
    times = np.vstack([r[0] for r in results])[inverse]
    return times, (np.vstack([r[1] for r in results])[inverse] if with_distance else None)


def travel_matrix(
    graph: RoadGraph,
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    *,
    with_distance: bool = True,
    n_jobs: int | None = None,
    progress: bool = False,
    engine: Engine = "auto",
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Door-to-door time (s) and distance (m) between snapped points, access legs included.

    `origins` and `destinations` are frames from :func:`abri.routing.snap.snap_points`.
    A pair with an unreachable end is NaN, never 0; a point to itself is 0.
    `engine` is as in :func:`node_matrix`.
    """
    times, lengths = node_matrix(
        graph,
        origins["node"].to_numpy(),
        destinations["node"].to_numpy(),
        with_distance=with_distance,
        n_jobs=n_jobs,
        progress=progress,
        engine=engine,
    )
    access_t = (
        origins["access_s"].to_numpy()[:, None] + destinations["access_s"].to_numpy()[None, :]
    )
    ok = origins["reachable"].to_numpy()[:, None] & destinations["reachable"].to_numpy()[None, :]
    same = origins.index.to_numpy()[:, None] == destinations.index.to_numpy()[None, :]

    def finish(net: np.ndarray, access: np.ndarray) -> pd.DataFrame:
        full = np.where(ok & np.isfinite(net), net + access, np.nan)
        full[same] = 0.0
        return pd.DataFrame(full, index=origins.index, columns=destinations.index)

    time_df = finish(times, access_t)
    if lengths is None:
        return time_df, None
    access_d = (
        origins["access_road_m"].to_numpy()[:, None]
        + destinations["access_road_m"].to_numpy()[None, :]
    )
    return time_df, finish(lengths, access_d)


def matrix_long(times: pd.DataFrame, lengths: pd.DataFrame | None) -> pd.DataFrame:
    """A matrix as rows ``from_id, to_id, minutes, km`` (NaN where unreachable)."""
    named = times.rename_axis(index="from_id", columns="to_id")
    out = named.stack(future_stack=True).rename("seconds").reset_index()
    out["minutes"] = (out.pop("seconds") / 60).round(2)
    if lengths is not None:
        out["km"] = (lengths.stack(future_stack=True).to_numpy() / 1000).round(3)
    return out
