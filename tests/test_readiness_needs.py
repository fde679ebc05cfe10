"""Readiness per need and within reach: hard needs count only places that meet them, pathways are counted
per day, and the suggested additions, applied, make the scenario ready."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from abri.cli import main
from abri.inputs.pathways import Pathway
from abri.inputs.scenario import Fleet, Rules
from abri.planning.readiness_needs import (
    Need,
    NeedRules,
    household_need,
    services_of,
    straight_care_minutes,
)
from abri.planning.readiness_pathways import pathway_checks
from abri.readiness import readiness

CENTRES = "id;nom;capacite;code_insee;publics;places_accessibles;soins_min_dialyse"


def people_frame(rows: list[dict[str, str]]) -> pd.DataFrame:
    """A people frame with the contract's columns (defaults where a row does not say)."""
    base = {
        "day": "2016-10-24",
        "group": "men",
        "household": "",
        "pref1": "",
        "pref2": "",
        "needs": "",
        "languages": "",
        "family_country": "",
        "family_town": "",
        "age_disputed": False,
        "refusal": "",
        "note": "",
    }
    return pd.DataFrame([{"person_id": f"P{i}", **base, **row} for i, row in enumerate(rows)])


def scenario(
    folder: Path,
    centres: list[str],
    people: list[tuple[str, str, str]],
    *,
    pathways: str = "",
    fleet: dict[str, object] | None = None,
) -> Path:
    """A scenario folder: centre lines (CENTRES), people (group, needs, family link), optional pathways.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "centres.csv").write_text("\n".join([CENTRES, *centres]) + "\n", encoding="utf-8")
    lines = ["person_id,day,group,household,pref1,pref2,needs,family_link"] + [
        f"P{i},2016-10-24,{g},,,,{n},{f}" for i, (g, n, f) in enumerate(people)
    ]
    (folder / "people.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if pathways:
        (folder / "pathways.csv").write_text(pathways, encoding="utf-8")
    (folder / "fleet.json").write_text(
        json.dumps({"days": ["2016-10-24"], **(fleet or {})}), encoding="utf-8"
    )
    return folder


def read_csv(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(
        path, sep=None, engine="python", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    return frame.replace(r'^="(.*)"$', r"\1", regex=True)


def run(folder: Path, data_dir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["-q", "readiness", str(folder), "--data-dir", str(data_dir), *args]
    )
    return result.exit_code, result.stdout


# ---------------------------------------------------------------- without the data pack


def test_a_persons_need_and_a_households() -> None:
    rules = NeedRules(Rules(), (Pathway("uk", "centre"),))
    chair = rules.need("wheelchair;care:dialysis", "families")
    assert (chair.accessible, chair.care, chair.limit_h, chair.limited) == (
        1,
        ("dialysis",),
        9.0,
        True,
    )
    assert rules.need("", "men").limit_h == math.inf and rules.need("", "minors").limit_h == 12.0
    assert rules.need("", "minors", home_office=True).home_office  # UK through a centre
    assert rules.need("stretcher", "men", ride_h=4.0).limit_h == 4.0  # a medical transfer's limit
    house = household_need([chair, rules.need("single-room", "families"), chair])
    assert (house.accessible, house.single, house.limit_h) == (2, 1, 9.0)
    assert house.label == "accessible-place;single-room;care:dialysis;ride-limit"


def test_a_centre_meets_a_need_with_its_places_care_and_ride() -> None:
    centres = pd.DataFrame(
        {
            "accessible_places": [2, 0, 3],
            "single_rooms": [0, 1, 0],
            "care_min_dialysis": [20.0, 20.0, np.nan],  # unknown is not near
            "home_office": [False, True, False],
        }
    )
    services = services_of(centres, np.array([5.0, 5.0, 10.0]), Rules())
    assert services.meets(Need(accessible=1, care=("dialysis",))).tolist() == [True, False, False]
    assert services.meets(Need(accessible=3)).tolist() == [False, False, True]
    assert services.meets(Need(single=1, home_office=True)).tolist() == [False, True, False]
    assert services.meets(Need(limit_h=9.0)).tolist() == [True, True, False]
    # a site for new places: the places come with it, the care and the ride do not
    assert services.meets(Need(accessible=5, limit_h=9.0), places=False).tolist() == [
        True,
        True,
        False,
    ]


def test_pathways_are_counted_per_day() -> None:
    rows = (
        [{"group": "minors", "family_country": "UK"}] * 5
        + [{"needs": "stretcher"}] * 3
        + [{"needs": "wheelchair"}] * 5
        + [{"refusal": "wants to stay"}] * 2
        + [{"group": "minors", "family_country": "UK", "refusal": "stays"}]
    )
    people = people_frame(rows)
    rules = NeedRules(
        Rules(),
        (Pathway("uk", "direct", daily_quota=2), Pathway("medical", "transfer", daily_quota=1)),
    )
    fleet = Fleet(accessible_coaches_per_day=1, wheelchair_places=2)
    table, routes = pathway_checks(people, rules, fleet, home_office_centres=False)
    got = table.set_index("need")[["people", "short", "add"]].to_dict("index")
    assert got["uk-quota"] == {"people": 5, "short": 3, "add": 3}
    assert got["medical-transfer"] == {"people": 3, "short": 2, "add": 2}
    assert got["accessible-coach"] == {"people": 5, "short": 3, "add": 2}  # 2 more coaches of 2
    assert got["refusal"]["people"] == 3
    # the allocation's routes: two minors to the UK from the camp, three refusals, two without a transfer
    assert sorted(routes.route.values()).count("uk") == 2
    assert sorted(routes.route.values()).count("refusal") == 3
    assert sorted(routes.route.values()).count("") == 2


def test_care_minutes_without_roads() -> None:
    hospitals = pd.DataFrame(
        {
            "lon": [2.30, 5.37],
            "lat": [49.89, 43.30],
            "emergency": [True, True],
            "maternity": [False, True],
            "dialysis": [False, False],
            "psychiatry": [True, False],
        }
    )
    points = pd.DataFrame({"lon": [2.30, 1.85], "lat": [49.89, 50.95]})  # Amiens, Calais
    care = straight_care_minutes(points, hospitals, km_per_minute=1.0)
    assert care.loc[0, "care_min_emergency"] == pytest.approx(0.0, abs=1e-6)
    assert 110 < care.loc[1, "care_min_emergency"] < 130  # about 120 km
    assert care.loc[0, "care_min_maternity"] > 600  # Marseille
    assert care["care_min_dialysis"].isna().all()


# ---------------------------------------------------------------- scenarios on the data pack


def append_extras(folder: Path, extras: Path) -> None:
    """The suggested centre rows added to the scenario's centre file (what the ministry does once prefects answer)."""
    centres = read_csv(folder / "centres.csv")
    pd.concat([centres, read_csv(extras)], ignore_index=True).fillna("").to_csv(
        folder / "centres.csv", sep=";", index=False
    )


@pytest.mark.datapack
def test_short_of_accessible_places_then_mended(tmp_path: Path, data_dir: Path) -> None:
    folder = scenario(
        tmp_path / "s",
        ["A;CAO Lille;20;59350;men;1;", "B;CAO Amiens;20;80021;men;0;"],
        [("men", "", "")] * 10 + [("men", "wheelchair", "")] * 3,
        fleet={"accessible_coaches_per_day": 2},
    )
    result = readiness(folder, data_dir=data_dir)
    assert not result.ready and result.unplaced == 2
    assert result.groups.loc["men", "places"] == 40  # places enough: the accessible ones are not
    need = result.needs.loc["accessible-place"]
    assert (need["people"], need["places"], need["short"], need["extra"]) == (3, 1, 2, 2)
    line = next(x for x in result.need_lines() if x.startswith("accessible-place"))
    assert line.startswith(
        "accessible-place: 3 wheelchair users, 1 accessible places within reach: 2 short (Hauts-de-France 2)"
    )
    assert "add 2 accessible places in department 59 (Nord)" in line

    code, output = run(folder, data_dir, "-o", str(tmp_path / "out"), "--no-map")
    assert code == 1 and output.startswith("NOT READY") and line in output
    needs = read_csv(tmp_path / "out" / "readiness-needs.csv").set_index("Besoin")
    assert needs.loc["place accessible (fauteuil)", "Manquant"] == "2"
    summary = json.loads((tmp_path / "out" / "readiness.json").read_text(encoding="utf-8"))
    assert summary["needs"][0]["need"] == "accessible-place" and not summary["ready"]
    extra = read_csv(tmp_path / "out" / "extra-centres.csv")
    assert extra[["capacite", "places_accessibles", "departement"]].values.tolist() == [
        ["2", "2", "59"]
    ]
    append_extras(folder, tmp_path / "out" / "extra-centres.csv")
    code, output = run(folder, data_dir)
    assert code == 0 and output.startswith("READY"), output


@pytest.mark.datapack
def test_care_counts_only_centres_within_the_care_limit(tmp_path: Path, data_dir: Path) -> None:
    folder = scenario(
        tmp_path / "s",
        ["A;CAO Lille;4;59350;men;0;20", "B;CAO Amiens;20;80021;men;0;90"],
        [("men", "dialyse", "")] * 6 + [("men", "", "")] * 5,
    )
    result = readiness(folder, data_dir=data_dir)
    assert not result.ready and result.unplaced == 2
    row = result.needs.loc["care:dialysis"]
    assert (row["people"], row["places"], row["short"], row["extra"]) == (6, 4, 2, 2)
    asks = result.extras[result.extras["need"].str.contains("care:dialysis")]
    assert int(asks["places"].sum()) == 2
    assert (asks["care_min_dialysis"] <= 45).all()  # the town of the new places is near dialysis
    code, _ = run(folder, data_dir, "-o", str(tmp_path / "out"), "--no-map")
    assert code == 1
    append_extras(folder, tmp_path / "out" / "extra-centres.csv")
    code, output = run(folder, data_dir)
    assert code == 0 and output.startswith("READY"), output


@pytest.mark.datapack
def test_uk_pathway_quota(tmp_path: Path, data_dir: Path) -> None:
    centres = ["A;CAOMI Lille;20;59350;minors;0;"]
    minors = [("minors", "", "UK")] * 5 + [("minors", "", "")] * 3
    folder = scenario(
        tmp_path / "s", centres, minors, pathways="pathway,mode,daily_quota\nuk,direct,2\n"
    )
    result = readiness(folder, data_dir=data_dir)
    assert not result.ready and result.unplaced == 0 and result.pathway_short == 3
    line = next(x for x in result.need_lines() if x.startswith("UK pathway"))
    assert line.startswith(
        "UK pathway: 5 minors with a link, quota 2 a day over 1 day "
        "(direct 2 a day, no Home Office centre): 3 short; raise the daily quota: 3 more on 2016-10-24"
    )
    (folder / "pathways.csv").write_text(
        "pathway,mode,daily_quota\nuk,direct,5\n", encoding="utf-8"
    )
    mended = readiness(folder, data_dir=data_dir)
    assert (
        mended.ready and mended.groups.loc["minors", "people"] == 3
    )  # the five leave from the camp


@pytest.mark.datapack
def test_ride_limits_count_only_places_within_reach(tmp_path: Path, data_dir: Path) -> None:
    # Marseille is beyond 9 h from Calais by coach (with the margin and breaks), not beyond no limit
    centres = ["M;CAO Marseille;10;13055;men,vulnerable;0;"]
    folder = scenario(tmp_path / "s", centres, [("men", "", "")] * 3 + [("vulnerable", "", "")] * 2)
    result = readiness(folder, data_dir=data_dir)
    assert "straight line" in result.travel
    assert result.groups["unplaced"].to_dict() == {"men": 0, "vulnerable": 2}
    assert (result.extras["region"] != "93").all()  # asked of departments within 9 h
    elderly = scenario(tmp_path / "e", centres, [("men", "elderly", "")])
    assert readiness(elderly, data_dir=data_dir).needs.loc["ride-limit", "short"] == 1


@pytest.mark.datapack
def test_within_reach_on_the_roads(tmp_path: Path, data_dir: Path) -> None:
    folder = scenario(
        tmp_path / "s",
        ["A;CAO Lille;5;59350;men;0;", "B;CAO Amiens;5;80021;men;0;"],
        [("men", "dialyse", "")] * 2 + [("men", "", "")] * 3,
    )
    result = readiness(folder, data_dir=data_dir, roads="hauts-de-france-roads")
    assert result.travel.startswith("coach time on the roads hauts-de-france-roads")
    assert "care minutes on the roads" in result.travel
    assert result.ready and result.needs.at["care:dialysis", "places"] == 10  # both near dialysis
