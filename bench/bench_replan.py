"""Benchmark: `abri replan` of the rest of a calais-2016 day (target <= 10 s), against planning from scratch.

calais-2016 as generated is prepared once (scenario, centres, roads, matrices) and planned; then,
at 10:30 on the first day, events of every kind are applied: no-shows on coaches not yet gone,
200 registrations, a refusal, a breakdown, a centre closing, a road closed. The baseline, measured
in the same run on the same prepared inputs, is the plan from scratch (allocation and coach plan).

    python3 bench/bench_replan.py [--data-dir DIR] [--roads NAME] [--time-limit S]
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from records import record

from abri.constants import ORIGIN
from abri.defaults import DEFAULT_ROADS
from abri.inputs.events import Event, read_events
from abri.outputs.planformat import read_plan_json
from abri.pipeline import Prepared, plan_prepared, prepare, write_run
from abri.replan import replan
from abri.replan.roads import road_closures
from abri.routing.closures import closed_matrices
from abri.routing.engine import engine_for
from abri.synthetic import ScenarioParams, write_scenario

NOW = "2016-10-24 10:30"
COLUMNS = [
    "kind",
    "time",
    "person",
    "group",
    "coach",
    "centre",
    "reason",
    "where",
    "way",
    "point_a",
    "point_b",
    "from",
    "to",
]


def closed_point(prepared: Prepared, trip: dict) -> str:
    """A point ("lon lat") in the middle of the road from the origin to the trip's first stop."""
    node = prepared.snapped["node"]
    first = trip["stops"][0]["centre_id"]
    path = engine_for(prepared.graph).path_edges(int(node[ORIGIN]), int(node[first]))
    shape = prepared.graph.edge_geometry(int(path[len(path) // 2]))
    lon, lat = shape[len(shape) // 2 - 1 : len(shape) // 2 + 1].mean(axis=0)
    return f"{lon:.7f} {lat:.7f}"


def events_for(
    plan_dir: Path, prepared: Prepared, *, registrations: int = 200, no_shows: int = 20
) -> list[dict[str, str]]:
    """Events of every kind on the plan's own coaches, people and centres, at or before NOW."""
    trips = read_plan_json(plan_dir)["trips"]
    ahead = [t for t in trips if f"{t['day']} {t['departure']}" > NOW]
    today = [t for t in ahead if t["day"] == NOW[:10]] or ahead
    people = [p for t in today for s in t["stops"] for p in s["people"]]
    rows = [{"kind": "no-show", "time": NOW, "person": p} for p in people[1 : 1 + no_shows]]
    rows.append({"kind": "refused", "time": NOW, "person": people[0], "reason": "family elsewhere"})
    rows += [
        {"kind": "registered", "time": NOW, "person": f"NEW{n:04d}", "group": "men"}
        for n in range(registrations)
    ]
    rows.append({"kind": "broke-down", "time": NOW, "coach": today[-1]["coach"], "where": "depot"})
    rows.append(
        {"kind": "centre-closed", "time": NOW, "centre": ahead[0]["stops"][-1]["centre_id"]}
    )
    point = closed_point(prepared, today[0])  # a road the day's first coach ahead takes
    rows.append(
        {"kind": "road-closed", "time": NOW, "point_a": point, "point_b": point}
        | {"from": NOW, "to": "2016-10-24 20:00"}
    )
    return rows


def remeasure(prepared: Prepared, events: list[Event]) -> tuple[float, float]:
    """Seconds to measure the matrices with the events' closures shut, and on open roads."""
    closures, _ = road_closures(events, prepared.graph)
    edges = np.unique(np.concatenate([c.edges for c in closures]))
    nodes = prepared.snapped["node"].to_numpy()
    start = time.perf_counter()
    closed_matrices(prepared.graph, prepared.snapped, edges, jobs=None)
    closed = time.perf_counter() - start
    start = time.perf_counter()
    engine_for(prepared.graph).matrix(nodes, nodes, with_distance=True, n_jobs=os.cpu_count() or 1)
    return closed, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--roads", default=DEFAULT_ROADS)
    parser.add_argument("--time-limit", type=float, default=10.0, help="Search seconds per day.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_scenario(ScenarioParams(), folder / "scenario", data_dir=args.data_dir)
        prepared = prepare(folder / "scenario", roads=args.roads, data_dir=args.data_dir)
        start = time.perf_counter()
        run = plan_prepared(prepared, baseline=False, time_limit=args.time_limit)
        scratch = time.perf_counter() - start
        write_run(run, folder / "v1")
        path = folder / "events.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(events_for(folder / "v1", prepared))
        events, _ = read_events(path)
        start = time.perf_counter()
        result = replan(prepared, folder / "v1", events, NOW, time_limit=args.time_limit)
        seconds = time.perf_counter() - start
    closed, opened = remeasure(prepared, events)
    people = len(prepared.scenario.people)
    print(
        f"calais-2016: {people:,} people, {len(run.plan.trips)} trips; {len(events)} events at {NOW}"
    )
    print(f"{'figure':<34}{'value':>10}  {'baseline (from scratch)':>24}")
    print(f"{'re-plan seconds':<34}{seconds:>10.2f}  {scratch:>24.2f}")
    print(f"{'people moved':<34}{len(result.changes):>10}")
    print(f"{'coaches changed':<34}{len(result.coaches):>10}")
    print(f"{'check ok':<34}{result.check.ok!s:>10}")
    print(f"{'matrices with the road closed, s':<34}{closed:>10.2f}  {opened:>24.2f}  (open roads)")
    note = (
        f"{len(events)} events at {NOW}; roads {args.roads}; time limit {args.time_limit} s a day"
    )
    record(
        "replan",
        "re-plan seconds",
        round(seconds, 2),
        "s",
        baseline=round(scratch, 2),
        baseline_name="plan from scratch",
        note=note,
    )
    record("replan", "people moved", len(result.changes), "people", note=note)
    size = len(prepared.snapped)
    record(
        "replan",
        "matrices with a road closed",
        round(closed, 2),
        "s",
        baseline=round(opened, 2),
        baseline_name="the same matrices on open roads",
        note=f"{size} x {size} points, time and km; roads {args.roads}",
    )
    record("replan", "coaches changed", len(result.coaches), "coaches", note=note)


if __name__ == "__main__":
    main()
