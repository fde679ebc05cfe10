"""Benchmark: road graph load and travel-time matrices on the national network.

Measures, on ``france-all-roads.osm.bz2``: cold build (osmnx parse +
arrays), warm load (cached arrays), origin to 1,000 centres, and a
1,000 x 1,000 centre matrix on all cores. The baseline, networkx's
``single_source_dijkstra_path_length`` per source, runs in the same process
on a few sources and is scaled to the same work.

Run: ``python bench/bench_routing.py [--centres 1000] [--cold]`` (uses $ABRI_DATA_DIR).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

import networkx as nx

from abri.geo.gazetteer import load_communes
from abri.routing.graph import load_graph
from abri.routing.matrix import travel_matrix
from abri.routing.profile import load_profile
from abri.routing.snap import snap_points

CALAIS = (1.8587, 50.9513)


def timed(func, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - start


def child_peak_mb(roads: str, *, cold: bool) -> float:
    """Peak memory (MB) of a fresh process that loads the graph (cold: into an empty cache)."""
    code = f"from abri.routing.graph import load_graph; g = load_graph({roads!r}); g.csr('key'); g.components"
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, **({"ABRI_CACHE_DIR": tmp} if cold else {})}
        proc = subprocess.run([sys.executable, "-c", code + "; import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"],
                              env=env, check=True, capture_output=True, text=True)
    return int(proc.stdout.split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--centres", type=int, default=1000)
    parser.add_argument("--roads", default="france-all-roads")
    parser.add_argument("--cold", action="store_true", help="Also time a cold build (about 35 s), in an empty cache.")
    parser.add_argument("--nx-sources", type=int, default=3)
    args = parser.parse_args()
    rows = []
    load_graph(args.roads)  # make sure the cache exists
    memory = {"warm load": child_peak_mb(args.roads, cold=False)}
    if args.cold:
        start = time.perf_counter()
        memory["cold build"] = child_peak_mb(args.roads, cold=True)
        rows.append(("graph build, cold (osmnx parse + arrays)", "-", time.perf_counter() - start, "-"))
    graph, warm = timed(load_graph, args.roads)
    rows.append(("graph load, warm (cached arrays)", "-", warm, "-"))

    communes = load_communes()
    communes = communes[communes["departement"].str.len() == 2].sample(args.centres, random_state=7)
    snapped, snap_s = timed(snap_points, graph, communes["lon"].to_numpy(), communes["lat"].to_numpy(),
                            ids=communes["code"].tolist(), profile=load_profile())
    origin = snap_points(graph, [CALAIS[0]], [CALAIS[1]], ids=["ORIGIN"])
    rows.append((f"snap {args.centres:,} centres", "-", snap_s, "-"))

    nxg = graph.to_networkx()
    sources = snapped["node"].to_numpy()[: args.nx_sources]
    start = time.perf_counter()
    for s in sources:
        nx.single_source_dijkstra_path_length(nxg, int(s), weight="travel_time")
    per_source = (time.perf_counter() - start) / len(sources)

    _, one = timed(travel_matrix, graph, origin, snapped, with_distance=True, n_jobs=1)
    rows.append((f"origin -> {args.centres:,} centres (time + km)", per_source, one, per_source / one))
    _, many_t = timed(travel_matrix, graph, snapped, snapped, with_distance=False)
    rows.append((f"{args.centres:,} x {args.centres:,} matrix (time), {os.cpu_count()} cores", per_source * args.centres, many_t,
                 per_source * args.centres / many_t))
    _, many = timed(travel_matrix, graph, snapped, snapped, with_distance=True)
    rows.append((f"{args.centres:,} x {args.centres:,} matrix (time + km), {os.cpu_count()} cores", per_source * args.centres, many,
                 per_source * args.centres / many))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"graph: {graph.n_nodes:,} junctions, {graph.n_edges:,} directed edges ({args.roads})")
    print("| step | networkx (s) | abri (s) | speed-up |")
    print("|---|---:|---:|---:|")
    for label, base, ours, ratio in rows:
        base_s = f"{base:.2f}" if isinstance(base, float) else base
        ratio_s = f"{ratio:.0f}x" if isinstance(ratio, float) else ratio
        print(f"| {label} | {base_s} | {ours:.2f} | {ratio_s} |")
    print(f"\nnetworkx: {per_source:.2f} s per source (measured on {len(sources)} sources, scaled); peak RSS of this run {peak:.0f} MB")
    print("peak memory of the national graph: " + ", ".join(f"{k} {v:.0f} MB" for k, v in memory.items()))


if __name__ == "__main__":
    main()
