import json
from pathlib import Path

import pytest

from abri.errors import DataFileError
from abri.inputs.people import read_people
from abri.inputs.scenario import read_scenario


def test_row_level_messages(write) -> None:
    path = write(
        "people.csv",
        "person_id,day,group,household,pref1,pref2\n"
        "P1,2016-10-24,men,,32,84\nP1,2016-10-24,men,,,\nP3,2016-13-24,men,,,\nP4,2016-10-24,aliens,,,\n"
        "P5,2016-10-24,men,,99,\nP6,2016-10-24,families,,,\n",
    )
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
    with pytest.raises(DataFileError, match=r"no centres.csv"):
        read_scenario(tmp_path)
    write("centres.csv", "id;capacity;insee\nA;1;62193\n")
    write("people.csv", "person_id,day,group\nP1,2016-10-24,men\n")
    scenario = read_scenario(tmp_path)
    assert scenario.fleet.seats == 55 and scenario.rules.max_stops == 4  # defaults
    (tmp_path / "fleet.json").write_text(json.dumps({"seats": "many"}))
    with pytest.raises(DataFileError, match=r"fleet.json: key 'seats' is 'many'; expected a int"):
        read_scenario(tmp_path)
    (tmp_path / "fleet.json").write_text("{oops")
    with pytest.raises(DataFileError, match=r"fleet.json: not valid JSON"):
        read_scenario(tmp_path)
    (tmp_path / "fleet.json").write_text(json.dumps({"coaches_per_day": 0}))
    with pytest.raises(DataFileError, match=r"coaches_per_day.*expected at least 1"):
        read_scenario(tmp_path)


def test_unknown_keys_are_errors(small_scenario: Path, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "s"
    shutil.copytree(small_scenario, folder)
    (folder / "rules.json").write_text(json.dumps({"max_stop": 3}))
    with pytest.raises(
        DataFileError,
        match=r"rules.json: unknown key\(s\) 'max_stop' \(did you mean 'max_stops'\?\)",
    ):
        read_scenario(folder)
    (folder / "rules.json").write_text("{}")
    (folder / "fleet.json").write_text(json.dumps([1, 2]))
    with pytest.raises(DataFileError, match=r"fleet.json: got a JSON list; expected an object"):
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


def test_values_are_normalised(write) -> None:
    path = write(
        "people.csv",
        "Identifiant;Jour;Groupe;Foyer\nP1;20161024;Hommes;\nP2;2016-10-24;Men;\nP3;24/10/2016;familles;F1\n"
        "P4;2016-10-24 00:00:00;Familles;F1\nP5;2016-10-25;vulnérables;\n",
    )
    people, report = read_people(path)
    assert report.problems == []
    assert people["day"].tolist() == ["2016-10-24"] * 4 + ["2016-10-25"]  # one day, however written
    assert people["group"].tolist() == ["men", "men", "families", "families", "vulnerable"]
    assert people["household"].tolist() == ["P1", "P2", "F1", "F1", "P5"]


def test_ids_that_look_the_same_are_duplicates(write) -> None:
    path = write(
        "people.csv",
        "person_id,day,group\nP1,2016-10-24,men\nP1\u200b,2016-10-24,men\n\u03a11,2016-10-24,men\nP\uff11,2016-10-24,men\n",
    )
    people, report = read_people(path)
    assert [(p.row, p.rule) for p in report.problems] == [
        (3, "invisible-characters"),
        (3, "duplicate-id"),
        (4, "duplicate-id"),
        (5, "invisible-characters"),
        (5, "duplicate-id"),
    ]
    assert "GREEK CAPITAL LETTER RHO" in report.problems[2].expected
    assert people["person_id"].tolist() == ["P1"]


def test_a_household_is_not_split(write) -> None:
    path = write(
        "people.csv",
        "person_id,day,group,household\nA1,2016-10-24,families,HA\nA2,2016-10-25,families,HA\n"
        "B1,2016-10-24,families,HB\nB2,2016-10-24,men,HB\nC1,2016-10-24,families,HC\nC2,20161024,families,HC\n",
    )
    people, report = read_people(path)
    assert [(p.row, p.rule) for p in report.errors] == [
        (2, "household-split-day"),
        (3, "household-split-day"),
        (4, "household-split-group"),
        (5, "household-split-group"),
    ]
    assert "row 2: 2016-10-24, row 3: 2016-10-25" in report.errors[0].expected
    assert people["person_id"].tolist() == ["C1", "C2"] and report.rows_rejected == 4


def test_people_file_layout_hints(write) -> None:
    with pytest.raises(DataFileError, match="row 3 looks like the header"):
        read_people(
            write("people.csv", "Personnes au départ\n\nperson_id,day,group\nP1,2016-10-24,men\n")
        )
    with pytest.raises(DataFileError, match="columns 'person_id' and 'id' both give the person_id"):
        read_people(write("people.csv", "person_id,id,day,group\nP1,1,2016-10-24,men\n"))


def test_fleet_origin_and_days(tmp_path: Path, write) -> None:
    write("centres.csv", "id;capacity;insee\nA;1;62193\n")
    write("people.csv", "person_id,day,group\nP1,20161024,men\n")
    (tmp_path / "fleet.json").write_text(
        json.dumps(
            {"origin_lon": -1.5536, "origin_lat": 47.2184, "days": ["20161024", "2016-10-25"]}
        )
    )
    scenario = read_scenario(tmp_path)
    assert (scenario.fleet.origin_lon, scenario.fleet.origin_lat) == (
        -1.5536,
        47.2184,
    )  # Nantes, west of Greenwich
    assert scenario.fleet.days == ["2016-10-24", "2016-10-25"] and scenario.people[
        "day"
    ].tolist() == ["2016-10-24"]
    for fleet, match in (
        ({"origin_lon": -181}, "expected degrees from -180 to 180"),
        ('{"origin_lat": NaN}', "'origin_lat' is nan"),
        ({"days": ["2016-10-24", "20161024"]}, "lists 2016-10-24 twice"),
        ({"days": ["lundi"]}, "'days' holds 'lundi'"),
        ("60", "got a JSON int"),
        ('"x"', "got a JSON str"),
    ):
        (tmp_path / "fleet.json").write_text(fleet if isinstance(fleet, str) else json.dumps(fleet))
        with pytest.raises(DataFileError, match=match):
            read_scenario(tmp_path)


def test_people_on_a_day_the_fleet_does_not_run_are_set_aside(
    small_scenario: Path, tmp_path: Path
) -> None:
    import shutil

    folder = tmp_path / "s"
    shutil.copytree(small_scenario, folder)
    fleet = json.loads((folder / "fleet.json").read_text())
    fleet["days"] = ["2016-10-24"]
    (folder / "fleet.json").write_text(json.dumps(fleet))
    scenario = read_scenario(folder)
    assert set(scenario.people["day"]) == {"2016-10-24"}
    problems = [p for p in scenario.people_report.problems if p.rule == "day-without-fleet"]
    assert (
        problems
        and "fleet.json days: 2016-10-24" in problems[0].expected
        and problems[0].row is not None
    )


def test_rules_are_range_checked_for_readiness_too(
    small_scenario: Path, tmp_path: Path, data_dir: Path
) -> None:
    import shutil

    from abri.readiness import readiness

    folder = tmp_path / "s"
    shutil.copytree(small_scenario, folder)
    (folder / "rules.json").write_text(json.dumps({"departure": "7h30"}))
    with pytest.raises(DataFileError, match=r"rules.json: key 'departure' is '7h30'"):
        readiness(folder, data_dir=data_dir)
