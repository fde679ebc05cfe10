"""Places beside the road where a coach can stop, from an OSM file: service and rest areas, motorway junctions, fuel stations.

A driver's break is named on the road sheet by the place where it falls
(:mod:`abri.documents.places`). These places come from the road file itself,
read with pyosmium in two passes: the tagged objects (nodes with their point,
ways with their node ids), then, only when ways were found, the locations of
those ways' nodes (no index of every node of a country). A way's point is the
mean of its nodes. Relations (a service area mapped as a multipolygon) are not
read. The data pack's road files (TravelMapping) carry no such tags: their
table is empty.

The table (:data:`COLUMNS`) is cached beside the road graph (:func:`cache_file`),
keyed by the road file's checksum; :func:`near_lines` keeps the places along a
plan's trips, which the plan folder holds as ``roadside.csv``.

>>> list(KINDS)
['services', 'rest_area', 'motorway_junction', 'fuel']
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from abri.constants import LAMBERT93, WGS84
from abri.errors import GraphError
from abri.files import read_csv_any, write_csv
from abri.inputs.datadir import sha256_file, user_cache_dir

if TYPE_CHECKING:
    import geopandas as gpd

#: Kinds of roadside places in the order a break prefers them, with the OSM tag of each.
KINDS: dict[str, tuple[str, str]] = {
    "services": ("highway", "services"),
    "rest_area": ("highway", "rest_area"),
    "motorway_junction": ("highway", "motorway_junction"),
    "fuel": ("amenity", "fuel"),
}
#: Columns of a roadside table (EPSG:4326 points).
COLUMNS = ["kind", "name", "ref", "lon", "lat"]
#: Road files libosmium reads (others, GraphML or a download, have no roadside table).
OSM_SUFFIXES = (".osm", ".osm.bz2", ".osm.pbf", ".pbf", ".xml", ".xml.bz2", ".osm.gz")
#: A plan folder's table of the places along its trips (written when there are some).
PLAN_FILE = "roadside.csv"


def empty() -> pd.DataFrame:
    """A roadside table with no place."""
    return pd.DataFrame(
        {c: pd.Series(dtype=float if c in ("lon", "lat") else str) for c in COLUMNS}
    )


def _kind(tags: Any) -> str:
    return next(k for k, (key, value) in KINDS.items() if tags.get(key) == value)


def _labels(tags: Any) -> tuple[str, str]:
    name = tags.get("name") or tags.get("brand") or tags.get("operator") or ""
    return str(name), str(tags.get("ref") or tags.get("junction:ref") or "")


def read_roadside(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Service areas, rest areas, motorway junctions and fuel stations of an OSM file (:data:`COLUMNS`).

    Raises
    ------
    GraphError
        libosmium cannot read the file.
    """
    try:
        rows, ways = _tagged(str(path))
        rows += _way_points(str(path), ways) if ways else []
    except (
        RuntimeError,
        OSError,
        ValueError,
    ) as exc:  # libosmium reports a bad file as RuntimeError
        msg = f"{path}: cannot read roadside places as an OSM file ({type(exc).__name__}: {exc})"
        raise GraphError(msg) from exc
    return pd.DataFrame(rows, columns=COLUMNS) if rows else empty()


Row = tuple[str, str, str, float, float]


def _tagged(path: str) -> tuple[list[Row], list[tuple[str, str, str, list[int]]]]:
    """First pass: the tagged nodes with their point, the tagged ways with their node ids."""
    import osmium

    rows: list[Row] = []
    ways: list[tuple[str, str, str, list[int]]] = []
    tagged = osmium.FileProcessor(path, osmium.osm.NODE | osmium.osm.WAY).with_filter(
        osmium.filter.TagFilter(*KINDS.values())
    )
    for obj in tagged:
        kind, (name, ref) = _kind(obj.tags), _labels(obj.tags)
        if isinstance(obj, osmium.osm.Node) and obj.location.valid():
            rows.append((kind, name, ref, obj.location.lon, obj.location.lat))
        elif isinstance(obj, osmium.osm.Way):
            ways.append((kind, name, ref, [n.ref for n in obj.nodes]))
    return rows, ways


def _way_points(path: str, ways: list[tuple[str, str, str, list[int]]]) -> list[Row]:
    """Second pass: the locations of the ways' nodes only; each way at the mean of its nodes."""
    import osmium

    wanted = {n for *_, nodes in ways for n in nodes}
    located = osmium.FileProcessor(path, osmium.osm.NODE).with_filter(
        osmium.filter.IdFilter(wanted)
    )
    where = {
        n.id: (n.location.lon, n.location.lat)
        for n in located
        if isinstance(n, osmium.osm.Node) and n.location.valid()
    }
    rows: list[Row] = []
    for kind, name, ref, nodes in ways:
        points = [where[n] for n in dict.fromkeys(nodes) if n in where]
        if points:
            lon, lat = np.mean(points, axis=0)
            rows.append((kind, name, ref, float(lon), float(lat)))
    return rows


def cache_file(path: str | os.PathLike[str], *, digest: str | None = None) -> Path:
    """Where the roadside table of road file `path` is cached, in the cache beside ``graphs/``
    (`digest`: the file's SHA-256, computed when not given)."""
    path = Path(path)
    digest = digest or sha256_file(path)
    return user_cache_dir() / "roadside" / f"{path.name}-{digest[:16]}.csv"


def load_roadside(
    path: str | os.PathLike[str], *, digest: str | None = None, use_cache: bool = True
) -> pd.DataFrame:
    """The roadside table of a road file, from the cache or read (and cached); empty for a file that is not OSM."""
    path = Path(path)
    if not path.is_file() or not path.name.lower().endswith(OSM_SUFFIXES):
        return empty()
    cached = cache_file(path, digest=digest)
    if use_cache and cached.is_file():
        return read_table(cached)
    table = read_roadside(path)
    if use_cache:
        write_csv(cached, table, dialect="default")
    return table


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A roadside table written by abri (a cache file or a plan folder's ``roadside.csv``)."""
    table = read_csv_any(path, dtype={"kind": str, "name": str, "ref": str}, keep_default_na=False)
    table = table.reindex(columns=COLUMNS)
    table["lon"], table["lat"] = (pd.to_numeric(table[c], errors="coerce") for c in ("lon", "lat"))
    return table.dropna(subset=["lon", "lat"]).reset_index(drop=True)


def near_lines(table: pd.DataFrame, lines: gpd.GeoDataFrame, *, km: float = 1.0) -> pd.DataFrame:
    """The places of `table` within `km` of any of `lines` (EPSG:4326), in the table's order."""
    if not len(table) or lines is None or not len(lines):
        return table.iloc[:0]
    x, y = Transformer.from_crs(WGS84, LAMBERT93, always_xy=True).transform(
        table["lon"].to_numpy(float), table["lat"].to_numpy(float)
    )
    tree = shapely.STRtree(lines.to_crs(LAMBERT93).geometry.to_numpy())
    hits = tree.query(shapely.points(x, y), predicate="dwithin", distance=km * 1000)
    return table.iloc[np.unique(hits[0])].reset_index(drop=True)
