"""An independent check of a coach plan, run before any plan is written.

The planner (:mod:`abri.planning.plan`, :mod:`abri.planning.schedule`) builds
trips; this module trusts none of what it computed. For every trip it goes
back to the travel-time and distance matrices, the centre list and the rules:

- **seats**: people on board <= the coach's seats;
- **stops**: at most ``max_stops``, each centre at most once per trip;
- **people**: everyone on board is placed at that centre, on that day, in a
  group the centre accepts, and travels on one coach only; a household is
  never split between coaches or stops; the manifest's counts by group are
  the people's groups;
- **driving**: legs re-timed from the matrix; one driver drives at most
  ``max_driving_hours``, two drivers (if the rules allow them) twice that;
- **times**: no arrival earlier than driving and the breaks one driver
  needs allow (45 min after 4.5 h of driving, by default); every arrival
  inside the centre's reception hours;
- **the day**: a day of the fleet (and not before the centre opens), no more
  coaches that day than the fleet has, nor leaving together than the origin has boarding bays.

For the plan as a whole: no centre gets more people than its capacity, every
person left behind has a reason, and the **accounting identity** holds::

    people in the people file = carried + not carried + unplaced + rows set aside

A trip that fails is marked illegal with the reason (:func:`mark_illegal`);
every failure is an error of the :class:`PlanCheck`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from abri.constants import ORIGIN
from abri.planning.plan import Plan

TIME_TOLERANCE_S = 60.0
"""Clock differences below this many seconds are rounding, not errors."""
KM_TOLERANCE = 0.01
"""Relative difference allowed between a trip's km and the matrix's."""
CHECK_PREFIX = "check: "


def _clock(text: str) -> float | None:
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


def _hhmm(seconds: float) -> str:
    minutes = round(seconds / 60)
    day, minutes = divmod(minutes, 24 * 60)
    return f"{f'+{day}d ' if day else ''}{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass
class Accounting:
    """Where every row of the people file went.

    ``people_in = carried + not_carried + unplaced + rejected`` must hold,
    and every person left behind must have a reason.

    Examples
    --------
    >>> a = Accounting(
    ...     people_in=5,
    ...     rejected=1,
    ...     carried=3,
    ...     not_carried={},
    ...     unplaced={"no places left for group 'men'": 1},
    ... )
    >>> a.ok, a.balance
    (True, 0)
    >>> print(a)
    5 people in = 3 carried + 0 not carried + 1 unplaced + 1 rows set aside
    """

    people_in: int
    rejected: int
    carried: int
    not_carried: dict[str, int]
    unplaced: dict[str, int]
    lost: list[str] = field(
        default_factory=list
    )  # placed people neither carried nor listed as not carried
    source: str = "people file"

    @property
    def balance(self) -> int:
        """People in minus everyone accounted for: 0 when the identity holds."""
        return self.people_in - (
            self.carried
            + sum(self.not_carried.values())
            + sum(self.unplaced.values())
            + self.rejected
        )

    @property
    def ok(self) -> bool:
        """True when the identity holds, nobody is lost and every reason is given."""
        return (
            self.balance == 0
            and not self.lost
            and "" not in self.not_carried
            and "" not in self.unplaced
        )

    def __str__(self) -> str:
        text = (
            f"{self.people_in:,} people in = {self.carried:,} carried + {sum(self.not_carried.values()):,} not carried + "
            f"{sum(self.unplaced.values()):,} unplaced + {self.rejected:,} rows set aside"
        )
        if self.balance:
            text += f"; {abs(self.balance):,} {'missing' if self.balance > 0 else 'counted twice'}"
        return text

    def lines(self) -> list[str]:
        """The identity, then one line per reason (for the command line)."""
        out = [f"accounting: {self}"]
        out += [
            f"  not carried {n:,}: {reason or '(no reason given)'}"
            for reason, n in sorted(self.not_carried.items())
        ]
        out += [
            f"  unplaced {n:,}: {reason or '(no reason given)'}"
            for reason, n in sorted(self.unplaced.items())
        ]
        if self.lost:
            out.append(
                f"  lost {len(self.lost):,}: placed but on no coach and not listed as not carried ({', '.join(self.lost[:10])})"
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, for ``plan.json``."""
        return {
            "people_in": self.people_in,
            "source": self.source,
            "carried": self.carried,
            "not_carried": sum(self.not_carried.values()),
            "unplaced": sum(self.unplaced.values()),
            "rejected_rows": self.rejected,
            "balance": self.balance,
            "ok": self.ok,
            "not_carried_by_reason": dict(sorted(self.not_carried.items())),
            "unplaced_by_reason": dict(sorted(self.unplaced.items())),
            "lost": self.lost,
        }


@dataclass
class PlanCheck:
    """What :func:`check_plan` found: problems per trip, problems of the plan, the accounting.

    Examples
    --------
    >>> check = check_plan(plan, times=times, km=km, centres=centres)  # doctest: +SKIP
    >>> check.ok, check.accounting.balance  # doctest: +SKIP
    (True, 0)
    """

    trips: dict[str, list[str]]
    plan: list[str]
    accounting: Accounting

    @property
    def errors(self) -> list[str]:
        """Every failure, trip problems first (``'<coach>: <reason>'``)."""
        return (
            [f"{coach}: {p}" for coach, problems in self.trips.items() for p in problems]
            + self.plan
            + ([] if self.accounting.ok else [f"accounting identity fails: {self.accounting}"])
        )

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.errors

    @property
    def illegal_trips(self) -> list[str]:
        """Coaches with at least one problem."""
        return [coach for coach, problems in self.trips.items() if problems]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, for ``plan.json``."""
        return {
            "ok": self.ok,
            "errors": len(self.errors),
            "trip_problems": {c: p for c, p in self.trips.items() if p},
            "plan_problems": self.plan,
        }

    def __repr__(self) -> str:
        return f"PlanCheck({'ok' if self.ok else f'{len(self.errors)} errors'}; {self.accounting})"


def _centre_table(centres: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(centres).copy()
    frame["id"] = frame["id"].astype(str)
    return frame.drop_duplicates("id").set_index("id")


def _hours(
    centres: pd.DataFrame, open_s: float | None, close_s: float | None
) -> dict[str, tuple[float | None, float | None]]:
    """Reception hours per centre from its own columns, else the rules' (None when malformed)."""
    out: dict[str, tuple[float | None, float | None]] = {}
    for cid, row in centres.iterrows():
        opens = row.get("opens", "") if "opens" in centres.columns else ""
        closes = row.get("closes", "") if "closes" in centres.columns else ""
        out[str(cid)] = (
            _clock(opens) if isinstance(opens, str) and opens else open_s,
            _clock(closes) if isinstance(closes, str) and closes else close_s,
        )
    return out


def _matrix(frame: pd.DataFrame | None, a: str, b: str) -> float:
    if frame is None or a not in frame.index or b not in frame.columns:
        return float("nan")
    return float(frame.at[a, b])


Person = tuple[str, str, str, str]  # centre_id, day, group, household


def _trip_problems(
    trip: Any,
    plan: Plan,
    times: pd.DataFrame,
    km: pd.DataFrame | None,
    centres: pd.DataFrame,
    hours: dict[str, tuple[float | None, float | None]],
    people: dict[str, Person],
) -> list[str]:
    rules, fleet = plan.rules, plan.fleet
    problems: list[str] = []
    if not trip.stops:
        problems.append("no stop")
    on_board = sum(len(s.people) for s in trip.stops)
    if on_board > fleet.seats:
        problems.append(f"{on_board} people on board, more than the coach's {fleet.seats} seats")
    if len(trip.stops) > rules.max_stops:
        problems.append(f"{len(trip.stops)} stops, more than the rules' {rules.max_stops}")
    repeated = [c for c, n in Counter(s.centre_id for s in trip.stops).items() if n > 1]
    if repeated:
        problems.append(f"stops twice at {', '.join(repeated)}")
    if fleet.days and trip.day not in fleet.days:
        problems.append(f"day {trip.day} is not one of the fleet's days ({', '.join(fleet.days)})")
    # people: placed there, that day, in an accepted group; manifest counts
    for stop in trip.stops:
        cid = stop.centre_id
        if cid not in centres.index:
            problems.append(f"stop at {cid}, which is not in the centre list")
            continue
        accepted = (
            set(str(centres.at[cid, "groups"]).split(";")) if "groups" in centres.columns else None
        )
        opens_on = _date(centres.at[cid, "opens_on"]) if "opens_on" in centres.columns else None
        start = _date(trip.day)
        if (
            opens_on is not None
            and start is not None
            and start + timedelta(days=int(stop.arrival_s // 86400)) < opens_on
        ):
            problems.append(
                f"arrives at {cid} on {start + timedelta(days=int(stop.arrival_s // 86400))}, before it opens on {opens_on}"
            )
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
        if accepted is not None:
            refused = sorted({people[p][2] for p in known} - accepted)
            if refused:
                problems.append(
                    f"{cid} does not accept group(s) {', '.join(refused)} (accepts {';'.join(sorted(accepted))})"
                )
        counts = dict(Counter(people[p][2] for p in known))
        declared = {g: n for g, n in stop.groups.items() if n}
        if not unknown and counts != declared:
            problems.append(f"manifest at {cid} counts {declared} but its people are {counts}")
    problems += _time_problems(trip, rules, times, km, hours)
    return problems


def _time_problems(  # noqa: C901 - one branch per rule; split with the check (issue 22)
    trip: Any,
    rules: Any,
    times: pd.DataFrame,
    km: pd.DataFrame | None,
    hours: dict[str, tuple[float | None, float | None]],
) -> list[str]:
    """Driving time, drivers, breaks and reception hours, re-timed from the matrix."""
    problems: list[str] = []
    legs = []
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
    if problems or not trip.stops:
        return problems
    driving = sum(t for t, _ in legs)
    if abs(driving - trip.driving_s) > TIME_TOLERANCE_S:
        problems.append(
            f"driving time {trip.driving_s / 3600:.2f} h differs from the matrix's {driving / 3600:.2f} h"
        )
    if km is not None:
        total_km = sum(d for _, d in legs) / 1000
        if abs(total_km - trip.km) > max(1.0, KM_TOLERANCE * total_km):
            problems.append(f"{trip.km:.1f} km differs from the matrix's {total_km:.1f} km")
    limit = rules.max_driving_hours * 3600
    if driving > limit + TIME_TOLERANCE_S:
        if not rules.second_driver:
            problems.append(
                f"{driving / 3600:.2f} h of driving exceeds one driver's {rules.max_driving_hours:g} h and second drivers are off"
            )
        elif driving > 2 * limit + TIME_TOLERANCE_S:
            problems.append(
                f"{driving / 3600:.2f} h of driving exceeds two drivers' {2 * rules.max_driving_hours:g} h"
            )
        elif trip.drivers < 2:
            problems.append(
                f"{driving / 3600:.2f} h of driving exceeds one driver's {rules.max_driving_hours:g} h with {trip.drivers} driver"
            )
    if trip.drivers not in (1, 2) or (trip.drivers == 2 and not rules.second_driver):
        problems.append(
            f"{trip.drivers} drivers; the rules allow {'1 or 2' if rules.second_driver else '1'}"
        )
    # earliest possible arrivals: road times with the rules' planning margin (if any); one driver rests `break_minutes`
    # after `break_after_hours` of driving; any stop or wait as long as a break counts as one (a lower bound of every legal schedule)
    factor = 1 + float(getattr(rules, "margin_pct", 0.0)) / 100
    after, pause, service = (
        rules.break_after_hours * 3600,
        rules.break_minutes * 60,
        rules.service_minutes * 60,
    )
    one_driver = trip.drivers < 2
    if one_driver and after <= 0:
        return [
            *problems,
            f"the rules' break_after_hours is {rules.break_after_hours}; one driver cannot drive",
        ]
    if not 0 <= trip.departure_s < 24 * 3600:
        problems.append(f"departs at {_hhmm(trip.departure_s)}, outside the day")
    t, since_break = float(trip.departure_s), 0.0
    for stop, (data_leg, _) in zip(trip.stops, legs):
        leg = data_leg * factor
        breaks = 0
        if one_driver and since_break + leg > after + TIME_TOLERANCE_S:
            breaks = int(np.ceil((since_break + leg - TIME_TOLERANCE_S) / after)) - 1
        earliest = t + leg + breaks * pause
        if stop.arrival_s < earliest - TIME_TOLERANCE_S:
            problems.append(
                f"arrives at {stop.centre_id} at {_hhmm(stop.arrival_s)}, before driving and breaks allow ({_hhmm(earliest)})"
            )
        opens, closes = hours.get(stop.centre_id, (None, None))
        if opens is None or closes is None:
            problems.append(f"reception hours of {stop.centre_id} are not valid clock times")
        elif (
            stop.arrival_s < opens - TIME_TOLERANCE_S or stop.arrival_s > closes + TIME_TOLERANCE_S
        ):
            problems.append(
                f"arrives at {stop.centre_id} at {_hhmm(stop.arrival_s)}, outside its reception hours "
                f"{_hhmm(opens)}-{_hhmm(closes)}"
            )
        idle = max(stop.arrival_s - earliest, 0.0) + service
        since_break = 0.0 if idle >= pause else since_break + leg - breaks * after
        t = max(stop.arrival_s, earliest) + service
    return problems


def check_plan(  # noqa: C901 - split below
    plan: Plan,
    *,
    times: pd.DataFrame,
    km: pd.DataFrame | None,
    centres: pd.DataFrame,
    people_in: int | None = None,
    rejected: int = 0,
    source: str = "people file",
) -> PlanCheck:
    """Check every trip and the plan as a whole against the matrices, the centre list and the rules.

    Parameters
    ----------
    plan
        The plan to check (its trips are not changed; see :func:`mark_illegal`).
    times, km
        Door-to-door driving time (s) and distance (m) with ``ORIGIN`` and centre ids on both axes.
    centres
        Validated centres: ``id``, ``capacity``, ``groups`` and optionally ``opens``/``closes``.
    people_in, rejected
        Rows of the people file and rows it set aside (default: the allocation's people, none set aside).
    source
        What `people_in` counts, for messages (e.g. the people file's path).

    Returns
    -------
    PlanCheck
        Problems per trip, problems of the plan, and the :class:`Accounting`.

    Examples
    --------
    >>> check = check_plan(
    ...     run.plan, times=run.times, km=run.km, centres=run.centres
    ... )  # doctest: +SKIP
    >>> check.ok  # doctest: +SKIP
    True
    """
    table = _centre_table(centres)
    rules = plan.rules
    hours = _hours(table, _clock(rules.reception_open), _clock(rules.reception_close))
    assignments = plan.allocation.assignments
    people = (
        assignments.assign(person_id=assignments["person_id"].astype(str))
        .drop_duplicates("person_id")
        .set_index("person_id")
    )
    household = (
        people["household"].astype(str)
        if "household" in people.columns
        else pd.Series(people.index, index=people.index)
    )
    person: dict[str, Person] = dict(
        zip(
            people.index,
            zip(
                people["centre_id"].astype(str).tolist(),
                people["day"].astype(str).tolist(),
                people["group"].astype(str).tolist(),
                household.tolist(),
            ),
        )
    )
    trip_problems: dict[str, list[str]] = {}
    for trip in plan.trips:
        key = trip.coach if trip.coach not in trip_problems else f"{trip.coach} ({trip.day})"
        trip_problems[key] = _trip_problems(trip, plan, times, km, table, hours, person)
    plan_problems: list[str] = []
    # one coach each, households together
    where: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for trip in plan.trips:
        for stop in trip.stops:
            for p in stop.people:
                where[p].append((trip.coach, stop.centre_id))
    twice = sorted(p for p, w in where.items() if len(w) > 1)
    if twice:
        plan_problems.append(
            f"{len(twice)} people are on more than one coach or stop ({', '.join(twice[:10])})"
        )
    seats_of: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for p, places in where.items():
        if p in person:
            seats_of[person[p][3]].add(places[0])
    for household, seats in sorted(seats_of.items()):
        if len(seats) > 1:
            plan_problems.append(
                f"household {household} is split between {', '.join(f'{c} at {s}' for c, s in sorted(seats))}"
            )
            for coach in sorted({c for c, _ in seats}):
                trip_problems.setdefault(coach, []).append(
                    f"household {household} is split between coaches or stops"
                )
    # the fleet per day
    per_day = Counter(t.day for t in plan.trips)
    for day, n in sorted(per_day.items()):
        if n > plan.fleet.coaches_per_day:
            plan_problems.append(
                f"{n} coaches on {day}, more than the fleet's {plan.fleet.coaches_per_day}"
            )
            for trip in [t for t in plan.trips if t.day == day][plan.fleet.coaches_per_day :]:
                trip_problems[trip.coach].append(
                    f"coach beyond the fleet's {plan.fleet.coaches_per_day} on {day}"
                )
    # boarding: no more coaches leave together than the origin has bays
    bays = getattr(plan.rules, "bays", None)
    if isinstance(bays, int) and bays > 0:
        for (day, departure), n in sorted(
            Counter((t.day, round(t.departure_s)) for t in plan.trips).items()
        ):
            if n > bays:
                plan_problems.append(
                    f"{n} coaches leave at {_hhmm(departure)} on {day}, more than the origin's {bays} boarding bays"
                )
    # capacity: people allocated and people carried per centre
    placed = people[people["centre_id"] != ""]
    capacity = (
        pd.to_numeric(table["capacity"], errors="coerce")
        if "capacity" in table.columns
        else pd.Series(dtype=float)
    )
    for what, counts in (
        ("allocated", placed.groupby("centre_id").size()),
        (
            "carried",
            pd.Series(
                Counter(s.centre_id for t in plan.trips for s in t.stops for _ in s.people),
                dtype=int,
            ),
        ),
    ):
        for cid, n in counts.items():
            cap = capacity.get(cid, np.nan)
            if not np.isfinite(cap):
                plan_problems.append(
                    f"{n} people {what} to {cid}, which has no capacity in the centre list"
                )
            elif n > cap:
                plan_problems.append(f"{n} people {what} to {cid}, over its capacity of {int(cap)}")
    # reasons and the accounting identity
    unplaced = people[people["centre_id"] == ""]
    not_carried = plan.not_carried
    nc_ids = set(not_carried["person_id"].astype(str)) if len(not_carried) else set()
    both = sorted(nc_ids & set(where))
    if both:
        plan_problems.append(
            f"{len(both)} people are both carried and listed as not carried ({', '.join(both[:10])})"
        )
    lost = sorted(set(placed.index) - set(where) - nc_ids)
    carried = sum(len(s.people) for t in plan.trips for s in t.stops)
    accounting = Accounting(
        people_in=len(assignments) + rejected if people_in is None else people_in,
        rejected=rejected,
        carried=carried,
        not_carried=dict(Counter(not_carried["reason"].astype(str))) if len(not_carried) else {},
        unplaced=dict(Counter(unplaced["reason"].astype(str)))
        if "reason" in unplaced.columns
        else {"": len(unplaced)}
        if len(unplaced)
        else {},
        lost=lost,
        source=source,
    )
    return PlanCheck({k: v for k, v in trip_problems.items()}, plan_problems, accounting)


def mark_illegal(plan: Plan, check: PlanCheck) -> list[str]:
    """Mark every trip with a problem illegal, with the reasons in its notes; returns the coaches marked.

    A trip the schedule already found illegal keeps its notes; one it found
    legal gets the checker's reasons (prefixed ``check:``). Marking twice adds nothing.
    """
    marked = []
    for trip in plan.trips:
        problems = (
            check.trips.get(trip.coach) or check.trips.get(f"{trip.coach} ({trip.day})") or []
        )
        if not problems:
            continue
        marked.append(trip.coach)
        if trip.legal:
            trip.notes = [
                *trip.notes,
                *(CHECK_PREFIX + p for p in problems if CHECK_PREFIX + p not in trip.notes),
            ]
            trip.legal = False
    return marked
