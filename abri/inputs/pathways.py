"""Pathways that are not a reception centre: the ``pathways.csv`` table of a scenario folder.

The file is optional (no file: no pathway but the centres). One row per
pathway, French or English headers:

- ``pathway`` (``parcours``): ``uk`` (``Royaume-Uni``) or ``medical``
  (``médical``, ``sanitaire``);
- ``mode``: for ``uk``, ``direct`` (leaves for the UK from the camp) or
  ``centre`` (through a minors' centre holding Home Office interviews); for
  ``medical``, ``transfer`` (``transfert``; the default);
- ``days`` (``jours``): the days it runs, several separated by ``;`` or
  spaces (empty: every day; not only the days the coaches run);
- ``daily_quota`` (``quota_jour``): people a day (empty: no quota);
- ``max_ride_hours`` (``trajet_max_h``): the longest ride (empty: none);
- ``destination``: free text (``Royaume-Uni (Folkestone)``).

A refusal is not a pathway: a person with a ``refusal`` in the people file
is recorded as refused. A pathway table is a setting, not a list of people:
any bad row stops the reading with a :class:`~abri.errors.DataFileError`
listing every problem (file, row, column, value, what was expected).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from abri.errors import DataFileError
from abri.inputs.needs import fold
from abri.inputs.readers import map_columns
from abri.inputs.report import RowCheck
from abri.inputs.tables import read_cells
from abri.inputs.values import clean_text, parse_count, parse_day, parse_number

PATHWAYS_FILE = "pathways.csv"
KINDS: dict[str, tuple[str, ...]] = {
    "uk": ("uk", "gb", "royaume-uni", "royaume uni", "united kingdom", "angleterre", "dublin"),
    "medical": ("medical", "medicale", "sanitaire", "medical transfer", "transfert medical"),
}
"""Pathway kinds and the words accepted for each (lower case, accents removed)."""
MODES: dict[str, dict[str, tuple[str, ...]]] = {
    "uk": {
        "direct": ("direct", "directe", "depuis le camp", "from the camp"),
        "centre": ("centre", "center", "via centre", "via un centre", "caomi", "home office"),
    },
    "medical": {"transfer": ("transfer", "transfert", "ambulance", "vsl")},
}
"""Modes of each kind and the words accepted for each; the first mode of ``medical`` is its default."""
PATHWAY_ALIASES: dict[str, tuple[str, ...]] = {
    "kind": ("pathway", "parcours", "kind", "type", "voie"),
    "mode": ("mode", "modalite"),
    "days": ("days", "jours", "day", "jour", "dates"),
    "daily_quota": ("daily_quota", "quota_jour", "quota", "quota_par_jour", "places_par_jour"),
    "max_ride_hours": ("max_ride_hours", "trajet_max_h", "trajet_max", "max_ride"),
    "destination": ("destination", "lieu", "arrivee"),
}
MAX_QUOTA = 100_000
RIDE_HOURS = (0.5, 72.0)


@dataclass(frozen=True)
class Pathway:
    """A way out of the camp other than a coach to a reception centre."""

    kind: str
    """``uk`` or ``medical``."""
    mode: str
    """``uk``: ``direct`` (from the camp) or ``centre`` (through a centre with Home Office
    interviews); ``medical``: ``transfer``."""
    days: tuple[str, ...] = ()
    """Days it runs, ``YYYY-MM-DD``; empty: every day."""
    daily_quota: int | None = None
    """People a day; None: no quota."""
    max_ride_hours: float | None = None
    destination: str = ""

    def runs_on(self, day: str) -> bool:
        """Whether the pathway runs on `day` (``YYYY-MM-DD``)."""
        return not self.days or day in self.days


def _word(text: str, words: dict[str, tuple[str, ...]]) -> str | None:
    key = fold(text)
    return next((name for name, names in words.items() if key == name or key in names), None)


class _PathwayChecker:
    """Checks pathway rows one by one, naming the file's own columns."""

    def __init__(self, path: str, columns: dict[str, str]) -> None:
        self.path = path
        self.columns = columns

    def fail(self, row: RowCheck, name: str, value: str, expected: str, rule: str) -> None:
        row.error(self.path, self.columns.get(name, name), value, expected, rule)

    def check(self, row: RowCheck) -> Pathway | None:
        """The pathway of one row, or None when the row has an error (recorded on `row`)."""
        text = row.cells.get("kind", "")
        kind = _word(text, KINDS)
        if kind is None:
            self.fail(row, "kind", text, "uk (Royaume-Uni) or medical (médical)", "unknown-pathway")
            return None
        text = row.cells.get("mode", "")
        mode = _word(text, MODES[kind]) if text.strip() or kind == "uk" else "transfer"
        if mode is None:
            expected = " or ".join(MODES[kind])
            self.fail(row, "mode", text, f"for a {kind} pathway: {expected}", "unknown-mode")
        days = self._days(row)
        quota = self._number(row, "daily_quota", whole=True, bounds=(0, MAX_QUOTA))
        ride = self._number(row, "max_ride_hours", whole=False, bounds=RIDE_HOURS)
        if row.rejected or mode is None:
            return None
        return Pathway(
            kind,
            mode,
            days,
            None if quota is None else int(quota),
            ride,
            clean_text(row.cells.get("destination", "")),
        )

    def _days(self, row: RowCheck) -> tuple[str, ...]:
        text = row.cells.get("days", "")
        days: list[str] = []
        for word in (w for w in re.split(r"[;,|\s]+", text) if w):
            try:
                day = parse_day(word)
            except ValueError:
                expected = "dates YYYY-MM-DD separated by ';' (empty: every day)"
                self.fail(row, "days", word, expected, "bad-day")
                continue
            if day not in days:
                days.append(day)
        return tuple(sorted(days))

    def _number(
        self, row: RowCheck, name: str, *, whole: bool, bounds: tuple[float, float]
    ) -> float | None:
        text = row.cells.get(name, "").strip()
        if not text:
            return None
        try:
            value = parse_count(text) if whole else parse_number(text)
        except ValueError:
            value = None
        low, high = bounds
        if value is None or (whole and not isinstance(value, int)) or not low <= value <= high:
            what = "a whole number" if whole else "a number"
            expected = f"{what} from {low:g} to {high:g}, or empty for none"
            self.fail(row, name, text, expected, f"bad-{name.replace('_', '-')}")
            return None
        return float(value)

    def check_overlaps(self, rows: list[RowCheck], found: list[Pathway | None]) -> None:
        """Two rows of the same kind and mode on a common day are ambiguous: both are errors."""
        for i, (row, a) in enumerate(zip(rows, found)):
            for other, b in zip(rows[:i], found[:i]):
                if a is None or b is None or (a.kind, a.mode) != (b.kind, b.mode):
                    continue
                if not a.days or not b.days or set(a.days) & set(b.days):
                    expected = f"one {a.kind} {a.mode} pathway a day (row {other.number} gives the same days)"
                    self.fail(row, "days", ";".join(a.days), expected, "duplicate-pathway")


def read_pathways(folder: str | os.PathLike[str]) -> list[Pathway]:
    """The pathways of a scenario folder's ``pathways.csv`` (empty when there is none).

    A pathway's days need not be days the coaches run (a UK transfer goes
    on after the last coach).

    Raises
    ------
    DataFileError
        A missing ``pathway`` column, or any bad row: every problem is listed.
    """
    path = Path(folder) / PATHWAYS_FILE
    if not path.is_file():
        return []
    table = read_cells(path)
    file = str(path)
    columns = map_columns(list(table.frame.columns), aliases=PATHWAY_ALIASES, path=file)
    if "kind" not in columns:
        msg = f"{file}: missing column 'pathway' (or parcours); expected columns {', '.join(a[0] for a in PATHWAY_ALIASES.values())}"
        raise DataFileError(msg)
    rows = table.row_checks(columns)
    checker = _PathwayChecker(file, columns)
    found = [checker.check(row) for row in rows]
    checker.check_overlaps(rows, found)
    problems = [*table.file_problems(), *(p for r in rows for p in r.problems)]
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        msg = (
            f"{file}: {len(errors)} problem(s); no pathway is read until each is fixed:\n"
            + "\n".join(f"  {p}" for p in errors)
        )
        raise DataFileError(msg)
    return [p for p in found if p is not None]
