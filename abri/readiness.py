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
Coach time is the straight line x 1.3 at 80 km/h unless a road graph is named
(``--roads``: coach times on the roads from the origin); a ride is that time
with the rules' margin and drivers' breaks, the allocation's own estimate.

Every hard need counts (:mod:`abri.planning.readiness_needs`): a place is
counted for a person only when it is within their ride limit (group, need)
and meets their needs (accessible places, single rooms, care within its
limit, Home Office interviews); the extra places are the fewest, and of
those the fewest that must meet a need, per department, group and need.
The UK pathway, medical transfers, accessible coaches and refusals are
counted per day (:mod:`abri.planning.readiness_pathways`). Ready only when
every person has a solution meeting every hard need. The model itself is
:mod:`abri.planning.readiness`; the tables :mod:`abri.readiness_tables`,
the answer :mod:`abri.readiness_result`, the files :mod:`abri.readiness_files`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from abri.errors import DataFileError
from abri.geo.centres import read_centres
from abri.geo.departements import load_departements, load_regions
from abri.geo.gazetteer import load_communes
from abri.inputs.pathways import read_pathways
from abri.inputs.people import read_people
from abri.inputs.report import ValidationReport
from abri.inputs.scenario import DEFAULT_RULES, Fleet, Rules, read_fleet_and_rules, read_label
from abri.planning.allocation import ride_estimate_h
from abri.planning.operation import operation_table, reach
from abri.planning.readiness import (
    SPREAD_HOURS,
    SPREAD_PLACES,
    TIME_LIMIT_S,
    Sites,
    margins,
    solve,
    straight_time_s,
    supply_arrays,
)
from abri.planning.readiness_demand import (
    HOUSEHOLD_SIZE,
    Demand,
    demand_from_counts,
    demand_from_people,
    parse_counts,
)
from abri.planning.readiness_needs import (
    NeedRules,
    services_of,
)
from abri.planning.readiness_pathways import pathway_checks
from abri.readiness_files import (
    extra_centres,
    extra_places_by_departement,
    prefecture_rows,
    read_prefecture_rows,
    write_readiness,
)
from abri.readiness_reach import measured
from abri.readiness_result import Readiness
from abri.readiness_tables import area_tables, extras_table, group_tables, need_table

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


def _sites(frame: pd.DataFrame, candidates: pd.DataFrame, rules: Rules) -> Sites:
    """Where extra places may go: each department's reference town, and (for care needs) the towns of
    its centres, whose care minutes a new centre there shares."""
    towns = candidates.assign(site="")
    reached = frame[
        np.isfinite(frame["time_s"].to_numpy(float))
        & frame["departement"].astype(str).isin(set(candidates["departement"]))
    ]
    care = [c for c in reached.columns if c.startswith("care_min_")]
    centres = pd.DataFrame(
        {
            "departement": reached["departement"].astype(str).to_numpy(),
            "region": reached["region"].astype(str).to_numpy(),
            "insee": reached["insee"].astype(str).to_numpy(),
            "commune": reached["commune"].astype(str).to_numpy(),
            "time_s": reached["time_s"].to_numpy(float),
            "site": reached["id"].astype(str).to_numpy(),
            **{c: reached[c].to_numpy(float) for c in care},
        }
    )
    sites = pd.concat([towns, centres], ignore_index=True) if len(centres) else towns
    ride_h = ride_estimate_h(sites["time_s"], rules).to_numpy(float)
    return Sites(sites, services_of(sites, ride_h, rules))


def check_readiness(
    demand: Demand,
    centres: pd.DataFrame,
    *,
    origin: tuple[float, float],
    data_dir: str | os.PathLike[str] | None = None,
    rules: Rules = DEFAULT_RULES,
    penalty_hours: float | None = None,
    roads: str | os.PathLike[str] | None = None,
    spread_places: int = SPREAD_PLACES,
    spread_hours: float = SPREAD_HOURS,
    time_limit: float = TIME_LIMIT_S,
) -> Readiness:
    """Check that `demand` can be placed in `centres`, every hard need met, and where places are missing.

    Parameters
    ----------
    demand
        :func:`demand_from_people` or :func:`demand_from_counts`.
    centres
        Checked centres (:func:`abri.geo.centres.read_centres`): ``id``, ``capacity``, ``groups``,
        ``departement``, ``region``, ``lon``, ``lat``, optionally ``opens_on`` (ISO date) and the
        services (``accessible_places``, ``single_rooms``, ``home_office``, ``care_min_<kind>``).
    origin
        Lon/lat the coaches leave from.
    rules
        The scenario's rules: the preference penalty, ride limits by group and need, care limits,
        and the ride estimate (margin, breaks: :func:`abri.planning.allocation.ride_estimate_h`).
    penalty_hours
        Cost of a place outside both preferred regions, in hours (default: the rules').
    roads
        A road set or file to time coaches on; None estimates from the straight line.
    spread_places, spread_hours
        Each further block of `spread_places` extra places in one department costs `spread_hours` more per place.
    """

    start = time.perf_counter()
    departements, region_names = _areas(data_dir)
    candidates = _candidates(centres, departements, origin, data_dir)
    frame, candidates, travel = measured(
        centres, candidates, origin, roads, data_dir, care=demand.needs_care
    )
    supply = supply_arrays(frame, rules)
    sites = _sites(frame, candidates, rules)
    solution, to_date = solve(
        demand,
        supply,
        sites,
        penalty_s=(rules.preference_penalty_hours if penalty_hours is None else penalty_hours)
        * 3600,
        spread_places=spread_places,
        spread_s=spread_hours * 3600,
        time_limit=time_limit,
    )
    margin = margins(demand, supply, solution, demand.days[-1] if demand.days else "9999")
    groups, per_day = group_tables(demand, supply, solution, margin, to_date)
    extras = extras_table(solution, sites, departements)
    per_dept, per_region = area_tables(frame, supply, extras, departements, region_names)
    return Readiness(
        sum(solution.short.values()) == 0,
        groups,
        per_day,
        per_dept,
        per_region,
        extras,
        exact=solution.exact,
        travel=f"{travel}; rides with the {rules.margin_pct:g} % margin and drivers' breaks",
        source=demand.source,
        not_counted=list(supply.ids[~np.isfinite(supply.time_s)]),
        seconds=round(time.perf_counter() - start, 2),
        centres=centres,
        origin=origin,
        needs=need_table(demand, supply, solution, extras, region_names, rules),
        unresolved=sum(solution.unresolved.values()),
    )


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
    centres, centre_report = read_centres(folder / "centres.csv", data_dir=data_dir)
    reports = [centre_report]
    if expect is not None:
        demand, pathways = _expected(expect, day, household_size, fleet, rules), pd.DataFrame()
    else:
        demand, pathways, people_report = _people(folder, centres, fleet, rules, data_dir)
        reports.append(people_report)
    result = check_readiness(
        demand,
        centres,
        origin=(fleet.origin_lon, fleet.origin_lat),
        data_dir=data_dir,
        rules=rules,
        roads=roads,
        spread_places=spread_places,
        spread_hours=spread_hours,
        time_limit=time_limit,
    )
    result.pathways = pathways
    result.ready = result.ready and result.pathway_short == 0
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
    result.reports = reports
    return result


def _expected(
    expect: Mapping[str, int], day: str | None, household_size: int, fleet: Fleet, rules: Rules
) -> Demand:
    """Demand from expected counts leaving on `day` (default: the fleet's first day)."""
    when = day or (fleet.days[0] if fleet.days else date.today().isoformat())
    try:
        date.fromisoformat(when)
    except ValueError:
        msg = f"day {when!r}: expected a date YYYY-MM-DD"
        raise ValueError(msg) from None
    return demand_from_counts(
        expect, day=when, household_size=household_size, rules=NeedRules(rules)
    )


def _people(
    folder: Path,
    centres: pd.DataFrame,
    fleet: Fleet,
    rules: Rules,
    data_dir: str | os.PathLike[str] | None,
) -> tuple[Demand, pd.DataFrame, ValidationReport]:
    """Demand from the people file, routed as the allocation routes them (pathways.csv), and the pathway checks."""
    people, report = read_people(
        folder / "people.csv",
        regions=set(load_communes(data_dir)["region"].unique()),
        days=fleet.days,
    )
    need_rules = NeedRules(rules, tuple(read_pathways(folder)))
    home_office = bool(centres["home_office"].any()) if "home_office" in centres else False
    pathways, routes = pathway_checks(people, need_rules, fleet, home_office_centres=home_office)
    return demand_from_people(people, need_rules, routes=routes), pathways, report
