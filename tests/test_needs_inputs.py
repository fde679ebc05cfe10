"""Needs, languages, family links, disputed ages and refusals in people files; the rules and fleet that go with them."""

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from abri.errors import DataFileError
from abri.geo.centres import read_centres
from abri.geo.gazetteer import load_communes
from abri.inputs.people import PEOPLE_COLUMNS, read_people
from abri.inputs.scenario import (
    DEFAULT_FLEET,
    DEFAULT_RULES,
    check_fleet,
    check_rules,
    read_scenario,
)
from abri.synthetic import (
    REGIONS_2016,
    ScenarioParams,
    add_centre_services,
    add_person_needs,
    generate_centres,
    generate_people,
)


def test_french_headers_and_several_values_a_cell(write) -> None:
    path = write(
        "personnes.csv",
        "identifiant;jour;groupe;foyer;besoins;langues;lien_familial;age_conteste;motif_refus;remarque\n"
        "P1;24/10/2016;hommes;;Fauteuil roulant, dialyse;arabe / Anglais;Royaume-Uni: Birmingham;oui;;\n"
        "P2;24/10/2016;mineurs;;;Tigrigna;UK;;;frère à Leeds\n"
        "P3;24/10/2016;femmes;;enceinte;am;;non;ne veut pas partir;\n"
        "P4;24/10/2016;familles;F1;medical: psychiatrie; prs;;;;\n",
    )
    people, report = read_people(path)
    assert report.errors == [] and list(people.columns) == list(PEOPLE_COLUMNS)
    rows = people.set_index("person_id")
    assert rows.loc["P1", "needs"] == "wheelchair;care:dialysis"  # in the vocabulary's order
    assert rows.loc["P1", "languages"] == "ar;en"
    assert (rows.loc["P1", "family_country"], rows.loc["P1", "family_town"]) == ("UK", "Birmingham")
    assert rows.loc["P2", "family_country"] == "UK" and rows.loc["P2", "note"] == "frère à Leeds"
    assert (
        rows.loc["P3", "refusal"] == "ne veut pas partir" and rows.loc["P3", "needs"] == "pregnancy"
    )
    assert rows.loc["P4", "needs"] == "care:psychiatry" and rows.loc["P4", "languages"] == "prs"
    assert list(rows["age_disputed"]) == [True, False, False, False]


def test_english_headers(write) -> None:
    path = write(
        "people.csv",
        "person_id,day,group,needs,languages,family_link,age_disputed,refusal,note\n"
        'P1,2016-10-24,vulnerable,"stretcher;urgent-care",Pashto,,no,,\n'
        "P2,2016-10-24,men,single room,fa,Germany,1,refused the coach,\n",
    )
    people, report = read_people(path)
    assert report.errors == []
    assert list(people["needs"]) == ["stretcher;urgent-care", "single-room"]
    assert list(people["languages"]) == ["ps", "fa"]
    assert list(people["family_country"]) == ["", "DE"]
    assert list(people["age_disputed"]) == [False, True]
    assert list(people["refusal"]) == ["", "refused the coach"]


def test_without_need_columns_every_column_is_there(write) -> None:
    people, _ = read_people(write("people.csv", "person_id,day,group\nP1,2016-10-24,men\n"))
    assert list(people.columns) == list(PEOPLE_COLUMNS)
    row = people.iloc[0]
    assert (row["needs"], row["languages"], row["family_country"], row["refusal"]) == ("",) * 4
    assert row["age_disputed"] is False or row["age_disputed"] == False  # noqa: E712 (numpy bool)


def test_unknown_words_set_the_row_aside_with_the_accepted_words(write) -> None:
    path = write(
        "people.csv",
        "person_id,day,group,besoins,langues,famille,age_conteste\n"
        "P1,2016-10-24,men,fauteuil;zombie,,,\n"
        "P2,2016-10-24,men,,klingon,,\n"
        "P3,2016-10-24,minors,,,Mars: Olympus,\n"
        "P4,2016-10-24,minors,,,,peut-être\n"
        "P5,2016-10-24,men,PMR,ar,UK,x\n",
    )
    people, report = read_people(path)
    found = [(p.row, p.column, p.rule, p.value) for p in report.problems]
    assert found == [
        (2, "besoins", "unknown-need", "fauteuil;zombie"),
        (3, "langues", "unknown-language", "klingon"),
        (4, "famille", "unknown-country", "Mars: Olympus"),
        (5, "age_conteste", "bad-yes-no", "peut-être"),
    ]
    need, language, country, yes_no = (p.expected for p in report.problems)
    assert "not understood: zombie" in need and "wheelchair" in need and "dialyse" in need
    assert "ti (tigrinya)" in language and "UK (united kingdom, royaume-uni)" in country
    assert "oui/non" in yes_no
    assert list(people["person_id"]) == ["P5"] and report.rows_rejected == 4
    assert list(report.rejects["source_row"]) == [2, 3, 4, 5]  # kept, with their reasons
    assert "unknown-need" in report.rejects.loc[0, "reasons"]


def test_a_household_with_a_refusal_stays_together(write) -> None:
    path = write(
        "people.csv",
        "person_id,day,group,household,refusal\n"
        "P1,2016-10-24,families,F1,\nP2,2016-10-24,families,F1,veut rester avec son frère\n",
    )
    people, report = read_people(path)
    assert report.errors == [] and list(people["household"]) == ["F1", "F1"]
    assert list(people["refusal"]) == ["", "veut rester avec son frère"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"care_max_minutes": {"dentistry": 30.0}},
            r"names care kind 'dentistry'; expected care kinds among emergency",
        ),
        (
            {"care_max_minutes": {"dialysis": 0.0}},
            r"care kind 'dialysis' is 0.0; expected a number from 1 to 600",
        ),
        ({"care_max_minutes": {"dialysis": 601.0}}, r"from 1 to 600"),
        (
            {"need_max_ride_hours": 0.2},
            r"'need_max_ride_hours' is 0.2; expected a number from 0.5 to 72",
        ),
        (
            {"language_weight_hours": 101.0},
            r"'language_weight_hours' is 101.0; expected a number from 0 to 100",
        ),
    ],
)
def test_rules_ranges(change: dict[str, object], message: str) -> None:
    with pytest.raises(DataFileError, match=message):
        check_rules(replace(DEFAULT_RULES, **change))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"accessible_coaches_per_day": 61},
            r"'accessible_coaches_per_day' is 61; expected at most the coaches \(60\)",
        ),
        (
            {"accessible_coaches_per_day": 2, "accessible_seats": 56},
            r"'accessible_seats' is 56; expected at most 'seats' \(55\)",
        ),
        ({"accessible_seats": 0}, r"'accessible_seats' is 0; expected a whole number from 1"),
        (
            {"wheelchair_places": 21},
            r"'wheelchair_places' is 21; expected a whole number from 1 to 20",
        ),
        (
            {"coaches": ["A", "B"], "accessible_coaches": ["C"]},
            r"'accessible_coaches' has 'C'; expected ids among 'coaches' \(A, B\)",
        ),
        (
            {"coaches": ["A", "B"], "accessible_coaches": ["A", "A"]},
            r"has 'A'; expected ids listed once",
        ),
        ({"coaches": ["A", "B"], "accessible_coaches_per_day": 3}, r"at most the coaches \(2\)"),
    ],
)
def test_fleet_ranges(change: dict[str, object], message: str) -> None:
    with pytest.raises(DataFileError, match=message):
        check_fleet(replace(DEFAULT_FLEET, **change))  # type: ignore[arg-type]


def test_an_unused_accessible_default_never_makes_a_small_coach_invalid() -> None:
    check_fleet(
        replace(DEFAULT_FLEET, seats=20)
    )  # accessible_seats 49 > 20, but no accessible coach
    check_fleet(replace(DEFAULT_FLEET, coaches=["A", "B"], accessible_coaches=["B"]))


def test_rules_json_with_care_limits(write, tmp_path: Path) -> None:
    from abri.inputs.scenario import read_fleet_and_rules

    write(
        "rules.json", json.dumps({"care_max_minutes": {"dialysis": 30}, "need_max_ride_hours": 8})
    )
    write("fleet.json", json.dumps({"accessible_coaches_per_day": 4, "wheelchair_places": 3}))
    fleet, rules = read_fleet_and_rules(tmp_path)
    assert rules.care_max_minutes == {"dialysis": 30} and rules.need_max_ride_hours == 8.0
    assert fleet.accessible_coaches_per_day == 4 and fleet.wheelchair_places == 3
    write("rules.json", json.dumps({"care_max_minutes": {"dialyse": 30}}))
    with pytest.raises(
        DataFileError, match=r"rules.json: key 'care_max_minutes' names care kind 'dialyse'"
    ):
        read_fleet_and_rules(tmp_path)


@pytest.fixture(scope="module")
def calais_people() -> pd.DataFrame:
    """The calais-2016 people with their needs (the real generator; centres stand in by region only)."""
    params = ScenarioParams()
    centres = pd.DataFrame({"type": "CAO", "region": list(REGIONS_2016), "capacite": 10})
    return add_person_needs(params, generate_people(params, centres))


def _has(people: pd.DataFrame, column: str, token: str) -> pd.Series:
    return people[column].str.split(";").apply(lambda tokens: token in tokens)


def test_synthetic_needs_at_their_stated_rates(calais_people: pd.DataFrame) -> None:
    people, params = calais_people, ScenarioParams()
    adults = people[people["group"] != "minors"]
    for need, share in params.adult_needs:
        assert _has(adults, "needs", need).sum() == max(round(share * len(adults)), 1), need
        assert not _has(people[people["group"] == "minors"], "needs", need).any()
    assert _has(people, "needs", "wheelchair").sum() == 17  # 0.3 % of 5,596 adults
    mothers = (people["group"] == "women").sum() + people.loc[
        people["group"] == "families", "household"
    ].nunique()
    assert _has(people, "needs", "pregnancy").sum() == round(0.03 * mothers)
    assert (
        1
        <= _has(people, "needs", "care:maternity").sum()
        <= _has(people, "needs", "pregnancy").sum()
    )
    assert set(people.loc[_has(people, "needs", "care:maternity"), "group"]) <= {
        "women",
        "families",
    }
    vulnerable = people["group"] == "vulnerable"
    with_needs = people["needs"] != ""
    assert with_needs[vulnerable].mean() > 5 * with_needs[~vulnerable].mean()  # the queue for them


def test_synthetic_languages_links_and_refusals(calais_people: pd.DataFrame) -> None:
    people, params = calais_people, ScenarioParams()
    first = people["languages"].str.split(";").str[0]
    for code, share in params.languages:
        assert (first == code).mean() == pytest.approx(share, abs=0.03), code
    assert _has(people, "languages", "en").mean() == pytest.approx(0.30, abs=0.03)
    families = people[people["household"] != ""]
    assert (
        families.groupby("household")["languages"].agg(lambda s: s.str[:2].nunique()) == 1
    ).all()
    minors = people[people["group"] == "minors"]
    assert (minors["family_link"] != "").sum() == 550  # of 1,616: the Dublin III reunions of 2016
    assert (people.loc[people["group"] != "minors", "family_link"] == "").all()
    linked = minors.loc[minors["family_link"] != "", "family_link"]
    assert linked.str.fullmatch(r"UK: \w+").all() and linked.nunique() > 1  # a town each
    assert (minors["age_disputed"] == "yes").sum() == round(0.05 * 1_616)
    refused = people[people["refusal"] != ""]
    units = people["household"].where(people["household"] != "", people["person_id"])
    assert refused.shape[0] >= round(0.01 * units.nunique())
    assert units[refused.index].nunique() == round(0.01 * units.nunique())  # by household
    assert refused["refusal"].isin(params.refusal_reasons).all()


def test_synthetic_scenario_reads_back(small_scenario: Path, data_dir: Path) -> None:
    scenario = read_scenario(small_scenario)
    assert scenario.people_report.errors == [] and scenario.people_report.warnings == []
    people = scenario.people
    assert (people["needs"] != "").any() and (people["languages"] != "").all()
    assert (people["family_country"] == "UK").sum() == round(120 * 550 / 1_616)
    assert [(p.kind, p.mode) for p in scenario.pathways] == [
        ("uk", "direct"),
        ("uk", "centre"),
        ("medical", "transfer"),
    ]
    uk = scenario.pathways[0]
    assert uk.days == ("2016-11-02", "2016-11-03", "2016-11-04") and uk.daily_quota == 100
    assert scenario.pathways[2].daily_quota == 10
    assert scenario.fleet.accessible_coaches_per_day == 6 and scenario.fleet.accessible_seats == 49
    centres, report = read_centres(small_scenario / "centres.csv", data_dir=data_dir)
    assert report.errors == [] and report.warnings == []
    adult = centres[centres["type"] == "CAO"]
    assert (adult["accessible_places"] > 0).sum() == round(0.15 * 40)
    assert adult["accessible_places"].between(0, 4).all()
    assert (adult["single_rooms"] > 0).sum() == round(0.10 * 40)
    assert (centres["interpreters"] != "").sum() == round(0.30 * 46)
    minors = centres[centres["type"] == "CAOMI"]
    assert minors["home_office"].sum() == round(6 * 20 / 70) and not adult["home_office"].any()


def test_synthetic_services_keep_the_centres(data_dir: Path) -> None:
    params = ScenarioParams(centres=40, places=700, minor_centres=6, minor_places=160)
    centres = generate_centres(params, load_communes(data_dir))
    served = add_centre_services(params, centres)
    assert served[centres.columns].equals(centres)  # drawn from a stream of their own
    assert (served["places_accessibles"] <= served["capacite"]).all()
    again = add_centre_services(params, centres)
    assert again.equals(served)
