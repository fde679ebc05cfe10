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
