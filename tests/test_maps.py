"""Map contents without a browser: classes and legends, popups and sheets, the Python API, report images."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import folium
import numpy as np
import pandas as pd
import pytest

from abri.maps.base import NO_PLACES, AbriMap, classify, occupancy_colour
from abri.maps.capacity import capacity_map
from abri.maps.plan import PlanData, plan_map, trip_sheet, write_plan_map


def config(fmap: folium.Map) -> dict[str, Any]:
    """The JSON config a map hands to abri.init."""
    [element] = [c for c in fmap._children.values() if isinstance(c, AbriMap)]
    return json.loads(element.config)


@pytest.fixture(scope="module")
def small_run(small_scenario: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The small scenario planned on the major roads, and its plan folder."""
    from abri.pipeline import run_plan, write_run

    run = run_plan(small_scenario, roads="france-major-roads", progress=False)
    folder = tmp_path_factory.mktemp("small-plan") / "plan"
    write_run(run, folder)
    return run, folder


def test_count_classes_are_integers_with_a_grey_no_places_class() -> None:
    values = pd.Series([0, 3, 7.0, 12, 40, 41, 90, 150, 0])
    fills, rows = classify(values, "count", has_places=values > 0)
    labels = [label for _, label in rows]
    assert labels[-1] == "no places" and fills[0] == NO_PLACES and fills[-1] == NO_PLACES
    assert all(re.fullmatch(r"[\d,]+( - [\d,]+)?", label) for label in labels[:-1])
    assert labels[0].startswith("3") and labels[-2].endswith("150")
    lows = [int(label.split(" - ")[0].replace(",", "")) for label in labels[:-1]]
    highs = [int(label.split(" - ")[-1].replace(",", "")) for label in labels[:-1]]
    assert all(
        h + 1 == lo for h, lo in zip(highs, lows[1:])
    )  # classes meet without gaps or overlaps
    assert NO_PLACES not in fills[1:-1]


def test_percent_classes_are_rounded_and_rates_keep_one_decimal() -> None:
    fills, rows = classify(pd.Series([12.345, 55.5, 100.0, np.nan]), "percent")
    assert [label for _, label in rows] == [
        "0% - 24%",
        "25% - 49%",
        "50% - 74%",
        "75% - 89%",
        "90% - 100%",
        "no places",
    ]
    assert fills[-1] == NO_PLACES
    _, rows = classify(pd.Series(np.linspace(0.5, 9.5, 30)), "rate")
    assert all(re.fullmatch(r"\d+\.\d - \d+\.\d", label) for _, label in rows)


def test_few_distinct_values_get_as_many_classes() -> None:
    fills, rows = classify(pd.Series([5, 5, 10]), "count")
    assert [label for _, label in rows] == ["5", "10"] and len(set(fills)) == 2


def test_centre_colours_go_light_to_dark() -> None:
    assert occupancy_colour(0) == "#ffffff" and occupancy_colour(0.3) != occupancy_colour(
        0.95
    ) == occupancy_colour(1.0)


def test_trip_sheet_escapes_and_shows_slot_and_return() -> None:
    trip = {
        "coach": "C<1>",
        "day": "2016-10-24",
        "slot": "06:00-06:30",
        "departure": "06:30",
        "return": "23:10",
        "km": 400,
        "driving_h": 6.2,
        "drivers": 1,
        "legal": False,
        "stops": [
            {
                "centre_id": "A",
                "arrival": "10:00",
                "groups": {"men": 2, "women": 1},
                "people": ["p1", "p2", "p3"],
            }
        ],
    }
    sheet = trip_sheet(trip, {"A": "<script>x</script> centre"})
    assert (
        "C&lt;1&gt;" in sheet
        and "&lt;script&gt;x&lt;/script&gt; centre" in sheet
        and "<script>" not in sheet
    )
    assert (
        "06:00-06:30" in sheet
        and "23:10" in sheet
        and "2 men, 1 women" in sheet
        and "NOT LEGAL" in sheet
    )


def test_plan_map_from_a_run_matches_the_folder(small_run) -> None:  # type: ignore[no-untyped-def]
    run, folder = small_run
    in_memory, written = config(plan_map(run)), config(plan_map(folder))
    assert len(in_memory["trips"]) == len(written["trips"]) == len(run.plan.trips)
    assert [t["coach"] for t in in_memory["trips"]] == [t["coach"] for t in written["trips"]]
    assert in_memory["label"] == written["label"] == run.scenario.label != ""
    assert {t["day"] for t in in_memory["trips"]} == {d[0] for d in in_memory["days"]}
    first = in_memory["trips"][0]
    names = dict(zip(run.centres["id"], run.centres["name"]))
    assert [s[2] for s in first["stops"]] == [names[s.centre_id] for s in run.plan.trips[0].stops]
    assert "<iframe" in plan_map(run)._repr_html_()  # shows inline in a notebook
    centres = {c["id"]: c for c in in_memory["centres"]["features"]}
    stop = run.plan.trips[0].stops[0]
    assert (
        run.plan.trips[0].day in centres[stop.centre_id]["days"]
        and run.plan.trips[0].coach in centres[stop.centre_id]["popup"]
    )


@pytest.mark.datapack
def test_capacity_map_extra_measure_hook(small_run) -> None:  # type: ignore[no-untyped-def]
    run, folder = small_run
    missing = pd.Series({"62": 120, "59": 30, "75": 0})
    cfg = config(
        capacity_map(
            run.centres,
            plan=folder,
            extra={"places missing": (missing, "places missing by department")},
            lang="en",
        )
    )
    measure = next(m for m in cfg["measures"] if m["name"] == "places missing")
    assert (
        measure["legend"][0] == "places missing by department"
        and ["#cfcfcf", "no places"] in measure["legend"][1]
    )
    depts = {f["properties"]["code"]: f["properties"] for f in cfg["depts"]["features"]}
    assert (
        depts["62"]["values"][measure["key"]] == "120"
        and depts["13"]["fill"][measure["key"]] == NO_PLACES
    )
    assert (
        "places missing" in depts["62"]["popup"]
        and "arrivals" in depts[run.centres["departement"].iloc[0]]["popup"]
    )
    assert [m["key"] for m in cfg["measures"]][:4] == [
        "places",
        "places_per_10k",
        "allocated",
        "occupancy_pct",
    ]


def test_report_images_carry_the_label_only_for_a_synthetic_plan(small_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _run, folder = small_run
    data = PlanData.from_folder(folder)
    [_, svg] = write_plan_map(data, tmp_path / "synthetic.html", svg=True, lang="en")
    text = svg.read_text()
    assert (
        "SYNTHETIC" in text
        and "Calais" in text
        and "100 km" in text
        and "made on" in text
        and "2016-10-24" in text
    )
    assert f"scenario: {data.name}" in text and "Coach trips by day" in text and "no places" in text
    data.document["label"] = ""  # a real list
    [_, real_svg, pdf] = write_plan_map(data, tmp_path / "real.html", svg=True, pdf=True)
    assert "SYNTHETIC" not in real_svg.read_text() and pdf.read_bytes().startswith(b"%PDF")
    small = write_plan_map(data, tmp_path / "low.html", png=True, dpi=60)[1].stat().st_size
    large = write_plan_map(data, tmp_path / "high.html", png=True, dpi=200)[1].stat().st_size
    assert large > 2 * small


def test_script_data_cannot_close_the_script_element(small_run) -> None:  # type: ignore[no-untyped-def]
    run, _ = small_run
    centres = run.centres.copy()
    centres.loc[centres.index[0], "name"] = "</script><script>alert(1)</script>"
    html = capacity_map(centres).get_root().render()
    assert "</script><script>alert(1)" not in html and "<\\/script><script>alert(1)" in html


def test_maps_speak_french_when_asked(small_scenario: Path, data_dir: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from abri.cli import main
    from abri.geo.centres import read_centres
    from abri.maps.base import TEXT
    from abri.maps.capacity import capacity_map

    centres, _ = read_centres(small_scenario / "centres.csv", data_dir=data_dir)
    french = capacity_map(centres, data_dir=data_dir, lang="fr").get_root().render()
    english = capacity_map(centres, data_dir=data_dir, lang="en").get_root().render()
    default = capacity_map(centres, data_dir=data_dir).get_root().render()
    assert "Capacités d'accueil par département" in default  # French unless asked, as the CLI
    assert "Capacités d'accueil par département" in french and "Légende" in french
    assert "Reception capacity by department" in english and "Capacités d'accueil" not in english
    assert TEXT["legend"] == "Legend"  # the language is the map's, not the module's
    out = CliRunner().invoke(
        main,
        [
            "map",
            "capacity",
            str(small_scenario / "centres.csv"),
            "-o",
            str(tmp_path / "c.html"),
            "--lang",
            "fr",
            "--data-dir",
            str(data_dir),
        ],
    )
    assert out.exit_code == 0, out.output
    assert "places pour 10 000 habitants" in (tmp_path / "c.html").read_text()


def test_map_page_has_language_title_zoom_and_links_to_the_sheets(
    small_run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from abri.documents.index import sheet_path

    _run, folder = small_run
    [path] = write_plan_map(folder, tmp_path / "plan.html", lang="fr", sheets="documents")
    html = path.read_text(encoding="utf-8")
    assert '<html lang="fr">' in html and re.search(r"<title>[^<]+</title>", html)
    assert "user-scalable=no" not in html and 'content="width=device-width' in html
    fmap = plan_map(folder, lang="fr", sheets="documents")
    trips, centres = config(fmap)["trips"], config(fmap)["centres"]["features"]
    for trip in trips:
        assert f"href='documents/{sheet_path('coach', trip['coach'])}'" in trip["sheet"]
    receiving = [c for c in centres if c["days"]]
    assert receiving and all(
        f"href='documents/{sheet_path('centre', c['id'])}'" in c["popup"] for c in receiving
    )
    assert not any("documents/" in c["popup"] for c in centres if not c["days"])


@pytest.mark.slow
@pytest.mark.parametrize("viewport", ["laptop", "phone"])
def test_popup_links_open_the_sheets_in_chromium(  # type: ignore[no-untyped-def]
    small_run, data_dir: Path, browser, tmp_path: Path, viewport: str
) -> None:
    """Every link of the map's popups reaches a written sheet; a coach's opens its road sheet (1366x768, 400x800)."""
    from browser import VIEWPORTS, open_map  # type: ignore[import-not-found]

    from abri.documents import write_documents

    _run, folder = small_run
    write_documents(folder, tmp_path / "documents", lang="fr", data_dir=data_dir)
    [path] = write_plan_map(
        folder, tmp_path / "plan.html", lang="fr", data_dir=data_dir, sheets="documents"
    )
    cfg = config(plan_map(folder, lang="fr", data_dir=data_dir, sheets="documents"))
    popups = [t["sheet"] for t in cfg["trips"]] + [c["popup"] for c in cfg["centres"]["features"]]
    links = [href for p in popups for href in re.findall(r"href='([^']+)'", p)]
    assert len(links) > len(cfg["trips"]) and all((tmp_path / href).is_file() for href in links)
    coach = cfg["trips"][-1]["coach"]
    visit = open_map(browser, path, viewport=VIEWPORTS[viewport])
    try:
        page = visit.page
        if viewport == "phone":
            page.click(".abri-panel .abri-fold")
        page.fill(".abri-search", coach)
        page.keyboard.press("Enter")
        link = page.locator(".abri-sheet-text .abri-sheet-link a")
        link.wait_for()
        with page.context.expect_page() as opened:
            link.click()
        sheet = opened.value
        sheet.wait_for_selector("section.sheet[data-kind='coach']")
        assert sheet.get_attribute("section.sheet", "data-key") == coach
        assert coach in sheet.inner_text("section.sheet") and visit.errors == []
    finally:
        visit.close()
