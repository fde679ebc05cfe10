"""Benchmark: `abri readiness` on calais-2016 as generated and with places removed (target < 10 s a case).

Baselines measured in the same run on the same files: the ratio of totals (places accepting each
group against the people of that group) and the allocation itself (day by day, straight-line times),
which says who is left over but not where places are missing.

    python3 bench/bench_readiness.py [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from abri.constants import GROUPS
from abri.geo.centres import read_centres
from abri.inputs.people import read_people
from abri.planning.allocation import allocate
from abri.readiness import readiness, straight_time_s
from abri.synthetic import ScenarioParams, write_scenario


def _centres(folder: Path) -> pd.DataFrame:
    return pd.read_csv(
        folder / "centres.csv", sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )


def cut(src: Path, dst: Path, share: float, seed: int = 16, *, adults_only: bool = False) -> Path:
    """`share` of the places (of adult centres only with `adults_only`) removed at random, place by place."""
    shutil.copytree(src, dst)
    centres = _centres(dst)
    capacity = centres["capacite"].astype(int).to_numpy() * (
        (centres["publics"] != "minors").to_numpy() if adults_only else 1
    )
    places = np.repeat(np.arange(len(capacity)), capacity)
    gone = np.random.default_rng(seed).choice(
        len(places), round(share * len(places)), replace=False
    )
    centres["capacite"] = centres["capacite"].astype(int).to_numpy() - np.bincount(
        places[gone], minlength=len(capacity)
    )
    centres[centres["capacite"] > 0].to_csv(dst / "centres.csv", sep=";", index=False)
    return dst


def no_minors_region(src: Path, dst: Path) -> Path:
    """Every minors' place of the region with the most, removed."""
    shutil.copytree(src, dst)
    centres = _centres(dst)
    minors = centres["publics"] == "minors"
    region = (
        centres[minors]
        .assign(c=centres["capacite"].astype(int))
        .groupby("region")["c"]
        .sum()
        .idxmax()
    )
    centres[~(minors & (centres["region"] == region))].to_csv(
        dst / "centres.csv", sep=";", index=False
    )
    return dst


def ratio_check(folder: Path, data_dir: str | None) -> tuple[str, float]:
    """Places accepting each group >= people of that group, for every group."""
    start = time.perf_counter()
    centres, _ = read_centres(folder / "centres.csv", data_dir=data_dir)
    people, _ = read_people(folder / "people.csv")
    need = people.groupby("group").size()
    places = {
        g: int(
            centres.loc[
                centres["groups"].str.split(";").map(lambda gs, g=g: g in gs), "capacity"
            ].sum()
        )
        for g in GROUPS
    }
    ready = all(places[g] >= n for g, n in need.items())
    return ("ready" if ready else "not ready"), time.perf_counter() - start


def allocation_check(folder: Path, data_dir: str | None) -> tuple[int, float]:
    """People the allocation (day by day, straight-line times) leaves without a centre."""
    start = time.perf_counter()
    centres, _ = read_centres(folder / "centres.csv", data_dir=data_dir)
    people, _ = read_people(folder / "people.csv")
    times = pd.Series(
        straight_time_s(
            centres["lon"].to_numpy(float), centres["lat"].to_numpy(float), (1.8587, 50.9513)
        ),
        index=centres["id"].astype(str),
    )
    result = allocate(people, centres, times)
    return len(result.unplaced), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("ABRI_DATA_DIR"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_scenario(ScenarioParams(), root / "calais", data_dir=args.data_dir)
        cases = {
            "calais-2016 as generated": root / "calais",
            "20% of places removed (seed 16)": cut(root / "calais", root / "cut20", 0.20),
            "23% of adult places removed (seed 16)": cut(
                root / "calais", root / "cut23", 0.23, adults_only=True
            ),
            "minors' places of one region removed": no_minors_region(
                root / "calais", root / "nominors"
            ),
        }
        readiness(root / "calais", data_dir=args.data_dir)  # warm: gazetteer, boundaries
        print(
            "| case | abri readiness | unplaced | extra places (departments) | abri s | ratio of totals | ratio s "
            "| allocation unplaced | allocation s |"
        )
        print("|---|---|---:|---:|---:|---|---:|---:|---:|")
        for name, folder in cases.items():
            start = time.perf_counter()
            result = readiness(folder, data_dir=args.data_dir)
            seconds = time.perf_counter() - start
            ratio, ratio_s = ratio_check(folder, args.data_dir)
            left, alloc_s = allocation_check(folder, args.data_dir)
            extra = int(result.extras["places"].sum())
            print(
                f"| {name} | {'ready' if result.ready else 'NOT ready'}{'' if result.exact else ' (not proven)'} | {result.unplaced:,} | "
                f"{extra:,} ({result.extras['departement'].nunique()}) | {seconds:.2f} | {ratio} | {ratio_s:.2f} | {left:,} | {alloc_s:.2f} |"
            )
        print(
            f"\nload average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; coach time: {result.travel}"
        )


if __name__ == "__main__":
    main()
