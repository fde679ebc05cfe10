"""The CCH engine against the SciPy reference: same times to the millisecond, km of (nearly) the same paths."""

from pathlib import Path

import numpy as np
import pytest

from abri.routing.engine import CCHEngine, engine_for, order_path, split_order, straight_cut
from abri.routing.graph import RoadGraph, load_graph
from abri.routing.matrix import node_matrix
from abri.routing.route import node_path, path_edges


@pytest.fixture(scope="module")
def national(datapack: Path) -> RoadGraph:
    return load_graph("france-all-roads", data_dir=datapack)


@pytest.mark.slow
def test_national_matrix_equals_scipy_reference(national: RoadGraph) -> None:
    rng = np.random.default_rng(2016)
    main = np.flatnonzero(national.components == national.main_component)
    sources = rng.choice(main, 40, replace=False)
    targets = np.r_[
        rng.choice(main, 150, replace=False),
        rng.choice(np.flatnonzero(national.components != national.main_component), 3),
    ]
    ref_t, ref_km = node_matrix(national, sources, targets, with_distance=True, engine="scipy")
    times, km = node_matrix(national, sources, targets, with_distance=True, engine="cch", n_jobs=2)
    assert ref_km is not None and km is not None
    assert np.array_equal(np.isinf(times), np.isinf(ref_t)) and np.isinf(times[:, -3:]).all()
    finite = np.isfinite(ref_t)
    assert np.abs(times[finite] - ref_t[finite]).max() < 5e-4  # the same milliseconds
    rel = np.abs(km[finite] - ref_km[finite]) / np.maximum(ref_km[finite], 1000)
    assert np.median(rel) < 0.002 and np.quantile(rel, 0.95) < 0.01  # km of (nearly) the same paths
    only_t, none = node_matrix(national, sources[:5], targets, engine="cch", n_jobs=1)
    assert none is None and np.array_equal(only_t, times[:5])


def test_paths_are_fastest_and_cached_order_is_reused(
    national: RoadGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(7)
    main = np.flatnonzero(national.components == national.main_component)
    ref_t, _ = node_matrix(national, main[:1], main[1000:1010], engine="scipy")
    for j, t in enumerate(main[1000:1010]):
        nodes = node_path(national, int(main[0]), int(t), engine="cch")
        assert nodes[0] == main[0] and nodes[-1] == t
        assert national.time_s[path_edges(national, nodes)].sum() == pytest.approx(
            ref_t[0, j], abs=1e-3
        )
    assert engine_for(national) is engine_for(national)
    monkeypatch.setenv("ABRI_CACHE_DIR", str(tmp_path))
    small = load_graph("hauts-de-france-roads")
    first = CCHEngine.build(small)
    assert order_path(small).is_file() and first.order_s > 0
    order_path(small).write_bytes(b"truncated")  # a corrupt cached order is rebuilt, not trusted
    again = CCHEngine.build(small)
    s, t = rng.choice(small.n_nodes, 2, replace=False)
    assert np.array_equal(
        first.matrix(np.array([s]), np.array([t]))[0], again.matrix(np.array([s]), np.array([t]))[0]
    )


@pytest.mark.slow
def test_split_order_gives_the_same_times(
    national: RoadGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A country's order (a straight cut, each side ordered in its own process): a permutation, separator last, exact times."""
    g = national
    a, b, separator = straight_cut(g.edge_u, g.edge_v, g.lat, g.lon)
    assert (a ^ b ^ separator).all() and a.sum() > 0.4 * g.n_nodes and b.sum() > 0.4 * g.n_nodes
    assert not (a[g.edge_u] & b[g.edge_v]).any() and not (b[g.edge_u] & a[g.edge_v]).any()
    assert separator.sum() < 0.02 * g.n_nodes  # a line across the roads, not a band
    order = split_order(g.edge_u, g.edge_v, g.lat, g.lon)
    assert np.array_equal(np.sort(order), np.arange(g.n_nodes))
    assert set(order[-int(separator.sum()) :]) == set(np.flatnonzero(separator))
    monkeypatch.setenv("ABRI_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr("abri.routing.engine.ORDER_SPLIT_JUNCTIONS", 1000)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    split = CCHEngine.build(g, use_cache=False)
    rng = np.random.default_rng(5)
    main = np.flatnonzero(g.components == g.main_component)
    sources, targets = rng.choice(main, 20, replace=False), rng.choice(main, 60, replace=False)
    ref, _ = node_matrix(g, sources, targets, engine="scipy")
    times, _ = split.matrix(sources, targets)
    assert np.abs(times - ref).max() < 5e-4
