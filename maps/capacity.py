"""The capacity map: places by department, centres, the origin."""

from __future__ import annotations

import os
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd

from abri.geo.capacity import capacity_summary
from abri.geo.departements import load_departements
from abri.maps.base import LayerControl, base_map, centre_layer, department_layers, origin_marker, round_geometry


def capacity_layers(centres: gpd.GeoDataFrame, *, data_dir: str | os.PathLike[str] | None = None,
                    allocated: pd.Series | None = None) -> gpd.GeoDataFrame:
    """Departments (light geometry) with the capacity summary's columns."""
    summary = capacity_summary(centres, data_dir=data_dir, allocated=allocated)
    departements = load_departements(data_dir, simplified=True).merge(summary.drop(columns=["nom", "region"]), left_on="code", right_index=True)
    if "occupancy_pct" in departements:
        departements["occupancy_pct"] = departements["occupancy_pct"].fillna(0)
    return round_geometry(departements, tolerance=0.005)


def save_map(fmap: folium.Map, path: str | os.PathLike[str]) -> Path:
    """Write a map as one self-contained HTML file, whole or not at all."""
    from abri.files import write_text_atomic

    return write_text_atomic(Path(path), fmap.get_root().render())


def write_capacity_map(centres: gpd.GeoDataFrame, path: str | os.PathLike[str], *, png: bool = False,
                       data_dir: str | os.PathLike[str] | None = None, tiles: str = "none",
                       origin: tuple[float, float, str] | None = (1.8587, 50.9513, "Calais"),
                       allocated: pd.Series | None = None) -> list[Path]:
    """Write the capacity map as HTML (and PNG next to it with `png`); `allocated` adds allocation layers."""
    written = [save_map(capacity_map(centres, data_dir=data_dir, tiles=tiles, origin=origin, allocated=allocated), path)]
    if png:
        from abri.maps.static import static_map

        written.append(static_map(capacity_layers(centres, data_dir=data_dir), "places", Path(path).with_suffix(".png"),
                                  title="Reception places by department", centres=centres, origin=origin[:2] if origin else None))
    return written


def capacity_map(
    centres: gpd.GeoDataFrame,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    allocated: pd.Series | None = None,
    origin: tuple[float, float, str] | None = (1.8587, 50.9513, "Calais"),
    tiles: str = "none",
    title: str = "Reception capacity by department",
) -> folium.Map:
    """A department choropleth (places, places per 10,000 inhabitants, and with `allocated` people
    allocated and occupancy), centre markers and the origin, all offline."""
    departements = capacity_layers(centres, data_dir=data_dir, allocated=allocated)
    summary = departements.set_index("code")
    measures = {"places": ("places", "places"), "places_per_10k": ("places per 10,000 inhabitants", "places / 10,000 inh.")}
    if allocated is not None:
        measures |= {"allocated": ("people allocated", "people allocated"), "occupancy_pct": ("occupancy (%)", "occupancy %")}
    total = int(centres["capacity"].sum())
    fmap = base_map(title, f"{len(centres):,} centres, {total:,} places in {int((summary['centres'] > 0).sum())} departments", tiles=tiles)
    bases = department_layers(fmap, departements, measures)
    frame = centres.assign(allocated=centres["id"].map(allocated).fillna(0).astype(int)) if allocated is not None else centres
    layer = centre_layer(fmap, frame, colour_by_occupancy=allocated is not None)
    if origin is not None:
        origin_marker(fmap, *origin)
    fmap.add_child(LayerControl(bases, [("centres", layer.get_name())]))
    return fmap
