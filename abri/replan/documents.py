"""A re-planned version's documents: all of them marked, and the sheets that changed on their own.

:func:`write_version_documents` writes the plan folder's documents
(:func:`abri.documents.write_documents`: every sheet carries the version, and the
sheets of coaches, centres and departments that changed since the parent are marked),
then ``changed.html``: only the changed sheets, to print and hand out what changed.
"""

from __future__ import annotations

import os
from pathlib import Path

from abri.documents import DOCUMENTS, build_documents, write_documents
from abri.documents.html import page
from abri.documents.versions import changed_sheets
from abri.files import write_text_atomic
from abri.i18n import DEFAULT_LANG, translate

CHANGED = "changed.html"


def write_version_documents(
    plan_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    lang: str = DEFAULT_LANG,
    data_dir: str | os.PathLike[str] | None = None,
) -> dict[str, Path]:
    """Every document of the version in `plan_dir` into `out_dir`, and ``changed.html`` (what changed only)."""
    files = write_documents(plan_dir, out_dir, lang=lang, data_dir=data_dir)
    docs = build_documents(plan_dir, data_dir=data_dir)
    sheets = [s for key in DOCUMENTS for s in changed_sheets(docs.sheets(key, lang))]
    title = translate("changed_sheets", lang)
    files["changed"] = write_text_atomic(Path(out_dir) / CHANGED, page(title, sheets, lang=lang))
    return files
