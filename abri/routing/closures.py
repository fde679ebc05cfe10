"""Closed roads: which edges of a road graph a closure shuts, and the matrices with them shut.

A closure names a road by an OpenStreetMap way id (:func:`way_edges`: the graph
edges that run along the way's segments, read back from the graph's OSM file)
or by two points on it (:func:`edges_between`: the edges the points lie on and
the fastest road between them). Both directions are closed. The matrices are
measured again on the same contraction hierarchy with the closed edges given
no road (:meth:`~abri.routing.engine.CCHEngine.closed`: a new metric, not a new
order), through :func:`~abri.routing.matrix.travel_matrix` (:func:`closed_matrices`).
"""

from __future__ import annotations

import copy
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from abri.errors import GraphError
from abri.routing.engine import engine_for
from abri.routing.graph import OSM_SUFFIXES, RoadGraph
from abri.routing.matrix import travel_matrix
from abri.routing.osm_arrays import Ways, read_ways
from abri.routing.snap import unit_vectors

SNAP_LIMIT_M = 2000.0
"""A closure's point farther than this from any road of the graph is refused."""
NEIGHBOURS = 16
"""Points of the graph nearest a closure's point whose segments are measured."""
METRES_PER_DEGREE = 111_195.0
_SCALE = 10_000_000  # OSM stores coordinates to 1e-7 degree


def _keys(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """One int64 per coordinate at OSM precision."""
    x = np.rint(np.asarray(lon) * _SCALE).astype(np.int64) + 1_800_000_000
    y = np.rint(np.asarray(lat) * _SCALE).astype(np.int64) + 1_000_000_000
    return x * 2_000_000_000 + y


def _shapes(graph: RoadGraph) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every edge's points in order (end nodes included): lon, lat, the edge, and whether it is last."""
    counts = np.diff(graph.geom_offsets)
    total = counts + 2
    ends = np.cumsum(total)
    starts = ends - total
    size = int(total.sum())
    lon, lat = np.empty(size), np.empty(size)
    lon[starts], lat[starts] = graph.lon[graph.edge_u], graph.lat[graph.edge_u]
    lon[ends - 1], lat[ends - 1] = graph.lon[graph.edge_v], graph.lat[graph.edge_v]
    inner = np.repeat(np.arange(graph.n_edges), counts)
    pos = starts[inner] + 1 + np.arange(len(inner)) - np.repeat(graph.geom_offsets[:-1], counts)
    lon[pos], lat[pos] = graph.geom_coords[:, 0], graph.geom_coords[:, 1]
    edge = np.repeat(np.arange(graph.n_edges), total)
    last = np.zeros(len(edge), dtype=bool)
    last[ends - 1] = True
    return lon, lat, edge, last


def _with_reverse(graph: RoadGraph, edges: np.ndarray) -> np.ndarray:
    """`edges` and, where it exists, the edge the other way."""
    edges = np.unique(np.asarray(edges, dtype=np.int64))
    back = graph.edge_v[edges].astype(np.int64) * graph.n_nodes + graph.edge_u[edges]
    found = np.searchsorted(graph.pair_keys, back).clip(max=max(graph.n_edges - 1, 0))
    reverse = found[graph.pair_keys[found] == back]
    return np.unique(np.r_[edges, reverse])


@lru_cache(maxsize=2)
def _ways(source: str) -> Ways:
    return read_ways(source)


def way_edges(graph: RoadGraph, way: int) -> np.ndarray:
    """The graph edges (both directions) along OSM way `way`; empty when the graph has none of it.

    Raises
    ------
    GraphError
        The graph was not read from an OSM file, so its ways cannot be read back.
    """
    if not graph.source.lower().endswith(OSM_SUFFIXES):
        msg = f"{graph.source or 'this road graph'}: not an OSM file, its way ids cannot be read back; close the road by two points"
        raise GraphError(msg)
    ways = _ways(graph.source)
    found = np.flatnonzero(ways.way_id == way)
    if not len(found):
        return np.empty(0, dtype=np.int64)
    i = int(found[0])
    keys = _keys(
        ways.lon[ways.start[i] : ways.start[i + 1]], ways.lat[ways.start[i] : ways.start[i + 1]]
    )
    wanted = {(min(a, b), max(a, b)) for a, b in zip(keys[:-1].tolist(), keys[1:].tolist())}
    lon, lat, edge, last = _shapes(graph)
    k = _keys(lon, lat)
    a, b, e = k[:-1][~last[:-1]], k[1:][~last[:-1]], edge[:-1][~last[:-1]]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    near = np.flatnonzero(np.isin(lo, keys) & np.isin(hi, keys))
    hits = [int(e[j]) for j in near if (int(lo[j]), int(hi[j])) in wanted]
    return _with_reverse(graph, np.asarray(hits, dtype=np.int64))


def _index(graph: RoadGraph) -> tuple[cKDTree, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A tree of every edge's points (kept on the graph object): their edges, coordinates, last marks."""
    index = graph.__dict__.get("_closure_index")
    if index is None:
        lon, lat, edge, last = _shapes(graph)
        index = (cKDTree(unit_vectors(lon, lat)), edge, lon, lat, last)
        graph.__dict__["_closure_index"] = index
    return index


def nearest_edge(graph: RoadGraph, point: tuple[float, float]) -> tuple[int, float]:
    """The edge passing nearest `point` (lon, lat) and its distance (m) from it (to its nearest segment)."""
    tree, edge, lon, lat, last = _index(graph)
    k = min(NEIGHBOURS, len(edge))
    _, near = tree.query(unit_vectors(np.array([point[0]]), np.array([point[1]])), k=k)
    near = np.atleast_1d(np.asarray(near)).ravel()
    starts = np.unique(np.r_[near, near - 1].clip(min=0))
    starts = starts[(starts < len(edge) - 1) & ~last[starts]]  # segments start..start+1 of one edge
    scale = np.cos(np.radians(point[1]))
    ax, ay = (lon[starts] - point[0]) * scale, lat[starts] - point[1]
    bx, by = (lon[starts + 1] - point[0]) * scale, lat[starts + 1] - point[1]
    dx, dy = bx - ax, by - ay
    t = np.clip(-(ax * dx + ay * dy) / np.maximum(dx * dx + dy * dy, 1e-18), 0, 1)
    degrees = np.hypot(ax + t * dx, ay + t * dy)
    best = int(np.argmin(degrees))
    return int(edge[starts[best]]), float(degrees[best]) * METRES_PER_DEGREE


def edges_between(
    graph: RoadGraph, a: tuple[float, float], b: tuple[float, float]
) -> tuple[np.ndarray, float]:
    """The edges (both directions) of the road from point `a` to point `b`, and the farther point's distance to it (m).

    The road is the edges the points lie nearest and the fastest road between them.
    """
    (e1, d1), (e2, d2) = nearest_edge(graph, a), nearest_edge(graph, b)
    edges = [e1, e2]
    ends_1 = np.array([graph.edge_u[e1], graph.edge_v[e1]], dtype=np.int64)
    ends_2 = np.array([graph.edge_u[e2], graph.edge_v[e2]], dtype=np.int64)
    engine = engine_for(graph)
    times, _ = engine.matrix(ends_1, ends_2)
    if np.isfinite(times).any():
        i, j = np.unravel_index(int(np.argmin(times)), times.shape)
        edges += engine.path_edges(int(ends_1[i]), int(ends_2[j])).tolist()
    return _with_reverse(graph, np.asarray(edges, dtype=np.int64)), max(d1, d2)


def closed_graph(graph: RoadGraph, edges: np.ndarray) -> RoadGraph:
    """A view of `graph` whose engine has `edges` closed (the arrays are shared, not copied)."""
    view = copy.copy(graph)
    view.__dict__["_cch_engine"] = engine_for(graph).closed(edges)
    return view


def closed_matrices(
    graph: RoadGraph, snapped: pd.DataFrame, edges: np.ndarray, *, jobs: int | None = 1
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Time (s) and distance (m) between the snapped points with `edges` closed (NaN when no road is left)."""
    times, km = travel_matrix(
        closed_graph(graph, edges), snapped, snapped, with_distance=True, n_jobs=jobs, engine="cch"
    )
    assert km is not None
    return times, km
