"""Every CSV abri writes opens in LibreOffice with French settings in the right columns, accents intact,
decimal commas read as numbers and codes with a leading zero kept as text (``excel-fr``)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result
from conftest import SMALL, SMALL_RULES, missing  # type: ignore[import-not-found]
from openpyxl import load_workbook

from abri.cli import main
from abri.files import CSV_DIALECT_ENV, csv_dialect, read_csv_any, write_csv
from abri.routing.roadside import PLAN_FILE, read_roadside
from abri.synthetic import ScenarioParams, write_scenario

FRENCH_CSV = (
    "CSV:59,34,76,1,,1036"  # ';', '"', UTF-8, from line 1, default column types, French (France)
)
pytestmark = pytest.mark.slow


def open_in_libreoffice(paths: list[Path], out: Path) -> dict[str, list[list[object]]]:
    """Each CSV as LibreOffice Calc reads it with French settings: file name -> rows of cell values."""
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        missing("LibreOffice is needed: apt-get install libreoffice-calc (.ci/run does it)")
    done = subprocess.run(
        [
            str(office),
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(out / 'profile').as_uri()}",
            f"--infilter={FRENCH_CSV}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    books = {}
    for path in paths:
        sheet = load_workbook(out / f"{path.stem}.xlsx", data_only=True).active
        books[path.name] = [list(row) for row in sheet.iter_rows(values_only=True)]
    return books


def test_excel_fr_keeps_columns_accents_numbers_and_leading_zeros(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "département": ["01", "2A", "75", "07"],
            "nom": ["Ain", "Corse-du-Sud", "Paris", "Ardèche"],
            "id": ["007", "CAO-001", "12", "0"],
            "places": [1.5, 2.25, 10.0, 0.5],
            "note": ["=HYPERLINK(1)", "a; b", 'dit "oui"', "ligne\nsuivante"],
        }
    )
    path = write_csv(tmp_path / "table.csv", frame, dialect="excel-fr")
    rows = open_in_libreoffice([path], tmp_path / "lo")["table.csv"]
    assert rows[0] == list(frame.columns)
    assert [r[0] for r in rows[1:]] == ["01", "2A", "75", "07"]  # codes held as text stay text
    assert [r[1] for r in rows[1:]] == list(frame["nom"])
    assert [r[2] for r in rows[1:]] == ["007", "CAO-001", "12", "0"]
    assert [r[3] for r in rows[1:]] == [1.5, 2.25, 10, 0.5]
    assert rows[1][4] == "'=HYPERLINK(1)" and rows[2][4] == "a; b" and rows[3][4] == 'dit "oui"'
    assert read_csv_any(path, dtype=str)["département"].tolist() == ["01", "2A", "75", "07"]


def test_the_user_chooses_the_dialect_of_every_csv(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CSV_DIALECT_ENV, "excel-fr")
    assert csv_dialect() == "excel-fr" and csv_dialect("default") == "default"
    monkeypatch.setenv(CSV_DIALECT_ENV, "excel-de")
    with pytest.raises(Exception, match="ABRI_CSV_DIALECT"):
        csv_dialect()


ROADS = "france-major-roads"
NOW = "2016-10-24 10:30"
#: Every kind of CSV abri writes (found by grepping ``write_csv``, ``write_frame``, ``csv_text``
#: and ``to_csv``), as written by :func:`every_csv` in one folder: the writer, then the files.
KINDS = {
    "synthetic scenario (abri scenario)": [
        "scenario__centres.csv",
        "scenario__people.csv",
        "scenario__pathways.csv",
    ],
    "plan folder (abri plan)": [
        "plan__trips.csv",
        "plan__manifests.csv",
        "plan__assignments.csv",
        "plan__unplaced.csv",
    ],
    "plan folder's roadside places": [f"plan__{PLAN_FILE}"],
    "documents (abri plan --documents, abri documents)": [
        f"{folder}__{stem}.csv"
        for folder in ("plan__documents", "docs")
        for stem in ("road-sheets", "centre-sheets", "prefecture-summaries", "operation-summary")
    ]
    + [
        "docs__prefecture-readiness.csv",
        "docs__cards__cards.csv",
        "plan__documents__cards__cards.csv",
    ],
    "readiness (abri readiness)": [
        f"ready__readiness-{k}.csv" for k in ("groups", "days", "departements", "regions", "extras")
    ]
    + ["ready__extra-centres.csv"],
    "allocation (abri allocate)": ["allocated__assignments.csv"],
    "centre check (abri validate, demo's validation.csv)": [
        "valid.csv",
        "validation.csv",
        "rejects.csv",
    ],
    "capacity (abri capacity --format csv)": ["capacity.csv"],
    "travel times (abri matrix)": ["matrix.csv"],
    "what-if sweep (abri sweep)": ["sweep__sweep.csv"],
    "re-plan (abri replan)": [
        f"v2__{name}.csv" for name in ("changes", "coaches_changed", "ledger", "arrivals_changed")
    ],
}


def _cli(*args: object, codes: tuple[int, ...] = (0,)) -> Result:
    """Run an abri command with ``--csv-dialect excel-fr``; `codes`: the exit codes expected.

    The small scenario has one centre 65 km from the major roads: its plans are incomplete
    (exit 1), written whole.
    """
    result = CliRunner().invoke(main, ["--csv-dialect", "excel-fr", *map(str, args)])
    assert result.exit_code in codes, result.output
    return result


def _bad_centres(scenario: Path, out: Path) -> Path:
    """The scenario's centres with one row whose capacity is not a number (set aside by the check)."""
    centres = read_csv_any(scenario / "centres.csv", dtype=str, keep_default_na=False)
    bad = centres.iloc[[0]].assign(id="CAO-999", capacite="beaucoup", nom="Hôtel-Dieu d'Évreux")
    return write_csv(out, pd.concat([centres, bad]), dialect="excel-fr")


def _no_show(plan: Path, out: Path) -> Path:
    """One person of a coach gone before :data:`NOW` did not show up."""
    trips = json.loads((plan / "plan.json").read_text())["trips"]
    gone = next(t for t in trips if f"{t['day']} {t['departure']}" <= NOW)
    person = gone["stops"][0]["people"][0]
    out.write_text(f"kind,time,person\nno-show,2016-10-24 06:40,{person}\n")
    return out


@pytest.fixture(scope="module")
def every_csv(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every kind of CSV abri writes, by its commands with ``--csv-dialect excel-fr``, copied into one folder."""
    work = tmp_path_factory.mktemp("every-csv")
    roads = ("--roads", ROADS, "--data-dir", data_dir)
    scenario = work / "scenario"
    with pytest.MonkeyPatch.context() as env:
        env.setenv(CSV_DIALECT_ENV, "excel-fr")
        write_scenario(ScenarioParams(**SMALL), scenario, data_dir=data_dir, rules=SMALL_RULES)
        plan_args = ("--iterations", 100, "--no-baseline", "--time-limit", 1)
        _cli("plan", scenario, "-o", work / "plan", *plan_args, "--documents", *roads, codes=(0, 1))
        table = read_roadside(data_dir / "roads" / "osm-samples" / "andorra-2013-05-28.osm.pbf")
        write_csv(work / "plan" / PLAN_FILE, table)  # as write_run writes it from an OSM road file
    _cli("readiness", scenario, "-o", work / "ready", "--no-map", "--data-dir", data_dir)
    docs = ("-o", work / "docs", "--readiness", work / "ready", "--data-dir", data_dir)
    _cli("documents", work / "plan", *docs)
    _cli("allocate", scenario, "-o", work / "allocated", *roads)
    bad = _bad_centres(scenario, work / "bad-centres.csv")
    checked = ("-o", work / "valid.csv", "--problems", work / "validation.csv")
    _cli("validate", bad, *checked, "--rejects", work / "rejects.csv", "--data-dir", data_dir)
    capacity = _cli("capacity", bad, "--format", "csv", "--data-dir", data_dir)
    (work / "capacity.csv").write_bytes(capacity.stdout_bytes)
    matrix = ("-o", work / "matrix.csv", "--jobs", 1)
    _cli("matrix", scenario / "centres.csv", *matrix, *roads, codes=(0, 1))
    (work / "grid.toml").write_text("[fleet]\ncoaches_per_day = [20]\n")
    sweep = ("--grid", work / "grid.toml", "-o", work / "sweep", "--workers", 0)
    _cli("sweep", scenario, *sweep, "--iterations", 50, *roads, codes=(0, 1))
    events = _no_show(work / "plan", work / "events.csv")  # the excel-fr plan read back
    replan = ("--events", events, "--now", NOW, "-o", work / "v2", "--time-limit", 1)
    _cli("replan", work / "plan", *replan, "--iterations", 50, *roads, codes=(0, 1))
    flat = work / "flat"
    for path in sorted(work.rglob("*.csv")):
        if path.name not in (bad.name, events.name):  # inputs
            flat.mkdir(exist_ok=True)
            shutil.copy(path, flat / "__".join(path.relative_to(work).parts))
    return flat


#: How abri writes dates and clock times (ISO, and French in French documents).
MOMENTS = ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y", "%d/%m/%Y %H:%M")
CLOCKS = ("%H:%M", "%H:%M:%S")


def _moment(written: str, shown: dt.date | dt.time) -> bool:
    """`written` is the date or clock time LibreOffice shows."""
    for form in MOMENTS + CLOCKS:
        try:
            read = dt.datetime.strptime(written, form)
        except ValueError:
            continue
        if form in CLOCKS:
            return read.time() == (shown if isinstance(shown, dt.time) else shown.time())  # type: ignore[union-attr]
        return isinstance(shown, dt.datetime) and read == shown
    return False


def _same(written: str, shown: object) -> bool:
    """A cell LibreOffice shows (`shown`) holds what abri wrote (`written`, as text)."""
    if shown is None:
        return written == ""
    if isinstance(shown, (dt.datetime, dt.date, dt.time)):  # a date or a clock time read as such
        return _moment(written, shown)
    if isinstance(shown, str) or re.match(
        r"^0\d", written
    ):  # a code with a leading zero stays text
        return shown == written
    if isinstance(shown, bool):
        return written.lower() == str(shown).lower()
    return isinstance(shown, (int, float)) and float(written.replace(",", ".")) == pytest.approx(
        shown
    )


def test_every_kind_of_csv_opens_in_french_libreoffice(every_csv: Path, tmp_path: Path) -> None:
    """Each CSV abri writes, asked for excel-fr: BOM, one cell per column, accents intact, zeros kept."""
    paths = sorted(every_csv.glob("*.csv"))
    names = {p.name for p in paths}
    for kind, files in KINDS.items():
        assert set(files) <= names, f"{kind}: {sorted(set(files) - names)} not written"
    books = open_in_libreoffice(paths, tmp_path / "lo")
    assert books["capacity.csv"][1][0] == "01"  # Ain keeps its zero
    assert books["rejects.csv"][1][1:4] == ["CAO-999", "Hôtel-Dieu d'Évreux", "beaucoup"]
    for path in paths:
        assert path.read_bytes().startswith(b"\xef\xbb\xbf"), path.name
        written = read_csv_any(path, dtype=str, keep_default_na=False)
        rows = books[path.name]
        assert rows[0] == list(written.columns), path.name  # one cell per column, accents intact
        assert len(rows) == len(written) + 1, path.name
        for r, (values, shown) in enumerate(
            zip(written.itertuples(index=False), rows[1:]), start=2
        ):
            for column, value, cell in zip(written.columns, values, shown):
                assert _same(value, cell), (
                    f"{path.name} row {r} column {column!r}: wrote {value!r}, LibreOffice shows {cell!r}"
                )
