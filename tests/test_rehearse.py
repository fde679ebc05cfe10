"""abri rehearse: drawn events, re-planned runs, their table, summary and chart."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from PIL import Image

from abri.cli import main
from abri.cluster import dask_client
from abri.documents.rehearsal import CHART_MEASURES
from abri.files import read_csv_any
from abri.outputs.planformat import read_plan_json
from abri.replan.rehearse import COLUMNS, MEASURES, Draw, draw_events, rehearse, summary

ROADS = "france-major-roads"
NOW = "2016-10-24 10:30"


def _expected(runs: pd.DataFrame) -> dict[str, tuple[float, float, float]]:
    """Median, 90th percentile (linear between order statistics) and worst, computed by hand."""
    out = {}
    for measure in MEASURES:
        values = sorted(float(v) for v in runs[measure])
        rank = 0.9 * (len(values) - 1)
        low = int(rank)
        high = min(low + 1, len(values) - 1)
        p90 = values[low] + (rank - low) * (values[high] - values[low])
        middle = len(values) // 2
        median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
        out[measure] = (median, p90, values[-1])
    return out


def test_summary_is_computed_from_the_runs() -> None:
    rng = np.random.default_rng(4)
    runs = pd.DataFrame(
        {c: rng.integers(0, 30, 11) for c in COLUMNS} | {"legal": [True] * 8 + [False] * 3}
    )
    table = summary(runs).set_index("measure")
    for measure, figures in _expected(runs).items():
        assert tuple(table.loc[measure, ["median", "p90", "worst"]]) == pytest.approx(
            figures, abs=0.006
        )
    assert table.loc["legal", "share"] == pytest.approx(8 / 11, abs=6e-4)
    assert table.loc[MEASURES, "share"].isna().all()


@pytest.mark.slow
def test_rehearse_draws_and_tables(planned) -> None:  # type: ignore[no-untyped-def]
    prepared, parent = planned
    draw = Draw(no_show=0.1, extra=0.05, late=0.2, breakdowns=1)
    trips = list(read_plan_json(parent)["trips"])
    groups = prepared.scenario.people["group"].tolist()
    events = draw_events(trips, groups, NOW, draw, 7)
    assert events == draw_events(trips, groups, NOW, draw, 7)  # the seed decides
    kinds = {e.kind for e in events}
    assert {"no-show", "registered", "broke-down", "late"} <= kinds
    table = rehearse(prepared, parent, NOW, draw=draw, runs=2, seed=7)
    assert table["run"].tolist() == [7, 8] and (table["moved"] > 0).all()
    assert table["legal"].all() and (table["first_error"] == "").all(), table
    assert summary(table).set_index("measure").loc["legal", "share"] == 1.0


@pytest.mark.slow
def test_rehearse_on_dask_workers(planned) -> None:  # type: ignore[no-untyped-def]
    prepared, parent = planned
    with dask_client(2, None, None) as client:
        table = rehearse(prepared, parent, NOW, runs=2, seed=3, client=client)
    alone = rehearse(prepared, parent, NOW, runs=2, seed=3)
    pd.testing.assert_frame_equal(table.drop(columns="seconds"), alone.drop(columns="seconds"))


@pytest.mark.slow
@pytest.mark.parametrize(("dialect", "lang"), [("excel-fr", "fr"), ("default", "en")])
def test_rehearse_command_writes_table_summary_and_chart(  # type: ignore[no-untyped-def]
    planned, small_scenario: Path, data_dir: Path, tmp_path: Path, dialect: str, lang: str
) -> None:
    _, parent = planned
    out = tmp_path / "rehearsal"
    args = ["--csv-dialect", dialect, "rehearse", str(parent), "--scenario", str(small_scenario)]
    args += ["--now", NOW, "--runs", "3", "--workers", "0", "--roads", ROADS, "--lang", lang]
    args += ["--data-dir", str(data_dir), "--no-show", "10%", "--breakdowns", "1", "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    text = (out / "summary.csv").read_text(encoding="utf-8-sig")
    assert (";" in text.splitlines()[0]) == (dialect == "excel-fr")
    runs = read_csv_any(out / "runs.csv")
    assert runs.columns.tolist() == COLUMNS and len(runs) == 3
    shown = read_csv_any(out / "summary.csv").set_index("measure")
    for measure, figures in _expected(runs).items():
        assert tuple(shown.loc[measure, ["median", "p90", "worst"]]) == pytest.approx(
            figures, abs=0.006
        )
    legal = runs["legal"].astype(str).str.lower() == "true"
    assert shown.loc["legal", "share"] == pytest.approx(legal.mean(), abs=6e-4)
    with Image.open(out / "rehearsal.png") as image:
        assert image.format == "PNG" and image.size[0] > 800
        image.verify()
    page = (out / "rehearsal.html").read_text(encoding="utf-8")
    for mark in ("panel", "median", "p90"):
        found = re.findall(rf'id="{mark}-([a-z_]+)"', page)
        assert sorted(found) == sorted(CHART_MEASURES), (mark, found)
    assert ("Personnes déplacées" in page) == (lang == "fr")
    assert ("People moved" in page) == (lang == "en")
