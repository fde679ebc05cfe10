"""Benchmark: read and validate 10,000 centres (target < 5 s).

Baseline, measured in the same run: the naive way, a per-row loop that
looks the commune up in a DataFrame and tests the point against every
department polygon in turn (shapely ``contains``), timed on a sample and
scaled to the same number of rows.

Run: ``python bench/bench_centres.py [--rows 10000]`` (uses $ABRI_DATA_DIR).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from records import record
from shapely.geometry import Point

from abri.geo.centres import read_centres
from abri.geo.departements import load_departements
from abri.geo.gazetteer import load_communes


def make_file(rows: int, folder: Path, seed: int = 1) -> Path:
    """A semicolon CSV of `rows` centres in real communes, half by INSEE code, half by lon/lat, 1% bad."""
    rng = np.random.default_rng(seed)
    communes = load_communes()
    communes = communes[communes["departement"].str.len() == 2].sample(
        rows, replace=True, random_state=seed
    )
    by_code = rng.random(rows) < 0.5
    frame = pd.DataFrame(
        {
            "id": [f"C{i:05d}" for i in range(rows)],
            "nom": [f"Centre {i}" for i in range(rows)],
            "capacite": rng.integers(5, 80, rows).astype(str),
            "code_insee": np.where(by_code, communes["code"], ""),
            "lon": np.where(
                by_code, "", communes["lon"].map(lambda v: f"{v:.5f}".replace(".", ","))
            ),
            "lat": np.where(
                by_code, "", communes["lat"].map(lambda v: f"{v:.5f}".replace(".", ","))
            ),
            "type": "CAO",
        }
    )
    bad = rng.random(rows) < 0.01
    frame.loc[bad, "capacite"] = "n/a"
    path = folder / "centres-bench.csv"
    frame.to_csv(path, sep=";", index=False)
    return path


def naive(path: Path, sample: int) -> float:
    """Seconds per row of a per-row loop (lookup in a DataFrame, point-in-polygon over all departments)."""
    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False).head(sample)
    communes = load_communes()
    departements = load_departements()
    start = time.perf_counter()
    for _, row in frame.iterrows():
        if row["code_insee"]:
            hit = communes[communes["code"] == row["code_insee"]].iloc[0]
            lon, lat = hit["lon"], hit["lat"]
        else:
            lon, lat = float(row["lon"].replace(",", ".")), float(row["lat"].replace(",", "."))
        point = Point(lon, lat)
        next(
            (
                code
                for code, geom in zip(departements["code"], departements.geometry)
                if geom.contains(point)
            ),
            None,
        )
    return (time.perf_counter() - start) / len(frame)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--naive-sample", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = make_file(args.rows, Path(tmp))
        start = time.perf_counter()
        read_centres(path)  # cold: also reads the gazetteer and the boundaries
        cold = time.perf_counter() - start
        start = time.perf_counter()
        gdf, report = read_centres(path)
        warm = time.perf_counter() - start
        per_row = naive(path, args.naive_sample)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("| step | rows | seconds | rows/s |")
    print("|---|---:|---:|---:|")
    print(
        f"| abri read_centres, cold (reads gazetteer and boundaries too) | {args.rows:,} | {cold:.2f} | {args.rows / cold:,.0f} |"
    )
    print(
        f"| abri read_centres, warm (parse, geocode, spatial join, all checks) | {args.rows:,} | {warm:.2f} | {args.rows / warm:,.0f} |"
    )
    print(
        f"| naive per-row loop (sampled on {args.naive_sample}, scaled) | {args.rows:,} | {per_row * args.rows:.1f} | {1 / per_row:,.0f} |"
    )
    print(
        f"\nspeed-up: {per_row * args.rows / warm:.0f}x; kept {len(gdf):,}, set aside {report.rows_rejected:,}; peak RSS {peak:.0f} MB"
    )
    naive_s = round(per_row * args.rows, 2)
    baseline = {"baseline": naive_s, "baseline_name": "naive per-row loop, sampled and scaled"}
    record(
        "centres", f"read and validate {args.rows:,} centres, cold", round(cold, 3), "s", **baseline
    )
    record(
        "centres", f"read and validate {args.rows:,} centres, warm", round(warm, 3), "s", **baseline
    )
    record("centres", "peak RSS", round(peak, 1), "MB")
    if cold > 5:
        print("WARNING: above the 5 s target", file=sys.stderr)


if __name__ == "__main__":
    main()
