"""Centre services: accessible places, single rooms, interpreters, Home Office interviews, care minutes."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from abri.errors import DataFileError
from abri.geo.centres import read_centres
from abri.geo.services import CARE_COLUMNS, SERVICE_COLUMNS

HEADER_FR = (
    "id;nom;capacite;code_insee;places_accessibles;acces_plain_pied;chambres_individuelles;"
    "interpretes;entretiens_home_office;soins_min_dialyse\n"
)


def _problems(report, rule: str) -> list:  # type: ignore[no-untyped-def]
    return [p for p in report.problems if p.rule == rule]


def test_french_service_columns_are_read_and_typed(write, data_dir: Path) -> None:
    path = write(
        "centres.csv",
        HEADER_FR
        + "A;Centre A;20;62193;3;oui;2;arabe, Tigrinya;oui;12,5\n"
        + "B;Centre B;15;62193;;;;ps;non;\n",
    )
    centres, report = read_centres(path, data_dir=data_dir)
    assert report.errors == [] and report.warnings == []
    a, b = (centres.set_index("id").loc[k] for k in ("A", "B"))
    assert (a["accessible_places"], a["single_rooms"], a["interpreters"]) == (3, 2, "ar;ti")
    assert a["step_free"] and a["home_office"] and a["care_min_dialysis"] == 12.5
    assert (b["accessible_places"], b["single_rooms"], b["interpreters"]) == (0, 0, "ps")
    assert not b["step_free"] and not b["home_office"] and math.isnan(b["care_min_dialysis"])
    assert math.isnan(a["care_min_emergency"])
    assert centres["accessible_places"].dtype == "int64" and centres["home_office"].dtype == bool
    assert all(centres[c].dtype == float for c in CARE_COLUMNS)


def test_english_headers_and_care_kinds_in_either_language(write, data_dir: Path) -> None:
    path = write(
        "centres.csv",
        "id,name,capacity,insee,accessible_places,single_rooms,interpreters,home_office,"
        "care_min_emergency,soins_min_maternite,care_min_psychiatrie\n"
        "E1,Centre,10,62193,1,0,en;fr,yes,8,20,31.5\n",
    )
    centres, report = read_centres(path, data_dir=data_dir)
    assert report.errors == []
    row = centres.iloc[0]
    assert row["accessible_places"] == 1 and row["step_free"]  # no step_free column: from the count
    assert row["interpreters"] == "en;fr" and row["home_office"]
    assert (row["care_min_emergency"], row["care_min_maternity"]) == (8.0, 20.0)
    assert row["care_min_psychiatry"] == 31.5 and math.isnan(row["care_min_dialysis"])


def test_a_file_without_services_has_every_service_column_with_defaults(
    write, data_dir: Path
) -> None:
    centres, _ = read_centres(write("c.csv", "id,capacity,insee\nX,10,62193\n"), data_dir=data_dir)
    assert set(SERVICE_COLUMNS) <= set(centres.columns)
    row = centres.iloc[0]
    assert (row["accessible_places"], row["single_rooms"], row["interpreters"]) == (0, 0, "")
    assert not row["home_office"] and not row["step_free"]
    assert all(math.isnan(row[c]) for c in CARE_COLUMNS)


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [
        ("places_accessibles", "30", "bad-accessible-places"),
        ("places_accessibles", "-1", "bad-accessible-places"),
        ("places_accessibles", "deux", "bad-accessible-places"),
        ("places_accessibles", "2.5", "bad-accessible-places"),
        ("chambres_individuelles", "21", "bad-single-rooms"),
    ],
)
def test_places_not_a_count_or_above_capacity_set_the_row_aside(
    write, data_dir: Path, column: str, value: str, rule: str
) -> None:
    path = write("c.csv", f"id;capacite;code_insee;{column}\nA;20;62193;{value}\nB;20;62193;1\n")
    centres, report = read_centres(path, data_dir=data_dir)
    assert centres["id"].tolist() == ["B"]
    [problem] = report.errors
    assert (problem.row, problem.column, problem.value, problem.rule) == (2, column, value, rule)
    assert "capacity" in problem.expected or "whole number" in problem.expected
    assert report.rejects["source_row"].tolist() == [2]


def test_step_free_without_a_count_is_zero_places_with_a_warning(write, data_dir: Path) -> None:
    path = write(
        "c.csv",
        "id;capacite;code_insee;acces_plain_pied;places_accessibles\n"
        "A;20;62193;oui;\nB;20;62193;non;4\nC;20;62193;peut-etre;2\n",
    )
    centres, report = read_centres(path, data_dir=data_dir)
    got = centres.set_index("id")[["step_free", "accessible_places"]]
    assert got.loc["A"].tolist() == [True, 0]
    assert got.loc["B"].tolist() == [False, 0]  # a contradiction: no wheelchair sent on a doubt
    assert got.loc["C"].tolist() == [True, 2]  # step-free not understood: read from the count
    assert [p.row for p in _problems(report, "missing-accessible-places")] == [2]
    assert [(p.row, p.value) for p in _problems(report, "step-free-conflict")] == [(3, "non")]
    assert [(p.row, p.value) for p in _problems(report, "bad-yes-no")] == [(4, "peut-etre")]
    assert report.errors == []


def test_unknown_words_are_warnings_and_the_row_is_kept(write, data_dir: Path) -> None:
    path = write(
        "c.csv",
        "id;capacite;code_insee;interpretes;home_office;care_min_dialysis\n"
        "A;20;62193;arabe, klingon;bof;-3\n",
    )
    centres, report = read_centres(path, data_dir=data_dir)
    row = centres.iloc[0]
    assert row["interpreters"] == "ar" and not row["home_office"]
    assert math.isnan(row["care_min_dialysis"])
    found = {p.rule: (p.column, p.value) for p in report.warnings}
    assert found["unknown-language"] == ("interpretes", "arabe, klingon")
    assert found["bad-yes-no"] == ("home_office", "bof")
    assert found["bad-care-minutes"] == ("care_min_dialysis", "-3")


def test_two_columns_for_one_service_are_refused(write, data_dir: Path) -> None:
    path = write("c.csv", "id,capacity,insee,accessible_places,places_pmr\nA,10,62193,1,1\n")
    with pytest.raises(DataFileError, match="places_pmr"):
        read_centres(path, data_dir=data_dir)
