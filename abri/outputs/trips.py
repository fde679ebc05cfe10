"""Road geometry of coach trips, for maps."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from abri.planning.schedule import Trip, s_to_clock
from abri.routing.engine import engine_for
from abri.routing.graph import RoadGraph
from abri.routing.route import path_edges, road_names

PALETTE = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"]


def _paths(graph: RoadGraph, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], np.ndarray]:
    """Node paths for (source, target) pairs, fastest by the graph's CCH (just the source when unreachable)."""
    engine = engine_for(graph)
    out = {}
    for source, target in pairs:
        nodes = engine.path(source, target) if source != target else None
        out[(source, target)] = (
            nodes if nodes is not None and len(nodes) else np.array([source], dtype=np.int64)
        )
    return out


LINE_COLUMNS = [
    "coach",
    "day",
    "departure",
    "stops",
    "people",
    "km",
    "driving_h",
    "drivers",
    "legal",
    "roads",
    "colour",
    "geometry",
]


def trip_lines(
    graph: RoadGraph,
    snapped: pd.DataFrame,
    trips: list[Trip],
    *,
    tolerance: float = 0.002,
    points: dict[str, tuple[float, float]] | None = None,
) -> gpd.GeoDataFrame:
    """One line per trip along its roads, from the origin through its stops (EPSG:4326).

    Parameters
    ----------
    graph, snapped
        The road graph and the snapped points, indexed by ``ORIGIN`` and centre
        ids (see :func:`abri.routing.snap.snap_points`).
    trips
        The plan's trips.
    tolerance
        Simplification in degrees (0.002 for light maps; 0 keeps every road point).
    points
        Lon/lat of ``ORIGIN`` and the centres: each access leg (point to its
        junction) is then drawn as a straight segment, so the line runs door
        to door. Its length is the road length plus the straight access legs;
        a trip's ``km`` counts access legs with the profile's detour factor.

    Returns
    -------
    GeoDataFrame
        ``coach``, ``day``, ``departure`` (``HH:MM``), ``stops``, ``people``,
        ``km``, ``driving_h``, ``drivers``, ``legal``, ``roads``, ``colour``
        and the line; empty (with these columns) when there are no trips.

    Examples
    --------
    >>> lines = trip_lines(
    ...     run.graph, run.snapped, run.plan.trips, tolerance=0, points=run.points
    ... )  # doctest: +SKIP
    >>> lines.to_crs("EPSG:2154").length.head()  # doctest: +SKIP
    """
    if not trips:
        return gpd.GeoDataFrame(
            {c: [] for c in LINE_COLUMNS[:-1]},
            geometry=gpd.GeoSeries([], crs="EPSG:4326"),
            crs="EPSG:4326",
        )
    node = snapped["node"].astype(int).to_dict()
    pairs = set()
    for trip in trips:
        previous = "ORIGIN"
        for stop in trip.stops:
            pairs.add((node[previous], node[stop.centre_id]))
            previous = stop.centre_id
    paths = _paths(graph, pairs)
    days = sorted({t.day for t in trips})
    rows = []
    for trip in trips:
        coords: list[Any] = []
        roads: list[str] = []
        previous = "ORIGIN"
        for stop in trip.stops:
            nodes = paths[(node[previous], node[stop.centre_id])]
            edges = path_edges(graph, nodes) if len(nodes) > 1 else np.array([], dtype=int)
            if points is not None and previous in points:
                coords.append(np.array([points[previous]], dtype=float))
            coords += [graph.edge_geometry(e) for e in edges] or [
                np.array([[graph.lon[nodes[0]], graph.lat[nodes[0]]]])
            ]
            if points is not None and stop.centre_id in points:
                coords.append(np.array([points[stop.centre_id]], dtype=float))
            roads += [r for r in road_names(graph, edges) if not roads or roads[-1] != r]
            previous = stop.centre_id
        line = np.vstack(coords)
        line = line[np.r_[True, np.any(np.diff(line, axis=0) != 0, axis=1)]]  # no repeated points
        geometry: BaseGeometry = LineString(line if len(line) > 1 else np.vstack([line, line]))
        geometry = geometry.simplify(tolerance) if tolerance > 0 else geometry
        rows.append(
            {
                "coach": trip.coach,
                "day": trip.day,
                "departure": s_to_clock(trip.departure_s),
                "stops": " > ".join(
                    f"{s.centre_id} {s_to_clock(s.arrival_s)} ({len(s.people)})" for s in trip.stops
                ),
                "people": trip.people,
                "km": round(trip.km, 1),
                "driving_h": round(trip.driving_s / 3600, 2),
                "drivers": trip.drivers,
                "legal": trip.legal,
                "roads": " ".join(roads),
                "colour": PALETTE[days.index(trip.day) % len(PALETTE)],
                "geometry": geometry,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
