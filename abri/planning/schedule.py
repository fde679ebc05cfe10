"""Coach trips and the driver rules (EU Regulation 561/2006) that make them legal.

A trip leaves the origin in its boarding slot and drops people at up to a
few centres. Every road time is planned ``margin_pct`` % longer than the data
says; legality is judged on these planned times. One driver takes a 45 min
break after each 4.5 h of driving and drives at most 9 h (less the rules'
driving buffer); a longer trip takes a second driver (who drives while the
first rests, so no stop is needed) or is refused. People are dropped only
inside a centre's reception hours: a coach that arrives early waits. After
the last drop the coach drives back to the origin, either at once (when the
drivers' driving time allows it) or after the crew's daily rest at the last
centre.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from abri.constants import ORIGIN
from abri.inputs.scenario import Rules

ACCESSIBLE = "accessible"
"""``Trip.vehicle_kind`` of a coach with a lift and wheelchair places."""
LATE_ARRIVAL = "21:00"
"""Minors and vulnerable people should arrive before this hour (a later arrival is a shortfall)."""
LATE_GROUPS = ("minors", "vulnerable")
"""Groups the :data:`LATE_ARRIVAL` hour applies to."""


def clock_to_s(text: str) -> int:
    """``'07:30'`` -> seconds after midnight."""
    hours, minutes = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def s_to_clock(seconds: float) -> str:
    """Seconds after midnight -> ``'HH:MM'`` (``'+1d 01:10'`` past midnight)."""
    minutes = round(seconds / 60)
    day, minutes = divmod(minutes, 24 * 60)
    return f"{f'+{day}d ' if day else ''}{minutes // 60:02d}:{minutes % 60:02d}"


def margin(rules: Rules) -> float:
    """The factor from road data to planned road times (1.10 for a 10% margin)."""
    return 1 + rules.margin_pct / 100


def driver_limit_s(rules: Rules) -> float:
    """Planned driving time one driver may use: the legal limit less the buffer (s)."""
    return rules.max_driving_hours * 3600 - rules.driving_buffer_minutes * 60


def slot_departures(rules: Rules) -> list[int]:
    """Departure time (s after midnight) of each boarding slot, first to last."""
    first, last, step = (
        clock_to_s(rules.departure),
        clock_to_s(rules.last_departure),
        rules.boarding_minutes * 60,
    )
    return list(range(first, last + 1, step))


@dataclass
class Stop:
    """People dropped at one centre.

    ``leg_s`` and ``leg_km`` are the road data from the previous stop (or the
    origin); ``planned_leg_s`` is ``leg_s`` with the rules' margin.
    """

    centre_id: str
    people: list[str]
    groups: dict[str, int]
    leg_s: float = 0.0
    leg_km: float = 0.0
    arrival_s: float = 0.0
    breaks_before: int = 0
    households: list[list[str]] = field(default_factory=list)
    planned_leg_s: float = 0.0
    wheelchair_users: tuple[str, ...] = ()  # among `people`: they need an accessible coach

    @property
    def wheelchairs(self) -> int:
        """Wheelchair users getting off here."""
        return len(self.wheelchair_users)


@dataclass
class Trip:
    """One coach, one day, from the origin through its stops, and back.

    Times are seconds after midnight of the trip's day.

    Attributes
    ----------
    coach
        The trip's id (``<day>-C<n>``).
    vehicle
        The coach that runs it when the fleet is given coach by coach (``fleet.json`` ``coaches``), else empty.
    vehicle_kind
        :data:`ACCESSIBLE` for a coach with a lift and wheelchair places (fewer seats), else empty.
    slot, bay
        Boarding slot (0 = first) and loading bay (1..``bays``) at the origin; boarding starts at
        ``boarding_s`` and the coach leaves at ``departure_s``.
    driving_s, km
        Driving time and distance from the road data (the origin to the last stop).
    planned_driving_s
        ``driving_s`` with the margin: what legality is judged on.
    slack_driving_s
        Driving time the crew has left against the legal limit (9 h a driver) after the planned driving.
    slack_close_s
        The smallest gap between a planned arrival and its centre's closing time.
    return_s, return_km
        The way back (deadhead) from the last stop to the origin: road data (s, km).
    rest_where
        Where the crew takes its daily rest: ``'origin'`` (drove back first) or the last centre id.
    free_at_s, free_where
        When and where the coach is free again (back at the origin).
    drivers_free_at_s
        When the crew has had its daily rest and may drive again.
    notes
        Why the trip is not legal (empty for a legal trip).
    info
        Remarks that do not affect legality (e.g. a household split over coaches).
    """

    coach: str
    day: str
    stops: list[Stop]
    departure_s: float = 0.0
    drivers: int = 1
    driving_s: float = 0.0
    breaks: int = 0
    km: float = 0.0
    legal: bool = True
    notes: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)
    vehicle: str = ""
    vehicle_kind: str = ""
    slot: int = 0
    bay: int = 1
    boarding_s: float = 0.0
    planned_driving_s: float = 0.0
    slack_driving_s: float = 0.0
    slack_close_s: float = 0.0
    return_s: float = 0.0
    return_km: float = 0.0
    rest_where: str = ""
    free_at_s: float = 0.0
    free_where: str = ORIGIN
    drivers_free_at_s: float = 0.0

    @property
    def people(self) -> int:
        """People on board at departure."""
        return sum(len(s.people) for s in self.stops)

    @property
    def end_s(self) -> float:
        """Time of the last arrival."""
        return self.stops[-1].arrival_s if self.stops else self.departure_s


def reception_hours(centres: pd.DataFrame, rules: Rules) -> dict[str, tuple[int, int]]:
    """Opening and closing time (s after midnight) of each centre: its own, else the rules' default."""
    default = (clock_to_s(rules.reception_open), clock_to_s(rules.reception_close))
    hours = {}
    for cid, opens, closes in zip(
        centres["id"].astype(str), centres.get("opens", ""), centres.get("closes", "")
    ):
        hours[cid] = (
            clock_to_s(opens) if opens else default[0],
            clock_to_s(closes) if closes else default[1],
        )
    return hours


def _drive(
    legs: list[float],
    rules: Rules,
    drivers: int,
    start: float,
    opens_closes: list[tuple[int, int]],
    service: float,
) -> tuple[list[float], list[int]]:
    """Arrival times and breaks before each stop for planned `legs` leaving at `start`."""
    after, pause = rules.break_after_hours * 3600, rules.break_minutes * 60
    t, since_break = start, 0.0
    arrivals, breaks = [], []
    for leg, (opens, _) in zip(legs, opens_closes):
        remaining, n = leg, 0
        if drivers == 1 and since_break + remaining > after:
            n = math.ceil(
                (since_break + remaining - after) / after
            )  # breaks on this leg (after > 0: see check_rules)
            since_break = since_break + remaining - n * after
        else:
            since_break += remaining
        t += leg + n * pause
        arrival = max(t, opens)
        arrivals.append(arrival)
        breaks.append(n)
        t = arrival + service
    return arrivals, breaks


def schedule(
    trip: Trip,
    rules: Rules,
    *,
    hours: dict[str, tuple[int, int]] | None = None,
    departure_s: float | None = None,
    seats: int | None = None,
    wheelchair_places: int | None = None,
) -> Trip:
    """Fill in arrival times, breaks, drivers, slack and legality from the legs' planned driving times.

    `departure_s` is the trip's slot (default: the rules' first departure); with `seats`, a trip
    carrying more people is illegal; with `wheelchair_places`, so is a trip carrying wheelchair
    users on a coach that is not accessible, or more of them than an accessible coach's places.
    """
    hours = hours or {}
    default = (clock_to_s(rules.reception_open), clock_to_s(rules.reception_close))
    factor = margin(rules)
    for stop in trip.stops:
        stop.planned_leg_s = stop.leg_s * factor
    limit = driver_limit_s(rules)
    driving = sum(s.leg_s for s in trip.stops)
    planned = sum(s.planned_leg_s for s in trip.stops)
    trip.drivers = 1 if planned <= limit else 2
    trip.notes = []
    if trip.drivers == 2 and not rules.second_driver:
        trip.notes.append(
            f"refused: {planned / 3600:.2f} h of planned driving exceeds one driver's {limit / 3600:g} h and second drivers are off"
        )
    if planned > 2 * limit:
        trip.notes.append(
            f"illegal: {planned / 3600:.2f} h of planned driving exceeds two drivers' {2 * limit / 3600:g} h"
        )
    if seats is not None and trip.people > seats:
        trip.notes.append(
            f"illegal: {trip.people} people on board, more than the coach's {seats} seats"
        )
    if wheelchair_places is not None:
        _wheelchair_notes(trip, wheelchair_places)
    if len(trip.stops) > rules.max_stops:
        trip.notes.append(
            f"illegal: {len(trip.stops)} stops, more than the rules' {rules.max_stops}"
        )
    repeated = sorted(
        {s.centre_id for s in trip.stops if sum(o.centre_id == s.centre_id for o in trip.stops) > 1}
    )
    if repeated:
        trip.notes.append(f"illegal: stops twice at {', '.join(repeated)}")
    trip.departure_s = float(clock_to_s(rules.departure) if departure_s is None else departure_s)
    windows = [hours.get(s.centre_id, default) for s in trip.stops]
    arrivals, breaks = _drive(
        [s.planned_leg_s for s in trip.stops],
        rules,
        trip.drivers,
        trip.departure_s,
        windows,
        rules.service_minutes * 60,
    )
    for stop, arrival, n, (_, closes) in zip(trip.stops, arrivals, breaks, windows):
        stop.arrival_s, stop.breaks_before = arrival, n
        if arrival > closes:
            trip.notes.append(
                f"arrives at {stop.centre_id} at {s_to_clock(arrival)}, after it closes at {s_to_clock(closes)}"
            )
    trip.breaks = sum(breaks)
    trip.driving_s = driving
    trip.planned_driving_s = planned
    trip.km = sum(s.leg_km for s in trip.stops)
    trip.slack_driving_s = trip.drivers * rules.max_driving_hours * 3600 - planned
    trip.slack_close_s = min((closes - a for a, (_, closes) in zip(arrivals, windows)), default=0.0)
    trip.legal = not trip.notes
    return trip


def _wheelchair_notes(trip: Trip, places: int) -> None:
    """Notes of a trip whose wheelchair users have no lift or no place."""
    wheelchairs = sum(s.wheelchairs for s in trip.stops)
    if wheelchairs and trip.vehicle_kind != ACCESSIBLE:
        trip.notes.append(f"illegal: {wheelchairs} wheelchair user(s) on a coach without a lift")
    elif wheelchairs > places:
        trip.notes.append(
            f"illegal: {wheelchairs} wheelchair users, more than the coach's {places} wheelchair places"
        )


def legal_with_extra(
    trip: Trip, rules: Rules, extra_pct: float, *, hours: dict[str, tuple[int, int]] | None = None
) -> bool:
    """Whether `trip`, with its crew and departure, stays legal when every road time is `extra_pct` % longer than the data.

    Judged against the legal limits themselves (9 h a driver, the closing
    times), without the planning margin or the driving buffer.
    """
    if not trip.legal:
        return False
    hours = hours or {}
    default = (clock_to_s(rules.reception_open), clock_to_s(rules.reception_close))
    legs = [s.leg_s * (1 + extra_pct / 100) for s in trip.stops]
    if sum(legs) > trip.drivers * rules.max_driving_hours * 3600:
        return False
    windows = [hours.get(s.centre_id, default) for s in trip.stops]
    arrivals, _ = _drive(
        legs, rules, trip.drivers, trip.departure_s, windows, rules.service_minutes * 60
    )
    return all(a <= closes for a, (_, closes) in zip(arrivals, windows))


MAX_DAYS_BACK = 30
"""A way back needing more days of driving than this is refused (a rule of next to no driving time)."""


def after_drop(trip: Trip, rules: Rules, return_s: float, return_km: float) -> Trip:
    """The way back to the origin, the crew's daily rest, and when coach and crew are free.

    The crew drives back at once when its planned driving allows it (then
    rests at the origin); otherwise it takes its daily rest at the last
    centre and drives back afterwards. One driver breaks
    ``break_minutes`` per ``break_after_hours`` of driving on the way back.
    """
    trip.return_s, trip.return_km = return_s, return_km
    if not trip.stops:
        trip.rest_where, trip.free_at_s, trip.drivers_free_at_s = (
            ORIGIN,
            trip.departure_s,
            trip.departure_s,
        )
        return trip
    after, pause, rest = (
        rules.break_after_hours * 3600,
        rules.break_minutes * 60,
        rules.daily_rest_hours * 3600,
    )
    planned_back = return_s * margin(rules)
    limit = driver_limit_s(rules)
    unloaded = trip.end_s + rules.service_minutes * 60
    if trip.planned_driving_s + planned_back <= trip.drivers * limit:
        total = trip.planned_driving_s + planned_back
        extra_breaks = (
            max(0, math.ceil(total / after) - 1 - trip.breaks) if trip.drivers == 1 else 0
        )
        back = unloaded + planned_back + extra_breaks * pause
        trip.rest_where, trip.free_at_s, trip.drivers_free_at_s = ORIGIN, back, back + rest
        return trip
    # daily rest at the last centre, then as many days of driving as the way back takes (counted, not looped)
    per_day = trip.drivers * limit
    t = unloaded + rest
    if per_day <= 0 or planned_back / per_day > MAX_DAYS_BACK:
        trip.notes.append(
            f"the crew cannot drive back within {MAX_DAYS_BACK} days (max_driving_hours less the driving buffer is "
            f"{limit / 3600:.3g} h a driver)"
        )
        trip.legal = False
    else:
        full_days, last = divmod(planned_back, per_day)
        days = [per_day] * int(full_days) + ([last] if last > 0 else [])
        for n, today in enumerate(days):
            breaks = max(0, math.ceil(today / after) - 1) if trip.drivers == 1 else 0
            t += today + breaks * pause + (rest if n < len(days) - 1 else 0)
    trip.rest_where, trip.free_at_s, trip.drivers_free_at_s = trip.stops[-1].centre_id, t, t
    return trip
