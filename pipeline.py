"""The whole chain in one call: scenario folder -> validated centres -> roads -> allocation -> coach plan.

Used by the CLI (``abri plan``, ``abri demo``), the notebooks and the
benchmarks, so they all run the same steps.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import geopandas as gpd
import numpy as np
import pandas as pd

from abri.geo.centres import read_centres
from abri.geo.people import Scenario, read_scenario
from abri.geo.report import ValidationReport
from abri.geo.scenario import REGIONS_2016
from abri.routing.allocation import Allocation, allocate
from abri.routing.baseline import naive_plan
from abri.routing.graph import RoadGraph, load_graph
from abri.routing.matrix import travel_matrix
from abri.routing.plan import ORIGIN, Plan, plan_coaches
from abri.routing.profile import load_profile
from abri.routing.snap import snap_points


@dataclass
class PlanRun:
    """Every intermediate result of one planning run, for inspection."""

    scenario: Scenario
    centres: gpd.GeoDataFrame
    centre_report: ValidationReport
    graph: RoadGraph
    snapped: pd.DataFrame
    times: pd.DataFrame
    km: pd.DataFrame
    allocation: Allocation
    plan: Plan
    baseline: Plan | None
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def unreachable(self) -> list[str]:
        """Centre ids that no coach can reach."""
        return [i for i in self.snapped.index[~self.snapped["reachable"]] if i != ORIGIN]


@contextmanager
def _timed(seconds: dict[str, float], step: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    seconds[step] = round(time.perf_counter() - start, 2)


def run_plan(
    scenario_dir: str | os.PathLike[str],
    *,
    roads: str | os.PathLike[str] = "france-all-roads",
    data_dir: str | os.PathLike[str] | None = None,
    seed: int = 1,
    iterations: int = 3_000,
    baseline: bool = True,
    jobs: int | None = None,
    progress: bool = False,
) -> PlanRun:
    """Read a scenario folder, then allocate people and plan coaches on real roads."""
    seconds: dict[str, float] = {}
    with _timed(seconds, "read"):
        scenario = read_scenario(scenario_dir, regions=set(REGIONS_2016) | _all_regions(data_dir))
        centres, report = read_centres(scenario.centres_path, data_dir=data_dir)
    with _timed(seconds, "graph"):
        graph = load_graph(roads, data_dir=data_dir)
    with _timed(seconds, "matrix"):
        fleet = scenario.fleet
        ids = [ORIGIN, *centres["id"].astype(str)]
        snapped = snap_points(graph, np.r_[fleet.origin_lon, centres["lon"].to_numpy(float)],
                              np.r_[fleet.origin_lat, centres["lat"].to_numpy(float)], ids=ids, profile=load_profile())
        times, km = travel_matrix(graph, snapped, snapped, n_jobs=jobs, progress=progress)
        assert km is not None
    with _timed(seconds, "allocation"):
        allocation = allocate(scenario.people, centres, times.loc[ORIGIN], penalty_hours=scenario.rules.preference_penalty_hours)
    with _timed(seconds, "plan"):
        plan = plan_coaches(allocation, times, km, fleet, scenario.rules, seed=seed, iterations=iterations, progress=progress)
    naive = None
    if baseline:
        with _timed(seconds, "baseline"):
            naive = naive_plan(allocation, times, km, fleet, scenario.rules)
    return PlanRun(scenario, centres, report, graph, snapped, times, km, allocation, plan, naive, seconds)


def _all_regions(data_dir: str | os.PathLike[str] | None) -> set[str]:
    from abri.geo.gazetteer import load_communes

    return set(load_communes(data_dir)["region"].unique())


def write_run(run: PlanRun, out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Write the plan files, the trip geometry and the centre report into `out_dir`."""
    from abri.routing.geometry import trip_lines
    from abri.routing.outputs import write_plan

    out = Path(out_dir)
    lines = trip_lines(run.graph, run.snapped, run.plan.trips)
    files = write_plan(run.plan, out, centres=run.centres, lines=lines, baseline=run.baseline,
                       origin=(run.scenario.fleet.origin_lon, run.scenario.fleet.origin_lat))
    if run.centre_report.rows_rejected:
        files["centre_rejects"] = run.centre_report.write_rejects(out / "centres.rejects.csv")
    if run.scenario.people_report.rows_rejected:
        files["people_rejects"] = run.scenario.people_report.write_rejects(out / "people.rejects.csv")
    return files
