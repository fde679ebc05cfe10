"""Readiness: exact checks on small hand-made cases, and calais-2016 as generated, cut, then mended (round trips)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from abri.cli import main
from abri.readiness import (
    Readiness,
    demand_from_counts,
    parse_counts,
    read_prefecture_rows,
    readiness,
)

CENTRE_COLUMNS = "id;nom;capacite;code_insee;publics;ouverture_date"


def scenario(folder: Path, centres: list[str], people: list[tuple[str, str, str, str]]) -> Path:
    """A scenario folder from centre lines (CENTRE_COLUMNS) and people (day, group, household, pref1)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "centres.csv").write_text(
        "\n".join([CENTRE_COLUMNS, *centres]) + "\n", encoding="utf-8"
    )
    rows = ["person_id,day,group,household,pref1,pref2"] + [
        f"P{i},{d},{g},{h},{p}," for i, (d, g, h, p) in enumerate(people)
    ]
    (folder / "people.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def men(n: int, day: str = "2016-10-24", group: str = "men") -> list[tuple[str, str, str, str]]:
    return [(day, group, "", "")] * n


def read_csv(path: Path) -> pd.DataFrame:
    """A CSV as a spreadsheet shows it: excel-fr's ``="059"`` (a code kept as text) reads 059."""
    frame = pd.read_csv(
        path, sep=None, engine="python", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    return frame.replace(r'^="(.*)"$', r"\1", regex=True)


def append_extras(folder: Path, extras: Path) -> None:
    """Add the suggested centre rows to the scenario's centre file (what a ministry does once prefects answer)."""
    centres = read_csv(folder / "centres.csv")
    pd.concat([centres, read_csv(extras)], ignore_index=True).fillna("").to_csv(
        folder / "centres.csv", sep=";", index=False
    )


# ---------------------------------------------------------------- without the data pack


def test_parse_counts() -> None:
    assert parse_counts("men=4800, families=350,minors=0") == {
        "men": 4800,
        "families": 350,
        "minors": 0,
    }
    for bad in ("men", "adults=3", "men=-1", "men=1.5", ""):
        with pytest.raises(ValueError, match="expected"):
            parse_counts(bad)


def test_families_from_counts_are_households() -> None:
    demand = demand_from_counts({"families": 10, "men": 3}, day="2016-10-24", household_size=4)
    assert demand.households["size"].tolist() == [4, 4, 2]
    assert demand.by_day_group().loc["2016-10-24"].to_dict() == {"men": 3, "families": 10}


# ---------------------------------------------------------------- small exact cases


@pytest.mark.datapack
def test_households_need_one_centre_not_a_total(tmp_path: Path, data_dir: Path) -> None:
    # 6 places in two centres of 3 and a family of 4: totals say yes, the model says no.
    folder = scenario(
        tmp_path / "s",
        ["A;CAO A;3;59350;families;", "B;CAO B;3;80021;families;"],
        [("2016-10-24", "families", "H1", "")] * 4,
    )
    result = readiness(folder, data_dir=data_dir)
    assert not result.ready and result.exact
    assert result.groups.loc["families", ["people", "places", "unplaced"]].tolist() == [4, 6, 4]
    assert result.extras[["departement", "group", "places"]].values.tolist() == [
        ["59", "families", 4]
    ]  # Nord: nearer than Somme
    assert "NOT READY" in repr(result)


@pytest.mark.datapack
def test_groups_sharing_places(tmp_path: Path, data_dir: Path) -> None:
    # Men can go anywhere, vulnerable people only to A: ready only if the men leave A to them.
    centres = ["A;CAO A;5;59350;men,vulnerable;", "B;CAO B;5;80021;men;"]
    ready = readiness(
        scenario(tmp_path / "ok", centres, men(5) + men(5, group="vulnerable")), data_dir=data_dir
    )
    assert ready.ready and ready.groups["margin"].tolist() == [0, 0]
    short = readiness(
        scenario(tmp_path / "short", centres, men(4) + men(6, group="vulnerable")),
        data_dir=data_dir,
    )
    assert not short.ready
    assert short.groups["unplaced"].to_dict() == {"men": 0, "vulnerable": 1}
    assert short.extras[["group", "places"]].values.tolist() == [["vulnerable", 1]]


@pytest.mark.datapack
def test_opening_dates_count_from_that_morning(tmp_path: Path, data_dir: Path) -> None:
    centres = ["A;CAO A;10;59350;men;2016-10-24", "B;CAO B;10;80021;men;26/10/2016"]
    late = readiness(scenario(tmp_path / "late", centres, men(15, "2016-10-25")), data_dir=data_dir)
    assert not late.ready
    assert late.days.loc[
        "2016-10-25", ["places_open", "places_later", "unplaced_to_date"]
    ].tolist() == [10, 10, 5]
    assert late.extras[["departement", "places", "needed_by"]].values.tolist() == [
        ["59", 5, "2016-10-25"]
    ]
    on_time = readiness(
        scenario(tmp_path / "on-time", centres, men(10, "2016-10-24") + men(10, "2016-10-26")),
        data_dir=data_dir,
    )
    assert on_time.ready
    assert on_time.days["places_open"].tolist() == [10, 20] and on_time.days["ready"].all()
    # the same people a day earlier: the second centre is not open yet
    early = readiness(
        scenario(tmp_path / "early", centres, men(10, "2016-10-24") + men(10, "2016-10-25")),
        data_dir=data_dir,
    )
    assert early.days["unplaced_to_date"].tolist() == [0, 10]
    # a date that is not one: said, and the centre counted as open
    odd = readiness(
        scenario(tmp_path / "odd", ["A;CAO A;10;59350;men;demain"], men(10)), data_dir=data_dir
    )
    assert odd.ready
    (problem,) = odd.reports[0].problems
    assert (problem.rule, problem.column, problem.value, problem.row) == (
        "bad-date",
        "ouverture_date",
        "demain",
        2,
    )


@pytest.mark.datapack
def test_cli_expect_and_outputs(tmp_path: Path, data_dir: Path) -> None:
    import openpyxl

    folder = scenario(tmp_path / "s", ["A;CAO A;10;59350;men;", "B;CAOMI B;6;80021;minors;"], [])
    (folder / "people.csv").unlink()  # only estimates exist
    runner = CliRunner()
    out = tmp_path / "out"
    ok = runner.invoke(
        main,
        [
            "-q",
            "readiness",
            str(folder),
            "--expect",
            "men=8,minors=6",
            "--day",
            "2016-10-24",
            "-o",
            str(out),
            "--lang",
            "en",
            "--data-dir",
            str(data_dir),
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.startswith("READY")
    groups = read_csv(out / "readiness-groups.csv")
    assert groups.columns[:3].tolist() == ["Group", "People", "Households"]
    assert groups.set_index("Group").loc["single men", "Margin (places still free)"] == "2"
    assert openpyxl.load_workbook(out / "readiness.xlsx").sheetnames == [
        "Groups",
        "Days",
        "Departments",
        "Regions",
        "Extra places",
    ]
    page = (out / "readiness-map.html").read_text(encoding="utf-8")
    assert '"extra:Extra places by department"' in page  # the capacity map's layer
    assert "SYNTHETIC" not in page  # a planner's own list: no synthetic label
    short = runner.invoke(
        main,
        [
            "-q",
            "readiness",
            str(folder),
            "--expect",
            "men=12",
            "--day",
            "2016-10-24",
            "-o",
            str(out),
            "--no-map",
            "--data-dir",
            str(data_dir),
        ],
    )
    assert short.exit_code == 1 and "not ready: 2 people" in short.output
    extras = read_csv(
        out / "extra-centres.csv"
    )  # French: headers the centre reader knows, dates as written
    assert extras.columns.tolist() == [
        *CENTRE_COLUMNS.split(";")[:3],
        "code_insee",
        "type",
        "publics",
        "departement",
        "ouverture_date",
    ]
    assert extras[["capacite", "publics", "departement"]].values.tolist() == [["2", "men", "59"]]
    rows = read_prefecture_rows(out).set_index("departement")  # what the prefecture summaries show
    assert rows.loc["59", ["places_men", "extra_men", "extra", "needed_by"]].tolist() == [
        10,
        2,
        2,
        "2016-10-24",
    ]
    assert rows.loc["80", ["places_minors", "extra"]].tolist() == [6, 0]
    for args, message in (
        (["--expect", "men=x"], "GROUP=COUNT"),
        (["--expect", "men=1", "--day", "24/10"], "YYYY-MM-DD"),
        (["--day", "2016-10-24"], "only with --expect"),
        ([], "no people.csv"),
    ):
        bad = runner.invoke(
            main, ["-q", "readiness", str(folder), *args, "--data-dir", str(data_dir)]
        )
        assert bad.exit_code == 2 and message in bad.output, (args, bad.output)


# ---------------------------------------------------------------- calais-2016 as generated


@pytest.fixture(scope="module")
def calais(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Readiness]:
    from abri.synthetic import ScenarioParams, write_scenario

    folder = tmp_path_factory.mktemp("readiness") / "calais"
    write_scenario(ScenarioParams(), folder, data_dir=data_dir)
    return folder, readiness(folder, data_dir=data_dir)


def test_calais_is_ready_with_a_margin_per_group(calais: tuple[Path, Readiness]) -> None:
    # with needs (issue 23): places count only within each person's ride limit and meeting their needs
    _, result = calais
    assert result.ready and result.exact and result.unplaced == 0 and result.extras.empty
    groups = result.groups
    refused = int(result.pathways.set_index("need").at["refusal", "people"])
    assert groups["people"].sum() + refused < 7_212  # UK direct and refusals need no place
    assert (groups["placed"] == groups["people"]).all()
    assert (groups["margin"] > 0).all() and result.days["ready"].all()
    assert result.pathway_short == 0 and (result.needs["short"] == 0).all()
    assert repr(result).startswith("Readiness(READY: ")


def cut_places(src: Path, dst: Path, share: float, seed: int) -> None:
    """`share` of all places removed at random (seeded), place by place; emptied centres dropped."""
    shutil.copytree(src, dst)
    centres = read_csv(dst / "centres.csv")
    capacity = centres["capacite"].astype(int).to_numpy()
    places = np.repeat(np.arange(len(capacity)), capacity)
    gone = np.random.default_rng(seed).choice(
        len(places), round(share * len(places)), replace=False
    )
    centres["capacite"] = capacity - np.bincount(places[gone], minlength=len(capacity))
    centres[centres["capacite"] > 0].to_csv(dst / "centres.csv", sep=";", index=False)


def drop_minor_places(src: Path, dst: Path) -> str:
    """Every minors' place of the region that has the most, removed."""
    shutil.copytree(src, dst)
    centres = read_csv(dst / "centres.csv")
    minors = centres["publics"] == "minors"
    region = str(
        centres[minors]
        .assign(c=centres["capacite"].astype(int))
        .groupby("region")["c"]
        .sum()
        .idxmax()
    )
    centres[~(minors & (centres["region"] == region))].to_csv(
        dst / "centres.csv", sep=";", index=False
    )
    return region


def mend(folder: Path, data_dir: Path, out: Path, *roads: str) -> pd.DataFrame:
    """Not ready -> the extra centres written -> added to the centre file -> ready. Returns the extra places."""
    runner = CliRunner()
    first = runner.invoke(
        main,
        [
            "-q",
            "readiness",
            str(folder),
            "-o",
            str(out),
            "--no-map",
            "--data-dir",
            str(data_dir),
            *roads,
        ],
    )
    assert first.exit_code == 1 and first.stdout.startswith("NOT READY"), first.output
    extras = read_csv(out / "readiness-extras.csv")
    groups = read_csv(out / "readiness-groups.csv").set_index("Groupe")
    assert extras["Places"].astype(int).sum() == groups["Sans place"].astype(int).sum() > 0
    append_extras(folder, out / "extra-centres.csv")
    again = runner.invoke(
        main, ["-q", "readiness", str(folder), "--data-dir", str(data_dir), *roads]
    )
    assert again.exit_code == 0 and again.stdout.startswith("READY"), again.output
    return extras


@pytest.mark.datapack
def test_calais_with_a_fifth_of_places_removed(
    calais: tuple[Path, Readiness], data_dir: Path, tmp_path: Path
) -> None:
    cut_places(calais[0], tmp_path / "cut", 0.2, seed=16)
    extras = mend(tmp_path / "cut", data_dir, tmp_path / "out")
    assert (
        "mineurs" in set(extras["Groupe"]) and extras["Département"].nunique() >= 2
    )  # asks spread over departments
    # (a department may be asked more than 50: few are within the minors' 12 h)


def test_calais_without_one_regions_minor_places(
    calais: tuple[Path, Readiness], data_dir: Path, tmp_path: Path
) -> None:
    region = drop_minor_places(calais[0], tmp_path / "no-minors")
    extras = mend(tmp_path / "no-minors", data_dir, tmp_path / "out")
    assert "mineurs" in set(extras["Groupe"])
    assert (extras["Région"] != region).any()


@pytest.mark.slow
def test_mended_calais_is_allocated(
    calais: tuple[Path, Readiness], data_dir: Path, tmp_path: Path
) -> None:
    """The round trip on the national roads: once the extra places are added, the allocation places everyone."""
    cut_places(calais[0], tmp_path / "cut", 0.2, seed=16)
    drop_minor_places(tmp_path / "cut", tmp_path / "both")
    mend(tmp_path / "both", data_dir, tmp_path / "out")
    allocated = CliRunner().invoke(
        main,
        [
            "-q",
            "allocate",
            str(tmp_path / "both"),
            "-o",
            str(tmp_path / "alloc"),
            "--data-dir",
            str(data_dir),
        ],
    )
    assert allocated.exit_code == 0, allocated.output
    assignments = pd.read_csv(
        tmp_path / "alloc" / "assignments.csv", dtype=str, keep_default_na=False
    )
    placed = ~assignments["pathway"].isin(["uk", "refusal"])  # UK direct and refusals: no centre
    assert len(assignments) == 7_212 and (assignments.loc[placed, "centre_id"] != "").all()


def test_round_trip_through_the_coach_plan(
    small_scenario: Path, data_dir: Path, tmp_path: Path
) -> None:
    """On a small scenario and the major roads (readiness timed on the same roads): `abri plan` then places everyone."""
    folder = tmp_path / "small"
    cut_places(small_scenario, folder, 0.35, seed=3)
    mend(folder, data_dir, tmp_path / "r", "--roads", "france-major-roads")
    plan = CliRunner().invoke(
        main,
        [
            "-q",
            "plan",
            str(folder),
            "-o",
            str(tmp_path / "plan"),
            "--roads",
            "france-major-roads",
            "--iterations",
            "300",
            "--no-baseline",
            "--jobs",
            "1",
            "--data-dir",
            str(data_dir),
        ],
    )
    assert plan.exception is None or isinstance(plan.exception, SystemExit), plan.output
    assignments = pd.read_csv(
        tmp_path / "plan" / "assignments.csv", dtype=str, keep_default_na=False
    )
    placed = ~assignments["pathway"].isin(["uk", "refusal"])  # UK direct and refusals: no centre
    assert len(assignments) == 490 and (assignments.loc[placed, "centre_id"] != "").all()
    left = read_csv(
        tmp_path / "plan" / "unplaced.csv"
    )  # people not carried (a coach question) still have their centre
    assert (left.loc[~left["pathway"].isin(["uk", "refusal"]), "centre_id"] != "").all()


@pytest.mark.parametrize("case", ["scenario", "inside-scenario", "unwritable", "other-files"])
def test_cli_checks_its_output_first(data_dir: Path, tmp_path: Path, case: str) -> None:
    """The tables folder is written whole: never over the scenario, nor over files abri did not write; refused before any work."""
    folder = scenario(tmp_path / "s", ["A;CAO A;10;59350;men;"], men(3))
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "keep.txt").write_text("mine")
    out = {
        "scenario": folder,
        "inside-scenario": folder.parent,
        "unwritable": Path("/sys/abri-readiness"),
        "other-files": tmp_path / "mine",
    }[case]
    before = sorted(p.name for p in folder.iterdir())
    result = CliRunner().invoke(
        main, ["-q", "readiness", str(folder), "-o", str(out), "--data-dir", str(data_dir)]
    )
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert {
        "scenario": "would replace the input",
        "inside-scenario": "would replace the input",
        "unwritable": "cannot be written",
        "other-files": "holds files abri did not write",
    }[case] in result.output
    assert (
        sorted(p.name for p in folder.iterdir()) == before
        and (tmp_path / "mine" / "keep.txt").read_text() == "mine"
    )
    assert "READY" not in result.output  # refused before the check ran


def test_readiness_says_when_boarding_binds_and_what_lifts_it(
    tmp_path: Path, datapack: Path
) -> None:
    folder = scenario(tmp_path / "s", ["A;CAO A;200;59350;men;"], men(150))
    (folder / "rules.json").write_text('{"bays": 1, "last_departure": "07:30"}')  # 2 slots
    # the default fleet: 60 coaches of 55 seats
    result = readiness(folder, data_dir=datapack)
    assert result.ready and result.carried_short == 40  # places enough; 2 coaches board
    day = result.operation.loc["2016-10-24"]
    assert day["binds"] == "boarding" and day["can_carry"] == 110
    assert day["lift"] == "1 more bay, or 1 more day"
    out = CliRunner().invoke(main, ["-q", "readiness", str(folder), "--data-dir", str(datapack)])
    assert out.exit_code == 0 and "boarding binds" in out.stdout and "1 more bay" in out.stdout
