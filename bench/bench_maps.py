"""Benchmark: size and opening time of the calais-2016 maps in headless Chromium.

Baseline, measured in the same run: the same plan drawn the usual folium
way (one ``folium.Marker`` with a ``folium.Popup`` per centre, one
``folium.GeoJson`` per trip with unrounded geometry, CDN assets), which
also does not work offline.

Run: ``python bench/bench_maps.py [--demo DIR]`` (uses $ABRI_DATA_DIR; needs Chromium). "First paint" is
Chromium's first contentful paint; "map drawn" is the time until abri has drawn every layer and control.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import folium
import geopandas as gpd
from records import record

from abri.demo import run_demo
from abri.maps.plan import read_geojson


def naive_plan_map(plan_dir: Path, path: Path) -> Path:
    """The plan drawn with folium's defaults."""
    centres = read_geojson(plan_dir / "centres.geojson")
    trips = read_geojson(plan_dir / "trips.geojson")
    fmap = folium.Map(location=[46.6, 2.4], zoom_start=6, tiles=None)
    for row in centres.itertuples():
        folium.Marker(
            [row.lat, row.lon], popup=folium.Popup(f"{row.name}<br>{row.capacity}")
        ).add_to(fmap)
    for row in trips.itertuples():
        folium.GeoJson(gpd.GeoSeries([row.geometry]).__geo_interface__, tooltip=row.coach).add_to(
            fmap
        )
    fmap.save(str(path))
    return path


def open_seconds(browser, path: Path, selector: str) -> tuple[float | None, float | None]:  # type: ignore[no-untyped-def]
    """(first contentful paint, map drawn) in seconds at 1366x768, network blocked; None if it never happens."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(("file:", "data:")) else route.abort()
        ),
    )
    start = time.perf_counter()
    try:
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_selector(selector, state="attached", timeout=10_000)
        drawn: float | None = time.perf_counter() - start
    except PlaywrightTimeout:
        drawn = None
    paint = page.evaluate("""() => new Promise(done => {
        new PerformanceObserver(list => {
          const e = list.getEntriesByName('first-contentful-paint')[0];
          if (e) { done(e.startTime); }
        }).observe({type: 'paint', buffered: true});
        setTimeout(() => done(null), 5000);
      })""")
    page.close()
    return (None if paint is None or drawn is None else paint / 1000), drawn


def record_map(
    label: str,
    ours: tuple[float, float | None, float | None],
    naive: tuple[float, float | None, float | None],
) -> None:
    """Record a map's size, first paint and drawing time, folium's defaults as the baseline."""
    for what, unit, value, other in zip(
        ("size", "first paint", "map drawn"), ("MB", "s", "s"), ours, naive
    ):
        if value is None:
            continue
        folium = "folium defaults: a marker and popup per centre, CDN assets"
        record(
            "maps",
            f"{label}: {what}",
            round(value, 3),
            unit,
            baseline=None if other is None else round(other, 3),
            baseline_name=folium if other is not None else f"{folium}: never (Leaflet is on a CDN)",
            note="best of 3 openings, 1366x768, network blocked",
        )


def main() -> None:
    import argparse

    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--demo",
        type=Path,
        help="an `abri demo` output folder to reuse (else the demo is run here)",
    )
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("needs Debian's chromium")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        if args.demo:
            demo = args.demo
        else:
            run_demo(out / "demo", progress=False)
            demo = out / "demo"
        rows = [
            ("capacity map (abri)", demo / "capacity.html", ".abri-legend"),
            ("plan map (abri)", demo / "plan.html", ".abri-legend"),
            (
                "plan map (folium defaults: a marker and popup per centre, CDN assets)",
                naive_plan_map(demo / "plan", out / "naive.html"),
                ".leaflet-marker-icon",
            ),
        ]
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            timings = []
            for label, path, selector in rows:
                runs = [open_seconds(browser, path, selector) for _ in range(3)]
                paints, drawn = [r[0] for r in runs], [r[1] for r in runs]
                timings.append(
                    (
                        label,
                        path.stat().st_size / 1e6,
                        None if None in paints else min(paints),  # type: ignore[type-var]
                        None if None in drawn else min(drawn),
                    )
                )  # type: ignore[type-var]
            browser.close()
    print(
        "| map (calais-2016, 1366x768, network blocked) | size (MB) | first paint (s) | map drawn (s) |"
    )
    print("|---|---:|---:|---:|")
    naive = timings[-1]
    for label, size, paint, seconds in timings:
        never = "never (Leaflet is on a CDN)"
        if label != naive[0]:
            record_map(label, (size, paint, seconds), naive[1:])
        print(
            f"| {label} | {size:.2f} | {'-' if paint is None else f'{paint:.2f}'} | {never if seconds is None else f'{seconds:.2f}'} |"
        )


if __name__ == "__main__":
    main()
