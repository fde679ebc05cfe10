"""Benchmark: a 16-combination what-if sweep of calais-2016, serial against a LocalCluster of 2 worker processes.

Writes the synthetic calais-2016 scenario, then sweeps coaches a day x
departure days x share of places x road-time margin (2 x 2 x 2 x 2) on the
national road graph, twice: every plan one after the other in this process
(the baseline), then on a ``dask.distributed`` LocalCluster of `--workers`
processes. Prints the wall times and the speed-up, checks that both runs
give the same table, and prints the bytes shipped to the workers: the
shared inputs (once per worker) against what each task carries. The solver
runs a reduced number of iterations (``--iterations``) so the benchmark
takes a few minutes; the speed-up does not depend on it much.

Run: ``python bench/bench_sweep.py [--iterations 200] [--workers 2]`` (uses $ABRI_DATA_DIR).
"""

from __future__ import annotations

import argparse
import os
import pickle
import resource
import tempfile
import time
from pathlib import Path

from records import record

GRID = {
    "fleet": {"coaches_per_day": [40, 60]},
    "scenario": {"days": [2, 3], "places_share": [1.0, 0.85]},
    "rules": {"margin_pct": [0.0, 10.0]},
}


def _rss() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


def _cpu() -> float:
    """CPU seconds used by this process so far (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--roads", default="france-all-roads")
    parser.add_argument(
        "--scenario",
        type=Path,
        default=None,
        help="A scenario folder instead of calais-2016 (e.g. to try the script).",
    )
    args = parser.parse_args()

    import logging

    from distributed import Client, LocalCluster
    from distributed.protocol import pickle as dask_pickle

    from abri.pipeline import prepare
    from abri.sweep import combination_key, plan_combination, read_grid, run_sweep, shared_inputs
    from abri.synthetic import ScenarioParams, write_scenario

    logging.getLogger("abri").setLevel(logging.ERROR)
    load_before = os.getloadavg()
    solver = {"iterations": args.iterations}
    with tempfile.TemporaryDirectory() as tmp:
        scenario = args.scenario or Path(tmp) / "calais"
        if args.scenario is None:
            write_scenario(ScenarioParams(), scenario)
        start = time.perf_counter()
        prepared = prepare(scenario, roads=args.roads)  # also warms the graph cache for both runs
        prepare_s = time.perf_counter() - start
        print(
            f"prepared in {prepare_s:.1f} s; shared inputs {len(pickle.dumps(shared_inputs(prepared), protocol=5)):,} bytes pickled",
            flush=True,
        )

        start, cpu = time.perf_counter(), _cpu()
        serial = run_sweep(
            scenario, GRID, Path(tmp) / "serial", roads=args.roads, solver=solver, workers=0
        )
        serial_s, serial_cpu = time.perf_counter() - start, _cpu() - cpu
        print(f"serial sweep: {serial_s:.1f} s", flush=True)

        start = time.perf_counter()
        with (
            LocalCluster(
                n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=":0"
            ) as cluster,
            Client(cluster) as client,
        ):
            parallel = run_sweep(
                scenario,
                GRID,
                Path(tmp) / "parallel",
                roads=args.roads,
                solver=solver,
                client=client,
            )
            parallel_s = time.perf_counter() - start
            worker_rss = client.run(_rss)
            worker_cpu = client.run(_cpu)
    load_after = os.getloadavg()
    start = (
        time.perf_counter()
    )  # one plan at the default solver settings, for sweeps at full quality
    from abri.pipeline import plan_prepared

    plan_prepared(prepared, baseline=False, jobs=1)
    default_plan_s = time.perf_counter() - start

    n = len(serial.table)
    same = [c for c in serial.table.columns if c not in ("seconds", "worker")]
    identical = serial.table[same].equals(parallel.table[same])
    failed = int((serial.table["error"] != "").sum())
    grid = read_grid(GRID, solver=solver)
    combo = next(grid.combinations())
    task_bytes = len(
        dask_pickle.dumps(
            (
                plan_combination,
                combo,
                {"where": grid.source},
                f"abri-sweep-12345678-{combination_key(combo)}",
            )
        )
    )
    row_bytes = len(pickle.dumps(serial.table.iloc[0].to_dict()))
    graph_bytes = sum(v.nbytes for v in vars(prepared.graph).values() if hasattr(v, "nbytes"))
    without_graph = len(pickle.dumps(shared_inputs(prepared), protocol=5))
    plan_s = serial.table["seconds"].mean()

    label = "calais-2016 (synthetic)" if args.scenario is None else str(args.scenario)
    print(
        f"{label}, {len(prepared.centres)} centres, {len(prepared.scenario.people):,} people, roads {args.roads}; "
        f"{n} combinations ({' x '.join(f'{k} {len(v)}' for t in GRID.values() for k, v in t.items())}), "
        f"PyVRP {args.iterations} iterations a day; {os.cpu_count()} cores"
    )
    print(
        f"load average (1, 5, 15 min): before {', '.join(f'{v:.1f}' for v in load_before)}; after {', '.join(f'{v:.1f}' for v in load_after)}"
    )
    print()
    print("| run | workers | wall (s) | plans | s per plan (wall) | speed-up |")
    print("|---|---:|---:|---:|---:|---:|")
    print(
        f"| serial, one process (baseline) | 1 | {serial_s:.1f} | {n} | {serial_s / n:.2f} | 1.0x |"
    )
    print(
        f"| LocalCluster, {args.workers} processes (start included) | {args.workers} | {parallel_s:.1f} | {n} | {parallel_s / n:.2f} | "
        f"{serial_s / parallel_s:.2f}x |"
    )
    print()
    print(
        f"shared preparation (scenario, centres, graph, snapping, {prepared.times.shape[0]} x {prepared.times.shape[1]} matrix): "
        f"{prepare_s:.1f} s, done once per sweep (inside both wall times above); mean plan {plan_s:.1f} s in the serial run; "
        f"tables identical: {'yes' if identical else 'NO'}; failed combinations: {failed}"
    )
    print()
    print("| shipped to workers | bytes | how often |")
    print("|---|---:|---|")
    print(
        f"| shared inputs (matrices, centres, people, fleet, rules; no road graph) | {parallel.shared_bytes:,} | once per worker |"
    )
    print(
        f"| one task: function reference, parameters, key | {task_bytes:,} | once per combination |"
    )
    print(f"| one result row (back to the client) | {row_bytes:,} | once per combination |")
    print(
        f"| for comparison: the road graph's arrays (and its contraction hierarchy, not picklable) | {graph_bytes:,} | never shipped |"
    )
    print(f"| for comparison: the shared inputs pickled | {without_graph:,} | - |")
    print()
    parallel_cpu = sum(worker_cpu.values())
    print(
        f"CPU seconds: serial run {serial_cpu:.0f} (cores obtained {serial_cpu / serial_s:.2f}); workers {parallel_cpu:.0f} "
        f"(cores obtained {parallel_cpu / parallel_s:.2f} of {args.workers}): the speed-up is bounded by the cores the machine gives"
    )
    print(f"one plan at the default solver settings (one process): {default_plan_s:.1f} s")
    note = (
        f"{label}, {n} combinations, PyVRP {args.iterations} iterations a day, roads {args.roads}"
    )
    serial_name = "serial, one process"
    record(
        "sweep",
        f"{n} plans, LocalCluster of {args.workers} processes (start included)",
        round(parallel_s, 1),
        "s",
        baseline=round(serial_s, 1),
        baseline_name=serial_name,
        note=f"{note}; tables identical: {'yes' if identical else 'NO'}",
    )
    record(
        "sweep",
        f"speed-up on {args.workers} workers",
        round(serial_s / parallel_s, 2),
        "x",
        baseline=1.0,
        baseline_name=serial_name,
        note=note,
    )
    record(
        "sweep", "shared inputs shipped once per worker", parallel.shared_bytes, "bytes", note=note
    )
    record("sweep", "one task shipped", task_bytes, "bytes", note=note)
    record("sweep", "one result row shipped back", row_bytes, "bytes", note=note)
    record(
        "sweep", "one plan at the default solver settings", round(default_plan_s, 1), "s", note=note
    )
    record(
        "sweep",
        "worker memory after the sweep (largest)",
        round(max(worker_rss.values()) / 2**20),
        "MB",
    )
    print(
        f"memory: worker RSS after the sweep {', '.join(f'{v / 2**20:.0f} MB' for v in worker_rss.values())}; "
        f"this process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB (graph and matrices)"
    )


if (
    __name__ == "__main__"
):  # LocalCluster starts worker processes that import this file: keep the guard
    main()
