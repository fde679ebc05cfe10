"""Documents from a plan folder: sheets per coach, centre and department; HTML, PDF, XLSX, CSV; French and English."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from abri.cli import main
from abri.documents import build_documents, write_documents
from abri.documents.pdf import chromium, write_pdf
from abri.documents.tables import read_plan_folder
from abri.files import read_csv_any
from abri.i18n import format_date, format_number, translate

SHEET = re.compile(
    r'<section class="sheet" data-kind="(\w+)" data-key="([^"]*)">(.*?)</section>', re.S
)
IDS = re.compile(r'<span class="ids">([^<]*)</span>')
EVIL = '=HYPERLINK("http://x")'
SCRIPT = "<script>alert(1)</script>"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def plan_dir(
    small_scenario: Path, data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The small scenario with contact columns in its centre file (accents, a formula, markup), planned on the major roads."""
    from abri.pipeline import run_plan, write_run

    folder = tmp_path_factory.mktemp("docs") / "scenario"
    shutil.copytree(small_scenario, folder)
    centres = pd.read_csv(folder / "centres.csv", sep=";", dtype=str, encoding="utf-8-sig")
    centres["téléphone"] = [f"+33 3 21 00 {i:02d} {i:02d}" for i in range(len(centres))]
    centres["adresse"] = "12 rue de l'Église, Châteauroux"
    centres["contact"] = [
        EVIL if i % 3 == 0 else SCRIPT if i % 3 == 1 else "Mme Bérénice Çelik"
        for i in range(len(centres))
    ]
    centres.to_csv(folder / "centres.csv", sep=";", index=False, encoding="utf-8-sig")
    run = run_plan(
        folder, roads="france-major-roads", data_dir=data_dir, iterations=200, baseline=False
    )
    out = folder.parent / "plan"
    write_run(run, out)
    coaches = [t.coach for t in run.plan.trips]
    roster = pd.DataFrame(
        {
            "coach": coaches,
            "société": "Cars du Détroit",
            "plaque": [f"AB-{i:03d}-CD" for i in range(len(coaches))],
            "téléphone conducteur": [
                AT if i == 0 else "06 12 34 56 78" for i in range(len(coaches))
            ],
        }
    )
    roster.to_csv(out.parent / "roster.csv", index=False)
    return out


@pytest.fixture(scope="module")
def fr_docs(plan_dir: Path, data_dir: Path) -> Path:
    """French documents with the roster and PDFs (headless Chromium when installed)."""
    write_documents(
        plan_dir,
        plan_dir.parent / "docs-fr",
        lang="fr",
        pdf=True,
        roster=plan_dir.parent / "roster.csv",
        data_dir=data_dir,
    )
    return plan_dir.parent / "docs-fr"


@pytest.fixture(scope="module")
def en_docs(plan_dir: Path, data_dir: Path) -> Path:
    """English documents, plain comma CSV."""
    write_documents(plan_dir, plan_dir.parent / "docs-en", lang="en", data_dir=data_dir)
    return plan_dir.parent / "docs-en"


def sheets(path: Path) -> list[tuple[str, str, str]]:
    """(kind, key, body) of every sheet in an HTML document."""
    return SHEET.findall(path.read_text(encoding="utf-8"))


def people_per_sheet(path: Path) -> Counter[str]:
    """How many times each person id is listed on the sheets of `path`."""
    return Counter(
        p for _, _, body in sheets(path) for ids in IDS.findall(body) for p in ids.split()
    )


def read_fr_csv(path: Path) -> pd.DataFrame:
    """A CSV written with the excel-fr dialect."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name}: no byte-order mark for Excel"
    return read_csv_any(path, dtype={translate("departement", "fr"): str})


def check_sheets_and_people(plan: Path, docs: Path) -> None:
    """One sheet per coach / receiving centre / department with places; each carried person once on each kind of sheet."""
    import json

    trips = json.loads((plan / "plan.json").read_text(encoding="utf-8"))["trips"]
    carried = [p for t in trips for s in t["stops"] for p in s["people"]]
    assert len(carried) == len(set(carried)) > 0
    centres = {s["centre_id"] for t in trips for s in t["stops"]}
    located = pd.read_json(plan / "centres.geojson").features.map(lambda f: f["properties"])
    departement = {p["id"]: p["departement"] for p in located}
    road = sheets(docs / "road-sheets.html")
    assert sorted(k for _, k, _ in road) == sorted(t["coach"] for t in trips)
    assert sorted(k for _, k, _ in sheets(docs / "centre-sheets.html")) == sorted(centres)
    with_places = {str(p["departement"]) for p in located if (p.get("capacity") or 0) > 0}
    assert {departement[c] for c in centres} <= with_places
    assert sorted(k for _, k, _ in sheets(docs / "prefecture-summaries.html")) == sorted(
        with_places
    )
    for name in ("road-sheets.html", "centre-sheets.html"):
        counts = people_per_sheet(docs / name)
        assert set(counts) == set(carried), name
        assert max(counts.values()) == 1, f"{name}: {counts.most_common(1)} listed twice"
    for name in ("road-sheets.csv", "centre-sheets.csv"):  # French documents (the default)
        listed = [
            p
            for cell in read_fr_csv(docs / name)[translate("person_ids", "fr")]
            for p in str(cell).split()
        ]
        assert sorted(listed) == sorted(carried), name


def test_one_sheet_each_and_every_person_once(plan_dir: Path, fr_docs: Path) -> None:
    check_sheets_and_people(plan_dir, fr_docs)


def test_centre_and_roster_columns_reach_the_documents(fr_docs: Path) -> None:
    road, centre = (
        (fr_docs / "road-sheets.html").read_text(encoding="utf-8"),
        (fr_docs / "centre-sheets.html").read_text(encoding="utf-8"),
    )
    for text in (road, centre):
        assert (
            "12 rue de l&#x27;Église, Châteauroux" in text
            and "Mme Bérénice Çelik" in text
            and "+33 3 21 00" in text
        )
        assert "Cars du Détroit" in text and "AB-000-CD" in text and "téléphone conducteur" in text
    stops = read_fr_csv(fr_docs / "road-sheets.csv")
    assert {"téléphone", "adresse", "contact", "société", "plaque", "téléphone conducteur"} <= set(
        stops.columns
    )
    assert set(read_fr_csv(fr_docs / "centre-sheets.csv").columns) >= {
        "téléphone",
        "adresse",
        "contact",
        "plaque",
    }


def test_text_from_inputs_is_escaped_and_inert(fr_docs: Path) -> None:
    from openpyxl import load_workbook

    for name in ("road-sheets.html", "centre-sheets.html"):
        text = (fr_docs / name).read_text(encoding="utf-8")
        assert "<script" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    for name in ("road-sheets.csv", "centre-sheets.csv"):
        table = read_fr_csv(fr_docs / name)
        cells = set(table["contact"].dropna()) | set(
            table["téléphone conducteur"].dropna().astype(str)
        )
        assert "'" + EVIL in cells and EVIL not in cells and "'" + AT in cells and AT not in cells
    book = load_workbook(fr_docs / "documents.xlsx")
    label = "SYNTHETIC scenario calibrated on public figures of the October 2016 Calais operation; not real people or centres."
    # the plan's label travels with the workbook: its properties and the printed header of every tab
    assert book.properties.subject == label and all(
        label in (s.oddHeader.center.text or "") for s in book.worksheets
    )
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (
                    f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                )
                assert not (
                    isinstance(cell.value, str) and cell.value.startswith(("=", "+", "@"))
                ), f"{sheet.title}!{cell.coordinate}"


def test_workbook_reads_back_with_the_csv_figures(fr_docs: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(fr_docs / "documents.xlsx")
    stems = {
        "road_sheets": "road-sheets",
        "centre_sheets": "centre-sheets",
        "prefecture_summaries": "prefecture-summaries",
        "operation_summary": "operation-summary",
    }
    assert book.sheetnames == [translate(k, "fr")[:31] for k in stems]
    for key, stem in stems.items():
        sheet = book[translate(key, "fr")[:31]]
        assert sheet.freeze_panes == "A2"
        assert sheet.column_dimensions["A"].width > 5
        rows = list(sheet.values)
        xlsx = pd.DataFrame(rows[1:], columns=rows[0])
        csv = read_fr_csv(fr_docs / f"{stem}.csv")
        assert list(xlsx.columns) == list(csv.columns)
        assert len(xlsx) == len(csv) > 0
        numeric = [
            c for c in csv.columns if pd.api.types.is_numeric_dtype(csv[c]) and csv[c].notna().any()
        ]
        assert translate("total", "fr") in numeric
        for column in numeric:
            assert all(isinstance(v, int | float) for v in xlsx[column].dropna()), (
                f"{stem}: {column} not typed"
            )
            assert (
                xlsx[column].astype(float).fillna(-1).round(6).tolist()
                == csv[column].astype(float).fillna(-1).round(6).tolist()
            ), column
        day = translate("day", "fr")
        if day in xlsx:  # date cells shown as 24/10/2016, the CSV's text
            assert [v.strftime("%d/%m/%Y") for v in xlsx[day]] == csv[day].tolist()
            assert (
                sheet.cell(row=2, column=list(xlsx.columns).index(day) + 1).number_format
                == "DD/MM/YYYY"
            )


def test_french_and_english_runs(fr_docs: Path, en_docs: Path) -> None:
    fr, en = read_fr_csv(fr_docs / "road-sheets.csv"), pd.read_csv(en_docs / "road-sheets.csv")
    assert not (en_docs / "road-sheets.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert {"Car", "Jour", "Arrivée prévue", "Hommes isolés", "Étape (km)"} <= set(fr.columns)
    assert {"Coach", "Day", "Planned arrival", "Single men", "Leg (km)"} <= set(en.columns)
    assert re.fullmatch(r"\d\d/\d\d/2016", fr["Jour"].iat[0])
    assert fr["Jour"].iat[0] == format_date(
        dt.datetime.strptime(en["Day"].iat[0], "%d %b %Y").date(), "fr"
    )
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} 2016", en["Day"].iat[0])
    raw_fr = (fr_docs / "road-sheets.csv").read_text(encoding="utf-8-sig")
    km = float(en.loc[en["Leg (km)"] % 1 > 0.05, "Leg (km)"].iat[0])  # a leg with a decimal part
    assert f";{str(km).replace('.', ',')};" in raw_fr and f",{km}," in (
        en_docs / "road-sheets.csv"
    ).read_text(encoding="utf-8")
    html_fr, html_en = (
        (fr_docs / "road-sheets.html").read_text(encoding="utf-8"),
        (en_docs / "road-sheets.html").read_text(encoding="utf-8"),
    )
    assert (
        'lang="fr"' in html_fr
        and "Feuille de route" in html_fr
        and "Itinéraire" in html_fr
        and "/10/2016" in html_fr
    )
    assert (
        'lang="en"' in html_en
        and "Road sheet" in html_en
        and "Oct 2016" in html_en
        and "Feuille" not in html_en
    )
    leg = format_number(float(km), "fr", digits=1)
    assert f">{leg} km<" in html_fr
    assert f">{format_number(float(km), 'en', digits=1)} km<" in html_en
    import json

    fill = json.loads((fr_docs.parent / "plan" / "plan.json").read_text(encoding="utf-8"))[
        "summary"
    ]["seat_fill_pct"]
    operation = (fr_docs / "operation-summary.html").read_text(encoding="utf-8")
    assert (
        f'>Remplissage (%)</td><td class="n">{format_number(fill, "fr", digits=1)}<' in operation
        and "," in format_number(fill, "fr", digits=1)
    )
    for text in (html_fr, html_en):  # the label on every sheet (empty for a real list)
        assert text.count("SYNTHETIC scenario") == text.count('class="sheet"') > 0


@pytest.mark.datapack
def test_pdf_one_page_per_coach(plan_dir: Path, fr_docs: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    coaches = len(sheets(fr_docs / "road-sheets.html"))
    reader = PdfReader(fr_docs / "road-sheets.pdf")
    assert len(reader.pages) == coaches
    first, last = reader.pages[0].extract_text(), reader.pages[-1].extract_text()
    assert "SYNTHETIC scenario" in first and "Feuille de route" in first and "Itinéraire" in first
    assert f"Page {coaches} / {coaches}" in last
    # a centre sheet never shares a page; a long one (households and what to prepare) may go on
    # over a second page
    centre_pages = [p.extract_text() for p in PdfReader(fr_docs / "centre-sheets.pdf").pages]
    centres = sheets(fr_docs / "centre-sheets.html")
    assert len(centres) <= len(centre_pages) <= 2 * len(centres)

    # WeasyPrint, the pure-Python engine, prints the same sheets one per page too
    html = (fr_docs / "road-sheets.html").read_text(encoding="utf-8")
    assert (
        len(PdfReader(write_pdf(tmp_path / "weasy.pdf", html, engine="weasyprint")).pages)
        == coaches
    )


def _font_file(postscript: str) -> str:
    done = subprocess.run(
        ["fc-list", f":postscriptname={postscript}", "file"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split(":")[0].strip()


def test_sheets_render_in_chromium_with_every_accent(fr_docs: Path, browser) -> None:  # type: ignore[no-untyped-def]
    from fontTools.ttLib import TTFont

    context = browser.new_context()
    page = context.new_page()
    outside: list[str] = []

    def guard(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    cdp = context.new_cdp_session(page)
    for name in (
        "road-sheets.html",
        "centre-sheets.html",
        "prefecture-summaries.html",
        "operation-summary.html",
    ):
        page.goto((fr_docs / name).resolve().as_uri())
        assert page.locator("section.sheet").count() == len(sheets(fr_docs / name)) > 0
        text = page.evaluate("document.body.innerText")
        assert {"é", "è"} & set(text) or name == "operation-summary.html"
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        nodes = cdp.send(
            "DOM.querySelectorAll", {"nodeId": root, "selector": "section.sheet:first-of-type *"}
        )["nodeIds"]
        fonts = {
            f["postScriptName"]
            for n in nodes
            for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": n})["fonts"]
        }
        assert fonts, name
        cmap: set[int] = set()
        for font in fonts:
            cmap |= set(TTFont(_font_file(font), fontNumber=0).getBestCmap())
        first = page.evaluate("document.querySelector('section.sheet').innerText")
        missing = {c for c in first if not c.isspace() and ord(c) not in cmap}
        assert not missing, f"{name}: no glyph for {missing} in {fonts}"
    assert not outside
    context.close()


def test_cli_documents(plan_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "-q",
            "documents",
            str(plan_dir),
            "-o",
            str(tmp_path / "d"),
            "--lang",
            "en",
            "--csv-dialect",
            "excel-fr",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "documents.xlsx" in result.output
    assert (
        (tmp_path / "d" / "road-sheets.csv")
        .read_text(encoding="utf-8-sig")
        .startswith("Coach;Day;")
    )


def test_cli_plan_writes_documents(plan_dir: Path, tmp_path: Path) -> None:
    scenario = plan_dir.parent / "scenario"
    result = CliRunner().invoke(
        main,
        [
            "-q",
            "plan",
            str(scenario),
            "-o",
            str(tmp_path / "plan"),
            "--roads",
            "france-major-roads",
            "--iterations",
            "100",
            "--no-baseline",
            "--documents",
            "--lang",
            "en",
        ],
    )
    assert result.exit_code in (0, 1), (
        result.output
    )  # 1: a partial plan (an unreachable centre), written all the same
    assert "documents" in result.output
    assert read_sheet_kinds(tmp_path / "plan" / "documents" / "road-sheets.html") == {"coach"}
    assert (
        (tmp_path / "plan" / "documents" / "road-sheets.csv")
        .read_text(encoding="utf-8")
        .startswith("Coach,Day,")
    )
    assert "Readiness: places by group" in (
        tmp_path / "plan" / "documents" / "prefecture-summaries.html"
    ).read_text(encoding="utf-8")
    assert (
        (tmp_path / "plan" / "documents" / "prefecture-readiness.csv")
        .read_text(encoding="utf-8")
        .startswith("Department,")
    )


def read_sheet_kinds(path: Path) -> set[str]:
    """The kinds of sheet in an HTML document."""
    return {kind for kind, _, _ in sheets(path)}


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("no-plan", "plan.json: no such file"),
        ("into-plan", "would replace the plan folder"),
        ("other-files", "holds files that are not abri documents"),
        ("roster-no-coach", "no coach column"),
        ("roster-twice", "appears twice"),
    ],
)
def test_cli_documents_refuses_bad_input(
    plan_dir: Path, tmp_path: Path, setup: str, message: str
) -> None:
    source, out, extra = plan_dir, tmp_path / "docs", []
    if setup == "no-plan":
        source = tmp_path / "empty"
        source.mkdir()
    elif setup == "into-plan":
        out = plan_dir
    elif setup == "other-files":
        out.mkdir()
        (out / "keep.txt").write_text("mine")
    else:
        roster = tmp_path / "roster.csv"
        roster.write_text(
            "plate,company\nAB,X\n"
            if setup == "roster-no-coach"
            else "coach,company\nC1,X\nC1,Y\n",
            encoding="utf-8",
        )
        extra = ["--roster", str(roster)]
    result = CliRunner().invoke(main, ["-q", "documents", str(source), "-o", str(out), *extra])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert setup != "other-files" or (out / "keep.txt").read_text() == "mine"


def test_tables_without_a_data_pack_use_codes(plan_dir: Path, tmp_path: Path) -> None:
    docs = build_documents(
        plan_dir, data_dir=tmp_path
    )  # no boundaries there: names are left empty, codes stay
    assert docs.tables["prefecture_summaries"]["departement_name"].eq("").all()
    assert docs.tables["road_sheets"]["total"].sum() == docs.tables["centre_sheets"]["total"].sum()


def test_slots_returns_and_free_times_when_the_plan_has_them(
    plan_dir: Path, tmp_path: Path
) -> None:
    """Fields other stages add to trips (slot, bay, return, free_at) reach the road sheet; a plan without them still reads."""
    import json

    folder = tmp_path / "plan"
    shutil.copytree(plan_dir, folder)
    (folder / "trips.geojson").unlink()  # roads are optional too
    plan = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    for trip in plan["trips"]:  # a plan written before slots existed
        for key in (
            "slot",
            "bay",
            "boarding",
            "vehicle",
            "return_km",
            "return_h",
            "free_at",
            "free_where",
            "rest_where",
        ):
            trip.pop(key, None)
    plan["trips"][0] |= {
        "slot": 2,
        "bay": 3,
        "return": "+1d 02:10",
        "free_at": "2016-10-25 13:10",
        "legal": False,
        "notes": ["<late>"],
        "free_where": "ORIGIN",
        "return_h": 6.72,
        "rest_where": plan["trips"][0]["stops"][-1]["centre_id"],
    }
    (folder / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    write_documents(folder, tmp_path / "docs", lang="en")
    stops = pd.read_csv(tmp_path / "docs" / "road-sheets.csv", dtype=str).fillna("")
    first = stops[stops["Coach"] == plan["trips"][0]["coach"]].iloc[0]
    # plan.json slot 2 counts from 0: the third slot
    assert (first["Boarding slot"], first["Bay"], first["Return"], first["Free at"]) == (
        "3",
        "3",
        "25 Oct 2016 02:10",
        "25 Oct 2016 13:10",
    )
    assert (first["Free where"], first["Way back (h)"]) == ("Calais", "6.72")
    last = plan["trips"][0]["stops"][-1]["centre_id"]
    assert (
        first["Crew's daily rest at"].endswith(f"({last})")
        and len(first["Crew's daily rest at"]) > len(last) + 3
    )  # the centre's name too
    assert (
        stops.loc[stops["Coach"] != first["Coach"], "Boarding slot"].eq("").all()
        and stops["Roads"].eq("").all()
    )
    body = dict((k, b) for _, k, b in sheets(tmp_path / "docs" / "road-sheets.html"))[
        first["Coach"]
    ]
    assert (
        "<dt>Bay</dt><dd>3</dd>" in body
        and "<dd>25 Oct 2016 02:10</dd>" in body
        and "Trip not legal" in body
        and "&lt;late&gt;" in body
    )


def test_calais_documents(calais_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    run, plan = calais_run
    docs = plan.parent / "documents"  # written by the demo
    check_sheets_and_people(plan, docs)
    assert len(sheets(docs / "road-sheets.html")) == len(run.plan.trips)
    # the demo checks readiness on its scenario (ready as generated) and every prefecture summary says so
    summaries = [
        body
        for kind, _, body in sheets(docs / "prefecture-summaries.html")
        if kind == "departement"
    ]
    assert summaries and all(translate("readiness_ok", "fr") in body for body in summaries)
    assert (plan.parent / "readiness" / "readiness.json").is_file() and (
        docs / "prefecture-readiness.csv"
    ).is_file()
    if chromium() is not None:
        pdf = write_pdf(
            tmp_path / "road-sheets.pdf", (docs / "road-sheets.html").read_text(encoding="utf-8")
        )
        assert len(PdfReader(pdf).pages) == len(run.plan.trips)


@pytest.fixture(scope="module")
def short_readiness(plan_dir: Path, data_dir: Path) -> Path:
    """`abri readiness -o` on the plan's scenario with every minors' centre removed: places to open for minors."""
    folder = plan_dir.parent / "no-minors"
    shutil.copytree(plan_dir.parent / "scenario", folder)
    lines = (folder / "centres.csv").read_text(encoding="utf-8-sig").splitlines()
    (folder / "centres.csv").write_text(
        "\n".join(line for line in lines if "minors" not in line) + "\n", encoding="utf-8-sig"
    )
    result = CliRunner().invoke(
        main,
        [
            "-q",
            "readiness",
            str(folder),
            "-o",
            str(plan_dir.parent / "readiness"),
            "--no-map",
            "--data-dir",
            str(data_dir),
        ],
    )
    assert result.exit_code == 1 and "not ready" in result.output, result.output
    return plan_dir.parent / "readiness"


def test_readiness_in_the_prefecture_summaries(
    plan_dir: Path, short_readiness: Path, data_dir: Path, tmp_path: Path
) -> None:
    import openpyxl

    from abri.readiness import read_prefecture_rows

    rows = read_prefecture_rows(short_readiness)
    asked = rows[rows["extra"] > 0].set_index("departement")
    assert (
        len(asked) and asked["extra_minors"].astype(int).sum() == asked["extra"].sum()
    )  # only minors' places are missing
    result = CliRunner().invoke(
        main,
        [
            "-q",
            "documents",
            str(plan_dir),
            "-o",
            str(tmp_path / "fr"),
            "--readiness",
            str(short_readiness),
            "--data-dir",
            str(data_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    found = {
        key: body
        for kind, key, body in sheets(tmp_path / "fr" / "prefecture-summaries.html")
        if kind == "departement"
    }
    arriving = set(
        build_documents(plan_dir, data_dir=data_dir).tables["prefecture_summaries"]["departement"]
    )
    centres = read_plan_folder(plan_dir).centres
    places = pd.to_numeric(centres["capacity"], errors="coerce").fillna(0)
    with_places = set(centres.loc[places > 0, "departement"].astype(str))
    # every department with places, with arrivals or asked for places has a sheet
    assert set(found) == arriving | set(asked.index) | with_places
    for dep, row in asked.iterrows():
        assert translate("readiness", "fr") in found[dep]
        assert (
            translate("readiness_missing", "fr", n=format_number(row["extra"], "fr")) in found[dep]
        )
        assert format_date(row["needed_by"], "fr") in found[dep]
    calm = sorted(arriving - set(asked.index))
    lacking = [d for d in calm if translate("readiness_ok", "fr") not in found[d]]
    assert calm and not lacking, lacking
    table = pd.read_csv(
        tmp_path / "fr" / "prefecture-readiness.csv", sep=";", dtype=str, encoding="utf-8-sig"
    ).set_index("Département")
    assert table["Places à ouvrir mineurs"].astype(int).sum() == asked["extra"].sum() and len(
        table
    ) == len(rows)
    book = openpyxl.load_workbook(tmp_path / "fr" / "documents.xlsx")
    tab = book[translate("prefecture_readiness", "fr")]
    headers = [c.value for c in tab[1]]
    column = headers.index("Places à ouvrir")
    assert (
        sum(r[column] for r in tab.iter_rows(min_row=2, values_only=True)) == asked["extra"].sum()
    )
    en = write_documents(plan_dir, tmp_path / "en", lang="en", data_dir=data_dir, readiness=rows)
    assert (
        en["prefecture_readiness_csv"]
        .read_text(encoding="utf-8")
        .startswith("Department,Department name,Region,Centres,Places,Places single men")
    )
    assert "Readiness: places by group" in en["prefecture_summaries_html"].read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize(
    "case", ["unwritable", "under-a-file", "readiness-dir", "old-documents-holding-the-roster"]
)
def test_cli_documents_checks_its_output_first(
    plan_dir: Path, short_readiness: Path, tmp_path: Path, case: str
) -> None:
    """Refused before any work (exit 2, a message, no traceback); the inputs are left whole."""
    (tmp_path / "file.txt").write_text("x")
    roster = plan_dir.parent / "roster.csv"
    if case == "old-documents-holding-the-roster":
        (tmp_path / "old").mkdir()
        (tmp_path / "old" / "operation-summary.html").write_text("<html></html>")
        roster = Path(shutil.copy(roster, tmp_path / "old" / "roster.csv"))
    out = {
        "unwritable": Path("/sys/abri-docs"),
        "under-a-file": tmp_path / "file.txt" / "docs",
        "readiness-dir": short_readiness,
        "old-documents-holding-the-roster": tmp_path / "old",
    }[case]
    before = sorted(p.name for p in short_readiness.iterdir())
    result = CliRunner().invoke(
        main,
        [
            "-q",
            "documents",
            str(plan_dir),
            "-o",
            str(out),
            "--readiness",
            str(short_readiness),
            "--roster",
            str(roster),
        ],
    )
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert {
        "unwritable": "cannot be written",
        "under-a-file": "is a file",
        "readiness-dir": "not abri documents",
        "old-documents-holding-the-roster": "would replace the input",
    }[case] in result.output, result.output
    assert sorted(p.name for p in short_readiness.iterdir()) == before and roster.is_file()


def test_bad_readiness_rows_are_named(
    plan_dir: Path, short_readiness: Path, tmp_path: Path
) -> None:
    import json

    bad = tmp_path / "bad-readiness"
    shutil.copytree(short_readiness, bad)
    summary = json.loads((bad / "readiness.json").read_text(encoding="utf-8"))
    summary["departements"][0]["needed_by"] = "demain"
    (bad / "readiness.json").write_text(json.dumps(summary), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["-q", "documents", str(plan_dir), "-o", str(tmp_path / "d"), "--readiness", str(bad)]
    )
    assert (
        result.exit_code == 2
        and "column 'needed_by'" in result.output
        and "demain" in result.output
    ), result.output
    (bad / "readiness.json").write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["-q", "documents", str(plan_dir), "-o", str(tmp_path / "d"), "--readiness", str(bad)]
    )
    assert result.exit_code == 2 and "not a readiness summary" in result.output, result.output
    assert not (tmp_path / "d").exists()
