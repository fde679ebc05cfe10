"""The synthetic ``calais-2016`` scenario generator: a synthetic, seeded reconstruction of the operation.

Every figure comes from public sources (see DESIGN.md) and is a parameter:
about 450 reception centres (CAO) in the 11 metropolitan regions other than
Ile-de-France and Corsica, about 7,500 places, 60% of centres under 20
places, placed in real communes of the gazetteer; centres for minors
(CAOMI); 5,596 adults over three days in the 2016 queues, each naming two
preferred regions; 1,616 unaccompanied minors; 60 coaches of 55 seats a
day. People are ids, group attributes and, at the rates of
:class:`ScenarioParams` (each sourced or marked assumed), needs, languages,
UK family links, disputed ages and refusals; centres get accessible places,
single rooms, interpreters and Home Office interviews; ``pathways.csv``
opens a UK and a medical pathway. These are drawn from random streams of
their own, so the people, centres and preferences are the same as without
them. The output is labelled SYNTHETIC in its ``scenario.json``, and so in
every output made from it. The scenario folder's types and reader are
:mod:`abri.inputs.scenario`.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from abri.constants import CALAIS, CALAIS_NAME
from abri.files import write_csv, write_text_atomic
from abri.geo.gazetteer import load_communes
from abri.inputs.needs import NEEDS
from abri.inputs.scenario import DEFAULT_FLEET, Fleet, Rules

SYNTHETIC_LABEL = "SYNTHETIC scenario calibrated on public figures of the October 2016 Calais operation; not real people or centres."
# The 11 metropolitan regions that received people (all but Ile-de-France 11 and Corsica 94).
# Regions of the minors' centres (CAOMI): assumed the northern half, within the minors' 12 h ride
# limit from Calais, so that the synthetic case can be ready. In 2016 some CAOMI lay further
# south; give minor_regions=REGIONS_2016 to see those rides reported as shortfalls.
MINOR_REGIONS = ("24", "27", "28", "32", "44", "52", "53")
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
    minor_regions: tuple[str, ...] = MINOR_REGIONS
    origin_lon: float = CALAIS[0]
    origin_lat: float = CALAIS[1]
    # --- Languages. First language of a household, by the camp's nationality mix (assumed from
    # the 2016 censuses of the camp's associations, which list Sudan, Afghanistan, Eritrea and
    # Ethiopia first): Sudan Arabic, Afghanistan Pashto and Dari, Eritrea Tigrinya, Ethiopia Amharic.
    languages: tuple[tuple[str, float], ...] = (
        ("ar", 0.45),
        ("ps", 0.25),
        ("prs", 0.10),
        ("ti", 0.12),
        ("am", 0.05),
        ("ur", 0.01),
        ("ku", 0.01),
        ("fa", 0.01),
    )
    share_english: float = 0.30  # of people, also speak some English (assumed)
    # --- Needs of adults: share of adults having each (assumed; at least one person when the
    # share is above zero, so the scenario shows every need).
    adult_needs: tuple[tuple[str, float], ...] = (
        ("wheelchair", 0.003),
        ("reduced-mobility", 0.01),
        ("elderly", 0.01),
        ("care:psychiatry", 0.01),
        ("care:emergency", 0.002),  # a hospital follow-up under way
        ("care:dialysis", 0.001),
        ("urgent-care", 0.001),
        ("stretcher", 0.0005),
        ("single-room", 0.002),
    )
    vulnerable_need_weight: float = 20.0  # a person of the vulnerable queue is this many times
    # likelier to have one of the needs above (assumed: that queue was for them)
    share_pregnant: float = 0.03  # of women alone and mothers (first member of a family; assumed)
    share_near_term: float = (
        0.11  # of pregnancies, near term: need a maternity (1 month of 9; assumed)
    )
    # --- Minors.
    share_uk_link: float = 550 / 1_616  # minors with family in the UK: ~550 of the 1,616 joined
    # family under Dublin III in autumn 2016 (UK Home Office statements, late 2016; ~200 more went
    # under the Dubs amendment, without a family link, and are not drawn)
    uk_towns: tuple[str, ...] = (  # towns of the family (assumed)
        "London",
        "Birmingham",
        "Manchester",
        "Leeds",
        "Sheffield",
        "Bradford",
        "Leicester",
        "Coventry",
        "Cardiff",
        "Glasgow",
    )
    share_age_disputed: float = 0.05  # of minors, an age disputed (assumed)
    share_refusal: float = 0.01  # of households and people alone, refuse the coach (assumed;
    # refusals happened: issue 23 reports a coach to the Indre on which 11 of 45 refused)
    refusal_reasons: tuple[str, ...] = (  # assumed
        "souhaite rester près de Calais",
        "veut rejoindre le Royaume-Uni",
        "refuse la région proposée",
        "attend un proche encore dans le camp",
    )
    # --- Centres' services (assumed).
    share_accessible_centres: float = 0.15  # of adult centres, with 1 to 4 accessible places; the
    # larger a centre, the likelier (a holiday centre or a hostel more than a flat); assumed
    share_single_room_centres: float = 0.10  # of adult centres, with 1 to 4 single rooms
    share_interpreter_centres: float = 0.30  # of all centres, interpreters of 1 or 2 languages
    share_home_office_centres: float = 20 / 70  # of minors' centres, Home Office interviews (the
    # Home Office interviewed minors in the CAOMI in Nov. 2016; the count of centres is assumed)
    # --- Fleet and pathways (assumed).
    accessible_coaches_per_day: int = 6  # of the coaches, with a lift and wheelchair places
    uk_quota_per_day: int = 100  # UK direct transfers a day, on the minors' day and the next
    uk_days: int = 3  # days of the UK direct pathway, from the minors' day
    medical_quota_per_day: int = 10  # medical transfers a day


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
    near = share[share.index.isin(params.minor_regions)]
    minor_region = rng.choice(
        near.index.to_numpy(), params.minor_centres, p=(near / near.sum()).to_numpy()
    )
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


def _pick(rng: np.random.Generator, count: int, weights: np.ndarray) -> np.ndarray:
    """`count` distinct indices drawn with `weights` (all of them when there are fewer)."""
    count = min(count, int((weights > 0).sum()))
    return rng.choice(len(weights), count, replace=False, p=weights / weights.sum())


def _count(share: float, pool: int) -> int:
    """How many of `pool` have a feature of `share`: at least one when the share is above zero."""
    return max(round(share * pool), 1) if share > 0 and pool > 0 else 0


def _draw_languages(rng: np.random.Generator, params: ScenarioParams, n: int) -> list[str]:
    codes = [code for code, _ in params.languages]
    shares = np.array([share for _, share in params.languages])
    return list(rng.choice(codes, n, p=shares / shares.sum()))


def add_centre_services(params: ScenarioParams, centres: pd.DataFrame) -> pd.DataFrame:
    """`centres` with accessible places, single rooms, interpreters and Home Office interviews (French headers)."""
    rng = np.random.default_rng(params.seed + 7)  # a stream of its own: the centres stay the same
    out = centres.copy()
    adult = (out["type"] == "CAO").to_numpy()
    capacity = out["capacite"].to_numpy()
    for column, share in (
        ("places_accessibles", params.share_accessible_centres),
        ("chambres_individuelles", params.share_single_room_centres),
    ):
        counts = np.zeros(len(out), dtype=int)
        chosen = _pick(rng, _count(share, int(adult.sum())), adult * np.sqrt(capacity))
        counts[chosen] = np.minimum(rng.integers(1, 5, len(chosen)), capacity[chosen])
        out[column] = counts
    interpreters = [""] * len(out)
    for i in _pick(rng, _count(params.share_interpreter_centres, len(out)), np.ones(len(out))):
        spoken = dict.fromkeys(_draw_languages(rng, params, int(rng.integers(1, 3))))
        interpreters[i] = ";".join(spoken)
    out["interpretes"] = interpreters
    minor = (out["type"] == "CAOMI").to_numpy()
    home_office = np.zeros(len(out), dtype=bool)
    home_office[
        _pick(rng, _count(params.share_home_office_centres, int(minor.sum())), minor.astype(float))
    ] = True
    out["entretiens_home_office"] = np.where(home_office, "oui", "non")
    return out


def _units(people: pd.DataFrame) -> pd.Series:
    """The travelling unit of each person: the household, else the person."""
    return people["household"].where(people["household"] != "", people["person_id"])


def add_person_needs(params: ScenarioParams, people: pd.DataFrame) -> pd.DataFrame:
    """`people` with needs, languages, family links, disputed ages and refusals (English headers)."""
    rng = np.random.default_rng(params.seed + 8)  # a stream of its own: the people stay the same
    out = people.copy()
    n = len(out)
    group = out["group"].to_numpy()
    units = _units(out)
    first = dict(zip(units.unique(), _draw_languages(rng, params, units.nunique())))
    english = rng.random(n) < params.share_english
    out["languages"] = [first[u] + (";en" if e else "") for u, e in zip(units, english)]
    needs: list[set[str]] = [set() for _ in range(n)]
    adult = group != "minors"
    weights = np.where(group == "vulnerable", params.vulnerable_need_weight, 1.0) * adult
    for need, share in params.adult_needs:
        for i in _pick(rng, _count(share, int(adult.sum())), weights):
            needs[i].add(need)
    mothers = (group == "women") | ((group == "families") & ~units.duplicated().to_numpy())
    pregnant = _pick(rng, _count(params.share_pregnant, int(mothers.sum())), mothers.astype(float))
    for k, i in enumerate(pregnant):
        needs[i].add("pregnancy")
        if k < _count(params.share_near_term, len(pregnant)):
            needs[i].add("care:maternity")
    out["needs"] = [";".join(t for t in NEEDS if t in s) for s in needs]
    minor = (group == "minors").astype(float)
    link = [""] * n
    for i in _pick(rng, _count(params.share_uk_link, int(minor.sum())), minor):
        link[i] = f"UK: {params.uk_towns[int(rng.integers(len(params.uk_towns)))]}"
    out["family_link"] = link
    disputed = np.zeros(n, dtype=bool)
    disputed[_pick(rng, _count(params.share_age_disputed, int(minor.sum())), minor)] = True
    out["age_disputed"] = np.where(disputed, "yes", "")
    unit_ids = units.unique()
    refusing = {
        unit_ids[i]: params.refusal_reasons[int(rng.integers(len(params.refusal_reasons)))]
        for i in _pick(rng, _count(params.share_refusal, len(unit_ids)), np.ones(len(unit_ids)))
    }
    out["refusal"] = [refusing.get(u, "") for u in units]
    return out


def pathways_frame(params: ScenarioParams) -> pd.DataFrame:
    """``pathways.csv``: UK direct transfers from the minors' day, UK through Home Office centres, medical transfers."""
    start = date.fromisoformat(params.minors_day)
    uk_days = ";".join(str(start + timedelta(days=k)) for k in range(params.uk_days))
    return pd.DataFrame(
        [
            ("uk", "direct", uk_days, params.uk_quota_per_day, "", "Royaume-Uni"),
            ("uk", "centre", "", "", "", "Royaume-Uni, après entretien Home Office en CAOMI"),
            ("medical", "transfer", "", params.medical_quota_per_day, "", "établissement de santé"),
        ],
        columns=["pathway", "mode", "days", "daily_quota", "max_ride_hours", "destination"],
    )


def write_scenario(
    params: ScenarioParams,
    out_dir: str | os.PathLike[str],
    *,
    rules: Rules | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> dict[str, Path]:
    """Write ``centres.csv``, ``people.csv``, ``pathways.csv``, ``fleet.json``, ``rules.json``, ``scenario.json`` and a README."""
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
        accessible_coaches_per_day=min(params.accessible_coaches_per_day, params.coaches_per_day),
        accessible_seats=min(DEFAULT_FLEET.accessible_seats, params.seats),
    )
    files = {
        "centres": write_csv(
            out / "centres.csv", add_centre_services(params, centres), dialect="excel-fr"
        ),
        "people": write_csv(out / "people.csv", add_person_needs(params, people)),
        "pathways": write_csv(out / "pathways.csv", pathways_frame(params)),
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
        f"{SYNTHETIC_LABEL}\n\nFiles: centres.csv (replace with a real list; services drawn at "
        "assumed rates), people.csv (ids, groups, and needs, languages, UK family links, disputed "
        "ages and refusals drawn at the rates of scenario.json; no names), pathways.csv (the UK "
        "and medical pathways), fleet.json, rules.json, scenario.json (the parameters).\n",
    )
    return files
