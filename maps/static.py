"""Static PNG maps for reports (matplotlib, geopandas)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import geopandas as gpd
from matplotlib.figure import Figure

from abri.constants import LAMBERT93
from abri.files import write_figure
from abri.maps.base import ATTRIBUTION


def static_map(
    departements: gpd.GeoDataFrame,
    column: str,
    path: str | os.PathLike[str],
    *,
    title: str,
    centres: gpd.GeoDataFrame | None = None,
    trips: gpd.GeoDataFrame | None = None,
    origin: tuple[float, float] | None = None,
) -> Path:
    """A choropleth of `column` in Lambert-93 with centres, trips and the origin, saved as PNG."""
    fig = Figure(figsize=(9, 9), dpi=110)  # no pyplot: the notebook's backend is left alone
    ax = fig.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Numba not installed": fine for ~100 areas
        departements.to_crs(LAMBERT93).plot(column=column, ax=ax, cmap="Blues", edgecolor="#666", linewidth=0.3, legend=True,
                                            scheme="FisherJenks", k=5, legend_kwds={"loc": "lower left", "title": column, "fontsize": 8})
    if trips is not None and len(trips):
        trips.to_crs(LAMBERT93).plot(ax=ax, color=trips["colour"], linewidth=0.8, alpha=0.7)
    if centres is not None and len(centres):
        centres.to_crs(LAMBERT93).plot(ax=ax, markersize=centres["capacity"].clip(upper=80) / 3, color="#d95f02", alpha=0.7)
    if origin is not None:
        gpd.GeoSeries(gpd.points_from_xy([origin[0]], [origin[1]]), crs="EPSG:4326").to_crs(LAMBERT93).plot(ax=ax, marker="D", color="red", markersize=60)
    ax.set_title(title)
    ax.set_axis_off()
    fig.text(0.01, 0.01, ATTRIBUTION, fontsize=6, wrap=True)
    return write_figure(path, fig, bbox_inches="tight")
