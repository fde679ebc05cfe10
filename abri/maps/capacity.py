"""The capacity map: places by department (every measure at once in a popup), centres with their arrivals, search."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import pandas as pd

from abri.geo.capacity import capacity_summary
from abri.geo.departements import load_departements
from abri.i18n import DEFAULT_LANG
from abri.maps.base import (
    TEXT,
    MapContent,
    Measure,
    abri_map,
    centre_entries,
    department_features,
    map_language,
    occupancy_legend,
    round_geometry,
    save_map,
)
from abri.maps.plandata import PlanSource, plan_data
from abri.maps.reference import reference_layer
from abri.maps.static import main_towns, static_map

#: Extra department measures: layer name -> (values by department code, legend title). See :func:`capacity_map`.
Extra = dict[str, tuple[pd.Series, str]]


def capacity_layers(
    centres: gpd.GeoDataFrame,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    allocated: pd.Series | None = None,
    arrivals: dict[str, list[dict[str, Any]]] | None = None,
) -> gpd.GeoDataFrame:
    """Departments (light geometry) with the capacity summary's columns, and with `arrivals` people arriving per day."""
    summary = capacity_summary(centres, data_dir=data_dir, allocated=allocated)
    departements = load_departements(data_dir, simplified=True).merge(
        summary.drop(columns=["nom", "region"]), left_on="code", right_index=True
    )
    if arrivals is not None:
        dept_of = dict(zip(centres["id"].astype(str), centres["departement"].astype(str)))
        by_dept: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for cid, items in arrivals.items():
            for a in items:
                by_dept[dept_of.get(cid, "")][a["day"]] += int(a["people"])
        departements["arrivals"] = [dict(by_dept.get(code, {})) for code in departements["code"]]
    return round_geometry(departements, tolerance=0.005, decimals=3)


def capacity_map(
    centres: gpd.GeoDataFrame,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    allocated: pd.Series | None = None,
    plan: PlanSource | None = None,
    extra: Extra | None = None,
    origin: tuple[float, float, str] | None = (1.8587, 50.9513, "Calais"),
    tiles: str = "none",
    title: str | None = None,
    label: str = "",
    lang: str = DEFAULT_LANG,
) -> folium.Map:
    """Places by department, centres and the origin, offline, with a search box.

    Parameters
    ----------
    centres
        Validated centres (:func:`abri.geo.centres.read_centres`).
    data_dir
        Data directory (boundaries, gazetteer, roads for the reference layer).
    allocated
        People allocated per centre id: adds the allocated and occupancy measures.
    plan
        A :class:`~abri.pipeline.PlanRun` or plan folder: allocation as above, plus each centre's
        arrivals (day, coach, time, people by group) and arrivals by day per department.
    extra
        More department measures, ``{layer name: (values by department code, legend title)}``,
        e.g. places missing by department; departments without a value are grey.
    origin
        (lon, lat, name) of the camp, or None.
    label
        A label shown on the map, e.g. the scenario's "SYNTHETIC ..." (default: the plan's, if any).
    lang
        ``"en"`` or ``"fr"``: the map's words (titles, legends, popups, controls).

    Returns
    -------
    folium.Map, shown inline in a notebook; write it with :func:`save_map`.
    """
    with map_language(lang):
        arrivals = None
        if plan is not None:
            data = plan_data(plan)
            allocated = data.allocated() if allocated is None else allocated
            arrivals = data.arrivals()
            label = label or data.label
        departements = capacity_layers(
            centres, data_dir=data_dir, allocated=allocated, arrivals=arrivals
        )
        measures = [
            Measure("places", TEXT["places"]),
            Measure("places_per_10k", TEXT["places_per_10k"], "rate"),
        ]
        if allocated is not None:
            measures += [
                Measure("allocated", TEXT["allocated"]),
                Measure("occupancy_pct", TEXT["occupancy_pct"], "percent"),
            ]
        for name, (values, legend) in (extra or {}).items():
            values = pd.Series(values)
            values.index = values.index.astype(str)
            kind = "count" if (values.dropna() == values.dropna().round()).all() else "rate"
            measures.append(Measure(f"extra:{name}", name, kind, values=values, legend=legend))
        features, legends = department_features(departements, measures)
        total = int(centres["capacity"].sum())
        content = MapContent(
            title=title or TEXT["capacity_title"],
            subtitle=TEXT["capacity_subtitle"].format(
                centres=f"{len(centres):,}",
                places=f"{total:,}",
                departments=int((departements["centres"] > 0).sum()),
            ),
            label=label,
            departements=features,
            measures=legends,
            centres=centre_entries(centres, allocated=allocated, arrivals=arrivals),
            centre_legend=occupancy_legend() if allocated is not None else None,
            origin=origin,
            reference=reference_layer(data_dir),
        )
        return abri_map(content, tiles=tiles)


def write_capacity_map(
    centres: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    png: bool = False,
    svg: bool = False,
    pdf: bool = False,
    dpi: int = 150,
    data_dir: str | os.PathLike[str] | None = None,
    tiles: str = "none",
    origin: tuple[float, float, str] | None = (1.8587, 50.9513, "Calais"),
    allocated: pd.Series | None = None,
    plan: PlanSource | None = None,
    extra: Extra | None = None,
    scenario: str = "",
    label: str = "",
    lang: str = DEFAULT_LANG,
) -> list[Path]:
    """Write the capacity map as HTML, and with `png`/`svg`/`pdf` report images of places by department next to it."""
    with map_language(lang):
        data = plan_data(plan) if plan is not None else None
        fmap = capacity_map(
            centres,
            data_dir=data_dir,
            tiles=tiles,
            origin=origin,
            allocated=allocated,
            plan=data,
            extra=extra,
            label=label,
            lang=lang,
        )
        written = [save_map(fmap, path)]
        suffixes = [s for s, wanted in ((".png", png), (".svg", svg), (".pdf", pdf)) if wanted]
        if suffixes:
            departements = capacity_layers(centres, data_dir=data_dir)
            total = int(centres["capacity"].sum())
            for suffix in suffixes:
                written.append(
                    static_map(
                        departements,
                        "places",
                        Path(path).with_suffix(suffix),
                        title=TEXT["capacity_title"],
                        subtitle=f"{len(centres):,} {TEXT['centres']}, {total:,} {TEXT['places']}",
                        scenario=scenario or (data.name if data else ""),
                        label=label or (data.label if data else ""),
                        centres=centres,
                        origin=origin,
                        dpi=dpi,
                        towns=main_towns(data_dir),
                    )
                )
        return written
