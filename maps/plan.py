"""The plan map: coach trips along their roads, one layer per day, centres by how full they end up."""

from __future__ import annotations

import json
import os
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd

from abri.errors import DataFileError
from abri.maps.base import GeoJsonLayer, LayerControl, base_map, centre_layer, department_layers, esc, origin_marker, round_geometry
from abri.maps.capacity import capacity_layers, save_map


def _read(plan_dir: Path, name: str) -> Path:
    path = plan_dir / name
    if not path.is_file():
        msg = f"{plan_dir}: no {name}; expected a folder written by `abri plan` (plan.json, centres.geojson, trips.geojson)"
        raise DataFileError(msg)
    return path


def read_geojson(path: Path) -> gpd.GeoDataFrame:
    """A GeoJSON file with its property values exactly as written (no date parsing)."""
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        return gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        msg = f"{path}: not a GeoJSON FeatureCollection ({exc})"
        raise DataFileError(msg) from exc


def allocated_per_centre(plan_dir: str | os.PathLike[str]) -> pd.Series:
    """People allocated to each centre id, from a plan folder."""
    centres = read_geojson(_read(Path(plan_dir), "centres.geojson"))
    return centres.set_index(centres["id"].astype(str))["allocated"].astype(int)


def trip_tooltips(trips: gpd.GeoDataFrame) -> list[str]:
    """Escaped HTML tooltip for each trip: coach, day, departure, stops, people, hours."""
    return [
        f"<b>{esc(t.coach)}</b> ({esc(t.day)}), departs {esc(t.departure)}<br>{esc(t.stops)}<br>"
        f"{int(t.people)} people, {float(t.km):.0f} km, {float(t.driving_h):.1f} h driving, {int(t.drivers)} driver(s)"
        + ("" if bool(t.legal) else " <b>NOT LEGAL</b>")
        for t in trips.itertuples(index=False)
    ]


def plan_map(plan_dir: str | os.PathLike[str], *, data_dir: str | os.PathLike[str] | None = None, tiles: str = "none") -> folium.Map:
    """Trips coloured by day (a layer each), centres by occupancy, departments by people allocated."""
    plan_dir = Path(plan_dir)
    document = json.loads(_read(plan_dir, "plan.json").read_text(encoding="utf-8"))
    centres = read_geojson(_read(plan_dir, "centres.geojson"))
    trips = read_geojson(_read(plan_dir, "trips.geojson"))
    origin = json.loads(_read(plan_dir, "origin.json").read_text(encoding="utf-8"))
    summary = document["summary"]
    subtitle = (f"{summary['carried']:,} people on {summary['trips']} coach trips, seat fill {summary['seat_fill_pct']}%, "
                f"{summary['coach_km']:,} coach-km, {summary['legal_trips']}/{summary['trips']} trips legal. {document['label']}")
    fmap = base_map("Coach plan", subtitle, tiles=tiles)
    departements = capacity_layers(centres, data_dir=data_dir, allocated=centres.set_index("id")["allocated"])
    bases = department_layers(fmap, departements,
                              {"allocated": ("people allocated", "people allocated"), "occupancy_pct": ("occupancy (%)", "occupancy %"),
                               "places": ("places", "places")})
    overlays = [("centres (by occupancy)", centre_layer(fmap, centres, colour_by_occupancy=True).get_name())]
    trips = round_geometry(trips, decimals=4)
    trips["tooltip"] = trip_tooltips(trips)
    trips["weight"] = 2 + trips["people"].astype(float) / 20
    for day, group in trips.groupby("day", sort=True):
        layer = GeoJsonLayer(group[["tooltip", "colour", "weight", "geometry"]], css_class="abri-trip")
        fmap.add_child(layer)
        overlays.append((f"trips {esc(day)} ({len(group)} coaches)", layer.get_name()))
    origin_marker(fmap, origin["lon"], origin["lat"], origin.get("name", "origin"))
    fmap.add_child(LayerControl(bases, overlays))
    return fmap


def write_plan_map(plan_dir: str | os.PathLike[str], path: str | os.PathLike[str], *, png: bool = False,
                   data_dir: str | os.PathLike[str] | None = None, tiles: str = "none") -> list[Path]:
    """Write the plan map as HTML (and PNG next to it with `png`)."""
    written = [save_map(plan_map(plan_dir, data_dir=data_dir, tiles=tiles), path)]
    if png:
        from abri.maps.static import static_map

        plan_dir = Path(plan_dir)
        centres = read_geojson(plan_dir / "centres.geojson")
        origin = json.loads((plan_dir / "origin.json").read_text(encoding="utf-8"))
        departements = capacity_layers(centres, data_dir=data_dir, allocated=centres.set_index("id")["allocated"])
        written.append(static_map(departements, "allocated", Path(path).with_suffix(".png"), title="Coach plan: people allocated and trips",
                                  centres=centres, trips=read_geojson(plan_dir / "trips.geojson"), origin=(origin["lon"], origin["lat"])))
    return written
