"""The road graph: read from OSM (PBF or XML) into arrays, simplified as arrays, cached on disk.

A :class:`RoadGraph` holds the drivable network as NumPy arrays (nodes,
directed edges, lengths, coach travel times, road references, geometry) and
a SciPy CSR matrix for shortest paths. Coach travel time is computed per OSM
way before osmnx merges chains of ways into one edge, then summed (a motorway
followed by a trunk keeps each its own speed). Ways the coach may not use
(:meth:`CoachProfile.restriction`) are left out of the routable edges and
kept apart (``blocked_*``) so that a route can say what it avoided.
OSM files are read by pyosmium into arrays (:mod:`abri.routing.osm_arrays`)
and contracted with NumPy (:mod:`abri.routing.simplify`), giving the same
arrays as osmnx's path (:func:`read_osm_graph` then :func:`from_networkx`,
kept for GraphML, Overpass downloads and as the reference in tests). The
arrays are cached in a ``.npz`` keyed by the input's checksum and the speed
profile, so a second run loads them in about a second.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from tqdm import tqdm  # plain bars: tqdm.auto warns in notebooks without ipywidgets

from abri.errors import GraphError
from abri.files import atomic_path
from abri.inputs.datadir import DATASETS, dataset_path, sha256_file, user_cache_dir
from abri.routing.osm_arrays import read_ways, way_attributes
from abri.routing.pbf import read_pbf
from abri.routing.profile import CoachProfile, load_profile
from abri.routing.roadside import load_roadside
from abri.routing.simplify import morton_code, road_arrays

log = logging.getLogger(__name__)
FORMAT_VERSION = 5  # 4: time per way before simplification; blocked edges; 5: built from arrays
#: Paths are shorter than this many metres (16,777 km), so time and length pack into one exact float.
LENGTH_BASE = float(2**24)
#: Road classes kept when downloading from Overpass (coach-usable roads).
DOWNLOAD_FILTER = (
    '["highway"~"motorway|trunk|primary|secondary|tertiary|motorway_link|trunk_link|primary_link"]'
)
#: OSM way tags read from XML besides osmnx's defaults: what restricts a coach.
RESTRICTION_TAGS = (
    "maxheight",
    "maxweight",
    "maxlength",
    "maxwidth",
    "vehicle",
    "motor_vehicle",
    "psv",
    "bus",
    "coach",
)


@dataclass
class RoadGraph:
    """A directed road network as arrays.

    Nodes are indexed 0..n-1; edges are directed (a two-way road is two
    edges), with at most one edge per ordered node pair (the fastest).
    """

    node_osmid: np.ndarray  # int64 (n,)
    lon: np.ndarray  # float64 (n,)
    lat: np.ndarray  # float64 (n,)
    edge_u: np.ndarray  # int32 (m,)
    edge_v: np.ndarray  # int32 (m,)
    length_m: np.ndarray  # float64 (m,)
    time_s: np.ndarray  # float64 (m,)
    edge_ref: np.ndarray  # int32 (m,), index into refs, -1 if none
    refs: np.ndarray  # str (k,)
    geom_offsets: np.ndarray  # int64 (m+1,), interior points of edge i are geom_coords[o[i]:o[i+1]]
    geom_coords: np.ndarray  # float64 (p, 2) lon/lat
    source: str = ""
    profile: str = ""
    blocked_u: np.ndarray = field(
        default_factory=lambda: np.empty(0, np.int32)
    )  # edges the coach may not use
    blocked_v: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    blocked_time_s: np.ndarray = field(default_factory=lambda: np.empty(0, float))
    blocked_why: np.ndarray = field(
        default_factory=lambda: np.empty(0, str)
    )  # 'maxheight=3', 'bus=no'...

    def __repr__(self) -> str:
        return f"RoadGraph({self.source or 'unnamed'!r}, {self.n_nodes:,} junctions, {self.n_edges:,} directed edges, profile {self.profile!r})"

    @property
    def n_nodes(self) -> int:
        """Number of junctions."""
        return len(self.node_osmid)

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return len(self.edge_u)

    def csr(self, weight: str = "time") -> sp.csr_matrix:
        """Adjacency matrix weighted by ``"time"`` (s) or ``"key"``.

        The ``"key"`` weight is ``time_ms * LENGTH_BASE + length_m``, both whole
        numbers: one Dijkstra on it finds the fastest path (shortest among
        equally fast ones) and its time and length, exactly, in one pass.
        """
        return {"time": self._time_csr, "key": self._key_csr}[weight]

    @cached_property
    def _key_csr(self) -> sp.csr_matrix:
        key = np.rint(self.time_s * 1000) * LENGTH_BASE + self.length_m
        return sp.csr_matrix((key, (self.edge_u, self.edge_v)), shape=(self.n_nodes, self.n_nodes))

    @cached_property
    def _time_csr(self) -> sp.csr_matrix:
        return sp.csr_matrix(
            (self.time_s, (self.edge_u, self.edge_v)), shape=(self.n_nodes, self.n_nodes)
        )

    @cached_property
    def digest(self) -> str:
        """A short hash of the routable edges and nodes (keys the engine's cached index)."""
        import hashlib

        h = hashlib.sha256()
        for a in (self.edge_u, self.edge_v, self.lon, self.lat):
            h.update(np.ascontiguousarray(a).tobytes())
        return h.hexdigest()[:16]

    @cached_property
    def pair_keys(self) -> np.ndarray:
        """``u * n + v`` for each edge, sorted (edges are stored in (u, v) order)."""
        return self.edge_u.astype(np.int64) * self.n_nodes + self.edge_v

    @cached_property
    def components(self) -> np.ndarray:
        """Weakly connected component label of each node."""
        return connected_components(self._time_csr, directed=True, connection="weak")[1]

    @cached_property
    def main_component(self) -> int:
        """Label of the largest component (the national network)."""
        return int(np.bincount(self.components).argmax())

    def edge_geometry(self, edge: int) -> np.ndarray:
        """Lon/lat points of one edge, end nodes included."""
        u, v = self.edge_u[edge], self.edge_v[edge]
        inner = self.geom_coords[self.geom_offsets[edge] : self.geom_offsets[edge + 1]]
        return np.vstack([[self.lon[u], self.lat[u]], inner, [self.lon[v], self.lat[v]]])

    def to_networkx(self) -> nx.DiGraph:
        """A networkx DiGraph with ``travel_time`` and ``length`` on each edge (for checks and small jobs)."""
        graph: nx.DiGraph[int] = nx.DiGraph()
        graph.add_nodes_from((i, {"x": self.lon[i], "y": self.lat[i]}) for i in range(self.n_nodes))
        graph.add_edges_from(
            (int(u), int(v), {"travel_time": float(t), "length": float(d)})
            for u, v, t, d in zip(self.edge_u, self.edge_v, self.time_s, self.length_m)
        )
        return graph

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the arrays to a ``.npz`` file (whole or not at all)."""

        path = Path(path)
        arrays = {k: getattr(self, k) for k in _ARRAYS}
        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            np.savez(
                fh,
                format_version=FORMAT_VERSION,
                source=self.source,
                profile=self.profile,
                **arrays,
            )
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> RoadGraph:
        """Read a graph written by :meth:`save`; a truncated, corrupt or older file raises :class:`GraphError`."""
        try:
            with np.load(path, allow_pickle=False) as data:
                if int(data["format_version"]) != FORMAT_VERSION:
                    msg = f"{path}: graph format {int(data['format_version'])}, expected {FORMAT_VERSION}; rebuild it"
                    raise GraphError(msg)
                graph = cls(
                    **{k: data[k] for k in _ARRAYS},
                    source=str(data["source"]),
                    profile=str(data["profile"]),
                )
        except GraphError:
            raise
        except (
            Exception
        ) as exc:  # BadZipFile, EOFError, zlib.error, KeyError, ValueError...: all mean a bad file
            msg = (
                f"{path}: not an abri graph file, or a truncated one ({type(exc).__name__}: {exc})"
            )
            raise GraphError(msg) from exc
        n, m = graph.n_nodes, graph.n_edges
        sizes_ok = (
            len(graph.lon) == len(graph.lat) == n
            and len(graph.edge_v) == len(graph.length_m) == len(graph.time_s) == m
            and len(graph.geom_offsets) == m + 1
        )
        if not sizes_ok or (m and (graph.edge_u.max() >= n or graph.edge_v.max() >= n)):
            msg = f"{path}: inconsistent abri graph file (array sizes do not match); rebuild it"
            raise GraphError(msg)
        return graph


_ARRAYS = (
    "node_osmid",
    "lon",
    "lat",
    "edge_u",
    "edge_v",
    "length_m",
    "time_s",
    "edge_ref",
    "refs",
    "geom_offsets",
    "geom_coords",
    "blocked_u",
    "blocked_v",
    "blocked_time_s",
    "blocked_why",
)


def _first(value: object) -> str:
    if isinstance(value, list):
        return ";".join(dict.fromkeys(str(v) for v in value))
    return "" if value is None else str(value)


def annotate_ways(raw: nx.MultiDiGraph, profile: CoachProfile) -> nx.MultiDiGraph:
    """Set each unsimplified edge's ``travel_time`` (s, from its own way's class and maxspeed) and ``restriction``."""
    for _, _, data in raw.edges(data=True):
        data["travel_time"] = profile.way_seconds(
            float(data.get("length", 0.0)), data.get("highway"), data.get("maxspeed")
        )
        data["restriction"] = profile.restriction(data)
    return raw


def simplify_ways(raw: nx.MultiDiGraph, profile: CoachProfile) -> nx.MultiDiGraph:
    """Coach times per way, then osmnx's simplification summing time and length along merged chains.

    A chain is never merged across a change of restriction, so a blocked
    stretch stays its own edge.
    """
    import osmnx as ox

    annotate_ways(raw, profile)
    if raw.number_of_edges() == 0:
        return raw
    return ox.simplify_graph(
        raw, edge_attrs_differ=["restriction"], edge_attr_aggs={"length": sum, "travel_time": sum}
    )


def from_networkx(graph: nx.MultiDiGraph, profile: CoachProfile, *, source: str = "") -> RoadGraph:
    """Arrays from an osmnx graph; the fastest edge kept per node pair.

    Coach times come from each edge's ``travel_time`` when the graph was read
    through :func:`simplify_ways` (per way, summed); otherwise (a GraphML file
    from elsewhere) from the slowest road class of the merged edge. Edges
    with a ``restriction`` go to the ``blocked_*`` arrays.
    """
    if graph.number_of_nodes() == 0 or graph.number_of_edges() == 0:
        msg = f"{source or 'graph'}: the road graph is empty (no drivable roads found)"
        raise GraphError(msg)
    osmids = np.fromiter(graph.nodes, dtype=np.int64, count=graph.number_of_nodes())
    lon = np.array([graph.nodes[n]["x"] for n in graph.nodes], dtype=float)
    lat = np.array([graph.nodes[n]["y"] for n in graph.nodes], dtype=float)
    order = np.argsort(morton_code(lon, lat), kind="stable")  # nearby junctions, nearby in memory
    osmids, lon, lat = osmids[order], lon[order], lat[order]
    index = {int(n): i for i, n in enumerate(osmids)}
    best: dict[tuple[int, int], tuple[float, float, str, object]] = {}
    blocked: dict[tuple[int, int], tuple[float, str]] = {}
    for u, v, data in graph.edges(data=True):
        if u == v:
            continue
        length = float(round(data.get("length", 0.0)))  # whole metres
        if "travel_time" in data:
            seconds = max(round(float(data["travel_time"]), 3), 1e-3)  # whole ms
        else:
            seconds = max(round(length / (profile.speed(data.get("highway")) / 3.6), 3), 1e-3)
        key = (index[int(u)], index[int(v)])
        why = _first(data.get("restriction"))
        if why:
            if key not in blocked or seconds < blocked[key][0]:
                blocked[key] = (seconds, why)
            continue
        if key not in best or seconds < best[key][1]:
            best[key] = (
                length,
                seconds,
                _first(data.get("ref") or data.get("name")),
                data.get("geometry"),
            )
    if not best:
        msg = f"{source or 'graph'}: no road a coach may use (every way is restricted)"
        raise GraphError(msg)
    keys = sorted(best)
    refs_list = sorted({best[k][2] for k in keys if best[k][2]})
    ref_id = {r: i for i, r in enumerate(refs_list)}
    offsets = [0]
    coords: list[tuple[float, float]] = []
    for k in keys:
        geom: Any = best[k][3]
        if geom is not None:
            coords.extend(list(geom.coords)[1:-1])
        offsets.append(len(coords))
    bkeys = sorted(blocked)
    return RoadGraph(
        node_osmid=osmids,
        lon=lon,
        lat=lat,
        edge_u=np.array([k[0] for k in keys], dtype=np.int32),
        edge_v=np.array([k[1] for k in keys], dtype=np.int32),
        length_m=np.array([best[k][0] for k in keys], dtype=float),
        time_s=np.array([best[k][1] for k in keys], dtype=float),
        edge_ref=np.array([ref_id.get(best[k][2], -1) for k in keys], dtype=np.int32),
        refs=np.array(refs_list, dtype=str),
        geom_offsets=np.array(offsets, dtype=np.int64),
        geom_coords=np.array(coords, dtype=float).reshape(-1, 2),
        source=source,
        profile=profile.digest(),
        blocked_u=np.array([k[0] for k in bkeys], dtype=np.int32),
        blocked_v=np.array([k[1] for k in bkeys], dtype=np.int32),
        blocked_time_s=np.array([blocked[k][0] for k in bkeys], dtype=float),
        blocked_why=np.array([blocked[k][1] for k in bkeys], dtype=str),
    )


def read_osm_graph(
    path: str | os.PathLike[str], profile: CoachProfile | None = None
) -> nx.MultiDiGraph:
    """Read OSM XML (``.osm``, ``.osm.bz2``), an OSM PBF (``.osm.pbf``) or GraphML; simplified, every component kept.

    OSM inputs get coach times and restrictions per way before simplification
    (:func:`simplify_ways`); GraphML is taken as it is.
    """
    import osmnx as ox

    profile = profile or load_profile()
    path = Path(path)
    if not path.is_file():
        msg = f"{path}: no such road file"
        raise GraphError(msg)
    name = path.name.lower()
    if name.endswith(".pbf"):
        return simplify_ways(read_pbf(path), profile)
    try:
        if name.endswith(".graphml"):
            return ox.load_graphml(path)
        if name.endswith((".osm", ".osm.bz2", ".xml", ".xml.bz2")):
            saved = list(ox.settings.useful_tags_way)
            ox.settings.useful_tags_way = list(dict.fromkeys([*saved, *RESTRICTION_TAGS]))
            try:
                raw = ox.graph_from_xml(path, simplify=False, retain_all=True)
            finally:
                ox.settings.useful_tags_way = saved
            return simplify_ways(raw, profile)
    except GraphError:
        raise
    except Exception as exc:  # the XML parser and osmnx raise many types for a bad file
        msg = f"{path}: cannot read as OSM XML / GraphML ({type(exc).__name__}: {exc})"
        raise GraphError(msg) from exc
    msg = f"{path}: unsupported road file; expected .osm, .osm.bz2, .osm.pbf, .graphml or an abri .npz graph"
    raise GraphError(msg)


#: File names the array path reads (libosmium's formats).
OSM_SUFFIXES = (".osm", ".osm.bz2", ".osm.pbf", ".pbf", ".xml", ".xml.bz2", ".osm.gz")


def build_osm(path: str | os.PathLike[str], profile: CoachProfile | None = None) -> RoadGraph:
    """The road graph of an OSM file, through arrays only (no networkx): same arrays as :func:`from_networkx`."""
    profile = profile or load_profile()
    path = Path(path)
    if not path.is_file():
        msg = f"{path}: no such road file"
        raise GraphError(msg)
    ways = read_ways(path)
    try:
        arrays = road_arrays(ways, way_attributes(ways, profile))
    except GraphError as exc:
        raise GraphError(f"{path}: {exc}") from exc
    return RoadGraph(**arrays, source=str(path), profile=profile.digest())


def download_graph(
    place: str, profile: CoachProfile | None = None, *, custom_filter: str = DOWNLOAD_FILTER
) -> nx.MultiDiGraph:
    """Download a drivable network from OpenStreetMap (Overpass) with osmnx. Needs internet."""
    import osmnx as ox

    try:
        raw = ox.graph_from_place(
            place, custom_filter=custom_filter, simplify=False, retain_all=True
        )
    except Exception as exc:  # network and geocoding failures come in many types
        msg = f"cannot download the road network for {place!r} from OpenStreetMap ({type(exc).__name__}: {exc})"
        raise GraphError(msg) from exc
    return simplify_ways(raw, profile or load_profile())


def cache_dir() -> Path:
    """Where built graphs are cached: ``$ABRI_CACHE_DIR``, else the user's cache directory (``~/.cache/abri`` on Linux)."""

    return user_cache_dir()


def resolve_roads(
    roads: str | os.PathLike[str], data_dir: str | os.PathLike[str] | None = None
) -> Path:
    """A road source: a file path, or a dataset name of the data pack (``france-all-roads``...)."""
    if str(roads) in DATASETS:
        return dataset_path(str(roads), data_dir)
    path = Path(roads)
    if not path.is_file():
        names = ", ".join(n for n in DATASETS if "roads" in n)
        msg = f"{roads}: no such road file, and not a data pack road set ({names})"
        raise GraphError(msg)
    return path


def load_graph(
    roads: str | os.PathLike[str],
    *,
    profile: CoachProfile | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    download: bool = False,
    use_cache: bool = True,
    progress: bool = False,
) -> RoadGraph:
    """The road graph from a file, a data pack name, or (with ``download=True``) a place name.

    Parameters
    ----------
    roads
        ``.osm``/``.osm.bz2``/``.osm.pbf``/``.graphml``/abri ``.npz`` path, a data pack
        road set name (``france-all-roads``), or with `download` a place
        to fetch from OpenStreetMap (``"Calais, France"``).
    profile
        Coach speed profile (default: the packaged one).
    download
        Fetch from Overpass instead of reading a file; needs internet.
    use_cache
        Reuse (and write) the cached arrays under :func:`cache_dir`.
    progress
        Show a progress bar while building.
    """
    profile = profile or load_profile()
    if download:
        return from_networkx(
            download_graph(str(roads), profile), profile, source=f"overpass:{roads}"
        )
    path = resolve_roads(roads, data_dir)
    if path.suffix == ".npz":
        return RoadGraph.load(path)
    digest = sha256_file(path)
    key = f"{path.name}-{digest[:16]}-{profile.digest()}-v{FORMAT_VERSION}.npz"
    cached = cache_dir() / "graphs" / key
    if use_cache and cached.is_file():
        log.info("loading cached graph %s", cached)
        try:
            return RoadGraph.load(cached)
        except GraphError:
            log.warning("cached graph %s is unreadable; rebuilding", cached)
    log.info("building graph from %s", path)
    with tqdm(
        total=3, desc=f"road graph {path.name}", unit="step", leave=False, disable=not progress
    ) as bar:
        bar.set_postfix_str("reading, coach times per way, simplifying")
        if path.name.lower().endswith(OSM_SUFFIXES):
            graph = build_osm(path, profile)
            if use_cache:  # the places a break can be named by, kept beside the graph
                load_roadside(path, digest=digest)
            bar.update(2)
        else:
            raw = read_osm_graph(path, profile)
            bar.update()
            bar.set_postfix_str("arrays")
            graph = from_networkx(raw, profile, source=str(path))
            bar.update()
        if use_cache:
            bar.set_postfix_str("caching")
            graph.save(cached)
        bar.update()
    return graph
