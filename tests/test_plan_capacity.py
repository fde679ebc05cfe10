"""A day over its capacity carries the most it can; no illegal trip leaves the planner; parts plan alike anywhere.

Hand-made inputs (``tests/tiny.py``): no data pack, no road graph.
"""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest
from tiny import tiny  # type: ignore[import-not-found]

from abri.cluster import dask_client
from abri.inputs.scenario import Fleet, Rules
from abri.pipeline import dask_mapper
from abri.planning.check import check_plan
from abri.planning.coach_needs import rescue
from abri.planning.days import repair, timed
from abri.planning.demand import make_stop
from abri.planning.plan import plan_coaches
from abri.planning.schedule import Trip, clock_to_s, slot_departures
from abri.planning.search import DaySpec
from abri.processes import process_map, serial_map

DAY = "2016-10-24"


def ring(n_centres: int, people_each: int, *, radius_km: float = 250.0, groups: str = "men"):
    """Centres on a ring around the origin (spread in angle and distance); `people_each` men at each."""
    angles = np.linspace(0, 2 * np.pi, n_centres, endpoint=False)
    radii = radius_km * (0.5 + (np.arange(n_centres) % 5) / 5)
    centres = [
        (f"C{k:02d}", float(r * np.cos(a)), float(r * np.sin(a)), people_each, groups)
        for k, (a, r) in enumerate(zip(angles, radii))
    ]
    people = [
        (f"C{k:02d}-{i}", DAY, "men", "") for k in range(n_centres) for i in range(people_each)
    ]
    return centres, people


def _placed_plan(inputs, **kwargs):
    allocation = inputs.allocate()
    kwargs = {"iterations": 300, "time_limit": 0.0, "jobs": 1, **kwargs}
    plan = plan_coaches(
        allocation, inputs.times, inputs.km, inputs.fleet, inputs.rules, hours={}, **kwargs
    )
    check = check_plan(plan, times=inputs.times, km=inputs.km, centres=inputs.centres)
    return plan, check


def test_a_day_over_its_boarding_capacity_carries_the_most_it_can() -> None:
    centres, people = ring(20, 7)
    people[:4] = [(p, d, "vulnerable", h) for p, d, _, h in people[:4]]
    centres = [(c, x, y, cap, "men;vulnerable") for c, x, y, cap, _ in centres]
    rules = Rules(bays=1, departure="07:00", last_departure="08:00")  # 3 slots, 3 coaches
    inputs = tiny(centres, people, fleet=Fleet(coaches_per_day=50, seats=10), rules=rules)
    plan, check = _placed_plan(inputs)
    assert len(plan.trips) == 3 and all(t.legal for t in plan.trips)
    assert sum(t.people for t in plan.trips) >= 0.95 * 3 * 10
    assert check.ok and not check.illegal_trips
    assert plan.not_carried["reason"].str.contains("boarding slot").all()
    carried = {p for t in plan.trips for s in t.stops for p in s.people}
    assert {p for p, _, g, _ in people if g == "vulnerable"} <= carried  # priorities first


def test_a_fleet_too_small_carries_households_whole_families_first() -> None:
    centres = [("A", 200, 0, 40, "men;families"), ("B", -200, 0, 40, "men;families")]
    people = [(f"M{i}", DAY, "men", "") for i in range(30)]
    people += [(f"F{i}", DAY, "families", f"H{i // 4}") for i in range(12)]
    inputs = tiny(centres, people, fleet=Fleet(coaches_per_day=2, seats=10), rules=Rules())
    plan, check = _placed_plan(inputs)
    assert check.ok and len(plan.trips) == 2
    carried = {p for t in plan.trips for s in t.stops for p in s.people}
    families = [p for p, _, g, _ in people if g == "families"]
    assert sum(p in carried for p in families) >= 8  # two whole households at least
    for h in range(3):
        members = {f"F{i}" for i in range(4 * h, 4 * h + 4)}
        assert members <= carried or not members & carried  # whole or not at all
    assert set(plan.not_carried["reason"]) == {"fleet too small for this day"}


@pytest.mark.parametrize("part_size", [10, 1000])
def test_parts_give_the_same_plan_serial_or_on_two_workers(part_size: int) -> None:
    centres, people = ring(36, 7, radius_km=400)
    inputs = tiny(centres, people, fleet=Fleet(coaches_per_day=40, seats=20), rules=Rules())
    plans = [
        _placed_plan(inputs, mapper=mapper, part_size=part_size)[0]
        for mapper in (serial_map, process_map(2))
    ]
    routes = [
        [(t.coach, [(s.centre_id, len(s.people)) for s in t.stops]) for t in p.trips] for p in plans
    ]
    assert routes[0] == routes[1]
    day = plans[0].days[0]
    assert day["parts"] == (4 if part_size == 10 else 1) and day["stopped"] != "time limit"
    assert len(plans[0].not_carried) == 0 and all(t.legal for t in plans[0].trips)


def test_parts_plan_as_well_as_one_search_and_stay_legal() -> None:
    centres, people = ring(36, 7, radius_km=400)
    inputs = tiny(centres, people, fleet=Fleet(coaches_per_day=40, seats=20), rules=Rules())
    whole, _ = _placed_plan(inputs)
    parts, check = _placed_plan(inputs, part_size=10)
    assert check.ok and len(parts.not_carried) == 0
    assert len(parts.trips) <= len(whole.trips) + 2  # loads of 7 on 20 seats: two a coach


def test_repair_moves_or_drops_the_stop_that_breaks_a_rule() -> None:
    centres = [("N", 50, 0, 10, "men"), ("F", 900, 0, 10, "men"), ("M", 60, 10, 10, "men")]
    people = [(f"{c}{i}", DAY, "men", "") for c in "NFM" for i in range(3)]
    inputs = tiny(centres, people, fleet=Fleet(coaches_per_day=5, seats=10), rules=Rules())
    group_of = {p: "men" for p, *_ in people}
    stops = {c: make_stop(c, [[f"{c}{i}"] for i in range(3)], group_of) for c in "NFM"}
    rules = replace(inputs.rules, second_driver=False)
    departures = slot_departures(rules)
    spec = DaySpec(inputs.times, inputs.fleet, rules, {}, departures, [4] * len(departures))
    bad = timed(
        Trip("d-C01", DAY, [], departure_s=clock_to_s("07:00")),
        [stops["N"], stops["F"]],
        spec,
        inputs.km,
    )
    good = timed(
        Trip("d-C02", DAY, [], departure_s=clock_to_s("07:00")), [stops["M"]], spec, inputs.km
    )
    assert not bad.legal and good.legal
    trips, dropped = repair([bad, good], spec, inputs.km)
    assert all(t.legal for t in trips)
    assert [s.centre_id for s, _ in dropped] == ["F"] and "would break a rule" in dropped[0][1]
    assert sorted(s.centre_id for t in trips for s in t.stops) == ["M", "N"]


@pytest.mark.slow
def test_parts_on_a_dask_local_cluster_give_the_serial_plan() -> None:
    centres, people = ring(36, 7, radius_km=400)
    inputs = tiny(centres, people, fleet=Fleet(coaches_per_day=40, seats=20), rules=Rules())
    serial, _ = _placed_plan(inputs, mapper=serial_map, part_size=10)
    with dask_client(2, None, None) as client:
        assert client is not None
        dasked, check = _placed_plan(inputs, mapper=dask_mapper(client), part_size=10)
    assert check.ok and dasked.days[0]["parts"] == 4
    assert [[(s.centre_id, s.people) for s in t.stops] for t in dasked.trips] == [
        [(s.centre_id, s.people) for s in t.stops] for t in serial.trips
    ]


def test_rescue_gives_a_far_stop_the_first_slot_when_a_near_coach_can_leave_later() -> None:
    """The only slot a far centre can leave in is taken by a coach that could leave later: slot both again."""
    centres = [("N", 50, 0, 10, "men"), ("F", 1, 0, 10, "men")]
    people = [(f"{c}{i}", DAY, "men", "") for c in "NF" for i in range(3)]
    inputs = tiny(centres, people, fleet=Fleet(coaches_per_day=5, seats=10), rules=Rules())
    group_of = {p: "men" for p, *_ in people}
    stops = {c: make_stop(c, [[f"{c}{i}"] for i in range(3)], group_of) for c in "NF"}
    rules = replace(inputs.rules, bays=1, last_departure="08:00")
    departures = slot_departures(rules)
    spec = DaySpec(inputs.times, inputs.fleet, rules, {}, departures, [1] * len(departures))
    # F at the distance that a coach leaving at 07:00 reaches before closing, and one at 07:30 not
    far = None
    for km in range(400, 1400, 10):
        times = inputs.times.copy()
        times.loc["ORIGIN", "F"] = times.loc["F", "ORIGIN"] = km / 80 * 3600
        trial = replace(spec, times=times)
        early, late = (
            timed(Trip("t", DAY, [], departure_s=d), [copy.deepcopy(stops["F"])], trial, inputs.km)
            for d in departures[:2]
        )
        if early.legal and not late.legal:
            far = trial
            break
    assert far is not None
    near = timed(
        Trip(f"{DAY}-C01", DAY, [], departure_s=departures[0]), [stops["N"]], far, inputs.km
    )
    near.slot, near.bay = 0, 1
    assert near.legal
    trips, left = rescue([(stops["F"], "would break a rule")], [near], far, inputs.km, DAY)
    assert left == [] and len(trips) == 2 and all(t.legal for t in trips)
    by_centre = {t.stops[0].centre_id: t for t in trips}
    assert by_centre["F"].slot == 0 and by_centre["N"].slot > 0
