"""Road graph build: the array path against the networkx path, and its growth to a country.

1. ``france-all-roads`` (the data pack's PBF) built cold, each path in a fresh
   process (imports included, no cache): the array path (pyosmium into NumPy,
   contraction in NumPy/SciPy) against the osmnx/networkx path, same run.
2. The growth table: a synthetic country (``bench/make_country_pbf.py``, under
   /tmp) from 1 % to 100 % of France, each in a fresh process: read and
   simplified, then indexed (the hierarchy's node order, cut straight at the
   top and each side ordered in its own process, then the CCH built), with time,
   CPU (workers included) and peak memory (the process and its workers, PSS);
   up to 10 % also RoutingKit's order in one process, the baseline.

Usage::

    python bench/bench_graph.py [--fractions 0.01 0.05 0.1 0.25 0.5 1] [--no-baseline] [--no-order]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from records import record

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
CHILD = """
import json, resource, threading, time
import psutil

peak = [0]

def watch():  # the process and its forked workers, shared pages counted once (PSS)
    me = psutil.Process()
    while True:
        total = 0
        for p in [me] + me.children(recursive=True):
            try:
                total += p.memory_full_info().pss
            except psutil.Error:
                pass
        peak[0] = max(peak[0], total)
        time.sleep(0.5)

threading.Thread(target=watch, daemon=True).start()
start = time.perf_counter()
{code}
use = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({{"seconds": time.perf_counter() - start,
    "cpu_s": use.ru_utime + use.ru_stime + kids.ru_utime + kids.ru_stime,
    "peak_mb": max(use.ru_maxrss / 1024, peak[0] / 2**20), **out}}))
"""
NEW = """
from abri.routing.graph import build_osm
g = build_osm({path!r})
out = {{"junctions": g.n_nodes, "edges": g.n_edges}}
"""
OLD = """
from abri.routing.graph import from_networkx, read_osm_graph
from abri.routing.profile import load_profile
p = load_profile()
g = from_networkx(read_osm_graph({path!r}, p), p)
out = {{"junctions": g.n_nodes, "edges": g.n_edges}}
"""
ORDER = """
import routingkit_cch as rk
from abri.routing.graph import build_osm
from abri.routing.engine import CCHEngine, node_order, _inertial
g = build_osm({path!r})
built = time.perf_counter()
engine = CCHEngine.build(g, use_cache=False)  # the order (split in two above 50,000 junctions), then the hierarchy
out = {{"junctions": g.n_nodes, "edges": g.n_edges, "order_s": engine.order_s, "index_s": engine.build_s}}
if {single}:  # the baseline: RoutingKit's order in one process
    again = time.perf_counter()
    _inertial(g.edge_u, g.edge_v, g.lat, g.lon)
    out["single_order_s"] = time.perf_counter() - again
"""


def child(template: str, path: Path, *, single: bool = False) -> dict[str, float]:
    """Run one measurement in a fresh Python process; its JSON result."""
    code = CHILD.format(code=template.format(path=str(path), single=single))
    run = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=False)
    if run.returncode:
        sys.exit(f"measurement failed:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def pack_build(data_dir: Path, *, baseline: bool) -> None:
    pbf = data_dir / "roads/france-all-roads.osm.pbf"
    new = child(NEW, pbf)
    old = child(OLD, pbf) if baseline else None
    print(f"france-all-roads.osm.pbf cold build ({new['junctions']:,.0f} junctions)")
    print(
        f"  array path    {new['seconds']:7.1f} s  {new['cpu_s']:7.1f} s CPU  {new['peak_mb']:7.0f} MB"
    )
    if old:
        print(
            f"  networkx path {old['seconds']:7.1f} s  {old['cpu_s']:7.1f} s CPU  {old['peak_mb']:7.0f} MB (baseline)"
        )
    base = old["seconds"] if old else None
    record(
        "graph",
        "france-all-roads build (cold, PBF)",
        round(new["seconds"], 2),
        "s",
        baseline=round(base, 2) if base else None,
        baseline_name="osmnx/networkx path",
        note="fresh process, imports included, no cache",
    )
    record(
        "graph",
        "france-all-roads build CPU time (cold, PBF)",
        round(new["cpu_s"], 2),
        "s",
        baseline=round(old["cpu_s"], 2) if old else None,
        baseline_name="osmnx/networkx path",
        note="user + system CPU of the process: what the build costs on a busy machine",
    )
    record(
        "graph",
        "france-all-roads build peak memory",
        round(new["peak_mb"]),
        "MB",
        baseline=round(old["peak_mb"]) if old else None,
        baseline_name="osmnx/networkx path",
    )


def growth(fractions: list[float], *, order: bool, single_up_to: float) -> None:
    rows = []
    for fraction in fractions:
        pbf = Path(f"/tmp/abri-country-{fraction:g}.osm.pbf")
        if not pbf.is_file():
            subprocess.run(
                [
                    PYTHON,
                    str(HERE / "make_country_pbf.py"),
                    "--fraction",
                    str(fraction),
                    "-o",
                    str(pbf),
                ],
                check=True,
            )
        m = child(ORDER if order else NEW, pbf, single=fraction <= single_up_to)
        m.update(fraction=fraction, mb=pbf.stat().st_size / 2**20)
        m["seconds"] -= m.get("single_order_s", 0)  # read, simplify and index: what abri does
        m["build_s"] = m["seconds"] - m.get("order_s", 0) - m.get("index_s", 0)
        rows.append(m)
        pct = f"{fraction:.0%}"
        record(
            "graph",
            f"synthetic country {pct}: read and simplify",
            round(m["build_s"], 1),
            "s",
            note=f"{m['junctions']:,.0f} junctions, PBF {m['mb']:.0f} MB",
        )
        record("graph", f"synthetic country {pct}: peak memory", round(m["peak_mb"]), "MB")
        record("graph", f"synthetic country {pct}: CPU time", round(m["cpu_s"], 1), "s")
        if order:
            record(
                "graph",
                f"synthetic country {pct}: CCH node order",
                round(m["order_s"], 1),
                "s",
                baseline=round(m["single_order_s"], 1) if "single_order_s" in m else None,
                baseline_name="RoutingKit's order in one process" if "single_order_s" in m else "",
                note="top level cut straight, each side in its own process",
            )
            record("graph", f"synthetic country {pct}: CCH build", round(m["index_s"], 1), "s")
            record(
                "graph",
                f"synthetic country {pct}: read, simplify and index",
                round(m["seconds"], 1),
                "s",
            )
    print("\nsynthetic country (bench/make_country_pbf.py), one fresh process per size")
    print(
        f"{'share':>6} {'PBF MB':>7} {'junctions':>11} {'build s':>8} {'order s':>8} "
        f"{'1-proc':>8} {'CCH s':>6} {'total s':>8} {'CPU s':>8} {'peak MB':>8}"
    )
    nan = float("nan")
    for m in rows:
        print(
            f"{m['fraction']:6.0%} {m['mb']:7.0f} {m['junctions']:11,.0f} {m['build_s']:8.1f} "
            f"{m.get('order_s', nan):8.1f} {m.get('single_order_s', nan):8.1f} "
            f"{m.get('index_s', nan):6.1f} {m['seconds']:8.1f} {m['cpu_s']:8.1f} {m['peak_mb']:8.0f}"
        )
    if len(rows) >= 2 and max(m["fraction"] for m in rows) < 1:
        x = np.array([m["fraction"] for m in rows])
        for name, values in (
            ("total s", [m["seconds"] for m in rows]),
            ("CPU s", [m["cpu_s"] for m in rows]),
            ("peak MB", [m["peak_mb"] for m in rows]),
        ):
            slope, intercept = np.polyfit(x, np.array(values), 1)
            print(f"linear fit to 100 %: {name} {slope + intercept:,.0f}")
            record(
                "graph",
                f"synthetic country 100% {name} (linear fit)",
                round(slope + intercept),
                name.split()[1],
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--fractions", type=float, nargs="*", default=[0.01, 0.05, 0.1, 0.25, 0.5, 1.0]
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the networkx path")
    parser.add_argument("--no-order", action="store_true", help="skip the CCH node order")
    parser.add_argument("--skip-pack", action="store_true", help="only the growth table")
    parser.add_argument(
        "--single-up-to",
        type=float,
        default=0.1,
        help="also time the one-process order (the baseline) up to this share",
    )
    args = parser.parse_args()
    data_dir = Path(os.environ.get("ABRI_DATA_DIR", HERE.parent / "data"))
    if not args.skip_pack:
        pack_build(data_dir, baseline=not args.no_baseline)
    if args.fractions:
        growth(args.fractions, order=not args.no_order, single_up_to=args.single_up_to)


if __name__ == "__main__":
    main()
