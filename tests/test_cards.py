"""Person cards: one per household and way out, in the person's language and French; every glyph drawn, RTL where due, PDF text back."""

from __future__ import annotations

import datetime as dt
import doctest
import re
import subprocess
import unicodedata
from dataclasses import replace
from html import unescape
from pathlib import Path

import pandas as pd
import pytest

from abri.documents import cardtext
from abri.documents.cards import cards, pdf_parts, write_cards
from abri.documents.cardtext import KEYS, NAMES, RTL, TEXT, WEEKDAYS
from abri.documents.tables import PlanFolder
from abri.errors import DataFileError

DAY = "2016-10-24"
SEVEN = ("fr", "en", "ar", "ps", "prs", "ti", "am")
SCRIPT = "<script>alert(1)</script>"
#: person, household, languages, pathway, centre, needs (health data: never on a card), interpreter
PEOPLE = [
    ("P01", "H1", "ar;en", "centre", "C1", "wheelchair", "False"),
    ("P02", "H1", "ar", "centre", "C1", "care:dialysis", "False"),
    ("P03", "", "ps", "centre", "C1", "pregnancy", "False"),
    ("P04", "", "prs;ps", "centre", "C1", "", "False"),
    ("P05", "", "ti", "centre", "C2", "", "True"),
    ("P06", "", "am;ti", "centre", "C2", "", "False"),
    ("P07", "", "en", "centre", "C2", "", "False"),
    ("P08", "", "fr", "centre", "C2", "", "False"),
    ("P09", "", "so", "centre", "C2", "", "False"),
    ("P10", "", "ps", "uk", "", "", "False"),
    ("P11", "", "ti", "medical", "C2", "care:psychiatry;urgent-care", "False"),
    ("P12", "", "ar", "refusal", "", "", "False"),
    ("P13", "", "am", "", "", "", "False"),
    ("P14", "", "ar", "uk-centre", "C3", "", "True"),
]
TRIPS = [
    ("2016-10-24-C01", 1, "07:15", "07:45", "accessible", ["P01", "P02", "P03", "P04"], "C1"),
    ("2016-10-24-C02", 2, "07:15", "07:45", "", ["P05", "P06", "P07", "P08", "P09"], "C2"),
    ("2016-10-24-C03", 3, "23:40", "+1d 00:10", "accessible", ["P14"], "C3"),
]


@pytest.fixture()
def plan(tmp_path: Path) -> PlanFolder:
    """A hand-made plan folder: three coaches, a household, a UK and a medical pathway, a refusal, someone unplaced."""
    assignments = pd.DataFrame(
        PEOPLE,
        columns=[
            "person_id",
            "household",
            "languages",
            "pathway",
            "centre_id",
            "needs",
            "interpreter",
        ],
    ).assign(day=DAY, group="single_men")
    assignments.to_csv(tmp_path / "assignments.csv", index=False)
    centres = pd.DataFrame(
        {
            "id": ["C1", "C2", "C3"],
            "name": [
                "CAO Sainte-Cécile",
                SCRIPT,
                "Centre d'accueil et d'orientation pour mineurs isolés Saint-Éloi",
            ],
            "commune": ["Châteauroux", "Besançon", "Saint-Rémy-en-Bouzemont-Saint-Genest-et-Isson"],
            "capacity": [40, 40, 30],
        }
    ).set_index("id", drop=False)
    trips = [
        {
            "coach": coach,
            "day": DAY,
            "bay": bay,
            "boarding": boarding,
            "departure": departure,
            "vehicle_kind": kind,
            "stops": [{"centre_id": centre, "arrival": "14:00", "people": people}],
        }
        for coach, bay, boarding, departure, kind, people, centre in TRIPS
    ]
    return PlanFolder(tmp_path, "SYNTHETIC scenario", "Calais", trips, centres, {}, {})


def test_card_languages_doctest() -> None:
    assert doctest.testmod(cardtext).failed == 0


def test_every_language_has_every_word() -> None:
    assert set(TEXT) == set(NAMES) == set(WEEKDAYS) >= set(SEVEN)
    for lang, words in TEXT.items():
        assert set(words) == set(KEYS), lang
        assert all(w.strip() for w in words.values()), lang
        assert len(set(WEEKDAYS[lang])) == 7, lang


def test_one_card_per_household_and_way_out(plan: PlanFolder) -> None:
    made = {c.people: c for c in cards(plan)}
    assert ("P12",) not in made  # a refusal gets no card
    assert sorted(p for c in made for p in c) == sorted(p[0] for p in PEOPLE if p[0] != "P12")
    household = made[("P01", "P02")]
    assert household.languages == ("ar", "fr") and household.kind == "coach"
    assert household.bay == 1 and household.accessible and household.centre == "CAO Sainte-Cécile"
    assert f"{household.boarding:%Y-%m-%d %H:%M}" == "2016-10-24 07:15"
    assert made[("P04",)].languages == ("prs", "fr")
    assert made[("P06",)].languages == ("am", "fr")
    assert made[("P07",)].languages == ("en", "fr")
    assert made[("P08",)].languages == ("fr",)
    assert made[("P09",)].languages == ("fr", "en")  # Somali: no translation yet
    assert made[("P10",)].kind == "uk" and made[("P10",)].centre == ""
    assert made[("P11",)].kind == "medical" and made[("P11",)].commune == "Besançon"
    assert made[("P13",)].kind == "pending"
    late = made[("P14",)]
    assert late.uk_interview and late.interpreter and late.accessible  # every note: still one page
    assert late.departure is not None
    assert f"{late.departure:%Y-%m-%d %H:%M}" == "2016-10-25 00:10"
    order = [c.kind for c in cards(plan)]  # one day: coaches first
    assert order == sorted(order, key=("coach", "uk", "medical", "pending").index)
    assert [c.card for c in cards(plan)] == [f"{n:02d}" for n in range(1, len(made) + 1)]


def test_accessible_coaches_from_trips_csv_when_plan_json_has_no_kind(plan: PlanFolder) -> None:
    for trip in plan.trips:
        del trip["vehicle_kind"]
    assert not any(c.accessible for c in cards(plan))
    pd.DataFrame({"coach": [t[0] for t in TRIPS], "vehicle_kind": [t[4] for t in TRIPS]}).to_csv(
        plan.folder / "trips.csv", index=False
    )
    assert {c.coach for c in cards(plan) if c.accessible} == {"2016-10-24-C01", "2016-10-24-C03"}


@pytest.mark.slow
def test_cards_of_a_planned_scenario(small_scenario: Path, data_dir: Path, tmp_path: Path) -> None:
    """The small synthetic scenario (with languages, UK links, refusals) planned: a card for everyone but refusals."""
    from abri.documents.tables import read_plan_folder
    from abri.pipeline import run_plan, write_run

    run = run_plan(
        small_scenario,
        roads="france-major-roads",
        data_dir=data_dir,
        iterations=200,
        baseline=False,
    )
    write_run(run, tmp_path / "plan")
    pf = read_plan_folder(tmp_path / "plan")
    people = pd.read_csv(tmp_path / "plan" / "assignments.csv", dtype=str).fillna("")
    made = cards(pf)
    on_cards = [p for c in made for p in c.people]
    assert sorted(on_cards) == sorted(people.loc[people["pathway"] != "refusal", "person_id"])
    trips = {t["coach"]: t for t in pf.trips}
    carried = {p: t["coach"] for t in pf.trips for s in t["stops"] for p in s["people"]}
    for card in made:
        if card.kind == "coach":
            trip = trips[card.coach]
            assert all(carried[p] == card.coach for p in card.people)
            assert card.bay == trip["bay"] and f"{card.boarding:%H:%M}" == trip["boarding"]
            assert card.centre == pf.centres.at[card.centre_id, "name"]
        else:
            assert not set(card.people) & set(carried)
    spoken = people.set_index("person_id")["languages"]
    for card in made:  # the household's first language with a translation, else French
        codes = [code for p in card.people for code in spoken[p].split(";")]
        assert card.languages[0] == next((code for code in codes if code in TEXT), "fr")
    assert {lang for c in made for lang in c.languages} >= {"ar", "ps", "prs", "ti", "am", "fr"}


def test_files_escape_input_and_carry_no_health_data(plan: PlanFolder, tmp_path: Path) -> None:
    written = write_cards(plan, tmp_path / "docs", pdf=False)
    assert [p.name for p in written] == ["cards.html", "cards.csv"]
    page = written[0].read_text(encoding="utf-8")
    assert SCRIPT not in page and "&lt;script&gt;" in page
    for word in (
        "wheelchair",
        "dialysis",
        "dialyse",
        "pregnan",
        "psychiatr",
        "urgent",
        "single_men",
    ):
        assert word not in page.lower()
    assert page.count('<section class="card"') == len(cards(plan))
    for lang in SEVEN:
        direction = "rtl" if lang in RTL else "ltr"
        assert f'lang="{lang}" dir="{direction}"' in page
    table = pd.read_csv(written[1], dtype=str).fillna("")
    assert list(table["people"]) == [" ".join(c.people) for c in cards(plan)]
    assert "needs" not in table.columns


def test_pdf_files_by_day_in_parts(plan: PlanFolder) -> None:
    made = cards(plan)
    later = [replace(c, day=dt.date(2016, 10, 25)) for c in made[:3]]
    parts = pdf_parts(made + later, size=5)
    assert {name: len(part) for name, part in parts.items()} == {
        f"cards-{DAY}-1.pdf": 5,
        f"cards-{DAY}-2.pdf": 5,
        f"cards-{DAY}-3.pdf": len(made) - 10,
        "cards-2016-10-25.pdf": 3,
    }
    assert [c for part in parts.values() for c in part] == made + later


def test_a_bad_day_is_named(plan: PlanFolder) -> None:
    people = pd.read_csv(plan.folder / "assignments.csv", dtype=str).fillna("")
    people.loc[3, "day"] = "24/10/2016"
    with pytest.raises(DataFileError, match=r"row 5, column 'day': '24/10/2016' is not a date"):
        cards(plan, people)
    people.loc[3, "day"] = None  # a frame given with missing values reads them as empty
    people.loc[2:3, "household"] = None  # singles, not one household "nan"
    assert {("P03",), ("P04",)} <= {c.people for c in cards(plan, people)}


def test_a_plan_folder_without_assignments_is_named(plan: PlanFolder, tmp_path: Path) -> None:
    (plan.folder / "assignments.csv").unlink()
    with pytest.raises(DataFileError, match=r"assignments\.csv: no such file"):
        write_cards(plan, tmp_path / "docs", pdf=False)


def _font_file(postscript: str) -> str:
    done = subprocess.run(
        ["fc-list", f":postscriptname={postscript}", "file"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split(":")[0].strip()


def _drawn(text: str) -> set[str]:
    """Characters that need a glyph: not spaces, not format controls (ZWNJ, bidi marks)."""
    return {c for c in text if not c.isspace() and unicodedata.category(c) != "Cf"}


def test_every_glyph_drawn_and_arabic_script_right_to_left(
    plan: PlanFolder, tmp_path: Path, browser
) -> None:  # type: ignore[no-untyped-def]
    from fontTools.ttLib import TTFont

    html = write_cards(plan, tmp_path / "docs", pdf=False)[0]
    context = browser.new_context()
    page = context.new_page()
    page.goto(html.resolve().as_uri())
    cdp = context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    seen: set[str] = set()
    cmaps: dict[str, set[int]] = {}
    for lang in SEVEN:
        selector = f'.block[lang="{lang}"]'
        assert page.locator(selector).count() > 0, lang
        block = page.locator(selector).first
        direction = block.evaluate("e => getComputedStyle(e).direction")
        assert direction == ("rtl" if lang in RTL else "ltr"), lang
        nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": f"{selector} *"})
        fonts = {
            f["postScriptName"]
            for n in nodes["nodeIds"]
            for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": n})["fonts"]
        }
        cmap: set[int] = set()
        for font in fonts:
            if font not in cmaps:
                cmaps[font] = set(TTFont(_font_file(font), fontNumber=0).getBestCmap())
            cmap |= cmaps[font]
        text = page.locator(selector).evaluate_all("es => es.map(e => e.innerText).join(' ')")
        missing = {c for c in _drawn(text) if ord(c) not in cmap}
        assert not missing, f"{lang}: no glyph for {missing} in {fonts}"
        seen |= fonts
    assert any("Arabic" in f for f in seen) and any("Ethiopic" in f for f in seen), seen
    context.close()


WORD = re.compile(r"[^\W\d_]+")


def _plain(text: str) -> str:
    """Text as compared: NFKC (Arabic presentation forms to letters), ZWNJ a space, no other format control or mark."""
    folded = unicodedata.normalize("NFKC", text).replace("\u200c", " ")
    return "".join(c for c in folded if unicodedata.category(c) not in ("Cf", "Mn"))


def _lost(block: str, printed: str) -> set[str]:
    """Words of a block (letters only) not found in the printed page's text, read either way."""
    text = _plain(printed)
    return {w for w in WORD.findall(_plain(block)) if w not in text and w[::-1] not in text}


@pytest.mark.slow
@pytest.mark.parametrize(
    "engine", [pytest.param("chromium", marks=pytest.mark.browser), "weasyprint"]
)
def test_pdf_text_reads_back_in_every_language(
    plan: PlanFolder, tmp_path: Path, engine: str
) -> None:
    from pypdf import PdfReader

    (tmp_path / "docs" / "cards").mkdir(parents=True)
    (tmp_path / "docs" / "cards" / "cards-2016-10-23.pdf").write_bytes(b"an earlier plan's day")
    html, _, pdf = write_cards(plan, tmp_path / "docs", pdf_engine=engine)
    assert pdf.name == f"cards-{DAY}.pdf"
    assert [p.name for p in pdf.parent.glob("*.pdf")] == [pdf.name]
    made = cards(plan)
    reader = PdfReader(pdf)
    assert len(reader.pages) == len(made)  # one page per card
    page = html.read_text(encoding="utf-8")
    sections = re.findall(r'<section class="card".*?</section>', page, re.S)
    seen = set()
    for card, section, printed in zip(made, sections, reader.pages):
        text = printed.extract_text()
        for lang in card.languages:
            block = re.search(rf'<div class="block \w+" lang="{lang}".*?</div>', section, re.S)
            assert block is not None
            words = html_text(block[0])
            lost = _lost(words, text)
            assert not lost, f"card {card.card} ({lang}, {engine}): {sorted(lost)[:8]}"
            seen.add(lang)
    assert seen == set(SEVEN)
    embedded = {
        str(font.get_object()["/BaseFont"])
        for printed in reader.pages
        for font in printed["/Resources"].get("/Font", {}).values()
    }
    assert any("Arabic" in f for f in embedded) and any("Ethiopic" in f for f in embedded), embedded


def html_text(fragment: str) -> str:
    """The text of an HTML fragment (tags out, entities decoded)."""
    return unescape(re.sub(r"<[^>]+>", " ", fragment))
