"""Documents with needs (issue 23): centre sheets say what to prepare, summaries count needs, shortfalls up front, road sheets carry no health data."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from abri.documents import write_documents
from abri.documents.tables import need_column
from abri.files import read_csv_any
from abri.i18n import LANGS, MESSAGES, translate
from abri.inputs.needs import CARE_KINDS, NEED_ALIASES, NEEDS, fold

SHEET = re.compile(
    r'<section class="sheet" data-kind="(\w+)" data-key="([^"]*)">(.*?)</section>', re.S
)
NOTE = "Zorglub note privée"  # a free note: on no document
#: Need tokens given to carried people, one person each (a coach cannot carry stretcher or urgent-care).
CARRIED_NEEDS = [t for t in NEEDS if t not in ("stretcher", "urgent-care")]
MEDICAL = "P99001"  # placed, travels by medical transfer
UNPLACED = "P99002"  # not placed: no accessible place
UK = "P99003"  # a minor not placed: the UK quota is full


def sheets(path: Path) -> dict[str, str]:
    """Sheet key -> body of an HTML document."""
    return {key: body for _, key, body in SHEET.findall(path.read_text(encoding="utf-8"))}


def with_needs(plan: Path) -> pd.DataFrame:
    """Give the plan folder's assignments the contract's columns: every need, languages, pathways, shortfalls."""
    people = pd.read_csv(plan / "assignments.csv", dtype=str).fillna("")
    carried = people[people["coach"] != ""]
    size = carried.groupby("household")["person_id"].transform("size")
    singles = carried[size == 1]["person_id"].tolist()
    family = carried[size > 1]["person_id"].tolist()
    chosen = dict(zip([family[0], *singles[: len(CARRIED_NEEDS) - 1]], CARRIED_NEEDS))
    people["needs"] = people["person_id"].map(chosen).fillna("")
    people["languages"] = ["ti" if i % 7 == 0 else "ar;en" for i in range(len(people))]
    people["interpreter"] = [str(i % 7 != 0) for i in range(len(people))]
    people["pathway"] = ["centre" if c else "" for c in people["coach"]]
    people["shortfall"] = ""
    people["note"] = NOTE
    people["age_disputed"] = "True"
    someone = people["person_id"] == singles[len(CARRIED_NEEDS)]
    people.loc[someone, "shortfall"] = "single-room: no single room left within reach"
    centre = str(carried["centre_id"].iat[0])
    extra = [
        (MEDICAL, "vulnerable", "stretcher;care:dialysis", centre, "medical", "", ""),
        (
            UNPLACED,
            "men",
            "wheelchair",
            "",
            "",
            "accessible-place: none left",
            "no accessible place",
        ),
        (UK, "minors", "", "", "", "uk-quota: the quota of 2016-10-24 is full", "UK quota full"),
    ]
    rows = pd.DataFrame(
        [
            {"person_id": p, "group": g, "needs": n, "centre_id": c, "pathway": w}
            | {"shortfall": s, "reason": r, "day": people["day"].iat[0], "note": NOTE}
            for p, g, n, c, w, s, r in extra
        ]
    )
    people = pd.concat([people, rows], ignore_index=True).fillna("")
    people.to_csv(plan / "assignments.csv", index=False)
    return people.set_index("person_id", drop=False)


@pytest.fixture(scope="module")
def needs_plan(
    small_scenario: Path, data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, pd.DataFrame]:
    """The small scenario planned on the major roads, its assignments given every kind of need."""
    from abri.pipeline import run_plan, write_run

    folder = tmp_path_factory.mktemp("needs") / "scenario"
    shutil.copytree(small_scenario, folder)
    run = run_plan(
        folder, roads="france-major-roads", data_dir=data_dir, iterations=200, baseline=False
    )
    out = folder.parent / "plan"
    write_run(run, out)
    return out, with_needs(out)


@pytest.fixture(scope="module")
def needs_docs(needs_plan: tuple[Path, pd.DataFrame], data_dir: Path) -> dict[str, Path]:
    """French and English documents of the plan with needs (HTML, CSV, workbook)."""
    plan, _ = needs_plan
    out = {}
    for lang in LANGS:
        write_documents(plan, plan.parent / f"docs-{lang}", lang=lang, data_dir=data_dir)
        out[lang] = plan.parent / f"docs-{lang}"
    return out


def health_words() -> re.Pattern[str]:
    """Every word that says something of a person's health, folded: need tokens and aliases, care kinds, need labels."""
    words = {*NEEDS, *CARE_KINDS, *(w for w in NEED_ALIASES if len(w) > 4)}
    for key, pair in MESSAGES.items():
        if key.startswith(("need_", "care_", "shortfall_care")):
            words |= {pair[0].split("(")[0], pair[1].split("(")[0]}
    words = {fold(w).strip(" :") for w in words} - {"", "wheelchair", "fauteuil"}
    return re.compile(
        r"\b(" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + r")\b"
    )


def allowed_removed(text: str, lang: str) -> str:
    """`text` without the one operational mention of wheelchairs a road sheet may carry."""
    for n in range(0, 10):
        text = text.replace(translate("accessible_coach", lang, n=n), "")
    return text.replace(translate("wheelchair_places", lang), "")


def assert_no_health_data(text: str, lang: str, where: str) -> None:
    plain = fold(allowed_removed(text, lang))
    found = health_words().findall(plain)
    assert not found, f"{where}: health words {sorted(set(found))}"
    assert not re.search(r"\b(wheelchair|fauteuil)\b", plain), (
        f"{where}: a wheelchair outside the accessible-coach line"
    )


@pytest.mark.slow
def test_road_sheets_carry_no_health_data(
    needs_plan: tuple[Path, pd.DataFrame], needs_docs: dict[str, Path]
) -> None:
    from pypdf import PdfReader

    from abri.documents.pdf import write_pdf

    _, people = needs_plan
    wheelchair = people[people["needs"] == "wheelchair"]
    coach = str(wheelchair[wheelchair["coach"] != ""]["coach"].iat[0])
    for lang, docs in needs_docs.items():
        centre = fold((docs / "centre-sheets.html").read_text(encoding="utf-8"))
        assert len(set(health_words().findall(centre))) >= len(CARRIED_NEEDS)  # the words are seen
        html = (docs / "road-sheets.html").read_text(encoding="utf-8")
        assert_no_health_data(html, lang, f"road-sheets.html ({lang})")
        for page in (docs / "coaches").glob("*.html"):
            assert_no_health_data(page.read_text(encoding="utf-8"), lang, page.name)
        assert translate("accessible_coach", lang, n=1) in sheets(docs / "road-sheets.html")[coach]
        csv = (docs / "road-sheets.csv").read_text(encoding="utf-8-sig")
        assert_no_health_data(csv, lang, f"road-sheets.csv ({lang})")
        road = read_csv_any(docs / "road-sheets.csv", dtype=str)
        assert road[translate("wheelchair_places", lang)].astype(int).sum() == len(
            wheelchair[wheelchair["coach"] != ""]
        )
        workbook = pd.read_excel(
            docs / "documents.xlsx", sheet_name=translate("road_sheets", lang)[:31]
        )
        assert_no_health_data(workbook.to_csv(), lang, f"documents.xlsx road tab ({lang})")
        pdf = write_pdf(docs.parent / f"road-{lang}.pdf", html)
        text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
        assert coach in text
        assert_no_health_data(text, lang, f"road-sheets.pdf ({lang})")


def test_no_note_or_disputed_age_anywhere(needs_docs: dict[str, Path]) -> None:
    for docs in needs_docs.values():
        for path in docs.rglob("*"):
            if path.suffix in (".html", ".csv"):
                text = path.read_text(encoding="utf-8-sig")
                assert fold(NOTE) not in fold(text), path
                assert "age_disputed" not in text and "âge contesté" not in text.lower(), path


def test_centre_sheets_list_what_to_prepare_by_household(
    needs_plan: tuple[Path, pd.DataFrame], needs_docs: dict[str, Path]
) -> None:
    _, people = needs_plan
    for lang, docs in needs_docs.items():
        pages = sheets(docs / "centre-sheets.html")
        for token in CARRIED_NEEDS:
            person = people[people["needs"] == token].iloc[0]
            page = pages[person["centre_id"]]
            row = next(r for r in page.split("<tr>") if person["person_id"] in r)
            label = translate(need_column(token), lang).replace("'", "&#x27;")
            ids = re.search(r'<span class="ids">([^<]*)</span>', row)
            assert ids is not None and label in row, (token, lang)
            if len(ids[1].split()) > 1:  # who has it, when the row has several people
                assert f"{label} ({person['person_id']})" in row, (token, lang)
        family = people[(people["needs"] == CARRIED_NEEDS[0])].iloc[0]
        size = int((people["household"] == family["household"]).sum())
        assert re.search(
            rf"<tr><td>{family['household']}</td><td class=\"n\">{size}</td>",
            pages[family["centre_id"]],
        )
        dialysis = translate("need_care_dialysis", lang)
        assert dialysis in pages[people.at[MEDICAL, "centre_id"]]
        assert translate("interpreter_missing", lang).replace("'", "&#x27;") in "".join(
            pages.values()
        )
        section = pages[people.at[MEDICAL, "centre_id"]].split(translate("medical_arrivals", lang))[
            -1
        ]
        assert MEDICAL in section and translate("need_stretcher", lang) in section


def test_prefecture_summaries_count_needs_without_names(
    needs_plan: tuple[Path, pd.DataFrame], needs_docs: dict[str, Path]
) -> None:
    plan, people = needs_plan
    centres = {
        f["properties"]["id"]: str(f["properties"]["departement"])
        for f in json.loads((plan / "centres.geojson").read_text(encoding="utf-8"))["features"]
    }
    arriving = people[(people["coach"] != "") | (people["pathway"] == "medical")]
    arriving = arriving.assign(dep=arriving["centre_id"].map(centres))
    for lang, docs in needs_docs.items():
        pages = sheets(docs / "prefecture-summaries.html")
        for dep, part in arriving[arriving["needs"] != ""].groupby("dep"):
            section = pages[dep].split(translate("needs_heading", lang))[1].split("</table>")[0]
            for token in NEEDS:
                n = sum(token in str(v).split(";") for v in part["needs"])
                label = translate(need_column(token), lang).replace("'", "&#x27;")
                assert (f'<td>{label}</td><td class="n">{n}</td>' in section) == (n > 0)
            assert not any(p in section for p in part["person_id"])
        csv = read_csv_any(docs / "prefecture-summaries.csv", dtype=str)
        assert csv[translate(need_column("pregnancy"), lang)].astype(int).sum() == 1


def test_shortfalls_said_plainly_for_whom(
    needs_plan: tuple[Path, pd.DataFrame], needs_docs: dict[str, Path]
) -> None:
    _, people = needs_plan
    placed = people[people["shortfall"].str.startswith("single-room")].iloc[0]
    for lang, docs in needs_docs.items():
        summary = (
            (docs / "operation-summary.html").read_text(encoding="utf-8").replace("&#x27;", "'")
        )
        alerts = summary.split(translate("alerts", lang))[1].split("</ul>")[0]
        for person, code in ((UNPLACED, "accessible_place"), (UK, "uk_quota")):
            line = next(li for li in alerts.split("<li") if person in li)
            assert (
                translate(f"shortfall_{code}", lang) in line
                and translate("need_unplaced", lang) in line
            )
        line = next(li for li in alerts.split("<li") if placed["person_id"] in li)
        assert translate("shortfall_single_room", lang) in line
        centre = sheets(docs / "centre-sheets.html")[placed["centre_id"]].replace("&#x27;", "'")
        assert placed["person_id"] in centre.split(translate("alerts", lang))[1].split("</ul>")[0]
        roads = (docs / "road-sheets.html").read_text(encoding="utf-8")
        assert 'data-alert="need"' not in roads and UNPLACED not in roads


def test_calais_documents_with_needs(calais_run) -> None:  # type: ignore[no-untyped-def]
    """The demo (calais-2016 with needs, the real pipeline): road sheets without health data, every shortfall on the operation summary."""
    from abri.documents.alerts import alert_table, alert_text, shortfall_codes
    from abri.documents.tables import read_plan_folder

    _, plan = calais_run
    docs = plan.parent / "documents"  # French, written by the demo
    for path in [
        docs / "road-sheets.html",
        docs / "road-sheets.csv",
        *(docs / "coaches").glob("*"),
    ]:
        assert_no_health_data(path.read_text(encoding="utf-8-sig"), "fr", path.name)
    people = pd.read_csv(plan / "assignments.csv", dtype=str).fillna("")
    assert (people["needs"] != "").any()
    expected = {
        (p, code)
        for p, cell in zip(people["person_id"], people["shortfall"])
        for code, _ in shortfall_codes(cell)
    }
    pf = read_plan_folder(plan)
    rows = alert_table(pf)
    rows = rows[rows["kind"] == "need"].to_dict("records")
    shown = {(p, r["detail"]["code"]) for r in rows for p in r["detail"]["ids"]}
    assert expected <= shown
    summary = (docs / "operation-summary.html").read_text(encoding="utf-8")
    assert all(alert_text(r, pf, "fr") in summary for r in rows)
