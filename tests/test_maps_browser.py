"""The HTML maps in a real browser (headless Chromium), with no network at all."""

import shutil
from pathlib import Path

import pytest
from browser import open_map  # type: ignore[import-not-found]

from abri.geo.centres import read_centres
from abri.maps.capacity import write_capacity_map
from abri.maps.plan import write_plan_map

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


def test_capacity_map_of_calais_2016(browser, calais_run, data_dir: Path, tmp_path: Path, shots: Path) -> None:
    run, _ = calais_run
    html, png = write_capacity_map(run.centres, tmp_path / "capacity.html", png=True, data_dir=data_dir)
    visit = open_map(browser, html, shots / "capacity.png")
    assert visit.errors == [] and visit.outside == []
    assert visit.count("path.abri-dept") == 96
    assert visit.count(".marker-cluster") > 0  # 520 centres are clustered
    assert visit.count(".abri-origin") == 1
    assert visit.count(".leaflet-control-layers-base input") == 2  # places, places per 10,000
    assert "IGN" in visit.page.inner_text(".leaflet-control-attribution")
    # switching the measure switches the legend
    assert visit.page.is_visible(".abri-legend[data-layer='places']")
    visit.page.get_by_text("places per 10,000 inhabitants").click()
    assert visit.page.is_visible(".abri-legend[data-layer='places per 10,000 inhabitants']")
    assert not visit.page.is_visible(".abri-legend[data-layer='places']")
    assert (shots / "capacity.png").stat().st_size > 10_000 and png.stat().st_size > 10_000


def test_capacity_map_with_a_plan_has_allocation_layers(browser, calais_run, data_dir: Path, tmp_path: Path) -> None:
    from abri.maps.plan import allocated_per_centre

    run, plan_dir = calais_run
    allocated = allocated_per_centre(plan_dir)
    assert allocated.sum() == len(run.allocation.placed)
    [html] = write_capacity_map(run.centres, tmp_path / "capacity.html", data_dir=data_dir, allocated=allocated)
    visit = open_map(browser, html)
    assert visit.errors == [] and visit.outside == []
    assert visit.count(".leaflet-control-layers-base input") == 4  # places, per 10,000, allocated, occupancy
    visit.page.get_by_text("occupancy (%)").click()
    assert visit.page.is_visible(".abri-legend[data-layer='occupancy (%)']")


def test_plan_map_of_calais_2016(browser, calais_run, data_dir: Path, tmp_path: Path, shots: Path) -> None:
    run, plan_dir = calais_run
    html, png = write_plan_map(plan_dir, tmp_path / "plan.html", png=True, data_dir=data_dir)
    assert html.stat().st_size < 5_000_000
    visit = open_map(browser, html, shots / "plan.png")
    assert visit.errors == [] and visit.outside == []
    assert visit.count("path.abri-dept") == 96
    assert visit.count("path.abri-trip") == len(run.plan.trips)
    days = sorted({t.day for t in run.plan.trips})
    labels = visit.page.inner_text(".leaflet-control-layers-overlays")
    assert all(f"trips {day}" in labels for day in days)
    # one layer per day: switching a day off removes its routes
    first_day = sum(t.day == days[0] for t in run.plan.trips)
    visit.page.get_by_text(f"trips {days[0]}").click()
    assert visit.count("path.abri-trip") == len(run.plan.trips) - first_day
    assert visit.count(".marker-cluster") > 0 and visit.count(".abri-origin") == 1


def test_text_from_input_files_is_escaped(browser, write, data_dir: Path, tmp_path: Path) -> None:
    centres = write("c.csv", f"id;name;capacity;insee;type\n<b>X1</b>;{XSS};12;62193;<script>alert(2)</script>\nB;Plain;8;69123;CAO\n")
    gdf, _ = read_centres(centres, data_dir=data_dir)
    [html] = write_capacity_map(gdf, tmp_path / "xss.html", data_dir=data_dir)
    visit = open_map(browser, html)
    assert visit.count(".abri-centre") == 2  # few centres: no clustering
    visit.page.evaluate("""() => Object.keys(window).filter(k => k.startsWith('geo_json_layer_'))
                                   .forEach(k => window[k].eachLayer(l => { if (l.getPopup().getContent().includes('X1')) l.openPopup(); }))""")
    popup = visit.page.inner_text(".leaflet-popup-content")
    assert XSS in popup and "<b>X1</b>" in popup and "<SCRIPT>ALERT(2)</SCRIPT>" in popup  # shown as text (types are upper-cased)
    assert visit.count("img[src='x']") == 0 and visit.dialogs == [] and visit.errors == []


def test_offline_file_has_no_remote_assets(calais_run, data_dir: Path, tmp_path: Path) -> None:
    _, plan_dir = calais_run
    [html] = write_plan_map(plan_dir, tmp_path / "plan.html", data_dir=data_dir)
    text = html.read_text()
    import re

    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text.replace('href="https://leafletjs.com"', ""))
    assert "//cdn" not in text and "<script src=" not in text
    shutil.copy(html, tmp_path / "copy.html")  # a single self-contained file
