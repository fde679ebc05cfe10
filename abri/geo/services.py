"""What a reception centre offers besides its places: the optional service columns of a centre file.

Every column is optional, in English or French (headers are matched after
:func:`~abri.inputs.readers.normalise_header`):

- ``accessible_places`` (``places_accessibles``, ``places_pmr``): places for
  wheelchair users, inside the capacity;
- ``step_free`` (``acces_plain_pied``): yes/no. A step-free centre without a
  count of accessible places is counted as **0** accessible places, with a
  ``missing-accessible-places`` warning: a count must be written (the planner
  knows how many rooms a wheelchair fits; abri does not guess). A count on a
  centre marked *not* step-free is also counted as 0, with a
  ``step-free-conflict`` warning: a wheelchair user is never sent on a doubt;
- ``single_rooms`` (``chambres_individuelles``), inside the capacity;
- ``interpreters`` (``interpretes``): languages, names or codes
  (:func:`abri.inputs.needs.parse_languages`);
- ``home_office`` (``entretiens_home_office``): yes/no, Home Office
  interviews (UK processing) held there;
- ``care_min_<kind>`` (``soins_min_<kind>``, kinds in English or French:
  ``urgences``, ``maternite``, ``dialyse``, ``psychiatrie``): road minutes to
  the nearest hospital giving that care. An empty cell is unknown (NaN), to
  be measured on the roads (:func:`abri.routing.care.fill_care_minutes`).

A count that is not a whole number, is negative or exceeds the capacity is
an error (the row is set aside); a yes/no or a language not understood, or
care minutes that are not a number, are warnings (the row is kept, with the
cautious value: no Home Office interviews, step-free from the count alone,
the minutes measured on the roads). Without a ``step_free`` column, a centre
is step-free when it has accessible places.
"""

from __future__ import annotations

import math

import pandas as pd

from abri.inputs.needs import CARE_KINDS, parse_languages, parse_yes_no
from abri.inputs.report import RowCheck
from abri.inputs.values import parse_count, parse_number

#: French names of the care kinds, as written in headers (after normalisation).
CARE_KIND_FR: dict[str, str] = {
    "emergency": "urgences",
    "maternity": "maternite",
    "dialysis": "dialyse",
    "psychiatry": "psychiatrie",
}
CARE_COLUMNS: tuple[str, ...] = tuple(f"care_min_{k}" for k in CARE_KINDS)
"""The centres frame's care columns, one per kind of :data:`abri.inputs.needs.CARE_KINDS`."""

SERVICE_ALIASES: dict[str, tuple[str, ...]] = {
    "accessible_places": (
        "accessible_places",
        "places_accessibles",
        "places_pmr",
        "places_ufr",
        "wheelchair_places",
    ),
    "step_free": ("step_free", "acces_plain_pied", "plain_pied"),
    "single_rooms": ("single_rooms", "chambres_individuelles", "chambres_seules"),
    "interpreters": ("interpreters", "interpretes", "interpretariat", "langues_interpretes"),
    "home_office": ("home_office", "entretiens_home_office", "home_office_interviews"),
    **{
        f"care_min_{k}": tuple(
            f"{prefix}_{name}"
            for prefix in ("care_min", "soins_min")
            for name in (k, CARE_KIND_FR[k])
        )
        for k in CARE_KINDS
    },
}
"""Accepted header spellings of each service field (merged into the centre file's aliases)."""

SERVICE_DEFAULTS: dict[str, object] = {
    "accessible_places": 0,
    "step_free": False,
    "single_rooms": 0,
    "interpreters": "",
    "home_office": False,
    **{c: math.nan for c in CARE_COLUMNS},
}
"""Each service column's value when the file does not give it."""
SERVICE_COLUMNS: tuple[str, ...] = tuple(SERVICE_DEFAULTS)
"""The service columns every validated centres frame has."""


def check_services(row: RowCheck, path: str, columns: dict[str, str]) -> None:
    """Read a centre row's service cells into ``row.values`` (defaults where absent), with its problems.

    Needs ``row.values["capacity"]`` when the capacity was read (the places
    inside it are checked against it).
    """
    row.values.update(SERVICE_DEFAULTS)
    capacity = row.values.get("capacity")
    for field_name, code in (
        ("accessible_places", "bad-accessible-places"),
        ("single_rooms", "bad-single-rooms"),
    ):
        _check_places(row, path, columns, field_name, code, capacity)
    _check_step_free(row, path, columns)
    _check_interpreters(row, path, columns)
    home = _yes_no(
        row, path, columns, "home_office", "Home Office interviews held there; read as no"
    )
    row.values["home_office"] = bool(home)
    for column in CARE_COLUMNS:
        _check_care_minutes(row, path, columns, column)


def _check_places(
    row: RowCheck,
    path: str,
    columns: dict[str, str],
    field_name: str,
    code: str,
    capacity: object,
) -> None:
    text = row.cells.get(field_name, "").strip()
    if not text:
        return
    what = field_name.replace("_", " ")
    column = columns.get(field_name, field_name)
    try:
        number = parse_count(text)
    except ValueError:
        number = None
    if number is None or isinstance(number, float) or number < 0:
        row.error(path, column, text, f"a whole number of {what}, 0 or more", code)
        return
    if isinstance(capacity, int) and number > capacity:
        row.error(path, column, text, f"{what} at most the capacity ({capacity} places)", code)
        return
    row.values[field_name] = int(number)


def _yes_no(
    row: RowCheck, path: str, columns: dict[str, str], field_name: str, what: str
) -> bool | None:
    """A yes/no cell: None when empty or not understood (then with a warning)."""
    text = row.cells.get(field_name, "").strip()
    value = parse_yes_no(text) if text else None
    if text and value is None:
        row.warn(
            path,
            columns.get(field_name, field_name),
            text,
            f"yes or no ({what})",
            "bad-yes-no",
        )
    return value


def _check_step_free(row: RowCheck, path: str, columns: dict[str, str]) -> None:
    places = int(str(row.values["accessible_places"]))
    said = _yes_no(
        row, path, columns, "step_free", "step-free access; read from the accessible places"
    )
    if said is None:
        row.values["step_free"] = places > 0
        return
    if said and not row.cells.get("accessible_places", "").strip():
        row.warn(
            path,
            columns.get("accessible_places", "accessible_places"),
            "",
            "a number of accessible places for a step-free centre (counted as 0: write how many "
            "wheelchair users it can receive)",
            "missing-accessible-places",
        )
    elif places > 0 and not said:
        row.warn(
            path,
            columns.get("step_free", "step_free"),
            row.cells["step_free"],
            f"step-free access for a centre with {places} accessible places "
            "(counted as 0 accessible places until the file says which is right)",
            "step-free-conflict",
        )
        row.values["accessible_places"] = 0
    row.values["step_free"] = said


def _check_interpreters(row: RowCheck, path: str, columns: dict[str, str]) -> None:
    text = row.cells.get("interpreters", "")
    codes, unknown = parse_languages(text)
    if unknown:
        row.warn(
            path,
            columns.get("interpreters", "interpreters"),
            text,
            f"languages abri knows, by name or code (ignored: {', '.join(unknown)})",
            "unknown-language",
        )
    row.values["interpreters"] = ";".join(codes)


def _check_care_minutes(row: RowCheck, path: str, columns: dict[str, str], column: str) -> None:
    text = row.cells.get(column, "").strip()
    if not text:
        return
    minutes = parse_number(text)
    if minutes is None or not math.isfinite(minutes) or minutes < 0:
        row.warn(
            path,
            columns.get(column, column),
            text,
            "road minutes to the nearest hospital giving this care, 0 or more "
            "(measured on the roads instead)",
            "bad-care-minutes",
        )
        return
    row.values[column] = float(minutes)


def type_services(data: pd.DataFrame) -> pd.DataFrame:
    """Give the service columns of a centres frame their types (in place; returns `data`)."""
    for column, default in SERVICE_DEFAULTS.items():
        if column not in data:
            data[column] = default
    for column in ("accessible_places", "single_rooms"):
        data[column] = data[column].fillna(0).astype("int64")
    for column in ("step_free", "home_office"):
        data[column] = data[column].fillna(False).astype(bool)
    data["interpreters"] = data["interpreters"].astype(object).fillna("").astype(str)
    for column in CARE_COLUMNS:
        data[column] = data[column].astype(float)
    return data
