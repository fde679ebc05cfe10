"""Run a sweep: every combination not yet done, serially or one Dask task each; the shared inputs shipped once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from abri.cluster import check_workers, dask_client
from abri.defaults import DEFAULT_ROADS
from abri.files import write_json
from abri.inputs.scenario import (
    read_label,
)
from abri.pipeline import Prepared, prepare
from abri.sweep.cache import check_folder, read_results, scenario_fingerprint
from abri.sweep.combination import plan_combination, shared_inputs
from abri.sweep.grid import Combination, combination_key, read_grid
from abri.sweep.report import sweep_table, write_outputs

if TYPE_CHECKING:
    from distributed import Client


@dataclass
class SweepResult:
    """The table of a sweep and what this run did."""

    table: pd.DataFrame
    files: dict[str, Path]
    planned: int  # combinations planned by this run
    skipped: int  # combinations found done in the folder
    workers: list[str]  # Dask worker addresses ([] when planned in this process)
    shared_bytes: int = 0  # size of the inputs shipped once to each worker

    @property
    def failed(self) -> pd.DataFrame:
        """The combinations that failed, with their error."""
        return self.table[self.table["error"] != ""]


def run_sweep(
    scenario_dir: str | os.PathLike[str],
    grid: str | os.PathLike[str] | Mapping[str, Any],
    out_dir: str | os.PathLike[str],
    *,
    roads: str | os.PathLike[str] = DEFAULT_ROADS,
    data_dir: str | os.PathLike[str] | None = None,
    profile: str | os.PathLike[str] | None = None,
    solver: Mapping[str, int | float] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Client | None = None,
    retry_failed: bool = False,
    jobs: int | None = None,
    progress: bool = False,
) -> SweepResult:
    """Plan every combination of a grid on Dask; write the table, the trade-off chart and one file per combination.

    Parameters
    ----------
    scenario_dir, roads, data_dir, profile, jobs
        As for :func:`~abri.pipeline.prepare`, done once here.
    grid
        The grid file (TOML) or its content (see :func:`read_grid`).
    out_dir
        The sweep folder: ``sweep.parquet``, ``sweep.csv``, ``tradeoff.png``, ``tradeoff.html``, ``results/``.
    solver
        Solver options for combinations whose grid does not name them (``seed``, ``iterations``).
    workers, scheduler, client
        Where plans run: a `client`, else the `scheduler` address, else ``DASK_SCHEDULER_ADDRESS``,
        else a LocalCluster of `workers` processes (default: one per core; 0: in this process).
    retry_failed
        Plan again the combinations recorded with an error (those done are always skipped).

    Examples
    --------
    >>> result = run_sweep("calais", "grid.toml", "sweep", workers=2)  # doctest: +SKIP
    >>> result.table.pivot_table("trips", "coaches_per_day", "days")  # doctest: +SKIP
    """
    from tqdm import tqdm

    the_grid = read_grid(grid, solver=solver)
    out = Path(out_dir)
    manifest = {
        "scenario": str(Path(scenario_dir).resolve()),
        "roads": str(roads),
        "profile": str(profile or ""),
        "grid": the_grid.source,
        "fingerprint": scenario_fingerprint(scenario_dir, roads, profile),
    }
    check_folder(out, manifest)
    keyed = [(combination_key(c), c) for c in the_grid.combinations()]
    done = read_results(out / "results")
    todo = [(k, c) for k, c in keyed if k not in done or (retry_failed and done[k].get("error"))]
    names: list[str] = []
    shared_bytes = 0
    if todo:
        shared = shared_inputs(
            prepare(
                scenario_dir,
                roads=roads,
                data_dir=data_dir,
                profile=profile,
                jobs=jobs,
                progress=progress,
            )
        )
        bar = tqdm(total=len(todo), desc="sweep", unit="plan", disable=not progress)

        def record(key: str, combo: Combination, row: dict[str, Any]) -> None:
            write_json(
                out / "results" / f"{key}.json", {"key": key, **the_grid.params(combo), **row}
            )
            bar.update()

        with dask_client(workers, scheduler, client) as cluster:
            if cluster is None:
                for key, combo in todo:
                    record(key, combo, plan_combination(shared, combo, where=the_grid.source))
            else:
                names = check_workers(cluster)
                shared_bytes = _payload_bytes(shared)
                _run_on(
                    cluster,
                    shared,
                    todo,
                    record,
                    prefix=manifest["fingerprint"][:8],
                    where=the_grid.source,
                )
        bar.close()
    rows = read_results(out / "results")
    table = sweep_table([rows[k] for k, _ in keyed if k in rows], list(the_grid.columns.values()))
    name = read_label(Path(scenario_dir))[0] or Path(scenario_dir).name
    files = write_outputs(
        table, out, swept=the_grid.swept, title=f"abri sweep: {name}, {len(table)} combinations"
    )
    return SweepResult(
        table,
        files,
        planned=len(todo),
        skipped=len(keyed) - len(todo),
        workers=names,
        shared_bytes=shared_bytes,
    )


def _payload_bytes(value: Any) -> int:
    """Bytes of `value` once serialised the way Dask ships it."""
    from distributed.protocol import serialize_bytelist

    return sum(memoryview(b).nbytes for b in serialize_bytelist(value))


def _run_on(
    client: Client,
    shared: Prepared,
    todo: list[tuple[str, Combination]],
    record: Any,
    *,
    prefix: str,
    where: str,
) -> None:
    """Ship the shared inputs once to every worker, then one task per combination; record each as it finishes."""
    from distributed import as_completed

    inputs = client.scatter(shared, broadcast=True, hash=False)
    futures = {
        client.submit(
            plan_combination,
            inputs,
            combo,
            where=where,
            key=f"abri-sweep-{prefix}-{key}",
            pure=False,
        ): (key, combo)
        for key, combo in todo
    }
    for future in as_completed(futures):
        key, combo = futures[future]
        try:
            row = future.result()
        except Exception as exc:
            row = {"error": f"{type(exc).__name__}: {exc}", "seconds": None, "worker": ""}
        record(key, combo, row)
        future.release()
