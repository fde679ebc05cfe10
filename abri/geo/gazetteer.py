"""The commune gazetteer: look places up by INSEE code, postcode or name.

Names are matched case and accent insensitive (``saint-etienne`` finds
``Saint-Étienne``). A name shared by several communes is narrowed by
department or postcode; if it is still ambiguous the lookup says so and
lists the candidates, it never picks one silently.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from abri.errors import DataFileError
from abri.inputs.datadir import dataset_path

COLUMNS = ("code", "nom", "departement", "region", "codes_postaux", "population", "lon", "lat")


def normalise_name(text: str) -> str:
    """Lower-case, accent-free, punctuation-folded form of a place name."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()
    return re.sub(r"\bst\b", "saint", re.sub(r"\bste\b", "sainte", text))


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
    df["key"] = df["nom"].map(normalise_name)
    return df


def load_communes(data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The gazetteer as a DataFrame (one row per commune, plus a normalised ``key``).

    The file is read once per process; each call returns a copy, so a caller
    that changes its frame changes nobody else's.
    """
    return _read_communes(str(dataset_path("communes", data_dir))).copy()


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
    """Result of a gazetteer lookup: a place, or why there is none."""

    place: Place | None
    problem: str = ""  # "", "unknown", "ambiguous"
    detail: str = ""


class Gazetteer:
    """Look communes up by INSEE code, postcode or name."""

    def __init__(self, communes: pd.DataFrame) -> None:
        self._communes = communes.copy()
        communes = self._communes
        self._by_code = communes.set_index("code", drop=False)
        exploded = communes.assign(cp=communes["codes_postaux"].str.split()).explode("cp")
        self._by_postcode = exploded.groupby("cp").indices
        self._by_key = communes.groupby("key").indices
        self._cp_rows = exploded.reset_index(drop=True)

    @property
    def communes(self) -> pd.DataFrame:
        """The communes looked up (a copy: the gazetteer is shared and stays as read)."""
        return self._communes.copy()

    @classmethod
    def from_data_dir(cls, data_dir: str | os.PathLike[str] | None = None) -> Gazetteer:
        """Gazetteer over the data directory's ``communes/communes.csv``."""
        return _gazetteer(str(dataset_path("communes", data_dir)))

    def _place(self, row: pd.Series) -> Place:
        return Place(
            row["code"],
            row["nom"],
            row["departement"],
            row["region"],
            float(row["lon"]),
            float(row["lat"]),
        )

    def by_insee(self, code: str) -> Lookup:
        """The commune with INSEE code `code` (5 characters, e.g. ``62193`` or ``2A004``)."""
        code = str(code).strip().upper()
        if len(code) == 4 and code.isdigit():
            code = "0" + code  # a spreadsheet dropped the leading zero
        if code not in self._by_code.index:
            return Lookup(None, "unknown", f"no commune has INSEE code {code!r}")
        return Lookup(self._place(self._by_code.loc[code]))

    def _narrow(self, rows: pd.DataFrame, what: str) -> Lookup:
        if len(rows) == 0:
            return Lookup(None, "unknown", f"no commune matches {what}")
        if len(rows) > 1:
            listed = ", ".join(
                f"{r.nom} ({r.code}, dept {r.departement})" for r in rows.head(6).itertuples()
            )
            return Lookup(None, "ambiguous", f"{len(rows)} communes match {what}: {listed}")
        return Lookup(self._place(rows.iloc[0]))

    def by_name(
        self, name: str, *, departement: str | None = None, postcode: str | None = None
    ) -> Lookup:
        """The commune called `name`, narrowed by `departement` and/or `postcode` when names repeat."""
        idx = self._by_key.get(normalise_name(name))
        rows = self._communes.iloc[idx] if idx is not None else self._communes.iloc[[]]
        what = f"name {name!r}"
        if departement:
            dept = str(departement).strip().upper().zfill(2)
            rows = rows[rows["departement"] == dept]
            what += f" in department {dept}"
        if postcode:
            cp = str(postcode).strip().zfill(5)
            rows = rows[rows["codes_postaux"].str.split().map(lambda cps: cp in cps)]
            what += f" with postcode {cp}"
        return self._narrow(rows, what)

    def by_postcode(self, postcode: str, *, name: str | None = None) -> Lookup:
        """The commune with `postcode`; `name` picks one when a postcode serves several."""
        cp = str(postcode).strip().zfill(5)
        idx = self._by_postcode.get(cp)
        if idx is None:
            return Lookup(None, "unknown", f"no commune has postcode {cp!r}")
        rows = self._cp_rows.iloc[idx]
        if name:
            rows = rows[rows["key"] == normalise_name(name)]
            return self._narrow(rows, f"postcode {cp} and name {name!r}")
        return self._narrow(rows, f"postcode {cp}")


@lru_cache(maxsize=4)
def _gazetteer(path: str) -> Gazetteer:
    return Gazetteer(_read_communes(path))
