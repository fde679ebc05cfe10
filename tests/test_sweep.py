"""abri sweep: the grid, the what-ifs, a LocalCluster and a real scheduler with workers; each row equals the serial plan."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from abri.cli import main
from abri.errors import DataFileError
from abri.inputs.scenario import Rules
from abri.sweep import (
    combination_key,
    keep_places,
    read_grid,
    respread_days,
    tradeoff_figure,
    tradeoff_html,
)

ROADS = "france-major-roads"
ITERATIONS = 300
# 2 x 2 x 2 = 8 combinations; reception closing at 07:30, before it opens (08:00), fails: 4 plans, 4 recorded failures.
GRID = """
[fleet]
coaches_per_day = [3, 8]

[rules]
max_stops = {from = 3, to = 4, step = 1}
reception_close = ["22:00", "07:30"]
"""
COMPARED = [
    "people",
    "placed",
    "carried",
    "unplaced",
    "not_carried",
    "trips",
    "seat_fill_pct",
    "coach_km",
    "longest_ride_h",
    "mean_ride_h",
    "legal_trips",
    "two_driver_trips",
    "breaks",
    "preferred_region_pct",
]


def invoke(*args: object, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, env=env)


def sweep_args(scenario: Path, grid: Path, out: Path, data_dir: Path) -> list[object]:
    return [
        "sweep",
        scenario,
        "--grid",
        grid,
        "-o",
        out,
        "--roads",
        ROADS,
        "--iterations",
        ITERATIONS,
        "--data-dir",
        data_dir,
    ]


@pytest.fixture(scope="module")
def grid_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("grid") / "grid.toml"
    path.write_text(GRID)
    return path


@pytest.fixture(scope="module")
def prepared(small_scenario: Path, data_dir: Path):  # type: ignore[no-untyped-def]
    from abri.pipeline import prepare

    return prepare(small_scenario, roads=ROADS, data_dir=data_dir)


@pytest.fixture(scope="module")
def local_sweep(
    small_scenario: Path, grid_file: Path, data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    """The grid swept by the CLI on a LocalCluster of 2 worker processes (tens of seconds: its tests are slow)."""
    out = tmp_path_factory.mktemp("local") / "sweep"
    result = invoke(*sweep_args(small_scenario, grid_file, out, data_dir), "--workers", 2)
    assert result.exit_code == 1, (
        result.output
    )  # the failing combinations make the exit code 1, after everything is written
    return out, result.output


def test_grid_values_lists_and_ranges() -> None:
    grid = read_grid(
        {
            "fleet": {"coaches_per_day": {"from": 30, "to": 60, "step": 10}, "seats": 55},
            "rules": {
                "margin_pct": {"from": 0, "to": 0.3, "step": 0.1},
                "max_ride_hours.vulnerable": [9, 12],
            },
            "scenario": {"days": [2, 3, 3], "places_share": 0.8},
        },
        solver={"iterations": 500},
    )
    assert grid.axes[("fleet", "coaches_per_day")] == [30, 40, 50, 60]  # ranges include their end
    assert grid.axes[("rules", "margin_pct")] == [0.0, 0.1, 0.2, 0.3]
    assert grid.axes[("scenario", "days")] == [
        2,
        3,
    ]  # a repeated value would be the same plan twice
    assert grid.axes[("solver", "iterations")] == [500] and grid.axes[("solver", "seed")] == [1]
    assert len(grid) == 4 * 4 * 2 * 2 == len(list(grid.combinations()))
    assert grid.swept == ["coaches_per_day", "margin_pct", "max_ride_hours.vulnerable", "days"]
    first = next(grid.combinations())
    assert first["rules"] == {"margin_pct": 0.0, "max_ride_hours.vulnerable": 9.0} and isinstance(
        first["rules"]["max_ride_hours.vulnerable"], float
    )
    assert (
        combination_key(first)
        == combination_key(json.loads(json.dumps(first)))
        != combination_key(list(grid.combinations())[1])
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[fleat]\nseats = 49", r"grid.toml: unknown table 'fleat' \(did you mean 'fleet'\?\)"),
        (
            "[fleet]\ncoaches_per_dya = [40]",
            r"grid.toml: unknown key 'coaches_per_dya' \(did you mean 'coaches_per_day'\?\) in \[fleet\]",
        ),
        ("[fleet]\nseats = ['many']", r"grid.toml: \[fleet\] 'seats' has 'many'; expected a int"),
        (
            "[fleet]\nseats = [0, 55]",
            r"grid.toml: \[fleet\] 'seats' has 0; expected a number from 1 to 1000",
        ),
        ("[fleet]\nseats = []", r"grid.toml: \[fleet\] 'seats' is an empty list"),
        (
            "[fleet]\ndays = ['2016-10-24']",
            r"grid.toml: \[fleet\] 'days' is a list .* \[scenario\] days = \[2, 3\]",
        ),
        (
            "[rules]\nmax_stops = {from = 5, to = 3, step = 1}",
            r"grid.toml: \[rules\] 'max_stops' is the range",
        ),
        (
            "[rules]\nmax_ride_hours = [9]",
            r"grid.toml: \[rules\] 'max_ride_hours'.*\"max_ride_hours.vulnerable\" = \[...\]",
        ),
        (
            "[scenario]\nplaces_share = 1.5",
            r"grid.toml: \[scenario\] 'places_share' has 1.5; expected a number from 0 to 1",
        ),
        ("[solver]\niterations = 0", r"grid.toml: \[solver\] 'iterations' has 0"),
        ("seats = 49", r"grid.toml: unknown table 'seats'"),
        ("[fleet\n", r"grid.toml: not valid TOML"),
    ],
)
def test_grid_errors_name_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "grid.toml"
    path.write_text(text)
    with pytest.raises(DataFileError, match=message):
        read_grid(path)


def test_cli_refuses_a_bad_grid_before_any_work(
    small_scenario: Path, data_dir: Path, tmp_path: Path
) -> None:
    grid = tmp_path / "grid.toml"
    grid.write_text("[rules]\nmargin_pc = [5, 10]\n")
    result = invoke(*sweep_args(small_scenario, grid, tmp_path / "sweep", data_dir))
    assert (
        result.exit_code == 2
        and "unknown key 'margin_pc' (did you mean 'margin_pct'?) in [rules]" in result.output
    )
    assert not (tmp_path / "sweep").exists()


def test_every_rules_field_can_be_swept() -> None:
    """Keys are the dataclass's fields at run time: a field added to Rules is a grid key at once."""
    for f in dataclasses.fields(Rules):
        default = getattr(Rules(), f.name)
        key, value = (
            (f"{f.name}.{next(iter(default))}", next(iter(default.values())))
            if isinstance(default, dict)
            else (f.name, default)
        )
        assert read_grid({"rules": {key: [value]}}).axes[("rules", key)] == [value]


def test_places_removed_at_random_and_days_respread(prepared) -> None:  # type: ignore[no-untyped-def]
    centres = prepared.centres
    kept = keep_places(centres, 0.8, seed=3)
    assert kept["capacity"].sum() == round(0.8 * centres["capacity"].sum())
    assert (kept["capacity"] <= centres["capacity"]).all() and (kept["capacity"] >= 0).all()
    assert kept["capacity"].equals(keep_places(centres, 0.8, seed=3)["capacity"])  # seeded
    assert not kept["capacity"].equals(keep_places(centres, 0.8, seed=4)["capacity"])
    people = prepared.scenario.people
    two = respread_days(people, 2)
    adults = two[two["group"] != "minors"]
    assert sorted(adults["day"].unique()) == ["2016-10-24", "2016-10-25"]
    assert abs(adults["day"].value_counts().diff().iloc[-1]) <= 10  # about half each day
    assert (adults.groupby("household")["day"].nunique() == 1).all()  # households whole
    minors = people["group"] == "minors"
    assert two.loc[minors, "day"].equals(people.loc[minors, "day"])  # minors keep their day
    assert respread_days(people, 0) is people


@pytest.mark.slow
def test_local_cluster_rows_equal_serial_plans(local_sweep, prepared, grid_file: Path) -> None:  # type: ignore[no-untyped-def]
    """Two worker processes: each row is the plan made here, serially, with the same seed; failures are recorded."""
    from abri.pipeline import plan_prepared
    from abri.planning.summary import plan_summary

    out, output = local_sweep
    table = pd.read_parquet(out / "sweep.parquet")
    assert len(table) == 8 and table["key"].is_unique
    failed = table[table["error"] != ""]
    assert len(failed) == 4 and (failed["reception_close"] == "07:30").all()
    assert (
        failed["error"].str.contains(r"grid.toml \[rules\]: key 'reception_close' is '07:30'").all()
    )
    assert "4 of 8 combinations failed" in output
    ok = table[table["error"] == ""]
    # planned on the cluster of 2 worker processes, each row naming the worker that made it
    assert len(ok) == 4 and "on 2 Dask workers" in output
    assert (ok["worker"] != "").all() and ok["worker"].nunique() <= 2
    assert (
        ok.loc[ok["coaches_per_day"] == 3, "not_carried"].min() > 0
    )  # 3 coaches a day leave people behind
    for row in ok.itertuples():
        scenario = prepared.scenario
        scenario = dataclasses.replace(
            scenario,
            fleet=dataclasses.replace(scenario.fleet, coaches_per_day=row.coaches_per_day),
            rules=dataclasses.replace(
                scenario.rules, max_stops=row.max_stops, reception_close=row.reception_close
            ),
        )
        run = plan_prepared(
            dataclasses.replace(prepared, scenario=scenario),
            seed=1,
            iterations=ITERATIONS,
            baseline=False,
        )
        serial = {k: v for k, v in plan_summary(run.plan).items() if k != "method"}
        assert set(COMPARED) <= set(serial)
        assert {k: table.at[row.Index, k] for k in serial} == serial, (
            row.key
        )  # every figure of the plan
    assert len(list((out / "results").glob("*.json"))) == 8
    csv = pd.read_csv(out / "sweep.csv", keep_default_na=False)
    assert list(csv.columns) == list(table.columns) and len(csv) == 8
    assert csv[["key", "error"]].equals(table[["key", "error"]])
    numbers = pd.read_csv(out / "sweep.csv")  # the Parquet and the CSV, written apart, agree
    pd.testing.assert_frame_equal(table[COMPARED], numbers[COMPARED], check_dtype=False)
    page = (out / "tradeoff.html").read_text()
    assert (
        "<svg" in page and "<script" not in page and 'src="http' not in page and "<link" not in page
    )
    assert (out / "tradeoff.png").read_bytes()[:4] == b"\x89PNG"


def _start(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "dask", *args],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for proc in processes:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in processes:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.mark.slow
def test_scheduler_and_two_workers_as_processes(
    local_sweep, small_scenario: Path, grid_file: Path, data_dir: Path, tmp_path: Path
) -> None:
    """`dask scheduler` and two `dask worker` processes on 127.0.0.1: the same sweep through --scheduler, the same table.

    The workers see no data pack: they only receive the prepared inputs, once each.
    """
    env = {**os.environ, "ABRI_DATA_DIR": str(tmp_path / "no-data-pack")}
    scheduler_file = tmp_path / "scheduler.json"
    processes = [
        _start(
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(scheduler_file),
            "--idle-timeout",
            "300s",
            env=env,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        processes += [
            _start(
                "worker",
                address,
                "--nworkers",
                "1",
                "--nthreads",
                "1",
                "--no-dashboard",
                "--name",
                f"w{i}",
                "--death-timeout",
                "60s",
                env=env,
            )
            for i in (1, 2)
        ]
        from distributed import Client

        with Client(address) as client:
            client.wait_for_workers(2, timeout=60)
            workers = set(client.scheduler_info()["workers"])
        result = invoke(
            *sweep_args(small_scenario, grid_file, tmp_path / "sweep", data_dir),
            "--scheduler",
            address,
        )
        assert result.exit_code == 1 and "planned on 2 Dask workers" in result.output
        remote, local = (
            pd.read_parquet(tmp_path / "sweep" / "sweep.parquet"),
            pd.read_parquet(local_sweep[0] / "sweep.parquet"),
        )
        same = [c for c in local.columns if c not in ("seconds", "worker")]
        pd.testing.assert_frame_equal(remote[same], local[same])
        assert (
            set(remote.loc[remote["error"] == "", "worker"]) == workers
        )  # planned by the two worker processes
        # DASK_SCHEDULER_ADDRESS: the same cluster without --scheduler
        one = tmp_path / "one.toml"
        one.write_text("[fleet]\ncoaches_per_day = 8\n")
        result = invoke(
            *sweep_args(small_scenario, one, tmp_path / "env-sweep", data_dir),
            env={"DASK_SCHEDULER_ADDRESS": address},
        )
        assert result.exit_code == 0 and "1 planned on 2 Dask workers" in result.output, (
            result.output
        )
    finally:
        _stop(processes)


def test_unreachable_scheduler_exits_1(
    small_scenario: Path, grid_file: Path, data_dir: Path, tmp_path: Path
) -> None:
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        result = invoke(
            *sweep_args(small_scenario, grid_file, tmp_path / "sweep", data_dir),
            "--scheduler",
            "tcp://127.0.0.1:9",
        )
    assert (
        result.exit_code == 1
        and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.output
    )


@pytest.mark.slow
def test_interrupted_sweep_carries_on(small_scenario: Path, data_dir: Path, tmp_path: Path) -> None:
    """A sweep folder left with one result of three (as a sweep stopped after its first plan leaves it):
    started again, the sweep plans only what is missing and keeps the plan done; -q is silent."""
    grid = tmp_path / "grid.toml"
    grid.write_text("[fleet]\ncoaches_per_day = [4, 6, 8]\n[solver]\niterations = 300\n")
    out = tmp_path / "sweep"
    args = [str(a) for a in sweep_args(small_scenario, grid, out, data_dir)]
    assert invoke(*args, "--workers", "0").exit_code == 0
    first, *rest = sorted((out / "results").glob("*.json"))
    kept = first.read_bytes()
    for path in [*rest, out / "sweep.csv", out / "sweep.parquet"]:
        path.unlink()  # the state of a sweep interrupted after its first plan
    result = invoke(*args, "--workers", "0")
    assert result.exit_code == 0 and "2 planned" in result.output, result.output
    assert "1 done before" in result.output
    table = pd.read_csv(out / "sweep.csv", keep_default_na=False)
    assert sorted(table["coaches_per_day"]) == [4, 6, 8] and (table["error"] == "").all()
    assert first.read_bytes() == kept  # the done plan kept
    again = CliRunner().invoke(main, ["-q", *args, "--workers", "0"], catch_exceptions=False)
    assert again.exit_code == 0 and again.stderr == ""  # -q: no progress, no summary
    assert pd.read_csv(out / "sweep.csv", keep_default_na=False).equals(table)  # nothing redone


@pytest.mark.slow
def test_retry_failed_plans_only_the_failed(
    local_sweep, small_scenario: Path, grid_file: Path, data_dir: Path, tmp_path: Path
) -> None:
    import shutil

    out = tmp_path / "sweep"
    shutil.copytree(local_sweep[0], out)
    result = invoke(
        *sweep_args(small_scenario, grid_file, out, data_dir), "--workers", "0", "--retry-failed"
    )
    assert (
        result.exit_code == 1
        and "4 planned in this process, 4 done before, 4 failed" in result.output
    )


@pytest.mark.slow
def test_folder_of_another_sweep_is_refused(
    local_sweep, small_scenario: Path, grid_file: Path, data_dir: Path
) -> None:
    out, _ = local_sweep
    args = sweep_args(small_scenario, grid_file, out, data_dir)
    args[args.index(ROADS)] = "hauts-de-france-roads"
    result = invoke(*args, "--workers", "0")
    assert (
        result.exit_code == 2 and "differs in its scenario files, roads or profile" in result.output
    )


def test_chart_one_line_per_other_value() -> None:
    rows = [
        {
            "coaches_per_day": c,
            "days": d,
            "trips": 10 * d + c,
            "unplaced": 0,
            "not_carried": max(0, 6 - c),
            "longest_ride_h": 9.5,
            "error": "",
        }
        for c in (2, 4, 6)
        for d in (2, 3)
    ]
    table = pd.DataFrame([*rows, {"coaches_per_day": 8, "days": 2, "error": "ValueError: boom"}])
    fig = tradeoff_figure(table, ["coaches_per_day", "days"], title="t")
    assert [len(ax.lines) for ax in fig.axes] == [2, 2, 2]
    assert [line.get_label() for line in fig.axes[0].lines] == ["days = 2", "days = 3"]
    assert "1 failed" in fig.get_suptitle()
    page = tradeoff_html(
        fig, table.assign(key="k", worker="w", error=["<b>x</b>"] * len(table)), title="<sweep>"
    )
    assert "&lt;sweep&gt;" in page and "<b>x</b>" not in page
