"""One route between two points: its path, length, time, roads, geometry, and the restrictions it avoided."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import LineString

from abri.errors import GraphError
from abri.routing.engine import engine_for
from abri.routing.graph import RoadGraph
from abri.routing.matrix import resolve_engine
from abri.routing.snap import Snapper


@dataclass
class Route:
    """The fastest route between two snapped points."""

    nodes: np.ndarray
    edges: np.ndarray
    road_km: float
    road_s: float
    access_km: float
    access_s: float
    roads: list[str]
    coords: np.ndarray  # lon/lat, access legs included
    avoided: list[str] = field(
        default_factory=list
    )  # restrictions on the faster path a coach may not take ('maxheight=3')
    avoided_s: float = 0.0  # how much longer the route is because of them

    @property
    def km(self) -> float:
        """Door-to-door distance."""
        return self.road_km + self.access_km

    @property
    def hours(self) -> float:
        """Door-to-door driving time."""
        return (self.road_s + self.access_s) / 3600


def node_path(graph: RoadGraph, source: int, target: int, *, engine: str = "auto") -> np.ndarray:
    """Node indices of the fastest path from `source` to `target`; raise if there is none.

    `engine` is ``"cch"``, ``"scipy"`` (the reference) or ``"auto"`` (see :func:`abri.routing.matrix.node_matrix`).
    """

    if source == target:
        return np.array([source], dtype=np.int64)
    if resolve_engine(engine) == "cch":
        nodes = engine_for(graph).path(int(source), int(target))
        if nodes is None:
            msg = f"no road path between junctions {source} and {target} (different components)"
            raise GraphError(msg)
        return nodes
    pred = _predecessors(graph.csr("time"), source)
    if pred[target] < 0:
        msg = f"no road path between junctions {source} and {target} (different components)"
        raise GraphError(msg)
    return _walk(pred, source, target)


def _predecessors(matrix: sp.csr_matrix, source: int) -> np.ndarray:
    return dijkstra(matrix, indices=np.asarray(source, dtype=np.int64), return_predecessors=True)[1]


def _walk(pred: np.ndarray, source: int, target: int) -> np.ndarray:
    path = [int(target)]
    while path[-1] != source:
        path.append(int(pred[path[-1]]))
    return np.array(path[::-1], dtype=np.int64)


def avoided_restrictions(
    graph: RoadGraph, source: int, target: int, road_s: float
) -> tuple[list[str], float]:
    """Restrictions on a path faster than `road_s` that the coach may not take, and the time they cost.

    The fastest path is searched again with the blocked ways allowed (SciPy);
    if it is faster, it uses some of them: their reasons are returned.
    """
    if len(graph.blocked_u) == 0 or source == target:
        return [], 0.0
    n = graph.n_nodes
    rows = np.concatenate([graph.edge_u, graph.blocked_u])
    cols = np.concatenate([graph.edge_v, graph.blocked_v])
    data = np.concatenate([graph.time_s, graph.blocked_time_s])
    keys = rows.astype(np.int64) * n + cols
    order = np.lexsort((data, keys))
    first = np.ones(len(keys), bool)
    first[1:] = keys[order][1:] != keys[order][:-1]
    pick = order[first]
    matrix = sp.csr_matrix((data[pick], (rows[pick], cols[pick])), shape=(n, n))
    dist, pred = dijkstra(
        matrix, indices=np.asarray(source, dtype=np.int64), return_predecessors=True
    )
    if not np.isfinite(dist[target]) or dist[target] >= road_s - 0.5:
        return [], 0.0
    nodes = _walk(pred, source, target)
    blocked_keys = graph.blocked_u.astype(np.int64) * n + graph.blocked_v
    used = np.isin(blocked_keys, nodes[:-1].astype(np.int64) * n + nodes[1:])
    return list(dict.fromkeys(str(w) for w in graph.blocked_why[used])), float(
        road_s - dist[target]
    )


def path_edges(graph: RoadGraph, nodes: np.ndarray) -> np.ndarray:
    """Edge indices along a node path."""
    keys = nodes[:-1].astype(np.int64) * graph.n_nodes + nodes[1:]
    return np.searchsorted(graph.pair_keys, keys)


def road_names(graph: RoadGraph, edges: np.ndarray) -> list[str]:
    """Road references in driving order, consecutive repeats folded (``['A16', 'A26', 'A1']``)."""
    names: list[str] = []
    for ref in graph.edge_ref[edges]:
        if ref >= 0 and (not names or names[-1] != graph.refs[ref]):
            names.append(str(graph.refs[ref]))
    return names


def route(
    snapper: Snapper, start: tuple[float, float], end: tuple[float, float], *, engine: str = "auto"
) -> Route:
    """Fastest route between two lon/lat points (access legs to the nearest junctions included).

    The route also says which coach restrictions (height, weight, access...)
    kept it off a faster path, and what they cost (``avoided``, ``avoided_s``).
    """
    graph = snapper.graph
    snapped = snapper.snap(
        np.array([start[0], end[0]]), np.array([start[1], end[1]]), ids=["from", "to"]
    )
    for label, row in snapped.iterrows():
        if not row["reachable"]:
            point = start if label == "from" else end
            msg = f"--{label} {point[0]},{point[1]}: {row['note']}; is the point at sea or off the road data?"
            swapped = (
                snapper.snap(np.array([point[1]]), np.array([point[0]]), ids=["swapped"])
                if abs(point[0]) <= 90
                else None
            )
            if swapped is not None and bool(swapped["reachable"].iloc[0]):
                msg = (
                    f"--{label} {point[0]},{point[1]}: {row['note']}. Latitude and longitude look swapped: "
                    f"points are LON,LAT (longitude first); did you mean --{label} {point[1]},{point[0]}?"
                )
            raise GraphError(msg)
    source, target = int(snapped.at["from", "node"]), int(snapped.at["to", "node"])
    nodes = node_path(graph, source, target, engine=engine)
    edges = path_edges(graph, nodes)
    road_s = float(graph.time_s[edges].sum())
    avoided, avoided_s = avoided_restrictions(graph, source, target, road_s)
    pieces = [np.array([start])] + [graph.edge_geometry(e) for e in edges] + [np.array([end])]
    if len(edges) == 0:
        pieces.insert(1, np.array([[graph.lon[nodes[0]], graph.lat[nodes[0]]]]))
    return Route(
        nodes=nodes,
        edges=edges,
        road_km=float(graph.length_m[edges].sum() / 1000),
        road_s=road_s,
        access_km=float(snapped["access_road_m"].sum() / 1000),
        access_s=float(snapped["access_s"].sum()),
        roads=road_names(graph, edges),
        coords=np.vstack(pieces),
        avoided=avoided,
        avoided_s=avoided_s,
    )


def route_frame(routes: list[Route], labels: list[str] | None = None) -> gpd.GeoDataFrame:
    """Routes as a GeoDataFrame of lines (EPSG:4326) with km, hours and roads."""
    return gpd.GeoDataFrame(
        {
            "label": labels or [str(i) for i in range(len(routes))],
            "km": [round(r.km, 2) for r in routes],
            "hours": [round(r.hours, 3) for r in routes],
            "roads": [" ".join(r.roads) for r in routes],
        },
        geometry=[LineString(r.coords) for r in routes],
        crs="EPSG:4326",
    )
