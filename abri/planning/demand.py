"""A day's demand for coaches: each centre's people in loads of whole households.

A load is a :class:`~abri.planning.schedule.Stop` not yet on a trip: at most
a coach's seats, households never split. A centre's people are cut into
full coach loads plus one remainder; a remainder over half a coach is cut
in two so that coaches can share it. A household larger than a coach is in
no load: it is listed, to be planned by hand.

Loads carry a priority: the rules' ride weights (vulnerable people and
families weighted most), so that a day that cannot carry everyone carries
them first.
"""

from __future__ import annotations

import pandas as pd

from abri.planning.schedule import Stop


def make_stop(centre_id: str, households: list[list[str]], group_of: dict[str, str]) -> Stop:
    """A stop (or load) of whole `households` at `centre_id`, with its counts by group."""
    people = [p for h in households for p in h]
    counts = pd.Series([group_of[p] for p in people], dtype=object).value_counts()
    return Stop(
        centre_id, people, {str(k): int(v) for k, v in counts.items()}, households=households
    )


def pack(households: list[list[str]], size: float) -> list[list[list[str]]]:
    """Cut a list of households into parts of at most `size` people (a larger household stands alone)."""
    parts: list[list[list[str]]] = [[]]
    for members in households:
        if parts[-1] and sum(map(len, parts[-1])) + len(members) > size:
            parts.append([])
        parts[-1].append(members)
    return [p for p in parts if p]


def day_demand(day: str, placed: pd.DataFrame, seats: int) -> tuple[list[Stop], list[list[str]]]:
    """Each centre's people that day as full coach loads plus one remainder; households never split.

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
        too_big += [h for h in households if len(h) > seats]
        fitting = [h for h in households if len(h) <= seats]
        loads += [make_stop(str(centre_id), part, group_of) for part in pack(fitting, seats)]
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
    return [make_stop(cid, households, group_of) for cid, households in out.items()]


def day_loads(
    day: str, placed: pd.DataFrame, seats: int, group_of: dict[str, str]
) -> tuple[list[Stop], list[list[str]]]:
    """The loads the day's search places on coaches (remainders over half a coach cut in two), and the too-big households."""
    loads, too_big = day_demand(day, placed, seats)
    shared = [
        part
        for load in loads
        for part in (
            split_load(load, group_of) if seats // 2 < len(load.people) < seats else [load]
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
