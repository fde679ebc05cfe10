"""The plan map of a re-planned folder in Chromium (1366x768, 400x800): its version, and what changed since the parent.

The small scenario is planned, then ``abri replan`` runs with a no-show, a breakdown and new
registrations (a coach cancelled, coaches added); the map of the new folder names its version
under the title, draws the changed coaches dashed with their reason in their sheet, and lists
them in its panel; the map of the first plan shows none of it.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from browser import VIEWPORTS, boxes, open_map  # type: ignore[import-not-found]
from click.testing import CliRunner

from abri.cli import main
from abri.maps.plan import write_plan_map
from abri.outputs.planformat import read_plan_json
from abri.pipeline import plan_prepared, prepare, write_run

pytestmark = pytest.mark.slow  # one small plan on real roads and its re-plan, shared by the module

ROADS = "france-major-roads"
NOW = "2016-10-24 10:30"
VERSION_LINE = {
    "en": "version 2, re-planned at 2016-10-24 10:30 from version 1",
    "fr": "version 2, replanifiée le 2016-10-24 à 10:30 à partir de la version 1",
}


@pytest.fixture(scope="module")
def versions(small_scenario: Path, data_dir: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A first plan (v1), its re-plan at 10:30 with `abri replan` (v2), and the maps of both."""
    folder = tmp_path_factory.mktemp("map-versions")
    prepared = prepare(small_scenario, roads=ROADS, data_dir=data_dir)
    run = plan_prepared(prepared, baseline=False, time_limit=1, jobs=1)
    write_run(run, folder / "v1")
    trips = read_plan_json(folder / "v1")["trips"]
    ahead = [t for t in trips if f"{t['day']} {t['departure']}" > NOW]
    rows = [
        {"kind": "no-show", "time": NOW, "person": ahead[0]["stops"][0]["people"][0]},
        {
            "kind": "broke-down",
            "time": "2016-10-24 10:05",
            "coach": ahead[-1]["coach"],
            "where": "dépôt",
        },
        *[
            {"kind": "registered", "time": "2016-10-24 09:00", "person": f"NEW{n}", "group": "men"}
            for n in range(60)
        ],
    ]
    events = folder / "events.csv"
    with events.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(
            fh, fieldnames=["kind", "time", "person", "coach", "group", "where"]
        )
        writer.writeheader()
        writer.writerows(rows)
    args = ["replan", str(folder / "v1"), "--events", str(events), "--now", NOW]
    args += ["--roads", ROADS, "--data-dir", str(data_dir), "-o", str(folder / "v2")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    maps = {
        (v, lang): write_plan_map(
            folder / v, folder / f"{v}-{lang}.html", data_dir=data_dir, lang=lang
        )[0]
        for v in ("v1", "v2")
        for lang in ("en", "fr")
    }
    changed = pd.read_csv(folder / "v2" / "coaches_changed.csv", dtype=str).fillna("")
    return folder, maps, changed


@pytest.fixture(params=sorted(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> tuple[int, int]:
    return VIEWPORTS[request.param]


def _visit(browser: Any, path: Path, viewport: tuple[int, int]) -> Any:
    visit = open_map(browser, path, viewport=viewport)
    assert not visit.errors and not visit.outside
    return visit


def test_the_replan_cancelled_and_added_coaches(versions) -> None:  # type: ignore[no-untyped-def]
    _, _, changed = versions
    assert {"cancelled", "added"} <= set(changed["change"])


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_version_line_under_the_title(browser, versions, viewport, lang: str) -> None:  # type: ignore[no-untyped-def]
    _, maps, _ = versions
    visit = _visit(browser, maps["v2", lang], viewport)
    try:
        title = visit.page.locator(".abri-title")
        assert visit.page.inner_text(".abri-title .abri-version") == VERSION_LINE[lang]
        assert title.is_visible()
    finally:
        visit.close()


def test_a_first_plan_shows_no_version_nor_changes(browser, versions, viewport) -> None:  # type: ignore[no-untyped-def]
    _, maps, _ = versions
    visit = _visit(browser, maps["v1", "en"], viewport)
    try:
        assert visit.count(".abri-version") == 0 and visit.count(".abri-changes") == 0
        assert visit.count("path.abri-changed") == 0
        assert "version" not in visit.page.inner_text(".abri-title")
        assert "Changed since" not in visit.page.inner_text(".abri-legend")
    finally:
        visit.close()


def test_changed_coaches_are_dashed_listed_and_in_the_legend(browser, versions, viewport) -> None:  # type: ignore[no-untyped-def]
    _, maps, changed = versions
    visit = _visit(browser, maps["v2", "en"], viewport)
    page = visit.page
    try:
        for kind in ("added", "cancelled"):
            coaches = set(changed.loc[changed["change"] == kind, "coach"])
            drawn = page.locator(f"path.abri-changed-{kind}")
            assert drawn.count() == len(coaches)  # cancelled ones on their old road
            assert all(drawn.nth(i).get_attribute("stroke-dasharray") for i in range(drawn.count()))
            listed = page.locator(f".abri-change[data-change='{kind}'] .abri-changed-coach")
            assert {
                listed.nth(i).get_attribute("data-coach") for i in range(listed.count())
            } == coaches
        unchanged = page.locator("path.abri-trip:not(.abri-changed)")
        assert unchanged.count() > 0 and not unchanged.first.get_attribute("stroke-dasharray")
        moved = len(pd.read_csv(versions[0] / "v2" / "changes.csv"))
        panel = page.inner_text(".abri-changes")
        assert "Changed since version 1" in panel and f"{moved} people moved" in panel
        if (
            page.locator(".abri-legend-fold").is_visible()
            and not page.locator(".abri-legend .abri-body").is_visible()
        ):
            page.click(".abri-legend-fold")
        legend = page.inner_text(".abri-legend")
        assert "Changed since version 1" in legend and "coach cancelled (1)" in legend
    finally:
        visit.close()


@pytest.mark.parametrize("kind", ["cancelled", "added"])
def test_a_changed_coach_sheet_gives_the_reason(browser, versions, viewport, kind: str) -> None:  # type: ignore[no-untyped-def]
    _, maps, changed = versions
    row = changed[changed["change"] == kind].iloc[0]
    visit = _visit(browser, maps["v2", "en"], viewport)
    page = visit.page
    try:
        if page.locator(".abri-panel.abri-folded").count():
            page.click(".abri-panel .abri-fold")
        page.click(f".abri-changed-coach[data-coach='{row['coach']}']")
        page.wait_for_selector(".abri-sheet-text .abri-changed-note")
        note = page.inner_text(".abri-sheet-text .abri-changed-note")
        assert note.startswith("Changed since version 1")
        assert row["why"] in note and f"coach {kind}" in note
        assert f"coach {row['coach']}" in page.inner_text(".abri-sheet-text")
        visit.settle()  # the popup has panned into view
        for popup in boxes(page, ".leaflet-popup-content-wrapper"):  # a phone: the sheet is a popup
            assert popup["x"] >= 0 and popup["x"] + popup["w"] <= viewport[0]
    finally:
        visit.close()


def test_french_words(browser, versions) -> None:  # type: ignore[no-untyped-def]
    _, maps, _ = versions
    visit = _visit(browser, maps["v2", "fr"], VIEWPORTS["laptop"])
    try:
        panel = visit.page.inner_text(".abri-changes")
        assert "Modifié depuis la version 1" in panel and "car annulé (1)" in panel
    finally:
        visit.close()


def test_report_images_name_the_version(versions, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    folder, _, _ = versions
    [_, v2] = write_plan_map(
        folder / "v2", folder / "img-v2.html", svg=True, lang="en", data_dir=data_dir
    )
    [_, v1] = write_plan_map(
        folder / "v1", folder / "img-v1.html", svg=True, lang="en", data_dir=data_dir
    )
    written = [" ".join(re.findall(r"<!-- (.*?) -->", svg.read_text())) for svg in (v2, v1)]
    assert VERSION_LINE["en"] in written[0] and "re-planned" not in written[1]  # lines wrapped
