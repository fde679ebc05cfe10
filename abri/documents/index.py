"""The documents' index page and their one-file-per-sheet copies (what people forward by e-mail).

The folder holds ``index.html`` (links by department, by centre, by coach, and to each whole
document for printing), then ``departements/<code>.html``, ``centres/<id>.html`` and
``coaches/<id>.html``, one sheet each, every one linking back to the index.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

from abri.documents.html import page
from abri.files import write_text_atomic
from abri.i18n import translate

#: Sheet kind -> sub-folder of the one-sheet files.
FOLDERS = {"departement": "departements", "centre": "centres", "coach": "coaches"}
_SHEET_KEY = re.compile(r'<section class="sheet" data-kind="(\w+)" data-key="([^"]*)"')
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_name(key: str) -> str:
    """A sheet key as a file name that every system and mail client keeps: ``'CAO-358'`` -> ``'CAO-358.html'``."""
    return (_UNSAFE.sub("_", key).strip("._") or "_") + ".html"


def sheet_path(kind: str, key: str) -> str:
    """Where the one-sheet file of a sheet is, relative to the documents folder."""
    return f"{FOLDERS[kind]}/{file_name(key)}"


def _titles(sheets: list[str]) -> list[tuple[str, str, str]]:
    """(kind, key, title) of each sheet."""
    out = []
    for html_text in sheets:
        match = _SHEET_KEY.search(html_text)
        title = re.search(r"<h1>(.*?)</h1>", html_text, re.S)
        if match:
            text = title[1].split(" — ", 1)[-1] if title else escape(match[2])
            out.append((match[1], match[2], text))
    return out


def write_sheet_files(
    folder: Path, sheets: list[str], *, lang: str, title: str
) -> list[tuple[str, str, str]]:
    """Write each sheet as a file of its own (with a link back to the index); returns (kind, key, title) of each."""
    back = f'<p class="back"><a href="../index.html">← {escape(translate("index", lang))}</a></p>'
    written = []
    for text, (kind, key, heading) in zip(sheets, _titles(sheets)):
        if kind not in FOLDERS:
            continue
        path = folder / sheet_path(kind, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, page(f"{title} — {key}", [text], lang=lang, before=back))
        written.append((kind, key, heading))
    return written


def index_page(
    entries: dict[str, list[tuple[str, str, str]]],
    whole: dict[str, str],
    *,
    lang: str,
    label: str,
) -> str:
    """The index: whole documents (for printing), then one link per department, centre and coach."""
    parts = [
        f"<h2>{escape(translate('all_in_one', lang))}</h2><ul>"
        + "".join(
            f'<li><a href="{escape(href)}">{escape(text)}</a></li>' for text, href in whole.items()
        )
        + "</ul>"
    ]
    for kind, heading in (
        ("departement", "by_departement"),
        ("centre", "by_centre"),
        ("coach", "by_coach"),
    ):
        links = entries.get(kind, [])
        if links:
            parts.append(
                f'<h2 id="{FOLDERS[kind]}">{escape(translate(heading, lang))} ({len(links)})</h2><ul>'
                + "".join(
                    f'<li><a href="{sheet_path(kind, key)}">{title}</a></li>'
                    for _, key, title in links
                )
                + "</ul>"
            )
    body = (
        f'<section class="sheet" data-kind="index" data-key="index"><p class="label">{escape(label)}</p>'
        f"<header><h1>{escape(translate('index', lang))}</h1></header>"
        f'<nav class="index">{"".join(parts)}</nav></section>'
    )
    return page(translate("index", lang), [body], lang=lang)
