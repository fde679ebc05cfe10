"""Benchmark: the calais-2016 plan against the 2016 figures and the naive baseline.

Writes the synthetic calais-2016 scenario, plans it on the national road
graph (``france-all-roads``) and prints, for abri and for the naive
baseline (fill coaches centre by centre, nearest first) computed in the
same run: trips, seat fill, coach-km, rides, preferences, legality, and
the solve times.

Run: ``python bench/bench_plan.py [--iterations 3000]`` (uses $ABRI_DATA_DIR).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
from pathlib import Path

from abri.geo.synthetic import ScenarioParams, write_scenario
from abri.pipeline import run_plan
from abri.routing.summary import plan_summary

ROWS = [
    ("trips", "coach trips", "145 planned"),
    ("seat_fill_pct", "mean seat fill (%)", "about 75 (39-43 of 55 seats)"),
    ("coach_km", "coach-km", "-"),
    ("longest_ride_h", "longest ride (h)", "-"),
    ("mean_ride_h", "mean ride (h)", "-"),
    ("preferred_region_pct", "in a preferred region (%)", "-"),
    ("legal_trips", "legal trips", "-"),
    ("two_driver_trips", "two-driver trips", "-"),
    ("unplaced", "unplaced people", "-"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iterations", type=int, default=3000)
    parser.add_argument("--roads", default="france-all-roads")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        write_scenario(ScenarioParams(), Path(tmp))
        run_plan(Path(tmp), roads=args.roads, iterations=50, baseline=False)  # warm the graph cache
        run = run_plan(Path(tmp), roads=args.roads, iterations=args.iterations)
    assert run.baseline is not None
    ours, naive = plan_summary(run.plan, adults_only=True), plan_summary(run.baseline, adults_only=True)
    ours_all, naive_all = plan_summary(run.plan), plan_summary(run.baseline)
    print(f"calais-2016 (synthetic): {ours['people']:,} adults over 3 days, then {ours_all['people'] - ours['people']:,} minors")
    print("| figure (adults, 3 days) | 2016 | naive baseline | abri |")
    print("|---|---:|---:|---:|")
    for key, label, past in ROWS:
        print(f"| {label} | {past} | {naive[key]} | {ours[key]} |")
    print(f"| with minors: trips / seat fill (%) | - | {naive_all['trips']} / {naive_all['seat_fill_pct']} | "
          f"{ours_all['trips']} / {ours_all['seat_fill_pct']} |")
    s = run.seconds
    print(f"\nseconds: matrix {s['matrix']} ({len(run.snapped)} x {len(run.snapped)}), allocation {s['allocation']}, "
          f"coach plan {s['plan']} (PyVRP, {args.iterations} iterations a day), naive baseline {s['baseline']}; "
          f"allocation + plan {s['allocation'] + s['plan']:.1f} s")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
