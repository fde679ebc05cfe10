"""The coach plan with needs: pathways, accessible coaches, per-person ride limits and late arrivals.

Hand-made inputs (``tests/tiny.py``): no data pack, no road graph.
"""

from __future__ import annotations

import pandas as pd
from tiny import tiny  # type: ignore[import-not-found]

from abri.inputs.scenario import Fleet, Rules
from abri.planning.allocation import Allocation
from abri.planning.plan import Plan, plan_coaches
from abri.planning.schedule import ACCESSIBLE, LATE_ARRIVAL, clock_to_s
from abri.planning.tables import assignments_frame, trips_frame

DAY = "2016-10-24"


def _allocation(inputs, needs: dict[str, str], pathways: dict[str, str] | None = None):
    """The tiny allocation with the contract's ``needs`` (and ``pathway``) columns."""
    out = inputs.allocate().assignments.copy()
    out["needs"] = out["person_id"].map(needs).astype(object).fillna("")
    if pathways is not None:
        out["pathway"] = out["person_id"].map(pathways).astype(object).fillna("centre")
    return Allocation(out)


def _plan(inputs, allocation) -> Plan:
    return plan_coaches(
        allocation,
        inputs.times,
        inputs.km,
        inputs.fleet,
        inputs.rules,
        iterations=300,
        time_limit=0.0,
        jobs=1,
    )


def _carried(plan: Plan) -> set[str]:
    return {p for t in plan.trips for s in t.stops for p in s.people}


def _two_centres(fleet: Fleet, rules: Rules | None = None):
    centres = [("A", 150, 0, 20, "men;vulnerable"), ("B", 0, 200, 20, "men;vulnerable")]
    people = [(f"A{i}", DAY, "men", "") for i in range(6)] + [
        (f"B{i}", DAY, "men", "") for i in range(6)
    ]
    return tiny(centres, people, fleet=fleet, rules=rules)


def test_only_coach_pathways_ride_and_the_others_are_not_listed_as_not_carried() -> None:
    inputs = _two_centres(Fleet(coaches_per_day=5, seats=10))
    pathways = {"A0": "medical", "A1": "uk", "B0": "refusal", "B1": "uk-centre"}
    plan = _plan(inputs, _allocation(inputs, {}, pathways))
    carried = _carried(plan)
    assert not carried & {"A0", "A1", "B0"}
    assert "B1" in carried and len(carried) == 9
    assert plan.not_carried.empty


def test_wheelchair_users_ride_an_accessible_coach_within_its_seats_and_places() -> None:
    fleet = Fleet(
        coaches_per_day=5,
        seats=10,
        accessible_coaches_per_day=1,
        accessible_seats=8,
        wheelchair_places=1,
    )
    inputs = _two_centres(fleet)
    plan = _plan(inputs, _allocation(inputs, {"A0": "wheelchair", "B0": "wheelchair"}))
    accessible = [t for t in plan.trips if t.vehicle_kind == ACCESSIBLE]
    assert len(accessible) == 1  # one accessible coach a day, one wheelchair place
    trip = accessible[0]
    assert trip.people <= 8 and sum(s.wheelchairs for s in trip.stops) == 1
    for t in plan.trips:
        if t.vehicle_kind != ACCESSIBLE:
            assert not {"A0", "B0"} & {p for s in t.stops for p in s.people}
    left = plan.not_carried.set_index("person_id")["reason"]
    (stranded,) = {"A0", "B0"} - _carried(plan)
    assert len(_carried(plan)) == 11  # everyone else rides
    assert left[stranded].startswith("accessible-coach: ")
    assert list(plan.shortfalls.query("code == 'accessible-coach'")["person_id"]) == [stranded]
    assert trips_frame(plan)["vehicle_kind"].tolist().count(ACCESSIBLE) == 1
    frame = assignments_frame(plan).set_index("person_id")
    assert frame.at[stranded, "shortfall"].startswith("accessible-coach: ")
    assert all(t.legal for t in plan.trips)


def test_no_accessible_coach_leaves_the_household_of_a_wheelchair_user_with_the_reason() -> None:
    centres = [("A", 150, 0, 20, "men;families")]
    people = [("F1", DAY, "families", "H"), ("F2", DAY, "families", "H"), ("M", DAY, "men", "")]
    inputs = tiny(centres, people, fleet=Fleet(coaches_per_day=2, seats=10))
    plan = _plan(inputs, _allocation(inputs, {"F1": "wheelchair"}))
    assert _carried(plan) == {"M"}
    reasons = plan.not_carried.set_index("person_id")["reason"]
    assert reasons["F1"].startswith("accessible-coach: the fleet has no accessible coach")
    assert reasons["F2"] == reasons["F1"]


def test_a_named_fleet_gives_a_wheelchair_user_one_of_its_accessible_coaches() -> None:
    fleet = Fleet(
        coaches_per_day=3,
        seats=10,
        coaches=["K1", "K2", "K3"],
        accessible_coaches=["K3"],
        accessible_seats=8,
    )
    inputs = _two_centres(fleet)
    plan = _plan(inputs, _allocation(inputs, {"B2": "wheelchair"}))
    (trip,) = [t for t in plan.trips if "B2" in {p for s in t.stops for p in s.people}]
    assert trip.vehicle == "K3" and trip.vehicle_kind == ACCESSIBLE
    assert all(t.vehicle != "K3" for t in plan.trips if t is not trip)
    assert len(_carried(plan)) == 12


def test_a_stop_that_would_break_a_ride_limit_is_served_first_or_alone() -> None:
    # B is 320 km out (4.4 h planned, direct); A lies on the way (200 km): through A, B is 4.65 h
    centres = [("A", 0, 200, 20, "men"), ("B", 0, 320, 20, "vulnerable")]
    people = [(f"A{i}", DAY, "men", "") for i in range(3)] + [
        (f"B{i}", DAY, "vulnerable", "") for i in range(3)
    ]
    rules = Rules(max_ride_hours={"vulnerable": 4.5})
    inputs = tiny(centres, people, fleet=Fleet(coaches_per_day=3, seats=10), rules=rules)
    plan = _plan(inputs, _allocation(inputs, {}))
    assert len(_carried(plan)) == 6
    for trip in plan.trips:
        for stop in trip.stops:
            if stop.centre_id == "B":
                assert stop.arrival_s - trip.departure_s <= 4.5 * 3600
    assert plan.shortfalls.empty and plan.ride_exceptions.empty


def test_a_need_limits_the_ride_of_a_person_of_any_group() -> None:
    # 700 km: 9.6 h planned plus a break, over the need limit (9 h); men have no limit
    centres = [("F", 0, 700, 20, "men")]
    people = [("P", DAY, "men", ""), ("Q", DAY, "men", "")]
    inputs = tiny(centres, people, fleet=Fleet(coaches_per_day=2, seats=10))
    plan = _plan(inputs, _allocation(inputs, {"P": "pregnancy"}))
    assert _carried(plan) == {"P", "Q"}
    (row,) = plan.shortfalls.itertuples()
    assert (row.person_id, row.code, row.centre_id) == ("P", "ride-limit", "F")
    assert "limit 9 h" in row.detail and "away by road with breaks" in row.detail
    assert list(plan.ride_exceptions["person_id"]) == ["P"]
    frame = assignments_frame(plan).set_index("person_id")
    assert frame.at["P", "shortfall"].startswith("ride-limit: ride ")
    assert frame.at["Q", "shortfall"] == ""


def test_minors_too_far_to_arrive_before_the_late_hour_are_reported_with_the_cause() -> None:
    # 1,030 km: 14.2 h planned with two drivers: leaving at 07:00, arrives after 21:00
    centres = [("Far", 0, 1030, 20, "minors"), ("Near", 0, 300, 8, "minors")]
    people = [("M1", DAY, "minors", ""), ("M2", DAY, "minors", "")]
    people += [(f"N{i}", DAY, "minors", "") for i in range(8)]
    inputs = tiny(centres, people, fleet=Fleet(coaches_per_day=2, seats=10))
    allocation = inputs.allocate()
    assert set(allocation.placed["centre_id"]) == {"Far", "Near"}
    plan = _plan(inputs, _allocation(inputs, {}))
    late = plan.shortfalls.query("code == 'late-arrival'")
    assert set(late["person_id"]) == set(allocation.placed.query("centre_id == 'Far'")["person_id"])
    assert all(f"after {LATE_ARRIVAL}" in d for d in late["detail"])
    assert set(plan.shortfalls["code"]) == {"late-arrival", "ride-limit"}


def test_a_stop_later_than_it_need_be_moves_to_a_coach_of_its_own() -> None:
    # 1,018 km: 14.0 h planned, before 21:00 from 07:00 if direct; after Near it is late
    centres = [("Far", 0, 1018, 20, "minors"), ("Near", 0, 300, 8, "minors")]
    people = [("M1", DAY, "minors", ""), ("M2", DAY, "minors", "")]
    people += [(f"N{i}", DAY, "minors", "") for i in range(8)]
    inputs = tiny(centres, people, fleet=Fleet(coaches_per_day=2, seats=10))
    plan = _plan(inputs, _allocation(inputs, {}))
    assert len(_carried(plan)) == 10
    assert plan.shortfalls.query("code == 'late-arrival'").empty
    far = next(t for t in plan.trips if t.stops[0].centre_id == "Far")
    assert len(far.stops) == 1 and far.stops[0].arrival_s < clock_to_s(LATE_ARRIVAL)
    assert set(plan.shortfalls["code"]) == {"ride-limit"}  # 14 h is over the minors' 12 h anyway


def test_late_arrivals_are_avoided_by_giving_minors_the_earlier_slots() -> None:
    # one bay, two coaches: the minors' coach (13.75 h planned) must take 07:00 to arrive before
    # 21:00; the men's (15.1 h) has less time before the centre closes (23:00) but is legal at 07:30
    centres = [("Mi", 0, 1000, 20, "minors"), ("Me", 0, -1100, 20, "men")]
    people = [(f"M{i}", DAY, "minors", "") for i in range(6)]
    people += [(f"W{i}", DAY, "men", "") for i in range(6)]
    rules = Rules(bays=1, departure="07:00", last_departure="09:00", reception_close="23:00")
    inputs = tiny(centres, people, fleet=Fleet(coaches_per_day=2, seats=6), rules=rules)
    plan = _plan(inputs, _allocation(inputs, {}))
    assert len(_carried(plan)) == 12
    assert plan.shortfalls.query("code == 'late-arrival'").empty
    minors = next(t for t in plan.trips if t.stops[0].centre_id == "Mi")
    assert minors.stops[0].arrival_s < clock_to_s(LATE_ARRIVAL)


def test_the_shortfalls_table_has_its_columns_when_empty() -> None:
    inputs = _two_centres(Fleet(coaches_per_day=5, seats=10))
    plan = _plan(inputs, inputs.allocate())
    assert list(plan.shortfalls.columns) == [
        "person_id",
        "day",
        "centre_id",
        "coach",
        "code",
        "detail",
    ]
    assert isinstance(plan.shortfalls, pd.DataFrame) and plan.shortfalls.empty
    assert set(assignments_frame(plan)["shortfall"]) == {""}
