"""The commune gazetteer: look places up by INSEE code, postcode or name as people write it.

Names match whatever their case, accents, article ("Havre", "Le Havre",
"Havre (Le)"), St/Ste, hyphens or spaces (see :mod:`abri.geo.names`). A
qualifier in brackets or after a comma is kept as a note; former communes
and later names (``communes/communes-noms.csv``) resolve with a warning
naming the change; municipal arrondissements resolve to their commune. A
name shared by several communes is narrowed by department or postcode; if
it is still ambiguous the lookup says so and lists the candidates. Nothing
is ever guessed: a name that matches nothing gets up to three "did you
mean" candidates, and a cell naming two places is refused with a message
saying to split the row.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from abri.errors import DataFileError, MissingDataError
from abri.geo.names import (
    OTHER_NAME_TYPES,
    arrondissement,
    bare,
    fold,
    parse_written,
    split_places,
    suggest,
)
from abri.inputs.datadir import dataset_path

log = logging.getLogger(__name__)
COLUMNS = ("code", "nom", "departement", "region", "codes_postaux", "population", "lon", "lat")
OTHER_COLUMNS = ("code", "nom", "type")
#: What a warning says of each kind of other name (rule, wording).
CHANGES = {
    "nom-actuel": ("later-name", "{written} is the name since a later merger that includes {nom}"),
    "commune-deleguee": ("former-commune", "{written} is a former commune, now part of {nom}"),
    "commune-associee": ("former-commune", "{written} is a former commune, associated with {nom}"),
}


def normalise_name(text: str) -> str:
    """Lower-case, accent-free, punctuation-folded form of a place name (see :func:`~abri.geo.names.fold`)."""
    return fold(text)


@lru_cache(maxsize=4)
def _read_communes(path: str) -> pd.DataFrame:
    try:
        df = pd.read_csv(
            path,
            dtype={"code": str, "departement": str, "region": str, "codes_postaux": str},
            keep_default_na=False,
            na_values={"population": [""], "lon": [""], "lat": [""]},
        )
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        msg = f"{path}: cannot read the commune gazetteer ({exc})"
        raise DataFileError(msg) from exc
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        msg = f"{path}: gazetteer lacks columns {missing}; expected {list(COLUMNS)}"
        raise DataFileError(msg)
    df["key"] = [fold(name) for name in df["nom"].tolist()]
    return df


@lru_cache(maxsize=4)
def _read_other_names(path: str) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        msg = f"{path}: cannot read the communes' other names ({exc})"
        raise DataFileError(msg) from exc
    missing = [c for c in OTHER_COLUMNS if c not in df.columns]
    unknown = sorted(set(df.get("type", [])) - set(OTHER_NAME_TYPES))
    if missing or unknown:
        msg = (
            f"{path}: expected columns {list(OTHER_COLUMNS)} and types {list(OTHER_NAME_TYPES)}; "
            f"missing {missing}, unknown types {unknown}"
        )
        raise DataFileError(msg)
    return df


def load_communes(data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The gazetteer as a DataFrame (one row per commune, plus a normalised ``key``).

    The file is read once per process; each call returns a copy, so a caller
    that changes its frame changes nobody else's.
    """
    return _read_communes(str(dataset_path("communes", data_dir))).copy()


def load_other_names(data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The communes' other names (``code``, ``nom``, ``type``): later names, former communes, arrondissements."""
    return _read_other_names(str(dataset_path("communes-noms", data_dir))).copy()


@dataclass(frozen=True)
class Place:
    """A commune found in the gazetteer."""

    insee: str
    nom: str
    departement: str
    region: str
    lon: float
    lat: float


@dataclass(frozen=True)
class Lookup:
    """Result of a gazetteer lookup: a place, or why there is none.

    `problem` is ``""``, ``"unknown"``, ``"ambiguous"`` or ``"two-places"``;
    `warnings` are (rule, text) pairs about a place found (a former name, a
    postcode that is not the commune's); `note` is the qualifier kept from
    the cell; `candidates` are the places suggested when there is none.
    """

    place: Place | None
    problem: str = ""
    detail: str = ""
    note: str = ""
    warnings: tuple[tuple[str, str], ...] = ()
    candidates: tuple[Place, ...] = ()


@dataclass(frozen=True)
class _Hit:
    index: int  # row of the gazetteer
    written: str = ""  # the other name matched ("" for the gazetteer's own name)
    kind: str = ""  # its type in communes-noms.csv


class Gazetteer:
    """Look communes up by INSEE code, postcode or name as written."""

    def __init__(self, communes: pd.DataFrame, other_names: pd.DataFrame | None = None) -> None:
        self._communes = communes.copy()
        communes = self._communes
        self._by_code = communes.set_index("code", drop=False)
        self._index = {code: i for i, code in enumerate(communes["code"].tolist())}
        self._depts = communes["departement"].tolist()
        self._places = [
            Place(*fields)
            for fields in zip(
                *(communes[c].tolist() for c in ("code", "nom", "departement", "region")),
                communes["lon"].astype(float).tolist(),
                communes["lat"].astype(float).tolist(),
                strict=True,
            )
        ]
        self._postcodes = [set(str(v).split()) for v in communes["codes_postaux"].tolist()]
        self._population = communes["population"].fillna(0).tolist()
        keys = communes["key"].tolist()
        self._exact = _group(keys)
        self._bare = _group(bare(k) for k in keys)
        self._choices_cache: dict[str, dict[str, list[int]]] = {}
        self._by_postcode: dict[str, list[int]] = {}
        for i, cps in enumerate(self._postcodes):
            for cp in cps:
                self._by_postcode.setdefault(cp, []).append(i)
        self._other_exact: dict[str, list[_Hit]] = {}
        self._other_bare: dict[str, list[_Hit]] = {}
        self._arrondissements: dict[tuple[str, int], _Hit] = {}
        self._later: dict[int, str] = {}  # a commune merged since: its later name
        if other_names is not None:
            for code, written, kind in zip(
                *(other_names[c].tolist() for c in OTHER_COLUMNS), strict=True
            ):
                self._add_other(str(code), str(written), str(kind))
        self._cities = {city for city, _ in self._arrondissements}

    def _add_other(self, code: str, written: str, kind: str) -> None:
        if code not in self._index:
            return
        hit = _Hit(self._index[code], written, kind)
        if kind == "nom-actuel":
            self._later[hit.index] = written
        key = fold(written)
        self._other_exact.setdefault(key, []).append(hit)
        self._other_bare.setdefault(bare(key), []).append(hit)
        if kind == "arrondissement-municipal" and (found := arrondissement(key)):
            self._arrondissements[found] = hit

    @property
    def communes(self) -> pd.DataFrame:
        """The communes looked up (a copy: the gazetteer is shared and stays as read)."""
        return self._communes.copy()

    @classmethod
    def from_data_dir(cls, data_dir: str | os.PathLike[str] | None = None) -> Gazetteer:
        """Gazetteer over the data directory's ``communes/communes.csv`` and ``communes-noms.csv``."""
        try:
            others = str(dataset_path("communes-noms", data_dir))
        except MissingDataError as exc:
            log.warning("names matched without former communes and later names: %s", exc)
            others = ""
        return _gazetteer(str(dataset_path("communes", data_dir)), others)

    def _place(self, i: int) -> Place:
        return self._places[i]

    def _label(self, i: int) -> str:
        place = self._places[i]
        return f"{place.nom} ({place.insee}, dept {place.departement})"

    def by_insee(self, code: str) -> Lookup:
        """The commune with INSEE code `code` (5 characters, e.g. ``62193`` or ``2A004``)."""
        code = str(code).strip().upper()
        if len(code) == 4 and code.isdigit():
            code = "0" + code  # a spreadsheet dropped the leading zero
        if code not in self._index:
            return Lookup(None, "unknown", f"no commune has INSEE code {code!r}")
        return Lookup(self._place(self._index[code]))

    def by_postcode(self, postcode: str, *, name: str | None = None) -> Lookup:
        """The commune with `postcode`; `name` picks one when a postcode serves several (as :meth:`by_name`)."""
        cp = str(postcode).strip().zfill(5)
        if name:
            return self.by_name(name, postcode=cp)
        found = self._by_postcode.get(cp, [])
        if not found:
            return Lookup(None, "unknown", f"no commune has postcode {cp!r}")
        return self._settle([_Hit(i) for i in found], f"postcode {cp}", "", "")

    def by_name(
        self, name: str, *, departement: str | None = None, postcode: str | None = None
    ) -> Lookup:
        """The commune called `name` as written, narrowed by `departement` and/or `postcode` when names repeat."""
        dept = str(departement or "").strip().upper()
        dept = dept.zfill(2) if dept.isdigit() else dept
        cp = str(postcode or "").strip()
        cp = cp.zfill(5) if cp.isdigit() else cp
        written = parse_written(name)
        dept, cp = dept or written.departement, cp or written.postcode
        what = f"name {name!r}" + (f" in department {dept}" if dept else "")
        head, _, tail = name.partition(",")  # a name with brackets of its own, then a qualifier
        hits, note = [], ""
        for text, kept in ((name, ""), (written.name, written.note), (head, tail.strip())):
            hits, note = self._find(fold(text), dept), kept
            if hits:
                break
        if not hits and (spaced := self._spaced_qualifier(written.name, dept)):
            hits, note = spaced
        if hits:
            found = self._settle(hits, what, cp, note)
            return _with_note_check(found, self._notes_as_communes(note, dept, hits))
        return self._not_found(name, written.name, dept, cp, what)

    def _find(self, key: str, dept: str) -> list[_Hit]:
        """Candidates for a folded name: own names, then without article, then other names."""
        first = key.split(" ", 1)[0]
        city = (
            arrondissement(key) if first in self._cities or first[:1] in "0123456789ivxl" else None
        )
        if city and city in self._arrondissements:
            hit = self._arrondissements[city]
            return [h for h in [hit] if not dept or self._depts[h.index] == dept]
        for table, lookup in (
            (self._exact, key),
            (self._bare, bare(key)),
            (self._other_exact, key),
            (self._other_bare, bare(key)),
        ):
            found = [h for h in table.get(lookup, []) if not dept or self._depts[h.index] == dept]
            if found and not dept and table is self._exact:
                found += self._former_elsewhere(key, found)
            if found:
                return found
        return []

    def _former_elsewhere(self, key: str, found: list[_Hit]) -> list[_Hit]:
        """Former communes of that name in other departments ("Boissey", 01, and one in 14)."""
        depts = {self._depts[h.index] for h in found}
        return [
            h
            for h in self._other_exact.get(key, [])
            if h.kind != "arrondissement-municipal" and self._depts[h.index] not in depts
        ]

    def _spaced_qualifier(self, name: str, dept: str) -> tuple[list[_Hit], str] | None:
        """``"Grenoble - quartier Mistral"``: the first part a commune, the rest not one."""
        head, sep, tail = name.partition(" - ")
        if not sep or self._find(fold(tail), dept):
            return None
        hits = self._find(fold(head), dept)
        return (hits, tail.strip()) if hits else None

    def _notes_as_communes(self, note: str, dept: str, hits: list[_Hit]) -> list[str]:
        """Parts of the note that name another commune of the department."""
        own = {h.index for h in hits}
        return [
            part
            for part in note.split("; ")
            if part and {h.index for h in self._find(fold(part), dept)} - own
        ]

    def _settle(self, hits: list[_Hit], what: str, cp: str, note: str) -> Lookup:
        """One place from the candidates, by postcode, or the same commune under a later name."""
        hits = list({h.index: h for h in hits}.values())
        warnings: list[tuple[str, str]] = []
        if cp:
            by_cp = [h for h in hits if cp in self._postcodes[h.index]]
            if by_cp:
                hits = by_cp
            elif len(hits) == 1:
                own = " ".join(sorted(self._postcodes[hits[0].index])) or "none known"
                warnings.append(
                    ("postcode-mismatch", f"a postcode of the commune ({own}); got {cp}")
                )
            what += f" with postcode {cp}"
        merged = {h.written for h in hits if h.kind == "nom-actuel"}
        if len(hits) > 1 and len(merged) == 1 and all(h.kind == "nom-actuel" for h in hits):
            hits.sort(key=lambda h: -self._population[h.index])
            parts = ", ".join(self._label(h.index) for h in hits)
            warnings.append(
                (
                    "later-name",
                    f"{merged.pop()} is the name since a later merger of {parts}; "
                    f"placed at the first, the most populous",
                )
            )
            hits = hits[:1]
        if len(hits) > 1:
            listed = ", ".join(
                self._label(h.index) + (f" as {h.written}" if h.written else "") for h in hits[:6]
            )
            return Lookup(
                None,
                "ambiguous",
                f"{len(hits)} communes match {what}: {listed}; give the department or the postcode",
                note,
                candidates=tuple(self._place(h.index) for h in hits[:6]),
            )
        hit = hits[0]
        place = self._place(hit.index)
        if hit.kind in CHANGES and not any(r == "later-name" for r, _ in warnings):
            rule, text = CHANGES[hit.kind]
            warnings.append(
                (rule, text.format(written=hit.written, nom=f"{place.nom} ({place.insee})"))
            )
        if not hit.kind and hit.index in self._later:
            warnings.append(
                (
                    "merged-since",
                    f"{place.nom} ({place.insee}) has been part of {self._later[hit.index]} "
                    f"since a later merger; placed at {place.nom}",
                )
            )
        if hit.kind == "arrondissement-municipal":
            note = "; ".join(p for p in (hit.written, note) if p)
        return Lookup(place, note=note, warnings=tuple(warnings))

    def _not_found(self, raw: str, name: str, dept: str, cp: str, what: str) -> Lookup:
        """Two places in one cell, or nothing: up to three candidates, never a guess."""
        parts = split_places(raw)
        if len(parts) > 1:
            known = [p for p in parts if self._find(fold(parse_written(p).name), dept)]
            if known:
                return Lookup(
                    None,
                    "two-places",
                    f"one place per row: {raw!r} names {len(parts)} places ({'; '.join(parts)}); "
                    f"split the row, one centre per place",
                )
        key = fold(name)
        city = arrondissement(key)
        if city and city[0] in self._cities:
            count = sum(1 for c, _ in self._arrondissements if c == city[0])
            return Lookup(
                None, "unknown", f"{what}: that city has {count} arrondissements (1 to {count})"
            )
        found = self._suggestions(key, dept, cp)
        hint = (
            "; did you mean " + ", ".join(self._label(i) for i in found) + "?"
            if found
            else "; no close name"
        )
        return Lookup(
            None,
            "unknown",
            f"no commune matches {what}{hint}",
            candidates=tuple(self._place(i) for i in found),
        )

    def _suggestions(self, key: str, dept: str, cp: str) -> list[int]:
        """Up to three rows: the same name in other departments, the postcode's communes, close names."""
        elsewhere = [h.index for h in self._find(key, "")] if dept else []
        by_cp = self._by_postcode.get(cp, []) if cp else []
        choices = self._choices(dept)
        close = [i for k in suggest(key, choices) for i in choices[k]]
        return list(dict.fromkeys([*elsewhere, *by_cp, *close]))[:3]

    def _choices(self, dept: str) -> dict[str, list[int]]:
        """Folded names (own and other) of a department's communes, or of all, with their rows."""
        if dept not in self._choices_cache:
            out: dict[str, list[int]] = {}
            for table in (self._exact, self._other_exact):
                for key, hits in table.items():
                    for h in hits:
                        if not dept or self._depts[h.index] == dept:
                            out.setdefault(key, []).append(h.index)
            self._choices_cache[dept] = out
        return self._choices_cache[dept]


def _group(keys: Iterable[str]) -> dict[str, list[_Hit]]:
    out: dict[str, list[_Hit]] = {}
    for i, key in enumerate(keys):
        out.setdefault(key, []).append(_Hit(i))
    return out


def _with_note_check(found: Lookup, communes_in_note: list[str]) -> Lookup:
    """A note that is itself a commune is said, not silently dropped."""
    if found.place is None or not communes_in_note:
        return found
    text = (
        f"a qualifier that is not a commune: {', '.join(communes_in_note)} is also a commune; "
        f"placed at {found.place.nom}, split the row if both are meant"
    )
    return Lookup(
        found.place, note=found.note, warnings=(*found.warnings, ("qualifier-is-a-commune", text))
    )


@lru_cache(maxsize=4)
def _gazetteer(path: str, others: str) -> Gazetteer:
    return Gazetteer(_read_communes(path), _read_other_names(others) if others else None)
