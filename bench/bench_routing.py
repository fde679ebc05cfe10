"""Benchmark: road graph, routing engines and PBF reading on the national network.

Measures, in one run on ``france-all-roads.osm.bz2``:

* graph load (cached arrays) and, with ``--cold``, a cold build;
* the CCH index (``routingkit-cch``): node order (cold, no cache), build
  from the cached order, peak memory of a process that builds it;
* origin -> N centres and N x N centres (time + km) with the CCH engine
  (threads), the SciPy reference (worker processes), and networkx (per
  source, measured on a few sources and scaled): the baseline;
* ``--sources`` x N (default 200) with both engines;
* agreement of the CCH engine with the SciPy reference (times, km);
* PBF reading: the data pack's XML converted to ``.osm.pbf`` with
  osmium-tool, read with pyosmium (MB/s, ways/s), beside osmnx on the XML.

Run: ``python bench/bench_routing.py [--centres 1000] [--sources 200] [--cold]`` (uses $ABRI_DATA_DIR).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx
import numpy as np
from records import record

from abri.geo.gazetteer import load_communes
from abri.inputs.datadir import dataset_path
from abri.routing.engine import CCHEngine, engine_for
from abri.routing.graph import load_graph, read_osm_graph
from abri.routing.matrix import travel_matrix
from abri.routing.pbf import PbfStats, read_pbf
from abri.routing.profile import load_profile
from abri.routing.snap import snap_points

CALAIS = (1.8587, 50.9513)


def timed(func, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - start


def child_peak_mb(code: str, *, cache: str | None = None) -> float:
    """Peak memory (MB) of a fresh process running `code` (in an empty cache when `cache` is given)."""
    env = {**os.environ, **({"ABRI_CACHE_DIR": cache} if cache else {})}
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the (large) parent through fork and exec
    peak = "; import re; print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1])"
    proc = subprocess.run(
        [sys.executable, "-c", code + peak], env=env, check=True, capture_output=True, text=True
    )
    return int(proc.stdout.split()[-1]) / 1024


def scipy_matrix(graph, origins, destinations, *, n_jobs: int | None = None):  # type: ignore[no-untyped-def]
    """The SciPy reference."""
    return travel_matrix(
        graph, origins, destinations, with_distance=True, n_jobs=n_jobs, engine="scipy"
    )


def pbf_figures(roads: str) -> list[tuple[str, str]]:
    """Convert the pack's XML to PBF with osmium-tool and read both; throughput figures."""
    xml = dataset_path(roads)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        pbf = Path(tmp) / f"{roads}.osm.pbf"
        _, convert_s = timed(
            subprocess.run, ["osmium", "cat", str(xml), "-o", str(pbf)], check=True
        )
        size_mb = pbf.stat().st_size / 1e6
        stats = PbfStats()
        raw, read_s = timed(read_pbf, pbf, stats=stats)
        _, simplify_s = timed(read_osm_graph, pbf, load_profile())
        _, xml_s = timed(read_osm_graph, xml, load_profile())
        peak = child_peak_mb(f"from abri.routing.pbf import read_pbf; read_pbf({str(pbf)!r})")
    note = f"{size_mb:.2f} MB PBF, {stats.ways:,} ways (osmium cat from the pack's {roads} XML)"
    record(
        "routing", "PBF read with pyosmium (unsimplified graph)", round(read_s, 3), "s", note=note
    )
    record("routing", "PBF read: peak memory", round(peak, 1), "MB", note=note)
    record(
        "routing",
        "PBF read + per-way times + simplification",
        round(simplify_s, 3),
        "s",
        baseline=round(xml_s, 3),
        baseline_name="the same graph from OSM XML with osmnx",
        note=note,
    )
    rows.append(
        (
            "PBF file (osmium cat from the pack's XML)",
            f"{size_mb:.2f} MB, {stats.ways:,} ways, converted in {convert_s:.1f} s",
        )
    )
    rows.append(
        (
            "PBF read with pyosmium (unsimplified graph)",
            f"{read_s:.2f} s: {size_mb / read_s:.1f} MB/s, {stats.ways / read_s:,.0f} ways/s, "
            f"{stats.segments / read_s:,.0f} segments/s, peak {peak:.0f} MB ({raw.number_of_nodes():,} nodes)",
        )
    )
    rows.append(("PBF read + per-way times + simplification", f"{simplify_s:.2f} s"))
    rows.append(
        ("same from OSM XML with osmnx", f"{xml_s:.2f} s ({xml_s / simplify_s:.1f}x the PBF path)")
    )
    return rows


def record_figures(
    rows: list[tuple[str, float | str, float | str, float | str]],
    memory: dict[str, float],
    *,
    note: str,
) -> None:
    """Record each timed step (networkx, scaled, as the baseline) and each peak memory."""
    for label, base, ours, _ in rows:
        if isinstance(ours, float):
            record(
                "routing",
                label,
                round(ours, 3),
                "s",
                baseline=round(base, 3) if isinstance(base, float) else None,
                baseline_name="networkx Dijkstra per source, measured on a few sources and scaled"
                if isinstance(base, float)
                else "",
                note=note,
            )
    for label, megabytes in memory.items():
        record("routing", f"peak memory: {label}", round(megabytes, 1), "MB", note=note)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--centres", type=int, default=1000)
    parser.add_argument(
        "--sources",
        type=int,
        default=200,
        help="Sources of the second SciPy matrix (with / without reduction).",
    )
    parser.add_argument("--roads", default="france-all-roads")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="Also time a cold graph build (about a minute), in an empty cache.",
    )
    parser.add_argument("--nx-sources", type=int, default=3)
    parser.add_argument("--no-pbf", action="store_true")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    rows: list[tuple[str, float | str, float | str, float | str]] = []
    load_graph(args.roads)  # make sure the cache exists
    memory = {
        "warm graph load": child_peak_mb(
            f"from abri.routing.graph import load_graph; g = load_graph({args.roads!r}); "
            "g.csr('key'); g.components"
        )
    }
    if args.cold:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            memory["cold graph build"] = child_peak_mb(
                f"from abri.routing.graph import load_graph; load_graph({args.roads!r})", cache=tmp
            )
            rows.append(
                (
                    "graph build, cold (parse, per-way times, simplify, arrays)",
                    "-",
                    time.perf_counter() - start,
                    "-",
                )
            )
    graph, warm = timed(load_graph, args.roads)
    rows.append(("graph load, warm (cached arrays)", "-", warm, "-"))

    cold_engine = CCHEngine.build(graph, use_cache=False)
    rows.append(("CCH node order (inertial flow), once per graph", "-", cold_engine.order_s, "-"))
    engine, engine_s = timed(engine_for, graph)
    rows.append(("CCH index from the cached order + time metric", "-", engine_s, "-"))
    memory["graph + CCH index, cold order"] = child_peak_mb(
        f"from abri.routing.graph import load_graph; from abri.routing.engine import CCHEngine; g = load_graph({args.roads!r}); "
        "CCHEngine.build(g, use_cache=False)._key_metric()"
    )

    communes = load_communes()
    communes = communes[communes["departement"].str.len() == 2].sample(args.centres, random_state=7)
    snapped, snap_s = timed(
        snap_points,
        graph,
        communes["lon"].to_numpy(),
        communes["lat"].to_numpy(),
        ids=communes["code"].tolist(),
        profile=load_profile(),
    )
    origin = snap_points(graph, [CALAIS[0]], [CALAIS[1]], ids=["ORIGIN"])
    rows.append((f"snap {args.centres:,} centres", "-", snap_s, "-"))

    nxg = graph.to_networkx()
    sources = snapped["node"].to_numpy()[: args.nx_sources]
    start = time.perf_counter()
    for s in sources:
        nx.single_source_dijkstra_path_length(nxg, int(s), weight="travel_time")
    per_source = (time.perf_counter() - start) / len(sources)

    def row(label: str, base: float, seconds: float) -> None:
        rows.append((label, base, seconds, base / seconds))

    travel_matrix(
        graph, origin, snapped, with_distance=True, engine="cch"
    )  # customise the km metric once (warm)
    _, one_cch = timed(
        travel_matrix, graph, origin, snapped, with_distance=True, n_jobs=1, engine="cch"
    )
    row(f"origin -> {args.centres:,} centres (time + km), CCH", per_source, one_cch)
    _, one_sp = timed(
        travel_matrix, graph, origin, snapped, with_distance=True, n_jobs=1, engine="scipy"
    )
    row(f"origin -> {args.centres:,} centres (time + km), SciPy", per_source, one_sp)
    n = args.centres
    (cch_t, cch_km), many_cch = timed(
        travel_matrix, graph, snapped, snapped, with_distance=True, engine="cch"
    )
    row(f"{n:,} x {n:,} (time + km), CCH, {cores} threads", per_source * n, many_cch)
    _, many_cch_t = timed(travel_matrix, graph, snapped, snapped, with_distance=False, engine="cch")
    row(f"{n:,} x {n:,} (time only), CCH, {cores} threads", per_source * n, many_cch_t)
    (ref_t, ref_km), many_sp = timed(scipy_matrix, graph, snapped, snapped)
    row(f"{n:,} x {n:,} (time + km), SciPy, {cores} processes", per_source * n, many_sp)
    few = snapped.iloc[: args.sources]
    _, few_sp = timed(scipy_matrix, graph, few, snapped)
    row(f"{args.sources:,} x {n:,} (time + km), SciPy", per_source * args.sources, few_sp)
    _, few_cch = timed(travel_matrix, graph, few, snapped, with_distance=True, engine="cch")
    row(f"{args.sources:,} x {n:,} (time + km), CCH", per_source * args.sources, few_cch)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    assert ref_km is not None and cch_km is not None
    ok = np.isfinite(ref_t.to_numpy())
    dt = np.abs(cch_t.to_numpy()[ok] - ref_t.to_numpy()[ok])
    rel = np.abs(cch_km.to_numpy()[ok] - ref_km.to_numpy()[ok]) / np.maximum(
        ref_km.to_numpy()[ok], 1000
    )

    print(
        f"graph: {graph.n_nodes:,} junctions, {graph.n_edges:,} directed edges ({args.roads}); {cores} cores, "
        f"load average {os.getloadavg()[0]:.1f} at the end"
    )
    print("| step | networkx (s) | abri (s) | speed-up |")
    print("|---|---:|---:|---:|")
    for label, base, ours, ratio in rows:
        base_s = f"{base:.2f}" if isinstance(base, float) else base
        ratio_s = f"{ratio:.0f}x" if isinstance(ratio, float) else ratio
        ours_s = f"{ours:.3f}" if isinstance(ours, float) else ours
        print(f"| {label} | {base_s} | {ours_s} | {ratio_s} |")
    record_figures(rows, memory, note=f"{args.roads}: {graph.n_nodes:,} junctions")
    print(
        f"\nnetworkx: {per_source:.2f} s per source (measured on {len(sources)} sources, scaled); peak RSS of this run {peak:.0f} MB"
    )
    print("peak memory: " + ", ".join(f"{k} {v:.0f} MB" for k, v in memory.items()))
    print(
        f"CCH vs SciPy on {ok.sum():,} pairs: time max |diff| {dt.max() * 1000:.3f} ms; km relative diff median {np.median(rel):.4%}, "
        f"p99 {np.quantile(rel, 0.99):.3%}, max {rel.max():.2%}; exact (< 0.1%) on {np.mean(rel < 0.001):.1%} of pairs; "
        f"km metric units: {engine.time_unit_ms} ms, {engine.length_unit_m} m"
    )
    agreement = f"CCH against SciPy on {ok.sum():,} pairs"
    record(
        "routing", "CCH vs SciPy: max time difference", float(dt.max() * 1000), "ms", note=agreement
    )
    record(
        "routing",
        "CCH vs SciPy: km median difference",
        float(np.median(rel) * 100),
        "%",
        note=agreement,
    )
    record(
        "routing",
        "CCH vs SciPy: km 99th percentile difference",
        float(np.quantile(rel, 0.99) * 100),
        "%",
        note=agreement,
    )
    if not args.no_pbf:
        print("\n| PBF | figure |\n|---|---|")
        for label, text in pbf_figures(args.roads):
            print(f"| {label} | {text} |")


if __name__ == "__main__":
    main()
