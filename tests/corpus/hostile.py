"""A corpus of hostile and careless input files, and what abri must say about each.

Every case is a few small files (written by a function here, so nothing
binary is committed) and one ``abri`` command line. Run against a case, the
command must not print a traceback, must finish within the case's time,
must exit with one of the case's codes and must print each of its
fragments (the file, the row, the column, the value, what was expected).

    python3 tests/corpus/hostile.py OUT   # write every case's files into OUT/<case>/ and OUT/cases.json

``tests/test_hostile.py`` runs every case through the CLI in-process.
"""

from __future__ import annotations

import json
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

Builder = Callable[[Path], None]
CENTRES = "id,name,capacity,insee\n"
GOOD = "OK1,Good,10,62193\n"
PEOPLE = "person_id,day,group,household,pref1,pref2\n"


@dataclass(frozen=True)
class Case:
    """One hostile input: files to write, the command to run, what must come out."""

    name: str
    kind: str  # resource, value, crash, output, message
    files: dict[str, bytes | Builder]
    args: list[str]  # "{dir}" is the case's folder, "{data}" the data pack
    exits: tuple[int, ...]
    says: tuple[str, ...] = ()  # fragments the output must hold (case-sensitive)
    seconds: float = 30.0
    needs_data: bool = True
    note: str = field(default="", compare=False)


def _text(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def _xlsx(build: Callable[[object], None]) -> Builder:
    def write(path: Path) -> None:
        import openpyxl

        workbook = openpyxl.Workbook()
        build(workbook)
        workbook.save(path)

    return write


def _far_cell(workbook) -> None:  # type: ignore[no-untyped-def]
    ws = workbook.active
    for row in (["id", "capacity", "insee"], ["A", 3, "62193"]):
        ws.append(row)
    ws["XFD1048576"] = "x"


def _second_sheet(workbook) -> None:  # type: ignore[no-untyped-def]
    workbook.active.title = "Notes"
    ws = workbook.create_sheet("Centres")
    for row in (["id", "capacity", "insee"], ["A", 3, "62193"]):
        ws.append(row)


def _title_row(workbook) -> None:  # type: ignore[no-untyped-def]
    ws = workbook.active
    for row in (
        ["Centres d'accueil, octobre 2016"],
        [],
        ["id", "capacity", "insee"],
        ["A", 3, "62193"],
    ):
        ws.append(row)


def _geo(features: list[tuple[dict, dict | None]], name: str = "") -> Builder:
    def write(path: Path) -> None:
        collection = {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": p, "geometry": g} for p, g in features],
        }
        path.write_text(json.dumps(collection))

    return write


def _two_layers(path: Path) -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    for layer in ("centres", "departements"):
        gpd.GeoDataFrame(
            {"id": ["A"], "capacity": [3]}, geometry=[Point(1.86, 50.95)], crs=4326
        ).to_file(path, layer=layer)


def _no_geometry(path: Path) -> None:
    import pandas as pd
    import pyogrio

    pyogrio.write_dataframe(
        pd.DataFrame({"id": ["A"], "capacity": [3], "note": ["no location at all"]}), path
    )


def _zip_named_csv(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")


def _fifo(path: Path) -> None:
    import os

    os.mkfifo(path)


def _many_centres(count: int) -> Builder:
    def write(path: Path) -> None:
        rows = [
            f"C{i},Centre {i},5,{1.95 + (i % 75) * 0.01:.4f},{50.40 + (i // 75) * 0.0022:.4f}"  # Pas-de-Calais
            for i in range(count)
        ]
        path.write_text("id,name,capacity,lon,lat\n" + "\n".join(rows) + "\n")

    return write


def _scenario(
    fleet: object = None, rules: object = None, people: str = PEOPLE + "P1,2016-10-24,men,,,\n"
) -> dict[str, bytes | Builder]:
    files: dict[str, bytes | Builder] = {
        "s/centres.csv": _text(CENTRES + GOOD),
        "s/people.csv": _text(people),
    }
    if fleet is not None:
        files["s/fleet.json"] = _text(fleet if isinstance(fleet, str) else json.dumps(fleet))
    if rules is not None:
        files["s/rules.json"] = _text(rules if isinstance(rules, str) else json.dumps(rules))
    return files


VALIDATE = [
    "validate",
    "{dir}/c.csv",
    "-o",
    "{dir}/out/valid.csv",
    "--problems",
    "{dir}/out/problems.csv",
    "--data-dir",
    "{data}",
]
ALLOCATE = [
    "allocate",
    "{dir}/s",
    "-o",
    "{dir}/out",
    "--roads",
    "france-major-roads",
    "--data-dir",
    "{data}",
]


def validate(file: str) -> list[str]:
    """``abri validate`` on `file` of the case folder."""
    return [
        "validate",
        f"{{dir}}/{file}",
        "-o",
        "{dir}/out/valid.csv",
        "--problems",
        "{dir}/out/problems.csv",
        "--data-dir",
        "{data}",
    ]


CASES: list[Case] = [
    # --- resource exhaustion --------------------------------------------------------------------------------------
    Case(
        "xlsx-cell-at-XFD1048576",
        "resource",
        {"c.xlsx": _xlsx(_far_cell)},
        validate("c.xlsx"),
        (2,),
        ("c.xlsx", "XFD1048576", "256 columns"),
    ),
    Case(
        "csv-10000-columns",
        "resource",
        {
            "c.csv": _text(
                ",".join(f"c{i}" for i in range(10_000)) + "\n" + ",".join("1" * 10_000) + "\n"
            )
        },
        VALIDATE,
        (2,),
        ("c.csv", "row 1", "10,000 columns", "at most 256"),
    ),
    Case(
        "csv-row-of-10000-cells",
        "resource",
        {"c.csv": _text(CENTRES + GOOD + "B,b,4,62193" + ",x" * 10_000 + "\n")},
        VALIDATE,
        (0,),
        ("row 3", "cells-beyond-header", "column 5"),
    ),
    Case(
        "matrix-of-6000-centres",
        "resource",
        {"c.csv": _many_centres(6_000)},
        [
            "matrix",
            "{dir}/c.csv",
            "-o",
            "{dir}/out/m.csv",
            "--roads",
            "france-major-roads",
            "--data-dir",
            "{data}",
        ],
        (2,),
        ("c.csv", "6,001 points", "at most 5,001"),
        seconds=60,
    ),
    Case(
        "fleet-of-10-million-coaches",
        "resource",
        _scenario(fleet={"coaches_per_day": 10**7}),
        ALLOCATE,
        (2,),
        ("fleet.json", "coaches_per_day", "10000000", "10000"),
    ),
    Case(
        "fleet-json-of-2-MB",
        "resource",
        _scenario(fleet='{"seats": 55, "notes": "' + "x" * 2_000_000 + '"}'),
        ALLOCATE,
        (2,),
        ("fleet.json", "bytes", "at most 1,000,000"),
    ),
    # --- values accepted wrongly ----------------------------------------------------------------------------------
    Case(
        "capacity-1.000-and-1,000",
        "value",
        {"c.csv": _text(CENTRES + GOOD + 'A,a,1.000,62193\nB,b,"1,000",62193\n')},
        VALIDATE,
        (0,),
        ("row 3", "column 'capacity'", "got '1.000'", "row 4", "got '1,000'", "ambiguous-capacity"),
    ),
    Case(
        "utf8-with-one-stray-byte",
        "value",
        {"c.csv": CENTRES.encode() + GOOD.encode() + b"A,Caf\xe9 \xc3\xa9t\xc3\xa9,4,62193\n"},
        VALIDATE,
        (0,),
        ("row 3", "column 'name'", "byte 0xE9", "invalid-byte"),
    ),
    Case(
        "cells-beyond-the-header",
        "value",
        {"c.csv": _text(CENTRES + GOOD + "A,Centre, Nord,4,62193\n")},
        VALIDATE,
        (0,),
        ("row 3", "column 5", "cells-beyond-header", "must be quoted"),
    ),
    Case(
        "polygon-line-multipoint",
        "value",
        {
            "c.geojson": _geo(
                [
                    (
                        {"id": "P", "capacity": 4},
                        {
                            "type": "Polygon",
                            "coordinates": [[[1.9, 50.5], [2.0, 50.5], [2.0, 50.6], [1.9, 50.5]]],
                        },
                    ),
                    (
                        {"id": "L", "capacity": 4},
                        {"type": "LineString", "coordinates": [[1.9, 50.5], [2.0, 50.6]]},
                    ),
                    (
                        {"id": "M", "capacity": 4},
                        {"type": "MultiPoint", "coordinates": [[1.9, 50.5], [2.1, 50.55]]},
                    ),
                ]
            )
        },
        validate("c.geojson"),
        (0,),
        (
            "row 1",
            "Polygon",
            "representative point",
            "row 2",
            "LineString",
            "row 3",
            "MultiPoint of 2 points",
        ),
    ),
    Case(
        "geojson-lonlat-properties-disagree",
        "value",
        {
            "c.geojson": _geo(
                [
                    (
                        {"id": "A", "capacity": 4, "lon": 5.0, "lat": 45.0},
                        {"type": "Point", "coordinates": [1.8587, 50.9513]},
                    ),
                ]
            )
        },
        validate("c.geojson"),
        (0,),
        ("row 1", "column 'lon/lat'", "got '5, 45'", "geometry-mismatch", "which is used"),
    ),
    Case(
        "geopackage-with-two-layers",
        "value",
        {"c.gpkg": _two_layers},
        validate("c.gpkg"),
        (2,),
        ("c.gpkg", "2 layers", "'centres'", "'departements'", "--sheet"),
    ),
    Case(
        "ids-differing-by-invisible-characters",
        "value",
        {"c.csv": _text(CENTRES + GOOD + "OK1\u200b,Other,4,62193\n")},
        VALIDATE,
        (0,),
        ("row 3", "column 'id'", "duplicate-id", "row 2", "ZERO WIDTH SPACE"),
    ),
    Case(
        "ids-differing-by-look-alike-letters",
        "value",
        {"c.csv": _text(CENTRES + GOOD + "\u039fK1,Other,4,62193\n")},
        VALIDATE,
        (0,),
        ("row 3", "column 'id'", "duplicate-id", "GREEK CAPITAL LETTER OMICRON"),
    ),
    Case(
        "same-name-same-commune-two-ids",
        "value",
        {"c.csv": _text(CENTRES + "A,Foyer,10,62193\nB,Foyer,20,62193\n")},
        VALIDATE,
        (0,),
        ("row 3", "same-name-and-place", "warning", "2 kept"),
    ),
    Case(
        "people-file-careless-values",
        "value",
        _scenario(
            people=PEOPLE + "P1,20161024,Hommes,,,\nP2,2016-10-24,Men,,,\n"
            "P3,2016-10-24,familles,H1,,\nP4,2016-10-25,familles,H1,,\n"
            "P5\u200b,2016-10-24,men,,,\nP5,2016-10-24,men,,,\n"
        ),
        ALLOCATE,
        (0, 1),
        (
            "people.csv, row 4, column 'day'",
            "household-split-day",
            "row 5: 2016-10-25",
            "row 7, column 'person_id'",
            "duplicate-id",
            "3 rows set aside",
        ),
        seconds=60,
    ),
    Case(
        "seats-true",
        "value",
        _scenario(fleet={"seats": True}),
        ALLOCATE,
        (2,),
        ("fleet.json", "'seats' is True", "expected a int"),
    ),
    # --- output paths ---------------------------------------------------------------------------------------------
    Case(
        "rejects-equal-problems",
        "output",
        {"c.csv": _text(CENTRES + GOOD)},
        [
            "validate",
            "{dir}/c.csv",
            "--rejects",
            "{dir}/p.csv",
            "--problems",
            "{dir}/p.csv",
            "--data-dir",
            "{data}",
        ],
        (2,),
        ("--rejects", "also the file of --problems"),
    ),
    Case(
        "rejects-equal-input",
        "output",
        {"c.csv": _text(CENTRES + GOOD)},
        ["validate", "{dir}/c.csv", "--rejects", "{dir}/c.csv", "--data-dir", "{data}"],
        (2,),
        ("--rejects", "is the input file"),
    ),
    Case(
        "output-equal-input",
        "output",
        {"c.csv": _text(CENTRES + GOOD)},
        ["validate", "{dir}/c.csv", "-o", "{dir}/./c.csv", "--data-dir", "{data}"],
        (2,),
        ("--output", "is the input file"),
    ),
    Case(
        "output-folder-is-a-file",
        "output",
        {"c.csv": _text(CENTRES + GOOD), "file": b"x"},
        ["validate", "{dir}/c.csv", "-o", "{dir}/file/valid.csv", "--data-dir", "{data}"],
        (2,),
        ("--output", "is a file, not a folder"),
    ),
    Case(
        "matrix-output-unwritable",
        "output",
        {"c.csv": _text(CENTRES + GOOD), "file": b"x"},
        [
            "matrix",
            "{dir}/c.csv",
            "-o",
            "{dir}/file/m.csv",
            "--roads",
            "france-major-roads",
            "--data-dir",
            "{data}",
        ],
        (2,),
        ("--output", "is a file, not a folder"),
    ),
    Case(
        "rejects-onto-a-pipe",
        "output",
        {"c.csv": _text(CENTRES + GOOD + "B,b,x,62193\n"), "pipe.csv": _fifo},
        ["validate", "{dir}/c.csv", "--rejects", "{dir}/pipe.csv", "--data-dir", "{data}"],
        (2,),
        ("--rejects", "not a regular file"),
        note="a rename over a device (/dev/null) would replace it: refused before any work",
    ),
    # --- crashes --------------------------------------------------------------------------------------------------
    Case(
        "columns-named-fid-and-geometry-to-gpkg",
        "crash",
        {"c.csv": _text("id,capacity,insee,fid,geometry\nA,3,62193,abc,POINT (0 0)\n")},
        ["validate", "{dir}/c.csv", "-o", "{dir}/out/valid.gpkg", "--data-dir", "{data}"],
        (0,),
        ("1 centres written",),
    ),
    Case(
        "duplicate-csv-headers",
        "crash",
        {"c.csv": _text("id,capacity,capacity,insee\nA,1,2,62193\n")},
        VALIDATE,
        (2,),
        ("c.csv", "row 1", "columns 2 and 3", "'capacity'"),
    ),
    Case(
        "two-columns-for-one-field",
        "crash",
        {"c.csv": _text("id,nom,name,capacity,insee\nA,x,y,1,62193\n")},
        VALIDATE,
        (2,),
        ("c.csv", "'nom' and 'name'", "name"),
    ),
    Case(
        "geopackage-without-geometry",
        "crash",
        {"c.gpkg": _no_geometry},
        validate("c.gpkg"),
        (2,),
        ("c.gpkg", "missing column(s)", "a location"),
    ),
    Case(
        "centre-id-ORIGIN",
        "crash",
        {"c.csv": _text(CENTRES + GOOD + "ORIGIN,Camp,4,62193\n")},
        VALIDATE,
        (0,),
        ("row 3", "column 'id'", "got 'ORIGIN'", "reserved-id"),
    ),
    Case(
        "fleet-json-a-number",
        "crash",
        _scenario(fleet="60"),
        ALLOCATE,
        (2,),
        ("fleet.json", "got a JSON int", "expected an object"),
    ),
    Case(
        "fleet-json-a-string",
        "crash",
        _scenario(fleet='"big"'),
        ALLOCATE,
        (2,),
        ("fleet.json", "got a JSON str"),
    ),
    Case(
        "fleet-json-nan-origin",
        "crash",
        _scenario(fleet='{"origin_lon": NaN}'),
        ALLOCATE,
        (2,),
        ("fleet.json", "'origin_lon' is nan"),
    ),
    Case(
        "fleet-json-origin-out-of-range",
        "crash",
        _scenario(fleet={"origin_lat": 95.0}),
        ALLOCATE,
        (2,),
        ("fleet.json", "'origin_lat' is 95.0", "-90 to 90"),
    ),
    Case(
        "negative-seed",
        "crash",
        {},
        ["scenario", "calais-2016", "-o", "{dir}/s", "--seed", "-1"],
        (2,),
        ("--seed", "-1"),
        needs_data=False,
    ),
    Case(
        "negative-iterations",
        "crash",
        {},
        ["plan", "{dir}", "-o", "{dir}/p", "--iterations", "-5"],
        (2,),
        ("--iterations",),
        needs_data=False,
    ),
    Case(
        "route-from-west-of-greenwich",
        "crash",
        {},
        ["route", "--from", "-1.5536,47.2184", "--to", "1.0,1.0e400", "--roads", "nowhere"],
        (2,),
        ("--to", "1.0e400"),
        needs_data=False,
        note="the west is accepted; the absurd latitude is refused",
    ),
    Case(
        "origin-in-degrees-minutes",
        "crash",
        {},
        ["route", "--from", "1°51'E,50°57'N", "--to", "2.35°,48.85", "--roads", "nowhere"],
        (1, 2),
        ("nowhere", "no such road file"),
        needs_data=False,
    ),
    # --- messages that name the real cause ------------------------------------------------------------------------
    Case(
        "excel-sep-line",
        "message",
        {"c.csv": _text("sep=;\nid;name;capacity;insee\nA;a;4;62193\nB;b;x;62193\n")},
        VALIDATE,
        (0,),
        ("row 4", "column 'capacity'", "got 'x'"),
    ),
    Case(
        "xlsx-named-csv",
        "message",
        {"c.csv": _zip_named_csv},
        VALIDATE,
        (2,),
        ("c.csv", "zip archive", "rename it to .xlsx"),
    ),
    Case(
        "csv-named-xlsx",
        "message",
        {"c.xlsx": _text(CENTRES + GOOD)},
        validate("c.xlsx"),
        (2,),
        ("c.xlsx", "not an Excel workbook"),
    ),
    Case(
        "utf16-csv",
        "message",
        {"c.csv": _text(CENTRES + GOOD + "B,b,x,62193\n", "utf-16")},
        VALIDATE,
        (0,),
        ("row 3", "column 'capacity'", "got 'x'"),
    ),
    Case(
        "data-on-second-sheet",
        "message",
        {"c.xlsx": _xlsx(_second_sheet)},
        validate("c.xlsx"),
        (2,),
        ("c.xlsx", "sheet 'Notes' is empty", "'Centres'", "--sheet"),
    ),
    Case(
        "title-row-above-header-csv",
        "message",
        {"c.csv": _text("Centres d'accueil 2016\n\n" + CENTRES + GOOD)},
        VALIDATE,
        (2,),
        ("c.csv", "missing column(s)", "row 3 looks like the header"),
    ),
    Case(
        "title-row-above-header-xlsx",
        "message",
        {"c.xlsx": _xlsx(_title_row)},
        validate("c.xlsx"),
        (2,),
        ("c.xlsx", "row 3 looks like the header"),
    ),
    Case(
        "degree-sign",
        "message",
        {"c.csv": _text("id,capacity,lon,lat\nA,4,1.86°,50.95°\nB,4,1.86°,95°\n")},
        VALIDATE,
        (0,),
        ("row 3", "column 'lat'", "got '95°'", "between -90 and 90"),
    ),
    Case(
        "multi-line-record",
        "message",
        {"c.csv": _text(CENTRES + 'A,"Foyer\nrue\nde la Paix",4,62193\nB,b,x,62193\n')},
        VALIDATE,
        (0,),
        ("row 5", "column 'capacity'", "got 'x'"),
    ),
    Case(
        "all-rows-set-aside",
        "message",
        {"c.csv": _text(CENTRES + "A,a,x,62193\n")},
        VALIDATE,
        (1,),
        ("row 2", "non-numeric-capacity", "no centre to use"),
    ),
    Case(
        "unclosed-quote",
        "message",
        {"c.csv": _text(CENTRES + GOOD + 'A,"Foyer,4,62193\nB,b,5,62193\nC,c,6,62193\n')},
        VALIDATE,
        (0,),
        ("row 3", "unclosed-quote", "lines 3 to 5"),
    ),
    Case(
        "row-with-another-separator",
        "message",
        {"c.csv": _text("id;name;capacity;insee\nA;a;4;62193\nB,b,5,62193\n")},
        VALIDATE,
        (0,),
        ("row 3", "wrong-separator", "this row uses ','"),
    ),
    Case(
        "lambert-93-coordinates",
        "message",
        {"c.csv": _text("id,capacity,x,y\nA,4,652000,6862000\nB,4,1.86,50.95\n")},
        VALIDATE,
        (0,),
        ("row 2", "column 'x/y'", "got '652000, 6862000'", "Lambert-93"),
    ),
    Case(
        "a-device-not-a-file",
        "message",
        {},
        ["validate", "/dev/zero", "--data-dir", "{data}"],
        (2,),
        ("/dev/zero", "not a regular file"),
    ),
    Case("empty-file", "message", {"c.csv": b""}, VALIDATE, (2,), ("c.csv", "file is empty")),
    Case(
        "binary-nul-bytes",
        "message",
        {"c.csv": CENTRES.encode() + b"A,\x00\x01\x02,4,62193\n"},
        VALIDATE,
        (2,),
        ("c.csv", "NUL byte"),
    ),
]


def build(case: Case, folder: Path) -> None:
    """Write `case`'s files into `folder` (created, even for a case without files)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in case.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            content(path)


def command(case: Case, folder: Path, data_dir: Path | str) -> list[str]:
    """The case's command line with its folder and the data pack filled in."""
    return [a.replace("{dir}", str(folder)).replace("{data}", str(data_dir)) for a in case.args]


def main(out: Path) -> None:
    """Write every case into `out` and list them in ``cases.json``."""
    listed = []
    for case in CASES:
        build(case, out / case.name)
        listed.append(
            {
                "name": case.name,
                "kind": case.kind,
                "args": case.args,
                "exits": list(case.exits),
                "says": list(case.says),
            }
        )
    (out / "cases.json").write_text(json.dumps(listed, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus"))
