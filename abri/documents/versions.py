"""A re-planned version on its documents: the version on every sheet, and the sheets that changed.

A plan folder written by ``abri replan`` names its version, its parent and the time it
was made for (``plan.json``'s ``version``), and what changed since the parent
(``coaches_changed.csv``, ``arrivals_changed.csv``). Its documents carry the version in
their label (:func:`version_label`: the top of every printed page, every sheet, the
index, the workbook and the cards), and each sheet of a coach, a centre or a department
that changed gets a "changed since version N" mark with the reasons
(:func:`mark_changed`). :func:`changed_sheets` keeps only those sheets, for a
dispatcher who prints what changed only.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from abri.files import read_csv_any
from abri.i18n import translate

_SHEET = re.compile(
    r'(<section class="sheet" data-kind="(\w+)" data-key="([^"]*)">(?:<p class="label">.*?</p>)?)',
    re.S,
)
MARK_STYLE = (
    "border:2px solid #a00;padding:1mm 2mm;margin:0 0 2mm;color:#a00;font-weight:bold;font-size:9pt"
)


def version_label(label: str, version: dict[str, Any] | None) -> str:
    """`label` with the version, its parent and its time, for a version after the first."""
    if not version or int(version.get("number", 1)) <= 1:
        return label
    parent = Path(str(version.get("parent", ""))).name or "?"
    made = f"version {int(version['number'])} (<- {parent}, {version.get('now', '')})"
    return f"{label} · {made}" if label else made


def _read(folder: Path, name: str) -> pd.DataFrame:
    path = folder / name
    return read_csv_any(path, dtype=str).fillna("") if path.is_file() else pd.DataFrame()


def changes(folder: str | Path, centres: pd.DataFrame) -> dict[tuple[str, str], list[str]]:
    """(sheet kind, key) -> what changed there since the parent: coaches, centres, their departments."""
    folder = Path(folder)
    out: dict[tuple[str, str], list[str]] = {}
    for row in _read(folder, "coaches_changed.csv").to_dict("records"):
        text = f"{row['change']} ({row['before'] or '-'} -> {row['after'] or '-'}): {row['why']}"
        out.setdefault(("coach", row["coach"]), []).append(text)
    department = (
        centres["departement"].astype(str).to_dict() if "departement" in centres.columns else {}
    )
    for row in _read(folder, "arrivals_changed.csv").to_dict("records"):
        out.setdefault(("centre", row["centre_id"]), []).append(row["message"])
        code = department.get(row["centre_id"], "")
        if code:
            out.setdefault(("departement", code), []).append(
                f"{row['centre_id']}: {row['message']}"
            )
    return out


def parent_number(version: dict[str, Any] | None) -> int:
    """The parent's version number (0 for a first plan)."""
    return int((version or {}).get("number", 1)) - 1


def mark_changed(
    sheets: list[str], changed: dict[tuple[str, str], list[str]], *, since: int, lang: str
) -> list[str]:
    """Each sheet that `changed` names, marked "changed since version `since`" with its reasons."""
    if since < 1:
        return sheets
    out = []
    for text in sheets:
        match = _SHEET.search(text)
        reasons = changed.get((match.group(2), match.group(3))) if match else None
        if match and reasons:
            items = "".join(f"<li>{escape(r)}</li>" for r in reasons)
            mark = (
                f'<div class="changed" style="{MARK_STYLE}">{translate("changed_since", lang)} {since}'
                f"<ul>{items}</ul></div>"
            )
            text = text[: match.end()] + mark + text[match.end() :]
        out.append(text)
    return out


def changed_sheets(sheets: list[str]) -> list[str]:
    """The sheets :func:`mark_changed` marked."""
    return [s for s in sheets if '<div class="changed"' in s]
