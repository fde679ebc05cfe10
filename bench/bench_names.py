"""Benchmark: validate a list of every metropolitan commune written in press and prefecture styles (target < 10 s).

Each row names one commune as the press or a prefecture writes it, in turn:
capitals without accents (``LES SABLES D OLONNE``), the article after the
name (``Sables-d'Olonne (Les)``), St/Ste without accents, a qualifier in
brackets or after a comma, lower case with typographic apostrophes; the
department by code or by name. ``read_centres`` (what ``abri validate``
runs) resolves them; the table gives the time (cold: with reading the
gazetteer and the boundaries) and how many rows resolved to the right
commune, to a wrong one, or were set aside.

Baseline, measured in the same run: a per-row lookup in a DataFrame of
folded names (the gazetteer's earlier way), timed on a sample and scaled.

Run: ``python bench/bench_names.py [--rows N]`` (uses $ABRI_DATA_DIR).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import pandas as pd
from records import record, timed  # type: ignore[import-not-found]

from abri.geo.centres import read_centres
from abri.geo.departements import load_departements
from abri.geo.gazetteer import load_communes
from abri.geo.names import fold

ARTICLE = re.compile(r"^(Le |La |Les |L')(.+)$")


def _plain(text: str) -> str:
    text = text.replace("œ", "oe").replace("Œ", "Oe")  # as people type it
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def styles(nom: str, i: int) -> str:
    """The `i`-th press or prefecture style of commune name `nom`."""
    kind = i % 6
    if kind == 0:
        return _plain(nom).upper().replace("-", " ").replace("'", " ")
    if kind == 1:
        found = ARTICLE.match(nom)
        return f"{found[2]} ({found[1].strip()})" if found else nom
    if kind == 2:
        return _plain(re.sub(r"\bSainte-", "Ste-", re.sub(r"\bSaint-", "St-", nom)))
    if kind == 3:
        return f"{nom} (centre d'accueil)"
    if kind == 4:
        return f"{nom}, quartier de la gare"
    return nom.lower().replace("'", "\u2019")


def make_file(folder: Path, rows: int | None) -> tuple[Path, pd.Series]:
    """A semicolon CSV of the metropolitan communes written in turn in each style; and their codes."""
    communes = load_communes()
    departements = load_departements()
    names = dict(zip(departements["code"], departements["nom"], strict=True))
    communes = communes[communes["departement"].isin(names)].reset_index(drop=True)
    if rows is not None:
        communes = communes.head(rows)
    frame = pd.DataFrame(
        {
            "id": [f"C{i:05d}" for i in range(len(communes))],
            "nom": [f"Centre {i}" for i in range(len(communes))],
            "capacite": "20",
            "commune": [styles(n, i) for i, n in enumerate(communes["nom"])],
            "departement": [
                names[d] if i % 2 else d for i, d in enumerate(communes["departement"])
            ],
            "type": "CAO",
        }
    )
    path = folder / "communes-presse.csv"
    frame.to_csv(path, sep=";", index=False)
    return path, communes["code"]


def naive(path: Path, sample: int) -> float:
    """Seconds per row of a per-row lookup of the folded name in a DataFrame, then the department."""
    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False).head(sample)
    communes = load_communes()
    start = time.perf_counter()
    for row in frame.itertuples():
        hits = communes[communes["key"] == fold(row.commune)]
        hits[hits["departement"] == row.departement]
    return (time.perf_counter() - start) / len(frame)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=None, help="first N communes (default: all)")
    parser.add_argument("--naive-sample", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path, codes = make_file(Path(tmp), args.rows)
        cpu = time.process_time()
        with timed() as cold:
            gdf, report = read_centres(path)  # cold: also reads the gazetteer and the boundaries
        cold_cpu = time.process_time() - cpu
        cpu = time.process_time()
        with timed() as warm:
            read_centres(path)
        warm_cpu = time.process_time() - cpu
        per_row = naive(path, args.naive_sample)
    n = len(codes)
    expected = dict(zip([f"C{i:05d}" for i in range(n)], codes, strict=True))
    got = dict(zip(gdf["id"], gdf["insee"], strict=True))
    right = sum(1 for k, v in got.items() if expected[k] == v)
    wrong, aside = len(got) - right, n - len(got)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| step | rows | seconds | CPU seconds | rows/s |")
    print("|---|---:|---:|---:|---:|")
    steps = (
        ("read_centres, first call (builds the name index)", cold.seconds, cold_cpu),
        ("read_centres, warm", warm.seconds, warm_cpu),
        (f"per-row DataFrame lookup (sampled on {args.naive_sample}, scaled)", per_row * n, None),
    )
    for name, seconds, cpu_s in steps:
        shown = "-" if cpu_s is None else f"{cpu_s:.2f}"
        print(f"| {name} | {n:,} | {seconds:.2f} | {shown} | {n / seconds:,.0f} |")
    print(
        f"\nresolved right {right:,} ({right / n:.2%}), wrong {wrong}, set aside {aside:,}; "
        f"peak RSS {cold.peak_mb:.0f} MB"
    )
    print(report.to_frame().groupby(["severity", "rule"]).size().to_string())
    note = f"{n:,} communes in 6 press styles"
    baseline = {"baseline": per_row * n, "baseline_name": "per-row DataFrame lookup, scaled"}
    record("names", "validate press-style list, cold", cold.seconds, "s", **baseline, note=note)
    record("names", "validate press-style list, cold, CPU", cold_cpu, "s", note=note)
    record("names", "validate press-style list, warm", warm.seconds, "s", note=note)
    record(
        "names", "rows resolved right", right / n * 100, "%", note=f"{wrong} wrong, {aside} aside"
    )
    if cold.seconds > 10:
        print("WARNING: above the 10 s target", file=sys.stderr)


if __name__ == "__main__":
    main()
