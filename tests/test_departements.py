from pathlib import Path

import pytest

from abri.errors import DataFileError
from abri.geo.departements import (
    LAMBERT93,
    _read_boundaries,
    load_departements,
    load_regions,
    to_lambert93,
)


def test_96_metropolitan_departements(datapack: Path) -> None:
    gdf = load_departements(datapack)
    assert list(gdf.columns) == ["code", "nom", "region", "geometry"]
    assert len(gdf) == 96 and gdf["code"].is_unique
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.is_valid.all()
    assert gdf.set_index("code").loc["62", "nom"] == "Pas-de-Calais"
    assert gdf.set_index("code").loc["62", "region"] == "32"
    assert gdf.set_index("code").loc["2A", "region"] == "94"
    assert gdf["region"].notna().all()


def test_the_data_directory_departements(data_dir: Path) -> None:
    """Whatever the coverage (mini-pack or the national pack): the columns, CRS and Pas-de-Calais."""
    gdf = load_departements(data_dir)
    assert list(gdf.columns) == ["code", "nom", "region", "geometry"]
    assert gdf["code"].is_unique and gdf.crs.to_epsg() == 4326 and gdf.geometry.is_valid.all()
    assert tuple(gdf.set_index("code").loc["62", ["nom", "region"]]) == ("Pas-de-Calais", "32")
    assert gdf["region"].notna().all()


def test_lambert93_area_of_pas_de_calais(data_dir: Path) -> None:
    l93 = to_lambert93(load_departements(data_dir, simplified=True))
    assert l93.crs == LAMBERT93
    assert 6_000 < l93.set_index("code").area["62"] / 1e6 < 7_500  # about 6,671 km2


def test_lambert93_area_of_metropolitan_france(datapack: Path) -> None:
    area_km2 = to_lambert93(load_departements(datapack, simplified=True)).area / 1e6
    assert 530_000 < area_km2.sum() < 560_000  # about 543,940 km2


def test_regions(datapack: Path) -> None:
    regions = load_regions(datapack)
    assert len(regions) == 13 and "32" in set(regions["code"])


def test_bad_boundary_file(tmp_path: Path) -> None:
    bad = tmp_path / "x.geojson"
    bad.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"nom": "a"}, '
        '"geometry": {"type": "Point", "coordinates": [1, 2]}}]}'
    )
    with pytest.raises(DataFileError, match="no 'code' column"):
        _read_boundaries(str(bad))
    garbage = tmp_path / "y.geojson"
    garbage.write_text("not json")
    with pytest.raises(DataFileError, match="cannot read"):
        _read_boundaries(str(garbage))
