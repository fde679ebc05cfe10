"""Benchmark: size and opening time of the calais-2016 maps in headless Chromium.

Baseline, measured in the same run: the same plan drawn the usual folium
way (one ``folium.Marker`` with a ``folium.Popup`` per centre, one
``folium.GeoJson`` per trip with unrounded geometry, CDN assets), which
also does not work offline.

Run: ``python bench/bench_maps.py`` (uses $ABRI_DATA_DIR; needs Chromium).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import folium
import geopandas as gpd

from abri.maps.plan import read_geojson
from abri.pipeline import run_demo


def naive_plan_map(plan_dir: Path, path: Path) -> Path:
    """The plan drawn with folium's defaults."""
    centres = read_geojson(plan_dir / "centres.geojson")
    trips = read_geojson(plan_dir / "trips.geojson")
    fmap = folium.Map(location=[46.6, 2.4], zoom_start=6, tiles=None)
    for row in centres.itertuples():
        folium.Marker([row.lat, row.lon], popup=folium.Popup(f"{row.name}<br>{row.capacity}")).add_to(fmap)
    for row in trips.itertuples():
        folium.GeoJson(gpd.GeoSeries([row.geometry]).__geo_interface__, tooltip=row.coach).add_to(fmap)
    fmap.save(str(path))
    return path


def open_seconds(browser, path: Path, *, offline: bool) -> float:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    if offline:
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:")) else route.abort())
    start = time.perf_counter()
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_selector(".leaflet-container", state="attached")
    seconds = time.perf_counter() - start
    page.close()
    return seconds


def main() -> None:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("needs Debian's chromium")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        run, files = run_demo(out / "demo", progress=False)
        rows = [("capacity map (abri, offline)", files["capacity_map"], True),
                ("plan map (abri, offline)", files["plan_map"], True),
                ("plan map (folium defaults, CDN)", naive_plan_map(out / "demo" / "plan", out / "naive.html"), False)]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            timings = [(label, path.stat().st_size / 1e6, min(open_seconds(browser, path, offline=offline) for _ in range(3)))
                       for label, path, offline in rows]
            browser.close()
    print("| map | size (MB) | opens in (s) |")
    print("|---|---:|---:|")
    for label, size, seconds in timings:
        print(f"| {label} | {size:.2f} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
