"""The pathways table of a scenario folder (``pathways.csv``)."""

from pathlib import Path

import pytest

from abri.errors import DataFileError
from abri.inputs.pathways import Pathway, read_pathways
from abri.inputs.scenario import read_scenario


def test_no_file_no_pathway(tmp_path: Path) -> None:
    assert read_pathways(tmp_path) == []


def test_french_headers(write, tmp_path: Path) -> None:
    write(
        "pathways.csv",
        "parcours;mode;jours;quota_jour;trajet_max_h;destination\n"
        "Royaume-Uni;direct;02/11/2016 2016-11-03;100;;Royaume-Uni (Folkestone)\n"
        "médical;;;10;4,5;Centre hospitalier\n"
        "UK;via centre;;;;\n",
    )
    assert read_pathways(tmp_path) == [
        Pathway(
            "uk", "direct", ("2016-11-02", "2016-11-03"), 100, None, "Royaume-Uni (Folkestone)"
        ),
        Pathway("medical", "transfer", (), 10, 4.5, "Centre hospitalier"),
        Pathway("uk", "centre"),
    ]
    assert Pathway("uk", "centre").runs_on("2016-11-02")
    assert not read_pathways(tmp_path)[0].runs_on("2016-11-04")


def test_english_headers(write, tmp_path: Path) -> None:
    write(
        "pathways.csv",
        "pathway,mode,days,daily_quota,max_ride_hours,destination\n"
        "medical,transfer,2016-10-24;2016-10-25,12,6,\n",
    )
    [medical] = read_pathways(tmp_path)
    assert medical == Pathway("medical", "transfer", ("2016-10-24", "2016-10-25"), 12, 6.0)


def test_every_bad_row_is_named(write, tmp_path: Path) -> None:
    write(
        "pathways.csv",
        "pathway,mode,days,daily_quota,max_ride_hours\n"
        "spaceship,direct,,,\n"  # row 2
        "uk,teleport,,,\n"  # row 3
        "uk,direct,2016-13-01,,\n"  # row 4
        "medical,transfer,,-3,\n"  # row 5
        "medical,transfer,,2.5,\n"  # row 6
        "medical,transfer,,,100\n"  # row 7
        "uk,,,,\n",  # row 8
    )
    with pytest.raises(DataFileError) as caught:
        read_pathways(tmp_path)
    text = str(caught.value)
    for expected in (
        "row 2, column 'pathway': error [unknown-pathway] got 'spaceship', expected uk (Royaume-Uni) or medical",
        "row 3, column 'mode': error [unknown-mode] got 'teleport', expected for a uk pathway: direct or centre",
        "row 4, column 'days': error [bad-day] got '2016-13-01', expected dates YYYY-MM-DD",
        "row 5, column 'daily_quota': error [bad-daily-quota] got '-3', expected a whole number from 0 to 100000",
        "row 6, column 'daily_quota': error [bad-daily-quota] got '2.5'",
        "row 7, column 'max_ride_hours': error [bad-max-ride-hours] got '100', expected a number from 0.5 to 72",
        "row 8, column 'mode': error [unknown-mode] got ''",
    ):
        assert expected in text
    assert "pathways.csv" in text and "7 problem(s)" in text


def test_overlapping_rows_are_ambiguous(write, tmp_path: Path) -> None:
    write(
        "pathways.csv",
        "pathway,mode,days,daily_quota\n"
        "uk,direct,2016-11-02,100\nuk,direct,2016-11-03,50\nuk,direct,,20\nuk,centre,,\n",
    )
    with pytest.raises(DataFileError, match=r"row 4, column 'days': error \[duplicate-pathway\]"):
        read_pathways(tmp_path)


def test_missing_kind_column(write, tmp_path: Path) -> None:
    write("pathways.csv", "mode,quota\ndirect,10\n")
    with pytest.raises(DataFileError, match=r"missing column 'pathway' \(or parcours\)"):
        read_pathways(tmp_path)


def test_scenario_reads_its_pathways(write, tmp_path: Path) -> None:
    write("centres.csv", "id;capacity;insee\nA;1;62193\n")
    write("people.csv", "person_id,day,group\nP1,2016-11-02,minors\n")
    write("fleet.json", '{"days": ["2016-11-02"]}')
    assert read_scenario(tmp_path).pathways == []
    write("pathways.csv", "pathway,mode,days,daily_quota\nuk,direct,2016-11-02 2016-11-03,100\n")
    expected = Pathway("uk", "direct", ("2016-11-02", "2016-11-03"), 100)
    assert read_scenario(tmp_path).pathways == [expected]  # 11-03: after the last coach
    write("pathways.csv", "pathway,mode\nuk,bus\n")
    with pytest.raises(
        DataFileError, match=r"(?s)pathways.csv: 1 problem.*unknown-mode\] got 'bus'"
    ):
        read_scenario(tmp_path)
