"""Write a synthetic country-size road network as an OSM PBF, for the graph benchmark (never committed).

A perturbed grid of junctions, each grid edge a road segment with a few shape
nodes, segments chained into ways along rows and columns, about 15 % of
them missing (dead ends, T junctions). Tags follow a real mix: road classes,
one-ways (``yes``, ``-1``, roundabouts), signed and implicit ``maxspeed``,
low bridges, weight limits, private and bus-closed roads, refs and names,
and service roads and tracks a coach does not use.

At ``--fraction 1`` the counts are those estimated for France's drivable
network (roads a coach may use, OSM 2024): about 5 million junctions,
40 million distinct nodes, 6 million ways and 48 million way-node
references. The network is written as OPL and converted to PBF by
``osmium cat`` (osmium-tool), streamed, so no text file is left.

Usage::

    python bench/make_country_pbf.py --fraction 0.05 -o /tmp/country-5.osm.pbf
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np

#: France's drivable network at fraction 1 (estimates): junctions, distinct nodes, ways.
JUNCTIONS = 5_000_000
SHAPE_PER_SEGMENT = 4.1  # mean shape nodes per grid segment -> ~40 M distinct nodes
KEEP_SEGMENT = 0.85
BREAK_WAY = 0.55  # chance a way ends at a junction -> ~6 M ways
BBOX = (-4.8, 42.3, 8.2, 51.1)  # lon, lat of mainland France
#: (tags, weight): highway classes and the other tags they carry.
CLASSES = [
    ("highway=residential", 40),
    ("highway=unclassified", 18),
    ("highway=tertiary", 13),
    ("highway=secondary", 8),
    ("highway=primary", 5),
    ("highway=trunk", 2),
    ("highway=motorway", 1),
    ("highway=motorway_link", 1),
    ("highway=primary_link", 1),
    ("highway=living_street", 1),
    ("highway=service", 7),
    ("highway=track", 3),
]
EXTRAS = [  # (tag, share of ways)
    ("oneway=yes", 0.07),
    ("oneway=-1", 0.005),
    ("junction=roundabout", 0.01),
    ("maxspeed=50", 0.15),
    ("maxspeed=30", 0.05),
    ("maxspeed=80", 0.08),
    ("maxspeed=FR:urban", 0.02),
    ("maxspeed=FR:zone30", 0.01),
    ("maxheight=3.2", 0.003),
    ("maxheight=4.5", 0.003),
    ("maxweight=3.5", 0.004),
    ("access=private", 0.01),
    ("bus=no", 0.002),
    ("psv=yes", 0.001),
]
CHUNK = 200_000


def tag_table(rng: np.random.Generator, n: int) -> list[str]:
    """A tag string (OPL) per way: a class, extras drawn independently, a ref or a name."""
    weights = np.array([w for _, w in CLASSES], float)
    cls = rng.choice(len(CLASSES), n, p=weights / weights.sum())
    parts = [np.array([c for c, _ in CLASSES], dtype=object)[cls]]
    for tag, share in EXTRAS:
        on = rng.random(n) < share
        parts.append(np.where(on, "," + tag, ""))
    ref = np.where(cls <= 6, np.char.add("ref=D", rng.integers(1, 999, n).astype(str)), "")
    name = np.char.add("name=Rue_", rng.integers(1, 5000, n).astype(str))
    label = np.where(ref != "", "," + ref.astype(object), "," + name.astype(object))
    out = parts[0]
    for p in [*parts[1:], label]:
        out = out + p
    return out.tolist()


def grid(fraction: float, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Junction coordinates and the kept segments of a side x side grid."""
    side = max(3, round(np.sqrt(JUNCTIONS * fraction)))
    lon0, lat0, lon1, lat1 = BBOX
    span = np.sqrt(fraction)  # a fraction of the country covers a fraction of its area
    dx, dy = (lon1 - lon0) * span / side, (lat1 - lat0) * span / side
    r, c = np.divmod(np.arange(side * side), side)
    lon = lon0 + (c + rng.uniform(-0.3, 0.3, side * side)) * dx
    lat = lat0 + (r + rng.uniform(-0.3, 0.3, side * side)) * dy
    ids = np.arange(side * side).reshape(side, side)
    horizontal = np.stack([ids[:, :-1].ravel(), ids[:, 1:].ravel()], 1)
    vertical = np.stack([ids[:-1, :].T.ravel(), ids[1:, :].T.ravel()], 1)  # column by column
    segments = np.concatenate([horizontal, vertical])
    line = np.concatenate([r[horizontal[:, 0]], side + c[vertical[:, 0]]])
    keep = rng.random(len(segments)) < KEEP_SEGMENT
    return {"lon": lon, "lat": lat, "segments": segments[keep], "line": line[keep]}


def write(fraction: float, out: Path, seed: int = 7) -> dict[str, int]:
    """Write the network to `out` (PBF, through ``osmium cat``); return its counts."""
    rng = np.random.default_rng(seed)
    g = grid(fraction, rng)
    seg, n_junctions = g["segments"], len(g["lon"])
    shapes = rng.poisson(SHAPE_PER_SEGMENT, len(seg))
    shape_start = n_junctions + np.concatenate([[0], np.cumsum(shapes)])
    a, b = seg[:, 0], seg[:, 1]
    adjacent = np.concatenate([[False], (g["line"][1:] == g["line"][:-1]) & (b[:-1] == a[1:])])
    new_way = ~adjacent | (rng.random(len(seg)) < BREAK_WAY)
    way_of = np.cumsum(new_way) - 1
    n_ways = int(way_of[-1]) + 1
    tags = tag_table(rng, n_ways)
    cmd = ["osmium", "cat", "-F", "opl", "-", "-o", str(out), "--overwrite", "-f", "pbf"]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    put = proc.stdin.write
    for lo in range(0, n_junctions, CHUNK):
        i = np.arange(lo, min(lo + CHUNK, n_junctions))
        put(_nodes(i + 1, g["lon"][i], g["lat"][i]))
    for lo in range(0, len(seg), CHUNK):
        s = np.arange(lo, min(lo + CHUNK, len(seg)))
        k = shapes[s]
        owner = np.repeat(s, k)
        t = (np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k) + 1) / (np.repeat(k, k) + 1)
        t = t + rng.uniform(-0.05, 0.05, len(t)) / (np.repeat(k, k) + 1)
        lon = g["lon"][a[owner]] + t * (g["lon"][b[owner]] - g["lon"][a[owner]])
        lat = g["lat"][a[owner]] + t * (g["lat"][b[owner]] - g["lat"][a[owner]])
        lat = lat + rng.normal(0, 2e-5, len(lat))
        put(_nodes(shape_start[s[0]] + 1 + np.arange(k.sum()), lon, lat))
    refs = 0
    starts = np.flatnonzero(new_way)
    ends = np.append(starts[1:], len(seg))
    for lo in range(0, n_ways, CHUNK):
        lines = []
        for w in range(lo, min(lo + CHUNK, n_ways)):
            s0, s1 = starts[w], ends[w]
            nodes = [int(a[s0]) + 1]
            for s in range(s0, s1):
                nodes.extend(range(shape_start[s] + 1, shape_start[s + 1] + 1))
                nodes.append(int(b[s]) + 1)
            refs += len(nodes)
            lines.append(f"w{w + 1} v1 T{tags[w]} N{','.join(f'n{n}' for n in nodes)}\n")
        put("".join(lines).encode())
    proc.stdin.close()
    if proc.wait():
        sys.exit(f"osmium cat failed ({proc.returncode})")
    return {
        "junctions": n_junctions,
        "nodes": int(shape_start[-1]),
        "ways": n_ways,
        "way_node_refs": refs,
        "bytes": out.stat().st_size,
    }


def _nodes(ids: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> bytes:
    return "".join(
        f"n{i} v1 x{x:.7f} y{y:.7f}\n"
        for i, x, y in zip(ids.tolist(), lon.tolist(), lat.tolist(), strict=True)
    ).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fraction", type=float, default=0.01, help="share of France (0-1]")
    parser.add_argument("-o", "--output", type=Path, required=True, help="the .osm.pbf to write")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    counts = write(args.fraction, args.output, args.seed)
    print(" ".join(f"{k}={v:,}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
