"""People who must travel again (or newly registered), placed with the least change.

First into free seats of coaches that have not left, at a stop they
already make or one stop more (:func:`free_seats`), in centres with free
places; the rest are allocated and planned on new trips with the same
planner (:func:`new_trips`), in the boarding slots still free after
``--now``. Whoever cannot be carried is listed with the reason.
"""

from __future__ import annotations

import copy

import pandas as pd

from abri.constants import ORIGIN
from abri.inputs.people import PEOPLE_COLUMNS
from abri.planning.allocation import Allocation, allocate
from abri.planning.demand import make_stop
from abri.planning.plan import plan_coaches
from abri.planning.schedule import ACCESSIBLE, Stop, Trip, slot_departures
from abri.replan.apply import Operation, at

NO_SLOT = "no boarding slot, bay or coach left after --now for a legal trip"
NEAREST = 6
"""Centres tried as one more stop of a trip (the nearest to its last stop with free places)."""


def _households(op: Operation) -> list[list[str]]:
    out: dict[str, list[str]] = {}
    for p in op.to_place:
        out.setdefault(str(op.people.at[p, "household"]), []).append(p)
    return list(out.values())


def _refused(op: Operation, household: list[str]) -> set[str]:
    """Centres someone of the household refused: not offered again."""
    return set().union(*(op.refused_centres.get(p, set()) for p in household))


def _free_places(op: Operation) -> dict[str, int]:
    placed = op.people[op.people["centre_id"] != ""]["centre_id"].value_counts()
    return {c: cap - int(placed.get(c, 0)) for c, cap in op.capacity.items()}


def _has_needs(op: Operation, household: list[str]) -> bool:
    """Whether someone of the household has a need (their place and coach are planned anew)."""
    if "needs" not in op.people.columns:
        return False
    return any(str(op.people.at[p, "needs"]) not in ("", "nan") for p in household)


def _free_services(op: Operation, centres: pd.DataFrame) -> pd.DataFrame:
    """`centres` with the accessible places and single rooms the people already there leave."""
    out = centres.copy()
    if "needs" not in op.people.columns:
        return out
    placed = op.people[op.people["centre_id"] != ""]
    for column, need in (("accessible_places", "wheelchair"), ("single_rooms", "single-room")):
        if column not in out.columns:
            continue
        used = placed[placed["needs"].astype(str).str.split(";").map(lambda n, w=need: w in n)]
        taken = out["id"].astype(str).map(used["centre_id"].value_counts()).fillna(0)
        out[column] = (out[column] - taken).clip(lower=0).astype(int)
    return out


def _accepts(centres: pd.DataFrame) -> dict[str, set[str]]:
    return dict(
        zip(centres["id"].astype(str), centres["groups"].astype(str).str.split(";").map(set))
    )


def _reachable(op: Operation, last: str, centre: str) -> bool:
    """A road from the trip's last stop to `centre` and from there back to the origin."""
    times = op.times
    if centre not in times.index:
        return False
    return bool(pd.notna(times.at[last, centre]) and pd.notna(times.at[centre, ORIGIN]))


def _open_trips(op: Operation, day: str, size: int) -> list[Trip]:
    return [
        t
        for t in op.trips.values()
        if t.day == day
        and t.coach not in op.gone
        and t.people + size <= op.seats(t)
        and at(t.day, t.boarding_s) >= op.now
    ]


def _seat(op: Operation, trip: Trip, centre: str, household: list[str], why: str) -> None:
    group_of = dict(zip(op.people["person_id"], op.people["group"]))
    stop = next((s for s in trip.stops if s.centre_id == centre), None)
    if stop is None:
        trip.stops.append(make_stop(centre, [household], group_of))
    else:
        stop.people += household
        stop.households.append(household)
        for p in household:
            stop.groups[group_of[p]] = stop.groups.get(group_of[p], 0) + 1
    for p in household:
        op.people.at[p, "centre_id"] = centre
        op.people.at[p, "reason"] = ""
        op.why[p] = f"{op.why.get(p, why)}; free seat on {trip.coach}"
        op.to_place.remove(p)


def free_seats(op: Operation, centres: pd.DataFrame) -> None:
    """Place households of :attr:`Operation.to_place` in free seats and places (existing stops first)."""
    accepts = _accepts(centres)
    free = _free_places(op)
    for household in _households(op):
        if _has_needs(op, household):  # a place and a coach meeting them: planned in new_trips
            continue
        first = household[0]
        day, group = str(op.people.at[first, "day"]), str(op.people.at[first, "group"])
        fits = {
            c for c, n in free.items() if n >= len(household) and group in accepts.get(c, set())
        } - _refused(op, household)
        trips = _open_trips(op, day, len(household))
        done = False
        for trip in trips:  # a stop the coach already makes
            centre = next((s.centre_id for s in trip.stops if s.centre_id in fits), None)
            if centre:
                _seat(op, trip, centre, household, "")
                free[centre] -= len(household)
                done = True
                break
        if done:
            continue
        for trip in trips:  # one stop more, when the trip stays legal
            if len(trip.stops) >= op.rules.max_stops:
                continue
            last = trip.stops[-1].centre_id
            near = sorted(
                (c for c in sorted(fits) if _reachable(op, last, c)),
                key=lambda c: op.times.at[last, c],
            )
            for centre in near[:NEAREST]:
                trial = copy.deepcopy(trip)
                trial.stops.append(make_stop(centre, [household], {p: group for p in household}))
                if op.retime(trial).legal:
                    _seat(op, trip, centre, household, "")
                    free[centre] -= len(household)
                    op.retime(trip)
                    done = True
                    break
            if done:
                break


def _joined(op: Operation, host: Trip, guest: Trip) -> Trip | None:
    """`host` with every stop of `guest` (at a stop it makes, else one stop more), if legal."""
    trial = copy.deepcopy(host)
    for stop in guest.stops:
        same = next((s for s in trial.stops if s.centre_id == stop.centre_id), None)
        if same is None:
            trial.stops.append(copy.deepcopy(stop))
            continue
        same.people += stop.people
        same.households += [list(h) for h in stop.households]
        for group, n in stop.groups.items():
            same.groups[group] = same.groups.get(group, 0) + n
    if len(trial.stops) > op.rules.max_stops:
        return None
    return trial if op.retime(trial).legal else None


def merge_coaches(op: Operation) -> list[str]:
    """Coaches an event lightened, put into another coach's free seats when moving costs less than a coach.

    Moving one person costs ``rules.change_cost_coaches`` of a coach: a lightened coach that
    has not left goes when its people times that cost is under one coach and another coach of
    its day that has not left takes them all, legally. Returns the coaches cancelled.
    """
    gone: list[str] = []
    cost = op.rules.change_cost_coaches
    for coach in sorted(op.lightened & set(op.trips), key=lambda c: op.trips[c].people):
        guest = op.trips.get(coach)
        if (
            guest is None
            or guest.people * cost >= 1
            or coach in op.gone
            or at(guest.day, guest.boarding_s) < op.now
            or _has_needs(op, [p for s in guest.stops for p in s.people])
        ):
            continue
        hosts = [
            t
            for t in _open_trips(op, guest.day, guest.people)
            if t.coach != coach and t.vehicle_kind == guest.vehicle_kind
        ]
        for host in sorted(hosts, key=lambda t: -t.people):
            joined = _joined(op, host, guest)
            if joined is None:
                continue
            why = (
                f"coach {coach} merged into {host.coach}: {guest.people} people moved cost "
                f"{guest.people * cost:g} of a coach (change_cost_coaches {cost:g})"
            )
            for p in (p for s in guest.stops for p in s.people):
                op.why[p] = f"{op.why[p]}; {why}" if p in op.why else why
            op.trips[host.coach] = joined
            del op.trips[coach]
            op.cancelled[coach] = why
            gone.append(coach)
            break
    return gone


def _slots(op: Operation, day: str) -> list[tuple[int, int, int]]:
    """Free (slot, departure, bay) of `day` whose boarding starts at or after ``--now``."""
    used = {(t.slot, t.bay) for t in op.trips.values() if t.day == day}
    out = []
    for slot, departure in enumerate(slot_departures(op.rules)):
        if at(day, departure - op.rules.boarding_minutes * 60) < op.now:
            continue
        out += [(slot, departure, b) for b in range(1, op.rules.bays + 1) if (slot, b) not in used]
    return out


def _number(op: Operation, day: str) -> int:
    nums = [
        int(c.rsplit("-C", 1)[1])
        for c in op.trips
        if c.startswith(f"{day}-C") and c.rsplit("-C", 1)[1].isdigit()
    ]
    nums += [
        int(c.rsplit("-C", 1)[1])
        for c in op.cancelled
        if c.startswith(f"{day}-C") and c.rsplit("-C", 1)[1].isdigit()
    ]
    return max(nums, default=0) + 1


def new_trips(
    op: Operation, centres: pd.DataFrame, *, seed: int, iterations: int, time_limit: float
) -> list[str]:
    """Allocate and plan the people still to place on new trips in free slots; returns the new coaches."""
    if not op.to_place:
        return []
    allocation = _allocate(op, centres)
    sub = plan_coaches(
        allocation,
        op.times,
        op.km,
        op.fleet,
        op.rules,
        hours=op.plan.hours,
        seed=seed,
        iterations=iterations,
        time_limit=time_limit,
        jobs=1,
    )
    for row in allocation.assignments.itertuples(index=False):
        for col in ("centre_id", "in_preferred", "reason", "ride_h", "ride_note"):
            if hasattr(row, col):
                op.people.at[row.person_id, col] = getattr(row, col)
    added = []
    for trip in sorted(sub.trips, key=lambda t: (t.day, -t.planned_driving_s)):
        coach = _place_trip(op, trip)  # as planned, else one trip a stop
        parts = [(trip, coach)] if coach else [(_alone(trip, s), "") for s in trip.stops]
        for part, placed in parts:
            placed = placed or _place_trip(op, part)
            added += [placed] if placed else []
            why = f"new trip {placed}" if placed else "a new trip"
            for s in part.stops:
                for p in s.people:
                    op.why[p] = f"{op.why.get(p, '')}; {why}".strip("; ")
                    if not placed:
                        op.not_carried.append((p, part.day, s.centre_id, NO_SLOT))
    op.not_carried += [
        tuple(r)
        for r in sub.not_carried[["person_id", "day", "centre_id", "reason"]].itertuples(
            index=False
        )
    ]
    op.to_place = []
    return added


def _allocate(op: Operation, centres: pd.DataFrame) -> Allocation:
    """Centres for the people still to place, households who refused a centre first and never to it."""
    columns = [c for c in PEOPLE_COLUMNS if c in op.people.columns]  # needs, languages... kept
    by_refusal: dict[frozenset[str], list[str]] = {}
    for household in _households(op):
        by_refusal.setdefault(frozenset(_refused(op, household)), []).extend(household)
    free = _free_services(op, centres)
    places = free["id"].astype(str).map(_free_places(op)).fillna(0).clip(lower=0)
    parts = []
    for refused, ids in sorted(by_refusal.items(), key=lambda kv: (-len(kv[0]), sorted(kv[0]))):
        closed = free["id"].astype(str).isin(refused)
        allocation = allocate(
            op.people.loc[ids, columns].reset_index(drop=True),
            free.assign(capacity=places.where(~closed, 0).astype(int)),
            op.times.loc[ORIGIN],
            penalty_hours=op.rules.preference_penalty_hours,
            rules=op.rules,
        )
        taken = allocation.assignments["centre_id"].value_counts()
        places = places - free["id"].astype(str).map(taken).fillna(0)
        parts.append(allocation.assignments)
    return Allocation(pd.concat(parts, ignore_index=True))


def _alone(trip: Trip, stop: Stop) -> Trip:
    """A trip of `trip`'s day with `stop` only."""
    return Trip(trip.coach, trip.day, [copy.deepcopy(stop)], vehicle_kind=trip.vehicle_kind)


def _place_trip(op: Operation, trip: Trip) -> str:
    """Give a new trip a free slot and bay (the earliest where it is legal) and a coach number."""
    if sum(t.day == trip.day for t in op.trips.values()) >= op.fleet.coaches_per_day:
        return ""
    lifts = sum(t.day == trip.day and t.vehicle_kind == ACCESSIBLE for t in op.trips.values())
    if trip.vehicle_kind == ACCESSIBLE and lifts >= op.fleet.accessible_coaches_per_day:
        return ""
    for slot, departure, bay in _slots(op, trip.day):
        trial = copy.deepcopy(trip)
        trial.departure_s, trial.slot, trial.bay = float(departure), slot, bay
        if op.retime(trial).legal:
            trial.coach = f"{trial.day}-C{_number(op, trial.day):02d}"
            op.trips[trial.coach] = trial
            return trial.coach
    return ""
