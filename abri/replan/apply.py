"""Events applied to a plan: what happened before ``--now`` stays, what must move is listed with its reason.

:class:`Operation` holds the plan being re-planned. Applying the events
(:meth:`Operation.apply`) never plans anything new: it takes people off
coaches (no-shows, refusals), cancels or re-times trips (breakdowns,
delays), removes stops at centres that closed or refuse arrivals, lowers a
centre's places, and puts every person who must travel again (and every
new registration) in :attr:`Operation.to_place`, each with the reason.
A coach that has left (its departure at or before ``--now``, or a
``departed`` event) keeps its stops and times as they happened.
"""

from __future__ import annotations

import math
import weakref
from collections import Counter

import pandas as pd

from abri.constants import ORIGIN
from abri.inputs.events import Event
from abri.planning.days import legs
from abri.planning.plan import Plan
from abri.planning.schedule import (
    ACCESSIBLE,
    Trip,
    after_drop,
    s_to_clock,
    schedule,
    slot_departures,
)
from abri.replan.roads import Matrices, Roads, slower, trip_window

REFUSED = "refused_centres"
"""The column of assignments.csv naming the centres a person (or their household) refused."""


def at(day: str, seconds: float) -> pd.Timestamp:
    """The moment `seconds` after midnight of `day`."""
    return pd.Timestamp(day) + pd.Timedelta(seconds=seconds)


class Operation:
    """A plan while events are applied to it (one person is on at most one stop)."""

    def __init__(
        self,
        plan: Plan,
        times: pd.DataFrame,
        km: pd.DataFrame,
        capacity: dict[str, int],
        now: str,
        *,
        roads: Roads | None = None,
    ) -> None:
        self.plan, self.times, self.km, self.roads = plan, times, km, roads
        self.rules, self.fleet = plan.rules, plan.fleet
        self.now = pd.Timestamp(now)
        self.people = plan.allocation.assignments.copy().set_index("person_id", drop=False)
        self.capacity = dict(capacity)
        self.why: dict[str, str] = {}
        self.to_place: list[str] = []
        self.out: dict[str, str] = {}  # person -> reason (no-show, refused): unplaced with it
        self.refused: dict[str, str] = {}
        self.arrived: set[str] = set()
        self.cancelled: dict[str, str] = {}
        self.retimed: dict[str, str] = {}
        self.rerouted: dict[str, str] = {}  # coach -> the road closure it drives around
        self.refused_centres = {  # person -> centres not to offer again (this and earlier versions)
            p: set(str(v).split(";")) - {""}
            for p, v in self.people.get(REFUSED, pd.Series(dtype=str)).items()
            if str(v)
        }
        self.lightened: set[str] = set()  # coaches someone was taken off
        self.timed_with: dict[int, tuple[weakref.ref[Trip], Matrices]] = {}  # re-timed trips
        self.warnings: list[str] = []
        self.not_carried: list[tuple[str, str, str, str]] = []  # person, day, centre, reason
        self.trips = {t.coach: t for t in plan.trips}
        self.gone = {c for c, t in self.trips.items() if at(t.day, t.departure_s) <= self.now}

    # -- where people are --------------------------------------------------------------------
    def seat(self, person: str) -> tuple[Trip, int] | None:
        """The trip and stop index `person` is on, if any."""
        for trip in self.trips.values():
            for n, stop in enumerate(trip.stops):
                if person in stop.people:
                    return trip, n
        return None

    def take_off(self, person: str) -> None:
        """Take `person` off their coach (an emptied stop goes; a trip that has not left is re-timed)."""
        found = self.seat(person)
        if found is None:
            return
        trip, n = found
        self.lightened.add(trip.coach)
        stop = trip.stops[n]
        stop.people.remove(person)
        group = str(self.people.at[person, "group"])
        stop.groups[group] = stop.groups.get(group, 1) - 1
        stop.groups = {g: k for g, k in stop.groups.items() if k > 0}
        stop.households = [[p for p in h if p != person] for h in stop.households]
        if stop.people:
            return
        del trip.stops[n]
        if not trip.stops:
            self.cancelled.setdefault(
                trip.coach, f"no one left on board ({self.why.get(person, '')})"
            )
            del self.trips[trip.coach]
        else:  # a coach that has left drove past the emptied stop: its legs as driven
            self.retime(trip)

    def displace(self, people: list[str], why: str) -> None:
        """People who must travel again: off their coach, without a centre, to be placed."""
        for p in people:
            self.why.setdefault(p, why)
            self.take_off(p)
            self.people.at[p, "centre_id"] = ""
            if p not in self.to_place:
                self.to_place.append(p)

    def seats(self, trip: Trip) -> int:
        """Seats of the trip's coach (fewer on an accessible coach)."""
        return self.fleet.accessible_seats if trip.vehicle_kind == ACCESSIBLE else self.fleet.seats

    def measures(self, trip: Trip) -> Matrices:
        """The times and km `trip` is timed with: with the road closures in force while it is out
        (a coach that has left drove on the roads as they were); once re-timed, those it was."""
        ref, matrices = self.timed_with.get(id(trip), (None, None))
        if ref is not None and matrices is not None and ref() is trip:  # not a dead trip's id
            return matrices
        if self.roads is None or trip.coach in self.gone:
            return self.times, self.km
        return self.roads.matrices(self.roads.active(*trip_window(trip)))

    def retime(self, trip: Trip) -> Trip:
        """Legs, schedule and way back of `trip` at its departure (after a change of its stops or time)."""
        self.timed_with.pop(id(trip), None)
        times, km = self.measures(trip)
        self.timed_with[id(trip)] = (weakref.ref(trip), (times, km))
        legs(trip, times, km)
        back = float(times.at[trip.stops[-1].centre_id, ORIGIN])
        if math.isnan(back) or any(math.isnan(s.leg_s) for s in trip.stops):
            trip.legal, trip.notes = False, ["no road left to a stop or back (a road is closed)"]
            return trip
        schedule(
            trip,
            self.rules,
            hours=self.plan.hours,
            departure_s=trip.departure_s,
            seats=self.seats(trip),
            wheelchair_places=self.fleet.wheelchair_places,
        )
        last = trip.stops[-1].centre_id
        after_drop(trip, self.rules, back, float(km.at[last, ORIGIN]) / 1000)
        trip.boarding_s = trip.departure_s - self.rules.boarding_minutes * 60
        return trip

    def shed(self, trip: Trip, why: str) -> None:
        """Drop a trip's last stops until it is legal again; their people travel again."""
        while not trip.legal and trip.coach in self.trips:
            reason = f"{why}: the trip is no longer legal ({'; '.join(trip.notes)})"
            self.displace(list(trip.stops[-1].people), reason)

    def cancel(self, coach: str, why: str) -> None:
        """Cancel a trip that has not left; its people travel again."""
        trip = self.trips[coach]
        people = [p for s in trip.stops for p in s.people]
        self.cancelled[coach] = why
        self.displace(people, why)
        self.trips.pop(coach, None)

    # -- the events --------------------------------------------------------------------------
    def apply(self, events: list[Event]) -> None:
        """Apply every event in time order (each kind by its method)."""
        self._register_all(events)
        for e in sorted(events, key=lambda e: (e.time, e.row)):
            getattr(self, "_" + e.kind.replace("-", "_"))(e)
        self._capacity()

    def _register_all(self, events: list[Event]) -> None:
        """Every registered person into the table of people at once (no centre yet)."""
        rows = [
            {
                "person_id": e.person,
                "day": e.day or e.time[:10],
                "group": e.group,
                "household": e.household or e.person,
                "pref1": e.pref1,
                "pref2": e.pref2,
                "centre_id": "",
                "in_preferred": False,
                "reason": "",
                "ride_h": float("nan"),
                "ride_note": "",
            }
            for e in events
            if e.kind == "registered"
        ]
        if rows:
            new = pd.DataFrame(rows).set_index("person_id", drop=False)
            for column in self.people.columns.difference(new.columns):  # needs, pathway...: none
                new[column] = False if self.people[column].dtype == bool else ""
            new = new[self.people.columns]
            self.people = pd.concat([self.people, new.astype(self.people.dtypes.to_dict())])

    def _registered(self, e: Event) -> None:
        self.why[e.person] = f"registered at {e.time or 'an unknown time'} (events row {e.row})"
        self.to_place.append(e.person)

    def _gone_person(self, e: Event, reason: str) -> None:
        self.why[e.person] = reason
        self.take_off(e.person)
        if e.person in self.to_place:
            self.to_place.remove(e.person)
        self.people.at[e.person, "centre_id"] = ""
        self.people.at[e.person, "reason"] = reason
        self.out[e.person] = reason

    def _no_show(self, e: Event) -> None:
        self._gone_person(e, f"did not show (events row {e.row})")

    def _refused(self, e: Event) -> None:
        """Offered another centre with their household (none they refused), unless their household has left."""
        planned = str(self.people.at[e.person, "centre_id"])
        centre = e.centre or planned
        reason = f"refused {centre or 'the destination'}: {e.reason} (events row {e.row})"
        household = self.people.index[
            self.people["household"] == self.people.at[e.person, "household"]
        ]
        self._never(list(household), centre)
        if planned and centre != planned:  # not where they go: kept there, never offered it
            self.warnings.append(
                f"events row {e.row}: {e.person} refused {centre}, not their centre {planned}"
            )
            return
        self.refused[e.person] = reason
        seats = [self.seat(p) for p in household if p != e.person]
        if any(s and s[0].coach in self.gone for s in seats):  # the others have left: not split
            self._gone_person(e, reason)
            return
        self.why[e.person] = reason
        self.people.at[e.person, "reason"] = reason
        others = [p for p, s in zip([p for p in household if p != e.person], seats) if s]
        self.displace([e.person], reason)
        self.displace(others, f"their household's {e.person} {reason}")

    def _never(self, people: list[str], centre: str) -> None:
        """`centre` is not offered to `people` again (kept in the plan's assignments)."""
        if REFUSED not in self.people.columns:
            self.people[REFUSED] = ""
        for p in people:
            self.refused_centres.setdefault(p, set()).update({centre} - {""})
            self.people.at[p, REFUSED] = ";".join(sorted(self.refused_centres[p]))

    def _boarded(self, e: Event) -> None:
        found = self.seat(e.person)
        if found and found[0].coach == e.coach:
            return
        trip = self.trips.get(e.coach)
        centre = str(self.people.at[e.person, "centre_id"])
        stop = next((s for s in trip.stops if s.centre_id == centre), None) if trip else None
        if trip is None or stop is None:
            self.warnings.append(
                f"events row {e.row}: {e.person} boarded {e.coach}, which does not go to their centre {centre or '(none)'}; left where the plan had them"
            )
            return
        self.why[e.person] = f"boarded {e.coach} (events row {e.row})"
        self.take_off(e.person)
        stop.people.append(e.person)
        group = str(self.people.at[e.person, "group"])
        stop.groups[group] = stop.groups.get(group, 0) + 1

    def _departed(self, e: Event) -> None:
        trip = self.trips.get(e.coach)
        if trip is None:
            return
        left = (pd.Timestamp(e.time) - pd.Timestamp(trip.day)).total_seconds()
        if abs(left - trip.departure_s) >= 60:
            self.retimed[e.coach] = f"left at {e.time[11:]} (events row {e.row})"
            trip.departure_s = left
            self.retime(trip)
        self.gone.add(e.coach)

    def _late(self, e: Event) -> None:
        trip = self.trips.get(e.coach)
        if trip is None or e.number is None:
            return
        trip.departure_s += e.number * 60
        why = f"late by {e.number} min (events row {e.row})"
        if e.coach not in self.gone and not self.reslot(trip):
            self.cancel(e.coach, f"{why}: no boarding slot and bay free after it")
            return
        self.retimed[e.coach] = why
        self.retime(trip)
        if e.coach not in self.gone:
            self.shed(trip, why)

    def reslot(self, trip: Trip) -> bool:
        """A late coach boards in the first free slot and bay at or after its new departure (False: none)."""
        used = {(t.slot, t.bay) for t in self.trips.values() if t.day == trip.day and t is not trip}
        for slot, departure in enumerate(slot_departures(self.rules)):
            free = [b for b in range(1, self.rules.bays + 1) if (slot, b) not in used]
            if departure >= trip.departure_s and free:
                trip.slot, trip.bay, trip.departure_s = slot, free[0], float(departure)
                return True
        return False

    def _broke_down(self, e: Event) -> None:
        trip = self.trips.get(e.coach)
        if trip is None:
            return
        why = f"coach {e.coach} broke down at {e.where}, {e.time} (events row {e.row})"
        if e.coach in self.gone:
            self.warnings.append(
                f"{why}: it had left; its people are on board, for the dispatcher to fetch"
            )
            trip.info.append(f"broke down at {e.where}, {e.time}")
        else:
            self.cancel(e.coach, why)

    def _places_changed(self, e: Event) -> None:
        self.capacity[e.centre] = int(e.number or 0)

    def _closed(self, e: Event, what: str) -> None:
        why = f"centre {e.centre} {what} (events row {e.row})"
        arrived = 0
        for trip in list(self.trips.values()):
            for stop in list(trip.stops):
                if stop.centre_id != e.centre:
                    continue
                if trip.coach in self.gone:
                    arrived += len(stop.people)
                    self.warnings.append(
                        f"{why}: coach {trip.coach} had left for it with {len(stop.people)} people"
                    )
                else:
                    self.displace(list(stop.people), why)
        self.capacity[e.centre] = arrived

    def _centre_closed(self, e: Event) -> None:
        self._closed(e, "closed")

    def _centre_refuses(self, e: Event) -> None:
        self._closed(e, "refuses arrivals")

    def _arrived(self, e: Event) -> None:
        trip = self.trips.get(e.coach)
        stop = next((s for s in trip.stops if s.centre_id == e.centre), None) if trip else None
        if stop is None:
            return
        if e.number == len(stop.people):
            self.arrived.update(stop.people)
        else:
            self.warnings.append(
                f"events row {e.row}: {e.number} arrived at {e.centre} on {e.coach}, {len(stop.people)} were on board: counted as on board"
            )

    def _road_closed(self, e: Event) -> None:
        """Trips out while the road is closed and whose road it was: re-routed, shed if no longer legal."""
        closure = (
            next((c for c in self.roads.closures if c.row == e.row), None) if self.roads else None
        )
        if self.roads is None or closure is None:
            self.warnings.append(f"events row {e.row}: a road closure with no road: not applied")
            return
        times = self.roads.matrices([closure])[0]
        left = []
        for trip in sorted(self.trips.values(), key=lambda t: (t.day, t.departure_s)):
            if closure not in self.roads.active(*trip_window(trip)) or not slower(
                trip, times, self.times
            ):
                continue
            if trip.coach in self.gone:
                left.append(trip.coach)
                continue
            last = trip.stops[-1].arrival_s
            self.retime(trip)
            self.rerouted[trip.coach] = closure.why
            self.retimed[trip.coach] = f"{closure.why}: re-routed" + (
                f", last stop at {s_to_clock(trip.stops[-1].arrival_s)}, not {s_to_clock(last)}"
                if trip.legal
                else ""
            )
            self.shed(trip, closure.why)
        if left:
            self.warnings.append(
                f"{closure.why}: coach(es) {', '.join(left)} had left on that road before --now: "
                "for the dispatcher to re-route"
            )

    def _capacity(self) -> None:
        """No centre over its places: the last households on coaches not yet gone travel again."""
        placed = self.people[self.people["centre_id"] != ""]
        counts = Counter(placed["centre_id"])
        sent = Counter(
            s.centre_id
            for c in self.gone
            if c in self.trips
            for s in self.trips[c].stops
            for _ in s.people
        )
        for centre, n in sent.items():
            if n > self.capacity.get(centre, n):
                self.warnings.append(
                    f"centre {centre} has {self.capacity[centre]} places now, but {n} people have already left for it: counted as {n}"
                )
                self.capacity[centre] = n
        for centre, n in counts.items():
            over = n - self.capacity.get(centre, n)
            if over <= 0:
                continue
            why = f"centre {centre} has {self.capacity[centre]} places now, {n} were planned"
            stops = [
                s
                for t in sorted(
                    self.trips.values(), key=lambda t: (t.day, t.departure_s), reverse=True
                )
                if t.coach not in self.gone
                for s in t.stops
                if s.centre_id == centre
            ]
            for stop in stops:
                for p in reversed(list(stop.people)):
                    if over <= 0:
                        break
                    if p not in stop.people:  # went with their household
                        continue
                    household = placed.loc[
                        placed["household"] == placed.at[p, "household"], "person_id"
                    ]
                    self.displace([q for q in household if q in stop.people], why)
                    over -= len(household)
