"""The offline reference layer: major roads drawn lightly, department names, the largest town of each department.

Built from the data pack only (no tiles): ``roads/france-major-roads.osm``,
the simplified department boundaries and the commune gazetteer.
"""

from __future__ import annotations

import logging
import os
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
from shapely.geometry import LineString

from abri.errors import MissingDataError
from abri.geo.departements import load_departements
from abri.geo.gazetteer import load_communes
from abri.inputs.datadir import dataset_path, resolve_data_dir

log = logging.getLogger(__name__)
ROAD_TOLERANCE = 0.01  # degrees (about 1 km): roads are a backdrop
ROAD_CLASSES = ("motorway", "trunk")
SMALL_DEPT_M2 = 1e9  # Paris and its inner ring, Territoire de Belfort: named from the town zoom on


def major_roads(
    path: str | os.PathLike[str], *, tolerance: float = ROAD_TOLERANCE
) -> list[list[list[float]]]:
    """Lines ([[lat, lon], ...]) of the motorways and trunk roads of an OSM XML file, simplified."""
    nodes: dict[str, tuple[float, float]] = {}
    lines: list[list[list[float]]] = []
    for _, elem in ET.iterparse(path, events=("end",)):
        if elem.tag == "node":
            nodes[elem.get("id", "")] = (float(elem.get("lon", 0)), float(elem.get("lat", 0)))
        elif elem.tag == "way":
            highway = next(
                (t.get("v", "") for t in elem.iter("tag") if t.get("k") == "highway"), ""
            )
            if highway.split("_")[0] in ROAD_CLASSES:
                points = [
                    nodes[n.get("ref", "")] for n in elem.iter("nd") if n.get("ref", "") in nodes
                ]
                if len(points) > 1:
                    line = LineString(points).simplify(tolerance)
                    lines.append([[round(y, 3), round(x, 3)] for x, y in line.coords])
            elem.clear()
    return lines


def department_names(departements: gpd.GeoDataFrame) -> list[list[Any]]:
    """[lat, lon, name, kind] at a point inside each department; kind "dept-small" (named from a closer zoom) under 1,000 km²."""
    projected = departements.to_crs(2154)
    points = projected.representative_point().to_crs(4326)
    kinds = ["dept-small" if area < SMALL_DEPT_M2 else "dept" for area in projected.area]
    return [
        [round(p.y, 3), round(p.x, 3), str(name), kind]
        for p, name, kind in zip(points, departements["nom"], kinds)
    ]


def main_towns(communes: Any, departements: gpd.GeoDataFrame) -> list[list[Any]]:
    """[lat, lon, name, "town"] of the most populous commune of each department on the map."""
    mapped = communes[communes["departement"].isin(departements["code"])]
    largest = mapped.sort_values("population", ascending=False).drop_duplicates("departement")
    return [
        [round(float(r.lat), 3), round(float(r.lon), 3), str(r.nom), "town"]
        for r in largest.itertuples(index=False)
    ]


@lru_cache(maxsize=4)
def _reference(root: str) -> dict[str, Any]:

    departements = load_departements(root, simplified=True)
    names = department_names(departements) + main_towns(load_communes(root), departements)
    try:
        roads = major_roads(dataset_path("france-major-roads", root))
    except MissingDataError as exc:
        log.warning("maps drawn without roads: %s", exc)
        roads = []
    return {"roads": roads, "names": names}


def reference_layer(data_dir: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Roads and names for ``abri.init`` (cached per data directory)."""

    return _reference(str(Path(resolve_data_dir(data_dir)).resolve()))
