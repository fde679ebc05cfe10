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


@pytest.mark.datapack
def test_major_roads_graph(major: RoadGraph) -> None:
    assert major.n_nodes > 500 and major.n_edges > 1000
    assert set(np.unique(major.edge_ref)) - {-1}
    assert "A16" in set(major.refs) and "A26" in set(major.refs)
    assert (major.time_s > 0).all() and (major.length_m >= 0).all()
    # coach speeds never exceed 100 km/h
    moving = major.length_m > 100
    assert (major.length_m[moving] / major.time_s[moving] * 3.6 <= 100.01).all()
    assert np.all(np.diff(major.pair_keys) > 0)  # one edge per ordered pair, sorted


def test_cache_is_written_and_reused(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ABRI_CACHE_DIR", str(tmp_path))
    first = load_graph("hauts-de-france-roads", data_dir=data_dir)
    [cached] = list((cache_dir() / "graphs").glob("hauts-de-france-roads.osm.bz2-*.npz"))
    second = load_graph("hauts-de-france-roads", data_dir=data_dir)
    assert np.array_equal(first.time_s, second.time_s) and np.array_equal(
        first.edge_u, second.edge_u
    )
    assert second.source == first.source and cached.stat().st_size > 0
    # another profile is another cache entry
    slow = tmp_path / "slow.toml"
    slow.write_text("[speeds_kmh]\ndefault = 30\nmotorway = 60\n")
    load_graph("hauts-de-france-roads", data_dir=data_dir, profile=load_profile(slow))
    assert len(list((cache_dir() / "graphs").glob("*.npz"))) == 2


@pytest.mark.datapack
def test_npz_and_graphml_round_trip(major: RoadGraph, data_dir: Path, tmp_path: Path) -> None:
    major.save(tmp_path / "g.npz")
    again = load_graph(tmp_path / "g.npz")
    assert np.array_equal(again.length_m, major.length_m) and list(again.refs) == list(major.refs)
    raw = ox.graph_from_xml(
        data_dir / "roads/france-major-roads.osm", simplify=True, retain_all=True
    )
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
        (
            "x.osm",
            '<?xml version="1.0"?><osm version="0.6"><node id="1" lat="50" lon="2"/></osm>',
            GraphError,
            "empty|cannot read",
        ),
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
    with pytest.raises(MissingDataError, match=r"roads/france-all-roads.osm.bz2"):
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


CHAIN_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
 <node id="1" version="1" lat="50.0" lon="2.0"/><node id="2" version="1" lat="50.0" lon="{b}"/>
 <node id="3" version="1" lat="50.0" lon="{c}"/>
 <way id="10" version="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="motorway"/><tag k="ref" v="A1"/></way>
 <way id="11" version="1"><nd ref="2"/><nd ref="3"/><tag k="highway" v="trunk"/><tag k="ref" v="N1"/>{maxspeed}</way>
</osm>
"""


def _chain(tmp_path: Path, maxspeed: str = "") -> tuple[Path, float, float]:
    """10 km of motorway then 1 km of trunk, due east along 50N (one chain: node 2 joins just two ways)."""
    from abri.routing.snap import great_circle_m

    per_degree = float(
        great_circle_m(np.array([2.0]), np.array([50.0]), np.array([3.0]), np.array([50.0]))[0]
    )
    b, c = 2.0 + 10_000 / per_degree, 2.0 + 11_000 / per_degree
    path = tmp_path / f"chain{len(maxspeed)}.osm"
    path.write_text(CHAIN_XML.format(b=b, c=c, maxspeed=maxspeed), encoding="utf-8")
    return path, 10_000.0, 1_000.0


def test_time_per_way_summed_when_ways_merge(tmp_path: Path) -> None:
    path, motorway_m, trunk_m = _chain(tmp_path)
    profile = load_profile()
    g = load_graph(path, use_cache=False)
    assert g.n_nodes == 2 and g.n_edges == 2  # the two ways are one edge each way
    expected = motorway_m / (profile.speeds_kmh["motorway"] / 3.6) + trunk_m / (
        profile.speeds_kmh["trunk"] / 3.6
    )
    assert g.time_s[0] == pytest.approx(expected, abs=0.01)  # 10/88 h + 1/75 h
    assert (
        g.time_s[0] < 11_000 / (profile.speeds_kmh["trunk"] / 3.6) - 60
    )  # not 11 km at the trunk's speed
    assert g.length_m[0] == pytest.approx(motorway_m + trunk_m, abs=2)
    # a way's own maxspeed lowers its speed, capped by the coach's limit; a higher one does not raise it
    slow, _, _ = _chain(tmp_path, '<tag k="maxspeed" v="30"/>')
    assert load_graph(slow, use_cache=False).time_s[0] == pytest.approx(
        motorway_m / (88 / 3.6) + trunk_m / (30 / 3.6), abs=0.01
    )
    fast, _, _ = _chain(tmp_path, '<tag k="maxspeed" v="130"/>')
    assert load_graph(fast, use_cache=False).time_s[0] == pytest.approx(expected, abs=0.01)


def test_truncated_or_old_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ABRI_CACHE_DIR", str(tmp_path / "cache"))
    roads, _, _ = _chain(tmp_path)
    first = load_graph(roads)
    [cached] = list((tmp_path / "cache/graphs").glob("*.npz"))
    whole = cached.read_bytes()
    for broken in (whole[: len(whole) // 2], whole[:100], b"", b"PK\x03\x04garbage"):
        cached.write_bytes(broken)
        with pytest.raises(GraphError, match="not an abri graph file, or a truncated one"):
            RoadGraph.load(cached)
        again = load_graph(roads)
        assert np.array_equal(again.time_s, first.time_s) and cached.stat().st_size == len(whole)


@pytest.mark.slow
def test_two_processes_building_one_graph_do_not_collide(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    roads, _, _ = _chain(tmp_path)
    code = f"from abri.routing.graph import load_graph; g = load_graph({str(roads)!r}); print(g.n_edges)"
    env = {**os.environ, "ABRI_CACHE_DIR": str(tmp_path)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    # the timeout is a safety net, not a measure: the machine may be busy
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert outs[0][0] == outs[1][0]
    assert [p.name for p in (tmp_path / "graphs").iterdir()] == [
        next((tmp_path / "graphs").glob("*.npz")).name
    ]  # no temporary left
    assert RoadGraph.load(next((tmp_path / "graphs").glob("*.npz"))).n_edges == int(outs[0][0])
