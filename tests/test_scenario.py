from pathlib import Path

import pandas as pd
import pytest

from abri.geo.centres import read_centres
from abri.synthetic import REGIONS_2016, SYNTHETIC_LABEL, ScenarioParams, write_scenario


@pytest.fixture(scope="module")
def calais(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("calais-2016")
    write_scenario(ScenarioParams(), folder, data_dir=data_dir)
    return folder


@pytest.mark.datapack
def test_calibrated_on_2016_figures(calais: Path, data_dir: Path) -> None:
    centres, report = read_centres(calais / "centres.csv", data_dir=data_dir)
    assert report.errors == []
    adult = centres[centres["type"] == "CAO"]
    assert len(adult) == 450 and 7_300 <= adult["capacity"].sum() <= 7_700
    assert (adult["capacity"] < 20).mean() == pytest.approx(0.60, abs=0.01)
    assert set(adult["region"]) == set(REGIONS_2016)  # 11 regions, no Ile-de-France, no Corsica
    minors = centres[centres["type"] == "CAOMI"]
    assert (minors["groups"] == "minors").all() and minors["capacity"].sum() >= 1_616
    people = pd.read_csv(calais / "people.csv", dtype=str, keep_default_na=False)
    adults = people[people["group"] != "minors"]
    assert len(adults) == 5_596 and adults["day"].nunique() == 3
    assert (people["group"] == "minors").sum() == 1_616
    assert set(people["group"]) == {"men", "women", "families", "vulnerable", "minors"}
    assert (adults["pref1"] != adults["pref2"]).all() and adults["pref1"].isin(REGIONS_2016).all()
    assert set(people.columns) == {
        "person_id",
        "day",
        "group",
        "household",
        "pref1",
        "pref2",
        *("needs", "languages", "family_link", "age_disputed", "refusal"),
    }  # no names
    assert (
        SYNTHETIC_LABEL in (calais / "README.txt").read_text()
        and "SYNTHETIC" in (calais / "scenario.json").read_text()
    )


def test_deterministic_for_a_seed(calais: Path, data_dir: Path, tmp_path: Path) -> None:
    write_scenario(ScenarioParams(), tmp_path / "again", data_dir=data_dir)
    write_scenario(ScenarioParams(seed=7), tmp_path / "other", data_dir=data_dir)
    for name in ("centres.csv", "people.csv"):
        assert (calais / name).read_bytes() == (tmp_path / "again" / name).read_bytes()
    assert (calais / "centres.csv").read_bytes() != (
        tmp_path / "other" / "centres.csv"
    ).read_bytes()


def test_parameters(data_dir: Path, tmp_path: Path) -> None:
    write_scenario(
        ScenarioParams(
            centres=40,
            places=600,
            minor_centres=5,
            minor_places=100,
            adults_per_day=(50, 60, 70),
            minors=80,
        ),
        tmp_path,
        data_dir=data_dir,
    )
    centres = pd.read_csv(tmp_path / "centres.csv", sep=";")
    people = pd.read_csv(tmp_path / "people.csv")
    assert (centres["type"] == "CAO").sum() == 40 and len(people) == 260
