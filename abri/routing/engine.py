"""A customizable contraction hierarchy (RoutingKit's CCH, through ``routingkit-cch``) over a road graph.

The hierarchy is built from a nested-dissection node order (inertial flow
on the junctions' coordinates), computed once per graph and cached beside
the graph files (keyed by the graph's content, which the graph cache keys
by input checksum and speed profile). Two metrics are customised on it:

* **time**, in whole milliseconds, the graph's own edge times: the times it
  returns equal the SciPy Dijkstra reference to the millisecond;
* **time then length** (``K * time + length``) in coarser units, because
  RoutingKit's weights are 32-bit: it gives the length of a path whose time
  is within a few seconds of the fastest one (within a few tenths of a
  percent of the reference km; measured in ``bench/bench_routing.py``).

Queries run in threads (RoutingKit releases the GIL), one pinned
one-to-many query object per thread; there are no worker processes.
"""

from __future__ import annotations

import logging
import math
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from abri.defaults import ORDER_SPLIT_JUNCTIONS
from abri.files import atomic_path
from abri.processes import run_forked
from abri.routing.graph import RoadGraph, cache_dir

log = logging.getLogger(__name__)
#: RoutingKit treats weights at or above 2^31 - 1 as "no road"; metric sums stay below this.
WEIGHT_BUDGET = 2**31 - 2
#: Length units of the time-then-length metric (tie breaker and decoded km) are chosen to keep this many steps.
LENGTH_STEPS = 2**14


def order_path(graph: RoadGraph) -> Path:
    """Where the node order of `graph`'s hierarchy is cached."""
    return cache_dir() / "cch" / f"order-{graph.digest}.npy"


def node_order(graph: RoadGraph, *, use_cache: bool = True) -> np.ndarray:
    """The contraction order (inertial flow nested dissection), from the cache when there."""
    path = order_path(graph)
    if use_cache and path.is_file():
        try:
            order = np.load(path, allow_pickle=False)
            if order.shape == (graph.n_nodes,) and np.array_equal(
                np.sort(order), np.arange(graph.n_nodes)
            ):
                return order
        except Exception as exc:  # a truncated or foreign file: rebuild it
            log.warning("cached hierarchy order %s is unreadable (%s); rebuilding", path, exc)
    if graph.n_nodes > ORDER_SPLIT_JUNCTIONS and (os.cpu_count() or 1) > 1:
        order = split_order(graph.edge_u, graph.edge_v, graph.lat, graph.lon)
    else:
        order = _inertial(graph.edge_u, graph.edge_v, graph.lat, graph.lon)
    if use_cache:
        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            np.save(fh, order)
    return order


def _inertial(u: np.ndarray, v: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """RoutingKit's nested-dissection order (inertial flow) of the junctions: the i-th contracted first."""
    import routingkit_cch as rk

    order = rk.compute_order_inertial(len(lat), u.tolist(), v.tolist(), lat.tolist(), lon.tolist())
    return np.asarray(order, dtype=np.int64)


def straight_cut(
    u: np.ndarray, v: np.ndarray, lat: np.ndarray, lon: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Junctions on either side of a straight line through the median, and the separator between them.

    Of four directions (north-south, east-west and the two diagonals), the
    line crossed by the fewest edges; the separator is the junctions of one
    side with an edge across, so no edge joins the two sides once it is
    removed. Returns boolean masks (side A, side B, separator).
    """
    x = lon * np.cos(np.radians(float(np.mean(lat)) if len(lat) else 0.0))
    best = None
    for dx, dy in ((1.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, -1.0)):
        along = dx * x + dy * lat
        side = along > np.median(along)
        crossing = int(np.count_nonzero(side[u] != side[v]))
        if best is None or crossing < best[0]:
            best = (crossing, side)
    assert best is not None
    side = best[1]
    cross = side[u] != side[v]
    separator = np.zeros(len(lat), bool)
    separator[np.where(side[u], u, v)[cross]] = True
    return ~side & ~separator, side & ~separator, separator


def _part_order(
    mask: np.ndarray, u: np.ndarray, v: np.ndarray, lat: np.ndarray, lon: np.ndarray
) -> np.ndarray:
    """The order of the junctions in `mask` (global ids), from the graph they induce."""
    ids = np.flatnonzero(mask)
    local = np.full(len(mask), -1, np.int64)
    local[ids] = np.arange(len(ids))
    keep = mask[u] & mask[v]
    return ids[_inertial(local[u[keep]], local[v[keep]], lat[ids], lon[ids])]


def split_order(u: np.ndarray, v: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """A nested-dissection order whose top level is a straight cut (:func:`straight_cut`), the two sides ordered at once.

    Each side gets RoutingKit's inertial-flow order in its own forked process;
    the separator's junctions come last, as a nested dissection puts its top
    separator. Any order gives exact paths; this one only changes how fast the
    order is computed and how many shortcuts the hierarchy holds.
    """
    a, b, separator = straight_cut(u, v, lat, lon)
    if not a.any() or not b.any():  # every junction on one point or line: no cut to make
        return _inertial(u, v, lat, lon)
    first, second = run_forked(
        [lambda: _part_order(a, u, v, lat, lon), lambda: _part_order(b, u, v, lat, lon)]
    )
    return np.concatenate([first, second, np.flatnonzero(separator)])


@dataclass
class CCHEngine:
    """Time (and km) queries on one graph through a customizable contraction hierarchy."""

    graph: RoadGraph
    order_s: float = 0.0
    build_s: float = 0.0
    time_unit_ms: int = 1
    length_unit_m: int = 1
    _cch: Any = field(default=None, repr=False)
    _time: Any = field(default=None, repr=False)
    _key: Any = field(default=None, repr=False)

    @classmethod
    def build(cls, graph: RoadGraph, *, use_cache: bool = True) -> CCHEngine:
        """Order (or load the cached order), build the hierarchy and customise the time metric."""
        import routingkit_cch as rk

        start = time.perf_counter()
        order = node_order(graph, use_cache=use_cache)
        ordered = time.perf_counter()
        cch = rk.CCH(order.tolist(), graph.edge_u.tolist(), graph.edge_v.tolist(), False)
        engine = cls(graph, _cch=cch)
        engine._time = rk.CCHMetric(cch, engine.time_weights().tolist())
        engine.order_s, engine.build_s = ordered - start, time.perf_counter() - ordered
        return engine

    def time_weights(self) -> np.ndarray:
        """Edge times in whole milliseconds (the graph stores them rounded to the ms)."""
        return np.rint(self.graph.time_s * 1000).astype(np.int64)

    def _key_metric(self) -> Any:
        """The time-then-length metric, customised on first use, in units that cannot overflow."""
        if self._key is None:
            import routingkit_cch as rk

            bound_ms = self._time_bound_ms()
            bound_m = (
                bound_ms / 1000 * max(float((self.graph.length_m / self.graph.time_s).max()), 1.0)
            )
            self.length_unit_m = max(1, math.ceil(bound_m / (LENGTH_STEPS - 1)))
            self.time_unit_ms = max(
                1, math.ceil(bound_ms * LENGTH_STEPS / (WEIGHT_BUDGET - LENGTH_STEPS))
            )
            self._key = rk.CCHMetric(self._cch, self.key_weights().tolist())
        return self._key

    def key_weights(self) -> np.ndarray:
        """Edge weights of the time-then-length metric, in its units."""
        ticks = np.rint(self.time_weights() / self.time_unit_ms).astype(np.int64)
        return ticks * LENGTH_STEPS + np.rint(self.graph.length_m / self.length_unit_m).astype(
            np.int64
        )

    def closed(self, edges: np.ndarray) -> CCHEngine:
        """This hierarchy with `edges` closed (no road): both metrics customised anew, same order."""
        import routingkit_cch as rk

        self._key_metric()  # the units of the open roads, which closing keeps
        shut = np.zeros(self.graph.n_edges, dtype=bool)
        shut[np.asarray(edges, dtype=np.int64)] = True
        time_w = np.where(shut, WEIGHT_BUDGET + 1, self.time_weights())
        key_w = np.where(shut, WEIGHT_BUDGET + 1, self.key_weights())
        return replace(
            self,
            _time=rk.CCHMetric(self._cch, time_w.tolist()),
            _key=rk.CCHMetric(self._cch, key_w.tolist()),
        )

    def _time_bound_ms(self) -> float:
        """An upper bound of any fastest time (ms) in the main network: a central junction's in- plus out-eccentricity."""
        import routingkit_cch as rk

        main = np.flatnonzero(self.graph.components == self.graph.main_component)
        centre = main[
            np.argmin(
                (self.graph.lon[main] - np.median(self.graph.lon[main])) ** 2
                + (self.graph.lat[main] - np.median(self.graph.lat[main])) ** 2
            )
        ]
        everyone = main.tolist()
        out = rk.CCHOneToMany(self._time, everyone).distances_from(int(centre))
        back = rk.CCHManyToOne(self._time, everyone).distances_to(int(centre))
        return float(
            max((d for d in out if d is not None), default=1)
            + max((d for d in back if d is not None), default=1)
        )

    def matrix(
        self,
        sources: np.ndarray,
        targets: np.ndarray,
        *,
        with_distance: bool = False,
        n_jobs: int = 1,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Fastest time (s) and the km of (nearly) that path (m) between node indices; inf when unreachable."""
        import routingkit_cch as rk

        sources = np.asarray(sources, dtype=np.int64)
        target_list = np.asarray(targets, dtype=np.int64).tolist()
        metrics = [self._time] + ([self._key_metric()] if with_distance else [])

        def rows(chunk: np.ndarray) -> list[np.ndarray]:
            out = []
            for metric in metrics:
                query = rk.CCHOneToMany(metric, target_list)
                block = np.array(
                    [query.distances_from(int(s)) for s in chunk], dtype=float
                )  # None (unreachable) -> nan
                out.append(np.nan_to_num(block.reshape(len(chunk), len(target_list)), nan=math.inf))
                del query
            return out

        chunks = [
            c for c in np.array_split(sources, max(1, min(n_jobs, len(sources)))) if len(c)
        ] or [sources]
        if len(chunks) == 1:
            parts = [rows(chunks[0])]
        else:
            with ThreadPoolExecutor(len(chunks)) as pool:
                parts = list(pool.map(rows, chunks))
        times = np.vstack([p[0] for p in parts]) / 1000
        if not with_distance:
            return times, None
        key = np.vstack([p[1] for p in parts])
        with np.errstate(invalid="ignore"):
            lengths = np.where(
                np.isfinite(key), np.mod(key, LENGTH_STEPS) * self.length_unit_m, math.inf
            )
        lost = np.isfinite(times) & ~np.isfinite(lengths)
        if lost.any():  # beyond the metric's range: measure those pairs on their exact paths
            for i, j in zip(*np.nonzero(lost), strict=True):
                lengths[i, j] = float(
                    self.graph.length_m[self.path_edges(int(sources[i]), int(target_list[j]))].sum()
                )
        return times, lengths

    def path(self, source: int, target: int) -> np.ndarray | None:
        """Node indices of the fastest path, or None when `target` cannot be reached."""
        import routingkit_cch as rk

        query = rk.CCHQuery(self._time)
        result = query.run(int(source), int(target))
        nodes = None if result.distance is None else np.asarray(result.node_path, dtype=np.int64)
        del result, query
        return nodes

    def path_edges(self, source: int, target: int) -> np.ndarray:
        """Edge indices of the fastest path (empty when there is none)."""
        nodes = self.path(source, target)
        if nodes is None or len(nodes) < 2:
            return np.empty(0, dtype=np.int64)
        keys = nodes[:-1] * self.graph.n_nodes + nodes[1:]
        return np.searchsorted(self.graph.pair_keys, keys)


def engine_for(graph: RoadGraph) -> CCHEngine:
    """The graph's engine, built on first use and kept on the graph object."""
    engine = graph.__dict__.get("_cch_engine")
    if engine is None:
        engine = CCHEngine.build(graph)
        graph.__dict__["_cch_engine"] = engine
        log.info(
            "CCH on %s junctions: order %.1f s, build %.2f s",
            f"{graph.n_nodes:,}",
            engine.order_s,
            engine.build_s,
        )
    return engine
