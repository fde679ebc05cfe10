from pathlib import Path

import networkx as nx
import numpy as np
import osmnx as ox
import pytest

from abri.errors import GraphError, MissingDataError
from abri.routing.graph import RoadGraph, cache_dir, load_graph, read_osm_graph
from abri.routing.profile import load_profile


@pytest.fixture(scope="module")
def major(data_dir: Path) -> RoadGraph:
    return load_graph("france-major-roads", data_dir=data_dir)


def test_major_roads_graph(major: RoadGraph) -> None:
    assert major.n_nodes > 500 and major.n_edges > 1000
    assert set(np.unique(major.edge_ref)) - {-1}
    assert "A16" in set(major.refs) and "A26" in set(major.refs)
    assert (major.time_s > 0).all() and (major.length_m >= 0).all()
    # coach speeds never exceed 100 km/h
    moving = major.length_m > 100
    assert (major.length_m[moving] / major.time_s[moving] * 3.6 <= 100.01).all()
    assert np.all(np.diff(major.pair_keys) > 0)  # one edge per ordered pair, sorted


def test_cache_is_written_and_reused(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ABRI_CACHE_DIR", str(tmp_path))
    first = load_graph("hauts-de-france-roads", data_dir=data_dir)
    [cached] = list((cache_dir() / "graphs").glob("hauts-de-france-roads.osm.bz2-*.npz"))
    second = load_graph("hauts-de-france-roads", data_dir=data_dir)
    assert np.array_equal(first.time_s, second.time_s) and np.array_equal(first.edge_u, second.edge_u)
    assert second.source == first.source and cached.stat().st_size > 0
    # another profile is another cache entry
    slow = tmp_path / "slow.toml"
    slow.write_text("[speeds_kmh]\ndefault = 30\nmotorway = 60\n")
    load_graph("hauts-de-france-roads", data_dir=data_dir, profile=load_profile(slow))
    assert len(list((cache_dir() / "graphs").glob("*.npz"))) == 2


def test_npz_and_graphml_round_trip(major: RoadGraph, data_dir: Path, tmp_path: Path) -> None:
    major.save(tmp_path / "g.npz")
    again = load_graph(tmp_path / "g.npz")
    assert np.array_equal(again.length_m, major.length_m) and list(again.refs) == list(major.refs)
    raw = ox.graph_from_xml(data_dir / "roads/france-major-roads.osm", simplify=True, retain_all=True)
    ox.save_graphml(raw, tmp_path / "g.graphml")
    from_graphml = load_graph(tmp_path / "g.graphml", use_cache=False)
    assert from_graphml.n_nodes == major.n_nodes and from_graphml.n_edges == major.n_edges


def test_to_networkx(major: RoadGraph) -> None:
    g = major.to_networkx()
    assert isinstance(g, nx.DiGraph) and g.number_of_edges() == major.n_edges


@pytest.mark.parametrize(
    ("name", "content", "error", "match"),
    [
        ("x.osm", "this is not xml", GraphError, "cannot read as OSM XML"),
        ("x.osm", '<?xml version="1.0"?><osm version="0.6"><node id="1" lat="50" lon="2"/></osm>', GraphError, "empty|cannot read"),
        ("x.shp", "nope", GraphError, "unsupported road file"),
        ("x.npz", "nope", GraphError, "not an abri graph file"),
    ],
)
def test_bad_road_files(tmp_path: Path, name: str, content: str, error: type, match: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(error, match=match):
        load_graph(path, use_cache=False)


def test_missing_road_inputs(tmp_path: Path) -> None:
    with pytest.raises(GraphError, match="no such road file, and not a data pack road set"):
        load_graph(tmp_path / "absent.osm")
    with pytest.raises(MissingDataError, match="roads/france-all-roads.osm.bz2"):
        load_graph("france-all-roads", data_dir=tmp_path)
    with pytest.raises(GraphError, match="no such road file"):
        read_osm_graph(tmp_path / "absent.osm")


def test_download_is_behind_a_switch_and_fails_clearly_offline() -> None:
    # Without download=True a place name is never fetched.
    with pytest.raises(GraphError, match="not a data pack road set"):
        load_graph("Calais, France")
    # With it, osmnx tries Overpass/Nominatim; here the network is closed, so the error must be clear.
    with pytest.raises(GraphError, match="cannot download the road network for 'Calais, France'"):
        load_graph("Calais, France", download=True)
