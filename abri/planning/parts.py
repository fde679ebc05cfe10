"""Days searched in parts, and the parts run on any executor.

A day of more than :data:`PART_LOADS` loads is split into parts by region
(:func:`split_parts`: the load farthest from the origin seeds a part, which
takes the loads nearest to it by road), each part gets the day's coaches in
proportion to its people, and the parts are searched independently (each
with the full per-part budget: the day's budget grows with its size).
The seams are then repaired: the coaches that leave under-filled, from all
parts, are searched again together.

Every search (a day, or a part of a day) is one task of a :data:`Mapper`:
serial, worker processes (:func:`process_map`), or any executor a caller
supplies (the pipeline passes Dask's). Each task is seeded alike and
carries only its own slice of the matrices, so the plan does not depend on
where or in which order the tasks run (unless a search stops on its time
limit).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from abri.constants import ORIGIN
from abri.planning.days import search_day
from abri.planning.schedule import Stop
from abri.planning.search import ACCESSIBLE_KIND, DaySpec, Route, SearchRecord, solve_routes
from abri.processes import Mapper

PART_LOADS = 200
"""Loads above which a day is searched in parts (one search converges in its budget below; a calais-2016 day with needs has about 165 loads, a part of a day in two would plan worse)."""
LIGHT_SHARE = 0.75
"""A coach leaving with fewer people than this share of its seats is searched again at the seams."""


def split_parts(
    loads: list[Stop], times: pd.DataFrame, *, size: int = PART_LOADS
) -> list[list[int]]:
    """Indices of the loads in each part, by region: the farthest load left seeds a part of the loads nearest to it."""
    if len(loads) <= size:
        return [list(range(len(loads)))]
    n_parts = math.ceil(len(loads) / size)
    target = math.ceil(len(loads) / n_parts)
    ids = [load.centre_id for load in loads]
    between = times.loc[ids, ids].to_numpy()
    between = np.minimum(between, between.T)
    from_origin = times.loc[ORIGIN, ids].to_numpy()
    left = np.ones(len(loads), bool)
    parts = []
    while left.any():
        seed = int(np.flatnonzero(left)[np.argmax(from_origin[left])])
        candidates = np.flatnonzero(left)
        nearest = candidates[np.lexsort((candidates, between[seed, candidates]))][:target]
        parts.append(sorted(int(k) for k in nearest))
        left[nearest] = False
    return parts


def shares(bounds: list[int], coaches: int) -> list[int]:
    """Coaches for each part, in proportion to its lower bound (largest remainders first)."""
    total = sum(bounds) or 1
    exact = [coaches * b / total for b in bounds]
    out = [math.floor(x) for x in exact]
    for k in sorted(range(len(bounds)), key=lambda k: (out[k] - exact[k], k))[: coaches - sum(out)]:
        out[k] += 1
    return out


def sub_spec(spec: DaySpec, loads: list[Stop], *, coaches: int | None = None) -> DaySpec:
    """The spec of a part: its own slice of the travel times; with `coaches`, all at the first departure."""
    ids = list(dict.fromkeys([ORIGIN, *(load.centre_id for load in loads)]))
    part = replace(spec, times=spec.times.loc[ids, ids])
    if coaches is not None:
        part = replace(part, departures=spec.departures[:1], caps=[coaches])
    return part


def run_task(task: tuple) -> tuple[list[Route], SearchRecord, int]:
    """One search: a whole day (slots and all) or a part of a day (its coaches at the first departure)."""
    loads, spec, km, group_of, day, kwargs = task
    return search_day(loads, spec, km, group_of, day, **kwargs)


def _light(routes: list[Route], loads: list[Stop], seats: int) -> list[int]:
    return [
        n
        for n, (_, _, r) in enumerate(routes)
        if sum(len(loads[i].people) for i in r) < LIGHT_SHARE * seats
    ]


def mend_seams(
    routes: list[Route], loads: list[Stop], spec: DaySpec, kwargs: dict[str, Any]
) -> tuple[list[Route], SearchRecord | None]:
    """The under-filled coaches of all parts searched again together; kept when they need fewer coaches."""
    light = _light(routes, loads, spec.fleet.seats)
    if len(light) < 2:
        return routes, None
    picked = [i for n in light for i in routes[n][2]]
    sub = [loads[i] for i in picked]
    taken = sum(kind >= ACCESSIBLE_KIND for n, (_, kind, _) in enumerate(routes) if n not in light)
    part = replace(sub_spec(spec, sub, coaches=len(light)), accessible=spec.accessible - taken)
    found, record = solve_routes(sub, part, one_slot=True, **kwargs)
    if len(found) >= len(light) or sum(len(r) for _, _, r in found) < len(picked):
        return routes, record
    kept = [r for n, r in enumerate(routes) if n not in set(light)]
    return kept + [(slot, kind, [picked[i] for i in r]) for slot, kind, r in found], record


def _tasks(
    loads: list[Stop],
    spec: DaySpec,
    km: pd.DataFrame,
    group_of: dict[str, str],
    day: str,
    kwargs: dict[str, Any],
    part_size: int,
) -> tuple[list[list[int]], list[tuple]]:
    """A day's parts (indices of loads) and one search task per part."""
    parts = split_parts(loads, spec.times, size=part_size)
    bounds = [-(-sum(len(loads[i].people) for i in p) // spec.fleet.seats) for p in parts]
    coaches = shares(bounds, sum(spec.caps)) if len(parts) > 1 else [None]
    chairs = [sum(loads[i].wheelchairs > 0 for i in p) for p in parts]
    accessible = shares(chairs, spec.accessible) if len(parts) > 1 else [spec.accessible]
    tasks = []
    for part, n, a in zip(parts, coaches, accessible):
        sub = [loads[i] for i in part]
        part_spec = replace(sub_spec(spec, sub, coaches=n), accessible=a)
        ids = list(part_spec.times.index)
        people = {p: group_of[p] for s in sub for p in s.people}
        tasks.append((sub, part_spec, km.loc[ids, ids], people, day, kwargs))
    return parts, tasks


def search_days(
    loads_of: dict[str, list[Stop]],
    specs: dict[str, DaySpec],
    km: pd.DataFrame,
    group_of: dict[str, str],
    kwargs: dict[str, Any],
    mapper: Mapper,
    *,
    part_size: int = PART_LOADS,
) -> dict[str, tuple[list[Route], SearchRecord, int, int]]:
    """Every day's routes (in parts of at most `part_size` loads), the search's record, searches and parts.

    All tasks of all days go to `mapper` at once; seams are mended here.
    """
    days = [d for d in loads_of if loads_of[d] and any(specs[d].caps)]
    planned = {d: _tasks(loads_of[d], specs[d], km, group_of, d, kwargs, part_size) for d in days}
    flat = [(d, n) for d in days for n in range(len(planned[d][1]))]
    results = mapper(run_task, [planned[d][1][n] for d, n in flat])
    found: dict[str, tuple[list[Route], SearchRecord, int, int]] = {}
    for d in days:
        parts = planned[d][0]
        done = [r for (day, _), r in zip(flat, results) if day == d]
        if len(parts) == 1:
            found[d] = (*done[0], 1)
            continue
        routes = [
            (0, kind, [part[i] for i in r])
            for part, (rs, _, _) in zip(parts, done)
            for _, kind, r in rs
        ]
        record, runs = done[0][1], sum(n for _, _, n in done)
        for _, other, _ in done[1:]:
            record.add(other)
        record.reason = ", ".join(sorted({rec.reason for _, rec, _ in done} - {""}))  # of the parts
        routes, seams = mend_seams(routes, loads_of[d], specs[d], kwargs)
        if seams is not None:
            record.add(seams)
        found[d] = (routes, record, runs + (seams is not None), len(parts))
    return found
