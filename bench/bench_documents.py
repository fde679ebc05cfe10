"""Benchmark: writing every document of the calais-2016 plan (target < 20 s with the PDFs).

Measures, on one plan folder: reading it into the document tables; the
whole folder without PDFs (HTML, CSV, XLSX); the whole folder with PDFs
printed by headless Chromium. Baseline in the same run: the road sheets
printed by WeasyPrint (pure Python), the engine used when Chromium is absent.

Run: ``python bench/bench_documents.py`` (runs the demo chain first, about
a minute) or ``python bench/bench_documents.py --plan abri-demo/plan``.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from records import record

from abri.documents import build_documents, write_documents
from abri.documents.html import page
from abri.documents.pdf import chromium, write_pdf
from abri.i18n import translate

T = TypeVar("T")


def _pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def _cpu() -> float:
    """CPU seconds of this process and its finished children (Chromium), user + system."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(step: Callable[[], T]) -> tuple[float, float, T]:
    """Wall and CPU seconds of `step()`, and its result."""
    wall, cpu = time.perf_counter(), _cpu()
    result = step()
    return time.perf_counter() - wall, _cpu() - cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--plan",
        type=Path,
        default=None,
        help="A calais-2016 plan folder (default: run the demo chain first).",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        plan = args.plan
        if plan is None:
            from abri.demo import run_demo

            run_demo(out / "demo", progress=False)
            plan = out / "demo" / "plan"
        rows: list[tuple[str, float, float, str]] = []
        wall, cpu, docs = timed(lambda: build_documents(plan))
        rows.append(("read the plan folder into the four tables", wall, cpu, "-"))
        wall, cpu, _ = timed(lambda: write_documents(plan, out / "fr", lang="fr"))
        rows.append(("all documents, French: 4 HTML + 4 CSV (excel-fr) + XLSX", wall, cpu, "-"))
        if chromium() is not None:
            wall, cpu, files = timed(
                lambda: write_documents(
                    plan, out / "fr-pdf", lang="fr", pdf=True, pdf_engine="chromium"
                )
            )
            pages = sum(_pages(p) for k, p in files.items() if k.endswith("_pdf"))
            rows.append(
                (
                    "all documents with the 4 PDFs (headless Chromium, 2 at a time)",
                    wall,
                    cpu,
                    f"{pages:,}",
                )
            )
        html = page(translate("road_sheets", "fr"), docs.sheets("road_sheets", "fr"), lang="fr")
        wall, cpu, pdf = timed(lambda: write_pdf(out / "weasy.pdf", html, engine="weasyprint"))
        rows.append(("baseline: road sheets PDF only, WeasyPrint", wall, cpu, f"{_pages(pdf):,}"))
        sheets = {k: len(v) for k, v in docs.tables.items()}
    load = os.getloadavg()[0]
    tables = docs.tables
    print(
        f"calais-2016: {tables['road_sheets']['coach'].nunique()} coaches, {sheets['road_sheets']} stops, "
        f"{tables['centre_sheets']['centre_id'].nunique()} receiving centres, "
        f"{tables['prefecture_summaries']['departement'].nunique()} departments with arrivals\n"
    )
    print("| step | wall (s) | CPU (s) | PDF pages |")
    print("|---|---:|---:|---:|")
    baseline = rows[-1]
    for label, wall_s, cpu_s, pages_ in rows:
        print(f"| {label} | {wall_s:.2f} | {cpu_s:.2f} | {pages_} |")
        compared = "PDFs" in label  # the baseline prints PDFs: compared with the PDF step only
        for what, value, base in (("wall", wall_s, baseline[1]), ("CPU", cpu_s, baseline[2])):
            record(
                "documents",
                f"{label}: {what}",
                round(value, 3),
                "s",
                baseline=round(base, 3) if compared else None,
                baseline_name=f"WeasyPrint, road sheets PDF only: {baseline[3]} pages"
                if compared
                else "",
                note=f"PDF pages: {pages_}",
            )
    print(
        f"\nload average during the run: {load:.1f} on {os.cpu_count()} cores (wall time grows with it; CPU time much less)"
    )


if __name__ == "__main__":
    main()
