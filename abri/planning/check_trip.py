"""The independent check of one trip: seats, stops, people, driving, drivers, breaks, hours.

Trusts nothing the planner computed: legs are re-timed from the matrices,
breaks and reception hours re-derived from the rules (see
:mod:`abri.planning.check`).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from abri.constants import ORIGIN
from abri.planning.schedule import ACCESSIBLE

TIME_TOLERANCE_S = 60.0
"""Clock differences below this many seconds are rounding, not errors."""
KM_TOLERANCE = 0.01
"""Relative difference allowed between a trip's km and the matrix's."""
CHECK_PREFIX = "check: "


def clock(text: str) -> float | None:
    """``'HH:MM'`` -> seconds after midnight, None when malformed."""
    try:
        hours, minutes = str(text).strip().split(":")
        h, m = int(hours), int(minutes)
    except ValueError:
        return None
    return h * 3600.0 + m * 60.0 if 0 <= h <= 24 and 0 <= m < 60 else None


def _date(value: object) -> date | None:
    """``'2016-10-24'`` -> a date; None when empty or not a date."""
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def hhmm(seconds: float) -> str:
    minutes = round(seconds / 60)
    day, minutes = divmod(minutes, 24 * 60)
    return f"{f'+{day}d ' if day else ''}{minutes // 60:02d}:{minutes % 60:02d}"


def centre_table(centres: pd.DataFrame) -> pd.DataFrame:
    """The centre list indexed by id (as text), one row per id."""
    frame = pd.DataFrame(centres).copy()
    frame["id"] = frame["id"].astype(str)
    return frame.drop_duplicates("id").set_index("id")


def centre_hours(
    centres: pd.DataFrame, open_s: float | None, close_s: float | None
) -> dict[str, tuple[float | None, float | None]]:
    """Reception hours per centre from its own columns, else the rules' (None when malformed)."""
    out: dict[str, tuple[float | None, float | None]] = {}
    for cid, row in centres.iterrows():
        opens = row.get("opens", "") if "opens" in centres.columns else ""
        closes = row.get("closes", "") if "closes" in centres.columns else ""
        out[str(cid)] = (
            clock(opens) if isinstance(opens, str) and opens else open_s,
            clock(closes) if isinstance(closes, str) and closes else close_s,
        )
    return out


def _matrix(frame: pd.DataFrame | None, a: str, b: str) -> float:
    if frame is None or a not in frame.index or b not in frame.columns:
        return float("nan")
    return float(frame.at[a, b])


Person = tuple[str, str, str, str]  # centre_id, day, group, household


def _shape_problems(trip: Any, rules: Any, fleet: Any) -> list[str]:
    """Seats, stops, a centre twice, the fleet's days."""
    problems: list[str] = []
    if not trip.stops:
        problems.append("no stop")
    on_board = sum(len(s.people) for s in trip.stops)
    if getattr(trip, "vehicle_kind", "") == ACCESSIBLE:
        places = fleet.accessible_seats + fleet.wheelchair_places
        if on_board > places:
            problems.append(
                f"{on_board} people on board, more than the accessible coach's {places} places "
                f"({fleet.accessible_seats} seats + {fleet.wheelchair_places} wheelchair places)"
            )
    elif on_board > fleet.seats:
        problems.append(f"{on_board} people on board, more than the coach's {fleet.seats} seats")
    if len(trip.stops) > rules.max_stops:
        problems.append(f"{len(trip.stops)} stops, more than the rules' {rules.max_stops}")
    repeated = [c for c, n in Counter(s.centre_id for s in trip.stops).items() if n > 1]
    if repeated:
        problems.append(f"stops twice at {', '.join(repeated)}")
    if fleet.days and trip.day not in fleet.days:
        problems.append(f"day {trip.day} is not one of the fleet's days ({', '.join(fleet.days)})")
    return problems


def _opening_problem(trip: Any, stop: Any, centres: pd.DataFrame) -> list[str]:
    """A drop before the centre's opening date."""
    cid = stop.centre_id
    opens_on = _date(centres.at[cid, "opens_on"]) if "opens_on" in centres.columns else None
    start = _date(trip.day)
    if opens_on is None or start is None:
        return []
    arrives = start + timedelta(days=int(stop.arrival_s // 86400))
    return (
        [f"arrives at {cid} on {arrives}, before it opens on {opens_on}"]
        if arrives < opens_on
        else []
    )


def _stop_problems(
    trip: Any, stop: Any, centres: pd.DataFrame, people: dict[str, Person]
) -> list[str]:
    """The people dropped at one stop: placed there, that day, in an accepted group; the manifest's counts."""
    cid = stop.centre_id
    if cid not in centres.index:
        return [f"stop at {cid}, which is not in the centre list"]
    problems = _opening_problem(trip, stop, centres)
    known = [p for p in stop.people if p in people]
    unknown = [p for p in stop.people if p not in people]
    if unknown:
        problems.append(
            f"{len(unknown)} people at {cid} are not in the allocation ({', '.join(unknown[:5])})"
        )
    elsewhere = [p for p in known if people[p][0] != cid]
    if elsewhere:
        problems.append(
            f"{len(elsewhere)} people dropped at {cid} are allocated elsewhere ({', '.join(elsewhere[:5])})"
        )
    other_day = [p for p in known if people[p][1] != str(trip.day)]
    if other_day:
        problems.append(
            f"{len(other_day)} people at {cid} travel on another day than {trip.day} ({', '.join(other_day[:5])})"
        )
    if "groups" in centres.columns:
        accepted = set(str(centres.at[cid, "groups"]).split(";"))
        refused = sorted({people[p][2] for p in known} - accepted)
        if refused:
            problems.append(
                f"{cid} does not accept group(s) {', '.join(refused)} (accepts {';'.join(sorted(accepted))})"
            )
    counts = dict(Counter(people[p][2] for p in known))
    declared = {g: n for g, n in stop.groups.items() if n}
    if not unknown and counts != declared:
        problems.append(f"manifest at {cid} counts {declared} but its people are {counts}")
    return problems


def trip_problems(
    trip: Any,
    plan: Any,
    times: pd.DataFrame,
    km: pd.DataFrame | None,
    centres: pd.DataFrame,
    hours: dict[str, tuple[float | None, float | None]],
    people: dict[str, Person],
) -> list[str]:
    """Every rule one trip breaks, judged from the matrices, the centre list and the rules."""
    problems = _shape_problems(trip, plan.rules, plan.fleet)
    for stop in trip.stops:
        problems += _stop_problems(trip, stop, centres, people)
    return problems + time_problems(trip, plan.rules, times, km, hours)


def _legs(
    trip: Any, times: pd.DataFrame, km: pd.DataFrame | None
) -> tuple[list[tuple[float, float]], list[str]]:
    """Each leg's road time (s) and distance (m) from the matrices, and the legs missing there."""
    legs, problems = [], []
    previous = ORIGIN
    for stop in trip.stops:
        legs.append(
            (_matrix(times, previous, stop.centre_id), _matrix(km, previous, stop.centre_id))
        )
        if not np.isfinite(legs[-1][0]):
            problems.append(
                f"no road from {previous} to {stop.centre_id} in the travel-time matrix"
            )
        previous = stop.centre_id
    return legs, problems


def _driving_problems(
    trip: Any, rules: Any, legs: list[tuple[float, float]], with_km: bool
) -> list[str]:
    """Driving time and km against the matrices; the drivers the driving needs."""
    problems: list[str] = []
    driving = sum(t for t, _ in legs)
    if abs(driving - trip.driving_s) > TIME_TOLERANCE_S:
        problems.append(
            f"driving time {trip.driving_s / 3600:.2f} h differs from the matrix's {driving / 3600:.2f} h"
        )
    total_km = sum(d for _, d in legs) / 1000
    if with_km and abs(total_km - trip.km) > max(1.0, KM_TOLERANCE * total_km):
        problems.append(f"{trip.km:.1f} km differs from the matrix's {total_km:.1f} km")
    limit, hours = rules.max_driving_hours * 3600, f"{driving / 3600:.2f} h of driving exceeds"
    if driving > limit + TIME_TOLERANCE_S:
        if not rules.second_driver:
            problems.append(
                f"{hours} one driver's {rules.max_driving_hours:g} h and second drivers are off"
            )
        elif driving > 2 * limit + TIME_TOLERANCE_S:
            problems.append(f"{hours} two drivers' {2 * rules.max_driving_hours:g} h")
        elif trip.drivers < 2:
            problems.append(
                f"{hours} one driver's {rules.max_driving_hours:g} h with {trip.drivers} driver"
            )
    if trip.drivers not in (1, 2) or (trip.drivers == 2 and not rules.second_driver):
        problems.append(
            f"{trip.drivers} drivers; the rules allow {'1 or 2' if rules.second_driver else '1'}"
        )
    return problems


def _hours_problem(stop: Any, hours: dict[str, tuple[float | None, float | None]]) -> list[str]:
    """An arrival outside the centre's reception hours."""
    opens, closes = hours.get(stop.centre_id, (None, None))
    if opens is None or closes is None:
        return [f"reception hours of {stop.centre_id} are not valid clock times"]
    if opens - TIME_TOLERANCE_S <= stop.arrival_s <= closes + TIME_TOLERANCE_S:
        return []
    return [
        f"arrives at {stop.centre_id} at {hhmm(stop.arrival_s)}, outside its reception hours "
        f"{hhmm(opens)}-{hhmm(closes)}"
    ]


def _timeline(trip: Any, rules: Any, legs: list[tuple[float, float]]) -> list[tuple[Any, float]]:
    """Each stop with the earliest arrival driving and breaks allow.

    One driver rests `break_minutes` after `break_after_hours` of driving; any stop or
    wait as long as a break counts as one (a lower bound of every legal schedule).
    Planned road times carry the rules' margin.
    """
    factor = 1 + float(getattr(rules, "margin_pct", 0.0)) / 100
    after, pause = rules.break_after_hours * 3600, rules.break_minutes * 60
    one_driver = trip.drivers < 2
    out = []
    t, since_break = float(trip.departure_s), 0.0
    for stop, (data_leg, _) in zip(trip.stops, legs):
        leg = data_leg * factor
        breaks = 0
        if one_driver and after > 0 and since_break + leg > after + TIME_TOLERANCE_S:
            breaks = int(np.ceil((since_break + leg - TIME_TOLERANCE_S) / after)) - 1
        earliest = t + leg + breaks * pause
        out.append((stop, earliest))
        idle = max(stop.arrival_s - earliest, 0.0) + rules.service_minutes * 60
        since_break = 0.0 if idle >= pause else since_break + leg - breaks * after
        t = max(stop.arrival_s, earliest) + rules.service_minutes * 60
    return out


def _arrival_problems(
    trip: Any,
    rules: Any,
    legs: list[tuple[float, float]],
    hours: dict[str, tuple[float | None, float | None]],
) -> list[str]:
    """Arrivals no earlier than driving (with the rules' margin) and one driver's breaks allow; inside reception hours."""
    if trip.drivers < 2 and rules.break_after_hours * 3600 <= 0:
        return [
            f"the rules' break_after_hours is {rules.break_after_hours}; one driver cannot drive"
        ]
    problems = []
    if not 0 <= trip.departure_s < 24 * 3600:
        problems.append(f"departs at {hhmm(trip.departure_s)}, outside the day")
    for stop, earliest in _timeline(trip, rules, legs):
        if stop.arrival_s < earliest - TIME_TOLERANCE_S:
            problems.append(
                f"arrives at {stop.centre_id} at {hhmm(stop.arrival_s)}, before driving and breaks allow ({hhmm(earliest)})"
            )
        problems += _hours_problem(stop, hours)
    return problems


def stop_rides(trip: Any, rules: Any, times: pd.DataFrame) -> list[tuple[Any, float]]:
    """Each stop with its people's ride (s): departure to the later of the planned arrival and the earliest driving and breaks allow.

    Stops after a leg missing from the matrix keep their planned arrival.
    """
    legs, _ = _legs(trip, times, None)
    timeline = _timeline(trip, rules, legs)
    return [
        (stop, max(stop.arrival_s, earliest if np.isfinite(earliest) else 0.0) - trip.departure_s)
        for stop, earliest in timeline
    ]


def time_problems(
    trip: Any,
    rules: Any,
    times: pd.DataFrame,
    km: pd.DataFrame | None,
    hours: dict[str, tuple[float | None, float | None]],
) -> list[str]:
    """Driving time, drivers, breaks and reception hours, re-timed from the matrix."""
    legs, problems = _legs(trip, times, km)
    if problems or not trip.stops:
        return problems
    return _driving_problems(trip, rules, legs, km is not None) + _arrival_problems(
        trip, rules, legs, hours
    )
