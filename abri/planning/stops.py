"""Fewer coach stops: a day's people gathered into fewer centres when the stops would bind.

A coach stops at most ``rules.max_stops`` times. When a day's coach passengers are
spread over more centres than the day's coaches can visit, the coach plan needs more
coaches than its seats alone would (each centre is at least one stop). Needs make this
common: people with a hard need are placed first, every day, and the people of the
other days then fill the rest of their centres, so a day ends up with a person or two
in many centres.

After the allocation, :func:`gather` empties the centres receiving the fewest of a day's
coach passengers, while the day has more centres than :data:`~abri.defaults.STOPS_PER_COACH`
per coach of its seat bound. Each household (or person alone) there trades places with
one of the same size of another day, without hard needs, at a centre the day already
stops at, when the other day already stops at the first centre too: capacities are
unchanged, no day gets a stop more, and the day loses one. A trade is made only when
both keep their preferred region (when they had it), an interpreter of their language
(when they had one) and their group's longest ride, each meets every hard need and
group of the new centre, and neither ride grows by more than
:data:`~abri.defaults.GATHER_EXTRA_HOURS`; the trade that lengthens rides least
(weighted by group) is chosen. People on a medical transfer are never moved.

On a day whose boarding is full (people wait for want of a slot), every stop saved carries
more people: there, a preferred region and an interpreter (wishes, weighed by the allocation)
give way to a seat in trades and moves (hard needs, groups and ride limits never do), and when
no one can trade, a household also moves on the same day to the fastest centre the day already
stops at that has room for it (the places it leaves are free again), if need be after a
household of another day there moves on to a centre its own day already stops at, to make room.
At 4x calais-2016 with 4 bays, this takes a full day from about 220 centres to 182 and the worst
day's coaches from 87 % to 96 % of what its slots carry. (On other days these moves would save
stops too, but the coach search then spends its whole time limit on the denser days:
calais-2016 with needs planned 137 trips instead of 140-141 in 1.6x the time.)

On such a day, a centre whose people have no hard need may also be emptied by giving their
seats to as many waiting people of the same group and household sizes who can go where the
day already stops (room, group, hard needs, preferred region, ride limit): the day carries as
many, in fewer stops.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from abri.defaults import GATHER_EXTRA_HOURS, STOPS_PER_COACH
from abri.inputs.scenario import Rules
from abri.planning.needs import Places, Signature, combine, interprets, mask
from abri.planning.placement import accepts


def stop_budget(people: int, seats: int, max_stops: int) -> int:
    """Centres a day's coaches may visit before the stops bind: :data:`STOPS_PER_COACH` per coach of the seat bound."""
    coaches = math.ceil(people / seats) if seats > 0 else 0
    return math.floor(min(STOPS_PER_COACH, max_stops) * coaches)


@dataclass(eq=False)
class _Unit:
    """A household (or a person alone) of a day, at a centre (its index in the centre table)."""

    members: list[str]
    day: str
    group: str
    prefs: list[str]
    sig: Signature
    accessible: int
    single: int
    at: int


class _Centres:
    """The allocation's centre table as arrays, and the people of each day in each centre."""

    def __init__(self, frame: pd.DataFrame, places: Places, rules: Rules) -> None:
        self.frame, self.places, self.rules = frame.reset_index(drop=True), places, rules
        self.ids = self.frame["id"].astype(str).to_numpy()
        self.time = self.frame["time_s"].to_numpy(float)
        self.ride = self.frame["ride_h"].to_numpy(float)
        self.region = self.frame["region"].astype(str).to_numpy()
        self.count: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(len(self.ids), int))
        self.ordinary: dict[tuple[str, int, int], list[_Unit]] = defaultdict(list)
        self._allowed: dict[tuple, np.ndarray] = {}
        self.full: set[str] = set()  # days whose boarding is full: wishes may give way to a seat

    def add(self, unit: _Unit) -> None:
        self.count[unit.day][unit.at] += len(unit.members)
        if not unit.sig.hard:
            self.ordinary[unit.day, unit.at, len(unit.members)].append(unit)

    def remove(self, unit: _Unit) -> None:
        self.count[unit.day][unit.at] -= len(unit.members)
        if not unit.sig.hard:
            self.ordinary[unit.day, unit.at, len(unit.members)].remove(unit)

    def allowed(self, unit: _Unit) -> np.ndarray:
        """Centres `unit` may move to: its group, hard needs, preferred region, interpreter and ride limit kept, ride at most a little longer."""
        key = (unit.group, unit.sig, tuple(unit.prefs), unit.at, unit.day in self.full)
        if key not in self._allowed or unit.accessible or unit.single:
            self._allowed[key] = self._allowed_now(unit)
        return self._allowed[key]

    def _allowed_now(self, unit: _Unit) -> np.ndarray:
        at, frame = unit.at, self.frame
        ok = accepts(frame, unit.group) & mask(frame, unit.sig, self.rules)
        ok &= self.time - self.time[at] <= GATHER_EXTRA_HOURS * 3600
        if unit.accessible or unit.single:
            ok &= self.places.accessible.reindex(self.ids).to_numpy() >= unit.accessible
            ok &= self.places.single.reindex(self.ids).to_numpy() >= unit.single
        wishes = unit.day not in self.full
        if wishes and unit.prefs and self.region[at] in unit.prefs:
            ok &= np.isin(self.region, unit.prefs)
        limit = self.rules.max_ride_hours.get(unit.group)
        if limit is not None and self.ride[at] <= limit:
            ok &= self.ride <= limit
        if wishes and unit.sig.languages and interprets(frame.iloc[[at]], unit.sig.languages)[0]:
            ok &= interprets(frame, unit.sig.languages)
        ok[at] = False
        return ok

    def weight(self, unit: _Unit) -> float:
        return self.rules.ride_weight.get(unit.group, 1.0)


def _units(placed: pd.DataFrame, sigs: pd.Series, index: dict[str, int]) -> list[_Unit]:
    """The coach passengers as units: families by household, everyone else alone."""
    rows: dict[tuple[str, str, str], list[int]] = {}
    cols = [placed[c].astype(str).tolist() for c in ("person_id", "day", "centre_id", "group")]
    household = placed["household"].astype(str).tolist()
    prefs = list(zip(placed["pref1"].astype(str), placed["pref2"].astype(str)))
    for n, (pid, day, cid, group) in enumerate(zip(*cols)):
        key = household[n] if group == "families" and household[n] else "p:" + pid
        rows.setdefault((day, cid, key), []).append(n)
    out = []
    for (day, cid, _), ns in sorted(rows.items()):
        members = [cols[0][n] for n in ns]
        person_sigs = [sigs[p] for p in members]
        out.append(
            _Unit(
                members,
                day,
                cols[3][ns[0]],
                [p for p in prefs[ns[0]] if p],
                combine(person_sigs),
                sum(s.accessible for s in person_sigs),
                sum(s.single_room for s in person_sigs),
                index.get(cid, -1),
            )
        )
    return out


def _partner(unit: _Unit, c: _Centres) -> _Unit | None:
    """The unit of another day to trade places with (see the module), or None."""
    here, day, size = unit.at, unit.day, len(unit.members)
    targets = np.flatnonzero(c.allowed(unit) & (c.count[day] > 0))
    best: tuple[float, _Unit] | None = None
    others = [d for d in c.count if d != day and c.count[d][here] > 0]
    for t in targets:
        for other in others:
            for v in c.ordinary.get((other, int(t), size), []):
                if not c.allowed(v)[here]:
                    continue
                cost = (c.time[t] - c.time[here]) * (c.weight(unit) - c.weight(v))
                if best is None or cost < best[0]:
                    best = (cost, v)
    return None if best is None else best[1]


def _trade(unit: _Unit, v: _Unit, c: _Centres, assigned: dict[str, str]) -> None:
    """`unit` and `v` swap centres: people, counts and the sub-capacities they use."""
    a, b = unit.at, v.at
    for u in (unit, v):
        c.remove(u)
    unit.at, v.at = b, a
    for u in (unit, v):
        c.add(u)
        for pid in u.members:
            assigned[pid] = str(c.ids[u.at])
    for series, n in ((c.places.accessible, unit.accessible), (c.places.single, unit.single)):
        series[c.ids[a]] += n
        series[c.ids[b]] -= n


def _room(unit: _Unit, c: _Centres) -> int | None:
    """The centre (fastest) where `unit`'s day already stops that has room for it and that it may move to, or None."""
    size = len(unit.members)
    ok = c.allowed(unit) & (c.count[unit.day] > 0)
    ok &= c.places.left.reindex(c.ids).to_numpy() >= size
    found = np.flatnonzero(ok)
    return int(found[np.argmin(c.time[found])]) if len(found) else None


def _moves(unit: _Unit, c: _Centres) -> list[tuple[_Unit, int]] | None:
    """Moves that put `unit` into a centre its day already stops at: straight in when one has room,
    else after a household of another day there (without hard needs) moves on to a centre its own
    day already stops at; None when neither can be done."""
    to = _room(unit, c)
    if to is not None:
        return [(unit, to)]
    size, left = len(unit.members), c.places.left.reindex(c.ids).to_numpy()
    targets = np.flatnonzero(c.allowed(unit) & (c.count[unit.day] > 0))
    for t in targets[np.argsort(c.time[targets], kind="stable")]:
        need = size - int(left[t])
        for day in c.count:
            if day == unit.day or c.count[day][t] == 0:
                continue
            for n in range(max(need, 1), need + CHAIN_SIZES):
                for other in c.ordinary.get((day, int(t), n), []):
                    onward = _room(other, c)
                    if onward is not None:
                        return [(other, onward), (unit, int(t))]
    return None


CHAIN_SIZES = 4
"""Household sizes tried, from the room missing up, for the one who moves on to make room."""


def _move(unit: _Unit, to: int, c: _Centres, assigned: dict[str, str]) -> None:
    """`unit` moves to centre `to` (its day's people, places and sub-capacities follow)."""
    here, size = unit.at, len(unit.members)
    c.remove(unit)
    unit.at = to
    c.add(unit)
    for series, n in (
        (c.places.left, size),
        (c.places.accessible, unit.accessible),
        (c.places.single, unit.single),
    ):
        series[c.ids[here]] += n
        series[c.ids[to]] -= n
    for pid in unit.members:
        assigned[pid] = str(c.ids[to])


class _Queue:
    """The waiting units of a day, by what decides where they may go (group, needs, regions, size)."""

    def __init__(self, units: list[_Unit], c: _Centres) -> None:
        self.c = c
        self.by_key: dict[tuple, list[_Unit]] = defaultdict(list)
        self.static: dict[tuple, np.ndarray] = {}
        for w in units:
            self.push(w)

    def push(self, w: _Unit) -> None:
        key = (w.group, w.sig, tuple(w.prefs), len(w.members))
        if key not in self.static:
            c, frame = self.c, self.c.frame
            ok = accepts(frame, w.group) & mask(frame, w.sig, c.rules)
            if w.prefs:
                ok &= np.isin(c.region, w.prefs)
            limit = c.rules.max_ride_hours.get(w.group)
            if limit is not None:
                ok &= c.ride <= limit
            self.static[key] = ok
        self.by_key[key].append(w)

    def take(self, group: str, size: int, day: str, here: int) -> tuple[_Unit, int] | None:
        """A waiting unit of `group` and `size` and the centre (fastest) where `day` stops that it may take; removed from the queue."""
        c = self.c
        room = (c.count[day] > 0) & (c.places.left.reindex(c.ids).to_numpy() >= size)
        room[here] = False
        for key, queue in self.by_key.items():
            if key[0] != group or key[3] != size or not queue:
                continue
            ok = self.static[key] & room
            if ok.any():
                return queue.pop(0), int(np.flatnonzero(ok)[np.argmin(c.time[ok])])
        return None


def _swap_waiting(
    here: int, mine: list[_Unit], queue: _Queue, c: _Centres, assigned: dict[str, str]
) -> list[tuple[_Unit, _Unit]]:
    """Empty centre `here` of its day by giving its people's seats to waiting people of the same group and size who go where the day already stops; the pairs (out, in), or none."""
    if not mine or any(u.sig.hard for u in mine):
        return []
    pairs: list[tuple[_Unit, _Unit]] = []
    for u in mine:
        c.remove(u)  # so that `here` is no target while it is emptied
    for u in mine:
        found = queue.take(u.group, len(u.members), u.day, here)
        if found is None:
            break
        w, to = found
        w.at = to
        c.add(w)
        c.places.left[c.ids[w.at]] -= len(w.members)
        pairs.append((u, w))
    if len(pairs) < len(mine):  # undo
        for _, w in pairs:
            c.remove(w)
            c.places.left[c.ids[w.at]] += len(w.members)
            w.at = -1
            queue.push(w)
        for u in mine:
            c.add(u)
        return []
    for u, w in pairs:
        c.places.left[c.ids[here]] += len(u.members)
        u.at = -1
        queue.push(u)  # it may take a seat elsewhere later
        for pid in u.members:
            assigned.pop(pid, None)
        for pid in w.members:
            assigned[pid] = str(c.ids[w.at])
    return pairs


def _empty(
    here: int, mine: list[_Unit], c: _Centres, assigned: dict[str, str], *, move: bool
) -> int | None:
    """Empty centre `here` of its day's units `mine` (trades, else, with `move`, moves); the people moved, or None (all undone)."""
    undo: list[tuple[_Unit, _Unit | int]] = []  # (unit, partner traded with | centre left)
    for unit in sorted(mine, key=lambda u: -len(u.members)):
        v = _partner(unit, c)
        if v is not None:
            _trade(unit, v, c, assigned)
            undo.append((unit, v))
            continue
        steps = _moves(unit, c) if move else None
        if steps is None:
            break
        for u, to in steps:
            undo.append((u, u.at))
            _move(u, to, c, assigned)
    if any(u.at == here for u in mine):  # the centre cannot be emptied: undo
        for u, back in reversed(undo):
            if isinstance(back, _Unit):
                _trade(u, back, c, assigned)
            else:
                _move(u, back, c, assigned)
        return None
    return sum(len(u.members) + (len(b.members) if isinstance(b, _Unit) else 0) for u, b in undo)


def gather(
    assigned: dict[str, str],
    people: pd.DataFrame,
    frame: pd.DataFrame,
    places: Places,
    sigs: pd.Series,
    coach: set[str],
    *,
    seats: int,
    rules: Rules | None,
    waiting: set[str] | None = None,
) -> tuple[int, list[str], list[str]]:
    """Trade places between days so that each day stops at fewer centres (see the module); the people moved.

    `assigned` (person -> centre id) and `places` are updated in place. `coach` holds
    the people going by coach (no one else moves). `frame` is the allocation's centre
    table (``id``, ``groups``, ``region``, ``time_s``, ``ride_h``, services).

    `waiting` holds the people a day's boarding could not take (left unplaced for the day's
    limit): when trades between days are not enough, a centre whose people have no hard need
    is emptied by giving their seats to as many waiting people of the same group and
    household sizes, placed where the day already stops (so the day carries as many, in
    fewer stops). Returns the people moved, those now waiting and those now placed.
    """
    rules = rules or Rules()
    ids = people["person_id"]
    placed = people[ids.isin(list(coach)) & ids.isin(list(assigned))]
    placed = placed.assign(centre_id=placed["person_id"].map(assigned))
    c = _Centres(frame, places, rules)
    index = {cid: n for n, cid in enumerate(c.ids)}
    units = _units(placed, sigs, index)
    for unit in units:
        c.add(unit)
    queue = people[ids.isin(list(waiting or set()))].assign(centre_id="")
    waiting_units = _units(queue, sigs, index) if len(queue) else []
    moved, now_waiting, now_placed = 0, [], []
    queues = {day: _Queue([w for w in waiting_units if w.day == day], c) for day in sorted(c.count)}
    c.full = {day for day, q in queues.items() if any(q.by_key.values())}
    for day in sorted(c.count):
        people_today = int(c.count[day].sum())
        budget = stop_budget(people_today, seats, rules.max_stops)
        full = day in c.full  # boarding full: people of the day wait
        at_centre: dict[int, list[_Unit]] = defaultdict(list)  # may hold units since moved
        for u in units:
            if u.day == day:
                at_centre[u.at].append(u)
        for here in np.argsort(np.where(c.count[day] > 0, c.count[day], 10**9), kind="stable"):
            if int((c.count[day] > 0).sum()) <= budget or c.count[day][here] == 0:
                break
            mine = [u for u in at_centre[int(here)] if u.at == here]
            emptied = _empty(int(here), mine, c, assigned, move=full)
            if emptied is not None:
                moved += emptied
                for unit in mine:
                    at_centre[unit.at].append(unit)
                continue
            for out, into in _swap_waiting(int(here), mine, queues[day], c, assigned):
                at_centre[into.at].append(into)
                now_waiting += out.members
                now_placed += into.members
    return moved, now_waiting, now_placed
