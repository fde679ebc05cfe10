"""Place names as people write them: folded keys, articles, qualifiers, arrondissements, suggestions.

A commune is written in many ways: ``LES SABLES D OLONNE``, ``Sables-d'Olonne (Les)``,
``St-Jean-de-Luz``, ``Nantes (Bellevue)``, ``Grenoble, quartier Mistral``,
``Marseille 13e``. :func:`fold` gives one key for all spellings of the same name
(case, accents, ligatures, ’ or ', hyphens or spaces, St/Ste/Mt, ``s/`` for
*sur*); :func:`bare` takes a leading article off; :func:`parse_written` splits
a cell into the name, a qualifier kept as a note, and a department or postcode
written beside it. :func:`names_from_etalab` builds the gazetteer's names as
written and its table of other names from Etalab's ``communes.json``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

ARTICLES = ("le", "la", "les", "l")
#: Kinds of other names in ``communes-noms.csv`` (Etalab's types, and ``nom-actuel``).
OTHER_NAME_TYPES = (
    "nom-actuel",
    "commune-deleguee",
    "commune-associee",
    "arrondissement-municipal",
)
_LIGATURES = str.maketrans(
    {
        "œ": "oe",
        "Œ": "OE",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "\u2019": " ",
        "\u2018": " ",
        "\u02bc": " ",
    }
)
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes", "mt": "mont"}
_ABBREVIATION = re.compile(r"\b(" + "|".join(_ABBREVIATIONS) + r")\b")
_ARTICLE = re.compile(r"^(?:le|la|les|l) ")
_SUR = re.compile(r"(?<![a-z0-9])s/")
_PUNCTUATION = re.compile(r"[^a-z0-9]+")
_DEPARTEMENT = re.compile(r"\d{2,3}|2[ab]", re.IGNORECASE)
_POSTCODE = re.compile(r"\d{5}")
#: Separators of two places in one cell ("Rennes / Cesson-Sévigné", "La Flèche + Sablé").
_SEPARATORS = re.compile(r"\s*(?:/|\+|&|;|\s-\s|\bet\b|\bou\b)\s*", re.IGNORECASE)
_ARRONDISSEMENT_WORD = r"(?:arrondissement|arrdt|arrt|ardt|arr)"
_ARRONDISSEMENT = re.compile(
    rf"^(?:(?P<city>.+?) (?P<n>\d{{1,2}}|[ivxl]+?)(?:e|er|eme|ere|em|re)?(?: {_ARRONDISSEMENT_WORD})?"
    rf"|(?P<n2>\d{{1,2}}|[ivxl]+?)(?:e|er|eme|ere|em|re)? {_ARRONDISSEMENT_WORD}(?: de)? (?P<city2>.+))$"
)
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50}


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """One key for every spelling of a name: ``"Ste-Mère-Église"`` and ``"STE MERE EGLISE"`` -> ``"sainte mere eglise"``."""
    text = str(text).translate(_LIGATURES)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    text = _SUR.sub(" sur ", text)  # "Chalon s/ Saône"
    text = _PUNCTUATION.sub(" ", text).strip()
    return _ABBREVIATION.sub(_expand, text) if "t" in text else text


def _expand(found: re.Match[str]) -> str:
    return _ABBREVIATIONS[found[0]]


def bare(key: str) -> str:
    """A folded key without its leading article: ``"les sables d olonne"`` -> ``"sables d olonne"``."""
    return _ARTICLE.sub("", key)


@dataclass(frozen=True)
class Written:
    """A cell as written, taken apart."""

    name: str  # the name once qualifiers are taken off, its article put back in front
    note: str = ""  # qualifiers kept ("Bellevue"; "quartier Mistral")
    departement: str = ""  # a department code written in the cell ("Laval (53)")
    postcode: str = ""  # a postcode written in the cell


def _classify(part: str, found: dict[str, str], notes: list[str]) -> None:
    text = part.strip().strip(".").strip()
    if not text:
        return
    if fold(text) in ARTICLES:
        found["article"] = text
    elif _DEPARTEMENT.fullmatch(text):
        found["departement"] = text.upper().zfill(2)
    elif _POSTCODE.fullmatch(text):
        found["postcode"] = text
    else:
        notes.append(text)


def parse_written(text: str) -> Written:
    """Take a cell apart: ``"Puy-en-Velay (Le) (centre AFPA)"`` -> name ``"Le Puy-en-Velay"``, note ``"centre AFPA"``.

    Brackets and what follows the first comma are qualifiers: an article
    (put back in front of the name), a department code, a postcode, or a
    note kept as written.
    """
    text = re.sub(r"\s+", " ", str(text).replace("’", "'").replace("`", "'")).strip()
    if not any(c in text for c in "([,"):
        return Written(text.strip(" -"))
    found: dict[str, str] = {}
    notes: list[str] = []
    for inside in re.findall(r"[(\[]([^()\[\]]*)[)\]]", text):
        _classify(inside, found, notes)
    head = re.sub(r"[(\[][^()\[\]]*[)\]]", " ", text)
    if "," in head:
        head, tail = head.split(",", 1)
        _classify(tail, found, notes)
    head = re.sub(r"\s+", " ", head).strip(" -")
    article = found.get("article", "")
    if article:
        head = f"{article}{'' if article.endswith(chr(39)) else ' '}{head}"
    return Written(head, "; ".join(notes), found.get("departement", ""), found.get("postcode", ""))


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    values = [_ROMAN[c] for c in text]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def arrondissement(key: str) -> tuple[str, int] | None:
    """``"lyon 3e"``, ``"paris xv"``, ``"13e arrondissement de marseille"`` -> (city key, number); None otherwise."""
    found = _ARRONDISSEMENT.fullmatch(key) if len(key) <= 80 else None  # no long backtracking
    if found is None:
        return None
    city = found["city"] or found["city2"]
    number = found["n"] or found["n2"]
    return fold(city), _number(number)


def split_places(text: str) -> list[str]:
    """The parts of a cell that may name several places (``"Rennes / Cesson"`` -> both); one part if none."""
    return [p for p in (s.strip(" ,.-") for s in _SEPARATORS.split(str(text))) if p]


def suggest(key: str, choices: Mapping[str, object], *, limit: int = 3) -> list[str]:
    """Up to `limit` keys of `choices` close to `key`: names it starts with or that start with it, then fuzzy (rapidfuzz)."""
    if not key:
        return []
    starts = [c for c in choices if c.startswith(key + " ") or bare(c).startswith(key + " ")]
    starts.sort(key=len)
    heads = sorted((c for c in choices if key.startswith(c + " ")), key=len, reverse=True)
    starts = [*heads, *starts]
    close = process.extract(
        key, list(choices), scorer=fuzz.ratio, limit=limit + len(starts), score_cutoff=75
    )
    found = [*starts, *(c for c, _, _ in close)]
    return list(dict.fromkeys(found))[:limit]


@dataclass(frozen=True)
class DepartementNames:
    """Department codes by code or name: ``"44"``, ``"Loire-Atlantique"``, ``"Loire Atlantique (44)"``."""

    by_key: Mapping[str, str]

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> DepartementNames:
        """From (code, name) pairs, e.g. the boundaries' ``code`` and ``nom``."""
        return cls({fold(name): str(code) for code, name in pairs})

    def code(self, text: str) -> str:
        """The department code written in `text` (upper case, two digits at least); the text itself when unknown."""
        text = str(text).strip()
        digits = re.search(r"\b(\d{2,3}|2[ab])\b", text, re.IGNORECASE)
        if digits:
            return digits[1].upper().zfill(2)
        if text.isdigit():
            return text.zfill(2)
        key = fold(text)
        return self.by_key.get(key) or self.by_key.get(bare(key)) or text.upper()


def _article_of(etalab_name: str, polygon_name: str) -> bool:
    """True when `etalab_name` is `polygon_name` with its article in front ("Le Havre" / "Havre")."""
    head = etalab_name[: len(etalab_name) - len(polygon_name)]
    return etalab_name.endswith(polygon_name) and fold(head) in ARTICLES


def names_from_etalab(
    entries: Iterable[Mapping[str, object]], polygon_names: Mapping[str, str]
) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """The gazetteer's names as written, and its other names, from Etalab's ``communes.json``.

    Parameters
    ----------
    entries
        Etalab's records (``code``, ``nom``, ``type``, ``chefLieu`` or ``commune``).
    polygon_names
        The gazetteer's codes and their names in the polygons (IGN, without articles).

    Returns
    -------
    names
        Name as written of each code: Etalab's when it is the polygons' name
        with its article in front, else the polygons' name.
    others
        (code, name, type) rows: the name after a later merger (``nom-actuel``),
        former communes inside it (``commune-deleguee``, ``commune-associee``),
        municipal arrondissements; sorted by code then name.
    """
    same_code: dict[str, list[Mapping[str, object]]] = {}
    current: dict[str, str] = {}
    absorbed: dict[str, str] = {}  # a former code -> the current commune that lists it
    for entry in entries:
        code = str(entry["code"])
        same_code.setdefault(code, []).append(entry)
        if entry.get("type") == "commune-actuelle":
            current[code] = str(entry["nom"])
            for old in entry.get("anciensCodes") or ():  # type: ignore[attr-defined]
                absorbed[str(old)] = code
    names = {}
    for code, polygon in polygon_names.items():
        written = [
            str(e["nom"]) for e in same_code.get(code, []) if _article_of(str(e["nom"]), polygon)
        ]
        names[code] = written[0] if written else polygon
    others: set[tuple[str, str, str]] = set()
    for code, name in names.items():
        parent = absorbed.get(code) or next(
            (str(e["chefLieu"]) for e in same_code.get(code, []) if e.get("chefLieu")), code
        )
        later = current.get(parent)
        if later and later != name:
            others.add((code, later, "nom-actuel"))
    for entry in (e for group in same_code.values() for e in group):
        kind = str(entry.get("type"))
        parent = str(entry.get("chefLieu") or entry.get("commune") or "")
        own = str(entry["code"])
        target = (
            own if own in names else parent
        )  # a commune of the gazetteer merged since: its own row
        itself = own == target and str(entry["nom"]) == names.get(target)
        if kind in OTHER_NAME_TYPES and target in names and not itself:
            others.add((target, str(entry["nom"]), kind))
    return names, sorted(others)
