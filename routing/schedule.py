"""Coach trips and the driver rules (EU Regulation 561/2006) that make them legal.

A trip leaves the origin at the day's departure time and drops people at up
to a few centres. One driver takes a 45 min break after each 4.5 h of
driving and drives at most 9 h; a longer trip takes a second driver (who
drives while the first rests, so no stop is needed) or is refused. People
are dropped only inside a centre's reception hours: a coach that arrives
early waits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from abri.geo.scenario import Rules


def clock_to_s(text: str) -> int:
    """``'07:30'`` -> seconds after midnight."""
    hours, minutes = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def s_to_clock(seconds: float) -> str:
    """Seconds after midnight -> ``'HH:MM'`` (``'+1d 01:10'`` past midnight)."""
    minutes = int(round(seconds / 60))
    day, minutes = divmod(minutes, 24 * 60)
    return f"{f'+{day}d ' if day else ''}{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass
class Stop:
    """People dropped at one centre."""

    centre_id: str
    people: list[str]
    groups: dict[str, int]
    leg_s: float = 0.0
    leg_km: float = 0.0
    arrival_s: float = 0.0
    breaks_before: int = 0
    households: list[list[str]] = field(default_factory=list)


@dataclass
class Trip:
    """One coach, one day, from the origin through its stops."""

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
    for cid, opens, closes in zip(centres["id"].astype(str), centres.get("opens", ""), centres.get("closes", "")):
        hours[cid] = (clock_to_s(opens) if opens else default[0], clock_to_s(closes) if closes else default[1])
    return hours


def schedule(trip: Trip, rules: Rules, *, hours: dict[str, tuple[int, int]] | None = None) -> Trip:
    """Fill in arrival times, breaks, drivers and legality from the legs' driving times."""
    hours = hours or {}
    default = (clock_to_s(rules.reception_open), clock_to_s(rules.reception_close))
    limit = rules.max_driving_hours * 3600
    driving = sum(s.leg_s for s in trip.stops)
    trip.drivers = 1 if driving <= limit else 2
    trip.notes = []
    if trip.drivers == 2 and not rules.second_driver:
        trip.notes.append(f"refused: {driving / 3600:.1f} h of driving exceeds {rules.max_driving_hours:g} h and second drivers are off")
    if driving > 2 * limit:
        trip.notes.append(f"illegal: {driving / 3600:.1f} h of driving exceeds two drivers' {2 * rules.max_driving_hours:g} h")
    after, pause = rules.break_after_hours * 3600, rules.break_minutes * 60
    t: float = clock_to_s(rules.departure)
    trip.departure_s = t
    since_break = 0.0
    trip.breaks = 0
    for stop in trip.stops:
        remaining = stop.leg_s
        stop.breaks_before = 0
        while trip.drivers == 1 and since_break + remaining > after:
            step = after - since_break
            t += step + pause
            remaining -= step
            since_break = 0.0
            stop.breaks_before += 1
        t += remaining
        since_break += remaining
        opens, closes = hours.get(stop.centre_id, default)
        stop.arrival_s = max(t, opens)
        if stop.arrival_s > closes:
            trip.notes.append(f"arrives at {stop.centre_id} at {s_to_clock(stop.arrival_s)}, after it closes at {s_to_clock(closes)}")
        t = stop.arrival_s + rules.service_minutes * 60
        trip.breaks += stop.breaks_before
    trip.driving_s = driving
    trip.km = sum(s.leg_km for s in trip.stops)
    trip.legal = not trip.notes
    return trip
