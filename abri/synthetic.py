"""The synthetic ``calais-2016`` scenario generator: a synthetic, seeded reconstruction of the operation.

Every figure comes from public sources (see DESIGN.md) and is a parameter:
about 450 reception centres (CAO) in the 11 metropolitan regions other than
Ile-de-France and Corsica, about 7,500 places, 60% of centres under 20
places, placed in real communes of the gazetteer; centres for minors
(CAOMI); 5,596 adults over three days in the 2016 queues, each naming two
preferred regions; 1,616 unaccompanied minors; 60 coaches of 55 seats a
day. People are ids and group attributes only. The output is labelled
SYNTHETIC in its ``scenario.json``, and so in every output made from it.
The scenario folder's types and reader are :mod:`abri.inputs.scenario`.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from abri.constants import CALAIS, CALAIS_NAME
from abri.files import write_csv, write_text_atomic
from abri.geo.gazetteer import load_communes
from abri.inputs.scenario import DEFAULT_FLEET, Fleet, Rules

SYNTHETIC_LABEL = "SYNTHETIC scenario calibrated on public figures of the October 2016 Calais operation; not real people or centres."
# The 11 metropolitan regions that received people (all but Ile-de-France 11 and Corsica 94).
REGIONS_2016 = ("24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93")


@dataclass(frozen=True)
class ScenarioParams:
    """Every figure of the scenario; defaults follow the public facts of 2016."""

    seed: int = 2016
    centres: int = 450
    places: int = 7_500
    small_share: float = 0.60  # share of centres with fewer than 20 places
    minor_centres: int = 70
    minor_places: int = 1_800
    adults_per_day: tuple[int, ...] = (1_918, 2_000, 1_678)  # 5,596 in three days
    days: tuple[str, ...] = ("2016-10-24", "2016-10-25", "2016-10-26")
    minors: int = 1_616
    minors_day: str = "2016-11-02"
    share_women_families: float = 0.07
    share_vulnerable: float = 0.04
    family_sizes: tuple[int, ...] = (1, 1, 2, 3, 4, 5)  # 1: a woman alone
    coaches_per_day: int = DEFAULT_FLEET.coaches_per_day
    seats: int = DEFAULT_FLEET.seats
    regions: tuple[str, ...] = REGIONS_2016
    origin_lon: float = CALAIS[0]
    origin_lat: float = CALAIS[1]


def _capacities(rng: np.random.Generator, n: int, total: int, small_share: float) -> np.ndarray:
    """`n` capacities summing to about `total`, `small_share` of them under 20."""
    n_small = round(n * small_share)
    small = rng.integers(6, 20, n_small)
    rest = max(total - small.sum(), 20 * (n - n_small))
    large = 20 + rng.dirichlet(np.full(n - n_small, 1.5)) * (rest - 20 * (n - n_small))
    caps = np.concatenate([small, np.round(large).astype(int)])
    return rng.permutation(caps)


def _place_centres(
    rng: np.random.Generator, communes: pd.DataFrame, region_of: np.ndarray, prefix: str
) -> pd.DataFrame:
    """One commune per centre, drawn in its region, weighted by the square root of population."""
    rows = []
    for region in np.unique(region_of):
        pool = communes[communes["region"] == region]
        weights = np.sqrt(pool["population"].fillna(0).to_numpy() + 1)
        count = int((region_of == region).sum())
        picks = rng.choice(len(pool), count, replace=count > len(pool), p=weights / weights.sum())
        rows.append(pool.iloc[picks])
    placed = pd.concat(rows).reset_index(drop=True)
    placed.insert(0, "id", [f"{prefix}-{i + 1:03d}" for i in range(len(placed))])
    return placed


def generate_centres(params: ScenarioParams, communes: pd.DataFrame) -> pd.DataFrame:
    """Adult centres (CAO) and centres for minors (CAOMI) as a planner's CSV would list them."""
    rng = np.random.default_rng(params.seed)
    metro = communes[communes["region"].isin(params.regions) & communes["population"].notna()]
    population = metro.groupby("region")["population"].sum()
    share = population / population.sum()
    region_of = rng.choice(share.index.to_numpy(), params.centres, p=share.to_numpy())
    adults = _place_centres(rng, metro, region_of, "CAO")
    adults["capacite"] = _capacities(rng, params.centres, params.places, params.small_share)
    draw = rng.random(params.centres)
    groups = np.where(draw < 0.14, "women;families", np.where(draw < 0.24, "men;vulnerable", "men"))
    adults["publics"] = groups
    adults["type"] = "CAO"
    minor_region = rng.choice(share.index.to_numpy(), params.minor_centres, p=share.to_numpy())
    minors = _place_centres(rng, metro, minor_region, "CAOMI")
    minors["capacite"] = _capacities(rng, params.minor_centres, params.minor_places, 0.3)
    minors["publics"] = "minors"
    minors["type"] = "CAOMI"
    out = pd.concat([adults, minors], ignore_index=True)
    out["nom"] = out["type"] + " " + out["nom"]
    out = out.rename(columns={"code": "code_insee"})
    return out[["id", "nom", "capacite", "code_insee", "type", "publics", "departement", "region"]]


def generate_people(params: ScenarioParams, centres: pd.DataFrame) -> pd.DataFrame:
    """People by id, queue group, departure day, household, and two preferred regions."""
    rng = np.random.default_rng(params.seed + 1)
    adult = centres[centres["type"] == "CAO"]
    region_places = (
        adult.groupby("region")["capacite"].sum().reindex(list(params.regions)).fillna(0)
    )
    pref_p = (region_places / region_places.sum()).to_numpy()
    rows: list[dict[str, object]] = []
    for day, count in zip(params.days, params.adults_per_day):
        n_fam = round(count * params.share_women_families)
        n_vul = round(count * params.share_vulnerable)
        placed = 0
        while placed < n_fam:  # women and families, by household
            size = int(min(rng.choice(params.family_sizes), n_fam - placed))
            household = f"H{len({r['household'] for r in rows if r['household']}) + 1:04d}"
            group = "women" if size == 1 else "families"
            prefs = rng.choice(len(params.regions), 2, replace=False, p=pref_p)
            rows += [
                {"day": day, "group": group, "household": household, "prefs": prefs}
                for _ in range(size)
            ]
            placed += size
        for group, n in (("vulnerable", n_vul), ("men", count - n_fam - n_vul)):
            for _ in range(n):
                rows.append(
                    {
                        "day": day,
                        "group": group,
                        "household": "",
                        "prefs": rng.choice(len(params.regions), 2, replace=False, p=pref_p),
                    }
                )
    people = pd.DataFrame(rows)
    people["pref1"] = [params.regions[p[0]] for p in people["prefs"]]
    people["pref2"] = [params.regions[p[1]] for p in people["prefs"]]
    minors = pd.DataFrame(
        {"day": params.minors_day, "group": "minors", "household": "", "pref1": "", "pref2": ""},
        index=range(params.minors),
    )
    people = pd.concat([people.drop(columns="prefs"), minors], ignore_index=True)
    people.insert(0, "person_id", [f"P{i + 1:05d}" for i in range(len(people))])
    return people[["person_id", "day", "group", "household", "pref1", "pref2"]]


def write_scenario(
    params: ScenarioParams,
    out_dir: str | os.PathLike[str],
    *,
    rules: Rules | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> dict[str, Path]:
    """Write ``centres.csv``, ``people.csv``, ``fleet.json``, ``rules.json``, ``scenario.json`` and a README."""
    out = Path(out_dir)
    communes = load_communes(data_dir)
    centres = generate_centres(params, communes)
    people = generate_people(params, centres)
    fleet = Fleet(
        params.coaches_per_day,
        params.seats,
        params.origin_lon,
        params.origin_lat,
        CALAIS_NAME,
        [*params.days, params.minors_day],
    )
    files = {
        "centres": write_csv(out / "centres.csv", centres, dialect="excel-fr"),
        "people": write_csv(out / "people.csv", people),
        "fleet": write_text_atomic(out / "fleet.json", json.dumps(asdict(fleet), indent=1)),
        "rules": write_text_atomic(
            out / "rules.json", json.dumps(asdict(rules or Rules()), indent=1)
        ),
        "scenario": write_text_atomic(
            out / "scenario.json",
            json.dumps(
                {"label": SYNTHETIC_LABEL, "name": "calais-2016", **asdict(params)}, indent=1
            ),
        ),
    }
    files["readme"] = write_text_atomic(
        out / "README.txt",
        f"{SYNTHETIC_LABEL}\n\nFiles: centres.csv (replace with a real list), people.csv "
        "(ids and groups only, no names), fleet.json, rules.json, scenario.json (the parameters).\n",
    )
    return files
