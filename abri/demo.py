"""The demo: the whole chain on the data pack, from a synthetic scenario to maps, readiness and documents."""

from __future__ import annotations

import os
from pathlib import Path

from abri.defaults import DEFAULT_ITERATIONS, DEFAULT_SEED, DEFAULT_TIME_LIMIT
from abri.documents import write_documents
from abri.errors import MissingDataError
from abri.files import check_output_dir, write_csv
from abri.geo.capacity import capacity_summary
from abri.inputs.datadir import DATASETS, HOW_TO_GET, dataset_path, resolve_data_dir
from abri.maps.capacity import write_capacity_map
from abri.maps.plan import write_plan_map
from abri.pipeline import PlanRun, run_plan, timed, write_run
from abri.processes import run_forked
from abri.readiness import Readiness, prefecture_rows, readiness, write_readiness
from abri.synthetic import ScenarioParams, write_scenario

DEMO_DATASETS = (
    "communes",
    "departements",
    "departements-simplifie",
    "regions-simplifie",
    "france-all-roads",
)


def check_data(names: tuple[str, ...], data_dir: str | os.PathLike[str] | None = None) -> None:
    """Raise one clear error listing every missing dataset, before any work starts."""

    missing = []
    for name in names:
        try:
            dataset_path(name, data_dir)
        except MissingDataError:
            missing.append(DATASETS[name][0])
    if missing:
        msg = f"missing data file(s) {', '.join(missing)} in data directory {resolve_data_dir(data_dir)}. {HOW_TO_GET}"
        raise MissingDataError(msg)


def run_demo(
    out_dir: str | os.PathLike[str],
    *,
    data_dir: str | os.PathLike[str] | None = None,
    seed: int = DEFAULT_SEED,
    iterations: int = DEFAULT_ITERATIONS,
    progress: bool = True,
    profile: str | os.PathLike[str] | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> tuple[PlanRun, dict[str, Path]]:
    """The whole chain on the data pack: scenario, validation, capacity, roads, allocation, coaches, maps."""
    check_data(DEMO_DATASETS, data_dir)
    out = Path(out_dir)
    check_output_dir(out, marker=None)
    files = {
        f"scenario/{k}": v
        for k, v in write_scenario(ScenarioParams(), out / "scenario", data_dir=data_dir).items()
    }
    run = run_plan(
        out / "scenario",
        data_dir=data_dir,
        profile=profile,
        seed=seed,
        iterations=iterations,
        progress=progress,
        time_limit=time_limit,
    )
    files["validation"] = run.centre_report.write_problems(out / "validation.csv")
    for level in ("departement", "region"):
        summary = capacity_summary(
            run.centres, by=level, data_dir=data_dir, allocated=run.allocation.per_centre()
        )
        files[f"capacity_{level}"] = write_csv(out / f"capacity-{level}.csv", summary, index=True)
    with timed(run.seconds, "write"):  # readiness (places by group per department) beside it
        plan_files, ready = run_forked(
            [lambda: write_run(run, out / "plan"), lambda: _readiness(out, data_dir)], here=True
        )
        files |= {f"plan/{k}": v for k, v in plan_files.items()}
    origin = (
        run.scenario.fleet.origin_lon,
        run.scenario.fleet.origin_lat,
        run.scenario.fleet.origin_name,
    )
    with timed(run.seconds, "documents"):  # sheets for every role (issue 12), the maps beside them
        _, (cap_html, cap_png), (plan_html, plan_png) = run_forked(
            [
                lambda: write_documents(
                    out / "plan",
                    out / "documents",
                    data_dir=data_dir,
                    readiness=prefecture_rows(ready),
                ),
                lambda: write_capacity_map(
                    run.centres,
                    out / "capacity.html",
                    png=True,
                    data_dir=data_dir,
                    origin=origin,
                    plan=out / "plan",
                ),  # allocation and arrivals
                lambda: write_plan_map(
                    out / "plan", out / "plan.html", png=True, data_dir=data_dir
                ),
            ],
            here=True,
        )
    files |= {
        "capacity_map": cap_html,
        "capacity_png": cap_png,
        "plan_map": plan_html,
        "plan_png": plan_png,
        "readiness": out / "readiness",
    }
    files["documents"] = out / "documents"
    return run, files


def _readiness(out: Path, data_dir: str | os.PathLike[str] | None) -> Readiness:
    """Places by group per department, written to ``out/readiness`` (the prefecture summaries' section, issue 16)."""
    ready = readiness(out / "scenario", data_dir=data_dir)
    write_readiness(ready, out / "readiness", data_dir=data_dir, with_map=False)
    return ready
