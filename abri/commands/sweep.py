"""``abri sweep``: one coach plan per combination of a parameter grid, on a Dask cluster."""

from __future__ import annotations

from pathlib import Path

import click

from abri.commands.common import (
    DataError,
    check_outputs,
    dask_options,
    progress_on,
    quiet,
    reports_errors,
)
from abri.commands.planning import plan_options
from abri.sweep import run_sweep


@click.command("sweep")
@click.argument("scenario_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--grid",
    "grid_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Grid file (TOML): [fleet], [rules], [scenario], [solver] keys as values, lists or {from, to, step} ranges.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Sweep folder: sweep.parquet, sweep.csv, tradeoff.png, tradeoff.html, results/ (one file per combination).",
)
@dask_options
@click.option(
    "--retry-failed", is_flag=True, help="Plan again the combinations recorded with an error."
)
@plan_options
@reports_errors
def sweep_cmd(
    scenario_dir: Path,
    grid_path: Path,
    output: Path,
    workers: int | None,
    scheduler: str | None,
    retry_failed: bool,
    seed: int,
    iterations: int,
    jobs: int | None,
    profile: Path | None,
    roads: str,
    data_dir: Path | None,
) -> None:
    """What-if sweep: plan every combination of GRID on Dask; one table row per plan, a trade-off chart.

    Work shared by every plan (roads, snapping, travel times) is done once
    here and shipped once to each worker. Combinations already in the
    output folder are skipped, so an interrupted sweep carries on.
    """

    check_outputs({"--output": output / "sweep.csv"}, inputs=(grid_path,))  # before any work

    result = run_sweep(
        scenario_dir,
        grid_path,
        output,
        roads=roads,
        data_dir=data_dir,
        profile=profile,
        solver={"seed": seed, "iterations": iterations},
        workers=workers,
        scheduler=scheduler,
        retry_failed=retry_failed,
        jobs=jobs,
        progress=progress_on(),
    )
    failed = result.failed
    if not quiet():
        where = (
            f"on {len(result.workers)} Dask workers"
            if result.workers
            else "in this process"
            if result.planned
            else "nothing to plan"
        )
        click.echo(
            f"{len(result.table)} combinations: {result.planned} planned {where}, {result.skipped} done before, {len(failed)} failed",
            err=True,
        )
    for key, path in result.files.items():
        click.echo(f"{key:<8} {path}")
    if len(failed):
        first = failed.iloc[0]
        raise DataError(
            f"{len(failed)} of {len(result.table)} combinations failed (column error in {result.files['csv']}); "
            f"first: {first['key']}: {first['error']}"
        )
