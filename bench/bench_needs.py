"""Benchmark: allocation and coach plan of calais-2016 with each person's needs, against the same people without.

Writes the synthetic calais-2016 scenario (needs, languages, UK links, refusals, centre
services, pathways at the rates of :mod:`abri.synthetic`), prepares it once on the
national road graph, then allocates and plans it twice in the same run:

- **without needs** (the baseline): the same people with their needs, languages, family
  links and refusals blanked, no pathways (every person an ordinary coach passenger);
- **with needs**: as written.

It prints the time of the allocation and of the coach plan, the coach trips, the people
placed, carried and set apart per pathway, and the shortfalls, and records the figures
(``bench/results/needs.jsonl``). Targets of issue 23: with needs at most 1.3x the time and
at most 5 % more coach trips.

Run: ``python bench/bench_needs.py [--time-limit S]`` (uses $ABRI_DATA_DIR).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from records import record

from abri.defaults import DEFAULT_TIME_LIMIT
from abri.pipeline import Prepared, plan_prepared, prepare
from abri.planning.needs import PERSON_COLUMNS
from abri.synthetic import ScenarioParams, write_scenario


def without_needs(prepared: Prepared) -> Prepared:
    """The same inputs, every person without needs, links or refusal, and no pathway."""
    people = prepared.scenario.people.copy()
    for column, value in PERSON_COLUMNS.items():  # each column's value when nothing is said
        if column in people.columns:
            people[column] = value
    scenario = replace(prepared.scenario, people=people)
    if hasattr(scenario, "pathways"):
        scenario = replace(scenario, pathways=[])
    return replace(prepared, scenario=scenario, seconds=dict(prepared.seconds))


def measure(prepared: Prepared, time_limit: float) -> dict[str, Any]:
    """Allocation and plan seconds, trips, and where people went."""
    start = time.perf_counter()
    run = plan_prepared(prepared, baseline=False, time_limit=time_limit)
    wall = time.perf_counter() - start
    a = run.allocation.assignments
    pathways = a["pathway"].value_counts().to_dict() if "pathway" in a.columns else {}
    short = int((a["shortfall"] != "").sum()) if "shortfall" in a.columns else 0
    return {
        "allocation_s": run.seconds.get("allocation", 0.0),
        "plan_s": run.seconds.get("plan", 0.0),
        "wall_s": round(wall, 2),
        "trips": len(run.plan.trips),
        "placed": len(run.allocation.placed),
        "unplaced": len(run.allocation.unplaced),
        "not_carried": len(run.plan.not_carried),
        "shortfalls": short,
        "pathways": pathways,
        "legal": bool(run.check.ok) if run.check is not None else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT)
    parser.add_argument("--roads", default="france-all-roads")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        write_scenario(ScenarioParams(), Path(tmp))
        prepared = prepare(Path(tmp), roads=args.roads)
        base = measure(without_needs(prepared), args.time_limit)
        needs = measure(prepared, args.time_limit)
    people = len(prepared.scenario.people)
    print(f"calais-2016 (synthetic), {people:,} people; time limit {args.time_limit:g} s a day\n")
    print("| figure | without needs (baseline) | with needs | ratio |")
    print("|---|---:|---:|---:|")
    for key in ("allocation_s", "plan_s", "wall_s", "trips"):
        ratio = needs[key] / base[key] if base[key] else float("nan")
        print(f"| {key} | {base[key]} | {needs[key]} | {ratio:.2f} |")
    for key in ("placed", "unplaced", "not_carried", "shortfalls", "legal"):
        print(f"| {key} | {base[key]} | {needs[key]} | |")
    print(f"\npathways with needs: {needs['pathways']}")
    note = f"calais-2016, {people:,} people, same run; baseline: the same people without needs"
    for key, unit in (("allocation_s", "s"), ("plan_s", "s"), ("trips", "trips")):
        record(
            "needs",
            f"{key.removesuffix('_s')} with needs",
            needs[key],
            unit,
            baseline=base[key],
            baseline_name="the same people without needs",
            note=note,
        )


if __name__ == "__main__":
    main()
