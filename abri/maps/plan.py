"""The plan map: coach trips along their roads with their sheets, a day selector, centres by how full they end up."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import pandas as pd

from abri.documents.index import sheet_path
from abri.i18n import DEFAULT_LANG
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
    save_map,
)
from abri.maps.capacity import capacity_layers
from abri.maps.plandata import (
    HasPlanData,
    PlanData,
    PlanSource,
    allocated_per_centre,
    plan_data,
    read_geojson,
)
from abri.maps.reference import reference_layer
from abri.maps.static import main_towns, static_map
from abri.maps.versions import MapVersion, map_version, parent_folder

__all__ = [
    "HasPlanData",
    "PlanData",
    "PlanSource",
    "allocated_per_centre",
    "plan_data",
    "plan_map",
    "read_geojson",
    "trip_entries",
    "trip_sheet",
    "write_plan_map",
]


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


def sheet_link(sheets: str | None, kind: str, key: str) -> str:
    """A link from a popup to the documents' sheet of a coach or centre (``""`` without documents)."""
    if not sheets:
        return ""
    href = esc(f"{sheets.rstrip('/')}/{sheet_path(kind, key)}")
    word = TEXT["road_sheet"] if kind == "coach" else TEXT["arrival_sheet"]
    return f"<p class='abri-sheet-link'><a href='{href}' target='_blank'>{esc(word)}</a></p>"


def trip_entries(
    data: PlanData, *, decimals: int = 3, sheets: str | None = None
) -> list[dict[str, Any]]:
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
                "sheet": trip_sheet(trip, names) + sheet_link(sheets, "coach", key[0]),
                "tip": f"<b>{esc(key[0])}</b> ({esc(key[1])}), {people} {esc(TEXT['people'])}, "
                f"{len(trip['stops'])} {esc(TEXT['stop'])}(s)<br><i>{esc(TEXT['click_trip'])}</i>",
            }
        )
    return out


def plan_subtitle(data: PlanData) -> str:
    """One line: people, trips, seat fill, coach-km, legal trips, dates."""
    s = data.document.get("summary", {})
    days = data.days()
    dates = (
        TEXT["date_range"].format(first=days[0], last=days[-1]) if len(days) > 1 else data.dates()
    )
    return f"{dates}: " + TEXT["plan_subtitle"].format(
        people=f"{s.get('carried', 0):,}",
        trips=s.get("trips", 0),
        fill=s.get("seat_fill_pct", 0),
        km=f"{s.get('coach_km', 0):,}",
        legal=s.get("legal_trips", 0),
    )


def mark_changed(trips: list[dict[str, Any]], version: MapVersion) -> list[dict[str, Any]]:
    """Trips of coaches changed since the parent version, marked (``changed``) with the reason in their sheet."""
    out = []
    for trip in trips:
        note = version.note(trip["coach"])
        if note:
            kind = version.coaches[trip["coach"]]["change"]
            trip = trip | {
                "changed": kind,
                "sheet": note + trip["sheet"],
                "tip": version.tag(trip["coach"]) + trip["tip"],
            }
        out.append(trip)
    return out


def cancelled_entries(data: PlanData, version: MapVersion) -> list[dict[str, Any]]:
    """The parent's trips of the coaches this version cancelled, on their roads, marked ``cancelled``."""
    cancelled = {c for c, row in version.coaches.items() if row["change"] == "cancelled"}
    parent = parent_folder(version, data.folder) if cancelled and data.folder else None
    if parent is None:
        return []
    before = PlanData.from_folder(parent)
    before.document = {
        "trips": [t for t in before.document.get("trips", []) if str(t["coach"]) in cancelled]
    }
    return mark_changed(trip_entries(before), version)


def plan_map(
    source: PlanSource,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    tiles: str = "none",
    lang: str = DEFAULT_LANG,
    sheets: str | None = None,
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
    sheets
        Where the documents folder (``abri documents``) is, relative to the map's file: each trip's
        and centre's popup then links to its road sheet or arrival sheet.

    Returns
    -------
    folium.Map, shown inline in a notebook; save it with :func:`abri.maps.capacity.save_map`.
    """
    with map_language(lang):
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
        version = map_version(data.document, data.folder)
        trips = trip_entries(data, sheets=sheets)
        per_day = (
            pd.Series([t["day"] for t in trips]).value_counts() if trips else pd.Series(dtype=int)
        )
        content = MapContent(
            title=f"{TEXT['plan_title']}: {data.name}",
            subtitle=plan_subtitle(data),
            version=version.line(),
            changes=version.panel(),
            label=data.label,
            departements=features,
            measures=measures,
            dept_opacity=0.45,
            centres=[
                e
                | {
                    "popup": e["popup"] + sheet_link(sheets, "centre", e["id"])
                    if e["days"]
                    else e["popup"]
                }
                for e in centre_entries(
                    data.centres, allocated=data.allocated(), arrivals=data.arrivals()
                )
            ],
            centre_legend=occupancy_legend(),
            trips=mark_changed(trips, version) + cancelled_entries(data, version),
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
    lang: str = DEFAULT_LANG,
    sheets: str | None = None,
) -> list[Path]:
    """Write the plan map as HTML, and with `png`/`svg`/`pdf` report images next to it."""
    with map_language(lang):
        data = plan_data(source)
        written = [
            save_map(plan_map(data, data_dir=data_dir, tiles=tiles, lang=lang, sheets=sheets), path)
        ]
        suffixes = [s for s, wanted in ((".png", png), (".svg", svg), (".pdf", pdf)) if wanted]
        if suffixes:
            version = map_version(data.document, data.folder).line()  # "" for a first plan
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
                        subtitle=" - ".join(filter(None, (plan_subtitle(data), version))),
                        scenario=data.name,
                        label=data.label,
                        centres=data.centres,
                        trips=trip_frame(data),
                        origin=data.origin,
                        dpi=dpi,
                        towns=main_towns(data_dir),
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
