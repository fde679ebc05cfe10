import json
from pathlib import Path

import pytest

from abri.errors import DataFileError
from abri.geo.people import read_people
from abri.geo.scenario import read_scenario


def test_row_level_messages(write) -> None:
    path = write("people.csv", "person_id,day,group,household,pref1,pref2\n"
                 "P1,2016-10-24,men,,32,84\nP1,2016-10-24,men,,,\nP3,2016-13-24,men,,,\nP4,2016-10-24,aliens,,,\n"
                 "P5,2016-10-24,men,,99,\nP6,2016-10-24,families,,,\n")
    people, report = read_people(path, regions={"32", "84"})
    found = [(p.row, p.column, p.rule, p.severity) for p in report.problems]
    assert found == [
        (3, "person_id", "duplicate-id", "error"),
        (4, "day", "bad-day", "error"),
        (5, "group", "unknown-group", "error"),
        (6, "pref1", "unknown-region", "error"),
        (7, "household", "missing-household", "warning"),
    ]
    assert list(people["person_id"]) == ["P1", "P6"] and report.rows_rejected == 4
    assert people.loc[1, "household"] == "P6"  # a family member with no household travels as one
    assert "2016-13-24" in report.rejects.to_csv()


def test_missing_columns(write) -> None:
    with pytest.raises(DataFileError, match=r"missing column\(s\) \['day'\]"):
        read_people(write("people.csv", "person_id,group\nP1,men\n"))


def test_scenario_folder_errors(tmp_path: Path, write) -> None:
    with pytest.raises(DataFileError, match="no centres.csv"):
        read_scenario(tmp_path)
    write("centres.csv", "id;capacity;insee\nA;1;62193\n")
    write("people.csv", "person_id,day,group\nP1,2016-10-24,men\n")
    scenario = read_scenario(tmp_path)
    assert scenario.fleet.seats == 55 and scenario.rules.max_stops == 4  # defaults
    (tmp_path / "fleet.json").write_text(json.dumps({"seats": "many"}))
    with pytest.raises(DataFileError, match=r"fleet.json: key 'seats' is 'many'; expected a int"):
        read_scenario(tmp_path)
    (tmp_path / "fleet.json").write_text("{oops")
    with pytest.raises(DataFileError, match="fleet.json: not valid JSON"):
        read_scenario(tmp_path)
    (tmp_path / "fleet.json").write_text(json.dumps({"coaches_per_day": 0}))
    with pytest.raises(DataFileError, match="coaches_per_day.*expected at least 1"):
        read_scenario(tmp_path)


def test_unknown_keys_are_errors(small_scenario: Path, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "s"
    shutil.copytree(small_scenario, folder)
    (folder / "rules.json").write_text(json.dumps({"max_stop": 3}))
    with pytest.raises(DataFileError, match=r"rules.json: unknown key\(s\) 'max_stop' \(did you mean 'max_stops'\?\)"):
        read_scenario(folder)
    (folder / "rules.json").write_text("{}")
    (folder / "fleet.json").write_text(json.dumps([1, 2]))
    with pytest.raises(DataFileError, match="fleet.json: got a JSON list; expected an object"):
        read_scenario(folder)
    (folder / "fleet.json").write_text(json.dumps({"seats": True}))
    with pytest.raises(DataFileError, match="'seats' is True; expected a int"):
        read_scenario(folder)


def test_label_comes_from_the_scenario_folder(small_scenario: Path, tmp_path: Path) -> None:
    import shutil

    assert read_scenario(small_scenario).label.startswith("SYNTHETIC")
    folder = tmp_path / "real"
    shutil.copytree(small_scenario, folder)
    (folder / "scenario.json").unlink()
    assert read_scenario(folder).label == ""
