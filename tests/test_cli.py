"""The CLI's exit codes and messages (click's CliRunner)."""

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from abri.cli import main


@pytest.fixture()
def run(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)

    def _run(*args: str):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return _run


@pytest.mark.datapack
def test_data_status(run, data_dir: Path, tmp_path: Path) -> None:
    ok = run("data", "status", "--data-dir", data_dir)
    assert ok.exit_code == 0 and "verified" in ok.output and "MISSING" not in ok.output
    missing = run("data", "status", "--data-dir", tmp_path)
    assert (
        missing.exit_code == 1 and "MISSING" in missing.output and "ABRI_DATA_DIR" in missing.output
    )


@pytest.mark.datapack
def test_validate_writes_output_rejects_and_problems(
    run, examples: Path, data_dir: Path, tmp_path: Path
) -> None:
    result = run(
        "validate",
        examples / "centres-sample.csv",
        "--data-dir",
        data_dir,
        "-o",
        tmp_path / "ok.geojson",
        "--problems",
        tmp_path / "p.csv",
    )
    assert result.exit_code == 0
    assert "row 25, column 'capacite': error [missing-capacity]" in result.output
    assert "25 rows read, 24 kept, 1 set aside" in result.output
    assert (tmp_path / "ok.geojson").exists() and (tmp_path / "p.csv").exists()
    rejects = (tmp_path / "ok.rejects.csv").read_text()
    assert "CAO-024" in rejects and "missing-capacity" in rejects


@pytest.mark.datapack
def test_csv_dialect_for_every_command(
    run, examples: Path, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`abri --csv-dialect excel-fr <command>`: every CSV of any command opens in French Excel."""
    monkeypatch.delenv("ABRI_CSV_DIALECT", raising=False)
    result = run(
        "--csv-dialect",
        "excel-fr",
        "validate",
        examples / "centres-sample.csv",
        "--data-dir",
        data_dir,
        "--problems",
        tmp_path / "p.csv",
    )
    assert result.exit_code == 0, result.output
    raw = (tmp_path / "p.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.split(b"\n")[0].count(b";") >= 3
    assert os.environ.get("ABRI_CSV_DIALECT") != "excel-fr"  # given back after the command
    plain = run(
        "validate",
        examples / "centres-sample.csv",
        "--data-dir",
        data_dir,
        "--problems",
        tmp_path / "q.csv",
    )
    assert plain.exit_code == 0 and not (tmp_path / "q.csv").read_bytes().startswith(
        b"\xef\xbb\xbf"
    )


def test_strict_exits_non_zero(run, examples: Path, data_dir: Path, tmp_path: Path) -> None:
    result = run("validate", examples / "centres-sample.csv", "--data-dir", data_dir, "--strict")
    assert result.exit_code == 1 and "--strict" in result.output
    assert (tmp_path / "centres-sample.rejects.csv").exists()


def test_unreadable_file_exits_2(run, data_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("foo;bar\n1;2\n")
    result = run("validate", bad, "--data-dir", data_dir)
    assert result.exit_code == 2 and "bad.csv: missing column(s)" in result.output


def test_missing_data_pack_exits_1(run, examples: Path, tmp_path: Path) -> None:
    result = run("validate", examples / "centres-sample.csv", "--data-dir", tmp_path)
    assert result.exit_code == 1 and "missing data file communes/communes.csv" in result.output


def test_missing_input_file_is_a_usage_error(run, data_dir: Path) -> None:
    result = run("validate", "nope.csv", "--data-dir", data_dir)
    assert result.exit_code == 2 and "nope.csv" in result.output


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
@pytest.mark.datapack
def test_capacity_formats(run, examples: Path, data_dir: Path, fmt: str) -> None:
    result = run(
        "capacity",
        examples / "centres-sample.csv",
        "--data-dir",
        data_dir,
        "--by",
        "region",
        "--format",
        fmt,
    )
    assert result.exit_code == 0
    if fmt == "json":
        records = json.loads(result.stdout)
        assert len(records) == 13 and sum(r["places"] for r in records) == 586
    elif fmt == "csv":
        assert result.stdout.startswith("region,nom,centres,places")
    else:
        assert "total: 24 centres, 586 places" in result.stdout


@pytest.mark.datapack
def test_graph_build_and_route(run, data_dir: Path, tmp_path: Path) -> None:
    built = run(
        "graph", "build", "france-major-roads", "-o", tmp_path / "g.npz", "--data-dir", data_dir
    )
    assert built.exit_code == 0 and "junctions" in built.stdout and (tmp_path / "g.npz").exists()
    result = run(
        "route",
        "--to",
        "4.8357,45.7640",
        "--roads",
        tmp_path / "g.npz",
        "-o",
        tmp_path / "r.geojson",
    )
    assert result.exit_code == 0 and "km" in result.stdout and "A26" in result.stdout
    km = float(result.stdout.split(" km")[0])
    assert 700 < km < 800 and (tmp_path / "r.geojson").exists()


def test_route_errors(run, data_dir: Path) -> None:
    bad = run("route", "--to", "4.8,abc", "--roads", "france-major-roads", "--data-dir", data_dir)
    assert bad.exit_code == 2 and "expected LON,LAT" in bad.output
    sea = run("route", "--to", "-8.0,46.0", "--roads", "france-major-roads", "--data-dir", data_dir)
    assert sea.exit_code == 1 and "unreachable" in sea.output
    missing = run("route", "--to", "4.8,45.7", "--roads", "nope.osm", "--data-dir", data_dir)
    assert missing.exit_code == 1 and "nope.osm: no such road file" in missing.output


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
@pytest.mark.datapack
def test_matrix_command(run, examples: Path, data_dir: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"m.{suffix}"
    result = run(
        "matrix",
        examples / "centres-sample.csv",
        "--roads",
        "france-major-roads",
        "--data-dir",
        data_dir,
        "-o",
        out,
        "--jobs",
        "1",
    )
    assert result.exit_code == 0, result.output
    import pandas as pd

    table = pd.read_csv(out) if suffix == "csv" else pd.read_parquet(out)
    assert len(table) == 25 * 25 and table["minutes"].notna().all()
    lyon = table[(table["from_id"] == "ORIGIN") & (table["to_id"] == "CAO-025")].iloc[0]
    assert 700 < lyon["km"] < 800
    assert (tmp_path / "m.rejects.csv").exists()


def test_matrix_with_every_centre_set_aside_says_so(
    run, write, data_dir: Path, tmp_path: Path
) -> None:
    centres = write("c.csv", "id;capacity;insee\nA;x;62193\n")
    result = run("matrix", centres, "--data-dir", data_dir, "-o", tmp_path / "m.csv")
    assert result.exit_code == 1 and "no centre left to measure" in result.output
    assert (tmp_path / "m.rejects.csv").is_file() and not (tmp_path / "m.csv").exists()


@pytest.mark.datapack
def test_matrix_reports_unreachable_centres(run, write, data_dir: Path, tmp_path: Path) -> None:
    centres = write("c.csv", "id;capacity;insee\nA;10;62193\nAJACCIO;10;2A004\n")
    result = run(
        "matrix",
        centres,
        "--roads",
        "france-major-roads",
        "--data-dir",
        data_dir,
        "-o",
        tmp_path / "m.csv",
        "--jobs",
        "1",
    )
    assert result.exit_code == 1 and "unreachable (1): AJACCIO" in result.output


def test_scenario_command(run, data_dir: Path, tmp_path: Path) -> None:
    result = run(
        "scenario", "calais-2016", "-o", tmp_path / "s", "--centres", "30", "--data-dir", data_dir
    )
    assert result.exit_code == 0 and "SYNTHETIC" in result.output
    assert {p.name for p in (tmp_path / "s").iterdir()} >= {
        "centres.csv",
        "people.csv",
        "fleet.json",
        "rules.json",
        "scenario.json",
    }
    bad = run(
        "scenario", "calais-2016", "-o", tmp_path / "t", "--seats", "0", "--data-dir", data_dir
    )
    assert bad.exit_code == 2 and "--seats" in bad.output


@pytest.mark.datapack
def test_allocate_and_plan_commands(
    run, small_scenario: Path, data_dir: Path, tmp_path: Path
) -> None:
    alloc = run(
        "allocate",
        small_scenario,
        "-o",
        tmp_path / "a",
        "--roads",
        "france-major-roads",
        "--data-dir",
        data_dir,
    )
    assert alloc.exit_code == 0, alloc.output
    assert (
        "490 of 490 people with a solution" in alloc.stdout
        and (tmp_path / "a/assignments.csv").exists()
    )
    plan = run(
        "plan",
        small_scenario,
        "-o",
        tmp_path / "p",
        "--roads",
        "france-major-roads",
        "--iterations",
        "300",
        "--jobs",
        "1",
        "--data-dir",
        data_dir,
    )
    # on major roads only, one centre of the small scenario is 65 km from any road: everyone is placed elsewhere,
    # the plan is written, and the command still fails so that the planner looks at it
    assert (
        plan.exit_code == 1
        and "unreachable centres (1): CAO-004: nearest road" in plan.output
        and "0 unplaced" in plan.output
    )
    assert (
        plan.output.count("CAO-004") == 1
    )  # said once (not by the snapper, the list and the error each)
    assert "naive, adults" in plan.stdout and "seat fill %" in plan.stdout
    assert {"plan.json", "trips.csv", "manifests.csv", "assignments.csv", "trips.geojson"} <= {
        p.name for p in (tmp_path / "p").iterdir()
    }


def test_allocate_with_people_rows_set_aside_fails_but_writes(
    run, small_scenario: Path, data_dir: Path, tmp_path: Path
) -> None:
    import shutil

    folder = tmp_path / "bad-row"
    shutil.copytree(small_scenario, folder)
    with (folder / "people.csv").open("a") as f:
        f.write("P99999,2016-10-24,aliens,H9999,52,76\n")
    result = run(
        "allocate",
        folder,
        "-o",
        tmp_path / "a",
        "--roads",
        "france-major-roads",
        "--data-dir",
        data_dir,
    )
    assert result.exit_code == 1, result.output
    assert (
        "490 of 490 people with a solution" in result.output
        and "1 people rows were set aside" in result.output
    )
    assert (tmp_path / "a/assignments.csv").exists() and "P99999" in (
        tmp_path / "a/people.rejects.csv"
    ).read_text()


@pytest.mark.slow
def test_plan_with_more_people_than_places_is_partial_and_fails(
    run, small_scenario: Path, data_dir: Path, tmp_path: Path
) -> None:
    import shutil

    folder = tmp_path / "crowded"
    shutil.copytree(small_scenario, folder)
    lines = (folder / "centres.csv").read_text().splitlines()
    (folder / "centres.csv").write_text(
        "\n".join(lines[:6] + [line for line in lines if "CAOMI" in line]) + "\n"
    )  # 5 adult centres left
    result = run(
        "plan",
        folder,
        "-o",
        tmp_path / "p",
        "--roads",
        "france-major-roads",
        "--iterations",
        "200",
        "--jobs",
        "1",
        "--data-dir",
        data_dir,
    )
    assert result.exit_code == 1
    assert "  unplaced " in result.output and "no places left for group 'men'" in result.output
    assert result.output.count("no places left for group 'men'") == 1
    assert "incomplete plan" in result.output and (tmp_path / "p/plan.json").exists()
    unplaced = (tmp_path / "p/unplaced.csv").read_text()
    assert "no places left" in unplaced


def test_plan_on_a_folder_without_scenario(run, data_dir: Path, tmp_path: Path) -> None:
    result = run("plan", tmp_path, "-o", tmp_path / "p", "--data-dir", data_dir)
    assert result.exit_code == 2 and "no centres.csv" in result.output


def test_demo_fails_clearly_without_data(run, tmp_path: Path) -> None:
    result = run("demo", "-o", tmp_path / "out", "--data-dir", tmp_path)
    assert result.exit_code == 1
    assert (
        "communes/communes.csv" in result.output
        and "roads/france-all-roads.osm.bz2" in result.output
    )
    assert str(tmp_path) in result.output and "--data-dir" in result.output
    assert not (tmp_path / "out").exists()


def test_map_commands(run, examples: Path, data_dir: Path, tmp_path: Path) -> None:
    result = run(
        "map",
        "capacity",
        examples / "centres-sample.csv",
        "-o",
        tmp_path / "c.html",
        "--png",
        "--data-dir",
        data_dir,
    )
    assert (
        result.exit_code == 0 and (tmp_path / "c.html").exists() and (tmp_path / "c.png").exists()
    )
    assert "people allocated" not in (tmp_path / "c.html").read_text()
    bad = run("map", "plan", tmp_path, "-o", tmp_path / "p.html", "--data-dir", data_dir)
    assert bad.exit_code == 2 and "no plan.json" in bad.output
    tiles = run(
        "map",
        "capacity",
        examples / "centres-sample.csv",
        "--tiles",
        "satellite",
        "--data-dir",
        data_dir,
    )
    assert tiles.exit_code == 2 and "satellite" in tiles.output


@pytest.mark.datapack
def test_plan_with_an_unreachable_centre_fails(
    run, small_scenario: Path, data_dir: Path, tmp_path: Path
) -> None:
    import shutil

    folder = tmp_path / "island"
    shutil.copytree(small_scenario, folder)
    with open(folder / "centres.csv", "a", encoding="utf-8") as fh:
        fh.write("CAO-AJACCIO;CAO Ajaccio;30;2A004;CAO;men;2A;94\n")
    result = run(
        "plan",
        folder,
        "-o",
        tmp_path / "p",
        "--roads",
        "france-major-roads",
        "--iterations",
        "200",
        "--jobs",
        "1",
        "--data-dir",
        data_dir,
    )
    assert result.exit_code == 1
    assert (
        "unreachable centres (2): CAO-004: nearest road" in result.output
        and "; CAO-AJACCIO: nearest road" in result.output
    )
    assert "2 unreachable centres" in result.output
    assert result.output.count("CAO-AJACCIO") == 1 and result.output.count("CAO-004") == 1
    assert (tmp_path / "p/plan.json").exists()


@pytest.mark.slow
def test_plan_reports_people_rows_set_aside(
    run, small_scenario: Path, data_dir: Path, tmp_path: Path
) -> None:
    import shutil

    folder = tmp_path / "typo"
    shutil.copytree(small_scenario, folder)
    lines = (folder / "people.csv").read_text().splitlines()
    first = lines[1].split(",")
    lines[1] = ",".join([first[0], "2016-13-45", *first[2:]])
    (folder / "people.csv").write_text("\n".join(lines) + "\n")
    result = run(
        "plan",
        folder,
        "-o",
        tmp_path / "p",
        "--roads",
        "france-major-roads",
        "--iterations",
        "100",
        "--jobs",
        "1",
        "--data-dir",
        data_dir,
    )
    assert (
        "people.csv, row 2, column 'day': error [bad-day] got '2016-13-45', expected a date YYYY-MM-DD"
        in result.output
    )
    assert "1 set aside" in result.output
    assert first[0] in (tmp_path / "p/people.rejects.csv").read_text()


@pytest.mark.datapack
def test_plan_says_each_unreachable_centre_once(
    small_scenario: Path, data_dir: Path, tmp_path: Path
) -> None:
    """As a planner sees it (a real process, logging included): the snapper, the list and the error do not each repeat it."""
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "abri.cli",
            "plan",
            str(small_scenario),
            "-o",
            str(tmp_path / "p"),
            "--roads",
            "france-major-roads",
            "--iterations",
            "50",
            "--jobs",
            "1",
            "--no-baseline",
            "--data-dir",
            str(data_dir),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in output
    assert (
        output.count("CAO-004") == 1
        and "unreachable centres (1): CAO-004: nearest road 65 km away" in output
    )
    assert output.count("accounting: ") == 1


@pytest.mark.parametrize(
    "args",
    [
        ("plan", "{scenario}", "-o", "/sys/abri-plan"),
        ("plan", "{scenario}", "-o", "{scenario}"),
        ("allocate", "{scenario}", "-o", "{scenario}"),
        ("readiness", "{scenario}", "-o", "{scenario}"),
        pytest.param(("demo", "-o", "/sys/abri-demo"), marks=pytest.mark.datapack),
        ("sweep", "{scenario}", "--grid", "{grid}", "-o", "/sys/abri-sweep"),
        ("sweep", "{scenario}", "--grid", "{grid}", "-o", "{grid}"),
    ],
)
def test_writing_commands_refuse_their_output_before_any_work(
    run, small_scenario: Path, data_dir: Path, tmp_path: Path, args, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """An output that cannot be written or would overwrite an input: exit 2 with the reason, before any work, no traceback."""
    cache = tmp_path / "cache"  # a road graph loaded would be built and cached here
    monkeypatch.setenv("ABRI_CACHE_DIR", str(cache))
    (tmp_path / "grid.toml").write_text("[fleet]\ncoaches_per_day = [10, 20]\n")
    before = sorted((p.name, p.stat().st_size) for p in small_scenario.iterdir())
    result = run(
        *(a.format(scenario=small_scenario, grid=tmp_path / "grid.toml") for a in args),
        "--data-dir",
        data_dir,
    )
    assert result.exit_code == 2, result.output
    assert any(
        why in result.output
        for why in (
            "cannot write",
            "cannot be written",
            "would replace",
            "is a file",
            "not a folder",
        )
    ), result.output
    # refused before roads, plans or clusters: no graph loaded or cached, no stage started
    assert not cache.exists() or not any(cache.rglob("*")), sorted(cache.rglob("*"))
    assert "road graph" not in result.output and "matrix" not in result.output
    assert (
        sorted((p.name, p.stat().st_size) for p in small_scenario.iterdir()) == before
        and (tmp_path / "grid.toml").stat().st_size
    )
