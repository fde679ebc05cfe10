from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon

from abri.errors import DataFileError
from abri.inputs.readers import decode_bytes, normalise_header, sniff_delimiter
from abri.inputs.tables import read_cells


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
        1,
        3,
        "column 3",
        "column 3: extra",
        "error",
        "cells-beyond-header",
    )


def test_excel(tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    pd.DataFrame({"id": ["A", "B"], "capacity": [12, 7.5], "insee": ["62193", None]}).to_excel(
        path, index=False
    )
    table = read_cells(path)
    assert table.frame["capacity"].tolist() == ["12", "7.5"]
    assert table.frame["insee"].tolist() == ["62193", ""]
    assert table.rows == [2, 3]


def test_geojson_and_gpkg_points_become_lonlat(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {"id": ["A", "B"], "capacity": [3, 4]},
        geometry=[Point(2.35, 48.85), Polygon([(0, 45), (1, 45), (1, 46)])],
        crs="EPSG:4326",
    )
    for name in ("c.geojson", "c.gpkg"):
        path = tmp_path / name
        gdf.to_file(path)
        table = read_cells(path)
        assert table.frame.loc[0, "lon"] == "2.35" and table.frame.loc[0, "lat"] == "48.85"
        assert table.frame.loc[1, "__geometry_type__"] == "Polygon"
        assert table.rows == [1, 2]


def test_geojson_in_lambert93_is_reprojected(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"id": ["A"]}, geometry=[Point(2.35, 48.85)], crs="EPSG:4326").to_crs(
        "EPSG:2154"
    )
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


def test_multi_line_records_are_numbered_by_their_first_line(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text('id,name\nA,"one\ntwo\nthree"\n\nB,b\n')
    assert read_cells(path).rows == [2, 6]


def test_excel_sep_line_sets_the_separator(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("sep=;\nid;name\nA;x,y\n")
    table = read_cells(path)
    assert table.delimiter == ";" and table.frame.loc[0, "name"] == "x,y" and table.rows == [3]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("id;nom\nA;Évreux\n".encode(encoding))
    table = read_cells(path)
    assert table.frame.loc[0, "nom"] == "Évreux" and table.encoding.startswith(encoding[:6])


def test_a_stray_byte_in_utf8_is_reported_on_its_row(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("id,name\nA,été\nB,Caf".encode() + b"\xe9\n")
    table = read_cells(path)
    assert table.encoding == "utf-8" and table.frame["name"].tolist() == ["été", "Café"]
    [note] = table.notes
    assert (note.record, note.row, note.column, note.value, note.rule) == (
        1,
        3,
        "name",
        "Café",
        "invalid-byte",
    )
    assert "byte 0xE9 on line 3" in note.expected


def test_duplicate_headers_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id,Capacity,capacity\nA,1,2\n")
    with pytest.raises(
        DataFileError, match=r"c.csv, row 1: columns 2 and 3 are both called 'capacity'"
    ):
        read_cells(path)


def test_unnamed_columns(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id,,name,\nA,kept,x,\n")
    assert list(read_cells(path).frame.columns) == ["id", "column_2", "name"]


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("c.csv", b"PK\x03\x04rest", r"zip archive.*rename it to \.xlsx"),
        ("c.csv", b"\xd0\xcf\x11\xe0rest", "old Office file"),
        ("c.xlsx", b"SQLite format 3\x00", "SQLite"),
        ("c.csv", b"id,name\nA,\x00\x01\x02\x03\n", "line 2: a NUL byte"),
    ],
)
def test_the_content_not_the_name_says_what_a_file_is(
    tmp_path: Path, name: str, content: bytes, match: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataFileError, match=match):
        read_cells(path)


def test_limits_are_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import abri.inputs.readers as readers
    import abri.inputs.tables as tables

    path = tmp_path / "c.csv"
    path.write_text("id\n" + "".join(f"{i}\n" for i in range(20)))
    monkeypatch.setattr(readers, "MAX_ROWS", 10)
    with pytest.raises(DataFileError, match=r"c.csv: 1[01] data rows; abri reads at most 10"):
        read_cells(path)
    monkeypatch.setattr(tables, "MAX_FILE_BYTES", 50)
    with pytest.raises(DataFileError, match=r"c.csv: \d+ bytes; abri reads at most 50"):
        read_cells(path)


def test_an_xlsx_that_unzips_too_big_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import abri.inputs.excel as excel

    path = tmp_path / "c.xlsx"
    pd.DataFrame({"id": range(2_000)}).to_excel(path, index=False)
    monkeypatch.setattr(excel, "MAX_UNZIPPED_BYTES", 10_000)
    with pytest.raises(DataFileError, match="bytes once unzipped; abri reads at most 10,000"):
        read_cells(path)


def test_excel_sheets_cells_and_types(tmp_path: Path) -> None:
    import datetime as dt

    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    ws = workbook.create_sheet("Centres")
    for row in (
        ["id", "day", "opens", "flag", "n"],
        ["A", dt.datetime(2016, 10, 24), dt.time(8, 30), True, 12.0],
        ["B", None, None, None, None, "beyond"],
    ):
        ws.append(row)
    ws["A100000"] = "C"  # far below: streamed, the gap costs nothing
    path = tmp_path / "c.xlsx"
    workbook.save(path)
    with pytest.raises(
        DataFileError, match="sheet 'Notes' is empty; the workbook also holds 'Centres'"
    ):
        read_cells(path)
    table = read_cells(path, sheet="Centres")
    assert (
        table.rows == [2, 3, 100000]
        and table.sheets == ["Notes", "Centres"]
        and table.sheet == "Centres"
    )
    assert table.frame.loc[0].tolist() == ["A", "2016-10-24", "08:30", "TRUE", "12"]
    assert [(n.row, n.column, n.value, n.rule, n.severity) for n in table.notes] == [
        (3, "column 6", "column 6: beyond", "cells-beyond-header", "warning")
    ]  # beside a table in a sheet: said, not an error
    assert read_cells(path, sheet=1).rows == table.rows


def test_geometry_kinds_and_properties(tmp_path: Path) -> None:
    from shapely.geometry import LineString, MultiPoint

    gdf = gpd.GeoDataFrame(
        {
            "id": ["A", "B", "C", "D", "E"],
            "lon": [5.0, None, None, 1.0, None],
            "lat": [45.0, None, None, 2.0, None],
        },
        geometry=[
            Point(1.86, 50.95),
            LineString([(2, 48), (3, 48)]),
            MultiPoint([(2, 48), (2, 48)]),
            None,
            MultiPoint([(2, 48), (3, 45)]),
        ],
        crs="EPSG:4326",
    )
    path = tmp_path / "c.geojson"
    gdf.to_file(path)
    table = read_cells(path)
    assert table.frame["lon"].tolist()[:4] == [
        "1.86",
        "2",
        "2",
        "1",
    ]  # the geometry wins; with none, the properties
    assert "lon_property" in table.frame.columns
    assert [(n.row, n.rule, n.severity) for n in table.notes] == [
        (1, "geometry-mismatch", "warning"),
        (2, "not-a-point", "warning"),
        (4, "no-geometry", "warning"),
        (5, "not-a-point", "error"),
    ]


def test_geopackage_layers_and_no_geometry(tmp_path: Path) -> None:
    import pyogrio

    path = tmp_path / "c.gpkg"
    for layer in ("a", "b"):
        gpd.GeoDataFrame({"id": [layer]}, geometry=[Point(2, 48)], crs="EPSG:4326").to_file(
            path, layer=layer
        )
    with pytest.raises(DataFileError, match=r"holds 2 layers \('a', 'b'\)"):
        read_cells(path)
    assert read_cells(path, sheet="b").frame["id"].tolist() == ["b"]
    plain = tmp_path / "plain.gpkg"
    pyogrio.write_dataframe(pd.DataFrame({"id": ["A"], "insee": ["62193"]}), plain)
    assert read_cells(plain).frame.to_dict("records") == [{"id": "A", "insee": "62193"}]


def test_wide_csv_in_time_proportional_to_its_data(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        ",".join(f"c{i}" for i in range(256))
        + "\n"
        + "\n".join(",".join("1" * 256) for _ in range(2_000))
        + "\n"
    )
    table = read_cells(path)
    assert table.frame.shape == (2_000, 256)
    path.write_text(",".join(f"c{i}" for i in range(10_000)) + "\n1\n")
    with pytest.raises(DataFileError, match="10,000 columns in the header; abri reads at most 256"):
        read_cells(path)
