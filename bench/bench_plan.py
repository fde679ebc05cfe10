"""Benchmark: the calais-2016 plan against the 2016 figures, the naive baseline, and the same plan without slots and margin.

Writes the synthetic calais-2016 scenario, plans it on the national road
graph (``france-all-roads``) and prints, for abri and for the naive
baseline (fill coaches centre by centre, nearest first; same slots and
margin) computed in the same run: trips against the per-day lower bound,
seat fill, boarding slots, legality with longer roads, rides by group, the
way back, and the solve times. A third column plans the same allocation
with every coach leaving at 07:00 and no margin on road times (the rules
before boarding slots and margins), to show what they cost.

Run: ``python bench/bench_plan.py [--iterations N] [--time-limit S]`` (uses $ABRI_DATA_DIR).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from records import record

from abri.defaults import DEFAULT_ITERATIONS, DEFAULT_TIME_LIMIT
from abri.pipeline import plan_prepared, prepare
from abri.planning.plan import plan_coaches
from abri.planning.schedule import reception_hours
from abri.planning.summary import plan_summary, rides_by_group
from abri.synthetic import ScenarioParams, write_scenario

ROWS = [
    ("trips", "coach trips", "145 planned"),
    ("lower_bound", "lower bound (people / seats, per day)", "-"),
    ("gap_to_bound", "gap to the bound", "-"),
    ("seat_fill_pct", "mean seat fill (%)", "about 75 (39-43 of 55 seats)"),
    ("max_coaches_per_slot", "most coaches boarding at once", "-"),
    ("last_departure", "last departure", "through the day"),
    ("centre_twice_on_a_trip", "trips with a centre twice", "-"),
    ("legal_trips", "legal trips (planned times)", "-"),
    ("legal_at_5pct", "legal with roads +5%", "-"),
    ("legal_at_10pct", "legal with roads +10%", "-"),
    ("legal_at_20pct", "legal with roads +20%", "-"),
    ("two_driver_trips", "two-driver trips", "-"),
    ("coach_km", "coach-km (out)", "-"),
    ("deadhead_km", "deadhead km (back to Calais)", "-"),
    ("longest_ride_h", "longest ride (h)", "-"),
    ("mean_ride_h", "mean ride (h)", "-"),
    ("ride_exceptions", "people over their group's ride limit (listed)", "-"),
    ("preferred_region_pct", "in a preferred region (%)", "-"),
    ("unplaced", "unplaced people", "-"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iterations", type=int, default=DEFAULT_ITERATIONS)
    parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT)
    parser.add_argument("--roads", default="france-all-roads")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        write_scenario(ScenarioParams(), Path(tmp))
        prepared = prepare(Path(tmp), roads=args.roads)
        run = plan_prepared(prepared, iterations=args.iterations, time_limit=args.time_limit)
    assert run.baseline is not None
    rules = run.scenario.rules
    start = time.perf_counter()
    before = plan_coaches(
        run.allocation,
        run.times,
        run.km,
        replace(run.scenario.fleet),
        replace(
            rules,
            margin_pct=0.0,
            last_departure=rules.departure,
            bays=run.scenario.fleet.coaches_per_day,
        ),
        hours=reception_hours(run.centres, rules),
        iterations=args.iterations,
        time_limit=args.time_limit,
    )
    before_s = time.perf_counter() - start
    ours, naive, old = (plan_summary(p, adults_only=True) for p in (run.plan, run.baseline, before))
    ours_all, naive_all = plan_summary(run.plan), plan_summary(run.baseline)
    print(
        f"calais-2016 (synthetic): {ours['people']:,} adults over 3 days, then {ours_all['people'] - ours['people']:,} minors"
    )
    print(
        f"rules: {rules.bays} bays x {rules.boarding_minutes} min from {rules.departure} to {rules.last_departure}, "
        f"margin {rules.margin_pct:g}% on road times, buffer {rules.driving_buffer_minutes} min a driver, "
        f"ride limits {rules.max_ride_hours}, ride weights {rules.ride_weight}\n"
    )
    print(
        "| figure (adults, 3 days) | 2016 | naive baseline | abri | abri, all at 07:00, no margin |"
    )
    print("|---|---:|---:|---:|---:|")
    for key, label, past in ROWS:
        print(f"| {label} | {past} | {naive[key]} | {ours[key]} | {old[key]} |")
    print(
        f"| with minors: trips / seat fill (%) | - | {naive_all['trips']} / {naive_all['seat_fill_pct']} | "
        f"{ours_all['trips']} / {ours_all['seat_fill_pct']} | - |"
    )
    print("\nrides by group (h: mean / 95th percentile / max), everyone carried:")
    print("| group | people | naive baseline | abri | abri, all at 07:00, no margin |")
    print("|---|---:|---:|---:|---:|")
    by = [rides_by_group(p) for p in (run.baseline, run.plan, before)]
    for group in sorted(by[1]):
        cells = [
            f"{b[group]['mean_h']} / {b[group]['p95_h']} / {b[group]['max_h']}"
            if group in b
            else "-"
            for b in by
        ]
        limit = rules.max_ride_hours.get(group)
        print(
            f"| {group}{f' (limit {limit:g} h)' if limit else ''} | {by[1][group]['people']} | {' | '.join(cells)} |"
        )
    if len(run.plan.ride_exceptions):
        print("\nover the limit, by group and reason:")
        exceptions = run.plan.ride_exceptions
        counts = exceptions.groupby(
            [
                exceptions["group"],
                exceptions["reason"].str.replace(r" \(estimated ride .*\)$", "", regex=True),
            ]
        ).size()
        for (group, reason), n in counts.items():
            print(f"- {group}: {n} ({reason})")
    print("\nper day (abri):")
    print(
        "| day | people | lower bound | trips | gap | slots used | last departure | search stopped on | iterations | search s |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---|---:|---:|")
    for d in run.plan.days:
        print(
            f"| {d['day']} | {d['people']} | {d['lower_bound']} | {d['trips']} | {d['gap']} | {d['slots_used']} | "
            f"{d['last_departure']} | {d['stopped']} | {d['iterations']} | {d['search_seconds']} |"
        )
    s = run.seconds
    print(
        f"\nseconds: matrix {s['matrix']} ({len(run.snapped)} x {len(run.snapped)}), allocation {s['allocation']}, "
        f"coach plan {s['plan']} (PyVRP, at most {args.iterations} iterations or {args.time_limit:g} s a day), "
        f"naive baseline {s['baseline']}; allocation + plan {s['allocation'] + s['plan']:.1f} s; "
        f"without slots and margin {before_s:.1f} s"
    )
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    bench = "plan"
    record(
        bench,
        "calais-2016 adult trips",
        ours["trips"],
        "trips",
        baseline=naive["trips"],
        baseline_name="naive baseline",
        note=f"lower bound {ours['lower_bound']}",
    )
    record(bench, "calais-2016 adult trips, lower bound", ours["lower_bound"], "trips")
    record(
        bench,
        "calais-2016 legal trips",
        ours_all["legal_trips"],
        "trips",
        baseline=naive_all["legal_trips"],
        baseline_name="naive baseline",
        note=f"of {ours_all['trips']}",
    )
    record(
        bench,
        "calais-2016 allocation + plan",
        round(s["allocation"] + s["plan"], 1),
        "s",
        baseline=round(before_s, 1),
        baseline_name="plan without slots and margin",
    )


if __name__ == "__main__":
    main()
