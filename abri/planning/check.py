"""An independent check of a coach plan, run before any plan is written.

The planner (:mod:`abri.planning.plan`, :mod:`abri.planning.schedule`) builds
trips; this module trusts none of what it computed. For every trip it goes
back to the travel-time and distance matrices, the centre list and the rules:

- **seats**: people on board <= the coach's seats (an accessible coach's:
  its seats and wheelchair places);
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
person left behind has a reason, every person's hard needs, pathway and ride
limit are met or listed as a shortfall (:mod:`abri.planning.check_needs`), and
the **accounting identity** holds, as a whole and per pathway
(:mod:`abri.planning.accounting`)::

    people in the people file = carried by coach to centres + UK direct + medical transfers
                                + refused + not carried + unplaced + rows set aside

A trip that fails is marked illegal with the reason (:func:`mark_illegal`);
every failure is an error of the :class:`PlanCheck`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from abri.inputs.pathways import Pathway
from abri.planning.accounting import OWN_WAY, Accounting, pathway_counts, pathway_of
from abri.planning.check_needs import check_needs
from abri.planning.check_trip import (
    CHECK_PREFIX,
    Person,
    centre_hours,
    centre_table,
    clock,
    hhmm,
    trip_problems,
)
from abri.planning.plan import Plan

__all__ = ["Accounting", "PlanCheck", "check_plan", "mark_illegal"]


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
    warnings: list[str] = field(default_factory=list)
    """Not errors: shortfalls the plan lists with their cause (e.g. rides over a limit), with counts."""

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
            "warnings": self.warnings,
        }

    def __repr__(self) -> str:
        return f"PlanCheck({'ok' if self.ok else f'{len(self.errors)} errors'}; {self.accounting})"


def _people(assignments: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Person]]:
    """The allocation by person id, and each person's centre, day, group and household."""
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
    return people, person


def _seat_problems(
    where: dict[str, list[tuple[str, str]]],
    person: dict[str, Person],
    trips: dict[str, list[str]],
) -> list[str]:
    """One coach and stop each; households together (their coaches get the problem too)."""
    problems = []
    twice = sorted(p for p, w in where.items() if len(w) > 1)
    if twice:
        problems.append(
            f"{len(twice)} people are on more than one coach or stop ({', '.join(twice[:10])})"
        )
    seats_of: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for p, places in where.items():
        if p in person:
            seats_of[person[p][3]].add(places[0])
    for household, seats in sorted(seats_of.items()):
        if len(seats) > 1:
            problems.append(
                f"household {household} is split between {', '.join(f'{c} at {s}' for c, s in sorted(seats))}"
            )
            for coach in sorted({c for c, _ in seats}):
                trips.setdefault(coach, []).append(
                    f"household {household} is split between coaches or stops"
                )
    return problems


def _origin_problems(plan: Plan, trips: dict[str, list[str]]) -> list[str]:
    """Coaches per day within the fleet; no more coaches leaving together than the origin has bays."""
    problems = []
    cap = plan.fleet.coaches_per_day
    for day, n in sorted(Counter(t.day for t in plan.trips).items()):
        if n > cap:
            problems.append(f"{n} coaches on {day}, more than the fleet's {cap}")
            for trip in [t for t in plan.trips if t.day == day][cap:]:
                trips[trip.coach].append(f"coach beyond the fleet's {cap} on {day}")
    bays = getattr(plan.rules, "bays", None)
    if isinstance(bays, int) and bays > 0:
        for (day, departure), n in sorted(
            Counter((t.day, round(t.departure_s)) for t in plan.trips).items()
        ):
            if n > bays:
                problems.append(
                    f"{n} coaches leave at {hhmm(departure)} on {day}, more than the origin's {bays} boarding bays"
                )
    return problems


def _capacity_problems(plan: Plan, placed: pd.DataFrame, table: pd.DataFrame) -> list[str]:
    """No centre gets more people than its capacity, allocated or carried."""
    problems = []
    capacity = (
        pd.to_numeric(table["capacity"], errors="coerce")
        if "capacity" in table.columns
        else pd.Series(dtype=float)
    )
    carried = Counter(s.centre_id for t in plan.trips for s in t.stops for _ in s.people)
    for what, counts in (
        ("allocated", placed.groupby("centre_id").size()),
        ("carried", pd.Series(carried, dtype=int)),
    ):
        for cid, n in counts.items():
            cap = capacity.get(cid, np.nan)
            if not np.isfinite(cap):
                problems.append(
                    f"{n} people {what} to {cid}, which has no capacity in the centre list"
                )
            elif n > cap:
                problems.append(f"{n} people {what} to {cid}, over its capacity of {int(cap)}")
    return problems


def _accounting(
    plan: Plan,
    people: pd.DataFrame,
    where: dict[str, list[tuple[str, str]]],
    people_in: int,
    rejected: int,
    source: str,
) -> tuple[Accounting, list[str]]:
    """The accounting identity, as a whole and per pathway, and anyone both carried and listed as not carried."""
    pathway = pathway_of(people)
    own_way = pathway.isin(list(OWN_WAY))
    placed = people[(people["centre_id"] != "") & ~own_way]
    unplaced = people[(people["centre_id"] == "") & ~own_way]
    not_carried = plan.not_carried
    nc_list = not_carried["person_id"].astype(str).tolist() if len(not_carried) else []
    nc_ids = set(nc_list)
    both = sorted(nc_ids & set(where))
    problems = (
        [f"{len(both)} people are both carried and listed as not carried ({', '.join(both[:10])})"]
        if both
        else []
    )
    if "reason" in unplaced.columns:
        unplaced_by = dict(Counter(unplaced["reason"].astype(str)))
    else:
        unplaced_by = {"": len(unplaced)} if len(unplaced) else {}
    seats = [p for t in plan.trips for s in t.stops for p in s.people]
    accounting = Accounting(
        people_in=people_in,
        rejected=rejected,
        carried=len(seats),
        not_carried=dict(Counter(not_carried["reason"].astype(str))) if len(not_carried) else {},
        unplaced=unplaced_by,
        lost=sorted(set(placed.index) - set(where) - nc_ids),
        source=source,
        uk_direct=int((pathway == "uk").sum()),
        medical=int((pathway == "medical").sum()),
        refused=int((pathway == "refusal").sum()),
        pathways=pathway_counts(people, seats, nc_list),
    )
    return accounting, problems


def check_plan(
    plan: Plan,
    *,
    times: pd.DataFrame,
    km: pd.DataFrame | None,
    centres: pd.DataFrame,
    people_in: int | None = None,
    rejected: int = 0,
    source: str = "people file",
    pathways: Sequence[Pathway] | None = None,
    measures: Callable[[Any], tuple[pd.DataFrame, pd.DataFrame | None]] | None = None,
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
    pathways
        The scenario's pathways (:class:`abri.inputs.pathways.Pathway`): their days and daily
        quotas are checked too; None (the default) checks every need but not the quotas.
    measures
        The matrices one trip is judged on (default: `times`, `km`): a re-plan judges a trip
        re-routed around a closed road on the matrices measured with that road closed.

    Returns
    -------
    PlanCheck
        Problems per trip, problems of the plan (every person's hard needs among them:
        :mod:`abri.planning.check_needs`), warnings and the :class:`Accounting`.

    Examples
    --------
    >>> check = check_plan(
    ...     run.plan, times=run.times, km=run.km, centres=run.centres
    ... )  # doctest: +SKIP
    >>> check.ok  # doctest: +SKIP
    True
    """
    table = centre_table(centres)
    rules = plan.rules
    hours = centre_hours(table, clock(rules.reception_open), clock(rules.reception_close))
    people, person = _people(plan.allocation.assignments)
    trips: dict[str, list[str]] = {}
    keys = []
    for trip in plan.trips:
        keys.append(trip.coach if trip.coach not in trips else f"{trip.coach} ({trip.day})")
        trip_times, trip_km = measures(trip) if measures else (times, km)
        trips[keys[-1]] = trip_problems(trip, plan, trip_times, trip_km, table, hours, person)
    where: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for trip in plan.trips:
        for stop in trip.stops:
            for p in stop.people:
                where[p].append((trip.coach, stop.centre_id))
    problems = _seat_problems(where, person, trips) + _origin_problems(plan, trips)
    problems += _capacity_problems(plan, people[people["centre_id"] != ""], table)
    count = len(plan.allocation.assignments) + rejected if people_in is None else people_in
    accounting, more = _accounting(plan, people, where, count, rejected, source)
    needs = check_needs(plan, people, table, times, keys, pathways=pathways)
    for key, found in needs.trips.items():
        trips[key] += found
    return PlanCheck(trips, problems + more + needs.plan, accounting, needs.warnings)


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
