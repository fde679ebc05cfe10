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
import tempfile
import time
from pathlib import Path

from abri.documents import build_documents, write_documents
from abri.documents.html import page
from abri.documents.pdf import chromium, write_pdf
from abri.i18n import translate


def _pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", type=Path, default=None, help="A calais-2016 plan folder (default: run the demo chain first).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        plan = args.plan
        if plan is None:
            from abri.pipeline import run_demo

            run_demo(out / "demo", progress=False)
            plan = out / "demo" / "plan"
        rows = []
        start = time.perf_counter()
        docs = build_documents(plan)
        rows.append(("read the plan folder into the four tables", time.perf_counter() - start, "-"))
        start = time.perf_counter()
        write_documents(plan, out / "fr", lang="fr")
        rows.append(("all documents, French: 4 HTML + 4 CSV (excel-fr) + XLSX", time.perf_counter() - start, "-"))
        if chromium() is not None:
            start = time.perf_counter()
            files = write_documents(plan, out / "fr-pdf", lang="fr", pdf=True, pdf_engine="chromium")
            pages = sum(_pages(p) for k, p in files.items() if k.endswith("_pdf"))
            rows.append(("all documents with the 4 PDFs (headless Chromium)", time.perf_counter() - start, f"{pages:,}"))
        html = page(translate("road_sheets", "fr"), docs.sheets("road_sheets", "fr"), lang="fr")
        start = time.perf_counter()
        pdf = write_pdf(out / "weasy.pdf", html, engine="weasyprint")
        rows.append(("baseline: road sheets PDF only, WeasyPrint", time.perf_counter() - start, f"{_pages(pdf):,}"))
        sheets = {k: len(v) for k, v in docs.tables.items()}
    print(f"calais-2016: {docs.tables['road_sheets']['coach'].nunique()} coaches, {sheets['road_sheets']} stops, "
          f"{docs.tables['centre_sheets']['centre_id'].nunique()} receiving centres, "
          f"{docs.tables['prefecture_summaries']['departement'].nunique()} departments with arrivals\n")
    print("| step | seconds | PDF pages |")
    print("|---|---:|---:|")
    for label, seconds, pages_ in rows:
        print(f"| {label} | {seconds:.2f} | {pages_} |")


if __name__ == "__main__":
    main()
