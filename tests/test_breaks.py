"""A road sheet's break is named by the service area, rest area, motorway junction or fuel station where it falls.

The places are read from real OSM files with pyosmium: the Andorra extract of the data pack,
and a small PBF written here with pyosmium's writer (a motorway near Arras with one place of each
kind). The data pack's road files have none: the town near the break names it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import osmium
import pandas as pd
import pytest
from shapely.geometry import LineString

from abri.documents.places import Roadside, Towns, break_points
from abri.documents.roadsheet import break_row, break_text
from abri.files import write_csv
from abri.inputs.datadir import CACHE_ENV_VAR
from abri.routing.graph import load_graph
from abri.routing.roadside import (
    PLAN_FILE,
    cache_file,
    load_roadside,
    near_lines,
    read_roadside,
)

LAT = 50.3  # a motorway running east along this latitude, from 2.5 to 3.0 E (north of Arras)
ROUTE = LineString([(2.5, LAT), (3.0, LAT)])
REST_AREA = [(2.70, 50.3010), (2.705, 50.3010), (2.705, 50.3015), (2.70, 50.3015)]


def _place_file(path: Path) -> Path:
    """A PBF with the motorway, a service area node, a rest area way, a junction, a fuel station and a far service area."""
    nodes: list[tuple[float, float, dict[str, str]]] = [
        (2.5, LAT, {}),
        (3.0, LAT, {}),
        (2.74, 50.3012, {"highway": "services", "name": "Aire de Wancourt"}),
        (2.76, LAT, {"highway": "motorway_junction", "ref": "15", "name": "Arras"}),
        (2.78, 50.3005, {"amenity": "fuel", "brand": "TotalEnergies"}),
        (2.74, 50.33, {"highway": "services", "name": "Aire hors de la route"}),  # 3 km north
        *((lon, lat, {}) for lon, lat in REST_AREA),
    ]
    with osmium.SimpleWriter(str(path)) as writer:
        for i, (lon, lat, tags) in enumerate(nodes, start=1):
            writer.add_node(osmium.osm.mutable.Node(id=i, location=(lon, lat), tags=tags))
        writer.add_way(
            osmium.osm.mutable.Way(id=1, nodes=[1, 2], tags={"highway": "motorway", "ref": "A1"})
        )
        ring = [7, 8, 9, 10, 7]
        writer.add_way(
            osmium.osm.mutable.Way(
                id=2, nodes=ring, tags={"highway": "rest_area", "name": "Aire du Bois"}
            )
        )
    return path


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    return read_roadside(_place_file(tmp_path_factory.mktemp("osm") / "places.osm.pbf"))


@pytest.fixture(scope="module")
def towns(data_dir: Path) -> Towns:
    return Towns.load(data_dir)


def _break_at(fraction: float) -> list[dict[str, Any]]:
    """A trip of one 6 h leg whose only break falls at `fraction` of the route (4.5 h of 6 h)."""
    leg_h = 4.5 / fraction
    trip = {
        "km": 36.0,
        "break_minutes": 45,
        "stops": [{"leg_h": leg_h, "leg_km": 36.0, "breaks_before": 1, "arrival": "14:00"}],
    }
    return [trip, {"break_after_hours": 4.5, "break_minutes": 45}]


def test_each_kind_is_found_and_named(places: pd.DataFrame) -> None:
    by_name = places.set_index("name")
    assert sorted(places["kind"]) == [
        "fuel",
        "motorway_junction",
        "rest_area",
        "services",
        "services",
    ]
    assert by_name.loc["Aire de Wancourt", "kind"] == "services"
    assert tuple(by_name.loc["Arras", ["kind", "ref"]]) == ("motorway_junction", "15")
    assert by_name.loc["TotalEnergies", "kind"] == "fuel"  # no name: the brand names it
    rest = by_name.loc["Aire du Bois"]  # a way: at the mean of its nodes (the ring's first once)
    assert rest["kind"] == "rest_area"
    assert rest["lon"] == pytest.approx(2.7025) and rest["lat"] == pytest.approx(50.30125)


def test_andorra_has_its_19_fuel_stations(
    datapack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV_VAR, str(tmp_path))
    path = datapack / "roads" / "osm-samples" / "andorra-2013-05-28.osm.pbf"
    table = load_roadside(path)
    assert len(table) == 19 and set(table["kind"]) == {"fuel"}
    assert table["lon"].between(1.40, 1.79).all() and table["lat"].between(42.42, 42.66).all()
    assert cache_file(path).is_file()  # kept beside the graph cache, read back the same
    pd.testing.assert_frame_equal(load_roadside(path), table, check_dtype=False)


@pytest.mark.slow
def test_building_a_graph_keeps_its_roadside_places(
    datapack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV_VAR, str(tmp_path))
    path = datapack / "roads" / "osm-samples" / "andorra-2013-05-28.osm.pbf"
    load_graph(path)
    assert len(pd.read_csv(cache_file(path))) == 19


def test_the_data_pack_roads_have_no_roadside_places(data_dir: Path) -> None:
    assert load_roadside(data_dir / "roads" / "france-major-roads.osm.pbf", use_cache=False).empty


def test_a_service_area_names_the_break_in_french_and_english(
    places: pd.DataFrame, towns: Towns
) -> None:
    trip, rules = _break_at(0.48)  # at 2.74 E: the service area beside the motorway
    (brk,) = break_points(trip, ROUTE, rules, roadside=Roadside(places))
    assert brk["place"]["name"] == "Aire de Wancourt"  # not the junction 1.4 km on, nor the far one
    row = break_row(brk, towns, 6, "fr")
    assert "Pause de 45 min vers 08:20" in row
    assert "aire de services «\u00a0Aire de Wancourt\u00a0», près de " in row
    assert 'href="geo:50.30120,2.74000"' in row  # the service area's point, not the break's
    text, _ = break_text(brk, towns, "en")
    assert "45 min break at about 08:20" in text and "service area “Aire de Wancourt”" in text


@pytest.mark.parametrize(
    ("fraction", "without", "french", "english"),
    [
        (0.40, (), "aire de repos «\u00a0Aire du Bois\u00a0»", "rest area “Aire du Bois”"),
        (0.52, ("services", "rest_area"), "sortie 15 — Arras", "exit 15 — Arras"),
        (
            0.56,
            ("services", "rest_area", "motorway_junction"),
            "station-service «\u00a0TotalEnergies\u00a0»",
            "fuel station “TotalEnergies”",
        ),
    ],
)
def test_a_junction_then_a_fuel_station_when_no_area_is_near(
    places: pd.DataFrame,
    towns: Towns,
    fraction: float,
    without: tuple[str, ...],
    french: str,
    english: str,
) -> None:
    trip, rules = _break_at(fraction)
    roadside = Roadside(places[~places["kind"].isin(without)])
    (brk,) = break_points(trip, ROUTE, rules, roadside=roadside)
    assert french in break_text(brk, towns, "fr")[0]
    assert english in break_text(brk, towns, "en")[0]


def test_the_town_names_a_break_with_no_place_near(places: pd.DataFrame, towns: Towns) -> None:
    trip, rules = _break_at(0.05)  # at 2.525 E: 10 km and more from every place
    (brk,) = break_points(trip, ROUTE, rules, roadside=Roadside(places))
    assert brk["place"] is None
    text, point = break_text(brk, towns, "fr")
    assert "près de " in text and "aire" not in text and "(62)" in text
    assert point == (brk["lat"], brk["lon"])


def test_a_plan_folder_keeps_the_places_along_its_trips(
    places: pd.DataFrame, tmp_path: Path
) -> None:
    lines = gpd.GeoDataFrame({"coach": ["C1"]}, geometry=[ROUTE], crs="EPSG:4326")
    along = near_lines(places, lines)
    assert "Aire hors de la route" not in set(along["name"]) and len(along) == 4
    write_csv(tmp_path / PLAN_FILE, along, dialect="excel-fr")
    read = Roadside.load(tmp_path).frame
    assert list(read["name"]) == list(along["name"]) and list(read["ref"]) == list(along["ref"])
    assert Roadside.load(tmp_path / "nothing").frame.empty


def _with_service_areas(roads: Path, out: Path) -> Path:
    """`roads` (a data pack PBF) copied with a service area at every node of its motorways."""
    points = []
    located = osmium.FileProcessor(str(roads)).with_locations()
    for obj in located.with_filter(osmium.filter.TagFilter(("highway", "motorway"))):
        if isinstance(obj, osmium.osm.Way):
            points += [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
    with osmium.SimpleWriter(str(out)) as writer:
        for obj in osmium.FileProcessor(str(roads)):
            writer.add(obj)
        for i, point in enumerate(dict.fromkeys(points), start=1):
            tags = {"highway": "services", "name": f"Aire n°{i}"}
            writer.add_node(osmium.osm.mutable.Node(id=10**12 + i, location=point, tags=tags))
    return out


@pytest.mark.slow
def test_a_plan_on_osm_roads_names_its_breaks_on_the_road_sheets(
    small_scenario: Path, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--roads`` an OSM file with service areas: the plan folder keeps those along its trips, the road sheets name them."""
    from abri.documents import write_documents
    from abri.pipeline import run_plan, write_run

    monkeypatch.setenv(CACHE_ENV_VAR, str(tmp_path / "cache"))
    roads = _with_service_areas(
        data_dir / "roads" / "france-major-roads.osm.pbf", tmp_path / "roads.osm.pbf"
    )
    run = run_plan(small_scenario, roads=roads, data_dir=data_dir, iterations=100, baseline=False)
    files = write_run(run, tmp_path / "plan")
    kept = pd.read_csv(files["roadside"])
    assert len(kept) and set(kept["kind"]) == {"services"}
    assert len(kept) < len(load_roadside(roads))  # only those along the trips
    write_documents(tmp_path / "plan", tmp_path / "docs", lang="fr", data_dir=data_dir)
    sheets = (tmp_path / "docs" / "road-sheets.html").read_text()
    named = re.findall(r"aire de services «\u00a0(Aire n°\d+)\u00a0»", sheets)
    assert named and set(named) <= set(kept["name"])
