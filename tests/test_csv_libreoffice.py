"""Every CSV abri writes opens in LibreOffice with French settings in the right columns, accents intact,
decimal commas read as numbers and codes with a leading zero kept as text (``excel-fr``)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from conftest import missing  # type: ignore[import-not-found]
from openpyxl import load_workbook

from abri.documents import write_documents
from abri.files import CSV_DIALECT_ENV, csv_dialect, read_csv_any, write_csv

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


def test_plan_and_document_csvs_open_in_french_libreoffice(
    small_scenario: Path, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plan and its documents written with ABRI_CSV_DIALECT=excel-fr: every CSV opens in its columns."""
    from abri.pipeline import run_plan, write_run

    monkeypatch.setenv(CSV_DIALECT_ENV, "excel-fr")
    run = run_plan(
        small_scenario,
        roads="france-major-roads",
        data_dir=data_dir,
        iterations=100,
        baseline=False,
    )
    write_run(run, tmp_path / "plan")
    write_documents(tmp_path / "plan", tmp_path / "docs", lang="fr", data_dir=data_dir)
    paths = sorted((tmp_path / "plan").glob("*.csv")) + sorted((tmp_path / "docs").glob("*.csv"))
    assert len(paths) >= 8
    books = open_in_libreoffice(paths, tmp_path / "lo")
    for path in paths:
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), path.name
        written = read_csv_any(path, dtype=str, keep_default_na=False)
        rows = books[path.name]
        assert rows[0] == list(written.columns), path.name  # one cell per column, accents intact
        assert len(rows) == len(written) + 1, path.name
        for column in ("Département", "departement"):
            if column in written.columns:
                at = list(written.columns).index(column)
                assert [str(r[at] or "") for r in rows[1:]] == list(written[column]), path.name
