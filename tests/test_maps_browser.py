"""The calais-2016 maps in a real browser (headless Chromium), with no network, on a laptop (1366x768) and a phone (400x800).

Screenshots of every state are written to $ABRI_SCREENSHOTS (default: abri-screenshots in the temporary folder;
printed with -s), for people to look at.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from browser import (  # type: ignore[import-not-found]
    VIEWPORTS,
    boxes,
    click_on_path,
    open_map,
    overlaps,
    settle,
)
from playwright.sync_api import expect

from abri.geo.centres import read_centres
from abri.maps.capacity import capacity_layers, write_capacity_map
from abri.maps.plan import PlanData, write_plan_map
from abri.maps.static import MAIN_TOWNS, main_towns

XSS = "<img src=x onerror=alert(1)>"
CONTROLS = ".leaflet-control"


@pytest.fixture(scope="module")
def shots() -> Path:
    """Where the screenshots go: $ABRI_SCREENSHOTS, else abri-screenshots in the temporary folder (kept between runs)."""
    folder = Path(
        os.environ.get("ABRI_SCREENSHOTS") or Path(tempfile.gettempdir()) / "abri-screenshots"
    )
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def maps(calais_run, data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Both calais-2016 maps written once (the capacity map with the plan's arrivals), with what they show."""
    run, plan_dir = calais_run
    out = tmp_path_factory.mktemp("maps")
    data = PlanData.from_folder(plan_dir)
    capacity, png = write_capacity_map(
        run.centres, out / "capacity.html", png=True, data_dir=data_dir, plan=data, lang="en"
    )
    plan, plan_png, plan_svg = write_plan_map(
        data, out / "plan.html", png=True, svg=True, data_dir=data_dir, lang="en"
    )
    return {
        "capacity": capacity,
        "plan": plan,
        "images": [png, plan_png, plan_svg],
        "run": run,
        "data": data,
        "data_dir": data_dir,
    }


@pytest.fixture()
def open_page(browser, maps: dict[str, Any], shots: Path):  # type: ignore[no-untyped-def]
    """Open a map in a fresh browser context for this test alone (closed after it): no state from another test."""
    visits: list[Any] = []

    def _open(name: str, viewport: str) -> Any:
        size = VIEWPORTS[viewport]
        visit = open_map(browser, maps[name], shots / f"{name}-{viewport}.png", viewport=size)
        visits.append(visit)
        return visit

    yield _open
    for visit in visits:
        visit.close()


def shown_centres(visit) -> int:  # type: ignore[no-untyped-def]
    """Centres on screen: single markers plus the centres each cluster holds, once clusters have stopped fading."""
    visit.settle()
    clusters = visit.page.eval_on_selector_all(
        ".abri-cluster div",
        "els => els.filter(e => +getComputedStyle(e.parentNode).opacity > 0.5).reduce((n, e) => n + (+e.dataset.n), 0)",
    )
    return visit.count(".abri-centre") + int(clusters)


BOTH = pytest.mark.parametrize("viewport", list(VIEWPORTS))


@BOTH
@pytest.mark.parametrize("name", ["capacity", "plan"])
def test_opens_clean_with_controls_apart_and_names(open_page, name: str, viewport: str) -> None:
    visit = open_page(name, viewport)
    assert visit.errors == [] and visit.outside == [] and visit.dialogs == []
    controls = boxes(visit.page, CONTROLS)
    assert len(controls) >= 5  # title, zoom, scale, legend, panel (+ attribution)
    clashes = [
        (a["name"], b["name"])
        for i, a in enumerate(controls)
        for b in controls[i + 1 :]
        if overlaps(a, b)
    ]
    assert clashes == []
    [origin] = boxes(visit.page, ".abri-origin")
    assert [c["name"] for c in controls if overlaps(c, origin)] == []
    assert visit.count(".abri-name-dept, .abri-name-dept-small") == 96
    assert "Pas-de-Calais" in visit.page.content() and visit.count(".abri-name-town") == 96
    if viewport == "laptop":  # France fits at zoom 6: department names are shown
        assert visit.page.locator(".abri-name-dept span").first.is_visible()
        assert sum(b["w"] > 0 for b in boxes(visit.page, ".abri-name-dept span")) >= 90
    else:  # the panel and the legend start folded
        assert (
            visit.page.locator(".abri-panel.abri-folded").count() == 1
            and visit.page.locator(".abri-legend.abri-folded").count() == 1
        )
    assert visit.count("path.abri-dept") == 96 and visit.count("path.abri-road") == 1
    assert "IGN" in visit.page.inner_text(".leaflet-control-attribution")


def test_print_layout_keeps_the_origin_clear(open_page, shots: Path) -> None:
    """Printed (A4 landscape, from a laptop), the panel and zoom are hidden and the map is refitted: nothing covers the origin."""
    visit = open_page("plan", "laptop")
    visit.page.emulate_media(media="print")
    visit.page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    expect(visit.page.locator(".abri-panel")).to_be_hidden()
    visit.settle()
    controls = boxes(visit.page, CONTROLS)
    [origin] = boxes(visit.page, ".abri-origin")
    assert [c["name"] for c in controls if overlaps(c, origin)] == [] and not visit.page.is_visible(
        ".abri-panel"
    )
    visit.shot(shots / "plan-print-laptop.png")
    visit.page.emulate_media(media="screen")
    visit.page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    assert visit.errors == []


@BOTH
def test_click_on_a_trip_shows_its_sheet_with_stops_by_name(
    open_page, maps: dict[str, Any], shots: Path, viewport: str
) -> None:
    visit = open_page("plan", viewport)
    run = maps["run"]
    assert visit.count("path.abri-trip") == len(run.plan.trips)
    click_on_path(visit.page, "path.abri-trip")
    visit.page.wait_for_selector(".abri-sheet-text")
    sheet = visit.page.inner_text(".abri-sheet-text")
    coach = re.search(r"coach (\S+)", sheet).group(1)  # type: ignore[union-attr]
    trip = next(t for t in run.plan.trips if t.coach == coach)
    names = dict(zip(run.centres["id"], run.centres["name"]))
    for stop in trip.stops:
        assert names[stop.centre_id] in sheet and stop.centre_id in sheet
    assert trip.day in sheet and str(trip.people) in sheet
    assert (
        visit.count(".abri-stop") == len(trip.stops) and visit.count(".abri-arrow") > 0
    )  # numbered stops, direction
    front = visit.page.locator(
        "path.abri-trip"
    ).last  # the trip chosen is brought to the front, drawn wider
    assert float(front.get_attribute("stroke-width")) == pytest.approx(
        round(2 + trip.people / 20, 1) + 4
    )
    visit.shot(shots / f"plan-trip-sheet-{viewport}.png")
    # the sheet is in the panel on a laptop (the trip stays in view), a popup on a phone; closing it clears the stops
    assert (
        visit.count(
            ".abri-panel .abri-sheet-text"
            if viewport == "laptop"
            else ".leaflet-popup .abri-sheet-text"
        )
        == 1
    )
    if viewport == "phone":  # the popup fits the screen, its cross in view
        [popup] = boxes(visit.page, ".leaflet-popup-content-wrapper")
        assert popup["x"] >= 0 and popup["x"] + popup["w"] <= VIEWPORTS["phone"][0]
    visit.page.click(".abri-close" if viewport == "laptop" else ".leaflet-popup-close-button")
    expect(visit.page.locator(".abri-sheet-text")).to_have_count(0)  # the popup fades out
    assert visit.count(".abri-stop") == 0
    assert visit.errors == []


@BOTH
def test_day_selector_hides_other_days_trips_and_centres(
    open_page, maps: dict[str, Any], shots: Path, viewport: str
) -> None:
    visit = open_page("plan", viewport)
    run = maps["run"]
    days = sorted({t.day for t in run.plan.trips})
    centres_on: dict[str, set[str]] = defaultdict(set)
    for t in run.plan.trips:
        centres_on[t.day] |= {s.centre_id for s in t.stops}
    total = shown_centres(visit)
    assert total == len(run.centres)
    if viewport == "phone":
        visit.page.click(".abri-panel .abri-fold")
    for day in days[:2]:
        visit.page.select_option(".abri-day", day)
        trips = visit.page.locator("path.abri-trip")
        expect(trips).to_have_count(sum(t.day == day for t in run.plan.trips))
        assert shown_centres(visit) == len(centres_on[day])
        assert day in visit.page.text_content(".abri-legend")
    visit.shot(shots / f"plan-day-{days[1]}-{viewport}.png")
    visit.page.select_option(".abri-day", "")
    expect(visit.page.locator("path.abri-trip")).to_have_count(len(run.plan.trips))
    assert shown_centres(visit) == total
    assert visit.errors == []


@BOTH
def test_search_finds_a_centre_by_name_and_a_coach(
    open_page, maps: dict[str, Any], shots: Path, viewport: str
) -> None:
    visit = open_page("plan", viewport)
    run = maps["run"]
    centre = run.centres.sort_values("capacity").iloc[-1]
    if viewport == "phone":
        visit.page.click(".abri-panel .abri-fold")
    visit.page.fill(".abri-search", str(centre["name"]).lower())
    hits = visit.page.locator(".abri-hit")
    assert hits.count() >= 1 and str(centre["name"]) in hits.first.inner_text()
    hits.first.click()
    visit.page.wait_for_selector(".leaflet-popup-content .abri-popup", timeout=5000)
    popup = visit.page.inner_text(".leaflet-popup-content")
    assert str(centre["name"]) in popup and "Arrivals" in popup
    visit.shot(shots / f"plan-search-centre-{viewport}.png")
    if viewport == "phone":  # the panel folded itself to show the map
        assert visit.page.locator(".abri-panel.abri-folded").count() == 1
        visit.page.click(".abri-panel .abri-fold")
    coach = run.plan.trips[-1].coach
    visit.page.fill(".abri-search", coach)
    visit.page.keyboard.press("Enter")
    visit.page.wait_for_selector(".abri-sheet-text")
    assert f"coach {coach}" in visit.page.inner_text(".abri-sheet-text")
    assert visit.errors == []


@BOTH
def test_search_puts_the_department_before_centres_and_towns(open_page, viewport: str) -> None:
    """Typing "rhone" (no accent) or "69" on the calais-2016 map: the department comes first and opens."""
    visit = open_page("plan", viewport)
    page = visit.page
    if viewport == "phone":
        page.click(".abri-panel .abri-fold")
    for query in ("rhone", "69"):
        page.fill(".abri-search", query)
        hits = page.locator(".abri-hit")
        expect(hits.first).to_contain_text("Rhône (69)")
    page.fill(".abri-search", "Rhône")
    assert hits.count() > 1 and "Bouches-du-Rhône (13)" in page.inner_text(".abri-results")
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup-content .abri-popup")
    assert "Rhône (69)" in page.inner_text(".leaflet-popup-content") and visit.errors == []


@BOTH
def test_capacity_department_popup_has_every_measure(
    open_page, maps: dict[str, Any], shots: Path, viewport: str
) -> None:
    visit = open_page("capacity", viewport)
    assert (
        visit.count(".abri-panel input[name='abri-measure']") == 4
    )  # places, per 10,000, allocated, occupancy
    assert "places" in visit.page.text_content(".abri-legend")
    if viewport == "phone":  # legend and panel open with a tap
        assert not visit.page.locator(".abri-legend .abri-body").is_visible()
        visit.page.click(".abri-legend .abri-fold")
        assert "no places" in visit.page.inner_text(".abri-legend")
        visit.page.click(".abri-panel .abri-fold")
    else:
        visit.page.check("input[name='abri-measure'][value='occupancy_pct']")
        assert visit.page.locator(".abri-legend").get_attribute("data-measure") == "occupancy_pct"
        legend = visit.page.inner_text(".abri-legend")
        assert (
            "no places" in legend
            and re.search(r"\d+% - \d+%", legend)
            and not re.search(r"\d\.\d", legend)
        )
    visit.page.fill(".abri-search", "Pas-de-Calais")
    visit.page.keyboard.press("Enter")
    visit.page.wait_for_selector(".leaflet-popup-content .abri-popup")
    popup = visit.page.inner_text(".leaflet-popup-content")
    for measure in (
        "centres",
        "places",
        "places per 10,000 inhabitants",
        "people allocated",
        "occupancy (%)",
        "arrivals 2016-10-24",
    ):
        assert measure in popup
    visit.shot(shots / f"capacity-department-{viewport}.png")
    assert visit.errors == []


def test_capacity_centre_popup_lists_arrivals(open_page, maps: dict[str, Any], shots: Path) -> None:
    visit = open_page("capacity", "laptop")  # the phone shows the same popup
    run = maps["run"]
    trip = run.plan.trips[0]
    stop = trip.stops[0]
    name = run.centres.set_index("id").loc[stop.centre_id, "name"]
    visit.page.fill(".abri-search", stop.centre_id)
    visit.page.keyboard.press("Enter")
    visit.page.wait_for_selector(".leaflet-popup-content .abri-popup", timeout=5000)
    popup = visit.page.inner_text(".leaflet-popup-content")
    assert name in popup and trip.coach in popup and trip.day in popup and "Arrivals" in popup
    visit.shot(shots / "capacity-centre-laptop.png")


def test_script_helpers(open_page) -> None:
    """abri.js's pure helpers: escaping, accent-free matching, ranking (one script for every viewport)."""
    page = open_page("capacity", "laptop").page
    assert page.evaluate("abri.esc('<b a=\"1\">&\\'')") == "&lt;b a=&quot;1&quot;&gt;&amp;&#39;"
    assert page.evaluate("abri.norm('Saint-Étienne  (42)')") == "saint etienne 42"
    found = page.evaluate("""abri.search([{text: 'Le Mans'}, {text: 'Mansle'}, {text: 'Romans-sur-Isère'}, {text: 'Lyon'}], 'mans')
                             .map(e => e.text)""")
    assert found == ["Le Mans", "Mansle", "Romans-sur-Isère"]
    assert page.evaluate("abri.search([{text: 'Lyon'}], '')") == []
    # articles and abbreviations as people type them: "Havre" finds Le Havre, "St Etienne" Saint-Étienne
    assert page.evaluate("abri.norm('St-Étienne')") == "saint etienne"
    places = "[{text: 'Le Havre', exact: ['Le Havre'], rank: 1}, {text: 'Havrincourt', exact: ['Havrincourt'], rank: 1}, {text: 'Saint-Étienne (42)', exact: ['Saint-Étienne', '42'], rank: 1}, {text: \"L'Isle-Adam\", exact: [\"L'Isle-Adam\"], rank: 1}]"
    for query, first in (
        ("havre", "Le Havre"),
        ("Le Havre", "Le Havre"),
        ("st etienne", "Saint-Étienne (42)"),
        ("ST-ETIENNE", "Saint-Étienne (42)"),
        ("isle adam", "L'Isle-Adam"),
        ("l'isle-adam", "L'Isle-Adam"),
    ):
        found = page.evaluate(f"abri.search({places}, {query!r}).map(e => e.text)")
        assert found and found[0] == first, (query, found)


def visible_tooltips(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The text of every tooltip a person can see now."""
    settle(page)
    return list(
        page.eval_on_selector_all(
            ".leaflet-tooltip",
            """els => els.filter(e => { const s = getComputedStyle(e), r = e.getBoundingClientRect();
                return s.display !== 'none' && s.visibility !== 'hidden' && +s.opacity > 0.1 && r.width > 0;
              }).map(e => e.textContent)""",
        )
    )


FREE_POINT = """sel => {  /* a point where an element matching sel is on top (nothing over it) */
  for (let y = innerHeight - 60; y > 60; y -= 17) { for (let x = 20; x < innerWidth - 20; x += 13) {
    const e = document.elementFromPoint(x, y);
    if (e && e.matches(sel)) { return [x, y]; } } }
  return null;
}"""


def test_an_open_popup_hides_every_tooltip_on_a_phone(open_page, shots: Path) -> None:
    """A tooltip never stays under or over a popup: opening one closes them, none shows while it is open."""
    visit = open_page("plan", "phone")
    page = visit.page
    dept = page.evaluate(FREE_POINT, "path.abri-dept")
    page.mouse.move(*dept)
    expect(page.locator(".leaflet-tooltip")).to_have_count(1)
    assert len(visible_tooltips(page)) == 1  # a department's name, with the finger (mouse) on it
    click_on_path(page, "path.abri-trip")  # the trip's tooltip opens on the way, then its sheet
    page.wait_for_selector(".leaflet-popup .abri-sheet-text")
    assert visible_tooltips(page) == []
    elsewhere = page.evaluate(FREE_POINT, "path.abri-dept")  # a department the popup leaves in view
    page.mouse.move(*elsewhere)
    page.mouse.move(elsewhere[0] + 3, elsewhere[1] + 3)
    assert visible_tooltips(page) == []
    visit.shot(shots / "plan-popup-no-tooltip-phone.png")
    page.click(".leaflet-popup-close-button")
    expect(page.locator(".abri-sheet-text")).to_have_count(0)
    page.mouse.move(5, 5)
    page.mouse.move(*page.evaluate(FREE_POINT, "path.abri-dept"))
    assert len(visible_tooltips(page)) == 1  # tooltips come back once the popup is closed
    assert visit.errors == []


CLUSTERS = """() => {  /* the cluster bubbles on screen: their text, title and the centres they hold */
  const api = Object.keys(window).filter(k => k.startsWith('abri_map')).map(k => window[k]).find(v => v && v.map);
  const out = [];
  api.map.eachLayer(l => { if (l.getAllChildMarkers && l._icon) {
    out.push({text: l._icon.innerText, title: l._icon.firstChild.title, ids: l.getAllChildMarkers().map(m => m.abri.id)});
  } });
  return out;
}"""


def test_cluster_bubbles_count_places_and_say_so(open_page, maps: dict[str, Any]) -> None:
    """A bubble shows the places of the centres it holds (not people), with the word, and a title naming both."""
    visit = open_page("plan", "laptop")
    run = maps["run"]
    places = dict(zip(run.centres["id"], run.centres["capacity"].astype(int)))
    allocated = run.allocation.assignments["centre_id"].dropna().value_counts()
    clusters = visit.page.evaluate(CLUSTERS)
    assert clusters
    differ = 0
    for cluster in clusters:
        total = sum(places[i] for i in cluster["ids"])
        assert cluster["text"].split() == [str(total), "places"]
        assert cluster["title"] == f"{len(cluster['ids'])} centres, {total} places"
        differ += total != sum(int(allocated.get(i, 0)) for i in cluster["ids"])
    assert differ > 0  # places and people differ here: the bubbles show places
    assert visit.errors == []


def test_report_images_are_written(maps: dict[str, Any]) -> None:
    png, plan_png, plan_svg = maps["images"]
    assert png.stat().st_size > 20_000 and plan_png.stat().st_size > 20_000
    svg = plan_svg.read_text()
    data = maps["data"]
    # the report images name every department and the main towns (the PNG is drawn the same way)
    departements = capacity_layers(data.centres, data_dir=maps["data_dir"])
    towns = main_towns(maps["data_dir"])
    assert len(departements) == 96 and towns is not None and len(towns) == MAIN_TOWNS
    assert [n for n in [*departements["nom"], *towns["nom"]] if str(n) not in svg] == []
    assert (
        "Calais" in svg
        and "SYNTHETIC" in svg
        and data.name in svg
        and "100 km" in svg
        and "2016-10-24" in svg
    )


def test_text_from_input_files_is_escaped(browser, write, data_dir: Path, tmp_path: Path) -> None:
    centres = write(
        "c.csv",
        f"id;name;capacity;insee;type;telephone\n<b>X1</b>;{XSS};12;62193;<script>alert(2)</script>;{XSS}\n"
        "B;Plain;8;27229;CAO;02 00 00 00 00\n",
    )
    gdf, _ = read_centres(centres, data_dir=data_dir)
    [html] = write_capacity_map(gdf, tmp_path / "xss.html", data_dir=data_dir)
    visit = open_map(browser, html)
    assert visit.count(".abri-centre") == 2  # few centres: no clustering
    visit.page.fill(".abri-search", "X1")
    visit.page.keyboard.press("Enter")
    visit.page.wait_for_selector(".leaflet-popup-content .abri-popup")
    popup = visit.page.inner_text(".leaflet-popup-content")
    assert (
        XSS in popup and "<b>X1</b>" in popup and "<SCRIPT>ALERT(2)</SCRIPT>" in popup
    )  # shown as text (types are upper-cased)
    assert "telephone: " + XSS in popup  # contact fields shown, as text
    assert visit.count("img[src='x']") == 0 and visit.dialogs == [] and visit.errors == []
    visit.close()


def test_offline_file_has_no_remote_assets(maps: dict[str, Any]) -> None:
    for name in ("capacity", "plan"):
        text = maps[name].read_text()
        assert not re.search(
            r"""(src|href)=["']?(https?:)?//""", text.replace('href="https://leafletjs.com"', "")
        )
        assert "//cdn" not in text and "<script src=" not in text
        assert text.count("var abri = (function") == 1  # abri.js, once
