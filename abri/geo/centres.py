"""Read and check a list of reception centres.

:func:`read_centres` turns a planner's file (CSV, Excel, GeoJSON,
GeoPackage) into a GeoDataFrame of points, one per centre, with the
department and region found by spatial join, and a
:class:`~abri.inputs.report.ValidationReport` listing every problem.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from abri.constants import GROUPS, ORIGIN
from abri.errors import DataFileError
from abri.files import write_frame
from abri.geo.departements import LAMBERT93, WGS84, load_departements
from abri.geo.gazetteer import Gazetteer, Lookup, normalise_name
from abri.geo.names import DepartementNames
from abri.geo.services import SERVICE_ALIASES, SERVICE_COLUMNS, check_services, type_services
from abri.inputs.limits import MAX_CAPACITY, MAX_CENTRES, check_count
from abri.inputs.readers import RawTable, map_columns, normalise_header
from abri.inputs.report import RowCheck, ValidationReport
from abri.inputs.tables import read_cells
from abri.inputs.values import (
    GROUP_ALIASES,
    clean_text,
    describe_changes,
    describe_lookalikes,
    identity_key,
    normalise_departement,
    parse_clock,
    parse_coordinate,
    parse_count,
    parse_date,
    parse_groups,
    parse_number,
)

__all__ = [
    "ALIASES",
    "GROUP_ALIASES",
    "CentreChecker",
    "map_columns",
    "normalise_departement",
    "parse_clock",
    "parse_groups",
    "parse_number",
    "read_centres",
    "write_centres",
]

#: Accepted header spellings (after :func:`normalise_header`) for each field.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "centre_id", "id_centre", "code_centre", "identifiant", "ref"),
    "name": ("name", "nom", "nom_centre", "centre", "libelle"),
    "capacity": (
        "capacity",
        "capacite",
        "places",
        "nb_places",
        "capacite_places",
        "places_disponibles",
    ),
    "lon": ("lon", "longitude", "lng", "long", "x"),
    "lat": ("lat", "latitude", "y"),
    "insee": ("insee", "code_insee", "code_commune", "codgeo", "commune_insee"),
    "postcode": ("postcode", "code_postal", "cp", "postal_code", "zip"),
    "commune": ("commune", "ville", "city", "nom_commune", "localite"),
    "type": ("type", "type_centre", "categorie", "dispositif"),
    "groups": ("groups", "groupes", "publics", "public", "accepts", "groups_accepted"),
    "departement": ("departement", "dept", "dep", "code_departement", "department"),
    "opens": ("opens", "open", "ouverture", "heure_ouverture", "reception_open", "accueil_debut"),
    "closes": ("closes", "close", "fermeture", "heure_fermeture", "reception_close", "accueil_fin"),
    "opens_on": (
        "opens_on",
        "opening_date",
        "open_from",
        "ouverture_date",
        "date_ouverture",
        "ouvert_le",
        "ouvre_le",
    ),
    **SERVICE_ALIASES,
}
TYPES = ("CAO", "CAOMI", "CADA", "HUDA", "PRAHDA", "CHU", "CHRS", "CPH", "AUTRE")
COAST_TOLERANCE_M = 2_000.0
OUTPUT_COLUMNS = [
    "id",
    "name",
    "capacity",
    "type",
    "groups",
    "insee",
    "commune",
    "commune_note",
    "departement",
    "region",
    "departement_declared",
    "opens",
    "closes",
    "opens_on",
    *SERVICE_COLUMNS,
    "lon",
    "lat",
    "row",
]


def _missing_columns(columns: dict[str, str]) -> list[str]:
    missing = [
        f"{f} (one of {', '.join(ALIASES[f])})" for f in ("id", "capacity") if f not in columns
    ]
    if not ({"lon", "lat"} <= columns.keys() or "insee" in columns or "commune" in columns):
        missing.append("a location: lon and lat, or insee, or postcode and commune")
    return missing


def _looks_like_header(cells: list[str]) -> bool:
    try:
        return not _missing_columns(map_columns([c for c in cells if c], aliases=ALIASES))
    except DataFileError:
        return True


def _check_columns(table: RawTable, columns: dict[str, str]) -> None:
    missing = _missing_columns(columns)
    if missing:
        hint = table.layout_hint(_looks_like_header)
        msg = f"{table.path}: missing column(s): {'; '.join(missing)}" + (
            f". Hint: {hint}" if hint else ""
        )
        raise DataFileError(msg)


class CentreChecker:
    """Checks centre records one by one against the gazetteer and the boundaries."""

    def __init__(
        self,
        path: str,
        columns: dict[str, str],
        gazetteer: Gazetteer,
        *,
        departements: DepartementNames | None = None,
    ) -> None:
        self.path = path
        self.columns = columns
        self.gazetteer = gazetteer
        self.departements = departements or DepartementNames({})
        self.seen_ids: dict[str, tuple[int, str, dict[str, str]]] = {}

    def col(self, field_name: str) -> str:
        """The file's own name for a canonical field."""
        return self.columns.get(field_name, field_name)

    def check(self, row: RowCheck) -> None:
        """Run every per-row rule; fills ``row.values`` and ``row.problems``."""
        self._check_id(row)
        self._check_capacity(row)
        check_services(row, self.path, self.columns)
        self._check_type_and_groups(row)
        self._check_location(row)
        self._check_hours(row)
        self._check_opening_date(row)
        declared = row.cells.get("departement", "")
        row.values["departement_declared"] = self.departements.code(declared) if declared else ""

    def _check_id(self, row: RowCheck) -> None:
        raw = row.cells.get("id", "")
        value = clean_text(raw)
        name = clean_text(row.cells.get("name", ""))
        key = identity_key(value)
        if value != raw.strip():
            row.warn(
                self.path,
                self.col("id"),
                raw,
                f"an id of visible characters (read as {value!r}; removed or replaced: "
                f"{describe_changes(raw, value)})",
                "invisible-characters",
            )
        if not value:
            row.error(self.path, self.col("id"), raw, "a non-empty centre id", "missing-id")
        elif key.upper() == ORIGIN:
            row.error(
                self.path,
                self.col("id"),
                raw,
                f"an id other than {ORIGIN!r} (it names the coaches' origin)",
                "reserved-id",
            )
        elif key in self.seen_ids:
            first, first_value, first_cells = self.seen_ids[key]
            if first_cells == row.cells:
                row.error(
                    self.path,
                    self.col("id"),
                    raw,
                    f"each centre once (the same record as row {first})",
                    "duplicate-record",
                )
            elif first_value != value:
                row.error(
                    self.path,
                    self.col("id"),
                    raw,
                    f"a unique id ({value!r} looks the same as {first_value!r} on row {first}: "
                    f"{describe_lookalikes(value + first_value)})",
                    "duplicate-id",
                )
            else:
                row.error(
                    self.path,
                    self.col("id"),
                    raw,
                    f"a unique id (already used on row {first})",
                    "duplicate-id",
                )
        else:
            self.seen_ids[key] = (row.number, value, dict(row.cells))
        if not name:
            row.warn(
                self.path,
                self.col("name"),
                name,
                "a centre name (the id is used instead)",
                "missing-name",
            )
        row.values["id"] = value
        row.values["name"] = name or value

    def _check_capacity(self, row: RowCheck) -> None:
        text = row.cells.get("capacity", "")
        column = self.col("capacity")
        try:
            number = parse_count(text) if text else None
        except ValueError:
            row.error(
                self.path,
                column,
                text,
                "a whole number of places without a separator (1000, or 1 000 for one thousand; "
                "'1.000' and '1,000' are one thousand in French and one in English)",
                "ambiguous-capacity",
            )
            return
        if not text:
            row.error(self.path, column, text, "a number of places", "missing-capacity")
        elif number is None:
            row.error(
                self.path, column, text, "a number of places (digits only)", "non-numeric-capacity"
            )
        elif number <= 0:
            row.error(self.path, column, text, "a capacity greater than 0", "capacity-not-positive")
        elif not float(number).is_integer():
            row.error(self.path, column, text, "a whole number of places", "capacity-not-whole")
        elif number > MAX_CAPACITY:
            row.error(
                self.path,
                column,
                text,
                f"at most {MAX_CAPACITY} places for one centre",
                "capacity-too-large",
            )
        else:
            row.values["capacity"] = int(number)

    def _check_type_and_groups(self, row: RowCheck) -> None:
        centre_type = row.cells.get("type", "").strip().upper() or "CAO"
        if centre_type not in TYPES:
            row.warn(
                self.path,
                self.col("type"),
                row.cells["type"],
                f"one of {', '.join(TYPES)}",
                "unknown-type",
            )
        groups, unknown = parse_groups(row.cells.get("groups", ""), centre_type)
        if unknown:
            row.warn(
                self.path,
                self.col("groups"),
                row.cells["groups"],
                f"groups among {', '.join(GROUPS)}; ignored {unknown}",
                "unknown-group",
            )
        if not groups:
            row.error(
                self.path,
                self.col("groups"),
                row.cells["groups"],
                f"at least one of {', '.join(GROUPS)}",
                "no-group",
            )
        row.values["type"] = centre_type
        row.values["groups"] = ";".join(groups)

    def _check_hours(self, row: RowCheck) -> None:
        for field_name in ("opens", "closes"):
            text = row.cells.get(field_name, "")
            value = parse_clock(text) if text else ""
            if value is None:
                row.warn(
                    self.path,
                    self.col(field_name),
                    text,
                    "a time of day like 08:30 (the scenario's default hours apply)",
                    "bad-hours",
                )
                value = ""
            row.values[field_name] = value
        opens, closes = row.text("opens"), row.text("closes")
        if opens and closes and opens >= closes:
            row.warn(
                self.path,
                self.col("closes"),
                row.cells["closes"],
                f"a closing time after the opening time {opens} (default hours apply)",
                "bad-hours",
            )
            row.values["opens"] = row.values["closes"] = ""

    def _check_opening_date(self, row: RowCheck) -> None:
        text = row.cells.get("opens_on", "").strip()
        value = parse_date(text) if text else ""
        if value is None:
            row.warn(
                self.path,
                self.col("opens_on"),
                text,
                "an opening date like 2016-10-24 or 24/10/2016 (ignored: counted as open)",
                "bad-date",
            )
            value = ""
        row.values["opens_on"] = value

    def _check_location(self, row: RowCheck) -> None:
        lon_text, lat_text = row.cells.get("lon", ""), row.cells.get("lat", "")
        if lon_text or lat_text:
            self._check_lonlat(row, lon_text, lat_text)
            return
        lookup, column, value = self._geocode(row)
        if lookup is None:
            row.error(
                self.path,
                "location",
                "",
                "lon and lat, or an INSEE code, or a postcode and commune",
                "missing-location",
            )
            return
        if lookup.place is None:
            row.error(
                self.path,
                column,
                value,
                f"a known commune ({lookup.detail})",
                f"{lookup.problem}-commune",
            )
            return
        place = lookup.place
        for rule, text in lookup.warnings:
            row.warn(
                self.path, column, value, f"the commune as the gazetteer names it ({text})", rule
            )
        row.values.update(
            lon=place.lon,
            lat=place.lat,
            insee=place.insee,
            commune=place.nom,
            commune_note=lookup.note,
        )

    def _geocode(self, row: RowCheck) -> tuple[Lookup | None, str, str]:
        """The lookup of a row's place: INSEE code, else commune name (with postcode), else postcode."""
        insee, postcode, commune = (row.cells.get(k, "") for k in ("insee", "postcode", "commune"))
        declared = row.cells.get("departement", "")
        dept = self.departements.code(declared) if declared else None
        if insee:
            return self.gazetteer.by_insee(insee), self.col("insee"), insee
        if commune:
            found = self.gazetteer.by_name(commune, departement=dept, postcode=postcode or None)
            return found, self.col("commune"), commune
        if postcode:
            return self.gazetteer.by_postcode(postcode), self.col("postcode"), postcode
        return None, "", ""

    def _check_lonlat(self, row: RowCheck, lon_text: str, lat_text: str) -> None:
        x, y = parse_number(lon_text), parse_number(lat_text)
        if x is not None and y is not None and 0 < x < 1.3e6 and 6.0e6 < y < 7.2e6:
            row.error(
                self.path,
                f"{self.col('lon')}/{self.col('lat')}",
                f"{lon_text}, {lat_text}",
                "degrees of longitude and latitude "
                "(these look like Lambert-93 metres, EPSG:2154: convert them, or give a GeoPackage or GeoJSON with its CRS)",
                "lambert-coordinates",
            )
            return
        found = {}
        for axis, text, limit, example in (
            ("lon", lon_text, 180, "2.3522"),
            ("lat", lat_text, 90, "48.8566"),
        ):
            what = "longitude" if axis == "lon" else "latitude"
            try:
                value = parse_coordinate(text, axis=axis)
            except ValueError as exc:
                why = f"; {exc}" if text else ""
                row.error(
                    self.path,
                    self.col(axis),
                    text,
                    f"a {what} in decimal degrees like {example}{why}",
                    f"{axis}-not-a-number",
                )
                continue
            if not -limit <= value <= limit:
                row.error(
                    self.path,
                    self.col(axis),
                    text,
                    f"a {what} in degrees between -{limit} and {limit}",
                    f"{axis}-out-of-range",
                )
                continue
            found[axis] = value
        if len(found) == 2:
            row.values.update(lon=found["lon"], lat=found["lat"])


def _join_departements(points: gpd.GeoDataFrame, departements: gpd.GeoDataFrame) -> pd.DataFrame:
    """Department code of each point; NaN when it lies in none (even with the coast tolerance)."""
    joined = gpd.sjoin(points, departements[["code", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    codes = joined["code"].copy()
    outside = codes.isna()
    if outside.any():
        near = gpd.sjoin_nearest(
            points[outside].to_crs(LAMBERT93),
            departements[["code", "geometry"]].to_crs(LAMBERT93),
            how="left",
            max_distance=COAST_TOLERANCE_M,
            distance_col="distance_m",
        )
        near = near[~near.index.duplicated()]
        codes[outside] = near["code"]
    return pd.DataFrame({"code": codes, "inside": ~outside}, index=points.index)


def _spatial_checks(
    rows: list[RowCheck], path: str, departements: gpd.GeoDataFrame, columns: dict[str, str]
) -> None:
    """Find each located row's department; fix swapped lon/lat; flag points outside France."""
    located = [r for r in rows if "lon" in r.values and not r.rejected]
    if not located:
        return
    lon = np.array([r.values["lon"] for r in located], dtype=float)
    lat = np.array([r.values["lat"] for r in located], dtype=float)
    join = _join_departements(
        gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=WGS84), departements
    )
    missing = np.flatnonzero(join["code"].isna().to_numpy())
    swapped = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lat[missing], lon[missing]), crs=WGS84)
    swap_join = _join_departements(swapped, departements) if len(missing) else None
    regions = departements.set_index("code")["region"].to_dict()
    codes, inside = join["code"].tolist(), join["inside"].tolist()  # lists: no pandas per row
    for i, row in enumerate(located):
        code = codes[i]
        lon_col, lat_col = columns.get("lon", "lon"), columns.get("lat", "lat")
        text = f"{row.cells.get('lon', lon[i])}, {row.cells.get('lat', lat[i])}"
        if isinstance(code, str) and not inside[i]:
            row.warn(
                path,
                f"{lon_col}/{lat_col}",
                text,
                f"a point inside a department (within {COAST_TOLERANCE_M / 1000:.0f} km of {code}, assigned to it)",
                "near-boundary",
            )
        if not isinstance(code, str):
            k = int(np.searchsorted(missing, i))
            fixed = swap_join["code"].iat[k] if swap_join is not None else None
            if isinstance(fixed, str):
                row.warn(
                    path,
                    f"{lon_col}/{lat_col}",
                    text,
                    "longitude then latitude (they look swapped; swapped back)",
                    "lonlat-swapped",
                )
                row.values["lon"], row.values["lat"] = lat[i], lon[i]
                code = fixed
            else:
                row.error(
                    path,
                    f"{lon_col}/{lat_col}",
                    text,
                    "a point inside a metropolitan French department",
                    "outside-departements",
                )
                continue
        row.values["departement"] = code
        row.values["region"] = regions.get(code, "")
        declared = row.values.get("departement_declared", "")
        if declared and declared != code:
            row.warn(
                path,
                columns.get("departement", "departement"),
                row.cells["departement"],
                f"the department the point lies in ({code})",
                "departement-mismatch",
            )


def _check_duplicates(rows: list[RowCheck], path: str, columns: dict[str, str]) -> None:
    """Warn about a centre with the same name at the same place as an earlier one but another id (kept: another centre).

    A record listed twice (the same id) is set aside by the id check.
    """
    seen: dict[tuple[str, float, float], tuple[int, str]] = {}
    for row in rows:
        if row.rejected:
            continue
        key = (
            normalise_name(identity_key(str(row.values["name"]))),
            round(row.float_value("lon"), 4),
            round(row.float_value("lat"), 4),
        )
        if key in seen:
            first, first_id = seen[key]
            row.warn(
                path,
                columns.get("name", "name"),
                str(row.values["name"]),
                f"a name not shared with another centre at the same place (row {first}, id {first_id!r}; "
                f"kept, as the id differs)",
                "same-name-and-place",
            )
        else:
            seen[key] = (row.number, str(row.values["id"]))


def read_centres(
    path: str | os.PathLike[str],
    *,
    data_dir: str | os.PathLike[str] | None = None,
    sheet: str | int = 0,
) -> tuple[gpd.GeoDataFrame, ValidationReport]:
    """Read a centre list and check every row.

    Parameters
    ----------
    path
        CSV (comma or semicolon, UTF-8 with or without BOM, Latin-1, decimal
        commas), Excel (.xlsx), GeoJSON or GeoPackage.
    data_dir
        Data directory holding the gazetteer and the boundaries.
    sheet
        Excel sheet name or index.

    Returns
    -------
    centres
        Points in EPSG:4326, one per kept row: ``id``, ``name``, ``capacity``,
        ``type``, ``groups`` (``;``-separated), ``insee``, ``commune``,
        ``departement``, ``region``, ``departement_declared``, ``lon``,
        ``lat``, ``row``, the services of :mod:`abri.geo.services` (always
        there: ``accessible_places``, ``step_free``, ``single_rooms``,
        ``interpreters``, ``home_office``, ``care_min_<kind>``, NaN when not
        given) and the file's other columns.
    report
        Every problem, and the rows set aside (``report.rejects``).

    Raises
    ------
    DataFileError
        The file cannot be read at all, or lacks required columns.
    """
    table = read_cells(path, sheet=sheet)
    file = str(path)
    columns = map_columns(list(table.frame.columns), aliases=ALIASES, path=file)
    _check_columns(table, columns)
    check_count(
        "centres", len(table.rows), MAX_CENTRES, source=file, advice="split the list by region"
    )
    gazetteer = Gazetteer.from_data_dir(data_dir)
    departements = load_departements(data_dir)
    rows = table.row_checks(columns)
    names = DepartementNames.from_pairs(zip(departements["code"], departements["nom"], strict=True))
    checker = CentreChecker(file, columns, gazetteer, departements=names)
    for row in rows:
        checker.check(row)
    _spatial_checks(rows, file, departements, columns)
    _check_duplicates(rows, file, columns)
    report = ValidationReport.from_rows(
        file, table.frame, rows, file_problems=table.file_problems()
    )
    return _centres_frame(table.frame, rows, columns), report


def _centres_frame(
    frame: pd.DataFrame, rows: list[RowCheck], columns: dict[str, str]
) -> gpd.GeoDataFrame:
    kept = [i for i, r in enumerate(rows) if not r.rejected]
    data = pd.DataFrame(
        [{**rows[i].values, "row": rows[i].number} for i in kept], columns=OUTPUT_COLUMNS
    )
    data["capacity"] = data["capacity"].astype("int64")
    type_services(data)
    for col in (
        "insee",
        "commune",
        "commune_note",
        "type",
        "groups",
        "departement_declared",
        "opens",
        "closes",
        "opens_on",
    ):
        data[col] = data[col].astype(object).fillna("").astype(str)
    own = {c for c in columns.values()}
    extras = [
        c
        for c in frame.columns
        if c not in own and not c.startswith("__") and normalise_header(c) not in OUTPUT_COLUMNS
    ]
    if extras:  # all at once: a wide file is not built column by column
        extra = frame[extras].iloc[kept].reset_index(drop=True)
        data = pd.concat(
            [
                data,
                extra.rename(
                    columns=lambda c: f"{c}_text" if normalise_header(c) == "geometry" else c
                ),
            ],
            axis=1,
        )
    geometry = gpd.points_from_xy(data["lon"].astype(float), data["lat"].astype(float))
    return gpd.GeoDataFrame(data, geometry=geometry, crs=WGS84)


def write_centres(centres: gpd.GeoDataFrame, path: str | os.PathLike[str]) -> Path:
    """Write validated centres as CSV, GeoJSON or GeoPackage (by suffix), whole or not at all."""

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return write_frame(path, pd.DataFrame(centres.drop(columns="geometry")))
    if suffix in {
        ".geojson",
        ".json",
        ".gpkg",
    }:  # a column named like GeoPackage's feature id is kept under another name
        reserved = {
            c: f"{c}_value"
            for c in centres.columns
            if suffix == ".gpkg" and str(c).lower() in ("fid", "ogc_fid")
        }
        return write_frame(path, centres.rename(columns=reserved))
    msg = f"{path}: unsupported output type {suffix!r}; expected .csv, .geojson or .gpkg"
    raise DataFileError(msg)
