"""HTML sheets to PDF: headless Chromium when installed (fast), else WeasyPrint.

Both honour the sheets' CSS paged media (A4, margins, one sheet per page,
page numbers in the bottom margin). Chromium prints about 50 pages a
second here, WeasyPrint about 15, so Chromium is preferred for national
plans; WeasyPrint needs nothing outside Python.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Literal

from abri.errors import PdfError
from abri.files import atomic_path

PdfEngine = Literal["auto", "chromium", "weasyprint"]
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-pdf-header-footer",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-extensions",
]
CHROMIUM_TIMEOUT_S = 300
PDF_WORKERS = 2  # Chromium processes printing at once


def chromium() -> str | None:
    """The headless Chromium to print with (``$ABRI_CHROMIUM``, else ``chromium`` on the PATH)."""
    return (
        os.environ.get("ABRI_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


def write_pdf(path: str | os.PathLike[str], page: str, *, engine: PdfEngine = "auto") -> Path:
    """Render one HTML document (see :func:`abri.documents.html.page`) to a PDF, whole or not at all."""
    path = Path(path)
    use = ("chromium" if chromium() else "weasyprint") if engine == "auto" else engine
    with atomic_path(path) as tmp:
        if use == "chromium":
            _chromium_pdf(page, tmp)
        else:
            _weasyprint_pdf(page, tmp)
    return path


def write_pdfs(
    pages: dict[str, tuple[Path, str]], *, engine: PdfEngine = "auto", workers: int = PDF_WORKERS
) -> dict[str, Path]:
    """Render several HTML documents (name -> (path, html)); Chromium prints `workers` at a time, WeasyPrint one by one."""
    from concurrent.futures import ThreadPoolExecutor

    use = ("chromium" if chromium() else "weasyprint") if engine == "auto" else engine
    with ThreadPoolExecutor(max_workers=workers if use == "chromium" else 1) as pool:
        done = {
            name: pool.submit(write_pdf, path, html, engine=use)
            for name, (path, html) in pages.items()
        }
        return {name: future.result() for name, future in done.items()}


def _weasyprint_pdf(page: str, target: Path) -> None:
    from weasyprint import HTML

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # font subsetting is chatty at INFO
    HTML(string=page).write_pdf(target)


def _chromium_pdf(page: str, target: Path) -> None:
    binary = chromium()
    if binary is None:
        msg = "no Chromium to print PDFs with: install chromium (apt-get install chromium) or use the weasyprint engine"
        raise PdfError(msg)
    with tempfile.TemporaryDirectory(prefix="abri-pdf-") as work:
        source = Path(work) / "page.html"
        source.write_text(page, encoding="utf-8")
        command = [
            binary,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={work}/profile",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT_S, check=False
            )
        except subprocess.TimeoutExpired as exc:
            msg = f"Chromium did not print {target.name} within {CHROMIUM_TIMEOUT_S} s"
            raise PdfError(msg) from exc
        if done.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
            msg = f"Chromium could not print {target.name} (exit {done.returncode}): {done.stderr.strip()[-300:]}"
            raise PdfError(msg)
