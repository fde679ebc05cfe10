"""Parse the values a planner types into a cell: numbers, counts, coordinates, clocks, days, ids.

Each parser returns the value, or None (or raises :class:`ValueError` with
what was wrong) so that the caller can name the file, row and column.
Nothing is guessed silently: ``1.000`` as a count of places is ambiguous
(one thousand in French, one in English) and refused.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache

from abri.constants import ADULT_GROUPS, GROUPS

_SPACES = "\u00a0\u202f\u2009\u2007 "
_GROUPED = re.compile(r"\+?\d{1,3}(?:[ \u00a0\u202f\u2009\u2007]\d{3})+")
_AMBIGUOUS = re.compile(r"\+?\d{1,3}[.,]\d{3}")
_THOUSANDS = re.compile(r"\+?\d{1,3}(?:([.,])\d{3})(?:\1\d{3})+")
_DMS = re.compile(
    r"([+-]?\d+(?:[.,]\d+)?)\s*°\s*(?:(\d+(?:[.,]\d+)?)\s*['′’]\s*)?(?:(\d+(?:[.,]\d+)?)\s*(?:\"|″|''|”)\s*)?([NSEWO])?",
    re.IGNORECASE,
)
_DECIMAL_HEMISPHERE = re.compile(r"([+-]?\d+(?:[.,]\d+)?)\s*([NSEWO])", re.IGNORECASE)


def parse_number(text: str) -> float | None:
    """A number written ``12``, ``12.5``, ``12,5``, ``1 234,5`` or ``1.234,5``; None if not one."""
    s = text.strip()
    for space in _SPACES:
        s = s.replace(space, "")
    if "," in s and "." in s:
        s = (
            s.replace(".", "").replace(",", ".")
            if s.rfind(",") > s.rfind(".")
            else s.replace(",", "")
        )
    elif "," in s:
        s = s.replace(",", ".")
    try:
        value = float(s)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_count(text: str) -> int | float | None:
    """A count such as a number of places: ``12``, ``1 200``, ``12.0``.

    Returns the number (a float when it is not whole, for the caller to
    refuse), or None when it is not a number.

    Raises
    ------
    ValueError
        ``1.000`` or ``1,000``: one separator and three digits is one thousand
        in French and one in English, so it is refused as ambiguous.
    """
    s = text.strip()
    if (
        len(s) > 40
    ):  # no count has 40 digits: read as a (too large) number, never as a giant integer
        return parse_number(s)
    if re.fullmatch(r"[+-]?\d+", s):
        return int(s)
    if _GROUPED.fullmatch(s):
        return int(re.sub(r"\D", "", s))
    if _THOUSANDS.fullmatch(s):  # 1.000.000: the separator repeats, so it groups thousands
        return int(re.sub(r"\D", "", s))
    if _AMBIGUOUS.fullmatch(s):
        msg = f"{s!r} is ambiguous (one thousand, or one with a decimal mark?)"
        raise ValueError(msg)
    value = parse_number(s)
    if value is None:
        return None
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def parse_coordinate(text: str, *, axis: str) -> float:
    """Degrees from ``2.3522``, ``2,3522``, ``2.35°``, ``2.35 E``, ``2°21'08"E`` or ``48°51'N``.

    `axis` is ``"lon"`` or ``"lat"``: a hemisphere letter must fit it (E/W/O
    for a longitude, N/S for a latitude); W, O (ouest) and S make the value
    negative.

    Raises
    ------
    ValueError
        Not a coordinate; the message says why.
    """
    s = text.strip().replace("º", "°").replace("˚", "°")
    value = parse_number(s.removesuffix("°"))
    if value is not None:
        return value
    letter = ""
    if match := _DMS.fullmatch(s):
        degrees, minutes, seconds, letter = match.groups()
        parts = [parse_number(p) if p else 0.0 for p in (degrees, minutes, seconds)]
        if any(p is None for p in parts):
            msg = "not a number of degrees"
            raise ValueError(msg)
        d, m, sec = (float(p or 0.0) for p in parts)
        if m >= 60 or sec >= 60:
            msg = "minutes and seconds must be below 60"
            raise ValueError(msg)
        value = math.copysign(
            abs(d) + m / 60 + sec / 3600, -1.0 if degrees.strip().startswith("-") else 1.0
        )
    elif match := _DECIMAL_HEMISPHERE.fullmatch(s):
        number, letter = match.groups()
        value = parse_number(number)
    if value is None:
        msg = "not a number of degrees"
        raise ValueError(msg)
    letter = (letter or "").upper()
    if letter:
        allowed = "EWO" if axis == "lon" else "NS"
        if letter not in allowed:
            msg = f"the letter {letter!r} is not a {'longitude (E/W)' if axis == 'lon' else 'latitude (N/S)'} hemisphere"
            raise ValueError(msg)
        if letter in "WOS":
            value = -abs(value)
    return value


def parse_clock(text: str) -> str | None:
    """``'8h'``, ``'08:30'``, ``'8h30'``, ``'08:30:00'`` -> ``'08:30'``; None if not a time of day."""
    match = re.fullmatch(r"\s*(\d{1,2})\s*(?:[:hH]\s*(?:(\d{2})(?::00)?)?)?\s*", text)
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    return f"{hours:02d}:{minutes:02d}" if hours < 24 and minutes < 60 else None


@lru_cache(maxsize=4096)
def parse_day(text: str) -> str:
    """A calendar day as ``YYYY-MM-DD`` from ``2016-10-24``, ``20161024``, ``24/10/2016``, ``24.10.2016`` or ``24-10-2016``.

    With the year last, the day comes first (the French order); a spreadsheet's
    ``2016-10-24 00:00:00`` is the day.

    Raises
    ------
    ValueError
        Not a date, or a time other than midnight.
    """
    s = text.strip()
    if (m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?", s)) or (
        m := re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s)
    ):
        y, mo, d = m.groups()
    elif m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", s):
        d, mo, y = m.groups()
    else:
        msg = f"{text!r} is not a date"
        raise ValueError(msg)
    return date(int(y), int(mo), int(d)).isoformat()


def format_cell(value: object) -> str:
    """A spreadsheet value as the text a person sees: ``12.0`` -> ``'12'``, a midnight datetime -> its day."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "strftime") and hasattr(value, "hour"):  # datetime.time
        return str(value.strftime("%H:%M"))
    return str(value).strip()


# Letters of other scripts drawn like Latin ones (Cyrillic, Greek), folded for duplicate checks only.
_LOOKALIKE = str.maketrans(
    {
        # Cyrillic
        "А": "A",
        "В": "B",
        "Е": "E",
        "З": "3",
        "І": "I",
        "Ј": "J",
        "К": "K",
        "М": "M",
        "Н": "H",
        "О": "O",
        "Р": "P",
        "С": "C",
        "Т": "T",
        "У": "Y",
        "Х": "X",
        "Ѕ": "S",
        "а": "a",
        "е": "e",
        "і": "i",
        "ј": "j",
        "о": "o",
        "р": "p",
        "с": "c",
        "у": "y",
        "х": "x",
        "ѕ": "s",
        "ԁ": "d",
        "ԛ": "q",
        "ԝ": "w",
        # Greek
        "Α": "A",
        "Β": "B",
        "Ε": "E",
        "Ζ": "Z",
        "Η": "H",
        "Ι": "I",
        "Κ": "K",
        "Μ": "M",
        "Ν": "N",
        "Ο": "O",
        "Ρ": "P",
        "Τ": "T",
        "Υ": "Y",
        "Χ": "X",
        "ο": "o",
        "ϲ": "c",
    }
)


def clean_text(text: str) -> str:
    """`text` in Unicode NFKC form with invisible format characters (zero-width spaces, BOM, soft hyphen) removed."""
    if text.isascii() and text.isprintable() and "  " not in text:  # the common case, fast
        return text.strip()
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(text.split())


def identity_key(text: str) -> str:
    """What an id looks like on screen: :func:`clean_text` with look-alike letters folded to Latin."""
    return clean_text(text).translate(_LOOKALIKE)


def describe_changes(raw: str, clean: str) -> str:
    """The characters of `raw` that :func:`clean_text` changed, named (``U+200B ZERO WIDTH SPACE``)."""
    names = []
    for ch in dict.fromkeys(raw):
        if (
            ch not in clean
            or unicodedata.category(ch) == "Cf"
            or unicodedata.normalize("NFKC", ch) != ch
        ):
            names.append(f"U+{ord(ch):04X} {unicodedata.name(ch, 'UNNAMED')}")
    return ", ".join(names[:4]) or "spacing"


def describe_lookalikes(text: str) -> str:
    """The characters of `text` that :func:`identity_key` folds (letters of another script)."""
    names = [
        f"U+{ord(ch):04X} {unicodedata.name(ch, 'UNNAMED')}"
        for ch in dict.fromkeys(text)
        if ch.translate(_LOOKALIKE) != ch
    ]
    return ", ".join(names[:4])


#: Group names in French and English (after :func:`abri.inputs.readers.normalise_header`) -> abri's group.
GROUP_ALIASES = {
    "men": "men",
    "hommes": "men",
    "homme": "men",
    "hommes_isoles": "men",
    "single_men": "men",
    "women": "women",
    "femmes": "women",
    "femme": "women",
    "families": "families",
    "familles": "families",
    "famille": "families",
    "family": "families",
    "minors": "minors",
    "mineurs": "minors",
    "mineur": "minors",
    "mna": "minors",
    "mie": "minors",
    "vulnerable": "vulnerable",
    "vulnerables": "vulnerable",
    "vulnerable_people": "vulnerable",
}


def parse_groups(text: str, centre_type: str) -> tuple[list[str], list[str]]:
    """Groups a centre accepts (known, unknown tokens); empty means by type."""
    tokens = [_token(t) for t in _split_list(text)]
    known = [GROUP_ALIASES[t] for t in tokens if t in GROUP_ALIASES]
    unknown = [t for t in tokens if t and t not in GROUP_ALIASES]
    if not tokens:
        known = ["minors"] if centre_type == "CAOMI" else list(ADULT_GROUPS)
    return sorted(set(known), key=GROUPS.index), unknown


def _split_list(text: str) -> list[str]:
    for sep in ",|/+ ":
        text = text.replace(sep, ";")
    return [t for t in text.split(";") if t.strip()]


def parse_date(text: str) -> str | None:
    """:func:`parse_day`, or None if `text` is not a date."""
    try:
        return parse_day(text)
    except ValueError:
        return None


def normalise_departement(text: str) -> str:
    """``'1'`` -> ``'01'``, ``'2a'`` -> ``'2A'``."""
    s = text.strip().upper()
    return s.zfill(2) if s.isdigit() else s


def _token(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
