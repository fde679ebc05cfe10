"""Benchmark: the plan as the camp grows: 1x, 2x, 4x and 8x the Calais people, everything scaled alike.

Each case is the synthetic calais-2016 scenario (:mod:`abri.synthetic`) with
people, centres, places, coaches and boarding bays multiplied by the
factor, planned on the national road graph with the days and the parts of
large days searched on a Dask LocalCluster of ``--workers`` processes
(:mod:`abri.planning.parts`). A last case is 4x with the default 4 bays:
the boarding limit binds and ``abri readiness`` says so beforehand.

For each case: plan seconds (allocation + coach plan; matrix apart), peak
memory, people placed and carried, adult trips against the per-day bound,
parts and search budget, illegal trips found by the independent check, and
what readiness said of the operation. The baseline of each case, measured
in the same run, is the per-day lower bound (people / seats) and the
capacity the day's boarding allows.

Run: ``python bench/bench_growth.py [--scales 1,2,4,8] [--workers 2]`` (uses $ABRI_DATA_DIR).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench_needs import without_needs
from records import record, timed

from abri.cluster import dask_client
from abri.inputs.scenario import Rules
from abri.pipeline import dask_mapper, plan_prepared, prepare
from abri.planning.operation import day_capacity
from abri.readiness import readiness
from abri.synthetic import ScenarioParams, write_scenario

BENCH = "growth"
READINESS_S = 600.0
"""Time limit of the readiness model (places): at 4x and more, its MILP needs more than the default on a busy machine."""


def scaled(k: int) -> ScenarioParams:
    """The calais-2016 parameters with people, centres, places and coaches (accessible ones too) times `k`."""
    base = ScenarioParams()
    return replace(
        base,
        centres=base.centres * k,
        places=base.places * k,
        minor_centres=base.minor_centres * k,
        minor_places=base.minor_places * k,
        adults_per_day=tuple(n * k for n in base.adults_per_day),
        minors=base.minors * k,
        coaches_per_day=base.coaches_per_day * k,
        accessible_coaches_per_day=base.accessible_coaches_per_day * k,
    )


def run_case(
    name: str, k: int, bays: int, folder: Path, args: argparse.Namespace, client, *, needs: bool
) -> dict:
    """Write, check readiness, prepare and plan one case (`needs`: as written, else blanked); its figures."""
    rules = Rules(bays=bays)
    write_scenario(scaled(k), folder, rules=rules, data_dir=args.data_dir)
    ready = readiness(folder, data_dir=args.data_dir, time_limit=READINESS_S)
    prepared = prepare(folder, roads=args.roads, data_dir=args.data_dir)
    if not needs:
        prepared = without_needs(prepared)
    with timed() as t:
        run = plan_prepared(prepared, baseline=False, mapper=dask_mapper(client))
    plan, check = run.plan, run.check
    adults = [d for d in plan.days if d["day"] != ScenarioParams().minors_day]
    cap = day_capacity(prepared.scenario.fleet, prepared.scenario.rules)
    by_coach = run.allocation.by_coach
    centres = (
        by_coach.groupby(by_coach["day"].astype(str).str[:10])["centre_id"].nunique().to_dict()
    )
    row = {
        "case": name,
        "people": len(run.allocation.assignments),
        "placed": len(run.allocation.placed),
        "carried": sum(t.people for t in plan.trips),
        "by_coach": len(run.allocation.by_coach),
        "not_carried": len(plan.not_carried),
        "why_not": plan.not_carried["reason"].str[:70].value_counts().head(5).to_dict(),
        "adult_trips": sum(d["trips"] for d in adults),
        "adult_bound": sum(d["lower_bound"] for d in adults),
        "stop_bound": sum(  # each coach stops at most max_stops centres
            max(d["lower_bound"], -(-centres.get(d["day"], 0) // rules.max_stops)) for d in adults
        ),
        "min_day_share": min(
            (d["carried"] / min(d["people"], cap.people) for d in plan.days if d["people"]),
            default=1.0,
        ),
        "empty_days": sum(d["people"] > 0 and d["trips"] == 0 for d in plan.days),
        "parts": max(d["parts"] for d in plan.days),
        "budget_s": sum(d["budget_seconds"] for d in plan.days),
        "illegal": len(check.illegal_trips) if check else -1,
        "seconds": round(run.seconds["allocation"] + run.seconds["plan"], 1),
        "matrix_s": run.seconds["matrix"],
        "peak_mb": t.peak_mb,
        "readiness": "; ".join(ready.operation_lines()),
    }
    for key, unit in (
        ("seconds", "s"),
        ("peak_mb", "MB"),
        ("carried", "people"),
        ("illegal", "trips"),
    ):
        record(BENCH, f"{name}: {key}", row[key], unit, note=f"{args.workers} Dask workers")
    record(
        BENCH,
        f"{name}: adult trips",
        row["adult_trips"],
        "trips",
        baseline=row["adult_bound"],
        baseline_name="per-day lower bound (people / seats)",
        note=f"with the stops (centres / max_stops): {row['stop_bound']}; not carried: {row['not_carried']}",
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,2,4,8")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--roads", default="france-all-roads")
    parser.add_argument("--data-dir", default=os.environ.get("ABRI_DATA_DIR"))
    parser.add_argument("--no-default-bays", action="store_true", help="skip 4x with 4 bays")
    parser.add_argument(
        "--without-needs",
        action="store_true",
        help="also plan each scale with the people's needs, links and refusals blanked (the issue's case)",
    )
    args = parser.parse_args()
    scales = [int(k) for k in args.scales.split(",") if k]
    cases = [(f"{k}x", k, 4 * k, True) for k in scales]
    if args.without_needs:
        cases += [(f"{k}x, no needs", k, 4 * k, False) for k in scales]
    if not args.no_default_bays:
        cases.append(("4x, default 4 bays", 4, 4, True))
    rows = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, dask_client(args.workers, None, None) as client:
        for name, k, bays, needs in cases:
            folder = Path(tmp) / name.replace(" ", "_").replace(",", "")
            rows.append(run_case(name, k, bays, folder, args, client, needs=needs))
            print(rows[-1], flush=True)
    print(
        "\n| case | people | placed | carried | adult trips / bound (seats; seats and stops) | worst day carried / can carry "
        "| empty days | parts a day | budget s | illegal trips | plan s | matrix s | peak MB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['case']} | {r['people']:,} | {r['placed']:,} | {r['carried']:,} | "
            f"{r['adult_trips']} / {r['adult_bound']}; {r['stop_bound']} | {100 * r['min_day_share']:.0f}% | {r['empty_days']} | "
            f"{r['parts']} | {r['budget_s']:.0f} | {r['illegal']} | {r['seconds']} | {r['matrix_s']} | {r['peak_mb']:.0f} |"
        )
    print("\nwhat readiness said beforehand:")
    for r in rows:
        print(f"- {r['case']}: {r['readiness']}")
    print(
        f"\n{args.workers} Dask workers; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
        f"{time.perf_counter() - start:.0f} s in all"
    )


if __name__ == "__main__":
    main()
