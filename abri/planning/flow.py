"""A min-cost flow network solved by HiGHS (SciPy's ``milp``).

A network's constraint matrix is totally unimodular, so the linear relaxation's basic
optimum is already integral and HiGHS stops at its root: a fraction of the time of
networkx's pure-Python network simplex on the allocation's networks (tens of thousands of
edges). Should HiGHS fail or return a point not integral within 1e-6, the same network is
solved by :func:`networkx.network_simplex`.
"""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx
import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix


class Network:
    """Nodes with demands (negative: supply) and edges with a cost and an optional capacity."""

    def __init__(self) -> None:
        self.index: dict[Hashable, int] = {}
        self.demand: dict[int, int] = {}
        self.tails: list[int] = []
        self.heads: list[int] = []
        self.costs: list[float] = []
        self.caps: list[float] = []

    def _id(self, node: Hashable) -> int:
        return self.index.setdefault(node, len(self.index))

    def node(self, key: Hashable, demand: int = 0) -> None:
        """Add `key` with its `demand` (inflow minus outflow)."""
        self.demand[self._id(key)] = demand

    def edge(self, tail: Hashable, head: Hashable, cost: float, capacity: float = np.inf) -> None:
        """Add the edge `tail` -> `head` (once per pair)."""
        self.tails.append(self._id(tail))
        self.heads.append(self._id(head))
        self.costs.append(cost)
        self.caps.append(capacity)

    def solve(self) -> dict[Hashable, dict[Hashable, int]]:
        """Flow on each edge with flow, ``{tail: {head: amount}}``, in the order edges were added."""
        n, m = len(self.index), len(self.tails)
        edges = np.arange(m)
        incidence = coo_matrix(
            (
                np.concatenate([np.ones(m), -np.ones(m)]),
                (np.concatenate([self.heads, self.tails]), np.concatenate([edges, edges])),
            ),
            shape=(n, m),
        ).tocsr()
        demand = np.zeros(n)
        for i, d in self.demand.items():
            demand[i] = d
        result = milp(
            np.asarray(self.costs, float),
            integrality=np.ones(m, dtype=np.int8),
            bounds=Bounds(0, np.asarray(self.caps, float)),
            constraints=[LinearConstraint(incidence, demand, demand)],
        )
        x = result.x if result.status == 0 else None
        if x is None or np.abs(x - np.round(x)).max(initial=0) > 1e-6:
            x = self._networkx()
        keys = list(self.index)
        out: dict[Hashable, dict[Hashable, int]] = {key: {} for key in keys}
        for tail, head, amount in zip(self.tails, self.heads, np.round(x).astype(int)):
            if amount > 0:
                out[keys[tail]][keys[head]] = int(amount)
        return out

    def _networkx(self) -> np.ndarray:
        """The same problem by networkx's network simplex: flow per edge."""
        graph: nx.DiGraph[int] = nx.DiGraph()
        for i in range(len(self.index)):
            graph.add_node(i, demand=self.demand.get(i, 0))
        for tail, head, cost, cap in zip(self.tails, self.heads, self.costs, self.caps):
            extra = {} if np.isinf(cap) else {"capacity": int(cap)}
            graph.add_edge(tail, head, weight=round(cost), **extra)
        _, flow = nx.network_simplex(graph)
        return np.array([flow[t][h] for t, h in zip(self.tails, self.heads)], float)
