"""HTML sheets to PDF with WeasyPrint (CSS paged media: page size, margins, running label, page numbers)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from abri.files import atomic_path


def write_pdf(path: str | os.PathLike[str], page: str) -> Path:
    """Render one HTML document (see :func:`abri.documents.html.page`) to a PDF, whole or not at all."""
    from weasyprint import HTML

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # font subsetting is chatty at INFO
    path = Path(path)
    with atomic_path(path) as tmp:
        HTML(string=page).write_pdf(tmp)
    return path
