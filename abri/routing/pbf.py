"""Read an OSM PBF extract with pyosmium into an unsimplified networkx graph: the reference path.

abri builds its graphs through arrays (:mod:`abri.routing.osm_arrays`,
:mod:`abri.routing.simplify`); this osmnx-shaped reader is kept as the
reference those arrays are tested against, and for benchmarks.

The file is read once, in C++ (libosmium): node locations go into an index,
and only ways tagged with a road class a coach uses reach Python. The graph
has the shape osmnx builds from OSM XML (one edge per way segment, the
way's tags on each, oneway ways in one direction, ``-1``/``reverse`` ways
reversed, great-circle ``length``), so the same per-way coach times,
restrictions and simplification apply to both inputs
(:func:`abri.routing.graph.simplify_ways`).
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any

import networkx as nx

from abri.errors import GraphError
from abri.routing.osm_arrays import COACH_HIGHWAYS, ONEWAY, REVERSED, PbfStats

__all__ = ["COACH_HIGHWAYS", "WAY_TAGS", "PbfStats", "read_pbf"]
#: Way tags kept on edges: osmnx's defaults and what restricts a coach.
WAY_TAGS = (
    "highway",
    "ref",
    "name",
    "maxspeed",
    "oneway",
    "junction",
    "access",
    "vehicle",
    "motor_vehicle",
    "psv",
    "bus",
    "coach",
    "hgv",
    "maxheight",
    "maxweight",
    "maxlength",
    "maxwidth",
    "bridge",
    "tunnel",
    "lanes",
)


def read_pbf(path: str | os.PathLike[str], *, stats: PbfStats | None = None) -> nx.MultiDiGraph:
    """Unsimplified road graph of the coach road classes in an OSM PBF (or any format libosmium reads).

    Raises
    ------
    GraphError
        The file cannot be read by libosmium, or holds no coach road.
    """
    import osmium
    import osmnx as ox

    path = Path(path)
    stats = stats if stats is not None else PbfStats()
    graph: nx.MultiDiGraph[int] = nx.MultiDiGraph(crs="epsg:4326")
    try:
        processor = (
            osmium.FileProcessor(str(path))
            .with_locations()
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for obj in processor:
            way: Any = obj  # the filters let only ways through
            stats.ways += 1
            tags = {k: way.tags[k] for k in WAY_TAGS if k in way.tags}
            if tags["highway"] not in COACH_HIGHWAYS or way.tags.get("area") == "yes":
                continue
            nodes: list[int] = []
            for ref in way.nodes:
                if not ref.location.valid():
                    stats.missing_nodes += 1
                    continue
                if nodes and nodes[-1] == ref.ref:
                    continue
                nodes.append(ref.ref)
                if ref.ref not in graph:
                    graph.add_node(ref.ref, x=ref.location.lon, y=ref.location.lat)
            if len(nodes) < 2:
                continue
            stats.ways_kept += 1
            oneway = tags.get("oneway") in ONEWAY or tags.get("junction") == "roundabout"
            if oneway and tags.get("oneway") in REVERSED:
                nodes.reverse()
            attrs = {**tags, "osmid": way.id, "oneway": oneway, "reversed": False}
            pairs = list(itertools.pairwise(nodes))
            graph.add_edges_from(pairs, **attrs)
            if not oneway:
                graph.add_edges_from([(v, u) for u, v in pairs], **{**attrs, "reversed": True})
            stats.segments += len(pairs)
    except (
        RuntimeError,
        OSError,
        ValueError,
    ) as exc:  # libosmium reports a bad file as RuntimeError
        msg = f"{path}: cannot read as an OSM PBF extract ({type(exc).__name__}: {exc})"
        raise GraphError(msg) from exc
    if graph.number_of_edges() == 0:
        msg = f"{path}: no road a coach uses in this extract (classes read: {', '.join(sorted(COACH_HIGHWAYS))})"
        raise GraphError(msg)
    return ox.distance.add_edge_lengths(graph)
