"""Benchmark: `abri rehearse` of calais-2016 (100 runs on 2 Dask workers), against the same runs serial in one process.

calais-2016 as generated is prepared once (scenario, centres, roads, matrices) and planned; the
plan is rehearsed at 10:30 on the first day with the command's default draw (5 % no-shows,
10 % extra registrations, 10 % late coaches, 2 breakdowns): `--runs` re-plans on a LocalCluster
of 2 workers (:mod:`abri.cluster`, the sweeps'). The baseline, measured in the same run, is the
same runs serial in this process, in batches of `--serial` (10) until all are done or `--budget`
seconds (600) have passed; then the runs done are scaled to all (said in the table and records). The runs, summary and chart are
written to `--output` (not committed).

    python3 bench/bench_rehearse.py [--runs 100] [--serial 10] [--budget 600] [--data-dir DIR] [--output DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd
from records import record

from abri.cluster import dask_client
from abri.defaults import DEFAULT_ROADS
from abri.i18n import translate
from abri.pipeline import plan_prepared, prepare, write_run
from abri.replan.rehearse import Draw, rehearse, summary, write_rehearsal
from abri.synthetic import ScenarioParams, write_scenario

NOW = "2016-10-24 10:30"
WORKERS = 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--roads", default=DEFAULT_ROADS)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--serial", type=int, default=10, help="Serial runs timed per batch.")
    parser.add_argument(
        "--budget", type=float, default=600.0, help="Seconds after which no serial batch starts."
    )
    parser.add_argument("--time-limit", type=float, default=1.0, help="Search seconds per day.")
    parser.add_argument("--output", default=str(Path(tempfile.gettempdir()) / "abri-rehearsal"))
    args = parser.parse_args()
    draw = Draw()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_scenario(ScenarioParams(), folder / "scenario", data_dir=args.data_dir)
        prepared = prepare(folder / "scenario", roads=args.roads, data_dir=args.data_dir)
        run = plan_prepared(prepared, baseline=False, time_limit=10.0)
        write_run(run, folder / "v1")
        options = {"draw": draw, "seed": 1, "time_limit": args.time_limit}
        start = time.perf_counter()
        with dask_client(WORKERS, None, None) as client:
            table = rehearse(prepared, folder / "v1", NOW, runs=args.runs, client=client, **options)
        wall = time.perf_counter() - start
        parts: list[pd.DataFrame] = []
        start = time.perf_counter()
        while sum(map(len, parts)) < args.runs and time.perf_counter() - start < args.budget:
            first = sum(map(len, parts))  # the same runs as the workers': seeds 1, 2, ...
            batch = min(args.serial, args.runs - first)
            parts.append(
                rehearse(prepared, folder / "v1", NOW, **options | {"seed": 1 + first}, runs=batch)
            )
        alone = pd.concat(parts, ignore_index=True)
        serial_runs = len(alone)
        serial = (time.perf_counter() - start) * args.runs / serial_runs
    same = table.head(serial_runs).drop(columns="seconds").equals(alone.drop(columns="seconds"))
    title = translate("rehearsal.title", "en", plan="calais-2016", now=NOW, runs=args.runs)
    files = write_rehearsal(table, args.output, title=title, lang="en")
    report(table, wall, serial, serial_runs=serial_runs, same=same, args=args)
    print(f"runs, summary and chart in {files['runs'].parent} (chart {files['chart'].name})")


def report(
    table: pd.DataFrame,
    wall: float,
    serial: float,
    *,
    serial_runs: int,
    same: bool,
    args: argparse.Namespace,
) -> None:
    """Print the table and record each figure."""
    runs = len(table)
    figures = summary(table).set_index("measure")
    scaled = "" if serial_runs == runs else f" (first {serial_runs} runs timed, scaled to {runs})"
    print(f"calais-2016 rehearsed at {NOW}: {runs} runs on {WORKERS} Dask workers")
    print(f"{'figure':<34}{'value':>10}  {'baseline (serial, 1 process)':>30}")
    print(f"{'wall seconds':<34}{wall:>10.1f}  {serial:>30.1f}{scaled}")
    print(f"{'seconds per re-plan (median)':<34}{figures.loc['seconds', 'median']:>10.2f}")
    print(f"{'share of runs legal':<34}{figures.loc['legal', 'share']:>10.3f}")
    print(f"{'people moved (median)':<34}{figures.loc['moved', 'median']:>10.0f}")
    print(f"{'serial runs give the same figures':<34}{same!s:>10}")
    print(summary(table).to_string(index=False, na_rep=""))
    note = (
        f"{runs} runs at {NOW}, default draw (5% no-show, 10% extra, 10% late, 2 breakdowns); "
        f"roads {args.roads}; time limit {args.time_limit} s a day"
    )
    record(
        "rehearse",
        "rehearsal wall seconds",
        round(wall, 1),
        "s",
        baseline=round(serial, 1),
        baseline_name=f"the same runs serial in one process{scaled}",
        note=f"{note}; {WORKERS} Dask workers",
    )
    for figure, value, unit in (
        ("seconds per re-plan (median)", figures.loc["seconds", "median"], "s"),
        ("share of runs legal", figures.loc["legal", "share"], "share"),
        ("people moved (median)", figures.loc["moved", "median"], "people"),
    ):
        record("rehearse", figure, float(value), unit, note=note)


if __name__ == "__main__":
    main()
