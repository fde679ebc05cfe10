"""Report images of the maps (PNG, SVG, PDF; matplotlib, no pyplot): title, scenario and date, full legends,
the synthetic label only for a synthetic plan, the origin named, a scale bar."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from abri.constants import LAMBERT93
from abri.errors import MissingDataError
from abri.files import write_figure
from abri.geo.gazetteer import load_communes
from abri.maps.base import (
    ATTRIBUTION,
    CENTRE_COLOUR,
    FRANCE,
    TEXT,
    classify,
    occupancy_colour,
    occupancy_legend,
    today,
)

MEASURE_KIND = {
    "places": "count",
    "allocated": "count",
    "places_per_10k": "rate",
    "occupancy_pct": "percent",
}


def scale_bar(ax, *, km: int = 100) -> None:
    """A `km` scale bar in the lower left of a Lambert-93 axis (metres)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    left, bottom = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
    height = (y1 - y0) * 0.008
    for i in range(2):
        ax.add_patch(
            Rectangle(
                (left + i * km * 500, bottom),
                km * 500,
                height,
                facecolor="black" if i == 0 else "white",
                edgecolor="black",
                linewidth=0.6,
                zorder=5,
            )
        )
    ax.text(left, bottom + height * 1.8, "0", ha="center", va="bottom", fontsize=7)
    ax.text(
        left + km * 1000, bottom + height * 1.8, f"{km} km", ha="center", va="bottom", fontsize=7
    )


MAIN_TOWNS = 25  # the most populous communes named on report images


def main_towns(
    data_dir: str | os.PathLike[str] | None = None, n: int = MAIN_TOWNS
) -> gpd.GeoDataFrame | None:
    """The `n` most populous communes of the gazetteer as points (None without a gazetteer)."""
    try:
        communes = load_communes(data_dir).dropna(subset=["lon", "lat", "population"])
    except (MissingDataError, OSError):
        return None
    west, south, east, north = FRANCE
    inside = communes["lon"].between(west, east) & communes["lat"].between(south, north)
    top = communes[inside].nlargest(n, "population")  # the map shows metropolitan France
    return gpd.GeoDataFrame(
        {"nom": top["nom"].to_numpy()},
        geometry=gpd.points_from_xy(top["lon"], top["lat"]),
        crs="EPSG:4326",
    )


def name_places(ax: Axes, departements: gpd.GeoDataFrame, towns: gpd.GeoDataFrame | None) -> None:
    """Write each department's name at a point inside it, and the main towns as dots with names."""
    if "nom" in departements:
        for name, point in zip(departements["nom"], departements.representative_point()):
            ax.annotate(
                str(name),
                (point.x, point.y),
                ha="center",
                va="center",
                fontsize=3.6,
                color="#333",
                zorder=4,
            )
    if towns is not None and len(towns):
        projected = towns.to_crs(LAMBERT93)
        ax.scatter(projected.geometry.x, projected.geometry.y, s=5, color="black", zorder=5)
        for name, point in zip(projected["nom"], projected.geometry):
            ax.annotate(
                str(name),
                (point.x, point.y),
                xytext=(3, 2),
                textcoords="offset points",
                fontsize=5.5,
                fontweight="bold",
                zorder=5,
            )


Legend = tuple[list[Any], str]  # the legend's handles and its heading


def _draw_trips(ax: Axes, trips: gpd.GeoDataFrame) -> Legend:
    """Trips as lines coloured by day; the legend counts trips a day."""
    trips.to_crs(LAMBERT93).plot(ax=ax, color=trips["colour"].tolist(), linewidth=1.1, alpha=0.8)
    days = trips.drop_duplicates("day").sort_values("day")
    handles = [
        Line2D([], [], color=c, linewidth=2, label=f"{d} ({int((trips['day'] == d).sum())})")
        for d, c in zip(days["day"], days["colour"])
    ]
    return handles, TEXT["trip_days"]


def _draw_centres(ax: Axes, centres: gpd.GeoDataFrame) -> Legend:
    """Centres sized by places, coloured by occupancy when the allocation is known."""
    if "allocated" in centres:
        share = centres["allocated"].astype(float) / centres["capacity"].astype(float).where(
            centres["capacity"] > 0
        )
        colours = [occupancy_colour(float(s) if np.isfinite(s) else 0.0) for s in share]
        legend_title, legend_rows = occupancy_legend()
    else:
        colours = [CENTRE_COLOUR] * len(centres)
        legend_title, legend_rows = TEXT["centre_places"], [(CENTRE_COLOUR, TEXT["centres"])]
    centres.to_crs(LAMBERT93).plot(
        ax=ax,
        markersize=(centres["capacity"].clip(upper=100) * 0.8 + 12).tolist(),
        color=colours,
        edgecolor="#222",
        linewidth=0.3,
        alpha=0.9,
        zorder=3,
    )
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor=c,
            markeredgecolor="#222",
            markersize=7,
            label=t,
        )
        for c, t in legend_rows
    ]
    return handles, legend_title


def _draw_origin(ax: Axes, origin: tuple[float, float] | tuple[float, float, str]) -> Legend:
    """The origin as a black diamond with its name."""
    point = (
        gpd.GeoSeries(gpd.points_from_xy([origin[0]], [origin[1]]), crs="EPSG:4326")
        .to_crs(LAMBERT93)
        .iloc[0]
    )
    ax.plot(
        point.x, point.y, marker="D", color="black", markeredgecolor="white", markersize=9, zorder=6
    )
    name = origin[2] if len(origin) > 2 else TEXT["origin"]
    ax.annotate(
        str(name),
        (point.x, point.y),
        xytext=(8, 4),
        textcoords="offset points",
        fontsize=9,
        fontweight="bold",
        zorder=6,
        bbox={
            "boxstyle": "round,pad=0.15",
            "facecolor": "white",
            "edgecolor": "none",
            "alpha": 0.8,
        },
    )
    handle = Line2D([], [], marker="D", linestyle="", color="black", markersize=7, label=str(name))
    return [handle], TEXT["origin"].capitalize()


def _legends(side: Axes, legends: list[Legend]) -> None:
    """The legends stacked in the side panel, top down."""
    top = 1.0
    for group, heading in legends:
        legend = side.legend(
            handles=group,
            title=heading,
            loc="upper left",
            bbox_to_anchor=(0.0, top),
            fontsize=8,
            title_fontsize=9,
            frameon=False,
            alignment="left",
        )
        side.add_artist(legend)
        top -= 0.034 * (len(group) + 2)


def _titles(fig: Figure, title: str, line: str, label: str) -> None:
    """Title, subtitle line, the synthetic label (only when given) and the attribution."""
    fig.text(0.01, 0.965, title, fontsize=15, fontweight="bold", va="top")
    fig.text(0.01, 0.925, line, fontsize=9, va="top", wrap=True)
    if label:
        fig.text(
            0.01, 0.895, label, fontsize=9, va="top", color="#a00000", fontweight="bold", wrap=True
        )
    fig.text(0.01, 0.015, ATTRIBUTION, fontsize=6, wrap=True)


def static_map(
    departements: gpd.GeoDataFrame,
    column: str,
    path: str | os.PathLike[str],
    *,
    title: str,
    subtitle: str = "",
    scenario: str = "",
    label: str = "",
    centres: gpd.GeoDataFrame | None = None,
    trips: gpd.GeoDataFrame | None = None,
    origin: tuple[float, float] | tuple[float, float, str] | None = None,
    dpi: int = 150,
    made_on: str | None = None,
    towns: gpd.GeoDataFrame | None = None,
) -> Path:
    """A choropleth of `column` in Lambert-93 with centres, trips and the origin, saved as PNG, SVG or PDF (by suffix).

    `label` (e.g. "SYNTHETIC ...") is printed only when not empty: a real plan carries none.
    Department names are written on the map, and `towns` (:func:`main_towns`) as dots and names.
    """
    fig = Figure(figsize=(11.0, 8.5), dpi=dpi)  # no pyplot: the notebook's backend is left alone
    ax = fig.add_axes((0.01, 0.06, 0.68, 0.80))
    side = fig.add_axes((0.70, 0.06, 0.29, 0.80))
    side.set_axis_off()
    kind = MEASURE_KIND.get(column, "count")
    has_places = departements["places"] > 0 if "places" in departements else None
    fills, rows = classify(departements[column].astype(float), kind, has_places=has_places)
    projected = departements.to_crs(LAMBERT93)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        projected.plot(ax=ax, color=fills, edgecolor="#666", linewidth=0.3)
    name_places(ax, projected, towns)
    legends: list[Legend] = [
        (
            [Patch(facecolor=c, edgecolor="#777", label=t) for c, t in rows],
            f"{TEXT.get(column, column).capitalize()} ({TEXT['by_department']})",
        )
    ]
    if trips is not None and len(trips):
        legends.append(_draw_trips(ax, trips))
    if centres is not None and len(centres):
        legends.append(_draw_centres(ax, centres))
    if origin is not None:
        legends.append(_draw_origin(ax, origin))
    ax.set_axis_off()
    ax.set_aspect("equal")
    scale_bar(ax)
    _legends(side, legends)
    made = made_on or today()
    parts = (
        f"{TEXT['scenario']}: {scenario}" if scenario else "",
        subtitle,
        f"{TEXT['made_on']} {made}",
    )
    _titles(fig, title, " - ".join(p for p in parts if p), label)
    return write_figure(path, fig, dpi=dpi)
