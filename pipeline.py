"""The whole chain in one call: scenario folder -> validated centres -> roads -> allocation -> coach plan.

Used by the CLI (``abri plan``, ``abri demo``), the notebooks and the
benchmarks, so they all run the same steps.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from abri.geo.centres import read_centres
from abri.geo.people import Scenario, read_scenario
from abri.geo.report import ValidationReport
from abri.routing.allocation import Allocation, allocate
from abri.routing.baseline import naive_plan
from abri.routing.graph import RoadGraph, load_graph
from abri.routing.matrix import travel_matrix
from abri.routing.plan import ORIGIN, Plan, plan_coaches
from abri.routing.profile import load_profile
from abri.routing.schedule import reception_hours
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
        scenario = read_scenario(scenario_dir, regions=_all_regions(data_dir))
        centres, report = read_centres(scenario.centres_path, data_dir=data_dir)
    with _timed(seconds, "graph"):
        graph = load_graph(roads, data_dir=data_dir, progress=progress)
    with _timed(seconds, "matrix"):
        fleet = scenario.fleet
        ids = [ORIGIN, *centres["id"].astype(str)]
        snapped = snap_points(graph, np.r_[fleet.origin_lon, centres["lon"].to_numpy(float)],
                              np.r_[fleet.origin_lat, centres["lat"].to_numpy(float)], ids=ids, profile=load_profile())
        times, km = travel_matrix(graph, snapped, snapped, n_jobs=jobs, progress=progress)
        assert km is not None
    with _timed(seconds, "allocation"):
        allocation = allocate(scenario.people, centres, times.loc[ORIGIN], penalty_hours=scenario.rules.preference_penalty_hours)
    hours = reception_hours(centres, scenario.rules)
    with _timed(seconds, "plan"):
        plan = plan_coaches(allocation, times, km, fleet, scenario.rules, hours=hours, seed=seed, iterations=iterations, progress=progress)
    naive = None
    if baseline:
        with _timed(seconds, "baseline"):
            naive = naive_plan(allocation, times, km, fleet, scenario.rules, hours=hours)
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


DEMO_DATASETS = ("communes", "departements", "departements-simplifie", "regions-simplifie", "france-all-roads")


def check_data(names: tuple[str, ...], data_dir: str | os.PathLike[str] | None = None) -> None:
    """Raise one clear error listing every missing dataset, before any work starts."""
    from abri.errors import MissingDataError
    from abri.geo.datadir import DATASETS, HOW_TO_GET, dataset_path, resolve_data_dir

    missing = []
    for name in names:
        try:
            dataset_path(name, data_dir)
        except MissingDataError:
            missing.append(DATASETS[name][0])
    if missing:
        msg = f"missing data file(s) {', '.join(missing)} in data directory {resolve_data_dir(data_dir)}. {HOW_TO_GET}"
        raise MissingDataError(msg)


def run_demo(out_dir: str | os.PathLike[str], *, data_dir: str | os.PathLike[str] | None = None, seed: int = 1,
             iterations: int = 3_000, progress: bool = True) -> tuple[PlanRun, dict[str, Path]]:
    """The whole chain on the data pack: scenario, validation, capacity, roads, allocation, coaches, maps."""
    from abri.files import write_text_atomic
    from abri.geo.capacity import capacity_summary
    from abri.geo.scenario import ScenarioParams, write_scenario
    from abri.maps.capacity import write_capacity_map
    from abri.maps.plan import write_plan_map

    check_data(DEMO_DATASETS, data_dir)
    out = Path(out_dir)
    files = {f"scenario/{k}": v for k, v in write_scenario(ScenarioParams(), out / "scenario", data_dir=data_dir).items()}
    run = run_plan(out / "scenario", data_dir=data_dir, seed=seed, iterations=iterations, progress=progress)
    files["validation"] = run.centre_report.write_problems(out / "validation.csv")
    for level in ("departement", "region"):
        files[f"capacity_{level}"] = write_text_atomic(out / f"capacity-{level}.csv",
                                                       capacity_summary(run.centres, by=level, data_dir=data_dir,  # type: ignore[arg-type]
                                                                        allocated=run.allocation.per_centre()).to_csv())
    with _timed(run.seconds, "write"):
        files |= {f"plan/{k}": v for k, v in write_run(run, out / "plan").items()}
    with _timed(run.seconds, "maps"):
        origin = (run.scenario.fleet.origin_lon, run.scenario.fleet.origin_lat, run.scenario.fleet.origin_name)
        cap_html, cap_png = write_capacity_map(run.centres, out / "capacity.html", png=True, data_dir=data_dir, origin=origin,
                                               allocated=run.allocation.per_centre())
        plan_html, plan_png = write_plan_map(out / "plan", out / "plan.html", png=True, data_dir=data_dir)
    files |= {"capacity_map": cap_html, "capacity_png": cap_png, "plan_map": plan_html, "plan_png": plan_png}
    return run, files
