"""What a person needs, as words a planner types: the vocabulary and its parsers.

A people file may carry, besides ``person_id``, ``day`` and ``group``
(see :mod:`abri.inputs.people`), optional columns in French or English:

- ``needs`` (``besoins``): several words in one cell, separated by ``;``,
  ``,`` or ``/``: mobility (``wheelchair``/``fauteuil roulant``,
  ``reduced-mobility``/``PMR``, ``stretcher``/``allongé``: cannot travel
  seated), care (``dialysis``/``dialyse``, ``maternity``/``maternité``,
  ``psychiatry``/``psychiatrie``, ``emergency``/``suivi urgences``),
  ``urgent-care``/``soins urgents`` (care that cannot wait),
  ``pregnancy``/``enceinte``, ``elderly``/``âgé``, ``single-room``/
  ``chambre individuelle``;
- ``languages`` (``langues``): language names or ISO codes (``arabe``,
  ``Tigrinya``, ``ps``...);
- ``family_link`` (``lien_familial``): a country, optionally a town:
  ``UK``, ``Royaume-Uni: Birmingham``;
- ``age_disputed`` (``age_conteste``): yes/no;
- ``refusal`` (``refus``): the reason a person refused the solution offered
  (non-empty: refused);
- ``note``: free text, kept as written.

Canonical forms (the people frame's columns): ``needs`` is a ``;``-joined,
sorted list of :data:`NEEDS` tokens, care kinds written ``care:<kind>``;
``languages`` a ``;``-joined list of codes of :data:`LANGUAGES`;
``family_country`` a code of :data:`COUNTRIES` (``UK``...), ``family_town``
free text; ``age_disputed`` a bool. :func:`profile` turns a person's
needs into the hard requirements the planner must meet.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

CARE_KINDS: tuple[str, ...] = ("emergency", "maternity", "dialysis", "psychiatry")
"""Kinds of care a hospital gives (the data pack's ``health/hospitals.csv`` flags)."""

MOBILITY: tuple[str, ...] = ("wheelchair", "reduced-mobility", "stretcher")
NEEDS: tuple[str, ...] = (
    *MOBILITY,
    *(f"care:{k}" for k in CARE_KINDS),
    "urgent-care",
    "pregnancy",
    "elderly",
    "single-room",
)
"""Every need token, in the order documents list them."""

NEED_ALIASES: dict[str, str] = {
    "wheelchair": "wheelchair",
    "fauteuil": "wheelchair",
    "fauteuil roulant": "wheelchair",
    "fauteuil-roulant": "wheelchair",
    "ufr": "wheelchair",
    "reduced-mobility": "reduced-mobility",
    "reduced mobility": "reduced-mobility",
    "mobilite reduite": "reduced-mobility",
    "pmr": "reduced-mobility",
    "stretcher": "stretcher",
    "brancard": "stretcher",
    "allonge": "stretcher",
    "couche": "stretcher",
    "cannot sit": "stretcher",
    "dialysis": "care:dialysis",
    "dialyse": "care:dialysis",
    "maternity": "care:maternity",
    "maternite": "care:maternity",
    "psychiatry": "care:psychiatry",
    "psychiatrie": "care:psychiatry",
    "psy": "care:psychiatry",
    "emergency": "care:emergency",
    "emergency follow-up": "care:emergency",
    "urgences": "care:emergency",
    "suivi urgences": "care:emergency",
    "urgent-care": "urgent-care",
    "urgent care": "urgent-care",
    "soins urgents": "urgent-care",
    "pregnancy": "pregnancy",
    "pregnant": "pregnancy",
    "enceinte": "pregnancy",
    "grossesse": "pregnancy",
    "elderly": "elderly",
    "age": "elderly",
    "agee": "elderly",
    "personne agee": "elderly",
    "single-room": "single-room",
    "single room": "single-room",
    "chambre individuelle": "single-room",
    "chambre seule": "single-room",
}
"""Words accepted for each need (lower case, accents removed); ``care:<kind>`` and ``medical:<kind>`` too."""

LANGUAGES: dict[str, tuple[str, ...]] = {
    "fr": ("french", "francais"),
    "en": ("english", "anglais"),
    "ar": ("arabic", "arabe"),
    "ps": ("pashto", "pashtu", "pachto", "pachtou"),
    "prs": ("dari", "persan dari", "fa-af"),
    "fa": ("farsi", "persian", "persan"),
    "ti": ("tigrinya", "tigrigna", "tigrinia"),
    "am": ("amharic", "amharique"),
    "ur": ("urdu", "ourdou"),
    "ku": ("kurdish", "kurde"),
    "so": ("somali", "somalien"),
    "om": ("oromo",),
}
"""Language codes (ISO 639) abri knows, with the names accepted for each."""

COUNTRIES: dict[str, tuple[str, ...]] = {
    "UK": (
        "uk",
        "gb",
        "gbr",
        "united kingdom",
        "royaume-uni",
        "royaume uni",
        "angleterre",
        "england",
    ),
    "DE": ("de", "germany", "allemagne"),
    "BE": ("be", "belgium", "belgique"),
    "NL": ("nl", "netherlands", "pays-bas"),
    "SE": ("se", "sweden", "suede"),
    "IT": ("it", "italy", "italie"),
}
"""Countries of a family link, with the names accepted for each."""

SEPARATORS = re.compile(r"[;,/|+]")


def fold(text: str) -> str:
    """Lower case, accents removed, inner spaces and underscores single spaces."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[\s_]+", " ", plain).strip().lower()


def split_cell(text: str) -> list[str]:
    """The words of a several-values cell (``;``, ``,``, ``/``, ``|`` or ``+`` between them)."""
    return [t.strip() for t in SEPARATORS.split(text) if t.strip()]


def parse_needs(text: str) -> tuple[list[str], list[str]]:
    """Need tokens of a cell (known, in :data:`NEEDS` order) and the words not understood."""
    known, unknown = set(), []
    for word in split_cell(text):
        key = fold(word)
        if key.startswith(("care:", "medical:", "soins:", "medical ", "care ")):
            kind = NEED_ALIASES.get(re.split(r"[: ]", key, maxsplit=1)[1].strip(), "")
            key = kind if kind.startswith("care:") else key
        token = NEED_ALIASES.get(key, key if key in NEEDS else "")
        if token:
            known.add(token)
        else:
            unknown.append(word)
    return [n for n in NEEDS if n in known], unknown


_LANGUAGE_OF = {
    **{code: code for code in LANGUAGES},
    **{name: code for code, names in LANGUAGES.items() for name in names},
}


def parse_languages(text: str) -> tuple[list[str], list[str]]:
    """Language codes of a cell (in the order written, once each) and the words not understood."""
    known: list[str] = []
    unknown = []
    for word in split_cell(text):
        code = _LANGUAGE_OF.get(fold(word))
        if code is None:
            unknown.append(word)
        elif code not in known:
            known.append(code)
    return known, unknown


_COUNTRY_OF = {
    **{code.lower(): code for code in COUNTRIES},
    **{name: code for code, names in COUNTRIES.items() for name in names},
}


def parse_family_link(text: str) -> tuple[str, str] | None:
    """``(country code, town)`` of a family link written ``UK``, ``UK: Birmingham`` or ``Royaume-Uni (Leeds)``; None if the country is unknown, ``("", "")`` if empty."""
    if not text.strip():
        return "", ""
    parts = re.split(r"\s*[:(,]\s*|\s+[-–]\s+", text.strip().rstrip(")"), maxsplit=1)
    country = _COUNTRY_OF.get(fold(parts[0]))
    if country is None:
        whole = _COUNTRY_OF.get(fold(text))
        return (whole, "") if whole else None
    return country, parts[1].strip() if len(parts) > 1 else ""


YES = {"1", "yes", "y", "oui", "o", "true", "vrai", "x"}
NO = {"", "0", "no", "n", "non", "false", "faux"}


def parse_yes_no(text: str) -> bool | None:
    """True for yes/oui/1/x, False for no/non/0/empty, None otherwise."""
    key = fold(text)
    return True if key in YES else False if key in NO else None


@dataclass(frozen=True)
class NeedProfile:
    """A person's hard requirements, from their needs (see :func:`profile`)."""

    accessible: bool = False
    """Needs a step-free place and a coach with a lift (a wheelchair)."""
    seated: bool = True
    """False: cannot travel seated (stretcher): a medical transfer, never a coach."""
    urgent: bool = False
    """Care that cannot wait: a medical transfer."""
    care: tuple[str, ...] = ()
    """Kinds of care needed within the rules' ``care_max_minutes`` of the centre."""
    single_room: bool = False
    limited_ride: bool = False
    """Rides at most the rules' ``need_max_ride_hours`` (pregnancy, elderly, mobility, care)."""

    @property
    def medical_transfer(self) -> bool:
        """Travels by a medical transfer, not by coach."""
        return self.urgent or not self.seated


def profile(needs: str | list[str] | tuple[str, ...]) -> NeedProfile:
    """The hard requirements of a person's canonical needs (``;``-joined or a list)."""
    tokens = set(needs.split(";") if isinstance(needs, str) else needs) - {""}
    care = tuple(k for k in CARE_KINDS if f"care:{k}" in tokens)
    return NeedProfile(
        accessible="wheelchair" in tokens,
        seated="stretcher" not in tokens,
        urgent="urgent-care" in tokens,
        care=care,
        single_room="single-room" in tokens,
        limited_ride=bool(
            care or tokens & {"wheelchair", "reduced-mobility", "pregnancy", "elderly"}
        ),
    )
