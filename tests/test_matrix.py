"""Matrices equal networkx shortest paths on the same graph."""

import itertools
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from abri.routing.graph import RoadGraph, load_graph
from abri.routing.matrix import matrix_long, node_matrix, travel_matrix
from abri.routing.snap import snap_points


@pytest.fixture(scope="module")
def hdf(data_dir: Path) -> RoadGraph:
    return load_graph("hauts-de-france-roads", data_dir=data_dir)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_scipy_reference_equals_networkx_on_random_pairs(hdf: RoadGraph, n_jobs: int) -> None:
    rng = np.random.default_rng(42)
    sources = rng.choice(hdf.n_nodes, 12, replace=False)
    targets = rng.choice(hdf.n_nodes, 40, replace=False)
    times, lengths = node_matrix(
        hdf, sources, targets, with_distance=True, n_jobs=n_jobs, engine="scipy"
    )
    g = hdf.to_networkx()
    checked = 0
    for i, s in enumerate(sources):
        dist, paths = nx.single_source_dijkstra(g, int(s), weight="travel_time")
        for j, t in enumerate(targets):
            if int(t) not in dist:
                assert np.isinf(times[i, j]) and np.isinf(lengths[i, j])
                continue
            assert times[i, j] == pytest.approx(dist[int(t)], abs=1e-6)
            path = paths[int(t)]
            path_len = sum(g[a][b]["length"] for a, b in itertools.pairwise(path))
            # equal, unless another path is exactly as fast (then ours is the shorter one)
            assert lengths[i, j] <= path_len + 1e-6
            checked += 1
    assert checked > 300
    only_time, none = node_matrix(hdf, sources, targets, n_jobs=n_jobs, engine="scipy")
    assert none is None and np.allclose(only_time, times, atol=1e-6, rtol=0)


def test_travel_matrix_access_legs_and_unreachable(hdf: RoadGraph) -> None:
    lon = np.array(
        [1.8587, 2.2957, 2.3522, 9.0]
    )  # Calais, Amiens, far south (no roads there), Corsica
    lat = np.array([50.9513, 49.8941, 43.0, 42.0])
    snapped = snap_points(hdf, lon, lat, ids=["calais", "amiens", "south", "corsica"])
    assert snapped["reachable"].tolist() == [True, True, False, False]
    times, lengths = travel_matrix(hdf, snapped, snapped, n_jobs=1)
    assert times.loc["calais", "calais"] == 0
    assert np.isnan(times.loc["calais", "corsica"]) and np.isnan(lengths.loc["south", "amiens"])
    net, _ = node_matrix(hdf, snapped["node"].to_numpy()[:1], snapped["node"].to_numpy()[1:2])
    access = snapped.loc["calais", "access_s"] + snapped.loc["amiens", "access_s"]
    assert times.loc["calais", "amiens"] == pytest.approx(net[0, 0] + access)
    assert 140 < lengths.loc["calais", "amiens"] / 1000 < 190  # about 160 km by road
    long = matrix_long(times, lengths)
    assert list(long.columns) == ["from_id", "to_id", "minutes", "km"] and len(long) == 16


def test_unknown_engine_is_refused(hdf: RoadGraph) -> None:
    with pytest.raises(ValueError, match="unknown routing engine 'osrm'"):
        node_matrix(hdf, np.array([0]), np.array([1]), engine="osrm")  # type: ignore[arg-type]


@pytest.mark.slow
def test_worker_processes_die_with_a_killed_parent(data_dir: Path, tmp_path: Path) -> None:
    import contextlib
    import os
    import signal
    import subprocess
    import sys
    import time

    code = (
        "import numpy as np; from abri.routing.graph import load_graph; from abri.routing.matrix import node_matrix; "
        "g = load_graph('hauts-de-france-roads'); s = np.arange(g.n_nodes); print('go', flush=True); "
        "[node_matrix(g, s, s[:10], n_jobs=2, engine='scipy') for _ in range(100)]"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", code],
        env={**os.environ, "ABRI_DATA_DIR": str(data_dir)},
        stdout=subprocess.PIPE,
        text=True,
    )
    children: set[int] = set()
    try:
        assert parent.stdout is not None and parent.stdout.readline().strip() == "go"
        deadline = time.monotonic() + 60
        while not children and time.monotonic() < deadline:
            time.sleep(0.2)
            children = {
                int(c)
                for c in Path(f"/proc/{parent.pid}/task/{parent.pid}/children").read_text().split()
            }
        assert children, "no worker process started"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 60  # a bound for a hang, generous on a loaded machine
        while any(
            Path(f"/proc/{c}").exists()
            and "Z" not in Path(f"/proc/{c}/stat").read_text().split()[2]
            for c in children
        ):
            assert time.monotonic() < deadline, f"workers {children} outlived the killed parent"
            time.sleep(0.2)
    finally:
        parent.kill()
        for child in children:  # never leave a worker behind, even when the test fails
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
