"""Read and check a people file (the scenario folder reader is :mod:`abri.inputs.scenario`).

People files get the same row-level messages as centre files: file, row,
column, value, what was expected; bad rows are set aside into a rejects
file, never dropped silently. Values are normalised as centre files'
are: groups in French or English (``hommes``, ``Men``), days written
``2016-10-24``, ``20161024`` or ``24/10/2016`` become one day, ids are
compared as they look on screen (invisible and look-alike characters do
not make two ids different). A household travels together: its members
must share one day and one group, else all of them are set aside.

Optional columns (French or English headers) say what a person needs, the
languages they speak, a family link, a disputed age, a refusal and a note
(the words are those of :mod:`abri.inputs.needs`); a word not understood
sets the row aside with the words accepted, as a bad group does. The frame
returned always has every column of :data:`PEOPLE_COLUMNS`.
"""

from __future__ import annotations

import os
from functools import lru_cache

import pandas as pd

from abri.constants import GROUPS
from abri.errors import DataFileError
from abri.inputs import needs as vocabulary
from abri.inputs.limits import MAX_ROWS, check_count
from abri.inputs.readers import RawTable, map_columns, normalise_header
from abri.inputs.report import RowCheck, ValidationReport
from abri.inputs.tables import read_cells
from abri.inputs.values import (
    GROUP_ALIASES,
    clean_text,
    describe_changes,
    describe_lookalikes,
    identity_key,
    parse_day,
)

REQUIRED_COLUMNS = ("person_id", "day", "group")
NEED_COLUMNS = (
    "needs",
    "languages",
    "family_country",
    "family_town",
    "age_disputed",
    "refusal",
    "note",
)
"""The people frame's columns from the optional need columns (see :mod:`abri.inputs.needs`)."""
PEOPLE_COLUMNS = ("person_id", "day", "group", "household", "pref1", "pref2", *NEED_COLUMNS)
"""Every column of the people frame, always present (strings, ``age_disputed`` a bool)."""
PEOPLE_ALIASES: dict[str, tuple[str, ...]] = {
    "person_id": ("person_id", "id", "person", "personne", "id_personne", "identifiant"),
    "day": ("day", "jour", "date", "date_depart", "departure_day"),
    "group": ("group", "groupe", "public", "queue"),
    "household": ("household", "foyer", "menage", "household_id", "id_foyer"),
    "pref1": ("pref1", "preference1", "region1", "choix1"),
    "pref2": ("pref2", "preference2", "region2", "choix2"),
    "needs": ("needs", "need", "besoins", "besoin", "besoins_specifiques", "special_needs"),
    "languages": ("languages", "language", "langues", "langue", "langues_parlees"),
    "family_link": ("family_link", "lien_familial", "famille", "family", "liens_familiaux"),
    "age_disputed": ("age_disputed", "age_conteste", "age_contested", "minorite_contestee"),
    "refusal": ("refusal", "refus", "motif_refus", "refusal_reason", "motif_du_refus"),
    "note": ("note", "notes", "remarque", "remarques", "commentaire", "comment"),
}

_EXPECTED = {
    "needs": (
        f"needs among {', '.join(vocabulary.NEEDS)} (also read: fauteuil roulant, PMR, allongé, "
        "dialyse, maternité, psychiatrie, suivi urgences, soins urgents, enceinte, âgé, "
        "chambre individuelle), several separated by ';'"
    ),
    "languages": "languages among "
    + ", ".join(f"{code} ({names[0]})" for code, names in vocabulary.LANGUAGES.items())
    + " (names in French or English, or codes), several separated by ';'",
    "family_link": "a country among "
    + ", ".join(
        f"{code} ({', '.join([n for n in names if len(n) > 3][:2])})"
        for code, names in vocabulary.COUNTRIES.items()
    )
    + ", optionally with a town: 'UK: Birmingham'",
    "age_disputed": "yes or no (oui/non, 1/0, x, or empty for no)",
}


@lru_cache(maxsize=1024)
def _group_key(text: str) -> str:
    return normalise_header(text)


@lru_cache(maxsize=4096)
def _needs(text: str) -> tuple[str, tuple[str, ...]]:
    """A needs cell as its canonical ``;``-joined tokens and the words not understood."""
    known, unknown = vocabulary.parse_needs(text)
    return ";".join(known), tuple(unknown)


@lru_cache(maxsize=4096)
def _languages(text: str) -> tuple[str, tuple[str, ...]]:
    """A languages cell as ``;``-joined codes and the words not understood."""
    known, unknown = vocabulary.parse_languages(text)
    return ";".join(known), tuple(unknown)


def _check_columns(table: RawTable, columns: dict[str, str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        hint = table.layout_hint(
            lambda cells: set(REQUIRED_COLUMNS) <= map_columns(cells, aliases=PEOPLE_ALIASES).keys()
        )
        msg = (
            f"{table.path}: missing column(s) {missing}; expected {list(REQUIRED_COLUMNS)} (optional: household, pref1, pref2, needs, languages, family_link, age_disputed, refusal, note)"
            + (f". Hint: {hint}" if hint else "")
        )
        raise DataFileError(msg)


class PeopleChecker:
    """Checks people records one by one; then households as a whole."""

    def __init__(
        self,
        path: str,
        columns: dict[str, str],
        regions: set[str] | None,
        days: list[str] | None = None,
    ) -> None:
        self.path = path
        self.columns = columns
        self.regions = regions
        self.days = sorted(days) if days else None
        self.seen: dict[str, tuple[int, str]] = {}

    def col(self, field_name: str) -> str:
        """The file's own name for a canonical field."""
        return self.columns.get(field_name, field_name)

    def check(self, row: RowCheck) -> None:
        """Every per-row rule; fills ``row.values`` with the normalised record."""
        self._check_id(row)
        self._check_day(row)
        self._check_group(row)
        for col in ("pref1", "pref2"):
            value = clean_text(row.cells.get(col, ""))
            if value and self.regions is not None and value not in self.regions:
                row.error(
                    self.path,
                    self.col(col),
                    value,
                    f"a region code among {', '.join(sorted(self.regions))}",
                    "unknown-region",
                )
            row.values[col] = value
        self._check_needs(row)

    def _check_day(self, row: RowCheck) -> None:
        text = row.cells.get("day", "")
        try:
            row.values["day"] = parse_day(text)
        except ValueError:
            row.error(
                self.path,
                self.col("day"),
                text,
                "a date YYYY-MM-DD (also read: 20161024, 24/10/2016)",
                "bad-day",
            )
        else:
            if self.days is not None and row.values["day"] not in self.days:
                row.error(
                    self.path,
                    self.col("day"),
                    text,
                    f"a day the fleet runs (fleet.json days: {', '.join(self.days)})",
                    "day-without-fleet",
                )

    def _check_group(self, row: RowCheck) -> None:
        text = row.cells.get("group", "")
        group = GROUP_ALIASES.get(_group_key(text))
        if group is None:
            row.error(
                self.path,
                self.col("group"),
                text,
                f"one of {', '.join(GROUPS)} (or hommes, femmes, familles, mineurs, vulnerables)",
                "unknown-group",
            )
        row.values["group"] = group or text
        household = clean_text(row.cells.get("household", ""))
        if row.values["group"] == "families" and not household:
            row.warn(
                self.path,
                self.col("household"),
                "",
                "a household id for a family member (travels alone otherwise)",
                "missing-household",
            )
        row.values["household"] = household

    def _check_needs(self, row: RowCheck) -> None:
        """The optional columns: needs, languages, family link, disputed age, refusal, note."""
        for name, parse, rule in (
            ("needs", _needs, "unknown-need"),
            ("languages", _languages, "unknown-language"),
        ):
            text = row.cells.get(name, "")
            row.values[name], unknown = parse(text) if text else ("", ())
            if unknown:
                expected = f"{_EXPECTED[name]}; not understood: {'; '.join(unknown)}"
                row.error(self.path, self.col(name), text, expected, rule)
        text = row.cells.get("family_link", "")
        link = vocabulary.parse_family_link(text)
        if link is None:
            row.error(
                self.path,
                self.col("family_link"),
                text,
                _EXPECTED["family_link"],
                "unknown-country",
            )
        row.values["family_country"], row.values["family_town"] = link or ("", "")
        text = row.cells.get("age_disputed", "")
        disputed = vocabulary.parse_yes_no(text)
        if disputed is None:
            row.error(
                self.path, self.col("age_disputed"), text, _EXPECTED["age_disputed"], "bad-yes-no"
            )
        row.values["age_disputed"] = bool(disputed)
        row.values["refusal"] = clean_text(row.cells.get("refusal", ""))
        row.values["note"] = row.cells.get("note", "").strip()

    def _check_id(self, row: RowCheck) -> None:
        raw = row.cells.get("person_id", "")
        pid = clean_text(raw)
        key = identity_key(pid)
        column = self.col("person_id")
        if pid != raw.strip():
            row.warn(
                self.path,
                column,
                raw,
                f"an id of visible characters (read as {pid!r}; removed or replaced: "
                f"{describe_changes(raw, pid)})",
                "invisible-characters",
            )
        if not pid:
            row.error(self.path, column, raw, "a non-empty person id", "missing-id")
        elif key in self.seen:
            first, first_id = self.seen[key]
            same = (
                ""
                if first_id == pid
                else f"; {pid!r} looks the same as {first_id!r}: {describe_lookalikes(pid + first_id)}"
            )
            row.error(
                self.path,
                column,
                raw,
                f"a unique id (already used on row {first}{same})",
                "duplicate-id",
            )
        else:
            self.seen[key] = (row.number, pid)
        row.values["person_id"] = pid

    def check_households(self, rows: list[RowCheck]) -> None:
        """Set aside every member of a household spread over several days or groups (it would be split)."""
        members: dict[str, list[RowCheck]] = {}
        for row in rows:  # one travelling alone counts as the household of their own id
            household = row.values.get("household") or row.values.get("person_id")
            if household and "day" in row.values and row.values["group"] in GROUPS:
                members.setdefault(str(household), []).append(row)
        for household, group in members.items():
            if len(group) < 2:
                continue
            for field_name in ("day", "group"):
                values = {str(r.values[field_name]) for r in group}
                if len(values) < 2:
                    continue
                listed = ", ".join(f"row {r.number}: {r.values[field_name]}" for r in group[:6]) + (
                    " ..." if len(group) > 6 else ""
                )
                for r in group:
                    r.error(
                        self.path,
                        self.col(field_name),
                        str(r.cells.get(field_name, "")),
                        f"the same {field_name} for every member of household {household!r} ({listed})",
                        f"household-split-{field_name}",
                    )
                break


def read_people(
    path: str | os.PathLike[str], *, regions: set[str] | None = None, days: list[str] | None = None
) -> tuple[pd.DataFrame, ValidationReport]:
    """Read and check a people file.

    Parameters
    ----------
    path
        CSV, Excel, GeoJSON or GeoPackage with ``person_id``, ``day``,
        ``group`` and optionally ``household``, ``pref1``, ``pref2``,
        ``needs``, ``languages``, ``family_link``, ``age_disputed``,
        ``refusal``, ``note`` (French headers accepted: ``jour``,
        ``groupe``, ``foyer``, ``besoins``, ``langues``, ``lien_familial``,
        ``age_conteste``, ``refus``, ``remarque``...).
    regions
        Region codes a preference may name; None accepts any.
    days
        The days the fleet runs (``fleet.json`` ``days``); a person on another day is set aside. None or empty accepts any.

    Returns
    -------
    people
        The kept rows, normalised: ``day`` as YYYY-MM-DD, ``group`` among
        :data:`abri.constants.GROUPS`, ``household`` the person's own id
        when empty; every column of :data:`PEOPLE_COLUMNS`, needs and
        languages in the canonical forms of :mod:`abri.inputs.needs`.
    report
        Every problem, and the rows set aside (``report.rejects``).
    """
    table = read_cells(path)
    file = str(path)
    columns = map_columns(list(table.frame.columns), path=file, aliases=PEOPLE_ALIASES)
    _check_columns(table, columns)
    check_count("people", len(table.rows), MAX_ROWS, source=file, advice="split the file")
    rows = table.row_checks(columns)
    checker = PeopleChecker(file, columns, regions, days)
    for row in rows:
        checker.check(row)
    checker.check_households(rows)
    report = ValidationReport.from_rows(
        file, table.frame, rows, file_problems=table.file_problems()
    )
    kept = pd.DataFrame(
        [{c: r.values.get(c, "") for c in PEOPLE_COLUMNS} for r in rows if not r.rejected],
        columns=list(PEOPLE_COLUMNS),
        dtype=object,
    )
    kept["age_disputed"] = kept["age_disputed"].astype(bool)
    kept["household"] = kept["household"].where(kept["household"] != "", kept["person_id"])
    return kept.reset_index(drop=True), report
