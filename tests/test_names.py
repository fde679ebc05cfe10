"""Place names as written: folding, articles, qualifiers, arrondissements, two places, Etalab's names."""

import pytest

from abri.geo.names import (
    DepartementNames,
    Written,
    arrondissement,
    bare,
    fold,
    names_from_etalab,
    parse_written,
    split_places,
    suggest,
)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Sainte-Mère-Église", "STE MERE EGLISE"),
        ("Saint-Jean-de-Luz", "St Jean de Luz"),
        ("L'Haÿ-les-Roses", "L\u2019HAY LES ROSES"),
        ("Œuilly", "oeuilly"),
        ("Bonnœil", "BONNOEIL"),
        ("Châlons-en-Champagne", "chalons  en champagne"),
        ("Mont-de-Marsan", "Mt-de-Marsan"),
        ("Bar-sur-Aube", "Bar s/ Aube"),
        ("Saints-Geosmes", "Sts-Geosmes"),
    ],
)
def test_fold_gives_one_key_for_every_spelling(one: str, other: str) -> None:
    assert fold(one) == fold(other)


def test_fold_keeps_what_differs() -> None:
    assert fold("Saint-Denis") != fold("Sainte-Denise")
    assert fold("Rennes/Cesson") == "rennes cesson"  # a slash between names is not "sur"
    assert fold("Stains") == "stains"  # "st" only as a word


def test_bare_takes_the_leading_article_only() -> None:
    assert bare(fold("Les Sables-d'Olonne")) == "sables d olonne"
    assert bare(fold("L'Isle-Adam")) == "isle adam"
    assert bare(fold("Lens")) == "lens" and bare(fold("Laval")) == "laval"
    assert bare(fold("Saint-Lô")) == "saint lo"


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("Mans (Le)", Written("Le Mans")),
        ("Isle-Adam (L')", Written("L'Isle-Adam")),
        ("Rochelle, La", Written("La Rochelle")),
        ("Tours (quartier Sanitas)", Written("Tours", note="quartier Sanitas")),
        ("Besançon, Planoise", Written("Besançon", note="Planoise")),
        ("Angers (49)", Written("Angers", departement="49")),
        ("Ajaccio (2a)", Written("Ajaccio", departement="2A")),
        ("Lorient [56100]", Written("Lorient", postcode="56100")),
        (
            "Ferté-Bernard (La) (foyer ADOMA)",
            Written("La Ferté-Bernard", note="foyer ADOMA"),
        ),
        ("  Metz   ", Written("Metz")),
    ],
)
def test_parse_written(cell: str, written: Written) -> None:
    assert parse_written(cell) == written


@pytest.mark.parametrize(
    ("key", "found"),
    [
        ("paris 1er", ("paris", 1)),
        ("paris 20", ("paris", 20)),
        ("marseille 2eme arrondissement", ("marseille", 2)),
        ("lyon 7e arr", ("lyon", 7)),
        ("paris xive", ("paris", 14)),
        ("8e arrondissement de lyon", ("lyon", 8)),
        ("saint etienne", None),
        ("lyon", None),
    ],
)
def test_arrondissement(key: str, found: tuple[str, int] | None) -> None:
    assert arrondissement(key) == found


def test_split_places() -> None:
    assert split_places("Tours / Joué-lès-Tours") == ["Tours", "Joué-lès-Tours"]
    assert split_places("Angers + Trélazé") == ["Angers", "Trélazé"]
    assert split_places("Caen et Hérouville") == ["Caen", "Hérouville"]
    assert split_places("Brest - Guipavas") == ["Brest", "Guipavas"]
    assert split_places("Saint-Brieuc") == ["Saint-Brieuc"]  # a hyphen does not split


def test_suggest_prefers_names_that_start_alike_then_close_ones() -> None:
    choices = {"chalon sur saone": 1, "chalons en champagne": 2, "challans": 3, "calais": 4}
    assert suggest("chalon", choices)[0] == "chalon sur saone"
    assert suggest("calias", choices) == ["calais"]
    assert suggest("zzzz", choices) == [] and suggest("", choices) == []
    assert len(suggest("chal", choices)) <= 3


def test_departement_names() -> None:
    names = DepartementNames.from_pairs([("44", "Loire-Atlantique"), ("2A", "Corse-du-Sud")])
    assert names.code("Loire Atlantique") == "44" and names.code("LOIRE-ATLANTIQUE") == "44"
    assert names.code("Maine-et-Loire (49)") == "49" and names.code("5") == "05"
    assert names.code("corse du sud") == "2A" and names.code("2b") == "2B"
    assert names.code("Atlantis") == "ATLANTIS"  # unknown: kept, and then matches no commune


def test_names_from_etalab() -> None:
    entries = [
        {"code": "76351", "nom": "Le Havre", "type": "commune-actuelle"},
        {"code": "50129", "nom": "Cherbourg-en-Cotentin", "type": "commune-actuelle"},
        {
            "code": "50129",
            "nom": "Cherbourg-Octeville",
            "type": "commune-deleguee",
            "chefLieu": "50129",
        },
        {"code": "50173", "nom": "Équeurdreville", "type": "commune-deleguee", "chefLieu": "50129"},
        {
            "code": "01033",
            "nom": "Valserhône",
            "type": "commune-actuelle",
            "anciensCodes": ["01091"],
        },
        {"code": "01033", "nom": "Bellegarde", "type": "commune-deleguee", "chefLieu": "01033"},
        {"code": "01091", "nom": "Châtillon", "type": "commune-deleguee", "chefLieu": "01033"},
        {
            "code": "69383",
            "nom": "Lyon 3e Arrondissement",
            "type": "arrondissement-municipal",
            "commune": "69123",
        },
        {"code": "69123", "nom": "Lyon", "type": "commune-actuelle"},
    ]
    polygons = {
        "76351": "Havre",
        "50129": "Cherbourg-en-Cotentin",
        "01033": "Bellegarde",
        "01091": "Châtillon",
        "69123": "Lyon",
    }
    names, others = names_from_etalab(entries, polygons)
    assert names == {**polygons, "76351": "Le Havre"}
    assert others == [
        ("01033", "Valserhône", "nom-actuel"),
        ("01091", "Valserhône", "nom-actuel"),
        ("50129", "Cherbourg-Octeville", "commune-deleguee"),
        ("50129", "Équeurdreville", "commune-deleguee"),
        ("69123", "Lyon 3e Arrondissement", "arrondissement-municipal"),
    ]


def test_long_cells_are_read_without_backtracking() -> None:
    cell = "Paris " + "1 " * 20_000
    assert arrondissement(fold(cell)) is None
    assert parse_written(cell + "(x)").note == "x"
    assert len(split_places(" / ".join(["Tours"] * 1000))) == 1000
