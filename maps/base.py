"""Pieces shared by abri's maps: title, legends, department layers, centre markers, escaping."""

from __future__ import annotations

import html
import json
import warnings

import folium
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
from branca.element import Element, MacroElement
from jinja2 import Template

from abri.maps.assets import offline_map

ATTRIBUTION = (
    "Boundaries: IGN ADMIN EXPRESS 2018 (Licence Ouverte / Etalab); communes: INSEE / Etalab (Licence Ouverte); "
    "roads: TravelMapping / OpenStreetMap contributors (ODbL)"
)
BLUES = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]
TILES = {"none": None, "osm": "OpenStreetMap", "light": "CartoDB positron"}
CLUSTER_ABOVE = 150  # cluster centre markers when there are more than this many


def esc(value: object) -> str:
    """Text from input files, safe to put in HTML."""
    return html.escape("" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value), quote=True)


def round_geometry(gdf: gpd.GeoDataFrame, *, tolerance: float = 0.0, decimals: int = 4) -> gpd.GeoDataFrame:
    """Simplify (degrees) and round coordinates, for light HTML."""
    out = gdf.copy()
    geoms = out.geometry.simplify(tolerance, preserve_topology=True) if tolerance else out.geometry
    out["geometry"] = geoms.set_precision(10**-decimals)
    return out


def base_map(title: str, subtitle: str, *, tiles: str = "none", bounds: tuple[float, float, float, float] = (-5.2, 41.3, 9.6, 51.1)) -> folium.Map:
    """An offline map of France with a title box and the data sources in the attribution."""
    if tiles not in TILES:
        msg = f"`tiles` must be one of {', '.join(TILES)}, got {tiles!r}"
        raise ValueError(msg)
    fmap = offline_map(location=[46.6, 2.4], zoom_start=6, tiles=None, control_scale=True)
    fmap.add_child(MapScript("{map}.options.minZoom = 4; {map}.options.maxZoom = 18;"))  # clustering needs a maxZoom
    if TILES[tiles]:
        folium.TileLayer(TILES[tiles], name=f"background ({tiles})", control=True).add_to(fmap)
    fmap.get_root().html.add_child(Element(
        f'<div id="abri-title" style="position:fixed;top:10px;left:55px;z-index:1000;background:white;padding:6px 10px;'
        f'border:1px solid #888;border-radius:4px;font:14px sans-serif;max-width:45%">'
        f"<b>{esc(title)}</b><br><span style='font-size:12px'>{esc(subtitle)}</span></div>"
        f"<style>.leaflet-container{{background:#dfe9f3}}</style>"))
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    fmap.add_child(MapScript("{map}.attributionControl.addAttribution(" + json.dumps(esc(ATTRIBUTION)) + ");"))
    return fmap


class MapScript(MacroElement):
    """A line of JavaScript run after the map exists; ``{map}`` stands for the map variable."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.code.replace('{map}', this._parent.get_name()) }}{% endmacro %}")

    def __init__(self, code: str) -> None:
        super().__init__()
        self._name = "MapScript"
        self.code = code


def classify(values: pd.Series, k: int = 5) -> tuple[np.ndarray, list[float]]:
    """Class of each value (Fisher-Jenks, mapclassify) and the class upper bounds."""
    finite = values.fillna(0).to_numpy(float)
    k = max(1, min(k, len(np.unique(finite))))
    if k < 2:
        return np.zeros(len(finite), int), [float(finite.max(initial=0))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Numba not installed": fine for ~100 areas
        scheme = mapclassify.FisherJenks(finite, k=k)
    return scheme.yb, [float(b) for b in scheme.bins]


class Legends(MacroElement):
    """One legend per measure; the legend follows the chosen base layer."""

    _template = Template("""
    {% macro html(this, kwargs) %}
    {% for name, title, rows in this.legends %}
    <div class="abri-legend" data-layer="{{ name|e }}" style="position:fixed;bottom:64px;left:10px;z-index:1000;background:white;
         padding:6px 8px;border:1px solid #888;border-radius:4px;font:12px sans-serif;{{ '' if loop.first else 'display:none' }}">
      <b>{{ title|e }}</b><br>
      {% for colour, label in rows %}<i style="background:{{ colour }};width:14px;height:10px;display:inline-block;margin-right:4px;border:1px solid #999">
      </i>{{ label|e }}<br>{% endfor %}
    </div>
    {% endfor %}
    {% endmacro %}
    {% macro script(this, kwargs) %}
    {{ this._parent.get_name() }}.on('baselayerchange', function (e) {
      document.querySelectorAll('.abri-legend').forEach(function (el) {
        el.style.display = (el.dataset.layer === e.name) ? 'block' : 'none';
      });
    });
    {% endmacro %}
    """)

    def __init__(self, legends: list[tuple[str, str, list[tuple[str, str]]]]) -> None:
        super().__init__()
        self._name = "Legends"
        self.legends = legends


def department_layers(fmap: folium.Map, departements: gpd.GeoDataFrame, measures: dict[str, tuple[str, str]]) -> list[tuple[str, str]]:
    """A choropleth base layer per measure (switch with the layer control) and its legend.

    `measures` maps a column of `departements` to (layer name, legend title).
    """
    legends: list[tuple[str, str, list[tuple[str, str]]]] = []
    bases: list[tuple[str, str]] = []
    for column, (layer, title) in measures.items():
        classes, bins = classify(departements[column])
        colours = [BLUES[min(c, len(BLUES) - 1)] for c in classes]
        frame = departements[["code", "nom", "geometry"]].assign(
            value=departements[column].round(2), fill=colours, nom=departements["nom"].map(esc))
        group = folium.FeatureGroup(name=layer, overlay=False, show=not legends)
        folium.GeoJson(
            frame.to_json(drop_id=True),
            style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#555", "weight": 0.6,
                                      "fillOpacity": 0.75, "className": "abri-dept"},
            tooltip=folium.GeoJsonTooltip(fields=["code", "nom", "value"], aliases=["dept", "name", title]),
        ).add_to(group)
        group.add_to(fmap)
        bases.append((layer, group.get_name()))
        lows = [float(departements[column].min())] + bins[:-1]
        legends.append((layer, title, [(BLUES[i], f"{lo:,.1f} - {hi:,.1f}") for i, (lo, hi) in enumerate(zip(lows, bins))]))
    fmap.add_child(Legends(legends))
    return bases


def occupancy_colour(share: float) -> str:
    """Green when a centre ends up nearly full, orange when half empty, red when empty."""
    if share >= 0.9:
        return "#1a9641"
    if share >= 0.5:
        return "#a6d96a"
    if share > 0:
        return "#fdae61"
    return "#d7191c"


def _script_json(data: object) -> str:
    """JSON safe to place inside a <script> element."""
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


class GeoJsonLayer(MacroElement):
    """A GeoJSON layer drawn by Leaflet from features whose popups and tooltips are prebuilt, escaped HTML.

    Points become round DivIcon markers (``radius`` and ``colour`` properties),
    clustered when `cluster` is true; lines take ``colour`` and ``weight``.
    Every element gets the CSS class `css_class`, so that tests can count them.
    """

    _template = Template("""
    {% macro script(this, kwargs) %}
    var {{ this.get_name() }} = (function () {
      var data = {{ this.data }};
      var layer = L.geoJSON(data, {
        pointToLayer: function (f, latlng) {
          var r = f.properties.radius || 6;
          return L.marker(latlng, {icon: L.divIcon({className: {{ this.css_class|tojson }}, iconSize: [2 * r, 2 * r],
            html: '<div style="width:' + 2 * r + 'px;height:' + 2 * r + 'px;border-radius:50%;background:' +
                  f.properties.colour + ';opacity:.85;border:1px solid #333"></div>'})});
        },
        style: function (f) {
          return {color: f.properties.colour, weight: f.properties.weight || 3, opacity: 0.8, className: {{ this.css_class|tojson }}};
        },
        onEachFeature: function (f, l) {
          if (f.properties.popup) { l.bindPopup(f.properties.popup, {maxWidth: 340}); }
          if (f.properties.tooltip) { l.bindTooltip(f.properties.tooltip, {sticky: true}); }
        }
      });
      {% if this.cluster %}
      var group = L.markerClusterGroup();
      group.addLayer(layer);
      layer = group;
      {% endif %}
      return layer;
    })();
    {% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
    {% endmacro %}
    """)

    def __init__(self, frame: gpd.GeoDataFrame, *, css_class: str, cluster: bool = False, show: bool = True) -> None:
        super().__init__()
        self._name = "GeoJsonLayer"
        self.css_class = css_class
        self.cluster = cluster
        self.show = show
        self.data = _script_json(json.loads(frame.to_json(drop_id=True)))


class LayerControl(MacroElement):
    """Leaflet's layer control over abri's base layers (measures) and overlays (centres, days)."""

    _template = Template("""
    {% macro script(this, kwargs) %}
    L.control.layers({ {% for n, v in this.bases %}{{ n|tojson }}: {{ v }},{% endfor %} },
                     { {% for n, v in this.overlays %}{{ n|tojson }}: {{ v }},{% endfor %} },
                     {collapsed: false}).addTo({{ this._parent.get_name() }});
    {% endmacro %}
    """)

    def __init__(self, bases: list[tuple[str, str]], overlays: list[tuple[str, str]]) -> None:
        super().__init__()
        self._name = "LayerControl"
        self.bases = bases
        self.overlays = overlays


def centre_features(centres: gpd.GeoDataFrame, *, colour_by_occupancy: bool = False) -> gpd.GeoDataFrame:
    """Centre points with marker size, colour and an escaped popup."""
    has_alloc = "allocated" in centres.columns
    popups, colours = [], []
    for row in centres.itertuples(index=False):
        capacity = int(row.capacity)
        allocated = int(getattr(row, "allocated", 0) or 0) if has_alloc else None
        popups.append(
            f"<b>{esc(row.name)}</b><br>commune: {esc(getattr(row, 'commune', ''))} ({esc(row.departement)})<br>"
            f"type: {esc(row.type)}<br>capacity: {capacity}<br>"
            + (f"allocated: {allocated} ({100 * allocated / capacity:.0f}%)<br>" if allocated is not None else "")
            + f"groups accepted: {esc(str(row.groups).replace(';', ', '))}<br>id: {esc(row.id)}")
        colours.append(occupancy_colour(allocated / capacity) if colour_by_occupancy and allocated is not None else "#2c7fb8")
    return gpd.GeoDataFrame({
        "popup": popups, "tooltip": [esc(n) for n in centres["name"]], "colour": colours,
        "radius": (4 + 2 * np.sqrt(centres["capacity"].to_numpy(float) / 10)).round(1),
    }, geometry=gpd.points_from_xy(centres["lon"].round(5), centres["lat"].round(5)), crs="EPSG:4326")


def centre_layer(fmap: folium.Map, centres: gpd.GeoDataFrame, *, colour_by_occupancy: bool = False) -> GeoJsonLayer:
    """Centre markers sized by capacity, with escaped popups; clustered when there are many."""
    layer = GeoJsonLayer(centre_features(centres, colour_by_occupancy=colour_by_occupancy),
                         css_class="abri-centre", cluster=len(centres) > CLUSTER_ABOVE)
    fmap.add_child(layer)
    return layer


def origin_marker(fmap: folium.Map, lon: float, lat: float, name: str) -> None:
    """The camp the coaches leave from."""
    icon = folium.DivIcon(icon_size=(22, 22), icon_anchor=(11, 11), class_name="abri-origin",
                          html='<div style="width:18px;height:18px;background:#d7191c;border:2px solid white;'
                               'box-shadow:0 0 3px #000;transform:rotate(45deg)"></div>')
    folium.Marker([lat, lon], icon=icon, tooltip=folium.Tooltip(f"origin: {esc(name)}")).add_to(fmap)
