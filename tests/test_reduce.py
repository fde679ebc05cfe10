"""The core graph keeps every distance between the junctions it keeps."""

from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from abri.routing.graph import load_graph
from abri.routing.matrix import node_matrix
from abri.routing.reduce import reduce_graph


def road_like(seed: int, n_offset: int = 0) -> sp.csr_matrix:
    """A random geometric graph with subdivided roads (chains) and dead ends, directed weights."""
    rng = np.random.default_rng(seed)
    g = nx.random_geometric_graph(300, 0.08, seed=seed)
    h, k = nx.Graph(), 1000
    for u, v in g.edges():
        if rng.random() < 0.5:
            h.add_edges_from([(u, k), (k, v)])
            k += 1
        else:
            h.add_edge(u, v)
    for _ in range(40):
        a = int(rng.integers(0, 300))
        h.add_edges_from([(a, k), (k, k + 1)])
        k += 2
    h = nx.convert_node_labels_to_integers(h, first_label=n_offset)
    n = n_offset + h.number_of_nodes()
    rows, cols, data = [], [], []
    for u, v in h.edges():
        rows += [u, v]
        cols += [v, u]
        data += list(rng.integers(1, 100, 2).astype(float))
    return sp.csr_matrix((data, (rows, cols)), shape=(n, n))


@pytest.mark.parametrize("seed", range(8))
def test_distances_between_kept_junctions_are_unchanged(seed: int) -> None:
    full = road_like(seed)
    core, kept = reduce_graph(full)
    assert len(kept) < full.shape[0]
    assert np.array_equal(dijkstra(full, indices=kept)[:, kept], dijkstra(core))


def test_terminals_survive_and_large_indices_do_not_overflow() -> None:
    full = road_like(3, n_offset=70_000)  # node numbers above 46,341: their products overflow int32
    terminals = np.arange(70_000, 70_050)
    core, kept = reduce_graph(full, terminals)
    assert set(terminals) <= set(kept)
    position = {node: i for i, node in enumerate(kept)}
    t = [position[x] for x in terminals]
    assert np.array_equal(dijkstra(full, indices=terminals)[:, terminals], dijkstra(core, indices=t)[:, t])


def test_matrix_on_the_core_matches_networkx(data_dir: Path) -> None:
    graph = load_graph("hauts-de-france-roads", data_dir=data_dir)
    rng = np.random.default_rng(5)
    nodes = rng.choice(graph.n_nodes, 80, replace=False)  # 80 sources: node_matrix reduces the graph
    core, _ = reduce_graph(graph.csr("key"), nodes)
    assert core.shape[0] < graph.n_nodes
    times, lengths = node_matrix(graph, nodes, nodes, with_distance=True, n_jobs=2)
    g = graph.to_networkx()
    for i, s in enumerate(nodes):
        dist = nx.single_source_dijkstra_path_length(g, int(s), weight="travel_time")
        for j, t in enumerate(nodes):
            assert times[i, j] == pytest.approx(dist.get(int(t), np.inf), abs=1e-6)
