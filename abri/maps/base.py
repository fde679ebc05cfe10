"""Pieces shared by abri's maps: words, palettes, classes and legends, escaping, and the one map element.

Every abri map is a folium Map whose behaviour lives in one script,
``maps/abri.js`` (inlined with ``maps/abri.css``): Python gathers the data
(departments with every measure, centres, trips, reference names and
roads) into one JSON config, and ``abri.init(map, config)`` draws it.
HTML inside the config (popups, trip sheets) is escaped here; plain text
is escaped by the script.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from abri.files import write_text_atomic
from abri.i18n import check_lang
from abri.maps.assets import offline_map

ATTRIBUTION = (
    "Boundaries: IGN ADMIN EXPRESS 2018 (Licence Ouverte / Etalab); communes: INSEE / Etalab (Licence Ouverte); "
    "roads: TravelMapping / OpenStreetMap contributors (ODbL)"
)
TILES = {"none": None, "osm": "OpenStreetMap", "light": "CartoDB positron"}
CLUSTER_ABOVE = 150  # cluster centre markers when there are more than this many
FRANCE = (-5.2, 41.3, 9.6, 51.1)  # lon/lat bounds the maps open on
FOLD_BELOW_PX = 700  # the panel starts folded on screens narrower than this
ZOOMS = {
    "depts": 6,
    "towns": 7,
    "min": 4,
    "max": 18,
}  # department names from zoom 6, town names from 7

# Colour-blind-safe palettes: ColorBrewer YlGnBu (sequential) for departments, Purples for how full a
# centre is, Okabe-Ito for days; grey for departments with no places.
CHOROPLETH = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]
NO_PLACES = "#cfcfcf"
OCCUPANCY = [
    (0.9, "#54278f"),
    (0.5, "#9e9ac8"),
    (1e-9, "#dadaeb"),
    (-1.0, "#ffffff"),
]  # share >= bound -> colour
CENTRE_COLOUR = "#6a51a3"
DAY_COLOURS = ["#E69F00", "#009E73", "#0072B2", "#CC79A7", "#D55E00", "#56B4E9", "#000000"]
PERCENT_CLASSES = [0, 25, 50, 75, 90]  # occupancy classes (lower bounds, %)

#: Every word the maps show, in one place (English; abri.i18n can translate them later).
TEXT_EN: dict[str, str] = {
    "capacity_subtitle": "{centres} centres, {places} places in {departments} departments",
    "plan_subtitle": "{people} people on {trips} coach trips, seat fill {fill}%, {km} coach-km, {legal}/{trips} trips legal",
    "allocated_and_trips": "people allocated and trips",
    "capacity_title": "Reception capacity by department",
    "plan_title": "Coach plan",
    "panel": "Search and layers",
    "legend": "Legend",
    "search": "Search a centre, town or department",
    "search_plan": "Search a centre, town, department or coach",
    "no_match": "nothing found",
    "day": "Day",
    "all_days": "all days",
    "departments": "Departments show",
    "department": "department",
    "layers": "Layers",
    "trips": "coach trips",
    "centres_layer": "centres",
    "centres": "centres",
    "roads": "major roads",
    "names": "place names",
    "trip_days": "Coach trips by day",
    "origin": "leaving from",
    "no_places": "no places",
    "centre_occupancy": "Centres: how full",
    "centre_places": "Centres (size: places)",
    "occupancy_full": "90% full or more",
    "occupancy_half": "50 - 89%",
    "occupancy_low": "under 50%",
    "occupancy_empty": "nobody allocated",
    "places": "places",
    "places_per_10k": "places per 10,000 inhabitants",
    "allocated": "people allocated",
    "occupancy_pct": "occupancy (%)",
    "centres_count": "centres",
    "arrivals": "Arrivals",
    "arrivals_by_day": "arrivals",
    "coach": "coach",
    "time": "time",
    "people": "people",
    "stop": "stop",
    "centre": "centre",
    "commune": "town",
    "type": "type",
    "capacity": "places",
    "groups": "groups accepted",
    "boarding": "boarding",
    "departure": "departure",
    "return": "return",
    "drivers": "driver(s)",
    "km": "km",
    "driving": "h driving",
    "not_legal": "NOT LEGAL",
    "click_trip": "click for the trip sheet",
    "no_arrivals": "no arrivals planned",
    "contact": "contact",
    "synthetic": "SYNTHETIC",
    "made_on": "made on",
    "road_sheet": "Road sheet",
    "cluster_unit": "places",
    "arrival_sheet": "Arrival sheet",
    "scenario": "scenario",
    "date_range": "{first} to {last}",
    "by_department": "by department",
}

TEXT_FR: dict[str, str] = {
    "capacity_subtitle": "{centres} centres, {places} places dans {departments} départements",
    "plan_subtitle": "{people} personnes dans {trips} cars, remplissage {fill} %, {km} km-car, {legal}/{trips} trajets conformes",
    "allocated_and_trips": "personnes affectées et trajets",
    "capacity_title": "Capacités d'accueil par département",
    "plan_title": "Plan de transport en car",
    "panel": "Recherche et couches",
    "legend": "Légende",
    "search": "Chercher un centre, une commune ou un département",
    "search_plan": "Chercher un centre, une commune, un département ou un car",
    "no_match": "aucun résultat",
    "day": "Jour",
    "all_days": "tous les jours",
    "departments": "Les départements montrent",
    "department": "département",
    "layers": "Couches",
    "trips": "trajets en car",
    "centres_layer": "centres",
    "centres": "centres",
    "roads": "grands axes",
    "names": "noms de lieux",
    "trip_days": "Trajets en car par jour",
    "origin": "départ de",
    "no_places": "aucune place",
    "centre_occupancy": "Centres : taux de remplissage",
    "centre_places": "Centres (taille : places)",
    "occupancy_full": "plein à 90 % ou plus",
    "occupancy_half": "50 - 89 %",
    "occupancy_low": "moins de 50 %",
    "occupancy_empty": "personne d'affecté",
    "places": "places",
    "places_per_10k": "places pour 10 000 habitants",
    "allocated": "personnes affectées",
    "occupancy_pct": "taux d'occupation (%)",
    "centres_count": "centres",
    "arrivals": "Arrivées",
    "arrivals_by_day": "arrivées",
    "coach": "car",
    "time": "heure",
    "people": "personnes",
    "stop": "arrêt",
    "centre": "centre",
    "commune": "commune",
    "type": "type",
    "capacity": "places",
    "groups": "publics accueillis",
    "boarding": "embarquement",
    "departure": "départ",
    "return": "retour",
    "drivers": "chauffeur(s)",
    "km": "km",
    "driving": "h de conduite",
    "not_legal": "NON CONFORME",
    "click_trip": "cliquer pour la feuille de route",
    "no_arrivals": "aucune arrivée prévue",
    "contact": "contact",
    "synthetic": "SYNTHÉTIQUE",
    "made_on": "établi le",
    "road_sheet": "Feuille de route",
    "cluster_unit": "places",
    "arrival_sheet": "Fiche d'arrivée",
    "scenario": "scénario",
    "date_range": "du {first} au {last}",
    "by_department": "par département",
}

_MAP_LANG: ContextVar[str] = ContextVar("abri_map_lang", default="en")


class _Text(Mapping[str, str]):
    """The map's words in the language of the map being drawn (see :func:`map_language`)."""

    def __getitem__(self, key: str) -> str:
        return (TEXT_FR if _MAP_LANG.get() == "fr" else TEXT_EN)[key]

    def __iter__(self) -> Iterator[str]:
        return iter(TEXT_EN)

    def __len__(self) -> int:
        return len(TEXT_EN)


TEXT: Mapping[str, str] = _Text()


def map_lang() -> str:
    """The language of the map being drawn (``"fr"`` or ``"en"``)."""
    return _MAP_LANG.get()


@contextmanager
def map_language(lang: str) -> Iterator[None]:
    """Draw the maps made inside this block in `lang` (``"fr"`` or ``"en"``)."""

    token = _MAP_LANG.set(check_lang(lang))
    try:
        yield
    finally:
        _MAP_LANG.reset(token)


SCRIPT_TEXT = (
    "panel",
    "legend",
    "search",
    "search_plan",
    "no_match",
    "day",
    "all_days",
    "departments",
    "department",
    "layers",
    "trips",
    "centres_layer",
    "centres",
    "roads",
    "names",
    "trip_days",
    "origin",
    "cluster_unit",
)  # the words abri.js shows
GROUP_NAMES = {
    "men": "men",
    "women": "women",
    "families": "families",
    "vulnerable": "vulnerable",
    "minors": "minors",
}
CONTACT_WORDS = (
    "contact",
    "phone",
    "telephone",
    "tel",
    "email",
    "mail",
    "courriel",
    "address",
    "adresse",
    "responsable",
    "manager",
)


def esc(value: object) -> str:
    """Text from input files, safe to put in HTML."""
    return html.escape(
        "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value),
        quote=True,
    )


def round_geometry(
    gdf: gpd.GeoDataFrame, *, tolerance: float = 0.0, decimals: int = 4
) -> gpd.GeoDataFrame:
    """Simplify (degrees) and round coordinates, for light HTML."""
    out = gdf.copy()
    geoms = out.geometry.simplify(tolerance, preserve_topology=True) if tolerance else out.geometry
    out["geometry"] = geoms.set_precision(10**-decimals)
    return out


# --- classes and legends ----------------------------------------------------------------------------


@dataclass
class Measure:
    """A department measure: its column, its name in the panel, how to class and show it."""

    column: str
    name: str
    kind: str = "count"  # count (integers), rate (one decimal), percent (fixed classes)
    values: pd.Series | None = (
        None  # by department code, for measures that are not a column (the ``extra`` hook)
    )
    legend: str = ""  # legend title, when not the name


def _fmt(value: float, kind: str) -> str:
    if kind == "percent":
        return f"{value:.0f}%"
    if kind == "rate":
        return f"{value:,.1f}"
    return f"{round(value):,}"


def classify(
    values: pd.Series, kind: str = "count", *, has_places: pd.Series | None = None, k: int = 5
) -> tuple[list[str], list[tuple[str, str]]]:
    """Fill colour of each value and the legend rows (colour, label).

    Counts get integer classes ("1 - 12"), rates one decimal, percentages
    fixed rounded classes; values where `has_places` is false (or missing
    values) take the grey "no places" class.
    """
    present = values.notna() & (has_places if has_places is not None else True)
    data = values[present].astype(float)
    if kind == "count":
        data = data.round()
    fills = pd.Series(NO_PLACES, index=values.index, dtype=object)
    rows: list[tuple[str, str]] = []
    if len(data):
        if kind == "percent":
            lows = [float(b) for b in PERCENT_CLASSES]
            highs = [b - 1 for b in PERCENT_CLASSES[1:]] + [max(100.0, float(data.max()))]
        else:
            step = 1.0 if kind == "count" else 0.1
            distinct = np.unique(data.to_numpy())
            if len(distinct) <= k:  # one class per value
                highs = [float(v) for v in distinct]
                lows = list(highs)
            else:
                import mapclassify  # here: it imports scikit-learn and pyplot (about 1 s)

                with warnings.catch_warnings():
                    warnings.simplefilter(
                        "ignore", UserWarning
                    )  # "Numba not installed": fine for ~100 areas
                    highs = [float(b) for b in mapclassify.FisherJenks(data.to_numpy(), k=k).bins]
                highs = [float(np.round(h, 0 if kind == "count" else 1)) for h in highs]
                highs = sorted(set(highs))
                lows = [float(data.min())] + [h + step for h in highs[:-1]]
        palette = (
            CHOROPLETH
            if len(lows) >= len(CHOROPLETH)
            else CHOROPLETH[len(CHOROPLETH) - len(lows) :]
        )
        index = np.searchsorted(np.array(lows), data.to_numpy(), side="right") - 1
        fills[data.index] = [palette[max(0, i)] for i in index]
        for i, (lo, hi) in enumerate(zip(lows, highs)):
            rows.append(
                (
                    palette[i],
                    _fmt(lo, kind)
                    if np.isclose(lo, hi)
                    else f"{_fmt(lo, kind)} - {_fmt(hi, kind)}",
                )
            )
    if (~present).any():
        rows.append((NO_PLACES, TEXT["no_places"]))
    return fills.tolist(), rows


def occupancy_colour(share: float) -> str:
    """Colour of a centre by the share of its places allocated (one hue, light to dark)."""
    return next(colour for bound, colour in OCCUPANCY if share >= bound)


def occupancy_legend() -> tuple[str, list[tuple[str, str]]]:
    """Legend of :func:`occupancy_colour`."""
    labels = [
        TEXT["occupancy_full"],
        TEXT["occupancy_half"],
        TEXT["occupancy_low"],
        TEXT["occupancy_empty"],
    ]
    return TEXT["centre_occupancy"], [
        (colour, label) for (_, colour), label in zip(OCCUPANCY, labels)
    ]


def day_colours(days: list[str]) -> dict[str, str]:
    """One colour per day, in order."""
    return {day: DAY_COLOURS[i % len(DAY_COLOURS)] for i, day in enumerate(sorted(days))}


# --- popups -------------------------------------------------------------------------------------------


def arrivals_table(arrivals: list[dict[str, Any]]) -> str:
    """Escaped HTML table of a centre's arrivals: day, coach, time, people by group."""
    if not arrivals:
        return f"<div class='abri-arrivals'><i>{esc(TEXT['no_arrivals'])}</i></div>"
    rows = "".join(
        f"<tr><td>{esc(a['day'])}</td><td>{esc(a['coach'])}</td><td>{esc(a['arrival'])}</td>"
        f"<td class='abri-num'>{int(a['people'])}</td><td>{esc(groups_text(a['groups']))}</td></tr>"
        for a in arrivals
    )
    return (
        f"<div class='abri-arrivals'><b>{esc(TEXT['arrivals'])}</b></div><table><tr><th>{esc(TEXT['day'])}</th><th>{esc(TEXT['coach'])}</th>"
        f"<th>{esc(TEXT['time'])}</th><th>{esc(TEXT['people'])}</th><th></th></tr>{rows}</table>"
    )


def groups_text(groups: dict[str, int]) -> str:
    """'21 men, 3 women' from counts by group."""
    return ", ".join(f"{int(n)} {GROUP_NAMES.get(g, g)}" for g, n in groups.items() if n)


def contact_columns(frame: pd.DataFrame) -> list[str]:
    """Columns of a centre file that look like contact fields (phone, email, address...)."""
    return [
        c
        for c in frame.columns
        if any(w in str(c).lower().replace("é", "e") for w in CONTACT_WORDS)
    ]


def centre_popup(
    row: Any, *, allocated: int | None, arrivals: list[dict[str, Any]] | None, contacts: list[str]
) -> str:
    """Escaped HTML popup of one centre: name, place, capacity, allocation, arrivals and contact fields."""
    capacity = int(row["capacity"])
    lines = [
        f"<b>{esc(row['name'])}</b> <small>({esc(row['id'])})</small>",
        f"{esc(TEXT['commune'])}: {esc(row.get('commune', ''))} ({esc(row.get('departement', ''))})",
        f"{esc(TEXT['type'])}: {esc(row.get('type', ''))}, {esc(TEXT['capacity'])}: {capacity}",
    ]
    if allocated is not None:
        lines.append(
            f"{esc(TEXT['allocated'])}: {allocated} ({100 * allocated / capacity:.0f}%)"
            if capacity
            else f"{esc(TEXT['allocated'])}: {allocated}"
        )
    lines.append(f"{esc(TEXT['groups'])}: {esc(str(row.get('groups', '')).replace(';', ', '))}")
    for column in contacts:
        value = row.get(column)
        if (
            value is not None
            and not (isinstance(value, float) and np.isnan(value))
            and str(value).strip()
        ):
            lines.append(f"{esc(column)}: {esc(value)}")
    body = "<br>".join(lines)
    if arrivals is not None:  # with a plan: its arrivals, or that none are planned
        body += arrivals_table(arrivals)
    return f"<div class='abri-popup'>{body}</div>"


def centre_entries(
    centres: pd.DataFrame,
    *,
    allocated: pd.Series | None = None,
    arrivals: dict[str, list[dict[str, Any]]] | None = None,
) -> list[dict[str, Any]]:
    """Centre markers for :func:`abri.js <map_config>`: position, size, colour, popup, search text, days of arrival."""
    contacts = contact_columns(centres)
    out = []
    for row in pd.DataFrame(centres).drop(columns="geometry", errors="ignore").to_dict("records"):
        cid = str(row["id"])
        capacity = int(row["capacity"])
        taken = int(allocated.get(cid, 0)) if allocated is not None else None
        mine = None if arrivals is None else arrivals.get(cid, [])
        out.append(
            {
                "id": cid,
                "name": str(row["name"]),
                "commune": str(row.get("commune", "") or ""),
                "dept": str(row.get("departement", "")),
                "lat": round(float(row["lat"]), 5),
                "lon": round(float(row["lon"]), 5),
                "cap": capacity,
                "r": round(4 + 2 * float(np.sqrt(capacity / 10)), 1),
                "colour": occupancy_colour(taken / capacity if capacity else 0)
                if taken is not None
                else CENTRE_COLOUR,
                "days": sorted({a["day"] for a in mine or []}),
                "popup": centre_popup(row, allocated=taken, arrivals=mine, contacts=contacts),
            }
        )
    return out


def department_features(
    departements: gpd.GeoDataFrame, measures: list[Measure]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Department GeoJSON with every measure (fill, shown value, one popup listing them all) and the measures' legends."""
    has_places = departements["places"] > 0 if "places" in departements else None
    fills: dict[str, list[str]] = {}
    legends = []
    shown: dict[str, list[str]] = {}
    for m in measures:
        values = departements[m.column] if m.values is None else departements["code"].map(m.values)
        values = pd.Series(values.to_numpy(dtype=float), index=departements.index)
        grey_when = (
            has_places if m.values is None else None
        )  # an extra measure is grey where it has no value
        fills[m.column], rows = classify(values, m.kind, has_places=grey_when)
        legends.append({"key": m.column, "name": m.name, "legend": [m.legend or m.name, rows]})
        shown[m.column] = ["" if np.isnan(v) else _fmt(v, m.kind) for v in values]
    features = []
    for i, row in enumerate(departements.itertuples(index=False)):
        values = {m.column: shown[m.column][i] for m in measures}
        table = "".join(
            f"<tr><td>{esc(m.name)}</td><td class='abri-num'>{esc(values[m.column] or '-')}</td></tr>"
            for m in measures
        )
        extra = ""
        if "arrivals" in departements and isinstance(row.arrivals, dict) and row.arrivals:
            extra = "".join(
                f"<tr><td>{esc(TEXT['arrivals_by_day'])} {esc(day)}</td><td class='abri-num'>{n:,}</td></tr>"
                for day, n in sorted(row.arrivals.items())
            )
        count = (
            f"<tr><td>{esc(TEXT['centres_count'])}</td><td class='abri-num'>{int(row.centres):,}</td></tr>"
            if "centres" in departements
            else ""
        )
        features.append(
            {
                "type": "Feature",
                "geometry": row.geometry.__geo_interface__,
                "properties": {
                    "code": str(row.code),
                    "nom": str(row.nom),
                    "values": values,
                    "fill": {m.column: fills[m.column][i] for m in measures},
                    "popup": f"<div class='abri-popup'><b>{esc(row.nom)}</b> ({esc(row.code)})<table>{count}{table}{extra}</table></div>",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}, legends


# --- the map ---------------------------------------------------------------------------------------


def script_json(data: object) -> str:
    """JSON safe to place inside a <script> element."""
    return (
        json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        .replace("</", "<\\/")
        .replace("<!--", "<\\!--")
    )


class AbriMap(MacroElement):
    """``abri.init(map, config)``: every layer and control of an abri map, from one JSON config."""

    _template = Template("""
    {% macro script(this, kwargs) %}
    var {{ this.get_name() }} = abri.init({{ this._parent.get_name() }}, {{ this.config }});
    {% endmacro %}
    """)

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self._name = "AbriMap"
        self.config = script_json(config)


@dataclass
class MapContent:
    """What an abri map shows; turned into the config of ``abri.init``."""

    title: str
    subtitle: str
    label: str = ""
    departements: dict[str, Any] = field(
        default_factory=lambda: {"type": "FeatureCollection", "features": []}
    )
    measures: list[dict[str, Any]] = field(default_factory=list)
    centres: list[dict[str, Any]] = field(default_factory=list)
    centre_legend: tuple[str, list[tuple[str, str]]] | None = None
    trips: list[dict[str, Any]] = field(default_factory=list)
    days: list[tuple[str, str, int]] = field(default_factory=list)  # day, colour, trips
    origin: tuple[float, float, str] | None = None
    reference: dict[str, Any] = field(default_factory=lambda: {"roads": [], "names": []})
    dept_opacity: float = 0.75
    version: str = ""  # "version 2, re-planned at ... from version 1" under the title
    changes: dict[str, Any] | None = None  # the panel's "changed since version N" list


def abri_map(content: MapContent, *, tiles: str = "none") -> folium.Map:
    """A folium Map (offline, scripts inlined) drawn by ``abri.init`` from `content`."""
    if tiles not in TILES:
        msg = f"`tiles` must be one of {', '.join(TILES)}, got {tiles!r}"
        raise ValueError(msg)
    fmap = offline_map(
        location=[46.6, 2.4], zoom_start=6, tiles=None, control_scale=False, zoom_control=False
    )
    fmap.get_root().title = content.title  # type: ignore[attr-defined]
    fmap.abri_lang = _MAP_LANG.get()  # type: ignore[attr-defined]
    if TILES[tiles]:
        folium.TileLayer(TILES[tiles], name=f"background ({tiles})", control=False).add_to(fmap)
    origin = (
        None
        if content.origin is None
        else {"lon": content.origin[0], "lat": content.origin[1], "name": content.origin[2]}
    )
    fmap.add_child(
        AbriMap(
            {
                "title": content.title,
                "subtitle": content.subtitle,
                "label": content.label,
                "attribution": ATTRIBUTION,
                "text": {k: TEXT[k] for k in SCRIPT_TEXT},
                "bounds": [[FRANCE[1], FRANCE[0]], [FRANCE[3], FRANCE[2]]],
                "zooms": ZOOMS,
                "foldBelow": FOLD_BELOW_PX,
                "depts": content.departements,
                "deptOpacity": content.dept_opacity,
                "measures": content.measures,
                "reference": content.reference,
                "origin": origin,
                "centres": {
                    "features": content.centres,
                    "cluster": len(content.centres) > CLUSTER_ABOVE,
                    "legend": list(content.centre_legend)
                    if content.centre_legend
                    else [TEXT["centre_places"], [(CENTRE_COLOUR, TEXT["centres"])]],
                },
                "trips": content.trips,
                "days": content.days,
                "version": content.version,
                "changes": content.changes,
            }
        )
    )
    return fmap


_VIEWPORT = re.compile(r'<meta name="viewport" content="[^"]*"\s*/?>')


def map_html(fmap: folium.Map) -> str:
    """A map as one self-contained HTML page: its language, a title, a viewport that lets people zoom."""
    text = fmap.get_root().render()
    lang = getattr(fmap, "abri_lang", "en")
    text = text.replace("<html>", f'<html lang="{lang}">', 1)
    return _VIEWPORT.sub(
        '<meta name="viewport" content="width=device-width, initial-scale=1">', text
    )


def save_map(fmap: folium.Map, path: str | os.PathLike[str]) -> Path:
    """Write a map as one self-contained HTML file, whole or not at all."""
    return write_text_atomic(Path(path), map_html(fmap))


def today() -> str:
    """The date a map is made on (ISO)."""
    return dt.date.today().isoformat()
