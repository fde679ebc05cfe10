"""The plan map: coach trips along their roads with their sheets, a day selector, centres by how full they end up."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, Union

import folium
import geopandas as gpd
import pandas as pd

from abri.errors import DataFileError
from abri.maps.base import (
    TEXT,
    MapContent,
    Measure,
    abri_map,
    centre_entries,
    day_colours,
    department_features,
    esc,
    groups_text,
    map_language,
    occupancy_legend,
)


class HasPlanData(Protocol):
    """Anything that gives the maps' data in memory, e.g. a :class:`~abri.pipeline.PlanRun`."""

    def plan_data(self) -> PlanData: ...


PlanSource = Union[HasPlanData, "PlanData", str, os.PathLike]


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


@dataclass
class PlanData:
    """What the maps need from a plan, read from a plan folder or taken from a :class:`~abri.pipeline.PlanRun`."""

    document: dict[str, Any]  # plan.json
    centres: gpd.GeoDataFrame  # with ``allocated``
    lines: gpd.GeoDataFrame | None  # one road line per trip (trips.geojson)
    origin: tuple[float, float, str]
    name: str = ""

    @property
    def label(self) -> str:
        """ "SYNTHETIC ..." for a generated plan, empty for a real list."""
        return str(self.document.get("label", "") or "")

    @classmethod
    def from_folder(cls, plan_dir: str | os.PathLike[str]) -> PlanData:
        """Read plan.json, centres.geojson, trips.geojson (if any) and origin.json from a folder written by ``abri plan``."""
        folder = Path(plan_dir)
        try:
            document = json.loads(_read(folder, "plan.json").read_text(encoding="utf-8"))
            origin = json.loads(_read(folder, "origin.json").read_text(encoding="utf-8"))
            point = (float(origin["lon"]), float(origin["lat"]), str(origin.get("name", "origin")))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            msg = f"{folder}: plan.json or origin.json is not what `abri plan` writes ({exc})"
            raise DataFileError(msg) from exc
        lines = (
            read_geojson(folder / "trips.geojson") if (folder / "trips.geojson").is_file() else None
        )
        # plan.json may name its scenario; else the folder (its parent when the folder is just "plan")
        name = str(
            document.get("scenario")
            or document.get("name")
            or (folder.resolve().parent.name if folder.name == "plan" else folder.name)
        )
        return cls(document, read_geojson(_read(folder, "centres.geojson")), lines, point, name)

    def allocated(self) -> pd.Series:
        """People allocated to each centre id."""
        return self.centres.set_index(self.centres["id"].astype(str))["allocated"].astype(int)

    def days(self) -> list[str]:
        """Days with trips, in order."""
        return sorted({str(t["day"]) for t in self.document.get("trips", [])})

    def arrivals(self) -> dict[str, list[dict[str, Any]]]:
        """For each centre id, its arrivals in time order: day, coach, arrival time, people, groups."""
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for trip in self.document.get("trips", []):
            for stop in trip["stops"]:
                people = len(stop.get("people", [])) or sum(stop.get("groups", {}).values())
                out[str(stop["centre_id"])].append(
                    {
                        "day": str(trip["day"]),
                        "coach": str(trip["coach"]),
                        "arrival": str(stop["arrival"]),
                        "people": people,
                        "groups": stop.get("groups", {}),
                    }
                )
        return {k: sorted(v, key=lambda a: (a["day"], a["arrival"])) for k, v in out.items()}

    def dates(self) -> str:
        """'2016-10-24 to 2016-10-26', the days of the plan."""
        days = self.days()
        return "" if not days else days[0] if len(days) == 1 else f"{days[0]} to {days[-1]}"


def plan_data(source: PlanSource) -> PlanData:
    """A :class:`PlanData` from a run, a plan folder, or itself."""
    if isinstance(source, PlanData):
        return source
    if isinstance(source, (str, os.PathLike)):
        return PlanData.from_folder(source)
    return source.plan_data()


def allocated_per_centre(plan_dir: str | os.PathLike[str]) -> pd.Series:
    """People allocated to each centre id, from a plan folder."""
    return PlanData.from_folder(plan_dir).allocated()


def trip_sheet(trip: dict[str, Any], names: dict[str, str]) -> str:
    """Escaped HTML sheet of one trip: coach, day, boarding slot, departure, stops in order with times and people."""
    raw = trip.get("slot")
    slot = (
        f"{raw + 1}"
        if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0
        else (raw if isinstance(raw, str) else "")
    )
    slot = slot or trip.get("boarding") or ""  # plan.json numbers slots from 0; people from 1
    facts = [f"{esc(TEXT['day'])}: {esc(trip['day'])}"]
    if slot:
        facts.append(f"{esc(TEXT['boarding'])}: {esc(slot)}")
    facts.append(f"{esc(TEXT['departure'])}: {esc(trip.get('departure', ''))}")
    if trip.get("return"):
        facts.append(f"{esc(TEXT['return'])}: {esc(trip['return'])}")
    rows = "".join(
        f"<tr><td class='abri-num'>{n}</td><td>{esc(names.get(str(s['centre_id']), s['centre_id']))}<br><small>{esc(s['centre_id'])}</small></td>"
        f"<td>{esc(s['arrival'])}</td><td class='abri-num'>{len(s.get('people', [])) or sum(s.get('groups', {}).values())}</td>"
        f"<td>{esc(groups_text(s.get('groups', {})))}</td></tr>"
        for n, s in enumerate(trip["stops"], start=1)
    )
    people = sum(
        len(s.get("people", [])) or sum(s.get("groups", {}).values()) for s in trip["stops"]
    )
    legal = "" if trip.get("legal", True) else f" <b>{esc(TEXT['not_legal'])}</b>"
    return (
        f"<div class='abri-popup'><b>{esc(TEXT['coach'])} {esc(trip['coach'])}</b><br>{', '.join(facts)}<br>"
        f"{people} {esc(TEXT['people'])}, {float(trip.get('km', 0)):.0f} {esc(TEXT['km'])}, {float(trip.get('driving_h', 0)):.1f} "
        f"{esc(TEXT['driving'])}, {int(trip.get('drivers', 1))} {esc(TEXT['drivers'])}{legal}"
        f"<table><tr><th>{esc(TEXT['stop'])}</th><th>{esc(TEXT['centre'])}</th><th>{esc(TEXT['time'])}</th>"
        f"<th>{esc(TEXT['people'])}</th><th></th></tr>{rows}</table></div>"
    )


def trip_entries(data: PlanData, *, decimals: int = 3) -> list[dict[str, Any]]:
    """Trips for ``abri.init``: road line, colour by day, width by people, tooltip, sheet and numbered stops."""
    names = dict(zip(data.centres["id"].astype(str), data.centres["name"].astype(str)))
    points = dict(
        zip(
            data.centres["id"].astype(str),
            zip(data.centres["lat"].astype(float), data.centres["lon"].astype(float)),
        )
    )
    colours = day_colours(data.days())
    lines: dict[tuple[str, str], Any] = {}
    if data.lines is not None:
        lines = {(str(r.coach), str(r.day)): r.geometry for r in data.lines.itertuples(index=False)}
    out = []
    for trip in data.document.get("trips", []):
        key = (str(trip["coach"]), str(trip["day"]))
        stops = [
            [
                round(points[str(s["centre_id"])][0], 4),
                round(points[str(s["centre_id"])][1], 4),
                names.get(str(s["centre_id"]), ""),
            ]
            for s in trip["stops"]
            if str(s["centre_id"]) in points
        ]
        geometry = lines.get(key)
        if geometry is not None and not geometry.is_empty:
            coords = [[round(y, decimals), round(x, decimals)] for x, y in geometry.coords]
        else:  # no road line: straight legs from the origin
            coords = [[round(data.origin[1], 4), round(data.origin[0], 4)]] + [s[:2] for s in stops]
        people = sum(
            len(s.get("people", [])) or sum(s.get("groups", {}).values()) for s in trip["stops"]
        )
        out.append(
            {
                "coach": key[0],
                "day": key[1],
                "colour": colours[key[1]],
                "w": round(2 + people / 20, 1),
                "coords": coords,
                "stops": stops,
                "sheet": trip_sheet(trip, names),
                "tip": f"<b>{esc(key[0])}</b> ({esc(key[1])}), {people} {esc(TEXT['people'])}, "
                f"{len(trip['stops'])} {esc(TEXT['stop'])}(s)<br><i>{esc(TEXT['click_trip'])}</i>",
            }
        )
    return out


def plan_subtitle(data: PlanData) -> str:
    """One line: people, trips, seat fill, coach-km, legal trips, dates."""
    s = data.document.get("summary", {})
    return f"{data.dates()}: " + TEXT["plan_subtitle"].format(
        people=f"{s.get('carried', 0):,}",
        trips=s.get("trips", 0),
        fill=s.get("seat_fill_pct", 0),
        km=f"{s.get('coach_km', 0):,}",
        legal=s.get("legal_trips", 0),
    )


def plan_map(
    source: PlanSource,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    tiles: str = "none",
    lang: str = "en",
) -> folium.Map:
    """The coach plan on a map, offline: trips by day with their sheets, centres by how full, departments by people allocated.

    Parameters
    ----------
    source
        A :class:`~abri.pipeline.PlanRun` (nothing is written), or a folder written by ``abri plan``.
    data_dir
        Data directory (boundaries, gazetteer, roads for the reference layer).
    tiles
        ``none`` (offline), ``osm`` or ``light`` (fetched when the map is opened).
    lang
        ``"en"`` or ``"fr"``: the map's words (titles, legends, sheets, controls).

    Returns
    -------
    folium.Map, shown inline in a notebook; save it with :func:`abri.maps.capacity.save_map`.
    """
    with map_language(lang):
        from abri.maps.capacity import capacity_layers
        from abri.maps.reference import reference_layer

        data = plan_data(source)
        departements = capacity_layers(
            data.centres, data_dir=data_dir, allocated=data.allocated(), arrivals=data.arrivals()
        )
        features, measures = department_features(
            departements,
            [
                Measure("allocated", TEXT["allocated"]),
                Measure("occupancy_pct", TEXT["occupancy_pct"], "percent"),
                Measure("places", TEXT["places"]),
            ],
        )
        trips = trip_entries(data)
        per_day = (
            pd.Series([t["day"] for t in trips]).value_counts() if trips else pd.Series(dtype=int)
        )
        content = MapContent(
            title=f"{TEXT['plan_title']}: {data.name}",
            subtitle=plan_subtitle(data),
            label=data.label,
            departements=features,
            measures=measures,
            dept_opacity=0.45,
            centres=centre_entries(
                data.centres, allocated=data.allocated(), arrivals=data.arrivals()
            ),
            centre_legend=occupancy_legend(),
            trips=trips,
            days=[(d, c, int(per_day.get(d, 0))) for d, c in day_colours(data.days()).items()],
            origin=data.origin,
            reference=reference_layer(data_dir),
        )
        return abri_map(content, tiles=tiles)


def write_plan_map(
    source: PlanSource,
    path: str | os.PathLike[str],
    *,
    png: bool = False,
    svg: bool = False,
    pdf: bool = False,
    dpi: int = 150,
    data_dir: str | os.PathLike[str] | None = None,
    tiles: str = "none",
    lang: str = "en",
) -> list[Path]:
    """Write the plan map as HTML, and with `png`/`svg`/`pdf` report images next to it."""
    with map_language(lang):
        from abri.maps.capacity import save_map

        data = plan_data(source)
        written = [save_map(plan_map(data, data_dir=data_dir, tiles=tiles, lang=lang), path)]
        suffixes = [s for s, wanted in ((".png", png), (".svg", svg), (".pdf", pdf)) if wanted]
        if suffixes:
            from abri.maps.capacity import capacity_layers
            from abri.maps.static import static_map

            departements = capacity_layers(
                data.centres, data_dir=data_dir, allocated=data.allocated()
            )
            for suffix in suffixes:
                written.append(
                    static_map(
                        departements,
                        "allocated",
                        Path(path).with_suffix(suffix),
                        title=f"{TEXT['plan_title']}: {TEXT['allocated_and_trips']}",
                        subtitle=plan_subtitle(data),
                        scenario=data.name,
                        label=data.label,
                        centres=data.centres,
                        trips=trip_frame(data),
                        origin=data.origin,
                        dpi=dpi,
                    )
                )
        return written


def trip_frame(data: PlanData) -> gpd.GeoDataFrame:
    """Trips as lines with their day and colour (for static images)."""
    from shapely.geometry import LineString

    rows = [
        {
            "day": t["day"],
            "colour": t["colour"],
            "geometry": LineString(
                [(x, y) for y, x in t["coords"]]
                if len(t["coords"]) > 1
                else [(t["coords"][0][1], t["coords"][0][0])] * 2
            ),
        }
        for t in trip_entries(data, decimals=3)
    ]
    return (
        gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
        if rows
        else gpd.GeoDataFrame(
            {"day": [], "colour": []}, geometry=gpd.GeoSeries([], crs="EPSG:4326")
        )
    )


def today() -> str:
    """The date a map is made on (ISO)."""
    return dt.date.today().isoformat()
