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


def open_seconds(browser, path: Path) -> float | None:  # type: ignore[no-untyped-def]
    """Seconds until Leaflet has drawn the map, network blocked; None if it never does."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = browser.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:")) else route.abort())
    start = time.perf_counter()
    try:
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_selector(".leaflet-container", state="attached", timeout=10_000)
        seconds: float | None = time.perf_counter() - start
    except PlaywrightTimeout:
        seconds = None
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
        rows = [("capacity map (abri)", files["capacity_map"]),
                ("plan map (abri)", files["plan_map"]),
                ("plan map (folium defaults: a marker and popup per centre, CDN assets)", naive_plan_map(out / "demo" / "plan", out / "naive.html"))]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            timings = []
            for label, path in rows:
                runs = [open_seconds(browser, path) for _ in range(3)]
                timings.append((label, path.stat().st_size / 1e6, None if None in runs else min(runs)))  # type: ignore[type-var]
            browser.close()
    print("| map | size (MB) | opens offline in (s) |")
    print("|---|---:|---:|")
    for label, size, seconds in timings:
        print(f"| {label} | {size:.2f} | {'never (Leaflet is on a CDN)' if seconds is None else f'{seconds:.2f}'} |")


if __name__ == "__main__":
    main()
