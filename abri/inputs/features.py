"""Read GeoJSON and GeoPackage features into text cells: each geometry becomes ``lon``/``lat``.

A point is read as it is; a polygon or a line gives its representative
point with a warning on its row; several distinct points (a MultiPoint) are
an error. The geometry wins over ``lon``/``lat`` properties (kept as
``<name>_property``, and a warning when they disagree by more than
:data:`AGREE_DEGREES`); a feature with no geometry uses those properties.
A GeoPackage with several layers is refused unless one is chosen.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from abri.errors import DataFileError
from abri.inputs.limits import MAX_COLUMNS, MAX_ROWS, check_count
from abri.inputs.readers import (
    LAT_NAMES,
    LON_NAMES,
    RawTable,
    _header_names,
    _pick,
    normalise_header,
    note,
)
from abri.inputs.report import Problem, Severity
from abri.inputs.values import format_cell, parse_number

AGREE_DEGREES = 1e-4
"""Geometry and lon/lat properties further apart than this (about 10 m) are reported."""


def _point_of(geom: Any) -> tuple[float, float, str, Severity | None]:
    """A point standing for `geom` (lon, lat, what was done, severity of a note or None)."""
    kind = geom.geom_type
    if kind == "Point":
        return geom.x, geom.y, "", None
    if kind == "MultiPoint":
        points = {(round(p.x, 7), round(p.y, 7)) for p in geom.geoms}
        if len(points) == 1:
            ((x, y),) = points
            return x, y, "", None
        return (
            float("nan"),
            float("nan"),
            f"one point per centre (got a MultiPoint of {len(points)} points)",
            "error",
        )
    if kind in ("Polygon", "MultiPolygon", "LineString", "MultiLineString", "LinearRing"):
        p = geom.representative_point()
        return (
            p.x,
            p.y,
            f"a point (got a {kind}; its representative point {p.x:.5f}, {p.y:.5f} is used)",
            "warning",
        )
    return float("nan"), float("nan"), f"a point (got a {kind})", "error"


def read_geo_cells(path: Path, *, sheet: str | int = 0) -> RawTable:
    """Read GeoJSON or GeoPackage features; each geometry becomes ``lon``/``lat`` cells (see :func:`_point_of`)."""
    import geopandas as gpd
    import pyogrio

    try:
        layers = [str(name) for name, *_ in pyogrio.list_layers(path)]
        if len(layers) > 1 and sheet in (0, "0") and path.suffix.lower() == ".gpkg":
            msg = (
                f"{path}: holds {len(layers)} layers ({', '.join(map(repr, layers))}); abri reads one: "
                f"choose it with --sheet, or keep only the centre layer in the file"
            )
            raise DataFileError(msg)
        layer = _pick(path, layers, sheet, "layer") if layers else None
        info = pyogrio.read_info(path, layer=layer)
        check_count(
            "features",
            int(info.get("features") or 0),
            MAX_ROWS,
            source=str(path),
            advice="split the file",
        )
        check_count("properties", len(info.get("fields", [])), MAX_COLUMNS, source=str(path))
        with (
            warnings.catch_warnings()
        ):  # GDAL's word on a broken geometry: the feature gets none, and its row says so
            warnings.simplefilter("ignore", RuntimeWarning)
            gdf = gpd.read_file(path, layer=layer)
    except DataFileError:
        raise
    except Exception as exc:  # pyogrio raises several types for unreadable files
        msg = f"{path}: cannot read as GeoJSON/GeoPackage ({type(exc).__name__}: {exc})"
        raise DataFileError(msg) from exc
    column = getattr(gdf, "_geometry_column_name", None)
    has_geometry = isinstance(gdf, gpd.GeoDataFrame) and column in gdf.columns
    frame = (
        pd.DataFrame(gdf.drop(columns=column) if has_geometry else gdf)
        .astype(object)
        .map(format_cell)
    )
    frame.columns = [str(c) for c in frame.columns]
    _header_names(str(path), 1, list(frame.columns), [])
    notes: list[Problem] = []
    if has_geometry and any(g is not None and not g.is_empty for g in gdf.geometry):
        if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
            gdf = gdf.to_crs("EPSG:4326")
        frame = _geometry_cells(frame, list(gdf.geometry), notes)
    return RawTable(
        str(path),
        frame.reset_index(drop=True),
        list(range(1, len(frame) + 1)),
        notes=notes,
        head=[(1, list(frame.columns))],
        sheets=layers,
        sheet=layer or "",
    )


def _geometry_cells(frame: pd.DataFrame, geoms: list[Any], notes: list[Problem]) -> pd.DataFrame:
    """Add ``lon``/``lat`` from each geometry; the geometry wins over lon/lat properties (renamed ``<name>_property``)."""
    props = {
        "lon": next((c for c in frame.columns if normalise_header(c) in LON_NAMES), None),
        "lat": next((c for c in frame.columns if normalise_header(c) in LAT_NAMES), None),
    }
    renamed = {
        c: f"{c}_property" for c in frame.columns if normalise_header(c) in LON_NAMES | LAT_NAMES
    }
    lon_cells, lat_cells, kinds = [], [], []
    for i, geom in enumerate(geoms):
        prop = {axis: frame[c].iat[i] if c else "" for axis, c in props.items()}
        if geom is None or geom.is_empty:
            kinds.append("")
            lon_cells.append(prop["lon"])
            lat_cells.append(prop["lat"])
            if prop["lon"] or prop["lat"]:
                notes.append(
                    note(
                        i,
                        i + 1,
                        "geometry",
                        "",
                        "a geometry (none; the lon/lat properties are used)",
                        "warning",
                        "no-geometry",
                    )
                )
            continue
        kinds.append(geom.geom_type)
        x, y, done, severity = _point_of(geom)
        if severity is not None:
            notes.append(note(i, i + 1, "geometry", geom.geom_type, done, severity, "not-a-point"))
        lon_cells.append("" if x != x else format_cell(x))
        lat_cells.append("" if y != y else format_cell(y))
        given = (parse_number(prop["lon"] or ""), parse_number(prop["lat"] or ""))
        if x == x and any(v is not None for v in given):
            far = [abs(v - g) > AGREE_DEGREES for v, g in zip(given, (x, y)) if v is not None]
            if any(far):
                notes.append(
                    note(
                        i,
                        i + 1,
                        f"{props['lon'] or ''}/{props['lat'] or ''}".strip("/"),
                        f"{prop['lon']}, {prop['lat']}",
                        f"the same point as the geometry ({x:.5f}, {y:.5f}), which is used",
                        "warning",
                        "geometry-mismatch",
                    )
                )
    frame = frame.rename(columns=renamed)
    frame["lon"], frame["lat"], frame["__geometry_type__"] = lon_cells, lat_cells, kinds
    return frame
