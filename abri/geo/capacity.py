"""Capacity summaries: centres and places per department or region."""

from __future__ import annotations

import os
from typing import Literal

import geopandas as gpd
import pandas as pd

from abri.geo.departements import load_departements, load_regions
from abri.geo.gazetteer import load_communes

Level = Literal["departement", "region"]


def capacity_summary(
    centres: gpd.GeoDataFrame | pd.DataFrame,
    *,
    by: Level = "departement",
    data_dir: str | os.PathLike[str] | None = None,
    allocated: pd.Series | None = None,
    geometry: bool = False,
) -> pd.DataFrame:
    """Centres and places per department or region, every area listed (zero where none).

    Parameters
    ----------
    centres
        Validated centres (:func:`abri.geo.centres.read_centres`), with
        ``departement``, ``region`` and ``capacity`` columns.
    by
        ``"departement"`` or ``"region"``.
    data_dir
        Data directory (boundaries and gazetteer populations).
    allocated
        People allocated per centre id, to add ``allocated`` and ``occupancy``.
    geometry
        Return a GeoDataFrame (EPSG:4326) with each area's boundary, ready
        for ``.explore()`` or ``.plot()``.

    Returns
    -------
    DataFrame indexed by area code: ``nom``, ``centres``, ``places``,
    ``share_pct`` (of national places), ``population``, ``places_per_10k``
    (places per 10,000 inhabitants), and for regions
    ``departements_without_centre``; with `geometry`, a GeoDataFrame
    with a ``geometry`` column too.

    Examples
    --------
    >>> summary = capacity_summary(centres, by="departement", geometry=True)  # doctest: +SKIP
    >>> summary.explore(column="places_per_10k")  # doctest: +SKIP
    """
    if by not in ("departement", "region"):
        msg = f"`by` must be 'departement' or 'region', got {by!r}"
        raise ValueError(msg)
    departements = load_departements(data_dir, simplified=True)
    communes = load_communes(data_dir)
    population = communes.groupby(by)["population"].sum()
    areas = (
        departements.set_index("code")[["nom", "region"]]
        if by == "departement"
        else load_regions(data_dir).set_index("code")[["nom"]]
    )
    frame = pd.DataFrame(centres).copy()
    frame["allocated"] = frame["id"].map(allocated).fillna(0) if allocated is not None else 0
    grouped = frame.groupby(by).agg(
        centres=("id", "size"), places=("capacity", "sum"), allocated=("allocated", "sum")
    )
    out = areas.join(grouped, how="left").fillna({"centres": 0, "places": 0, "allocated": 0})
    out[["centres", "places"]] = out[["centres", "places"]].astype("int64")
    total = out["places"].sum()
    out["share_pct"] = (100 * out["places"] / total).round(2) if total else 0.0
    out["population"] = population.reindex(out.index).fillna(0).astype("int64")
    out["places_per_10k"] = (
        1e4 * out["places"] / out["population"].where(out["population"] > 0)
    ).round(2)
    if allocated is not None:
        out["allocated"] = out["allocated"].astype("int64")
        out["occupancy_pct"] = (
            100 * out["allocated"] / out["places"].where(out["places"] > 0)
        ).round(1)
    else:
        out = out.drop(columns="allocated")
    if by == "region":
        per_dept = frame.groupby("departement").size()
        empty = departements[~departements["code"].isin(per_dept.index)].groupby("region").size()
        out["departements_without_centre"] = empty.reindex(out.index).fillna(0).astype("int64")
    out.index.name = by
    if geometry:
        shapes = (
            departements.set_index("code")["geometry"]
            if by == "departement"
            else load_regions(data_dir).set_index("code")["geometry"]
        )
        return gpd.GeoDataFrame(
            out, geometry=shapes.reindex(out.index).to_numpy(), crs=shapes.crs or "EPSG:4326"
        )
    return out


def departements_without_centre(summary: pd.DataFrame) -> list[str]:
    """Codes of the areas in a department summary that have no centre."""
    return summary.index[summary["centres"] == 0].tolist()
