from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon

from abri.errors import DataFileError
from abri.geo.readers import decode_bytes, normalise_header, read_cells, sniff_delimiter


def test_csv_semicolon_latin1_decimal_comma(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("id;nom;capacité;lon;lat\nA;Évreux;12;1,15;49,02\n".encode("latin-1"))
    table = read_cells(path)
    assert table.encoding == "cp1252" and table.delimiter == ";"
    assert table.frame.loc[0, "nom"] == "Évreux" and table.frame.loc[0, "lon"] == "1,15"
    assert table.rows == [2]


def test_csv_utf8_bom_comma_and_row_numbers_skip_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("\ufeffid,name,capacity\n\nA,x,1\nB,y,2\n".encode("utf-8"))
    table = read_cells(path)
    assert list(table.frame.columns) == ["id", "name", "capacity"]
    assert table.rows == [3, 4] and table.encoding == "utf-8-sig"


def test_csv_short_and_long_rows(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id,name\nA\nB,y,extra\nC,z,,\n")
    table = read_cells(path)
    assert table.frame.loc[0, "name"] == ""
    [note] = table.notes  # trailing empty cells are no problem; a value beyond the header is
    assert (note.record, note.row, note.column, note.value, note.severity, note.rule) == (
        1, 3, "column 3", "column 3: extra", "error", "cells-beyond-header")


def test_excel(tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    pd.DataFrame({"id": ["A", "B"], "capacity": [12, 7.5], "insee": ["62193", None]}).to_excel(path, index=False)
    table = read_cells(path)
    assert table.frame["capacity"].tolist() == ["12", "7.5"]
    assert table.frame["insee"].tolist() == ["62193", ""]
    assert table.rows == [2, 3]


def test_geojson_and_gpkg_points_become_lonlat(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"id": ["A", "B"], "capacity": [3, 4]},
                           geometry=[Point(2.35, 48.85), Polygon([(0, 45), (1, 45), (1, 46)])], crs="EPSG:4326")
    for name in ("c.geojson", "c.gpkg"):
        path = tmp_path / name
        gdf.to_file(path)
        table = read_cells(path)
        assert table.frame.loc[0, "lon"] == "2.35" and table.frame.loc[0, "lat"] == "48.85"
        assert table.frame.loc[1, "__geometry_type__"] == "Polygon"
        assert table.rows == [1, 2]


def test_geojson_in_lambert93_is_reprojected(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"id": ["A"]}, geometry=[Point(2.35, 48.85)], crs="EPSG:4326").to_crs("EPSG:2154")
    gdf.to_file(tmp_path / "c.gpkg")
    table = read_cells(tmp_path / "c.gpkg")
    assert abs(float(table.frame.loc[0, "lon"]) - 2.35) < 1e-6


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("c.csv", b"", "file is empty"),
        ("c.csv", b"\n\n", "file is empty"),
        ("c.xlsx", b"not a workbook", "not an Excel workbook"),
        ("c.xlsx", b"PK\x03\x04broken", "cannot read as an Excel workbook"),
        ("c.geojson", b"{", "cannot read as GeoJSON"),
        ("c.pdf", b"%PDF", "unsupported file type '.pdf'"),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, content: bytes, match: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataFileError, match=match):
        read_cells(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="no such file"):
        read_cells(tmp_path / "absent.csv")


def test_helpers() -> None:
    assert normalise_header(" Capacité (places) ") == "capacite_places"
    assert decode_bytes("é".encode()) == ("é", "utf-8")
    assert sniff_delimiter("a;b;c\n1;2,5;3") == ";"
    assert sniff_delimiter("a\tb\n") == "\t"
