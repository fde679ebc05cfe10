"""OSM PBF input (pyosmium) against the OSM XML path (osmnx), and coach restrictions on both."""

import subprocess
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import MINIPACK

from abri.cli import main
from abri.errors import GraphError
from abri.routing.graph import (
    RoadGraph,
    annotate_ways,
    build_osm,
    from_networkx,
    load_graph,
    read_osm_graph,
)
from abri.routing.osm_arrays import (
    BACKWARD,
    BOTH_WAYS,
    DISK_INDEX_BYTES,
    FORWARD,
    location_storage,
    read_ways,
    way_attributes,
)
from abri.routing.pbf import PbfStats, read_pbf
from abri.routing.profile import load_profile
from abri.routing.route import route
from abri.routing.snap import Snapper

# A to B: straight on (10 km), over a bridge signed 3 m; or round by C (about 12 km). A dead end D closed to buses; a spur E.
BRIDGE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
 <node id="1" version="1" lat="50.00" lon="2.00"/><node id="2" version="1" lat="50.00" lon="2.07"/>
 <node id="3" version="1" lat="50.00" lon="2.14"/><node id="4" version="1" lat="50.03" lon="2.07"/>
 <node id="5" version="1" lat="49.97" lon="2.07"/>
 <way id="100" version="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="secondary"/><tag k="ref" v="D1"/></way>
 <way id="101" version="1"><nd ref="2"/><nd ref="3"/><tag k="highway" v="secondary"/><tag k="ref" v="D1"/>
  <tag k="bridge" v="yes"/><tag k="maxheight" v="3"/></way>
 <way id="102" version="1"><nd ref="1"/><nd ref="4"/><nd ref="3"/><tag k="highway" v="secondary"/><tag k="ref" v="D2"/></way>
 <way id="103" version="1"><nd ref="2"/><nd ref="5"/><tag k="highway" v="tertiary"/><tag k="bus" v="no"/></way>
 <node id="6" version="1" lat="50.00" lon="1.97"/>
 <way id="104" version="1"><nd ref="6"/><nd ref="1"/><tag k="highway" v="tertiary"/><tag k="ref" v="C3"/></way>
</osm>
"""


def to_pbf(source: Path, out: Path) -> Path:
    subprocess.run(
        ["osmium", "cat", str(source), "-o", str(out), "--overwrite"],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def bridge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bridge")
    (folder / "bridge.osm").write_text(BRIDGE_XML, encoding="utf-8")
    return to_pbf(folder / "bridge.osm", folder / "bridge.osm.pbf")


@pytest.mark.datapack
def test_pbf_equals_xml_on_the_data_pack(data_dir: Path, tmp_path: Path) -> None:
    xml = data_dir / "roads/france-major-roads.osm"
    pbf = to_pbf(xml, tmp_path / "major.osm.pbf")
    stats = PbfStats()
    raw = read_pbf(pbf, stats=stats)
    assert stats.ways == stats.ways_kept == 422 and stats.missing_nodes == 0  # the README's count
    profile = load_profile()
    a = from_networkx(read_osm_graph(xml, profile), profile)
    b = from_networkx(read_osm_graph(pbf, profile), profile)
    assert raw.number_of_nodes() > b.n_nodes > 500 and (a.n_nodes, a.n_edges) == (
        b.n_nodes,
        b.n_edges,
    )
    for name in ("node_osmid", "edge_u", "edge_v", "length_m", "time_s"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert list(a.refs) == list(b.refs)


def test_restrictions_dropped_and_reported(bridge: Path) -> None:
    xml = bridge.with_suffix("")
    for source in (xml, bridge):
        g = load_graph(source, use_cache=False)
        assert sorted(g.blocked_why.tolist()) == ["bus=no", "bus=no", "maxheight=3", "maxheight=3"]
        assert g.n_edges == 3 * 2  # D1 west half, D2, C3: each both ways
        r = route(Snapper(g, load_profile()), (2.0, 50.0), (2.14, 50.0))
        assert r.roads == ["D2"] and r.avoided == ["maxheight=3"]
        assert r.road_km == pytest.approx(2 * 3.37 + 2 * 3.08, rel=0.1) and r.avoided_s > 60


def test_route_command_says_what_the_restriction_changed(bridge: Path) -> None:
    result = CliRunner().invoke(
        main, ["route", "--from", "2.0,50.0", "--to", "2.14,50.0", "--roads", str(bridge)]
    )
    assert result.exit_code == 0, result.output
    assert "coach restrictions changed the route: it avoids maxheight=3" in result.output
    assert "arriving" in result.output and "break" in result.output


def test_bad_pbf_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"\x00\x00\x00\x0dnot a pbf at all")
    with pytest.raises(GraphError, match=r"bad.osm.pbf: cannot read as an OSM PBF extract"):
        load_graph(bad, use_cache=False)
    result = CliRunner().invoke(main, ["graph", "build", str(bad), "-o", str(tmp_path / "g.npz")])
    assert (
        result.exit_code == 1
        and "cannot read as an OSM PBF" in result.output
        and "Traceback" not in result.output
    )


def reference(path: Path) -> RoadGraph:
    """Today's path: osmnx (XML) or pyosmium into networkx (PBF), osmnx's simplification."""
    profile = load_profile()
    return from_networkx(read_osm_graph(path, profile), profile, source=str(path))


def assert_same_graph(new: RoadGraph, old: RoadGraph) -> None:
    for name in ARRAYS:
        a, b = getattr(new, name), getattr(old, name)
        assert a.shape == b.shape and np.array_equal(a, b), name

    def names(g: RoadGraph) -> list[frozenset[str] | None]:  # merged names: one set each
        return [frozenset(g.refs[i].split(";")) if i >= 0 else None for i in g.edge_ref]

    assert names(new) == names(old)


ARRAYS = (
    "node_osmid",
    "lon",
    "lat",
    "edge_u",
    "edge_v",
    "length_m",
    "time_s",
    "geom_offsets",
    "geom_coords",
    "blocked_u",
    "blocked_v",
    "blocked_time_s",
    "blocked_why",
)


def road_files(folder: Path) -> list[Path]:
    return sorted(p for p in (folder / "roads").glob("*.osm*") if p.is_file())


def edge_table(g: RoadGraph) -> set[tuple[int, int, float, float, str]]:
    """Edges by OSM node ids, whatever the node order."""
    ids, refs = g.node_osmid, [*g.refs.tolist(), ""]
    return {
        (int(ids[u]), int(ids[v]), float(d), float(t), ";".join(sorted(refs[r].split(";"))))
        for u, v, d, t, r in zip(g.edge_u, g.edge_v, g.length_m, g.time_s, g.edge_ref, strict=True)
    }


@pytest.mark.slow
@pytest.mark.parametrize("name", [p.name for p in road_files(MINIPACK)])
def test_array_path_equals_networkx_path_on_the_minipack(name: str) -> None:
    path = MINIPACK / "roads" / name
    new, old = build_osm(path), reference(path)
    if path.suffix == ".pbf":
        assert_same_graph(new, old)
    else:  # osmnx keeps the XML's nodes that are on no road as junctions without edges
        assert edge_table(new) == edge_table(old) and new.n_nodes < old.n_nodes
        assert set(new.node_osmid.tolist()) < set(old.node_osmid.tolist())


@pytest.mark.slow
def test_array_path_equals_networkx_path_on_every_road_set(datapack: Path) -> None:
    files = road_files(datapack)
    assert len(files) >= 8
    for path in files:
        assert_same_graph(build_osm(path), reference(path))


@pytest.mark.slow
@pytest.mark.parametrize("place", ["liechtenstein-2013-08-03", "andorra-2013-05-28"])
def test_same_routable_and_closed_ways_on_real_extracts(datapack: Path, place: str) -> None:
    path = datapack / "roads/osm-samples" / f"{place}.osm.pbf"
    profile = load_profile()
    ways = read_ways(path)
    attrs = way_attributes(ways, profile)
    closed = {
        int(w): attrs.reasons[r]
        for w, r in zip(ways.way_id, attrs.restriction, strict=True)
        if r and np.diff(ways.start)[list(ways.way_id).index(w)] >= 2
    }
    raw = annotate_ways(read_pbf(path), profile)
    old = {
        int(d["osmid"]): d["restriction"] for _, _, d in raw.edges(data=True) if d["restriction"]
    }
    assert closed == old and len(closed) >= 3
    assert {r.split("=")[0] for r in closed.values()} & {"access", "maxheight", "maxweight", "bus"}
    kept = set(ways.way_id[np.diff(ways.start) >= 2].tolist())
    assert kept == {int(d["osmid"]) for _, _, d in raw.edges(data=True)}
    assert_same_graph(build_osm(path), reference(path))


# Every one-way spelling osmnx knows, and a node missing from the extract (way 205 keeps 3 of 4 nodes).
ONEWAY_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
 <node id="1" version="1" lat="50.00" lon="2.00"/><node id="2" version="1" lat="50.00" lon="2.01"/>
 <node id="3" version="1" lat="50.00" lon="2.02"/><node id="4" version="1" lat="50.01" lon="2.00"/>
 <node id="5" version="1" lat="50.01" lon="2.01"/><node id="6" version="1" lat="50.01" lon="2.02"/>
 <node id="7" version="1" lat="50.02" lon="2.00"/><node id="8" version="1" lat="50.02" lon="2.01"/>
 <way id="200" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="primary"/><tag k="oneway" v="-1"/></way>
 <way id="201" version="1"><nd ref="4"/><nd ref="5"/><nd ref="6"/><tag k="highway" v="primary"/><tag k="oneway" v="reverse"/></way>
 <way id="202" version="1"><nd ref="1"/><nd ref="4"/><tag k="highway" v="residential"/><tag k="oneway" v="yes"/></way>
 <way id="203" version="1"><nd ref="3"/><nd ref="6"/><tag k="highway" v="residential"/><tag k="junction" v="roundabout"/></way>
 <way id="204" version="1"><nd ref="4"/><nd ref="7"/><tag k="highway" v="tertiary"/><tag k="oneway" v="no"/><tag k="maxspeed" v="30 mph"/></way>
 <way id="205" version="1"><nd ref="7"/><nd ref="8"/><nd ref="99"/><nd ref="5"/><tag k="highway" v="unclassified"/>
  <tag k="access" v="destination"/><tag k="psv" v="no"/><tag k="bus" v="yes"/></way>
 <way id="206" version="1"><nd ref="2"/><nd ref="5"/><tag k="highway" v="service"/></way>
</osm>
"""


def test_one_ways_and_missing_nodes(tmp_path: Path) -> None:
    xml = tmp_path / "oneway.osm"
    xml.write_text(ONEWAY_XML, encoding="utf-8")
    pbf = to_pbf(xml, tmp_path / "oneway.osm.pbf")
    g = build_osm(pbf)
    assert_same_graph(g, reference(pbf))
    ways = read_ways(pbf)
    assert ways.stats.missing_nodes == 1 and ways.stats.ways == 7 and ways.stats.ways_kept == 6
    attrs = way_attributes(ways, load_profile())
    assert dict(zip(ways.way_id.tolist(), attrs.oneway.tolist(), strict=True)) == {
        200: BACKWARD,  # oneway=-1
        201: BACKWARD,  # oneway=reverse
        202: FORWARD,
        203: FORWARD,  # roundabout
        204: BOTH_WAYS,  # oneway=no
        205: BOTH_WAYS,
    }
    osmid = g.node_osmid.tolist()
    edges = {(osmid[u], osmid[v]): t for u, v, t in zip(g.edge_u, g.edge_v, g.time_s, strict=True)}
    # 3 -> 2 -> 1 -> 4 and 3 -> 6 -> 5 one way each; 4 - 7 - 8 - 5 both ways: interior nodes go
    assert set(edges) == {(3, 4), (3, 5), (4, 5), (5, 4)} and 2 not in osmid
    seconds = 1111.95 / (30 * 1.609344 / 3.6) + (714.3 + 1111.95) / (45 / 3.6)  # 30 mph signed
    assert edges[(4, 5)] == pytest.approx(seconds, rel=0.001)


def test_disk_index_for_a_country_file(tmp_path: Path) -> None:
    small = tmp_path / "small.osm.pbf"
    small.write_bytes(b"x")
    assert location_storage(small, str(tmp_path)) == "flex_mem"
    with open(small, "r+b") as fh:
        fh.truncate(DISK_INDEX_BYTES + 1)
    assert location_storage(small, str(tmp_path)).startswith("sparse_file_array,")
