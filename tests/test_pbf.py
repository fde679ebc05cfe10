"""OSM PBF input (pyosmium) against the OSM XML path (osmnx), and coach restrictions on both."""

import subprocess
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from abri.cli import main
from abri.errors import GraphError
from abri.routing.graph import from_networkx, load_graph, read_osm_graph
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
