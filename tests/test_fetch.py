"""``abri data fetch`` against a local HTTP server (127.0.0.1) serving files in the publishers' formats."""

import hashlib
import json
import re
import shutil
import subprocess
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from abri.cli import main
from abri.geo.fetch import FetchError, fetch_dataset
from abri.geo.gazetteer import Gazetteer
from abri.inputs.datadir import data_status, read_checksums

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
ROADS_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
 <node id="1" version="1" lat="50.95" lon="1.85"/><node id="2" version="1" lat="50.95" lon="1.95"/>
 <node id="3" version="1" lat="50.95" lon="2.05"/>
 <way id="10" version="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="motorway"/><tag k="ref" v="A16"/></way>
 <way id="11" version="1"><nd ref="2"/><nd ref="3"/><tag k="highway" v="trunk"/><tag k="ref" v="N1"/></way>
</osm>
"""


#: Departments whose communes the local publisher serves (articles, a later name, arrondissements).
FETCHED_DEPARTEMENTS = ("01", "13")


def pack_communes(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The pack's communes and other names in FETCHED_DEPARTEMENTS."""
    communes = pd.read_csv(data_dir / "communes/communes.csv", dtype=str, keep_default_na=False)
    others = pd.read_csv(data_dir / "communes/communes-noms.csv", dtype=str, keep_default_na=False)
    communes = communes[communes["departement"].isin(FETCHED_DEPARTEMENTS)].reset_index(drop=True)
    return communes, others[others["code"].isin(communes["code"])].reset_index(drop=True)


def etalab_entries(communes: pd.DataFrame, others: pd.DataFrame) -> list[dict[str, object]]:
    """Etalab's ``communes.json`` as it describes these communes (current ones, delegated, arrondissements)."""
    later = {o.code: o.nom for o in others.itertuples() if o.type == "nom-actuel"}
    current = {r.code: r for r in communes.itertuples() if r.population}
    chef = {later.get(c, r.nom): c for c, r in current.items()}  # a current name -> its code
    entries: list[dict[str, object]] = []
    for r in communes.itertuples():
        if r.code in current:
            entries.append(
                {
                    "code": r.code,
                    "nom": later.get(r.code, r.nom),
                    "type": "commune-actuelle",
                    "departement": r.departement,
                    "region": r.region,
                    "codesPostaux": r.codes_postaux.split(),
                    "population": float(r.population),
                }
            )
        parent = r.code if r.code in current else chef[later[r.code]]
        if r.code not in current or r.code in later:
            entries.append(
                {"code": r.code, "nom": r.nom, "type": "commune-deleguee", "chefLieu": parent}
            )
    for i, o in enumerate(others[others["type"] != "nom-actuel"].itertuples()):
        link = "commune" if o.type == "arrondissement-municipal" else "chefLieu"
        entries.append({"code": f"X{i:04d}", "nom": o.nom, "type": o.type, link: o.code})
    return entries


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def publisher(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A local server with the publishers' files: boundaries, the gazetteer's sources, OSM extracts; some corrupted."""
    root = tmp_path_factory.mktemp("publisher")
    shutil.copy(data_dir / "departements/departements.geojson", root / "departements.geojson")
    shutil.copy(
        data_dir / "departements/regions-simplifie.geojson",
        root / "regions-version-simplifiee.geojson",
    )
    corrupted = (
        (data_dir / "departements/departements-simplifie.geojson")
        .read_bytes()
        .replace(b'"nom"', b'"nam"', 1)
    )
    (root / "departements-version-simplifiee.geojson").write_bytes(corrupted)
    communes, others = pack_communes(data_dir)
    etalab = etalab_entries(communes, others)
    (root / "communes.json").write_text(json.dumps(etalab), encoding="utf-8")
    squares = [
        {
            "type": "Feature",
            "properties": {"code": r.code, "nom": re.sub(r"^(Le |La |Les |L')", "", r.nom)},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [float(r.lon) - 0.01, float(r.lat) - 0.01],
                        [float(r.lon) + 0.01, float(r.lat) - 0.01],
                        [float(r.lon) + 0.01, float(r.lat) + 0.01],
                        [float(r.lon) - 0.01, float(r.lat) + 0.01],
                        [float(r.lon) - 0.01, float(r.lat) - 0.01],
                    ]
                ],
            },
        }
        for r in communes.itertuples()
    ]
    (root / "communes.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": squares}), encoding="utf-8"
    )
    (root / "roads.osm").write_text(ROADS_XML, encoding="utf-8")
    for region in ("nord-pas-de-calais", "picardie", "france"):
        pbf = root / f"{region}-latest.osm.pbf"
        subprocess.run(
            ["osmium", "cat", str(root / "roads.osm"), "-o", str(pbf), "--overwrite"], check=True
        )
        (root / f"{pbf.name}.md5").write_text(
            f"{hashlib.md5(pbf.read_bytes()).hexdigest()}  {pbf.name}\n"
        )
    with zipfile.ZipFile(root / "master.zip", "w") as archive:  # TravelMapping's HighwayData layout
        base = "HighwayData-master/hwy_data"
        archive.writestr(
            f"{base}/_systems/fraa.csv",
            "system;region;route;banner;abbrev;city;root;AltRouteNames\nfraa;FRA;A16;;;;fra.a016;\n",
        )
        archive.writestr(
            f"{base}/_systems/fran.csv",
            "system;region;route;banner;abbrev;city;root;AltRouteNames\nfran;FRA;N1;;;;fra.n001;\n",
        )
        archive.writestr(
            f"{base}/_systems/frahdfd62.csv",
            "system;region;route;banner;abbrev;city;root;AltRouteNames\n"
            "frahdfd62;FRA;D940;;;;fra.d940;\n",
        )
        osm = "http://www.openstreetmap.org/"
        archive.writestr(
            f"{base}/FRA/fraa/fra.a016.wpt",
            f"44 {osm}?lat=50.936310&lon=1.860337\n45 {osm}?lat=50.936080&lon=1.874113\n"
            f"46 {osm}?lat=50.933930&lon=1.890957\n",
        )
        archive.writestr(
            f"{base}/FRA/fran/fra.n001.wpt",
            f"A16 {osm}?lat=50.936080&lon=1.874113\nX {osm}?lat=50.900000&lon=1.900000\n",
        )
        archive.writestr(
            f"{base}/FRA/frahdfd62/fra.d940.wpt",
            f"A {osm}?lat=50.900000&lon=1.900000\nB {osm}?lat=50.80&lon=1.70\n",
        )
    with (root / "picardie-latest.osm.pbf").open(
        "ab"
    ) as fh:  # corrupted after its checksum was published
        fh.write(b"\0")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.datapack
def test_boundaries_fetched_checked_and_recorded(
    publisher: str, data_dir: Path, tmp_path: Path
) -> None:
    path = fetch_dataset("departements", tmp_path, mirror=publisher)
    assert path.read_bytes() == (data_dir / "departements/departements.geojson").read_bytes()
    assert (
        read_checksums(tmp_path)["departements/departements.geojson"]
        == read_checksums(data_dir)["departements/departements.geojson"]
    )
    assert {r.name: r.checksum for r in data_status(tmp_path)}["departements"] == "verified"
    assert not list(tmp_path.rglob(".fetch-*"))


def test_corrupted_file_is_refused_and_nothing_written(publisher: str, tmp_path: Path) -> None:
    with pytest.raises(
        FetchError,
        match=r"departements-version-simplifiee.geojson: refused.*does not match its checksum",
    ):
        fetch_dataset("departements-simplifie", tmp_path, mirror=publisher)
    with pytest.raises(FetchError, match=r"picardie-latest.osm.pbf: refused"):
        fetch_dataset("osm:picardie", tmp_path, mirror=publisher)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.datapack
def test_gazetteer_converted_from_publishers_formats(
    publisher: str, data_dir: Path, tmp_path: Path
) -> None:
    """Names as written (with their article) and the other names equal the pack's; points inside the polygons."""
    path = fetch_dataset("communes", tmp_path, mirror=publisher)
    got = pd.read_csv(path, dtype=str, keep_default_na=False)
    want, want_others = pack_communes(data_dir)
    assert list(got.columns) == list(want.columns) and len(got) == len(want)
    text = ["code", "nom", "departement", "region", "codes_postaux", "population"]
    assert got[text].equals(want[text])
    assert "L'Abergement-Clémenciat" in set(got["nom"])  # the polygons said "Abergement-Clémenciat"
    lonlat = got[["lon", "lat"]].astype(float) - want[["lon", "lat"]].astype(float)
    assert lonlat.abs().max().max() < 0.01
    others = pd.read_csv(tmp_path / "communes/communes-noms.csv", dtype=str, keep_default_na=False)
    assert others.equals(want_others)
    assert {"nom-actuel", "commune-deleguee", "arrondissement-municipal"} <= set(others["type"])
    assert {r.name: r.checksum for r in data_status(tmp_path)}["communes-noms"] == "verified"
    gazetteer = Gazetteer.from_data_dir(tmp_path)
    assert gazetteer.by_name("Marseille 13e").place.insee == "13055"
    assert gazetteer.by_name("Valserhone").warnings[0][0] == "later-name"


def test_osm_extract_checked_against_publishers_md5_and_routable(
    publisher: str, tmp_path: Path
) -> None:
    country = fetch_dataset("osm:france", tmp_path, mirror=publisher)  # the national extract
    assert country == tmp_path / "roads/france-latest.osm.pbf" and country.stat().st_size > 0
    path = fetch_dataset("osm:nord-pas-de-calais", tmp_path, mirror=publisher)
    assert path == tmp_path / "roads/nord-pas-de-calais-latest.osm.pbf"
    from abri.routing.graph import load_graph

    graph = load_graph(path, use_cache=False)
    assert graph.n_edges == 2 and graph.n_nodes == 2  # the two ways merged into one two-way edge
    assert graph.refs.tolist() == ["N1;A16"] or graph.refs.tolist() == ["A16;N1"]


def test_offline_fetch_fails_clearly_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ABRI_FETCH_MIRROR", raising=False)
    with pytest.raises(
        FetchError, match=r"departements: cannot download https://.*copy the data pack"
    ):
        fetch_dataset(
            "departements", tmp_path
        )  # the tests block the network, as on a machine without internet
    with pytest.raises(
        FetchError, match=r"no download source for 'hauts-de-france-roads'.*osm:REGION"
    ):
        fetch_dataset("hauts-de-france-roads", tmp_path)
    with pytest.raises(FetchError, match="unknown OSM region 'atlantis'"):
        fetch_dataset("osm:atlantis", tmp_path)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.datapack
def test_fetch_command(publisher: str, tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(
        main,
        ["data", "fetch", "regions-simplifie", "--mirror", publisher, "--data-dir", str(tmp_path)],
    )
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "departements/regions-simplifie.geojson").is_file()
    bad = runner.invoke(
        main, ["data", "fetch", "--all", "--mirror", publisher, "--data-dir", str(tmp_path)]
    )
    assert bad.exit_code == 1 and "refused" in bad.output and "Traceback" not in bad.output
    assert runner.invoke(main, ["data", "fetch", "--data-dir", str(tmp_path)]).exit_code == 2
    offline = runner.invoke(main, ["data", "fetch", "communes", "--data-dir", str(tmp_path)])
    assert offline.exit_code == 1 and "cannot download" in offline.output


@pytest.mark.datapack
def test_road_sets_converted_from_travelmapping(publisher: str, tmp_path: Path) -> None:
    from abri.routing.graph import load_graph

    major = load_graph(
        fetch_dataset("france-major-roads", tmp_path, mirror=publisher), use_cache=False
    )
    assert (major.n_nodes, major.n_edges) == (4, 6) and set(major.refs) == {
        "A16",
        "N1",
    }  # A16 and N1 share a junction
    everything = fetch_dataset("france-all-roads", tmp_path, mirror=publisher)
    assert everything.name == "france-all-roads.osm.bz2"
    graph = load_graph(everything, use_cache=False)
    assert any("D940" in r for r in graph.refs) and (graph.components == graph.main_component).all()
    assert {r.name: r.checksum for r in data_status(tmp_path)}["france-all-roads"] == "verified"


def test_osm_extracts_are_geofabriks_national_and_regional_files() -> None:
    from abri.geo.fetch import osm_source

    (country,) = osm_source("france").files
    (region,) = osm_source("reunion").files
    assert country.url == "https://download.geofabrik.de/europe/france-latest.osm.pbf"
    assert region.url == "https://download.geofabrik.de/europe/france/reunion-latest.osm.pbf"
    assert country.md5_url == country.url + ".md5"
