"""Pages people act on: road sheets a crew drives from (address, GPS, QR, contacts, breaks, roads),
watch points on the pages concerned, a summary for every department with places, households on
centre sheets, an index with one file per sheet; in Chromium at 1366x768 and 400x800, on screen and printed."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from qrdecode import decode_image, decode_png, matrix_image  # type: ignore[import-not-found]

from abri.documents import write_documents
from abri.documents.alerts import LATE_GROUPS, LATE_HOUR, fragile_at
from abri.documents.places import geo_link, readable_roads
from abri.documents.qr import matrix
from abri.documents.tables import clock_seconds
from abri.files import read_csv_any
from abri.i18n import format_duration, format_number, translate

SHEET = re.compile(
    r'<section class="sheet" data-kind="(\w+)" data-key="([^"]*)">(.*?)</section>', re.S
)
DISPATCHER = "PC opération Calais — 03 21 99 00 00"
VIEWPORTS = {"laptop": (1366, 768), "phone": (400, 800)}


@pytest.fixture(scope="module")
def plan_dir(
    small_scenario: Path, data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The small scenario with addresses and phones for half its centres, late departures and tight ride limits."""
    from abri.pipeline import run_plan, write_run

    folder = tmp_path_factory.mktemp("pages") / "scenario"
    shutil.copytree(small_scenario, folder)
    centres = pd.read_csv(folder / "centres.csv", sep=";", dtype=str, encoding="utf-8-sig")
    half = [i % 2 == 0 for i in range(len(centres))]
    centres["adresse"] = [f"{i} rue de l'Église" if h else "" for i, h in enumerate(half)]
    centres["téléphone"] = [f"03 21 00 {i:02d} {i:02d}" if h else "" for i, h in enumerate(half)]
    centres.to_csv(folder / "centres.csv", sep=";", index=False, encoding="utf-8-sig")
    rules = json.loads((folder / "rules.json").read_text(encoding="utf-8"))
    rules |= {"departure": "17:00", "last_departure": "19:00", "reception_close": "23:59"}
    rules["max_ride_hours"] = {"vulnerable": 0.5, "families": 1.0, "minors": 1.0}
    (folder / "rules.json").write_text(json.dumps(rules), encoding="utf-8")
    run = run_plan(
        folder, roads="france-major-roads", data_dir=data_dir, iterations=200, baseline=False
    )
    out = folder.parent / "plan"
    write_run(run, out)
    coaches = [t.coach for t in run.plan.trips]
    roster = pd.DataFrame(
        {
            "coach": coaches,
            "société": "Cars du Détroit",
            "plaque": [f"AB-{i:03d}-CD" for i in range(len(coaches))],
            "téléphone conducteur": [f"06 12 34 56 {i:02d}" for i in range(len(coaches))],
        }
    )
    roster.to_csv(out.parent / "roster.csv", index=False)
    return out


@pytest.fixture(scope="module")
def docs(plan_dir: Path, data_dir: Path) -> Path:
    """French documents with the roster and the dispatcher's contact."""
    out = plan_dir.parent / "docs"
    write_documents(
        plan_dir,
        out,
        lang="fr",
        roster=plan_dir.parent / "roster.csv",
        data_dir=data_dir,
        dispatcher=DISPATCHER,
    )
    return out


def plan_json(plan_dir: Path) -> dict[str, Any]:
    return dict(json.loads((plan_dir / "plan.json").read_text(encoding="utf-8")))


def centres(plan_dir: Path) -> pd.DataFrame:
    features = json.loads((plan_dir / "centres.geojson").read_text(encoding="utf-8"))["features"]
    return pd.DataFrame([f["properties"] for f in features]).set_index("id", drop=False)


def sheets(path: Path) -> dict[str, str]:
    """Sheet key -> body, for every sheet in an HTML document."""
    return {key: body for _, key, body in SHEET.findall(path.read_text(encoding="utf-8"))}


def test_qr_codes_decode_with_a_real_decoder() -> None:
    texts = ["geo:50.95126,1.85871", "geo:-45.12345,-179.99999", "x" * 40, "geo:" + "9" * 300]
    for text in texts:
        assert decode_image(matrix_image(matrix(text))) == [text]


def test_roads_read_as_signs_and_hours_as_clocks() -> None:
    main, local = readable_roads("D127 D247 A16 A16 A26 D212;D713 D1.1 N42 A26 D1")
    assert main == ["A16", "A26", "N42", "A26"]
    assert local == ["D127", "D247", "D212/D713", "D1"]
    assert format_duration(10.86, "fr") == "10 h 52" and format_duration(0.5, "en") == "0 h 30"


def test_road_sheets_say_where_to_go_and_whom_to_call(plan_dir: Path, docs: Path) -> None:
    plan, located = plan_json(plan_dir), centres(plan_dir)
    roster = pd.read_csv(plan_dir.parent / "roster.csv", dtype=str).set_index("coach")
    road = sheets(docs / "road-sheets.html")
    for trip in plan["trips"]:
        body = road[trip["coach"]]
        assert DISPATCHER in body
        for column in ("société", "plaque", "téléphone conducteur"):
            assert roster.at[trip["coach"], column] in body
        stops = re.findall(r'<tr class="stop" data-stop="(\d+)">(.*?)</tr>', body, re.S)
        assert len(stops) == len(trip["stops"])
        for (_, row), stop in zip(stops, trip["stops"]):
            centre = located.loc[stop["centre_id"]]
            link = geo_link(centre["lat"], centre["lon"])
            assert f'href="{link}"' in row and f'data-geo="{link}"' in row
            if centre["adresse"]:
                assert (
                    centre["adresse"].replace("'", "&#x27;") in row and centre["téléphone"] in row
                )
        assert body.count('class="break"') == sum(s["breaks_before"] for s in trip["stops"])
        assert not re.search(r"\d+,\d\d</td>", body.split("<h2>Itinéraire")[1].split("</table>")[0])


def test_road_sheets_show_no_empty_field(plan_dir: Path, docs: Path) -> None:
    """A fleet listing no coaches leaves no empty "Véhicule" (nor any other label without a value)."""
    road = sheets(docs / "road-sheets.html")
    for trip in plan_json(plan_dir)["trips"]:
        body = road[trip["coach"]]
        assert "<dd></dd>" not in body
        assert (f"<dt>{translate('vehicle', 'fr')}</dt>" in body) == bool(trip.get("vehicle"))


def alert_pages(docs: Path) -> dict[str, dict[str, str]]:
    return {
        "coach": sheets(docs / "road-sheets.html"),
        "centre": sheets(docs / "centre-sheets.html"),
        "departement": sheets(docs / "prefecture-summaries.html"),
        "operation": sheets(docs / "operation-summary.html"),
    }


def expected_alerts(plan: dict[str, Any], located: pd.DataFrame) -> list[dict[str, str]]:
    """Every rule broken for someone, read from plan.json: (kind, coach, centre)."""
    out = [
        {"kind": "ride", "coach": r["coach"], "centre": r["centre_id"]}
        for r in plan["ride_exceptions"]
    ]
    for trip in plan["trips"]:
        for stop in trip["stops"]:
            if clock_seconds(stop["arrival"]) >= clock_seconds(LATE_HOUR) and any(
                stop["groups"].get(g) for g in LATE_GROUPS
            ):
                out.append({"kind": "late", "coach": trip["coach"], "centre": stop["centre_id"]})
            if trip["legal"] and any(fragile_at(trip, pct) for pct in (10, 20)):
                out.append({"kind": "fragile", "coach": trip["coach"], "centre": stop["centre_id"]})
    return out


def check_alerts(plan_dir: Path, docs: Path) -> int:
    plan, located = plan_json(plan_dir), centres(plan_dir)
    pages = alert_pages(docs)
    expected = expected_alerts(plan, located)
    for alert in expected:
        coach, centre = alert["coach"], alert["centre"]
        dep = str(located.at[centre, "departement"])
        for kind, key in (
            ("coach", coach),
            ("centre", centre),
            ("departement", dep),
            ("operation", "operation"),
        ):
            items = re.findall(rf'<li data-alert="{alert["kind"]}">([^<]*)</li>', pages[kind][key])
            assert any(coach in item for item in items), (alert, kind, key)
    return len(expected)


def test_every_broken_rule_is_on_the_pages_concerned(plan_dir: Path, docs: Path) -> None:
    kinds = {a["kind"] for a in expected_alerts(plan_json(plan_dir), centres(plan_dir))}
    assert {"ride", "late"} <= kinds  # the scenario is made to break both
    assert check_alerts(plan_dir, docs) > 0
    ride = plan_json(plan_dir)["ride_exceptions"][0]
    text = sheets(docs / "road-sheets.html")[ride["coach"]]
    assert format_duration(ride["limit_h"], "fr") in text


def test_every_departement_with_places_gets_a_summary(plan_dir: Path, docs: Path) -> None:
    located = centres(plan_dir)
    pages = sheets(docs / "prefecture-summaries.html")
    arrivals = read_csv_any(docs / "centre-sheets.csv", dtype=str)
    dep_column = translate("departement", "fr")
    for dep, part in located[located["capacity"] > 0].groupby(located["departement"].astype(str)):
        body = pages[dep]
        coming = arrivals[arrivals[dep_column] == dep]
        if coming.empty:
            places = format_number(int(part["capacity"].sum()), "fr")
            assert translate("stand_down", "fr", n=places).replace("'", "&#x27;") in body
        else:
            timetable = body.split(translate("timetable", "fr"))[1].split("</table>")[0]
            assert (
                timetable.count("<tr>") == len(coming) + 1
            )  # header + one row per coach and centre
            assert all(c in timetable for c in coming[translate("coach", "fr")])
            heads = re.findall(
                r"<th[^>]*>([^<]*)</th>", timetable
            )  # coach, centre, time, head counts
            assert {translate(k, "fr") for k in ("coach", "arrival", "total", "households")} <= set(
                heads
            )


def test_centre_sheets_group_people_by_household(plan_dir: Path, docs: Path) -> None:
    people = pd.read_csv(plan_dir / "assignments.csv", dtype=str).fillna("")
    pages = sheets(docs / "centre-sheets.html")
    checked = 0
    for (centre, household), part in people[people["coach"] != ""].groupby(
        ["centre_id", "household"]
    ):
        if len(part) < 2:
            continue
        row = re.search(rf"<tr><td>{household}</td><td class=\"n\">(\d+)</td>", pages[centre])
        assert row is not None and int(row[1]) == len(part), (centre, household)
        checked += 1
    assert checked > 0


def test_index_links_every_sheet_file(docs: Path) -> None:
    index = (docs / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)"', index)
    assert links and all((docs / link).is_file() for link in links)
    for folder, whole in (
        ("coaches", "road-sheets"),
        ("centres", "centre-sheets"),
        ("departements", "prefecture-summaries"),
    ):
        keys = set(sheets(docs / f"{whole}.html"))
        files = sorted((docs / folder).glob("*.html"))
        assert len(files) == len(keys) and all(f"{folder}/{f.name}" in links for f in files)
        one = files[0].read_text(encoding="utf-8")
        assert one.count('<section class="sheet"') == 1 and 'href="../index.html"' in one
        assert '<meta name="viewport" content="width=device-width' in one


def open_page(browser: Any, path: Path, viewport: tuple[int, int], *, media: str = "screen") -> Any:
    """A fresh page on `path` with the network refused, once its first sheet is there."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(("file:", "data:")) else route.abort()
        ),
    )
    page = context.new_page()
    page.emulate_media(media=media)
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_selector("section.sheet")
    return page


@pytest.mark.slow
@pytest.mark.parametrize("name", list(VIEWPORTS))
def test_pages_read_on_a_laptop_and_a_phone(docs: Path, browser, name: str) -> None:  # type: ignore[no-untyped-def]
    width, height = VIEWPORTS[name]
    for path in (
        docs / "index.html",
        next((docs / "coaches").glob("*.html")),
        next((docs / "centres").glob("*.html")),
        docs / "prefecture-summaries.html",
    ):
        page = open_page(browser, path, (width, height))
        try:
            widths = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
            assert widths[0] <= widths[1], (path.name, widths)  # no sideways scrolling of the page
            size = page.evaluate(
                "() => parseFloat(getComputedStyle(document.querySelector('section.sheet li, section.sheet dd, section.sheet td')).fontSize)"
            )
            assert size >= 11, (path.name, size)
        finally:
            page.context.close()
    page = open_page(browser, docs / "index.html", (width, height))
    try:
        link = page.locator("nav.index a[href^='coaches/']").first
        link.click()
        page.wait_for_selector("section.sheet[data-kind='coach']")
        page.locator("p.back a").click()
        page.wait_for_selector("section.sheet[data-kind='index']")
    finally:
        page.context.close()


@pytest.mark.slow
def test_printed_road_sheet_has_points_qr_codes_and_contacts(
    plan_dir: Path, docs: Path, browser
) -> None:  # type: ignore[no-untyped-def]
    located = centres(plan_dir)
    roster = pd.read_csv(plan_dir.parent / "roster.csv", dtype=str).set_index("coach")
    trips = plan_json(plan_dir)["trips"]
    for trip in sorted(trips, key=lambda t: -len(t["stops"]))[:3]:
        page = open_page(
            browser, docs / "coaches" / f"{trip['coach']}.html", (794, 1123), media="print"
        )
        try:
            text = page.inner_text("section.sheet")
            assert DISPATCHER in text
            assert all(
                roster.at[trip["coach"], c] in text
                for c in ("société", "plaque", "téléphone conducteur")
            )
            rows = page.locator("tr.stop")
            assert rows.count() == len(trip["stops"])
            for i, stop in enumerate(trip["stops"]):
                row, centre = rows.nth(i), located.loc[stop["centre_id"]]
                assert row.locator("a.gps").count() == 1 or row.locator(".address").count() == 1
                found = decode_png(row.locator("td.qr svg").screenshot())
                assert found == [geo_link(centre["lat"], centre["lon"])], stop["centre_id"]
                lat, lon = map(float, found[0][4:].split(","))
                assert abs(lat - centre["lat"]) < 1e-5 and abs(lon - centre["lon"]) < 1e-5
            split = page.evaluate(
                "() => getComputedStyle(document.querySelector('tr.stop')).breakInside"
            )
            assert split == "avoid"
        finally:
            page.context.close()


def test_calais_pages(calais_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """calais-2016: every department with places has a summary; every broken rule is on its pages."""
    _, plan = calais_run
    out = tmp_path / "docs"
    write_documents(plan, out, lang="fr")
    located = centres(plan)
    with_places = set(located.loc[located["capacity"] > 0, "departement"].astype(str))
    assert set(sheets(out / "prefecture-summaries.html")) == with_places
    assert check_alerts(plan, out) > 0


def test_map_search_ranks_a_department_or_town_before_centres(browser) -> None:  # type: ignore[no-untyped-def]
    script = (Path(__file__).resolve().parent.parent / "abri" / "maps" / "abri.js").read_text(
        encoding="utf-8"
    )
    page = browser.new_context().new_page()
    try:
        page.set_content(f"<html><body><script>{script}</script></body></html>")
        page.wait_for_function("() => typeof abri === 'object'")
        found = page.evaluate(
            """abri.search([
              {text: 'CAO Rhône Vallée (CAO-1)', exact: ['CAO Rhône Vallée', 'CAO-1'], rank: 2},
              {text: 'Rhône-Alpes Accueil (CAO-2)', exact: ['Rhône-Alpes Accueil', 'CAO-2'], rank: 2},
              {text: 'Lyon', exact: ['Lyon'], rank: 1},
              {text: 'Rhône (69)', exact: ['Rhône', '69'], rank: 0}], 'Rhone').map(e => e.text)"""
        )
        assert found[0] == "Rhône (69)" and len(found) == 3
        by_code = page.evaluate(
            "abri.search([{text: 'CAO 69 (CAO-69)', exact: ['CAO 69'], rank: 2}, {text: 'Rhône (69)', exact: ['Rhône', '69'], rank: 0}], '69').map(e => e.text)"
        )
        assert by_code[0] == "Rhône (69)"
    finally:
        page.context.close()


@pytest.mark.slow
@pytest.mark.parametrize("name", list(VIEWPORTS))
def test_plan_map_in_french_with_a_folding_legend_and_no_overlap(  # type: ignore[no-untyped-def]
    plan_dir: Path, data_dir: Path, browser, name: str
) -> None:
    from browser import boxes, open_map, overlaps  # type: ignore[import-not-found]

    from abri.maps.plan import write_plan_map

    path = plan_dir.parent / "plan-fr.html"
    if not path.is_file():
        write_plan_map(plan_dir, path, data_dir=data_dir, lang="fr", sheets="docs")
    visit = open_map(browser, path, viewport=VIEWPORTS[name])
    try:
        page = visit.page
        assert page.evaluate("document.documentElement.lang") == "fr" and page.title()
        legend = page.locator(".abri-legend")
        folded = "abri-folded" in (legend.get_attribute("class") or "")
        page.click(".abri-legend-fold")
        page.wait_for_function(
            f"() => document.querySelector('.abri-legend').classList.contains('abri-folded') === {str(not folded).lower()}"
        )
        page.click(".abri-legend-fold")
        page.wait_for_function(
            f"() => document.querySelector('.abri-legend').classList.contains('abri-folded') === {str(folded).lower()}"
        )
        parts = [
            b
            for selector in (
                ".abri-title",
                ".abri-panel",
                ".abri-legend",
                ".leaflet-control-attribution",
            )
            for b in boxes(page, selector)[:1]
        ]
        assert len(parts) == 4
        assert not any(overlaps(a, b) for i, a in enumerate(parts) for b in parts[i + 1 :]), parts
        assert visit.errors == []
    finally:
        visit.close()
