"""Read a list of hospitals and the kinds of care each gives.

The data pack's ``health/hospitals.csv`` (DREES SAE 2022 care, FINESS
points; see the pack's README) is read as it is: ``finess``, ``name``,
``lon``, ``lat``, ``geo_source`` and one 0/1 column per kind of care
(``emergency``, ``maternity``, ``dialysis``, ``psychiatry``). A site whose
``geo_source`` is ``commune`` is placed at its commune's point only (most
dialysis units): it is kept, marked ``approximate``, and its road minutes
can be off by the width of the commune.

A planner's own list is accepted too, in English or French: a name, ``lon``
and ``lat``, and the care either as yes/no columns (``urgences``,
``maternite``, ``dialyse``, ``psychiatrie``) or as words in one ``kinds``
(``soins``) cell (``dialyse; urgences``). A row without a usable point is
set aside (an error); a care word or a yes/no not understood is a warning.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from abri.errors import DataFileError
from abri.inputs.datadir import dataset_path
from abri.inputs.needs import CARE_KINDS, parse_needs, parse_yes_no
from abri.inputs.readers import map_columns
from abri.inputs.report import RowCheck, ValidationReport
from abri.inputs.tables import read_cells
from abri.inputs.values import clean_text, parse_coordinate

ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("finess", "id", "code_finess", "identifiant", "hospital_id"),
    "name": ("name", "nom", "raison_sociale", "etablissement", "hopital", "hospital"),
    "lon": ("lon", "longitude", "lng", "x"),
    "lat": ("lat", "latitude", "y"),
    "geo_source": ("geo_source",),
    "kinds": ("kinds", "care", "soins", "activites", "services"),
    "emergency": ("emergency", "urgences", "urgence"),
    "maternity": ("maternity", "maternite"),
    "dialysis": ("dialysis", "dialyse"),
    "psychiatry": ("psychiatry", "psychiatrie"),
}
"""Accepted header spellings (after normalisation) of each hospital field."""
COLUMNS = ["id", "name", "lon", "lat", *CARE_KINDS, "approximate", "geo_source", "row"]
"""The hospitals frame's columns: one bool per kind of care."""


def _check_columns(path: str, columns: dict[str, str]) -> None:
    missing = [f for f in ("lon", "lat") if f not in columns]
    if not ({"kinds", *CARE_KINDS} & columns.keys()):
        missing.append(f"the care given: {', '.join(CARE_KINDS)} (yes/no), or kinds")
    if missing:
        msg = f"{path}: missing column(s) of a hospital list: {'; '.join(missing)}"
        raise DataFileError(msg)


def _check_point(row: RowCheck, path: str, columns: dict[str, str]) -> None:
    for axis, limit in (("lon", 180), ("lat", 90)):
        text = row.cells.get(axis, "")
        what = "longitude" if axis == "lon" else "latitude"
        try:
            value = parse_coordinate(text, axis=axis)
        except ValueError as exc:
            why = f" ({exc})" if text else " (a hospital without a point cannot be routed to)"
            row.error(
                path,
                columns[axis],
                text,
                f"a {what} in decimal degrees{why}",
                f"{axis}-not-a-number",
            )
            continue
        if not -limit <= value <= limit:
            row.error(
                path,
                columns[axis],
                text,
                f"a {what} between -{limit} and {limit}",
                f"{axis}-out-of-range",
            )
            continue
        row.values[axis] = value


def _check_care(row: RowCheck, path: str, columns: dict[str, str]) -> None:
    given: set[str] = set()
    for kind in CARE_KINDS:
        text = row.cells.get(kind, "").strip()
        flag = parse_yes_no(text)
        if flag is None:
            row.warn(path, columns[kind], text, f"yes/no or 1/0 ({kind}; read as no)", "bad-yes-no")
        elif flag:
            given.add(kind)
    words = row.cells.get("kinds", "")
    tokens, unknown = parse_needs(words)
    unknown += [t for t in tokens if not t.startswith("care:")]
    given |= {t.removeprefix("care:") for t in tokens if t.startswith("care:")}
    if unknown:
        row.warn(
            path,
            columns.get("kinds", "kinds"),
            words,
            f"kinds of care among {', '.join(CARE_KINDS)} (French too; ignored: {', '.join(unknown)})",
            "unknown-care-kind",
        )
    row.values.update({kind: kind in given for kind in CARE_KINDS})


def check_hospital(row: RowCheck, path: str, columns: dict[str, str]) -> None:
    """Read one hospital row into ``row.values``, with its problems."""
    ident = clean_text(row.cells.get("id", ""))
    name = clean_text(row.cells.get("name", ""))
    if not name:
        row.warn(
            path,
            columns.get("name", "name"),
            "",
            "a hospital name (the id or row is used instead)",
            "missing-name",
        )
    row.values["id"] = ident or f"row-{row.number}"
    row.values["name"] = name or ident or f"row {row.number}"
    source = row.cells.get("geo_source", "").strip()
    row.values["geo_source"] = source
    row.values["approximate"] = source == "commune"
    _check_point(row, path, columns)
    _check_care(row, path, columns)


def read_hospitals(
    path: str | os.PathLike[str] | None = None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
) -> tuple[pd.DataFrame, ValidationReport]:
    """Read a hospital list (default: the data pack's ``health/hospitals.csv``) and check every row.

    Returns
    -------
    hospitals
        One row per kept site: ``id`` (FINESS number, else ``row-<n>``),
        ``name``, ``lon``, ``lat``, one bool per kind of
        :data:`~abri.inputs.needs.CARE_KINDS`, ``approximate`` (only the
        commune's point), ``geo_source``, ``row`` (its row in the file).
    report
        Every problem; rows without a usable point are set aside there.

    Raises
    ------
    MissingDataError
        No `path` and the data directory has no ``health/hospitals.csv``.
    DataFileError
        The file cannot be read, or has no point or no care columns.
    """
    source = dataset_path("hospitals", data_dir) if path is None else path
    table = read_cells(source)
    file = str(source)
    columns = map_columns(list(table.frame.columns), aliases=ALIASES, path=file)
    _check_columns(file, columns)
    rows = table.row_checks(columns)
    seen: dict[str, int] = {}
    for row in rows:
        check_hospital(row, file, columns)
        ident = str(row.values["id"])
        if ident in seen:
            row.warn(
                file,
                columns.get("id", "id"),
                ident,
                f"a unique id (also on row {seen[ident]}; both kept)",
                "duplicate-id",
            )
        seen.setdefault(ident, row.number)
    report = ValidationReport.from_rows(
        file, table.frame, rows, file_problems=table.file_problems()
    )
    kept = [{**r.values, "row": r.number} for r in rows if not r.rejected]
    frame = pd.DataFrame(kept, columns=COLUMNS)
    frame = frame.astype(
        {"lon": float, "lat": float, **dict.fromkeys(CARE_KINDS, bool), "approximate": bool}
    )
    frame["row"] = frame["row"].astype(np.int64)
    return frame, report
