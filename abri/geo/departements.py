"""Department and region boundaries as GeoDataFrames.

Boundaries are in EPSG:4326 at the edges; use :func:`to_lambert93` for
distances and areas (EPSG:2154, metres).
"""

from __future__ import annotations

import os
from functools import lru_cache

import geopandas as gpd
import pandas as pd

from abri.constants import LAMBERT93, WGS84
from abri.errors import DataFileError
from abri.geo.gazetteer import load_communes
from abri.inputs.datadir import dataset_path


def to_lambert93(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to Lambert-93 (EPSG:2154), the metric CRS for metropolitan France."""
    return gdf.to_crs(LAMBERT93)


def to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to WGS84 lon/lat (EPSG:4326)."""
    return gdf.to_crs(WGS84)


def _check_boundaries(gdf: gpd.GeoDataFrame, path: os.PathLike[str] | str) -> gpd.GeoDataFrame:
    for column in ("code", "nom"):
        if column not in gdf.columns:
            msg = f"{path}: boundary file has no {column!r} column (columns: {list(gdf.columns)})"
            raise DataFileError(msg)
    duplicated = gdf["code"][gdf["code"].duplicated()].tolist()
    if duplicated:
        msg = f"{path}: column 'code' has duplicate values {duplicated}; expected one polygon per code"
        raise DataFileError(msg)
    gdf = gdf.to_crs(WGS84) if gdf.crs is not None else gdf.set_crs(WGS84)
    invalid = ~gdf.geometry.is_valid
    if invalid.any():
        gdf.loc[invalid, "geometry"] = gdf.geometry[invalid].make_valid()
    return gdf


@lru_cache(maxsize=8)
def _read_boundaries(path: str) -> gpd.GeoDataFrame:
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        msg = f"{path}: cannot read as a boundary file ({exc})"
        raise DataFileError(msg) from exc
    return _check_boundaries(gdf, path)


def department_regions(data_dir: str | os.PathLike[str] | None = None) -> pd.Series:
    """Region code of each department code, from the commune gazetteer."""

    communes = load_communes(data_dir)
    return communes.groupby("departement")["region"].agg(lambda s: s.mode().iat[0]).rename("region")


def load_departements(
    data_dir: str | os.PathLike[str] | None = None, *, simplified: bool = False
) -> gpd.GeoDataFrame:
    """The 96 metropolitan departments: ``code``, ``nom``, ``region``, ``geometry`` (EPSG:4326).

    Parameters
    ----------
    data_dir
        Data directory (see :func:`abri.inputs.datadir.resolve_data_dir`).
    simplified
        Use the lighter geometry made for web maps.
    """
    name = "departements-simplifie" if simplified else "departements"
    gdf = _read_boundaries(str(dataset_path(name, data_dir))).copy()
    gdf["region"] = gdf["code"].map(department_regions(data_dir))
    return gdf[["code", "nom", "region", "geometry"]].sort_values("code").reset_index(drop=True)


def load_regions(data_dir: str | os.PathLike[str] | None = None) -> gpd.GeoDataFrame:
    """The 13 metropolitan regions of 2016: ``code``, ``nom``, ``geometry`` (EPSG:4326)."""
    gdf = _read_boundaries(str(dataset_path("regions-simplifie", data_dir))).copy()
    return gdf[["code", "nom", "geometry"]].sort_values("code").reset_index(drop=True)
