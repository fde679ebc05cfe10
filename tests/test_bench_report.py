"""The performance tables of the README and the docs are generated from the benchmark records."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str) -> ModuleType:
    """A module of ``bench/`` (outside the package import path), imported by file."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


records = _load("records")
report = _load("report")


def _generated(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    assert report.BEGIN in text and report.END in text, f"{path} has no generated table"
    return text.split(report.BEGIN, 1)[1].split(report.END, 1)[0].strip("\n")


def test_readme_table_is_generated_from_the_committed_records() -> None:
    committed = report.load_records(report.RESULTS)
    assert committed, "bench/results/ holds no record"
    assert _generated(ROOT / "README.md") == report.readme_table(committed), (
        "README.md's performance table is not what the records give: run python bench/report.py"
    )


def test_docs_table_is_generated_from_the_committed_records() -> None:
    committed = report.load_records(report.RESULTS)
    assert _generated(ROOT / "docs" / "benchmarks.md") == report.full_table(committed), (
        "docs/benchmarks.md's table is not what the records give: run python bench/report.py"
    )


def test_latest_record_of_a_figure_wins_with_its_baseline_machine_and_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "RESULTS", tmp_path)
    records.record("demo", "abri demo, cold (empty cache)", 200.0, "s")
    records.record("demo", "abri demo, warm (cached graph)", 120.0, "s")
    second = records.record(
        "demo", "abri demo, cold (empty cache)", 150.0, "s", baseline=300, baseline_name="old way"
    )
    lines = (tmp_path / "demo.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    rows = report.latest(report.load_records(tmp_path))
    assert [(r["figure"], r["value"]) for r in rows] == [
        ("abri demo, cold (empty cache)", 150.0),
        ("abri demo, warm (cached graph)", 120.0),
    ]
    full = report.full_table(report.load_records(tmp_path))
    assert "| 150 s | 300 s, old way |" in full
    assert f"{second['cpus']} cores" in full and str(second["load_1min"]) in full
    short = report.readme_table(report.load_records(tmp_path))
    assert short.count("\n") == 2, "one headline row per benchmark"
    assert "abri demo, cold (empty cache) | 150 s | 300 s, old way" in short


def test_numbers_print_with_their_unit() -> None:
    assert report.number(4734015, "bytes") == "4,734,015 bytes"
    assert report.number(1.744, "x") == "1.74x"
    assert report.number(0.0512, "%") == "0.051 %"
    assert report.number(None, "s") == "-"
    never = {"baseline": None, "baseline_name": "folium: never drawn", "unit": "s"}
    assert report.baseline(never) == "folium: never drawn"
    assert report.baseline({"baseline": None, "unit": "s"}) == "-"


def test_missing_markers_are_named(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="markers"):
        report.replace_between("no table here", "| a |", where=tmp_path / "README.md")
