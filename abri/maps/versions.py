"""A re-planned plan on its map: its version, and the coaches changed since the version before.

A folder written by ``abri replan`` names its version, its parent and its time
(``plan.json``'s ``version``), the people moved (``changes.csv``) and the coaches
added, cancelled, re-timed or re-routed with the reason (``coaches_changed.csv``).
:func:`map_version` reads them; the plan map then shows the version under its
title, draws the changed coaches dashed with the reason in their sheet, and lists
them in its panel. A first plan (version 1, no parent) shows none of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from abri.files import read_csv_any
from abri.i18n import translate
from abri.maps.base import esc, map_lang

CHANGE_KINDS = ("added", "cancelled", "re-routed", "re-timed")  # the order the panel lists them


@dataclass
class MapVersion:
    """Where a plan stands among its versions, as its map shows it."""

    number: int = 1
    parent: str = ""  # the parent plan folder, as ``abri replan`` was given it
    now: str = ""  # "YYYY-MM-DD HH:MM" the version was re-planned at
    coaches: dict[str, dict[str, str]] = field(default_factory=dict)  # coach -> change row
    moved: int = 0  # rows of changes.csv

    @property
    def since(self) -> int:
        """The parent's version number (0 for a first plan)."""
        return self.number - 1

    def line(self) -> str:
        """ "version 2, re-planned at 2016-10-24 10:30 from version 1"; ``""`` for a first plan."""
        if self.since < 1:
            return ""
        date, _, time = self.now.partition(" ")
        return translate(
            "map_version", map_lang(), number=self.number, date=date, time=time, parent=self.since
        )

    def _since(self) -> str:
        return f"{translate('changed_since', map_lang())} {self.since}"

    def note(self, coach: str) -> str:
        """Escaped HTML for a changed coach's sheet: what changed since the parent, when, and why."""
        row = self.coaches.get(coach)
        if row is None or self.since < 1:
            return ""
        kind = translate(f"change_{row['change']}", map_lang())
        times = f"{esc(row['before'] or '-')} &rarr; {esc(row['after'] or '-')}"
        return (
            f"<div class='abri-changed-note'><b>{esc(self._since())}</b>: {esc(kind)} ({times})"
            f"<br><span class='abri-why'>{esc(row['why'])}</span></div>"
        )

    def tag(self, coach: str) -> str:
        """Escaped HTML for a changed coach's tooltip: "Changed since version 1: coach added"."""
        row = self.coaches.get(coach)
        if row is None or self.since < 1:
            return ""
        kind = translate(f"change_{row['change']}", map_lang())
        return f"<span class='abri-changed-tag'>{esc(self._since())}: {esc(kind)}</span><br>"

    def panel(self) -> dict[str, Any] | None:
        """The config of the panel's "changed since version N" list and legend (``None`` for a first plan)."""
        if self.since < 1:
            return None
        lang = map_lang()
        kinds = [
            [
                k,
                translate(f"change_{k}", lang),
                sorted(c for c, r in self.coaches.items() if r["change"] == k),
            ]
            for k in CHANGE_KINDS
        ]
        return {
            "title": self._since(),
            "moved": translate("people_moved", lang, n=self.moved),
            "kinds": [k for k in kinds if k[2]],
        }


def _table(folder: Path, name: str) -> pd.DataFrame:
    path = folder / name
    return read_csv_any(path, dtype=str).fillna("") if path.is_file() else pd.DataFrame()


def map_version(document: dict[str, Any], folder: Path | None) -> MapVersion:
    """The version of a plan (its ``plan.json`` `document`) and, from its `folder`, what changed."""
    record = document.get("version") or {}
    version = MapVersion(
        int(record.get("number", 1)), str(record.get("parent") or ""), str(record.get("now") or "")
    )
    if folder is None or version.since < 1:
        return version
    coaches = _table(folder, "coaches_changed.csv")
    version.coaches = {str(r["coach"]): r for r in coaches.to_dict("records")}
    version.moved = len(_table(folder, "changes.csv"))
    return version


def parent_folder(version: MapVersion, folder: Path) -> Path | None:
    """The parent's plan folder, as given to ``abri replan`` or next to `folder`; ``None`` if gone."""
    if not version.parent:
        return None
    given = Path(version.parent)
    for candidate in (given, folder.parent / given.name):
        if (candidate / "plan.json").is_file():
            return candidate
    return None
