"""The whole chain in one call: scenario folder -> validated centres -> roads -> allocation -> coach plan.

Used by the CLI (``abri plan``, ``abri demo``), the notebooks and the
benchmarks, so they all run the same steps.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from abri.constants import ORIGIN
from abri.defaults import DEFAULT_ITERATIONS, DEFAULT_ROADS, DEFAULT_SEED, DEFAULT_TIME_LIMIT
from abri.files import atomic_dir, check_output_dir, write_csv
from abri.geo.centres import read_centres
from abri.geo.gazetteer import load_communes
from abri.inputs.limits import check_matrix
from abri.inputs.report import ValidationReport
from abri.inputs.scenario import Scenario, read_scenario
from abri.maps.plan import PlanData
from abri.outputs.planfile import plan_document, write_plan
from abri.outputs.trips import trip_lines
from abri.planning.allocation import Allocation, allocate
from abri.planning.baseline import naive_plan
from abri.planning.check import PlanCheck, check_plan, mark_illegal
from abri.planning.operation import day_capacity
from abri.planning.plan import Plan, plan_coaches
from abri.planning.schedule import reception_hours
from abri.processes import Mapper, run_forked
from abri.routing.care import add_care_minutes
from abri.routing.graph import RoadGraph, load_graph
from abri.routing.measure import snap_and_measure
from abri.routing.profile import CoachProfile, load_profile
from abri.routing.roadside import PLAN_FILE, load_roadside, near_lines

if TYPE_CHECKING:
    from distributed import Client


@dataclass
class Prepared:
    """The shared, plan-independent stages: scenario, checked centres, roads, snapping, matrices."""

    scenario: Scenario
    centres: gpd.GeoDataFrame
    centre_report: ValidationReport
    graph: RoadGraph
    snapped: pd.DataFrame
    times: (
        pd.DataFrame
    )  # seconds, ORIGIN and centre ids on both axes (ORIGIN row only with origin_only)
    km: pd.DataFrame | None  # metres, same axes
    seconds: dict[str, float] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"Prepared({self.scenario!r}, {len(self.centres):,} centres, graph {self.graph.n_nodes:,} junctions, "
            f"matrix {self.times.shape[0]} x {self.times.shape[1]})"
        )


@dataclass
class PlanRun(Prepared):
    """Every intermediate result of one planning run, for inspection."""

    allocation: Allocation = field(kw_only=True)
    plan: Plan = field(kw_only=True)
    baseline: Plan | None = field(kw_only=True, default=None)
    check: PlanCheck | None = field(
        kw_only=True, default=None
    )  # set by check_run (plan_prepared, write_run)

    @property
    def unreachable(self) -> list[str]:
        """Centre ids that no coach can reach."""
        return [i for i in self.snapped.index[~self.snapped["reachable"]] if i != ORIGIN]

    @property
    def points(self) -> dict[str, tuple[float, float]]:
        """Lon/lat of the origin (``ORIGIN``) and of every centre, by id."""
        out = dict(
            zip(
                self.centres["id"].astype(str),
                zip(self.centres["lon"].astype(float), self.centres["lat"].astype(float)),
            )
        )
        return {ORIGIN: (self.scenario.fleet.origin_lon, self.scenario.fleet.origin_lat), **out}

    def trip_lines(self, *, tolerance: float = 0.0) -> gpd.GeoDataFrame:
        """One line per trip along its roads, origin to last centre, access legs included (EPSG:4326).

        Examples
        --------
        >>> lines = run.trip_lines()  # doctest: +SKIP
        >>> lines[["coach", "day", "km", "geometry"]].head()  # doctest: +SKIP
        >>> lines.explore(color=lines["colour"])  # doctest: +SKIP
        """
        return trip_lines(
            self.graph, self.snapped, self.plan.trips, tolerance=tolerance, points=self.points
        )

    def plan_data(self) -> PlanData:
        """What the maps need, in memory (nothing written): plan document, centres, trip lines, origin."""
        fleet = self.scenario.fleet
        located = self.centres.assign(
            allocated=self.centres["id"].map(self.allocation.per_centre()).fillna(0).astype(int)
        )
        return PlanData(
            plan_document(self.plan, label=self.scenario.label, scenario=self.scenario.name),
            located,
            self.trip_lines(tolerance=0.002),
            (fleet.origin_lon, fleet.origin_lat, fleet.origin_name),
            self.scenario.name,
        )

    def __repr__(self) -> str:
        return (
            f"PlanRun({self.scenario!r}: {len(self.allocation.placed):,} placed, {len(self.allocation.unplaced):,} unplaced; "
            f"{len(self.plan.trips)} trips, {len(self.plan.not_carried)} not carried)"
        )


@contextmanager
def timed(seconds: dict[str, float], step: str) -> Iterator[None]:
    """Record the seconds a block takes as ``seconds[step]``."""
    start = time.perf_counter()
    yield
    seconds[step] = round(time.perf_counter() - start, 2)


def prepare(
    scenario_dir: str | os.PathLike[str],
    *,
    roads: str | os.PathLike[str] = DEFAULT_ROADS,
    data_dir: str | os.PathLike[str] | None = None,
    profile: str | os.PathLike[str] | CoachProfile | None = None,
    jobs: int | None = None,
    progress: bool = False,
    origin_only: bool = False,
) -> Prepared:
    """Read a scenario folder and its centres, load the roads, snap and measure: everything plans share."""
    seconds: dict[str, float] = {}
    coach = profile if isinstance(profile, CoachProfile) else load_profile(profile)
    with timed(seconds, "read"):
        scenario = read_scenario(scenario_dir, regions=_all_regions(data_dir))
        centres, report = read_centres(scenario.centres_path, data_dir=data_dir)
    if not origin_only:  # a full matrix is bounded before the roads are loaded
        check_matrix(len(centres) + 1, source=str(scenario.centres_path))
    with timed(seconds, "graph"):
        graph = load_graph(roads, profile=coach, data_dir=data_dir, progress=progress)
    if needs_care(scenario.people):  # road minutes from each centre to the care its people need
        with timed(seconds, "care"):
            centres, _ = add_care_minutes(centres, graph, data_dir=data_dir, profile=coach)
    with timed(seconds, "matrix"):
        origin = (scenario.fleet.origin_lon, scenario.fleet.origin_lat)
        snapped, times, km = snap_and_measure(
            graph,
            origin,
            centres,
            profile=coach,
            jobs=jobs,
            progress=progress,
            origin_only=origin_only,
        )
    return Prepared(scenario, centres, report, graph, snapped, times, km, seconds)


def needs_care(people: pd.DataFrame) -> bool:
    """Whether someone needs a kind of care near their centre (then the centres' care minutes are measured)."""
    return "needs" in people.columns and bool(
        people["needs"].astype(str).str.contains("care:", regex=False).any()
    )


def allocate_prepared(prepared: Prepared) -> Allocation:
    """Allocate the scenario's people to its centres by coach time from the origin, no more a day than the origin boards."""
    rules = prepared.scenario.rules
    cap = day_capacity(prepared.scenario.fleet, rules)
    return allocate(
        prepared.scenario.people,
        prepared.centres,
        prepared.times.loc[ORIGIN],
        penalty_hours=rules.preference_penalty_hours,
        rules=rules,
        day_limit=(cap.people, cap.reason()) if cap.binding == "boarding" else None,
        pathways=prepared.scenario.pathways,
        seats=prepared.scenario.fleet.seats,
    )


def plan_prepared(
    prepared: Prepared,
    *,
    seed: int = DEFAULT_SEED,
    iterations: int = DEFAULT_ITERATIONS,
    time_limit: float | None = None,
    baseline: bool = True,
    progress: bool = False,
    jobs: int | None = None,
    mapper: Mapper | None = None,
) -> PlanRun:
    """Allocation, coach plan and (optionally) the naive baseline on prepared inputs (`jobs`: processes for the days, 1 in a sweep; `mapper`: an executor's map for the days' searches, see :mod:`abri.cluster`)."""
    seconds = dict(prepared.seconds)
    scenario = prepared.scenario
    if prepared.km is None or (prepared.times.shape[0] < 2 and len(prepared.centres)):
        msg = "the plan needs the full matrix (prepare without origin_only)"
        raise ValueError(msg)
    with timed(seconds, "allocation"):
        allocation = allocate_prepared(prepared)
    hours = reception_hours(prepared.centres, scenario.rules)

    def baseline_plan() -> tuple[Plan, float]:
        start = time.perf_counter()
        naive = naive_plan(
            allocation, prepared.times, prepared.km, scenario.fleet, scenario.rules, hours=hours
        )
        return naive, time.perf_counter() - start

    with timed(seconds, "plan"):  # the naive baseline beside it, in a worker of its own
        plan, *rest = run_forked(
            [
                lambda: plan_coaches(
                    allocation,
                    prepared.times,
                    prepared.km,
                    scenario.fleet,
                    scenario.rules,
                    hours=hours,
                    seed=seed,
                    iterations=iterations,
                    progress=progress,
                    jobs=jobs,
                    mapper=mapper,
                    time_limit=DEFAULT_TIME_LIMIT if time_limit is None else time_limit,
                )
            ]
            + ([baseline_plan] if baseline else []),
            jobs=jobs,
            here=True,
        )
    naive = None
    if rest:
        naive, seconds["baseline"] = rest[0][0], round(rest[0][1], 2)
    fields_ = {
        k: getattr(prepared, k)
        for k in ("scenario", "centres", "centre_report", "graph", "snapped", "times", "km")
    }
    run = PlanRun(**fields_, seconds=seconds, allocation=allocation, plan=plan, baseline=naive)
    check_run(run)
    return run


def check_run(run: PlanRun) -> PlanCheck:
    """Check the run's plan (and baseline) independently (:mod:`abri.planning.check`); mark failing trips illegal.

    Called by :func:`plan_prepared` and again by :func:`write_run`, so that
    no plan is written unchecked. The result is also kept as ``run.check``.

    Examples
    --------
    >>> check = check_run(run)  # doctest: +SKIP
    >>> print(check.accounting)  # doctest: +SKIP
    490 people in = 490 carried + 0 not carried + 0 unplaced + 0 rows set aside
    """
    key = _fingerprint(run)
    if run.check is not None and run.__dict__.get("_checked") == key:
        return run.check  # checked as it stands (plan_prepared, then write_run)
    report = run.scenario.people_report
    people_in = (
        report.rows_read if report.rows_read or not len(run.allocation.assignments) else None
    )
    for plan in (run.baseline, run.plan):
        if plan is None:
            continue
        check = check_plan(
            plan,
            times=run.times,
            km=run.km,
            centres=run.centres,
            people_in=people_in,
            rejected=report.rows_rejected,
            source=report.file,
            pathways=run.scenario.pathways,
        )
        mark_illegal(plan, check)
    run.check = check
    run.__dict__["_checked"] = _fingerprint(run)
    return check


def _fingerprint(run: PlanRun) -> bytes:
    """What the check judges of a run (trips and what is left of both plans), to check it again only after a change."""
    state = [
        None if p is None else (p.trips, p.not_carried, p.allocation.assignments)
        for p in (run.plan, run.baseline)
    ]
    return hashlib.sha1(pickle.dumps(state), usedforsecurity=False).digest()


def run_plan(
    scenario_dir: str | os.PathLike[str],
    *,
    roads: str | os.PathLike[str] = DEFAULT_ROADS,
    data_dir: str | os.PathLike[str] | None = None,
    profile: str | os.PathLike[str] | CoachProfile | None = None,
    seed: int = DEFAULT_SEED,
    iterations: int = DEFAULT_ITERATIONS,
    baseline: bool = True,
    jobs: int | None = None,
    progress: bool = False,
    time_limit: float | None = None,
    mapper: Mapper | None = None,
) -> PlanRun:
    """Read a scenario folder, then allocate people and plan coaches on real roads (`mapper`: see :func:`dask_mapper`).

    Examples
    --------
    >>> run = run_plan("calais", data_dir="../shared/data")  # doctest: +SKIP
    >>> run.plan.trips_frame().head()  # doctest: +SKIP
    """
    prepared = prepare(
        scenario_dir, roads=roads, data_dir=data_dir, profile=profile, jobs=jobs, progress=progress
    )
    return plan_prepared(
        prepared,
        seed=seed,
        iterations=iterations,
        baseline=baseline,
        progress=progress,
        time_limit=time_limit,
        mapper=mapper,
    )


def dask_mapper(client: Client) -> Mapper:
    """The planner's searches (days, parts of large days) as tasks of a Dask client (see :mod:`abri.cluster`)."""

    def run(fn: Callable[[Any], Any], args: list[Any]) -> list[Any]:
        return list(client.gather(client.map(fn, args, pure=False)))

    return run


def _all_regions(data_dir: str | os.PathLike[str] | None) -> set[str]:
    return set(load_communes(data_dir)["region"].unique())


def write_run(run: PlanRun, out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Check the plan (:func:`check_run`), then write its files, trip geometry and rejects into `out_dir`, as a whole.

    A plan with no trips is written too (every file, tables with their
    headers); ``run.check`` says whether the plan is complete and legal.

    Examples
    --------
    >>> files = write_run(run, "calais-plan")  # doctest: +SKIP
    >>> run.check.ok, files["trips"]  # doctest: +SKIP
    (True, PosixPath('calais-plan/trips.csv'))
    """
    out = check_output_dir(out_dir)
    check = check_run(run)
    lines = trip_lines(run.graph, run.snapped, run.plan.trips, points=run.points)
    with atomic_dir(out) as tmp:
        files = write_plan(
            run.plan,
            tmp,
            centres=run.centres,
            lines=lines,
            baseline=run.baseline,
            origin=(run.scenario.fleet.origin_lon, run.scenario.fleet.origin_lat),
            label=run.scenario.label,
            scenario=run.scenario.name,
            check=check,
            scenario_dir=str(run.scenario.folder.resolve()),
        )
        roadside = near_lines(load_roadside(run.graph.source), lines)
        if len(roadside):  # where breaks can be named (OSM road files with service areas...)
            files["roadside"] = write_csv(tmp / PLAN_FILE, roadside)
        if run.centre_report.rows_rejected:
            files["centre_rejects"] = run.centre_report.write_rejects(tmp / "centres.rejects.csv")
        if run.scenario.people_report.rows_rejected:
            files["people_rejects"] = run.scenario.people_report.write_rejects(
                tmp / "people.rejects.csv"
            )
    return {name: out / path.name for name, path in files.items()}
