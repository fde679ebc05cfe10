"""A card for each person or household leaving the camp, in their language, with the French text for the staff.

One card per household (a single is a household of one) and per way out,
printed one per A5 page and readable on a phone:

- by coach (pathway ``centre`` or ``uk-centre``): the coach, the bay, the
  day and the boarding time, the coach's departure, the destination (centre
  and town); a centre with Home Office interviews says so; an accessible
  coach says it has a lift; an interpreter of the person's language at the
  centre is named;
- UK direct transfer (``uk``) and medical transport (``medical``, with the
  centre it goes to): the pathway and the day; staff give the time and place;
- anyone without a way out yet (unplaced, not carried): a card sending them
  to the information point. A person who refused (``refusal``) gets no card.

Each card has a block in the first of the person's ``languages`` that has a
translation (:mod:`abri.documents.cardtext`; else French and English),
then the same text in French for the staff. Each block carries its ``lang``
and ``dir`` (right to left for Arabic, Pashto and Dari); numbers, times and
ids are Western digits, isolated from the text's direction. Fonts are
named by family (Debian's ``fonts-noto-core``: Noto Naskh Arabic, Noto
Sans Ethiopic, Noto Sans), so Chromium and WeasyPrint draw every glyph.

Files (:func:`write_cards`), in the documents folder's ``cards/``: ``cards.html`` (every card,
one anchor each: ``cards.html#card-012``), ``cards.csv`` (one row per card, for the staff handing
them out), and ``cards-<day>.pdf`` (a day's cards, in parts beyond :data:`CARDS_PER_PDF`).

Privacy: a card shows what the person needs to act, nothing else: no need,
diagnosis, group or family detail (an accessible coach is a fact about the
coach). The translations need review by native speakers (see
:mod:`abri.documents.cardtext`).

Examples
--------
>>> pf = read_plan_folder("calais-plan")  # doctest: +SKIP
>>> write_cards(pf, "calais-documents", pdf=True)  # doctest: +SKIP
[PosixPath('calais-documents/cards/cards.html'), ...]
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import asdict, dataclass, replace
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from abri.documents.cardtext import FONTS, LATIN_FONTS, NAMES, RTL, TEXT, WEEKDAYS, card_languages
from abri.documents.pdf import PdfEngine, write_pdfs
from abri.documents.tables import PlanFolder, moment
from abri.errors import DataFileError
from abri.files import CsvDialect, read_csv_any, write_csv, write_text_atomic
from abri.inputs.needs import split_cell

__all__ = ["CARDS_PER_PDF", "Card", "card_page", "cards", "pdf_parts", "write_cards"]

FOLDER = "cards"
COACH_PATHWAYS = ("centre", "uk-centre")
CARDS_PER_PDF = (
    800  # cards per PDF file (Chromium prints 1,000 cards in about 18 s on a busy machine)
)
TRUE = {"true", "1", "yes", "oui"}


@dataclass(frozen=True)
class Card:
    """One card: who it is for, in which languages, and how they leave."""

    card: str  # the card's number, printed on it
    people: tuple[str, ...]  # person ids (one household)
    languages: tuple[str, ...]  # block languages, the person's first
    kind: str  # "coach", "uk", "medical" or "pending"
    pathway: str  # the assignments' pathway
    day: dt.date | None
    coach: str = ""
    bay: int | None = None
    boarding: dt.datetime | None = None
    departure: dt.datetime | None = None
    centre_id: str = ""
    centre: str = ""
    commune: str = ""
    accessible: bool = False  # the coach has a lift and wheelchair places
    interpreter: bool = False  # the centre has an interpreter of the person's language
    uk_interview: bool = False  # Home Office interviews at the centre (pathway uk-centre)


def _assignments(pf: PlanFolder) -> pd.DataFrame:
    path = pf.folder / "assignments.csv"
    if not path.is_file():
        msg = f"{path}: no such file; a plan folder (written by `abri plan`) holds assignments.csv, one row per person"
        raise DataFileError(msg)
    frame = read_csv_any(path, dtype=str).fillna("")
    if "person_id" not in frame:
        msg = f"{path}: no person_id column; expected the assignments written by `abri plan`, got {list(frame.columns)}"
        raise DataFileError(msg)
    return frame


def _check_days(frame: pd.DataFrame, path: Path) -> None:
    """Each person's day is a date (YYYY-MM-DD) or empty."""
    for n, value in enumerate(frame.get("day", pd.Series(dtype=str)), start=2):
        try:
            if value:
                dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            msg = f"{path}: row {n}, column 'day': {value!r} is not a date; expected YYYY-MM-DD"
            raise DataFileError(msg) from None


def _when(day: str, clock: Any) -> dt.datetime | None:
    value = moment(day, clock)
    return value if isinstance(value, dt.datetime) else None


def _centre(pf: PlanFolder, centre_id: str) -> tuple[str, str]:
    if not centre_id or centre_id not in pf.centres.index:
        return "", ""
    row = pf.centres.loc[centre_id]
    return str(row.get("name", "") or ""), str(row.get("commune", "") or "")


def _kind(pathway: str, on_coach: bool) -> str:
    if on_coach:
        return "coach"
    return pathway if pathway in ("uk", "medical") else "pending"


def cards(pf: PlanFolder, assignments: pd.DataFrame | None = None) -> list[Card]:
    """Every card of a plan: one per household and way out, by day, coaches first (by boarding, bay).

    Parameters
    ----------
    pf
        The plan folder (:func:`abri.documents.tables.read_plan_folder`).
    assignments
        One row per person (``person_id``, ``household``, ``day``, ``centre_id``, and when present
        ``pathway``, ``languages``, ``interpreter``); default: the folder's ``assignments.csv``.
    """
    frame = _assignments(pf) if assignments is None else assignments.fillna("").astype(str)
    _check_days(frame, pf.folder / "assignments.csv")
    trips = {str(p): t for t in pf.trips for s in t["stops"] for p in s["people"]}
    groups: dict[tuple[str, ...], list[dict[str, str]]] = {}
    for row in frame.to_dict("records"):
        person = str(row["person_id"])
        pathway = str(row.get("pathway", "centre" if person in trips else ""))
        if pathway == "refusal":
            continue
        kind = _kind(pathway, person in trips and pathway in (*COACH_PATHWAYS, ""))
        trip = trips.get(person, {})
        household = str(row.get("household", "") or pf.households.get(person, "")) or person
        centre_id = _stop_centre(trip, person) if trip else str(row.get("centre_id", ""))
        key = (household, kind, pathway, str(trip.get("coach", "")), centre_id)
        groups.setdefault(key, []).append({**row, "person_id": person, "centre_id": centre_id})
    lifts = _accessible_coaches(pf)
    made = [_card(pf, key, members, trips, lifts) for key, members in groups.items()]
    made.sort(key=_order)
    width = len(str(len(made)))
    return [replace(c, card=f"{n:0{width}d}") for n, c in enumerate(made, start=1)]


def _accessible_coaches(pf: PlanFolder) -> set[str]:
    """Coaches with a lift: plan.json's ``vehicle_kind``, else the folder's trips.csv."""
    kinds = {str(t["coach"]): str(t["vehicle_kind"]) for t in pf.trips if "vehicle_kind" in t}
    path = pf.folder / "trips.csv"
    if len(kinds) < len(pf.trips) and path.is_file():
        table = read_csv_any(path, dtype=str, usecols=lambda c: c in {"coach", "vehicle_kind"})
        if {"coach", "vehicle_kind"} <= set(table.columns):
            kinds = dict(zip(table["coach"], table["vehicle_kind"].fillna(""))) | kinds
    return {coach for coach, kind in kinds.items() if kind == "accessible"}


def _stop_centre(trip: dict[str, Any], person: str) -> str:
    return next(str(s["centre_id"]) for s in trip["stops"] if person in s["people"])


def _order(card: Card) -> tuple[Any, ...]:
    kinds = ("coach", "uk", "medical", "pending")
    return (
        card.day or dt.date.max,
        kinds.index(card.kind),
        card.boarding or dt.datetime.max,
        card.bay if card.bay is not None else 10**6,
        card.coach,
        card.people,
    )


def _card(
    pf: PlanFolder,
    key: tuple[str, ...],
    members: list[dict[str, str]],
    trips: dict[str, dict[str, Any]],
    lifts: set[str],
) -> Card:
    _, kind, pathway, coach, centre_id = key
    first = members[0]
    spoken = [code for m in members for code in split_cell(str(m.get("languages", "")))]
    name, commune = _centre(pf, centre_id) if kind != "uk" else ("", "")
    common: dict[str, Any] = {
        "card": "",
        "people": tuple(m["person_id"] for m in members),
        "languages": card_languages(spoken),
        "kind": kind,
        "pathway": pathway,
        "centre_id": centre_id if name else "",
        "centre": name,
        "commune": commune,
        "interpreter": any(str(m.get("interpreter", "")).lower() in TRUE for m in members)
        and bool(name),
    }
    if kind != "coach":
        day = str(first.get("day", ""))[:10]
        return Card(**common, day=dt.date.fromisoformat(day) if day else None)
    trip = trips[first["person_id"]]
    day = str(trip["day"])[:10]
    boarding = _when(day, trip.get("boarding"))
    bay = trip.get("bay")
    return Card(
        **common,
        day=boarding.date() if boarding else dt.date.fromisoformat(day),
        coach=coach,
        bay=int(bay) if isinstance(bay, int | float) and not isinstance(bay, bool) else None,
        boarding=boarding,
        departure=_when(day, trip.get("departure")),
        accessible=coach in lifts,
        uk_interview=pathway == "uk-centre",
    )


CSS = """
@page { size: A5 portrait; margin: 7mm 8mm; }
html { font: 10pt/1.28 %(latin)s; color: #000; }
body { margin: 0; }
[lang="ar"], [lang="ps"], [lang="prs"] { font-family: %(arabic)s; }
[lang="ti"], [lang="am"] { font-family: %(ethiopic)s; }
.card { break-after: page; page-break-after: always; }
.card:last-child { break-after: auto; page-break-after: auto; }
.label { color: #a00; font-size: 8pt; font-weight: bold; margin: 0 0 2mm; }
.label:empty { display: none; }
.block h2 { font-size: 1.2em; margin: 0 0 1mm; }
.block h2 .lang { font-size: 0.7em; font-weight: normal; color: #444; padding-inline-start: 3mm; }
.block.main { font-size: 11pt; }
.block.second { font-size: 8pt; border-top: 1pt dashed #666; margin-top: 2mm; padding-top: 1.5mm; }
.block dl { display: grid; grid-template-columns: auto 1fr; gap: 0.4mm 4mm; margin: 0 0 1mm; }
.block dt { font-weight: bold; } .block dd { margin: 0; }
.big { font-size: 1.35em; font-weight: bold; line-height: 1.05; }
.block p { margin: 0.6mm 0; }
footer.ids { font: 7pt/1.2 'DejaVu Sans Mono', monospace; color: #333; margin-top: 2mm; }
@media screen { body { background: #ddd; }
  .card { background: #fff; max-width: 128mm; margin: 6mm auto; padding: 8mm; box-shadow: 0 0 3px #888; } }
@media screen and (max-width: 600px) { body { background: #fff; }
  .card { margin: 0; padding: 4mm; box-shadow: none; border-bottom: 2px solid #888; } }
"""


def _ltr(text: object, *, big: bool = False) -> str:
    """Digits and ids kept left to right inside any text."""
    cls = ' class="big"' if big else ""
    return f'<bdi dir="ltr"{cls}>{escape(str(text))}</bdi>'


def _day(day: dt.date, lang: str) -> str:
    return f"{escape(WEEKDAYS[lang][day.weekday()])} {_ltr(day.strftime('%d/%m/%Y'))}"


def _clock(when: dt.datetime | None, day: dt.date | None, lang: str) -> str:
    """A time, with its day when it is not `day` (a departure after midnight)."""
    if when is None:
        return ""
    clock = _ltr(f"{when:%H:%M}")
    return clock if when.date() == day else f"{clock} ({_day(when.date(), lang)})"


def _place(card: Card) -> str:
    """The centre and its town, as written in the centre file."""
    parts = [card.centre, card.commune if card.commune != card.centre else ""]
    return "<br>".join(f"<bdi>{escape(p)}</bdi>" for p in parts if p)


def _facts(card: Card, t: dict[str, str], lang: str) -> list[tuple[str, str]]:
    day = _day(card.day, lang) if card.day else ""
    if card.kind == "coach":
        return [
            (t["coach"], _ltr(card.coach, big=True)),
            (t["bay"], _ltr(card.bay, big=True) if card.bay is not None else ""),
            (t["day"], day),
            (t["boarding"], _ltr(f"{card.boarding:%H:%M}", big=True) if card.boarding else ""),
            (t["departure"], _clock(card.departure, card.day, lang)),
            (t["destination"], _place(card)),
        ]
    if card.kind in ("uk", "medical"):
        return [
            (t["pathway"], f"<b>{escape(t[card.kind])}</b>"),
            (t["day"], day),
            (t["destination"], _place(card)),
        ]
    return []


def _notes(card: Card, t: dict[str, str]) -> list[str]:
    if card.kind == "pending":
        return [t["not_arranged"]]
    wanted = [
        (card.kind != "coach", "staff_will_tell"),
        (card.uk_interview, "uk_interview"),
        (card.accessible, "accessible"),
        (card.interpreter, "interpreter"),
        (True, "on_time"),
    ]
    return [t[key] for show, key in wanted if show]


def _block(card: Card, lang: str, *, main: bool) -> str:
    """One language's block: its heading, the facts, what to bring, the notes."""
    t = TEXT[lang]
    facts = [(label, value) for label, value in _facts(card, t, lang) if value]
    if card.kind != "pending":
        facts.append((t["bring"], escape(t["bring_items"])))
    items = "".join(f"<dt>{escape(label)}</dt><dd>{value}</dd>" for label, value in facts)
    notes = "".join(f"<p>{escape(text)}</p>" for text in _notes(card, t))
    direction = "rtl" if lang in RTL else "ltr"
    return (
        f'<div class="block {"main" if main else "second"}" lang="{lang}" dir="{direction}">'
        f'<h2>{escape(t["heading"])} <span class="lang">{escape(NAMES[lang])}</span></h2>'
        f"{f'<dl>{items}</dl>' if items else ''}{notes}</div>"
    )


def card_html(card: Card, *, label: str = "") -> str:
    """One card as an HTML section (one printed page)."""
    blocks = "".join(_block(card, lang, main=n == 0) for n, lang in enumerate(card.languages))
    return (
        f'<section class="card" id="card-{escape(card.card)}" data-card="{escape(card.card)}" data-kind="{card.kind}" '
        f'data-langs="{" ".join(card.languages)}"><p class="label">{escape(label)}</p>{blocks}'
        f'<footer class="ids" dir="ltr">{escape(card.card)} · {escape(" ".join(card.people))}</footer></section>'
    )


def card_page(made: list[Card], *, label: str = "") -> str:
    """A whole HTML document of cards, self-contained (no file or network it needs)."""
    css = CSS % {"latin": LATIN_FONTS, "arabic": FONTS["ar"], "ethiopic": FONTS["ti"]}
    sections = "".join(card_html(c, label=label) for c in made)
    return (
        '<!DOCTYPE html><html lang="fr" dir="ltr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Cartes · Cards</title><style>{css}</style></head><body>{sections}</body></html>"
    )


def card_table(made: list[Card]) -> pd.DataFrame:
    """One row per card (for the staff handing them out): who, which languages, how and when."""
    rows = [
        {
            **asdict(c),
            "people": " ".join(c.people),
            "languages": " ".join(c.languages),
            "boarding": f"{c.boarding:%Y-%m-%d %H:%M}" if c.boarding else "",
            "departure": f"{c.departure:%Y-%m-%d %H:%M}" if c.departure else "",
            "day": c.day.isoformat() if c.day else "",
            "bay": "" if c.bay is None else c.bay,
        }
        for c in made
    ]
    return pd.DataFrame(rows, columns=list(Card.__dataclass_fields__))


def write_cards(
    pf: PlanFolder,
    out_dir: str | os.PathLike[str],
    *,
    pdf: bool = True,
    pdf_engine: PdfEngine = "auto",
    assignments: pd.DataFrame | None = None,
    dialect: CsvDialect | None = None,
) -> list[Path]:
    """Write ``cards/cards.html``, ``cards/cards.csv`` (in `dialect`) and (with `pdf`) a PDF a day under `out_dir`.

    The PDFs hold one A5 page per card: ``cards-<day>.pdf`` (the boarding day), split into
    ``cards-<day>-1.pdf``, ``-2``... beyond :data:`CARDS_PER_PDF` cards, so that each prints in
    well under a minute (one document of the 6,962 calais-2016 cards took Chromium over 5 min).

    Parameters
    ----------
    pf
        The plan folder (:func:`abri.documents.tables.read_plan_folder`).
    out_dir
        The documents folder; the cards go into its ``cards`` sub-folder.
    pdf
        Also print the cards to PDF, one A5 page each.
    pdf_engine
        ``"chromium"``, ``"weasyprint"`` or ``"auto"`` (see :func:`abri.documents.pdf.write_pdf`).
    assignments
        One row per person; default: the plan folder's ``assignments.csv``.

    Returns
    -------
    list of Path
        The files written: HTML, CSV, then the PDFs (:func:`pdf_parts`).
    """
    folder = Path(out_dir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    made = cards(pf, assignments)
    page = card_page(made, label=pf.label)
    written = [
        write_text_atomic(folder / "cards.html", page),
        write_csv(folder / "cards.csv", card_table(made), dialect=dialect),
    ]
    if pdf:
        pages = {
            name: (folder / name, card_page(part, label=pf.label))
            for name, part in pdf_parts(made).items()
        }
        written += write_pdfs(pages, engine=pdf_engine).values()
    for stale in set(folder.glob("cards-*.pdf")) - set(written):  # of an earlier plan's days
        stale.unlink()
    return written


def pdf_parts(made: list[Card], *, size: int = CARDS_PER_PDF) -> dict[str, list[Card]]:
    """Cards by PDF file: one a day (``cards-2016-10-24.pdf``), in parts of at most `size` cards (``-1``, ``-2``...)."""
    by_day: dict[str, list[Card]] = {}
    for card in made:
        by_day.setdefault(card.day.isoformat() if card.day else "undated", []).append(card)
    parts: dict[str, list[Card]] = {}
    for day, group in by_day.items():
        chunks = [group[i : i + size] for i in range(0, len(group), size)]
        for n, chunk in enumerate(chunks, start=1):
            parts[f"cards-{day}{f'-{n}' if len(chunks) > 1 else ''}.pdf"] = chunk
    return parts
