"""A day's demand for coaches: each centre's people in loads of whole households.

A load is a :class:`~abri.planning.schedule.Stop` not yet on a trip: at most
a coach's seats, households never split. A centre's people are cut into
full coach loads plus one remainder; a remainder over half a coach is cut
in two so that coaches can share it. A household larger than a coach is in
no load: it is listed, to be planned by hand.

Loads carry a priority: the rules' ride weights (vulnerable people and
families weighted most), so that a day that cannot carry everyone carries
them first.

Needs (:mod:`abri.inputs.needs`): only people of the coach pathways
(:data:`COACH_PATHWAYS`) ride coaches; a household with a wheelchair user
travels in loads of its own that fit an accessible coach (its seats and
wheelchair places); each person's ride limit is the smaller of the group's
and, for a ride-limiting need, the rules' ``need_max_ride_hours``.
"""

from __future__ import annotations

import math

import pandas as pd

from abri.inputs.needs import profile
from abri.inputs.scenario import Fleet, Rules
from abri.planning.schedule import Stop

COACH_PATHWAYS = ("centre", "uk-centre")
"""Pathways that travel by coach (``medical``, ``uk`` and ``refusal`` do not)."""


def coach_demand(placed: pd.DataFrame) -> pd.DataFrame:
    """The placed people who ride a coach: those of :data:`COACH_PATHWAYS` (everyone without a pathway column)."""
    if "pathway" not in placed.columns:
        return placed
    return placed[placed["pathway"].isin(COACH_PATHWAYS)]


def _needs(frame: pd.DataFrame) -> pd.Series:
    return (
        frame["needs"].fillna("").astype(str)
        if "needs" in frame.columns
        else pd.Series("", index=frame.index)
    )


def ride_limits(frame: pd.DataFrame, rules: Rules) -> dict[str, float]:
    """Each person's longest acceptable ride (h): the group's, and at most the need limit for a ride-limiting need."""
    out = {}
    for person, group, needs in zip(frame["person_id"], frame["group"], _needs(frame)):
        limit = rules.max_ride_hours.get(str(group), math.inf)
        if needs and profile(needs).limited_ride:
            limit = min(limit, rules.need_max_ride_hours)
        if limit < math.inf:
            out[str(person)] = float(limit)
    return out


def wheelchair_users(frame: pd.DataFrame) -> frozenset[str]:
    """People who need an accessible coach."""
    return frozenset(
        str(p)
        for p, needs in zip(frame["person_id"], _needs(frame))
        if needs and profile(needs).accessible
    )


def accessible_refusals(
    placed: pd.DataFrame, wheelchair: frozenset[str], fleet: Fleet, accessible: int
) -> dict[str, str]:
    """People who cannot ride (households with a wheelchair user no accessible coach can take), with the reason."""
    out: dict[str, str] = {}
    with_chair = placed[placed["person_id"].isin(wheelchair)]
    for household in with_chair["household"].unique():
        members = placed[placed["household"] == household]
        chairs = int(members["person_id"].isin(wheelchair).sum())
        if accessible <= 0:
            why = "the fleet has no accessible coach (fleet.json accessible_coaches_per_day or accessible_coaches)"
        elif chairs > fleet.wheelchair_places or len(members) > fleet.accessible_seats:
            why = (
                f"household {household} of {len(members)} with {chairs} wheelchair user(s) does not fit an "
                f"accessible coach ({fleet.accessible_seats} seats, {fleet.wheelchair_places} wheelchair places)"
            )
        else:
            continue
        out |= dict.fromkeys(members["person_id"].astype(str), f"accessible-coach: {why}")
    return out


def make_stop(
    centre_id: str,
    households: list[list[str]],
    group_of: dict[str, str],
    wheelchair: frozenset[str] = frozenset(),
) -> Stop:
    """A stop (or load) of whole `households` at `centre_id`, with its counts by group and its wheelchair users."""
    people = [p for h in households for p in h]
    counts = pd.Series([group_of[p] for p in people], dtype=object).value_counts()
    return Stop(
        centre_id,
        people,
        {str(k): int(v) for k, v in counts.items()},
        households=households,
        wheelchair_users=tuple(p for p in people if p in wheelchair),
    )


def pack(households: list[list[str]], size: float) -> list[list[list[str]]]:
    """Cut a list of households into parts of at most `size` people (a larger household stands alone)."""
    parts: list[list[list[str]]] = [[]]
    for members in households:
        if parts[-1] and sum(map(len, parts[-1])) + len(members) > size:
            parts.append([])
        parts[-1].append(members)
    return [p for p in parts if p]


def pack_accessible(
    households: list[list[str]], wheelchair: frozenset[str], seats: int, places: int
) -> list[list[list[str]]]:
    """Households with wheelchair users cut into parts an accessible coach takes (`seats` people, `places` wheelchairs)."""
    parts: list[list[list[str]]] = [[]]
    for members in households:
        people = sum(map(len, parts[-1])) + len(members)
        chairs = sum(p in wheelchair for h in [*parts[-1], members] for p in h)
        if parts[-1] and (people > seats or chairs > places):
            parts.append([])
        parts[-1].append(members)
    return [p for p in parts if p]


def day_demand(
    day: str,
    placed: pd.DataFrame,
    seats: int,
    *,
    wheelchair: frozenset[str] = frozenset(),
    accessible: tuple[int, int] = (0, 0),
) -> tuple[list[Stop], list[list[str]]]:
    """Each centre's people that day as full coach loads plus one remainder; households never split.

    Households with a `wheelchair` user go in loads of their own of at most
    ``accessible`` = (seats, wheelchair places) of an accessible coach.
    Returns the loads and the households larger than a coach's seats (not in any load).
    """
    today = placed[placed["day"] == day]
    group_of = dict(zip(today["person_id"], today["group"]))
    loads: list[Stop] = []
    too_big: list[list[str]] = []
    for centre_id, people in today.groupby("centre_id", sort=True):
        households = sorted(
            (list(h["person_id"]) for _, h in people.groupby("household", sort=True)),
            key=len,
            reverse=True,
        )
        chairs = [h for h in households if wheelchair.intersection(h)]
        too_big += [h for h in households if len(h) > seats and h not in chairs]
        fitting = [h for h in households if len(h) <= seats and h not in chairs]
        loads += [make_stop(str(centre_id), part, group_of) for part in pack(fitting, seats)]
        loads += [
            make_stop(str(centre_id), part, group_of, wheelchair)
            for part in pack_accessible(chairs, wheelchair, *accessible)
        ]
    return loads, too_big


def split_load(load: Stop, group_of: dict[str, str], parts: int = 2) -> list[Stop]:
    """One load as `parts` smaller loads of whole households, so that coaches can share a centre."""
    pieces = (
        pack(load.households, -(-len(load.people) // parts))
        if len(load.households) > 1
        else [load.households]
    )
    return [make_stop(load.centre_id, piece, group_of) for piece in pieces]


def merge_stops(stops: list[Stop], group_of: dict[str, str]) -> list[Stop]:
    """One stop per centre: loads of a centre on the same coach become one stop, at its first place."""
    out: dict[str, list[list[str]]] = {}
    for stop in stops:
        out.setdefault(stop.centre_id, []).extend(stop.households or [stop.people])
    chairs = frozenset(p for stop in stops for p in stop.wheelchair_users)
    return [make_stop(cid, households, group_of, chairs) for cid, households in out.items()]


def day_loads(
    day: str,
    placed: pd.DataFrame,
    seats: int,
    group_of: dict[str, str],
    *,
    wheelchair: frozenset[str] = frozenset(),
    accessible: tuple[int, int] = (0, 0),
) -> tuple[list[Stop], list[list[str]]]:
    """The loads the day's search places on coaches (remainders over half a coach cut in two), and the too-big households."""
    loads, too_big = day_demand(day, placed, seats, wheelchair=wheelchair, accessible=accessible)
    shared = [
        part
        for load in loads
        for part in (
            split_load(load, group_of)
            if seats // 2 < len(load.people) < seats and not load.wheelchairs
            else [load]
        )
    ]
    return shared, too_big


def too_big_reason(size: int, household: str, seats: int) -> str:
    """Why a household larger than a coach is not carried."""
    return (
        f"household {household} of {size} people is larger than a coach ({seats} seats); "
        "it needs coaches travelling together, planned by hand"
    )


def priority(load: Stop, weights: dict[str, float]) -> float:
    """How much carrying `load` is worth: its people, each weighted by the group's ride weight (at least 1)."""
    return sum(n * max(1.0, weights.get(group, 1.0)) for group, n in load.groups.items())


def accessible_per_day(fleet: Fleet) -> int:
    """Accessible coaches a day: the accessible ids among a named fleet's coaches, else the fleet's number."""
    if fleet.coaches:
        return len(set(fleet.accessible_coaches) & set(fleet.coaches))
    return fleet.accessible_coaches_per_day


def plan_demand(
    days: list[str], placed: pd.DataFrame, fleet: Fleet, group_of: dict[str, str]
) -> tuple[dict[str, list[Stop]], list[dict[str, str]]]:
    """Every day's loads, and the people of households larger than a coach or with no accessible coach (listed)."""
    household_of = dict(zip(placed["person_id"], placed["household"]))
    centre_of = dict(zip(placed["person_id"], placed["centre_id"]))
    wheelchair = wheelchair_users(placed)
    refused = accessible_refusals(placed, wheelchair, fleet, accessible_per_day(fleet))
    day_of = dict(zip(placed["person_id"], placed["day"]))
    left = [
        {"person_id": p, "day": day_of[p], "centre_id": centre_of[p], "reason": why}
        for p, why in refused.items()
    ]
    placed = placed[~placed["person_id"].isin(list(refused))]
    accessible = (fleet.accessible_seats, fleet.wheelchair_places)
    loads_of: dict[str, list[Stop]] = {}
    for day in days:
        loads_of[day], too_big = day_loads(
            day, placed, fleet.seats, group_of, wheelchair=wheelchair, accessible=accessible
        )
        for h in too_big:
            reason = too_big_reason(len(h), household_of[h[0]], fleet.seats)
            left += [
                {"person_id": p, "day": day, "centre_id": centre_of[p], "reason": reason} for p in h
            ]
    return loads_of, left
