"""Read and check a list of reception centres.

:func:`read_centres` turns a planner's file (CSV, Excel, GeoJSON,
GeoPackage) into a GeoDataFrame of points, one per centre, with the
department and region found by spatial join, and a
:class:`~abri.geo.report.ValidationReport` listing every problem.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from abri.constants import ADULT_GROUPS, GROUPS
from abri.errors import DataFileError
from abri.geo.departements import LAMBERT93, WGS84, load_departements
from abri.geo.gazetteer import Gazetteer, normalise_name
from abri.geo.readers import normalise_header, read_cells
from abri.geo.report import RowCheck, ValidationReport

#: Accepted header spellings (after :func:`normalise_header`) for each field.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "centre_id", "id_centre", "code_centre", "identifiant", "ref"),
    "name": ("name", "nom", "nom_centre", "centre", "libelle"),
    "capacity": ("capacity", "capacite", "places", "nb_places", "capacite_places", "places_disponibles"),
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
    "opens_on": ("opens_on", "opening_date", "open_from", "ouverture_date", "date_ouverture", "ouvert_le", "ouvre_le"),
}
TYPES = ("CAO", "CAOMI", "CADA", "HUDA", "PRAHDA", "CHU", "CHRS", "CPH", "AUTRE")
GROUP_ALIASES = {
    "men": "men", "hommes": "men", "homme": "men", "hommes_isoles": "men", "single_men": "men",
    "women": "women", "femmes": "women", "femme": "women",
    "families": "families", "familles": "families", "famille": "families", "family": "families",
    "minors": "minors", "mineurs": "minors", "mineur": "minors", "mna": "minors", "mie": "minors",
    "vulnerable": "vulnerable", "vulnerables": "vulnerable", "vulnerable_people": "vulnerable",
}
COAST_TOLERANCE_M = 2_000.0
OUTPUT_COLUMNS = [
    "id", "name", "capacity", "type", "groups", "insee", "commune", "departement", "region",
    "departement_declared", "opens", "closes", "opens_on", "lon", "lat", "row",
]


def map_columns(columns: list[str]) -> dict[str, str]:
    """Map canonical field names to the file's own column names."""
    found: dict[str, str] = {}
    for column in columns:
        key = normalise_header(column)
        for field_name, aliases in ALIASES.items():
            if key in aliases and field_name not in found:
                found[field_name] = column
    return found


def parse_number(text: str) -> float | None:
    """A number written ``12``, ``12.5``, ``12,5``, ``1 234,5`` or ``1.234,5``; None if not one."""
    s = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in s and "." in s:
        s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
    elif "," in s:
        s = s.replace(",", ".")
    try:
        value = float(s)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_groups(text: str, centre_type: str) -> tuple[list[str], list[str]]:
    """Groups a centre accepts (known, unknown tokens); empty means by type."""
    tokens = [normalise_header(t) for t in _split_list(text)]
    known = [GROUP_ALIASES[t] for t in tokens if t in GROUP_ALIASES]
    unknown = [t for t in tokens if t and t not in GROUP_ALIASES]
    if not tokens:
        known = ["minors"] if centre_type == "CAOMI" else list(ADULT_GROUPS)
    return sorted(set(known), key=GROUPS.index), unknown


def _split_list(text: str) -> list[str]:
    for sep in ",|/+ ":
        text = text.replace(sep, ";")
    return [t for t in text.split(";") if t.strip()]


def parse_clock(text: str) -> str | None:
    """``'8h'``, ``'08:30'``, ``'8h30'`` -> ``'08:30'``; None if not a time of day."""
    match = re.fullmatch(r"\s*(\d{1,2})\s*(?:[:hH]\s*(\d{2})?)?\s*", text)
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    return f"{hours:02d}:{minutes:02d}" if hours < 24 and minutes < 60 else None


def parse_date(text: str) -> str | None:
    """``'24/10/2016'`` or ``'2016-10-24'`` -> ``'2016-10-24'``; None if not a date."""
    from datetime import date

    match = re.fullmatch(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*", text)
    try:
        day = date(int(match.group(3)), int(match.group(2)), int(match.group(1))) if match else date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None
    return day.isoformat()


def normalise_departement(text: str) -> str:
    """``'1'`` -> ``'01'``, ``'2a'`` -> ``'2A'``."""
    s = text.strip().upper()
    return s.zfill(2) if s.isdigit() else s


def _check_columns(path: str, columns: dict[str, str]) -> None:
    missing = [f for f in ("id", "capacity") if f not in columns]
    has_location = {"lon", "lat"} <= columns.keys() or "insee" in columns or "commune" in columns
    if missing or not has_location:
        need = [f"{f} (one of {', '.join(ALIASES[f])})" for f in missing]
        if not has_location:
            need.append("a location: lon and lat, or insee, or postcode and commune")
        msg = f"{path}: missing column(s): {'; '.join(need)}"
        raise DataFileError(msg)


class CentreChecker:
    """Checks centre records one by one against the gazetteer and the boundaries."""

    def __init__(self, path: str, columns: dict[str, str], gazetteer: Gazetteer) -> None:
        self.path = path
        self.columns = columns
        self.gazetteer = gazetteer
        self.seen_ids: dict[str, int] = {}

    def col(self, field_name: str) -> str:
        """The file's own name for a canonical field."""
        return self.columns.get(field_name, field_name)

    def check(self, row: RowCheck) -> None:
        """Run every per-row rule; fills ``row.values`` and ``row.problems``."""
        self._check_id(row)
        self._check_capacity(row)
        self._check_type_and_groups(row)
        self._check_location(row)
        self._check_hours(row)
        self._check_opening_date(row)
        declared = row.cells.get("departement", "")
        row.values["departement_declared"] = normalise_departement(declared) if declared else ""

    def _check_id(self, row: RowCheck) -> None:
        value = row.cells.get("id", "")
        name = row.cells.get("name", "")
        if not value:
            row.error(self.path, self.col("id"), value, "a non-empty centre id", "missing-id")
        elif value in self.seen_ids:
            row.error(self.path, self.col("id"), value, f"a unique id (already used on row {self.seen_ids[value]})", "duplicate-id")
        else:
            self.seen_ids[value] = row.number
        if not name:
            row.warn(self.path, self.col("name"), name, "a centre name (the id is used instead)", "missing-name")
        row.values["id"] = value
        row.values["name"] = name or value

    def _check_capacity(self, row: RowCheck) -> None:
        text = row.cells.get("capacity", "")
        number = parse_number(text) if text else None
        column = self.col("capacity")
        if not text:
            row.error(self.path, column, text, "a number of places", "missing-capacity")
        elif number is None:
            row.error(self.path, column, text, "a number of places (digits only)", "non-numeric-capacity")
        elif number <= 0:
            row.error(self.path, column, text, "a capacity greater than 0", "capacity-not-positive")
        elif not float(number).is_integer():
            row.error(self.path, column, text, "a whole number of places", "capacity-not-whole")
        elif number > 100_000:
            row.error(self.path, column, text, "at most 100000 places for one centre", "capacity-too-large")
        else:
            row.values["capacity"] = int(number)

    def _check_type_and_groups(self, row: RowCheck) -> None:
        centre_type = row.cells.get("type", "").strip().upper() or "CAO"
        if centre_type not in TYPES:
            row.warn(self.path, self.col("type"), row.cells["type"], f"one of {', '.join(TYPES)}", "unknown-type")
        groups, unknown = parse_groups(row.cells.get("groups", ""), centre_type)
        if unknown:
            row.warn(self.path, self.col("groups"), row.cells["groups"], f"groups among {', '.join(GROUPS)}; ignored {unknown}", "unknown-group")
        if not groups:
            row.error(self.path, self.col("groups"), row.cells["groups"], f"at least one of {', '.join(GROUPS)}", "no-group")
        row.values["type"] = centre_type
        row.values["groups"] = ";".join(groups)

    def _check_hours(self, row: RowCheck) -> None:
        for field_name in ("opens", "closes"):
            text = row.cells.get(field_name, "")
            value = parse_clock(text) if text else ""
            if value is None:
                row.warn(self.path, self.col(field_name), text, "a time of day like 08:30 (the scenario's default hours apply)", "bad-hours")
                value = ""
            row.values[field_name] = value
        opens, closes = row.values["opens"], row.values["closes"]
        if opens and closes and opens >= closes:
            row.warn(self.path, self.col("closes"), row.cells["closes"], f"a closing time after the opening time {opens} (default hours apply)", "bad-hours")
            row.values["opens"] = row.values["closes"] = ""

    def _check_opening_date(self, row: RowCheck) -> None:
        text = row.cells.get("opens_on", "").strip()
        value = parse_date(text) if text else ""
        if value is None:
            row.warn(self.path, self.col("opens_on"), text, "an opening date like 2016-10-24 or 24/10/2016 (ignored: counted as open)", "bad-date")
            value = ""
        row.values["opens_on"] = value

    def _check_location(self, row: RowCheck) -> None:
        lon_text, lat_text = row.cells.get("lon", ""), row.cells.get("lat", "")
        if lon_text or lat_text:
            self._check_lonlat(row, lon_text, lat_text)
            return
        lookup, column, value = self._geocode(row)
        if lookup is None:
            row.error(self.path, "location", "", "lon and lat, or an INSEE code, or a postcode and commune", "missing-location")
            return
        if lookup.place is None:
            row.error(self.path, column, value, f"a known commune ({lookup.detail})", f"{lookup.problem}-commune")
            return
        place = lookup.place
        row.values.update(lon=place.lon, lat=place.lat, insee=place.insee, commune=place.nom)

    def _geocode(self, row: RowCheck):  # -> tuple[Lookup | None, str, str]
        insee, postcode, commune = (row.cells.get(k, "") for k in ("insee", "postcode", "commune"))
        dept = row.cells.get("departement", "")
        if insee:
            return self.gazetteer.by_insee(insee), self.col("insee"), insee
        if postcode:
            return self.gazetteer.by_postcode(postcode, name=commune or None), self.col("postcode"), postcode
        if commune:
            return self.gazetteer.by_name(commune, departement=dept or None), self.col("commune"), commune
        return None, "", ""

    def _check_lonlat(self, row: RowCheck, lon_text: str, lat_text: str) -> None:
        lon, lat = parse_number(lon_text), parse_number(lat_text)
        ok = True
        if lon is None or not -180 <= lon <= 180:
            row.error(self.path, self.col("lon"), lon_text, "a longitude in degrees between -180 and 180", "lon-out-of-range")
            ok = False
        if lat is None or not -90 <= lat <= 90:
            row.error(self.path, self.col("lat"), lat_text, "a latitude in degrees between -90 and 90", "lat-out-of-range")
            ok = False
        if ok:
            row.values.update(lon=lon, lat=lat)


def _join_departements(points: gpd.GeoDataFrame, departements: gpd.GeoDataFrame) -> pd.DataFrame:
    """Department code of each point; NaN when it lies in none (even with the coast tolerance)."""
    joined = gpd.sjoin(points, departements[["code", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    codes = joined["code"].copy()
    outside = codes.isna()
    if outside.any():
        near = gpd.sjoin_nearest(
            points[outside].to_crs(LAMBERT93), departements[["code", "geometry"]].to_crs(LAMBERT93),
            how="left", max_distance=COAST_TOLERANCE_M, distance_col="distance_m",
        )
        near = near[~near.index.duplicated()]
        codes[outside] = near["code"]
    return pd.DataFrame({"code": codes, "inside": ~outside}, index=points.index)


def _spatial_checks(rows: list[RowCheck], path: str, departements: gpd.GeoDataFrame, columns: dict[str, str]) -> None:
    """Find each located row's department; fix swapped lon/lat; flag points outside France."""
    located = [r for r in rows if "lon" in r.values and not r.rejected]
    if not located:
        return
    lon = np.array([r.values["lon"] for r in located], dtype=float)
    lat = np.array([r.values["lat"] for r in located], dtype=float)
    join = _join_departements(gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=WGS84), departements)
    missing = np.flatnonzero(join["code"].isna().to_numpy())
    swapped = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lat[missing], lon[missing]), crs=WGS84)
    swap_join = _join_departements(swapped, departements) if len(missing) else None
    regions = departements.set_index("code")["region"]
    for i, row in enumerate(located):
        code = join["code"].iat[i]
        lon_col, lat_col = columns.get("lon", "lon"), columns.get("lat", "lat")
        text = f"{row.cells.get('lon', lon[i])}, {row.cells.get('lat', lat[i])}"
        if isinstance(code, str) and not join["inside"].iat[i]:
            row.warn(path, f"{lon_col}/{lat_col}", text,
                     f"a point inside a department (within {COAST_TOLERANCE_M / 1000:.0f} km of {code}, assigned to it)", "near-boundary")
        if not isinstance(code, str):
            k = int(np.searchsorted(missing, i))
            fixed = swap_join["code"].iat[k] if swap_join is not None else None
            if isinstance(fixed, str):
                row.warn(path, f"{lon_col}/{lat_col}", text, "longitude then latitude (they look swapped; swapped back)", "lonlat-swapped")
                row.values["lon"], row.values["lat"] = lat[i], lon[i]
                code = fixed
            else:
                row.error(path, f"{lon_col}/{lat_col}", text, "a point inside a metropolitan French department", "outside-departements")
                continue
        row.values["departement"] = code
        row.values["region"] = regions.get(code, "")
        declared = row.values.get("departement_declared", "")
        if declared and declared != code:
            row.warn(path, columns.get("departement", "departement"), row.cells["departement"],
                     f"the department the point lies in ({code})", "departement-mismatch")


def _check_duplicates(rows: list[RowCheck], path: str, columns: dict[str, str]) -> None:
    """Set aside a centre with the same name at the same place as an earlier one."""
    seen: dict[tuple[str, float, float], int] = {}
    for row in rows:
        if row.rejected:
            continue
        key = (normalise_name(str(row.values["name"])), round(float(row.values["lon"]), 4), round(float(row.values["lat"]), 4))
        if key in seen:
            row.error(path, columns.get("name", "name"), str(row.values["name"]),
                      f"a centre not already listed (same name and place as row {seen[key]})", "duplicate-centre")
        else:
            seen[key] = row.number


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
        ``lat``, ``row`` and the file's other columns.
    report
        Every problem, and the rows set aside (``report.rejects``).

    Raises
    ------
    DataFileError
        The file cannot be read at all, or lacks required columns.
    """
    table = read_cells(path, sheet=sheet)
    file = str(path)
    columns = map_columns(list(table.frame.columns))
    _check_columns(file, columns)
    gazetteer = Gazetteer.from_data_dir(data_dir)
    departements = load_departements(data_dir)
    canonical = {f: table.frame[c].astype(str).tolist() for f, c in columns.items()}
    rows = [RowCheck(n, {f: canonical[f][i] for f in canonical}) for i, n in enumerate(table.rows)]
    checker = CentreChecker(file, columns, gazetteer)
    for row in rows:
        checker.check(row)
    _spatial_checks(rows, file, departements, columns)
    _check_duplicates(rows, file, columns)
    report = ValidationReport.from_rows(file, table.frame, rows)
    return _centres_frame(table.frame, rows, columns), report


def _centres_frame(frame: pd.DataFrame, rows: list[RowCheck], columns: dict[str, str]) -> gpd.GeoDataFrame:
    kept = [i for i, r in enumerate(rows) if not r.rejected]
    data = pd.DataFrame([{**rows[i].values, "row": rows[i].number} for i in kept], columns=OUTPUT_COLUMNS)
    data["capacity"] = data["capacity"].astype("int64")
    for col in ("insee", "commune", "type", "groups", "departement_declared", "opens", "closes", "opens_on"):
        data[col] = data[col].astype(object).fillna("").astype(str)
    own = {c for c in columns.values()}
    extras = [c for c in frame.columns if c not in own and not c.startswith("__") and normalise_header(c) not in OUTPUT_COLUMNS]
    for col in extras:
        data[col] = frame[col].iloc[kept].to_numpy() if kept else []
    geometry = gpd.points_from_xy(data["lon"].astype(float), data["lat"].astype(float))
    return gpd.GeoDataFrame(data, geometry=geometry, crs=WGS84)


def write_centres(centres: gpd.GeoDataFrame, path: str | os.PathLike[str]) -> Path:
    """Write validated centres as CSV, GeoJSON or GeoPackage (by suffix), whole or not at all."""
    from abri.files import write_frame

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return write_frame(path, pd.DataFrame(centres.drop(columns="geometry")))
    if suffix in {".geojson", ".json", ".gpkg"}:
        return write_frame(path, centres)
    msg = f"{path}: unsupported output type {suffix!r}; expected .csv, .geojson or .gpkg"
    raise DataFileError(msg)
