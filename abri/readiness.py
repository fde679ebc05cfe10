"""Readiness: before the camp is dismantled, is there a place of the right kind for each person expected?

Demand by group and departure day comes from the people file (or from
expected counts); supply from the centre file: places, groups accepted,
department, region and opening date. The check is exact, not a ratio of
totals: the allocation's own model (groups accepted, each household in one
centre, capacity, places filled by earlier days, a centre counted from the
morning of its opening date) solved by SciPy's HiGHS MILP for the fewest
people left without a place, for everyone and for each day's people so far.

Where places are missing, a second solve lets extra places be added per
department and group, and places everyone at the least cost: coach time
from the origin, plus the preference penalty outside a person's two
preferred regions, plus a rising cost for each further block of places
asked of one department (so asks are spread). The number of extra places
stays the smallest possible; their spread is what each prefect is asked for.
Coach time is the straight line x 1.3 at 80 km/h unless a road graph is named.
The model itself is :mod:`abri.planning.readiness`.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from abri.constants import GROUPS, ORIGIN
from abri.errors import DataFileError
from abri.files import CsvDialect, atomic_dir, atomic_path, safe_frame, write_csv, write_json
from abri.geo.centres import read_centres
from abri.geo.departements import load_departements, load_regions
from abri.geo.gazetteer import load_communes
from abri.i18n import LANGS, MESSAGES
from abri.inputs.people import read_people
from abri.inputs.report import ValidationReport
from abri.inputs.scenario import DEFAULT_RULES, read_fleet_and_rules, read_label
from abri.maps.capacity import write_capacity_map
from abri.planning.operation import operation_lines, operation_table, reach
from abri.planning.readiness import (
    COACH_KMH,
    DETOUR,
    HOUSEHOLD_SIZE,
    SPREAD_HOURS,
    SPREAD_PLACES,
    TIME_LIMIT_S,
    Demand,
    Solution,
    Supply,
    demand_from_counts,
    demand_from_people,
    margins,
    parse_counts,
    solve,
    straight_time_s,
    supply_arrays,
)
from abri.routing.graph import load_graph
from abri.routing.measure import snap_and_measure
from abri.routing.profile import load_profile

__all__ = [
    "HOUSEHOLD_SIZE",
    "Demand",
    "Readiness",
    "check_readiness",
    "demand_from_counts",
    "demand_from_people",
    "extra_centres",
    "extra_places_by_departement",
    "parse_counts",
    "prefecture_rows",
    "read_prefecture_rows",
    "readiness",
    "straight_time_s",
    "write_readiness",
]


# ---------------------------------------------------------------- the result


@dataclass
class Readiness:
    """The answer: ready or not, who cannot be placed, and where how many places are missing.

    Tables (pandas): ``groups`` (people, places accepting the group, placed,
    unplaced, margin), ``days`` (people and places open by each morning,
    people of the days so far without a place), ``departements`` and
    ``regions`` (places by group accepted, extra places by group), ``extras``
    (one row per department and group: the number to ask each prefect for).
    """

    ready: bool
    groups: pd.DataFrame
    days: pd.DataFrame
    departements: pd.DataFrame
    regions: pd.DataFrame
    extras: pd.DataFrame
    exact: bool  # HiGHS proved the counts optimal
    travel: str
    source: str
    not_counted: list[str] = field(default_factory=list)  # centre ids no coach reaches
    seconds: float = 0.0
    label: str = ""
    reports: list[ValidationReport] = field(
        default_factory=list, repr=False
    )  # the centre (and people) file checks
    centres: pd.DataFrame | None = field(
        default=None, repr=False
    )  # the centres counted, for the map
    origin: tuple[float, float] | None = None
    operation: pd.DataFrame = field(
        default_factory=pd.DataFrame, repr=False
    )  # per day: people, boarding and fleet coaches, what binds, what lifts it
    reach: dict[str, int] = field(default_factory=dict)  # places by drivers' and reception hours

    @property
    def carried_short(self) -> int:
        """People the origin's boarding and the fleet cannot carry on their day."""
        return int(self.operation["short"].sum()) if len(self.operation) else 0

    def operation_lines(self) -> list[str]:
        """What limits the operation beyond places, for the command line."""
        lines = operation_lines(self.operation) if len(self.operation) else []
        if self.reach.get("places_early_slots_only"):
            lines.append(
                f"operation: {self.reach['places_early_slots_only']:,} places are reached before closing "
                "only by coaches leaving before the last slot (straight-line coach times)"
            )
        if self.reach.get("places_out_of_reach"):
            lines.append(
                f"operation: {self.reach['places_out_of_reach']:,} places are beyond one driver's hours "
                "and second drivers are off"
            )
        return lines

    @property
    def unplaced(self) -> int:
        """People who cannot be placed in the places of the centre file."""
        return int(self.groups["unplaced"].sum())

    def __repr__(self) -> str:
        people = int(self.groups["people"].sum())
        if self.ready:
            margins = ", ".join(
                f"{g} {int(m):,}"
                for g, m in self.groups["margin"].items()
                if self.groups.at[g, "people"] > 0
            )
            beyond = (
                f"; {self.carried_short:,} beyond the days' coaches" if self.carried_short else ""
            )
            return f"Readiness(READY: {people:,} people; margin {margins}{beyond})"
        short = ", ".join(f"{g} {int(n):,}" for g, n in self.groups["unplaced"].items() if n > 0)
        n = self.extras["departement"].nunique()
        return (
            f"Readiness(NOT READY: {self.unplaced:,} of {people:,} people unplaced ({short}); "
            + (f"{self.carried_short:,} beyond the days' coaches; " if self.carried_short else "")
            + f"{int(self.extras['places'].sum()):,} extra places in {n} department{'s' if n != 1 else ''})"
        )


def _areas(data_dir: str | os.PathLike[str] | None) -> tuple[pd.DataFrame, pd.Series]:

    departements = pd.DataFrame(
        load_departements(data_dir, simplified=True)[["code", "nom", "region"]]
    ).set_index("code")
    return departements, load_regions(data_dir).set_index("code")["nom"]


def _candidates(
    centres: pd.DataFrame,
    departements: pd.DataFrame,
    origin: tuple[float, float],
    data_dir: str | os.PathLike[str] | None,
) -> pd.DataFrame:
    """Departments that may be asked for places, each at its most populous commune.

    Those with a centre in the file (all if none), less the origin's own department: people are leaving it.
    """

    communes = load_communes(data_dir)
    home = communes["departement"].iat[
        int(np.argmin((communes["lon"] - origin[0]) ** 2 + (communes["lat"] - origin[1]) ** 2))
    ]
    codes = (
        set(centres["departement"].astype(str)) & set(departements.index) or set(departements.index)
    ) - {home}
    communes = communes[communes["departement"].isin(codes) & communes["population"].notna()]
    top = communes.loc[communes.groupby("departement")["population"].idxmax()]
    return pd.DataFrame(
        {
            "departement": top["departement"].to_numpy(),
            "region": top["departement"].map(departements["region"]).to_numpy(),
            "insee": top["code"].to_numpy(),
            "commune": top["nom"].to_numpy(),
            "lon": top["lon"].to_numpy(float),
            "lat": top["lat"].to_numpy(float),
        }
    )


def _travel_times(
    lon: np.ndarray,
    lat: np.ndarray,
    origin: tuple[float, float],
    roads: str | os.PathLike[str] | None,
    data_dir: str | os.PathLike[str] | None,
) -> tuple[np.ndarray, str]:
    """Coach time (s) from the origin to each point (NaN when no road reaches it), and how it was measured."""
    if roads is None:
        return straight_time_s(lon, lat, origin), f"straight line x {DETOUR} at {COACH_KMH:g} km/h"

    profile = load_profile(None)
    graph = load_graph(roads, profile=profile, data_dir=data_dir)
    points = pd.DataFrame({"id": [f"P{i}" for i in range(len(lon))], "lon": lon, "lat": lat})
    snapped, times, _ = snap_and_measure(
        graph, origin, points, profile=profile, origin_only=True, with_distance=False
    )
    out = np.array(times.loc[ORIGIN, points["id"]], dtype=float)
    out[~snapped.loc[points["id"], "reachable"].to_numpy(bool)] = np.nan
    return out, f"coach time on the roads {roads}"


def check_readiness(
    demand: Demand,
    centres: pd.DataFrame,
    *,
    origin: tuple[float, float],
    data_dir: str | os.PathLike[str] | None = None,
    penalty_hours: float = DEFAULT_RULES.preference_penalty_hours,
    roads: str | os.PathLike[str] | None = None,
    spread_places: int = SPREAD_PLACES,
    spread_hours: float = SPREAD_HOURS,
    time_limit: float = TIME_LIMIT_S,
) -> Readiness:
    """Check that `demand` can be placed in `centres`, and where places are missing.

    Parameters
    ----------
    demand
        :func:`demand_from_people` or :func:`demand_from_counts`.
    centres
        Checked centres (:func:`abri.geo.centres.read_centres`): ``id``, ``capacity``, ``groups``,
        ``departement``, ``region``, ``lon``, ``lat`` and optionally ``opens_on`` (ISO date).
    origin
        Lon/lat the coaches leave from.
    penalty_hours
        Cost of a place outside both preferred regions, in hours (the scenario's rules).
    roads
        A road set or file to time coaches on; None estimates from the straight line.
    spread_places, spread_hours
        Each further block of `spread_places` extra places in one department costs `spread_hours` more per place.
    """

    start = time.perf_counter()
    departements, region_names = _areas(data_dir)
    candidates = _candidates(centres, departements, origin, data_dir)
    times, travel = _travel_times(
        np.r_[centres["lon"].to_numpy(float), candidates["lon"].to_numpy(float)],
        np.r_[centres["lat"].to_numpy(float), candidates["lat"].to_numpy(float)],
        origin,
        roads,
        data_dir,
    )
    frame = pd.DataFrame(centres).assign(time_s=times[: len(centres)])
    candidates = (
        candidates.assign(time_s=times[len(centres) :])
        .dropna(subset=["time_s"])
        .reset_index(drop=True)
    )
    supply = supply_arrays(frame)
    days = demand.days
    solution, to_date = solve(
        demand,
        supply,
        candidates,
        penalty_s=penalty_hours * 3600,
        spread_places=spread_places,
        spread_s=spread_hours * 3600,
        time_limit=time_limit,
    )
    total, exact = sum(solution.short.values()), solution.exact
    margin = margins(demand, supply, solution, days[-1] if days else "9999")
    groups, per_day, per_dept, per_region, extras = _tables(
        demand, frame, supply, solution, margin, to_date, candidates, departements, region_names
    )
    return Readiness(
        total == 0,
        groups,
        per_day,
        per_dept,
        per_region,
        extras,
        exact=exact,
        travel=travel,
        source=demand.source,
        not_counted=list(supply.ids[~np.isfinite(supply.time_s)]),
        seconds=round(time.perf_counter() - start, 2),
        centres=centres,
        origin=origin,
    )


def _tables(
    demand: Demand,
    frame: pd.DataFrame,
    supply: Supply,
    solution: Solution,
    margins: dict[str, int],
    to_date: dict[str, int],
    candidates: pd.DataFrame,
    departements: pd.DataFrame,
    region_names: pd.Series,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    people = demand.by_day_group()
    counted = np.isfinite(supply.time_s)
    short = pd.Series(solution.short, dtype=int)
    unplaced = short.groupby(level=1).sum() if len(short) else pd.Series(dtype=int)
    groups = pd.DataFrame(index=pd.Index(list(GROUPS), name="group"))
    groups["people"] = people.sum().reindex(groups.index).fillna(0).astype(int)
    groups["households"] = 0
    groups.loc["families", "households"] = len(demand.households)
    groups["places"] = [int(supply.capacity[supply.accepts[g] & counted].sum()) for g in GROUPS]
    groups["unplaced"] = unplaced.reindex(groups.index).fillna(0).astype(int)
    groups["placed"] = groups["people"] - groups["unplaced"]
    groups["margin"] = pd.Series(margins).reindex(groups.index).fillna(0).astype(int)
    groups = groups[(groups["people"] > 0) | (groups["places"] > 0)]
    day_index = pd.Index(demand.days, name="day")
    open_places = [
        int(supply.capacity[(supply.opens_on <= d) & counted].sum()) for d in demand.days
    ]
    days = pd.DataFrame(
        {
            "people": people.sum(axis=1).reindex(day_index).fillna(0).astype(int).to_numpy(),
            "places_open": open_places,
        },
        index=day_index,
    )
    days["people_to_date"] = days["people"].cumsum()
    days["places_later"] = int(supply.capacity[counted].sum()) - days["places_open"]
    days["unplaced_to_date"] = [to_date.get(d, 0) for d in demand.days]
    days["ready"] = days["unplaced_to_date"] == 0
    days = days[
        ["people", "people_to_date", "places_open", "places_later", "unplaced_to_date", "ready"]
    ]
    extras = pd.DataFrame(
        [
            {"departement": d, "group": g, "places": n, "needed_by": day}
            for (g, d), (n, day) in solution.extras.items()
            if n > 0
        ],
        columns=["departement", "group", "places", "needed_by"],
    )
    extras = extras.merge(
        candidates[["departement", "insee", "commune"]], on="departement", how="left"
    )
    extras.insert(1, "nom", extras["departement"].map(departements["nom"]))
    extras.insert(2, "region", extras["departement"].map(departements["region"]))
    extras = extras.sort_values(
        ["departement", "group"], key=lambda s: s.map(GROUPS.index) if s.name == "group" else s
    ).reset_index(drop=True)
    live = frame[counted].assign(departement=lambda f: f["departement"].astype(str))
    per_dept = pd.DataFrame(
        {
            "centres": live.groupby("departement").size(),
            "places": live.groupby("departement")["capacity"].sum(),
        }
    )
    for g in GROUPS:
        per_dept[f"places_{g}"] = (
            pd.Series(np.where(supply.accepts[g], supply.capacity, 0)[counted], index=live.index)
            .groupby(live["departement"])
            .sum()
        )
        per_dept[f"extra_{g}"] = extras[extras["group"] == g].groupby("departement")["places"].sum()
    per_dept = (
        per_dept.reindex(per_dept.index.union(pd.Index(extras["departement"].unique())))
        .fillna(0)
        .astype(int)
    )
    per_dept["extra"] = per_dept[[f"extra_{g}" for g in GROUPS]].sum(axis=1)
    per_dept["needed_by"] = (
        extras.groupby("departement")["needed_by"].min().reindex(per_dept.index).fillna("")
    )
    per_dept.insert(0, "nom", per_dept.index.map(departements["nom"]))
    per_dept.insert(1, "region", per_dept.index.map(departements["region"]))
    per_dept.index.name = "departement"
    numeric = [c for c in per_dept.columns if c not in ("nom", "region", "needed_by")]
    regions = per_dept.groupby("region")[numeric].sum()
    regions["needed_by"] = (
        per_dept[per_dept["needed_by"] != ""]
        .groupby("region")["needed_by"]
        .min()
        .reindex(regions.index)
        .fillna("")
    )
    regions.insert(0, "nom", regions.index.map(region_names))
    return groups, days, per_dept, regions, extras


def readiness(
    scenario_dir: str | os.PathLike[str],
    *,
    expect: Mapping[str, int] | None = None,
    day: str | None = None,
    household_size: int = HOUSEHOLD_SIZE,
    roads: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    spread_places: int = SPREAD_PLACES,
    spread_hours: float = SPREAD_HOURS,
    time_limit: float = TIME_LIMIT_S,
) -> Readiness:
    """Read a scenario folder and check that everyone expected has a place of the right kind.

    Parameters
    ----------
    scenario_dir
        A scenario folder: ``centres.csv``, ``people.csv`` (unless `expect`), ``fleet.json``, ``rules.json``.
    expect
        Expected people per group (e.g. ``{"men": 4800, "families": 350}``) instead of the people file.
    day
        Departure day of the expected people (default: the first day of ``fleet.json``).
    household_size
        People per household when families are an expected count.
    roads
        Road set or file to time coaches on; None: the straight-line estimate.

    Examples
    --------
    >>> readiness("calais", data_dir="../shared/data")  # doctest: +SKIP
    Readiness(READY: 7,212 people; margin men 1,457, ...)
    """

    folder = Path(scenario_dir)
    fleet, rules = read_fleet_and_rules(folder)
    for name in ("centres.csv", *(() if expect is not None else ("people.csv",))):
        if not (folder / name).is_file():
            msg = f"{folder}: no {name}; a scenario folder holds centres.csv and people.csv (or give expected counts, --expect men=4800,...)"
            raise DataFileError(msg)
    if expect is not None:
        when = day or (fleet.days[0] if fleet.days else date.today().isoformat())
        try:
            date.fromisoformat(when)
        except ValueError:
            msg = f"day {when!r}: expected a date YYYY-MM-DD"
            raise ValueError(msg) from None
        demand = demand_from_counts(expect, day=when, household_size=household_size)
    else:
        people, people_report = read_people(
            folder / "people.csv",
            regions=set(load_communes(data_dir)["region"].unique()),
            days=fleet.days,
        )
        demand = demand_from_people(people)
    centres, centre_report = read_centres(folder / "centres.csv", data_dir=data_dir)
    result = check_readiness(
        demand,
        centres,
        origin=(fleet.origin_lon, fleet.origin_lat),
        data_dir=data_dir,
        penalty_hours=rules.preference_penalty_hours,
        roads=roads,
        spread_places=spread_places,
        spread_hours=spread_hours,
        time_limit=time_limit,
    )
    result.label = read_label(folder)[1]
    result.operation = operation_table(demand.by_day_group().sum(axis=1), fleet, rules)
    counted = centres.assign(
        time_s=straight_time_s(
            centres["lon"].to_numpy(float),
            centres["lat"].to_numpy(float),
            (fleet.origin_lon, fleet.origin_lat),
        )
    )
    result.reach = reach(counted["time_s"], counted["capacity"].astype(float), rules)
    result.reports = [centre_report] if expect is not None else [centre_report, people_report]
    return result


# ---------------------------------------------------------------- outputs

#: Headers of the suggested centre rows (aliases :func:`abri.geo.centres.read_centres` reads).
CENTRE_HEADERS = {
    "fr": (
        "id",
        "nom",
        "capacite",
        "code_insee",
        "type",
        "publics",
        "departement",
        "ouverture_date",
    ),
    "en": ("id", "name", "capacity", "insee", "type", "groups", "departement", "opens_on"),
}


def _words(lang: str) -> dict[str, str]:
    """The readiness tables' headers and words in `lang` (from the one catalogue, :data:`abri.i18n.MESSAGES`)."""
    if lang not in LANGS:
        msg = f"`lang` is {lang!r}; expected one of {', '.join(LANGS)}"
        raise ValueError(msg)
    n = LANGS.index(lang)
    return {
        key.removeprefix("readiness."): words[n]
        for key, words in MESSAGES.items()
        if key.startswith("readiness.")
    }


def _date(value: str, lang: str) -> str:
    return f"{value[8:10]}/{value[5:7]}/{value[:4]}" if lang == "fr" and len(value) == 10 else value


def _localised(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A table with its headers, group names, yes/no and dates in `lang`."""
    words = _words(lang)
    out = frame.reset_index() if frame.index.name else frame.copy()
    if "group" in out:
        out["group"] = out["group"].map(words)
    for col in ("day", "needed_by"):
        if col in out:
            out[col] = out[col].map(lambda v: _date(str(v), lang))
    if "ready" in out:
        out["ready"] = out["ready"].map({True: words["yes"], False: words["no"]})

    def header(col: str) -> str:
        for prefix, key in (("places_", "places_of"), ("extra_", "extra_of")):
            if col.startswith(prefix) and col[len(prefix) :] in GROUPS:
                return words[key].format(group=words[col[len(prefix) :]])
        return words.get(col, col)

    return out.rename(columns=header)


def extra_centres(result: Readiness, *, lang: str = "fr") -> pd.DataFrame:
    """The extra places as centre rows a planner can append to the centre file (one per department and group)."""
    words = _words(lang)
    rows = [
        (
            f"EXTRA-{r.departement}-{r.group}",
            words["extra_name"].format(group=words[r.group], nom=r.nom),
            int(r.places),
            r.insee,
            "CAOMI" if r.group == "minors" else "CAO",
            r.group,
            r.departement,
            r.needed_by,
        )
        for r in result.extras.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=list(CENTRE_HEADERS[lang]))


def prefecture_rows(result: Readiness) -> pd.DataFrame:
    """One row per department for the prefecture summaries: ``departement``, ``nom``, ``region``, ``centres``, ``places``,
    ``places_<group>`` (places accepting the group), ``extra_<group>`` and ``extra`` (places to open), ``needed_by``."""
    return result.departements.reset_index()


def read_prefecture_rows(folder: str | os.PathLike[str]) -> pd.DataFrame:
    """:func:`prefecture_rows` of a folder written by :func:`write_readiness` (``abri readiness -o``), from its readiness.json."""

    path = Path(folder) / "readiness.json"
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))["departements"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        msg = f"{path}: not a readiness summary with per-department rows ({exc}); write one with `abri readiness SCENARIO -o DIR`"
        raise DataFileError(msg) from exc
    return pd.DataFrame(rows, dtype=object).astype({c: int for c in ("centres", "places", "extra")})


def extra_places_by_departement(result: Readiness) -> pd.Series:
    """Extra places to open per department code (for a map layer); zero where none."""
    return result.departements["extra"].rename("extra_places")


def write_readiness(
    result: Readiness,
    out_dir: str | os.PathLike[str],
    *,
    lang: str = "fr",
    data_dir: str | os.PathLike[str] | None = None,
    with_map: bool = True,
) -> dict[str, Path]:
    """Write the tables (CSV and one XLSX workbook), the suggested centre rows, a JSON summary and (`with_map`) the capacity
    map with a layer of extra places by department into `out_dir`, whole or not at all."""

    words = _words(lang)
    dialect: CsvDialect = "excel-fr" if lang == "fr" else "default"
    tables = {
        "groups": result.groups,
        "days": result.days,
        "departements": result.departements,
        "regions": result.regions,
        "extras": result.extras,
    }
    out = Path(out_dir)
    names: dict[str, str] = {}
    with atomic_dir(out) as tmp:
        for key, table in tables.items():
            names[key] = write_csv(
                tmp / f"readiness-{key}.csv", _localised(table, lang), dialect=dialect
            ).name
        with (
            atomic_path(tmp / "readiness.xlsx") as path,
            pd.ExcelWriter(path, engine="openpyxl") as book,
        ):
            for key, table in tables.items():
                safe_frame(_localised(table, lang)).to_excel(
                    book, sheet_name=words[f"{key}_sheet"], index=False
                )
        names["workbook"] = "readiness.xlsx"
        names["extra_centres"] = write_csv(
            tmp / "extra-centres.csv", extra_centres(result, lang=lang), dialect=dialect
        ).name
        summary = {
            "ready": result.ready,
            "unplaced": result.unplaced,
            "extra_places": int(result.extras["places"].sum()),
            "exact": result.exact,
            "travel": result.travel,
            "demand": result.source,
            "not_counted": result.not_counted,
            "seconds": result.seconds,
            "label": result.label,
            "operation": result.operation.reset_index().to_dict("records"),
            "reach": result.reach,
            "departements": prefecture_rows(result).to_dict("records"),
        }
        names["summary"] = write_json(tmp / "readiness.json", summary).name
        if with_map and result.centres is not None:
            origin = (*result.origin, "origin") if result.origin else None
            layer = {words["map_title"]: (extra_places_by_departement(result), words["map_legend"])}
            names["map"] = write_capacity_map(
                result.centres,
                tmp / "readiness-map.html",
                data_dir=data_dir,
                origin=origin,
                extra=layer,
                label=result.label,
            )[0].name
    return {key: out / name for key, name in names.items()}
