"""Tiny planning inputs built in memory: centres on a plane, exact matrices, people in households. No data pack, no road graph."""

from __future__ import annotations

import inspect
import signal
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from abri.constants import ORIGIN
from abri.inputs.scenario import Fleet, Rules
from abri.planning.allocation import Allocation, allocate
from abri.planning.plan import Plan, plan_coaches
from abri.planning.schedule import Stop, Trip

SPEED_KMH = 80.0
PLAN_SECONDS = 60
"""A tiny plan taking longer than this is a hang (they take well under a second), reported as such rather than stalling the suite; generous, so a loaded machine never trips it."""


@dataclass
class Tiny:
    """Everything a plan needs, small enough to build by hand."""

    people: pd.DataFrame
    centres: gpd.GeoDataFrame
    times: pd.DataFrame  # s
    km: pd.DataFrame  # m
    fleet: Fleet
    rules: Rules

    def allocate(self) -> Allocation:
        return allocate(
            self.people,
            self.centres,
            self.times.loc[ORIGIN],
            penalty_hours=self.rules.preference_penalty_hours,
        )

    def plan(self, allocation: Allocation | None = None, *, iterations: int = 50) -> Plan:
        """The planner on these inputs, with a small search (one process, at most a second a day when it takes time limits)."""
        accepted = inspect.signature(plan_coaches).parameters
        small = {k: v for k, v in (("time_limit", 1.0), ("jobs", 1)) if k in accepted}
        allocation = allocation or self.allocate()

        def hang(*_: object) -> None:
            msg = f"the planner ran over {PLAN_SECONDS} s on a tiny scenario (a hang): {self.rules} {self.fleet}"
            raise TimeoutError(msg)

        previous = signal.signal(signal.SIGALRM, hang)
        signal.alarm(PLAN_SECONDS)
        try:
            return plan_coaches(
                allocation,
                self.times,
                self.km,
                self.fleet,
                self.rules,
                seed=1,
                iterations=iterations,
                **small,
            )
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)


def tiny(
    centres: list[tuple[str, float, float, int, str]],
    people: list[tuple[str, str, str, str]],
    *,
    fleet: Fleet | None = None,
    rules: Rules | None = None,
) -> Tiny:
    """Centres ``(id, x_km, y_km, capacity, 'men;women')`` around the origin at (0, 0); people ``(id, day, group, household)``.

    Travel times are straight-line km at 80 km/h, so the matrices are exact and obey the triangle inequality.
    """
    ids = [ORIGIN, *[c[0] for c in centres]]
    xy = np.array([(0.0, 0.0), *[(c[1], c[2]) for c in centres]])
    dist_km = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    times = pd.DataFrame(dist_km / SPEED_KMH * 3600, index=ids, columns=ids)
    km = pd.DataFrame(dist_km * 1000, index=ids, columns=ids)
    lon = 2.0 + xy[1:, 0] / 70
    lat = 47.0 + xy[1:, 1] / 111
    frame = gpd.GeoDataFrame(
        {
            "id": [c[0] for c in centres],
            "name": [f"Centre {c[0]}" for c in centres],
            "capacity": [c[3] for c in centres],
            "groups": [c[4] for c in centres],
            "region": "24",
            "lon": lon,
            "lat": lat,
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )
    table = pd.DataFrame(people, columns=["person_id", "day", "group", "household"]).astype(str)
    table["household"] = table["household"].where(table["household"] != "", table["person_id"])
    table["pref1"] = table["pref2"] = ""
    return Tiny(
        table,
        frame,
        times,
        km,
        fleet or Fleet(coaches_per_day=5, seats=10, days=[]),
        rules or Rules(),
    )


def three_centres(**kwargs: object) -> Tiny:
    """Three centres 100, 300 and 500 km away; 24 people on one day, a family of three among them."""
    centres = [
        ("A", 100, 0, 12, "men;women"),
        ("B", 0, 300, 12, "men;families"),
        ("C", -500, 0, 12, "men;minors"),
    ]
    people = [(f"P{i:02d}", "2016-10-24", "men", "") for i in range(18)]
    people += [("W1", "2016-10-24", "women", ""), ("W2", "2016-10-24", "women", "")]
    people += [
        ("F1", "2016-10-24", "families", "H1"),
        ("F2", "2016-10-24", "families", "H1"),
        ("F3", "2016-10-24", "families", "H1"),
    ]
    people += [("M1", "2016-10-24", "minors", "")]
    return tiny(centres, people, **kwargs)  # type: ignore[arg-type]


def _clock(text: str) -> float:
    hours, minutes = text.split(":")
    return int(hours) * 3600.0 + int(minutes) * 60.0


def hand_plan(inputs: Tiny, allocation: Allocation | None = None) -> Plan:
    """A plan made without the planner: one direct coach per centre load, households whole, times worked out by hand.

    Legal by construction when every centre is within one driver's day (as in :func:`three_centres`).
    """
    allocation = allocation or inputs.allocate()
    rules, fleet = inputs.rules, inputs.fleet
    factor = 1 + float(getattr(rules, "margin_pct", 0.0)) / 100
    after, pause = rules.break_after_hours * 3600, rules.break_minutes * 60
    bays, boarding = (
        int(getattr(rules, "bays", 1) or 1),
        int(getattr(rules, "boarding_minutes", 0)) * 60,
    )
    trips: list[Trip] = []
    left = []
    placed = allocation.placed
    for day, today in placed.groupby("day", sort=True):
        n = 0
        for centre_id, people in today.groupby("centre_id", sort=True):
            load: list[list[str]] = []
            households = [list(h["person_id"]) for _, h in people.groupby("household", sort=True)]
            for members in [*households, []]:
                if members and len(members) > fleet.seats:
                    left += [
                        {
                            "person_id": p,
                            "day": day,
                            "centre_id": centre_id,
                            "reason": "household larger than a coach",
                        }
                        for p in members
                    ]
                    continue
                if load and (not members or sum(map(len, load)) + len(members) > fleet.seats):
                    who = [p for h in load for p in h]
                    groups = people.set_index("person_id").loc[who, "group"].value_counts()
                    leg = float(inputs.times.at[ORIGIN, centre_id])
                    planned = leg * factor
                    departure = _clock(rules.departure) + (n // bays) * boarding
                    breaks = max(0, int(np.ceil(planned / after)) - 1)
                    stop = Stop(
                        str(centre_id),
                        who,
                        {str(k): int(v) for k, v in groups.items()},
                        leg_s=leg,
                        leg_km=float(inputs.km.at[ORIGIN, centre_id]) / 1000,
                        households=load,
                        arrival_s=max(
                            departure + planned + breaks * pause, _clock(rules.reception_open)
                        ),
                        breaks_before=breaks,
                    )
                    n += 1
                    trips.append(
                        Trip(
                            coach=f"{day}-H{n:02d}",
                            day=str(day),
                            stops=[stop],
                            departure_s=departure,
                            drivers=1,
                            driving_s=leg,
                            breaks=breaks,
                            km=stop.leg_km,
                        )
                    )
                    load = []
                if members:
                    load.append(members)
    return Plan(
        trips,
        allocation,
        fleet,
        rules,
        pd.DataFrame(left, columns=["person_id", "day", "centre_id", "reason"]),
        method="hand",
    )
