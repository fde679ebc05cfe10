"""Degree-2 contraction of a road network held as arrays: osmnx's simplification, without networkx.

The rules are osmnx's (``simplify_graph`` with ``edge_attrs_differ=["restriction"]``
and rings removed), so the arrays equal those of the networkx path:

* a junction is a node that loops to itself, has no edge in or no edge out,
  does not have exactly two neighbours with 2 or 4 edges, or where the
  restriction changes; other nodes are interior points of a road;
* from each junction, each chain of interior nodes is followed to the next
  junction (the first edge of each node pair, in reading order, gives its
  length and time; lengths and times are summed in path order);
* interior nodes go, and so do components left without any junction;
* per ordered node pair the fastest edge is kept (blocked edges apart).

Coach time is computed per raw edge from its own way's speed, before merging.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from abri.errors import GraphError
from abri.routing.osm_arrays import BACKWARD, BOTH_WAYS, WayAttributes, Ways

EARTH_RADIUS_M = 6_371_009  # osmnx's, so lengths match to the bit
CHUNK = 1 << 20


def great_circle(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Haversine distance in metres, written as osmnx writes it."""
    y1, y2 = np.deg2rad(lat1), np.deg2rad(lat2)
    delta_y = y2 - y1
    delta_x = np.deg2rad(lon2) - np.deg2rad(lon1)
    h = np.sin(delta_y / 2) ** 2 + np.cos(y1) * np.cos(y2) * np.sin(delta_x / 2) ** 2
    h = np.minimum(1, h)
    return 2 * np.arcsin(np.sqrt(h)) * EARTH_RADIUS_M


def morton_code(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Z-order code of each point on a 2^16 grid over the points' bounding box."""

    def spread(v: np.ndarray) -> np.ndarray:
        v = v & 0xFFFF
        v = (v | (v << 8)) & 0x00FF00FF
        v = (v | (v << 4)) & 0x0F0F0F0F
        v = (v | (v << 2)) & 0x33333333
        return (v | (v << 1)) & 0x55555555

    def grid(a: np.ndarray) -> np.ndarray:
        span = float(a.max() - a.min()) or 1.0
        return ((a - a.min()) / span * 65535).astype(np.uint64)

    return spread(grid(lon)) | (spread(grid(lat)) << np.uint64(1))


def distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (by sorting: NumPy's hashing ``unique`` is slower on large integer arrays)."""
    out = np.sort(values)
    if len(out) > 1:
        out = out[np.concatenate([[True], out[1:] != out[:-1]])]
    return out


def round_ms(seconds: np.ndarray) -> np.ndarray:
    """``round(t, 3)`` of each time, exactly as Python rounds (NumPy's differs near half a millisecond)."""
    out = np.round(seconds, 3)
    scaled = seconds * 1000
    near = np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
    out[near] = [round(float(t), 3) for t in seconds[near]]
    return out


class Edges:
    """A directed multigraph's edges with what simplification carries (label ids: -1 when none)."""

    def __init__(
        self,
        u: np.ndarray,
        v: np.ndarray,
        length: np.ndarray,
        time: np.ndarray,
        restriction: np.ndarray,
        ref: np.ndarray,
        name: np.ndarray,
    ) -> None:
        self.u, self.v, self.length, self.time = u, v, length, time
        self.restriction, self.ref, self.name = restriction, ref, name

    def take(self, index: np.ndarray) -> Edges:
        """The edges at `index`, in that order."""
        return Edges(
            self.u[index],
            self.v[index],
            self.length[index],
            self.time[index],
            self.restriction[index],
            self.ref[index],
            self.name[index],
        )

    @staticmethod
    def join(a: Edges, b: Edges) -> Edges:
        """`a`'s edges then `b`'s."""
        return Edges(*(np.concatenate([getattr(a, k), getattr(b, k)]) for k in _EDGE_FIELDS))


_EDGE_FIELDS = ("u", "v", "length", "time", "restriction", "ref", "name")


def node_table(ways: Ways) -> tuple[np.ndarray, np.ndarray]:
    """Each distinct node in order of first appearance, and each way node's index in that order."""
    by_id = np.argsort(ways.node_id, kind="stable")
    ids = ways.node_id[by_id]
    new = np.concatenate([[True], ids[1:] != ids[:-1]]) if len(ids) else np.empty(0, bool)
    group = np.empty(len(ids), np.int32)
    group[by_id] = np.cumsum(new) - 1  # each way node's distinct node, by id
    first = by_id[new]  # stable sort: the first appearance of each id
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(order), np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    return first[order], rank[group]


def raw_edges(
    ways: Ways, attrs: WayAttributes, node: np.ndarray, lon: np.ndarray, lat: np.ndarray
) -> Edges:
    """One edge per way segment (two for a two-way way), in the order osmnx adds them.

    `node` is each way node's index in the node table, `lon` and `lat` the nodes' coordinates.
    """
    start = ways.start
    counts = np.diff(start)
    way = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
    p = np.flatnonzero(way[:-1] == way[1:])
    w = way[p]
    del way
    k = np.maximum(counts - 1, 0)  # segments per way
    both_way = attrs.oneway == BOTH_WAYS
    first_out = np.concatenate([[0], np.cumsum(k * (1 + both_way))])  # where each way's edges go
    i = p - start[w]  # position of the segment in its way
    fwd = attrs.oneway[w] != BACKWARD
    a, b = node[p], node[p + 1]
    del p
    m = int(first_out[-1])
    u, v, wall = np.empty(m, np.int32), np.empty(m, np.int32), np.empty(m, np.int32)
    at = first_out[w] + np.where(fwd, i, k[w] - 1 - i)  # forward block, in travel order
    u[at], v[at], wall[at] = np.where(fwd, a, b), np.where(fwd, b, a), w
    both = both_way[w]
    at = first_out[w[both]] + k[w[both]] + i[both]  # then the way's reverse edges
    u[at], v[at], wall[at] = b[both], a[both], w[both]
    del a, b, at, i, w, fwd, both
    length = np.empty(m)
    for lo in range(0, m, CHUNK):  # in slices: the formula's temporaries stay small
        a, b = u[lo : lo + CHUNK], v[lo : lo + CHUNK]
        length[lo : lo + CHUNK] = great_circle(lat[a], lon[a], lat[b], lon[b])
    return Edges(
        u,
        v,
        length,
        length / (attrs.speed_kmh[wall] / 3.6),
        attrs.restriction[wall],
        ways.ref[wall],
        ways.name[wall],
    )


def endpoints(n: int, e: Edges, n_reasons: int, pair: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """osmnx's endpoint rule for each node, and the sum of each node's distinct neighbours.

    `pair` holds the sorted distinct ``u * n + v`` of the edges. A node with
    two neighbours reached from one of them leads to the sum minus that one.
    """
    pu, pv = pair // n, pair % n
    back = pv * n + pu
    found = np.searchsorted(pair, back)
    np.minimum(found, max(len(pair) - 1, 0), out=found)
    both = pair[found] == back  # the pair exists both ways: one neighbour, not two
    del back, found
    neighbours = (
        np.bincount(pu, minlength=n)
        + np.bincount(pv, minlength=n)
        - np.bincount(pu[both], minlength=n)
    )
    total = (
        np.bincount(pu, weights=pv, minlength=n)
        + np.bincount(pv, weights=pu, minlength=n)
        - np.bincount(pu[both], weights=pv[both], minlength=n)
    ).astype(np.int64)
    in_deg, out_deg = np.bincount(e.v, minlength=n), np.bincount(e.u, minlength=n)
    loop = np.zeros(n, bool)
    loop[pu[pu == pv]] = True
    low, high = np.full(n, n_reasons, np.int32), np.full(n, -1, np.int32)
    for ends in (e.u, e.v):
        np.minimum.at(low, ends, e.restriction)
        np.maximum.at(high, ends, e.restriction)
    differ = (high >= 0) & (low != high)
    degree = in_deg + out_deg
    through = (neighbours == 2) & ((degree == 2) | (degree == 4))
    return loop | (in_deg == 0) | (out_deg == 0) | ~through | differ, total


def _labels(pid: np.ndarray, label: np.ndarray, n_paths: int, texts: list[str]) -> np.ndarray:
    """Each path's label: its one value, or its distinct values joined by ';' (index into `texts`, grown)."""
    has = label >= 0
    pairs = distinct(pid[has].astype(np.int64) * (len(texts) + 1) + label[has])
    p, lab = pairs // (len(texts) + 1), pairs % (len(texts) + 1)
    count = np.bincount(p, minlength=n_paths)
    out = np.full(n_paths, -1, np.int64)
    single = count[p] == 1
    out[p[single]] = lab[single]
    many = np.flatnonzero(count > 1)
    if len(many):
        first = np.searchsorted(p, many)
        for path, lo in zip(many.tolist(), first.tolist(), strict=True):
            parts = sorted(texts[j] for j in lab[lo : lo + count[path]].tolist())
            texts.append(";".join(parts))
            out[path] = len(texts) - 1
    return out


def contract(
    n: int, e: Edges, n_reasons: int, texts: list[str]
) -> tuple[Edges, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Merge each chain of interior nodes into one edge.

    Returns the graph's edges (raw edges left, then merged ones), each edge's
    path (-1 for a raw edge), the mask of removed nodes, and the paths'
    interior nodes (concatenated) with their offsets.
    """
    pair, first = np.unique(
        e.u.astype(np.int64) * n + e.v, return_index=True
    )  # first edge per pair
    first = first.astype(np.int32)
    end, total = endpoints(n, e, n_reasons, pair)
    arc_u, arc_v = (pair // n).astype(np.int32), (pair % n).astype(np.int32)
    inner = ~end[arc_v]
    w = arc_v * np.int64(n) + (total[arc_v] - arc_u)  # the arc onward from an interior node
    del total
    pos = np.minimum(np.searchsorted(pair, w), len(pair) - 1)
    nxt = np.where(inner & (pair[pos] == w), pos, -1).astype(np.int32)
    del w, pos, pair
    start = np.flatnonzero(end[arc_u] & inner).astype(np.int32)
    del inner
    n_paths = len(start)
    length, time = np.zeros(n_paths), np.zeros(n_paths)
    last = start.copy()
    cur, pid = start, np.arange(n_paths, dtype=np.int32)
    steps_pid, steps_arc = [pid[:0]], [cur[:0]]
    while len(cur):  # one step along every open path (sums in path order, as osmnx's sum())
        edge = first[cur]
        length[pid] += e.length[edge]
        time[pid] += e.time[edge]
        steps_pid.append(pid)
        steps_arc.append(cur)
        last[pid] = cur
        step = nxt[cur]
        keep = step >= 0
        cur, pid = step[keep], pid[keep]
    spid, sarc = np.concatenate(steps_pid), np.concatenate(steps_arc)
    del steps_pid, steps_arc, nxt
    order = np.argsort(spid, kind="stable")
    spid, sarc = spid[order], sarc[order]
    interior = sarc != last[spid]
    points = arc_v[sarc[interior]]
    removed = np.zeros(n, bool)
    removed[points] = True
    sedge = first[sarc]
    merged = Edges(
        arc_u[start].astype(np.int32),
        arc_v[last].astype(np.int32),
        length,
        time,
        e.restriction[first[start]],
        _labels(spid, e.ref[sedge], n_paths, texts),
        _labels(spid, e.name[sedge], n_paths, texts),
    )
    geom = np.concatenate([[0], np.cumsum(np.bincount(spid[interior], minlength=n_paths))])
    raw = np.flatnonzero(~removed[e.u] & ~removed[e.v])
    done = np.flatnonzero(~removed[merged.u] & ~removed[merged.v])
    graph = Edges.join(e.take(raw), merged.take(done))
    return graph, np.concatenate([np.full(len(raw), -1), done]), removed, points, geom


def without_rings(n: int, g: Edges, removed: np.ndarray, n_reasons: int) -> np.ndarray:
    """The nodes left: not removed, in a component with at least one endpoint (osmnx drops bare rings)."""
    end = endpoints(n, g, n_reasons, distinct(g.u.astype(np.int64) * n + g.v))[0]
    graph = coo_matrix((np.ones(len(g.u), np.int8), (g.u, g.v)), shape=(n, n))
    labels = connected_components(graph, directed=True, connection="weak")[1]
    has_end = np.bincount(labels[end & ~removed], minlength=labels.max() + 1) > 0
    return ~removed & has_end[labels]


def _best(key: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Index of the fastest edge of each distinct key (the first one on a tie), in key order."""
    order = np.lexsort((np.arange(len(key)), seconds, key))
    first = np.ones(len(order), bool)
    first[1:] = key[order][1:] != key[order][:-1]
    return order[first]


def _ref_table(label: np.ndarray, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct road names of the edges, and each edge's index into them (-1: none)."""
    used = distinct(label[label >= 0])
    strings = [texts[i] for i in used.tolist()]
    table = sorted(set(strings) - {""})
    rank = {t: i for i, t in enumerate(table)}
    lut = np.array([rank.get(t, -1) for t in strings] + [-1], dtype=np.int32)
    edge_ref = lut[np.where(label >= 0, np.searchsorted(used, label), len(used))]
    return np.array(table, dtype=str), edge_ref


def road_arrays(ways: Ways, attrs: WayAttributes) -> dict[str, np.ndarray]:
    """The :class:`~abri.routing.graph.RoadGraph` arrays of the ways: contracted, rings dropped, fastest edges."""
    first, node = node_table(ways)
    lon, lat, osmid = ways.lon[first], ways.lat[first], ways.node_id[first]
    n, n_reasons = len(first), len(attrs.reasons)
    texts = list(ways.labels)
    raw = raw_edges(ways, attrs, node, lon, lat)
    graph, path, removed, points, geom = contract(n, raw, n_reasons, texts)
    del raw
    alive = without_rings(n, graph, removed, n_reasons)
    nodes = np.flatnonzero(alive)
    nodes = nodes[np.argsort(morton_code(lon[nodes], lat[nodes]), kind="stable")]
    index = np.full(n, -1, np.int64)
    index[nodes] = np.arange(len(nodes))
    keep = np.flatnonzero(alive[graph.u] & alive[graph.v] & (graph.u != graph.v))
    g, path = graph.take(keep), path[keep]
    u, v = index[g.u], index[g.v]
    key = u * len(nodes) + v  # index is int64
    seconds = np.maximum(round_ms(g.time), 1e-3)
    ok = np.flatnonzero(g.restriction == 0)
    if not len(ok):
        raise GraphError("no road a coach may use (every way is restricted)")
    best = ok[_best(key[ok], seconds[ok])]
    no = np.flatnonzero(g.restriction != 0)
    blocked = no[_best(key[no], seconds[no])]
    refs, edge_ref = _ref_table(np.where(g.ref[best] >= 0, g.ref[best], g.name[best]), texts)
    shaped = path[best] >= 0  # edges with inner points (a merged chain); the rest are straight
    counts = np.zeros(len(best), np.int64)
    starts = np.zeros(len(best), np.int64)
    counts[shaped] = np.diff(geom)[path[best][shaped]]
    starts[shaped] = geom[path[best][shaped]]
    take = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
    inner = points[take]
    return {
        "node_osmid": osmid[nodes],
        "lon": lon[nodes],
        "lat": lat[nodes],
        "edge_u": u[best].astype(np.int32),
        "edge_v": v[best].astype(np.int32),
        "length_m": np.round(g.length[best]),
        "time_s": seconds[best],
        "edge_ref": edge_ref,
        "refs": refs,
        "geom_offsets": np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        "geom_coords": np.column_stack([lon[inner], lat[inner]]).reshape(-1, 2),
        "blocked_u": u[blocked].astype(np.int32),
        "blocked_v": v[blocked].astype(np.int32),
        "blocked_time_s": seconds[blocked],
        "blocked_why": np.array(attrs.reasons, dtype=str)[g.restriction[blocked]],
    }
