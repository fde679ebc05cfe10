from pathlib import Path

import pytest

from abri.geo.gazetteer import Gazetteer, load_communes, normalise_name


@pytest.fixture(scope="module")
def gaz(data_dir: Path) -> Gazetteer:
    return Gazetteer.from_data_dir(data_dir)


@pytest.mark.datapack
def test_gazetteer_size(data_dir: Path) -> None:
    assert len(load_communes(data_dir)) == 35_357


@pytest.mark.datapack
def test_by_insee(gaz: Gazetteer) -> None:
    calais = gaz.by_insee("62193").place
    assert calais is not None and calais.nom == "Calais" and calais.departement == "62"
    assert abs(calais.lon - 1.87) < 0.1 and abs(calais.lat - 50.95) < 0.1
    assert gaz.by_insee("1001").place.nom == "L'Abergement-Clémenciat"  # leading zero restored
    assert gaz.by_insee("2a004").place.departement == "2A"
    assert gaz.by_insee("99999").problem == "unknown"


@pytest.mark.datapack
def test_by_name_is_case_and_accent_insensitive(gaz: Gazetteer) -> None:
    assert gaz.by_name("BESANCON").place.insee == "25056"
    assert gaz.by_name("st-etienne").place.insee == "42218"
    assert normalise_name("Saint-Étienne") == normalise_name("ST ETIENNE")


def test_repeated_names_are_ambiguous_until_narrowed(gaz: Gazetteer) -> None:
    found = gaz.by_name("Saint-Denis")
    assert found.place is None and found.problem == "ambiguous" and "communes match" in found.detail
    assert gaz.by_name("Saint-Denis", departement="93").place.insee == "93066"
    assert gaz.by_name("Nowhere-sur-Rien").problem == "unknown"


@pytest.mark.datapack
def test_by_postcode(gaz: Gazetteer) -> None:
    assert gaz.by_postcode("62100").place.nom == "Calais"
    shared = gaz.by_postcode("01130")
    assert shared.problem == "ambiguous"
    assert gaz.by_postcode("01130", name="nantua").place.insee == "01269"
    assert gaz.by_postcode("00000").problem == "unknown"


@pytest.mark.datapack
def test_cached_tables_are_not_shared_with_callers(data_dir: Path) -> None:
    mine = load_communes(data_dir)
    mine.loc[:, "nom"] = "changed"
    assert (
        len(load_communes(data_dir)) == 35_357
        and (load_communes(data_dir)["nom"] != "changed").all()
    )
    gaz = Gazetteer.from_data_dir(data_dir)
    theirs = gaz.communes
    theirs.loc[:, "code"] = "00000"
    assert (
        gaz.by_insee("62193").place is not None
        and Gazetteer.from_data_dir(data_dir).by_insee("62193").place is not None
    )


@pytest.mark.parametrize(
    ("written", "departement", "insee"),
    [
        ("Mans (Le)", None, "72181"),  # article after the name
        ("Havre", None, "76351"),  # article left out
        ("LA ROCHE SUR YON", None, "85191"),  # capitals, no accents, spaces
        ("L\u2019ISLE D\u2019ABEAU", None, "38193"),  # typographic apostrophes
        ("Rochelle, La", "17", "17300"),  # article after a comma, homonym settled by department
        ("St-Malo", None, "35288"),
        ("Ste-Foy-lès-Lyon", None, "69202"),
        ("Saint-Lo", "50", "50502"),
        ("Charleville Mezieres", None, "08105"),
        ("Angers (49)", None, "49007"),  # department written in the cell
        ("Lorient [56100]", None, "56121"),  # postcode written in the cell
    ],
)
@pytest.mark.datapack
def test_names_as_people_write_them(
    gaz: Gazetteer, written: str, departement: str | None, insee: str
) -> None:
    found = gaz.by_name(written, departement=departement)
    assert found.place is not None and found.place.insee == insee, found.detail
    assert found.warnings == () and found.note == ""


@pytest.mark.parametrize(
    ("written", "insee", "note"),
    [
        ("Tours (quartier Sanitas)", "37261", "quartier Sanitas"),
        ("Besançon, Planoise", "25056", "Planoise"),
        ("Poitiers (foyer ADOMA)", "86194", "foyer ADOMA"),
        ("Rouen - quartier Saint-Sever", "76540", "quartier Saint-Sever"),
        ("Château-Chinon (Ville)", "58062", ""),  # brackets that are part of the name
    ],
)
@pytest.mark.datapack
def test_qualifiers_are_kept_as_a_note(gaz: Gazetteer, written: str, insee: str, note: str) -> None:
    found = gaz.by_name(written)
    assert found.place is not None and found.place.insee == insee and found.note == note


@pytest.mark.datapack
def test_a_qualifier_that_is_a_commune_is_said(gaz: Gazetteer) -> None:
    found = gaz.by_name("Nantes (Rezé)")
    assert found.place is not None and found.place.insee == "44109"
    assert [rule for rule, _ in found.warnings] == ["qualifier-is-a-commune"]


@pytest.mark.parametrize(
    ("written", "departement", "insee", "rule", "named"),
    [
        ("Equeurdreville-Hainneville", "50", "50129", "former-commune", "Cherbourg-en-Cotentin"),
        ("Seynod", None, "74010", "former-commune", "Annecy"),
        ("SEGRE", "49", "49331", "former-commune", "Segré-en-Anjou Bleu"),
        ("Valserhone", None, "01033", "later-name", "Lancrans"),  # merged 2019: the 2018 communes
        ("Château-d'Olonne", None, "85060", "merged-since", "Les Sables-d'Olonne"),
    ],
)
@pytest.mark.datapack
def test_former_and_later_names_resolve_with_a_warning_naming_the_change(
    gaz: Gazetteer, written: str, departement: str | None, insee: str, rule: str, named: str
) -> None:
    found = gaz.by_name(written, departement=departement)
    assert found.place is not None and found.place.insee == insee
    [(got_rule, text)] = found.warnings
    assert got_rule == rule and named in text


@pytest.mark.parametrize(
    ("written", "insee", "note"),
    [
        ("Paris 18e", "75056", "Paris 18e Arrondissement"),
        ("Paris XIX", "75056", "Paris 19e Arrondissement"),
        ("Lyon 8ème", "69123", "Lyon 8e Arrondissement"),
        ("Marseille 3e arrondissement", "13055", "Marseille 3e Arrondissement"),
        ("MARSEILLE 1ER", "13055", "Marseille 1er Arrondissement"),
    ],
)
@pytest.mark.datapack
def test_municipal_arrondissements(gaz: Gazetteer, written: str, insee: str, note: str) -> None:
    found = gaz.by_name(written)
    assert found.place is not None and found.place.insee == insee and found.note == note
    nowhere = gaz.by_name("Paris 21")
    assert nowhere.place is None and "20 arrondissements" in nowhere.detail


@pytest.mark.parametrize(
    "written", ["Tours / Joué-lès-Tours", "Angers + Trélazé", "Brest - Guipavas", "Caen et Ifs"]
)
@pytest.mark.datapack
def test_two_places_in_one_cell_are_refused(gaz: Gazetteer, written: str) -> None:
    found = gaz.by_name(written)
    assert found.place is None and found.problem == "two-places" and "split the row" in found.detail


@pytest.mark.datapack
def test_a_former_commune_elsewhere_makes_a_name_ambiguous(gaz: Gazetteer) -> None:
    """Boissey is a commune of the Ain and a former commune in the Calvados: no guess without a department."""
    found = gaz.by_name("Boissey")
    assert found.place is None and found.problem == "ambiguous" and "as Boissey" in found.detail
    assert gaz.by_name("Boissey", departement="01").place.insee == "01050"
    assert gaz.by_name("Boissey", departement="14").place.insee == "14654"


@pytest.mark.datapack
def test_homonyms_settled_by_postcode_and_postcodes_cross_checked(gaz: Gazetteer) -> None:
    assert gaz.by_name("Valence").problem == "ambiguous"
    assert gaz.by_name("Valence", postcode="26000").place.insee == "26362"
    assert gaz.by_name("Saint-Denis", postcode="11310").place.insee == "11339"
    wrong = gaz.by_name("Évreux", postcode="14000")  # a unique name, another department's postcode
    assert wrong.place.insee == "27229" and [r for r, _ in wrong.warnings] == ["postcode-mismatch"]
    still = gaz.by_name("Valence", postcode="99999")
    assert still.place is None and still.problem == "ambiguous" and len(still.candidates) == 3


@pytest.mark.parametrize(
    ("written", "departement", "suggested"),
    [
        ("Calias", "62", "62193"),  # a typo
        ("Sable", "72", "72264"),  # a short form: Sablé-sur-Sarthe
        ("Alencon", "72", "61001"),  # the department is wrong
        ("Chateauroux-les-Bains", "36", "36044"),
    ],
)
@pytest.mark.datapack
def test_no_silent_guess_but_candidates(
    gaz: Gazetteer, written: str, departement: str, suggested: str
) -> None:
    found = gaz.by_name(written, departement=departement)
    assert found.place is None and found.problem == "unknown"
    assert suggested in [p.insee for p in found.candidates] and len(found.candidates) <= 3
    assert "did you mean" in found.detail


def test_candidates_stay_in_the_department(gaz: Gazetteer) -> None:
    found = gaz.by_name("Saint-Machin", departement="35")
    assert found.place is None and all(p.departement == "35" for p in found.candidates)


@pytest.mark.slow
def test_route_takes_places_by_name(data_dir: Path) -> None:
    """``abri route`` reads a commune as people write it; a name it cannot place is refused with candidates."""
    from click.testing import CliRunner

    from abri.cli import main

    runner = CliRunner()
    unknown = runner.invoke(main, ["route", "--to", "Calias (62)", "--data-dir", str(data_dir)])
    assert unknown.exit_code == 2 and "did you mean Calais (62193" in unknown.output
    two = runner.invoke(
        main, ["route", "--to", "Tours / Joué-lès-Tours", "--data-dir", str(data_dir)]
    )
    assert two.exit_code == 2 and "split the row" in two.output
    assert "Traceback" not in unknown.output + two.output
    roads = ["--roads", "hauts-de-france-roads", "--data-dir", str(data_dir)]
    done = runner.invoke(main, ["route", "--from", "Calais", "--to", "Boulogne-sur-Mer", *roads])
    assert done.exit_code == 0, done.output
    assert "--to: Boulogne-sur-Mer (62160)" in done.output and " km, " in done.output
