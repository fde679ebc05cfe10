"""One route between two points: its path, length, time, roads and geometry."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import LineString

from abri.errors import GraphError
from abri.routing.graph import RoadGraph
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

    @property
    def km(self) -> float:
        """Door-to-door distance."""
        return self.road_km + self.access_km

    @property
    def hours(self) -> float:
        """Door-to-door driving time."""
        return (self.road_s + self.access_s) / 3600


def node_path(graph: RoadGraph, source: int, target: int) -> np.ndarray:
    """Node indices of the fastest path from `source` to `target`; raise if there is none."""
    _, pred = dijkstra(graph.csr("time"), indices=int(source), return_predecessors=True)
    if source != target and pred[target] < 0:
        msg = f"no road path between junctions {source} and {target} (different components)"
        raise GraphError(msg)
    path = [int(target)]
    while path[-1] != source:
        path.append(int(pred[path[-1]]))
    return np.array(path[::-1], dtype=np.int64)


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


def route(snapper: Snapper, start: tuple[float, float], end: tuple[float, float]) -> Route:
    """Fastest route between two lon/lat points (access legs to the nearest junctions included)."""
    graph = snapper.graph
    snapped = snapper.snap(np.array([start[0], end[0]]), np.array([start[1], end[1]]), ids=["from", "to"])
    for label, row in snapped.iterrows():
        if not row["reachable"]:
            point = start if label == "from" else end
            msg = f"--{label} {point[0]},{point[1]}: {row['note']}; is the point at sea or off the road data?"
            raise GraphError(msg)
    nodes = node_path(graph, int(snapped.at["from", "node"]), int(snapped.at["to", "node"]))
    edges = path_edges(graph, nodes)
    pieces = [np.array([start])] + [graph.edge_geometry(e) for e in edges] + [np.array([end])]
    if len(edges) == 0:
        pieces.insert(1, np.array([[graph.lon[nodes[0]], graph.lat[nodes[0]]]]))
    return Route(
        nodes=nodes,
        edges=edges,
        road_km=float(graph.length_m[edges].sum() / 1000),
        road_s=float(graph.time_s[edges].sum()),
        access_km=float(snapped["access_road_m"].sum() / 1000),
        access_s=float(snapped["access_s"].sum()),
        roads=road_names(graph, edges),
        coords=np.vstack(pieces),
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
