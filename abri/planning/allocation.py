"""Who goes where: people to centres, by min-cost flow and a small MILP.

Each person first gets a route (:mod:`abri.planning.pathways`): a refusal,
the UK, a medical transfer, or a coach to a centre. Then each departure day
is solved in turn on the places left by earlier days. Families (households)
are kept together by a mixed-integer program (SciPy's HiGHS): one centre per
household, capacities respected. Everyone else is placed by a min-cost flow
(networkx network simplex) from classes of people (group, two preferred
regions, needs) through region nodes to centres
(:mod:`abri.planning.placement`). Cost is the coach travel time from the
origin plus a penalty outside the person's two preferred regions. Nobody is
dropped: whoever cannot be placed is listed with the reason. A centre with an
opening date (``opens_on``) receives only the people of that day and later:
people of day D need it open by the morning of D.

Hard needs (:mod:`abri.planning.needs`) are constraints: an accessible place
(a capacity inside the capacity), a single room, a centre near the care
needed, a hard ride limit for ride-limiting needs; a household's centre meets
every member's. People with a hard need (and their households) are placed
first, every day, then everyone else, so that ordinary people of an early day
do not take the accessible places of a later day's wheelchair users. Whoever
no centre can take without breaking a hard need is left unplaced with the
need named (``reason``, and ``shortfall`` with its code). Languages are a
weight: a centre with an interpreter is preferred.

With the rules, rides count by group: a group's travel time is weighted by
its ``ride_weight`` (so vulnerable people, weighted most, get the nearer
places their groups accept before men do), and a centre whose estimated ride
(road time with the margin, one driver's breaks pro rata) is longer than the
group's ``max_ride_hours`` is used only when nothing nearer is left; those
people carry a ``ride_note`` saying so, and a ``ride-limit`` shortfall.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from abri.inputs.pathways import Pathway
from abri.inputs.scenario import Rules
from abri.planning.needs import CENTRE_COLUMNS, PERSON_COLUMNS, profiles, signatures, with_defaults
from abri.planning.pathways import COACH_ROUTES, Routes, route_people
from abri.planning.placement import DayPlacer
from abri.planning.stops import gather


@dataclass
class Allocation:
    """One row per person: the centre (empty if none), the pathway, and the reason when unplaced."""

    assignments: pd.DataFrame  # person_id, day, group, household, pref1, pref2, needs..., centre_id, in_preferred, reason, ride_h, ride_note, pathway, shortfall, interpreter

    def __repr__(self) -> str:
        a = self.assignments
        placed = int((a["centre_id"] != "").sum()) if "centre_id" in a.columns else 0
        return f"Allocation({placed:,} of {len(a):,} people placed in {a.loc[a['centre_id'] != '', 'centre_id'].nunique() if placed else 0} centres)"

    @property
    def placed(self) -> pd.DataFrame:
        """People who have a centre (by coach or by medical transfer)."""
        return self.assignments[self.assignments["centre_id"] != ""]

    @property
    def unplaced(self) -> pd.DataFrame:
        """People with no solution (no centre and no pathway of their own: not refused, not gone
        to the UK), and why."""
        a = self.assignments
        own_way = a["pathway"] != "" if "pathway" in a.columns else False
        return a[(a["centre_id"] == "") & ~own_way]

    @property
    def by_coach(self) -> pd.DataFrame:
        """People the coach plan carries (pathway ``centre`` or ``uk-centre``)."""
        a = self.assignments
        if "pathway" not in a.columns:  # an allocation made before pathways: everyone placed
            return a[a["centre_id"] != ""]
        return a[(a["centre_id"] != "") & a["pathway"].isin(COACH_ROUTES)]

    def per_centre(self) -> pd.Series:
        """People placed in each centre."""
        return self.placed.groupby("centre_id").size()

    def preferred_share(self, *, adults_only: bool = True) -> float:
        """Share of placed people (adults by default) in one of their preferred regions."""
        placed = self.placed
        if adults_only:
            placed = placed[placed["group"] != "minors"]
        return float(placed["in_preferred"].mean()) if len(placed) else 0.0


def ride_estimate_h(time_s: pd.Series, rules: Rules) -> pd.Series:
    """Estimated ride (h) on a direct coach: road time with the margin, plus one driver's breaks pro rata."""
    planned = time_s.astype(float) * (1 + rules.margin_pct / 100)
    one_driver = planned <= rules.max_driving_hours * 3600 - rules.driving_buffer_minutes * 60
    breaks = 1 + rules.break_minutes / 60 / rules.break_after_hours
    return planned.where(~one_driver, planned * breaks) / 3600


def _centre_frame(
    centres: pd.DataFrame, origin_time_s: pd.Series, rules: Rules | None
) -> pd.DataFrame:
    """The centres the allocation uses: services (defaults when absent), ride time, opening date, estimated ride."""
    frame = with_defaults(pd.DataFrame(centres), CENTRE_COLUMNS)
    frame = frame[["id", "capacity", "groups", "region", *CENTRE_COLUMNS]].copy()
    frame["id"] = frame["id"].astype(str)
    frame["group_set"] = [set(str(g).split(";")) for g in frame["groups"]]
    frame["time_s"] = frame["id"].map(origin_time_s).astype(float)
    opens_on = (
        centres["opens_on"] if "opens_on" in centres.columns else pd.Series("", index=centres.index)
    )
    frame["opens_on"] = (
        opens_on.fillna("").astype(str).str[:10].to_numpy()
    )  # ISO date, "" when open from the start
    frame["ride_h"] = (
        ride_estimate_h(frame["time_s"], rules) if rules is not None else frame["time_s"] / 3600
    )
    if (
        rules is not None
    ):  # a centre no coach reaches before it closes, even leaving first with two drivers, is out of reach
        closes = pd.Series(
            list(centres["closes"]) if "closes" in centres.columns else [""] * len(frame),
            index=frame.index,
        )
        closes = (
            closes.astype(object)
            .where(closes.astype(str).str.contains(":"), rules.reception_close)
            .astype(str)
        )
        close_h = closes.map(lambda c: int(c.split(":")[0]) + int(c.split(":")[1]) / 60)
        first = int(rules.departure.split(":")[0]) + int(rules.departure.split(":")[1]) / 60
        direct_h = frame["time_s"] * (1 + rules.margin_pct / 100) / 3600
        frame.loc[first + direct_h > close_h, "time_s"] = np.nan
    return frame


def within_capacity(
    today: pd.DataFrame, limit: int, weights: dict[str, float]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The people a day can carry (`limit`), households whole, weightiest groups first (then in file order); and the rest."""
    household = (
        today["household"]
        .astype(str)
        .where(today["household"].astype(str) != "", today["person_id"].astype(str))
    )
    weight = today["group"].map(lambda g: weights.get(g, 1.0)).astype(float)
    order = (
        pd.DataFrame({"household": household, "weight": weight, "row": range(len(today))})
        .groupby("household", sort=False)
        .agg(weight=("weight", "max"), row=("row", "min"), size=("row", "size"))
        .sort_values(["weight", "row"], ascending=[False, True], kind="stable")
    )
    keep, used = set(), 0
    for name, size in zip(order.index, order["size"]):
        if used + size <= limit:
            keep.add(name)
            used += size
    kept = household.isin(keep).to_numpy()
    return today[kept], today[~kept]


def _days(
    people: pd.DataFrame,
    routes: Routes,
    day_limit: tuple[int, str] | None,
    rules: Rules | None,
    reasons: dict[str, str],
) -> list[tuple[str, pd.DataFrame]]:
    """Each day's people going to a centre: by coach within the day's limit (the rest get its
    reason), and by medical transfer."""
    route = people["person_id"].map(routes.route)
    out = []
    for day in sorted(people["day"].unique()):
        is_day = (people["day"] == day).to_numpy()
        coach = people[is_day & route.isin(COACH_ROUTES).to_numpy()]
        if day_limit is not None and len(coach) > day_limit[0]:
            coach, beyond = within_capacity(
                coach, day_limit[0], rules.ride_weight if rules is not None else {}
            )
            reasons.update(dict.fromkeys(beyond["person_id"], day_limit[1]))
        medical = people[is_day & (route == "medical").to_numpy()]
        out.append((str(day)[:10], pd.concat([coach, medical]) if len(medical) else coach))
    return out


def _first(today: pd.DataFrame, sigs: pd.Series, routes: Routes) -> np.ndarray:
    """People placed first: a hard need or a medical transfer, with their whole household."""
    hard = np.array(
        [sigs[p].hard or routes.route[p] == "medical" for p in today["person_id"]], bool
    )
    family = (today["group"] == "families").to_numpy() & (
        today["household"].astype(str) != ""
    ).to_numpy()
    needy_households = set(today.loc[hard & family, "household"])
    return hard | (family & today["household"].isin(needy_households).to_numpy())


def allocate(
    people: pd.DataFrame,
    centres: pd.DataFrame,
    origin_time_s: pd.Series,
    *,
    penalty_hours: float = 24.0,
    rules: Rules | None = None,
    day_limit: tuple[int, str] | None = None,
    pathways: list[Pathway] | None = None,
    seats: int | None = None,
) -> Allocation:
    """Give every person a pathway and, when it ends in a centre, a centre meeting their hard needs.

    Parameters
    ----------
    people
        ``person_id``, ``day``, ``group``, ``household``, ``pref1``, ``pref2``; optionally
        ``needs``, ``languages``, ``family_country``, ``refusal`` (:mod:`abri.inputs.people`).
    centres
        Validated centres: ``id``, ``capacity``, ``groups``, ``region``; optionally
        ``accessible_places``, ``single_rooms``, ``interpreters``, ``home_office``,
        ``care_min_<kind>`` (:mod:`abri.geo.centres`).
    origin_time_s
        Travel time (s) from the origin to each centre id; NaN when unreachable.
    penalty_hours
        Cost of a place outside both preferred regions, in hours of travel.
    rules
        Ride weights and longest rides by group (see the module's docstring); without them every
        group's ride counts the same and has no limit (needs still use the default rules).
    day_limit
        People the day's coaches can carry and the reason given to the others
        (:func:`abri.planning.operation.day_capacity`): beyond it, households are
        left unplaced, the groups of most ride weight placed first.
    pathways
        The scenario's UK and medical pathways (:mod:`abri.planning.pathways`); None: none.
    seats
        Seats of a coach: when given, a day's people spread over more centres than its
        coaches can stop at are gathered into fewer (:func:`abri.planning.stops.gather`).
    """
    people = with_defaults(people, PERSON_COLUMNS)
    frame = _centre_frame(centres, origin_time_s, rules)
    need_rules = rules if rules is not None else Rules()
    routes = route_people(
        people,
        profiles(people["needs"]),
        pathways or [],
        home_office_centres=bool(frame["home_office"].any()),
    )
    interpreted = {lang for cell in frame["interpreters"] for lang in cell.split(";") if lang}
    sigs = signatures(
        people,
        need_rules,
        interpreted,
        home_office={p for p, r in routes.route.items() if r == "uk-centre"},
        ride_override=routes.ride_limit,
    )
    run = DayPlacer(frame, sigs, int(penalty_hours * 3600), rules, need_rules)
    later = []
    for day, today in _days(people, routes, day_limit, rules, run.reasons):
        first = _first(today, sigs, routes)
        retry = run.place_day(day, today[first], retry_home_office=True) if first.any() else []
        later.append((day, today[~first | today["person_id"].isin(retry).to_numpy()]))
    for day, today in later:
        if len(today):
            run.place_day(day, today, retry_home_office=False)
    if seats is not None:
        coach = {p for p, r in routes.route.items() if r in COACH_ROUTES}
        waiting = {p for p, why in run.reasons.items() if day_limit and why == day_limit[1]}
        _, out, into = gather(
            run.assigned,
            people,
            frame,
            run.places,
            run.sigs,
            coach | waiting,
            seats=seats,
            rules=rules,
            waiting=waiting,
        )
        for p in into:
            run.reasons.pop(p, None)
        run.reasons.update(dict.fromkeys(out, day_limit[1] if day_limit else ""))
    return Allocation(_assignments(people, frame, run, routes, rules))


def _pathway(
    out: pd.DataFrame, centres: pd.DataFrame, routes: Routes
) -> tuple[pd.Series, list[str]]:
    """Each person's pathway, and the people routed to a Home Office centre who did not get one."""
    route = out["person_id"].map(routes.route).astype(str)
    placed = out["centre_id"] != ""
    home = out["centre_id"].map(centres["home_office"]).fillna(False).astype(bool)
    missed = placed & (route == "uk-centre") & ~home
    pathway = route.where(placed, route.where(route.isin(["uk", "refusal"]), ""))
    return pathway.where(~missed, "centre"), list(out.loc[missed, "person_id"])


def _assignments(
    people: pd.DataFrame, frame: pd.DataFrame, run: DayPlacer, routes: Routes, rules: Rules | None
) -> pd.DataFrame:
    """The allocation's table: people, their centre, pathway, reasons and shortfalls."""
    out = people.copy()
    pid = out["person_id"]
    centres = frame.set_index("id")
    out["centre_id"] = pid.map(run.assigned).astype(object).fillna("")
    centre_region = out["centre_id"].map(centres["region"])
    out["in_preferred"] = (centre_region == out["pref1"]) | (centre_region == out["pref2"])
    out["reason"] = pid.map({**routes.reason, **run.reasons}).astype(object).fillna("")
    out["ride_h"] = out["centre_id"].map(centres["ride_h"]).astype(float).round(2)
    out["ride_note"] = ""
    pathway, missed = _pathway(out, centres, routes)
    notes: dict[str, list[str]] = {}
    for source in (routes.shortfall, run.shortfall):
        for p, text in source.items():
            notes.setdefault(p, []).append(text)
    for p in missed:
        notes.setdefault(p, []).append(
            "uk-quota: no place left in a minors' centre with Home Office interviews: not on the UK pathway"
        )
    if rules is not None:
        limit = out["group"].map(rules.max_ride_hours).astype(float)
        over = (out["ride_h"] > limit) & pathway.isin(COACH_ROUTES)
        out.loc[over, "ride_note"] = [
            f"no place within {lim:g} h accepting group '{g}' was left that day (estimated ride {r:.1f} h)"
            for g, lim, r in zip(out.loc[over, "group"], limit[over], out.loc[over, "ride_h"])
        ]
        for p, note in zip(pid[over], out.loc[over, "ride_note"]):
            notes.setdefault(p, []).append(f"ride-limit: {note}")
    out["pathway"] = pathway
    out["shortfall"] = (
        pid.map({p: " | ".join(t) for p, t in notes.items()}).astype(object).fillna("")
    )
    interpreters = out["centre_id"].map(centres["interpreters"]).fillna("")
    out["interpreter"] = [
        bool(set(langs.split(";")) & set(have.split(";")) - {""})
        for langs, have in zip(out["languages"], interpreters)
    ]
    return out
