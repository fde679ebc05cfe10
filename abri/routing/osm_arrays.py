"""Read the coach's roads from an OSM file (PBF, XML, bz2) into NumPy arrays, with pyosmium.

libosmium reads the file in C++: node locations go into an index (in memory
for an extract, in a file on disk for a country, chosen by the file's size)
and only ways with a ``highway`` tag reach Python, where each way's node
references and coordinates are appended to flat arrays and its tags are
reduced to one small integer: the index of its distinct tag combination.
The coach's speed, one-way direction and restriction are then computed once
per distinct combination (:func:`way_attributes`), not once per way. No road
is ever held as a Python object beyond the way being read.
"""

from __future__ import annotations

import math
import os
import struct
import tempfile
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from abri.errors import GraphError
from abri.routing.profile import CoachProfile

#: Road classes a coach uses (others: tracks, paths, service roads, are not read).
COACH_HIGHWAYS = frozenset(
    {
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "road",
    }
)
#: ``oneway`` values meaning one direction only (osmnx's list), and those meaning against the node order.
ONEWAY = frozenset({"yes", "true", "1", "-1", "reverse", "T", "F"})
REVERSED = frozenset({"-1", "reverse", "T"})
#: Tags that decide a way's speed, direction and restriction, in the order of a tag class tuple.
CLASS_TAGS = (
    "highway",
    "maxspeed",
    "oneway",
    "junction",
    "access",
    "vehicle",
    "motor_vehicle",
    "psv",
    "bus",
    "coach",
    "maxheight",
    "maxweight",
    "maxlength",
    "maxwidth",
)
#: Files above this size get their node locations indexed on disk, not in memory.
DISK_INDEX_BYTES = 256 * 2**20
#: One-way codes of :attr:`Ways.oneway`.
BOTH_WAYS, FORWARD, BACKWARD = 0, 1, 2


@dataclass
class PbfStats:
    """What a read went through (for benchmarks and messages)."""

    ways: int = 0
    ways_kept: int = 0
    segments: int = 0
    missing_nodes: int = 0


@dataclass
class Ways:
    """The coach's ways of one file, as flat arrays (way ``i``'s nodes are ``node_id[start[i]:start[i+1]]``)."""

    node_id: np.ndarray  # int64 (p,)
    lon: np.ndarray  # float64 (p,)
    lat: np.ndarray  # float64 (p,)
    start: np.ndarray  # int64 (w+1,)
    way_id: np.ndarray  # int64 (w,)
    tag_class: np.ndarray  # int32 (w,), index into classes
    ref: np.ndarray  # int32 (w,), index into labels, -1 if none
    name: np.ndarray  # int32 (w,), index into labels, -1 if none
    classes: list[tuple[str | None, ...]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    stats: PbfStats = field(default_factory=PbfStats)


def location_storage(path: Path, folder: str) -> str:
    """libosmium's node location index for a file: in memory for an extract, a sparse file on disk beyond."""
    if path.stat().st_size <= DISK_INDEX_BYTES:
        return "flex_mem"
    return f"sparse_file_array,{os.path.join(folder, 'locations.idx')}"


class _Collector:
    """Appends each coach way to flat arrays; tag combinations and names are interned.

    Coordinates come out of C++ in one call per way (a WKB line string); only
    a way with a node missing from the extract is read node by node.
    """

    def __init__(self, invalid: type[Exception]) -> None:
        import osmium.geom

        self.factory = osmium.geom.WKBFactory()
        self.all_nodes = osmium.geom.use_nodes.ALL
        self.invalid = invalid
        self.ids, self.coords = array("q"), bytearray()
        self.start, self.way_id = array("q", [0]), array("q")
        self.tag_class, self.ref, self.name = array("i"), array("i"), array("i")
        self.classes: dict[tuple[str | None, ...], int] = {}
        self.labels: dict[str, int] = {}
        self.ways = 0

    def label(self, value: str | None) -> int:
        if value is None:
            return -1
        return self.labels.setdefault(value, len(self.labels))

    def add(self, way: Any) -> None:
        self.ways += 1
        tags = way.tags
        key = tuple(tags.get(k) for k in CLASS_TAGS)
        if key[0] not in COACH_HIGHWAYS or tags.get("area") == "yes":
            return
        nodes = way.nodes
        self.ids.extend([node.ref for node in nodes])
        try:
            self.coords += bytes.fromhex(self.factory.create_linestring(way, self.all_nodes))[9:]
        except (self.invalid, RuntimeError):  # a node without location, or a single node
            nan = math.nan
            for node in nodes:
                location = node.location
                valid = location.valid()
                self.coords += struct.pack(
                    "<dd", location.lon if valid else nan, location.lat if valid else nan
                )
        self.start.append(len(self.ids))
        self.way_id.append(way.id)
        self.tag_class.append(self.classes.setdefault(key, len(self.classes)))
        self.ref.append(self.label(tags.get("ref")))
        self.name.append(self.label(tags.get("name")))


def read_ways(path: str | os.PathLike[str]) -> Ways:
    """The ways of the coach's road classes in an OSM file, with their nodes' coordinates.

    Nodes without a location are dropped (counted in ``stats.missing_nodes``)
    and repeated consecutive nodes are kept once, as osmnx does.

    Raises
    ------
    GraphError
        The file cannot be read by libosmium, or holds no coach road.
    """
    import osmium

    path = Path(path)
    collector = _Collector(osmium.InvalidLocationError)
    try:
        with tempfile.TemporaryDirectory(prefix="abri-osm-") as folder:
            processor = (
                osmium.FileProcessor(str(path))
                .with_locations(location_storage(path, folder))
                .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
                .with_filter(osmium.filter.KeyFilter("highway"))
            )
            for way in processor:
                collector.add(way)
    except (
        RuntimeError,
        OSError,
        ValueError,
    ) as exc:  # libosmium reports a bad file as RuntimeError
        kind = "an OSM PBF extract" if path.name.lower().endswith(".pbf") else "OSM XML"
        msg = f"{path}: cannot read as {kind} ({type(exc).__name__}: {exc})"
        raise GraphError(msg) from exc
    ways = _clean(collector)
    if not ways.stats.segments:
        msg = f"{path}: the road graph is empty, no road a coach uses in this extract (classes read: {', '.join(sorted(COACH_HIGHWAYS))})"
        raise GraphError(msg)
    return ways


def _clean(c: _Collector) -> Ways:
    """Arrays from the collector: nodes without location dropped, consecutive repeats merged."""
    ids = np.frombuffer(c.ids, dtype=np.int64)
    coords = np.frombuffer(c.coords, dtype="<f8").reshape(-1, 2)
    start = np.frombuffer(c.start, dtype=np.int64)
    way = np.repeat(np.arange(len(start) - 1), np.diff(start))
    valid = ~np.isnan(coords[:, 0])
    keep = valid.copy()
    kept = np.flatnonzero(valid)  # a repeat of the previous valid node of the same way goes
    repeat = (ids[kept[1:]] == ids[kept[:-1]]) & (way[kept[1:]] == way[kept[:-1]])
    keep[kept[1:][repeat]] = False
    counts = np.bincount(way[keep], minlength=len(start) - 1)
    stats = PbfStats(
        ways=c.ways,
        ways_kept=int((counts >= 2).sum()),
        segments=int(np.maximum(counts - 1, 0).sum()),
        missing_nodes=int((~valid).sum()),
    )
    return Ways(
        node_id=ids[keep],
        lon=coords[keep, 0].copy(),
        lat=coords[keep, 1].copy(),
        start=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        way_id=np.frombuffer(c.way_id, dtype=np.int64).copy(),
        tag_class=np.frombuffer(c.tag_class, dtype=np.int32).copy(),
        ref=np.frombuffer(c.ref, dtype=np.int32).copy(),
        name=np.frombuffer(c.name, dtype=np.int32).copy(),
        classes=list(c.classes),
        labels=list(c.labels),
        stats=stats,
    )


@dataclass
class WayAttributes:
    """The coach's view of each way: speed, direction, and why it may not use it."""

    speed_kmh: np.ndarray  # float64 (w,)
    oneway: np.ndarray  # int8 (w,): BOTH_WAYS, FORWARD or BACKWARD
    restriction: np.ndarray  # int32 (w,), index into reasons; 0 is '' (allowed)
    reasons: list[str]


def way_attributes(ways: Ways, profile: CoachProfile) -> WayAttributes:
    """Speed, one-way code and restriction of each way, computed once per distinct tag combination."""
    reasons: dict[str, int] = {"": 0}
    speed, oneway, why = [], [], []
    for key in ways.classes:
        tags = {k: v for k, v in zip(CLASS_TAGS, key, strict=True) if v is not None}
        speed.append(profile.way_speed(tags["highway"], tags.get("maxspeed")))
        one = tags.get("oneway") in ONEWAY or tags.get("junction") == "roundabout"
        oneway.append(
            BOTH_WAYS if not one else BACKWARD if tags.get("oneway") in REVERSED else FORWARD
        )
        reason = profile.restriction(tags)
        why.append(reasons.setdefault(reason, len(reasons)))
    cls = ways.tag_class
    return WayAttributes(
        speed_kmh=np.asarray(speed, dtype=float).reshape(-1)[cls],
        oneway=np.asarray(oneway, dtype=np.int8).reshape(-1)[cls],
        restriction=np.asarray(why, dtype=np.int32).reshape(-1)[cls],
        reasons=list(reasons),
    )
