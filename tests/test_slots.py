"""The coach plan on hand-made matrices: boarding slots, clean stops, the way back, a fleet given coach by coach, edge cases."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from abri.constants import ORIGIN
from abri.errors import DataFileError
from abri.inputs.scenario import Fleet, Rules, check_fleet, check_rules, read_scenario
from abri.planning.allocation import Allocation
from abri.planning.plan import plan_coaches
from abri.planning.schedule import clock_to_s
from abri.planning.summary import plan_summary, rides_by_group

H = 3600.0


def matrices(hours_from_origin: dict[str, float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Centres on one road out of the origin: time between two places is the difference of their hours; 80 km/h."""
    ids = [ORIGIN, *hours_from_origin]
    x = np.array([0.0, *hours_from_origin.values()])
    times = pd.DataFrame(np.abs(x[:, None] - x[None, :]) * H, index=ids, columns=ids)
    return times, times / H * 80_000


def allocation(rows: list[tuple[str, str, str, int]], *, household_size: int = 1) -> Allocation:
    """(day, centre, group, people) rows -> an allocation; families in households of `household_size`."""
    records = []
    for day, centre, group, n in rows:
        for k in range(n):
            pid = f"{day}-{centre}-{group}-{k}"
            household = f"{day}-{centre}-h{k // household_size}" if group == "families" else pid
            records.append(
                {
                    "person_id": pid,
                    "day": day,
                    "group": group,
                    "household": household,
                    "pref1": "",
                    "pref2": "",
                    "centre_id": centre,
                    "in_preferred": False,
                    "reason": "",
                }
            )
    return Allocation(pd.DataFrame(records))


def test_slot_capacity_longest_first_and_departures() -> None:
    spread = {f"c{i}": 1.0 + i for i in range(9)}  # 1 h to 9 h from the origin
    times, km = matrices(spread)
    alloc = allocation([("d1", c, "men", 50) for c in spread])
    rules = Rules(
        bays=2, boarding_minutes=30, departure="07:00", last_departure="12:00", margin_pct=0.0
    )
    plan = plan_coaches(alloc, times, km, Fleet(seats=55), rules, iterations=300)
    assert len(plan.trips) == 9 and len(plan.not_carried) == 0
    per_slot = Counter(t.slot for t in plan.trips)
    assert max(per_slot.values()) <= 2
    for t in plan.trips:
        assert (
            t.departure_s == clock_to_s("07:00") + t.slot * 30 * 60
            and t.boarding_s == t.departure_s - 30 * 60
            and t.legal
        )
        assert 1 <= t.bay <= 2
    # the farther the centre, the earlier the slot
    by_distance = sorted(plan.trips, key=lambda t: -spread[t.stops[0].centre_id])
    assert [t.slot for t in by_distance] == sorted(t.slot for t in by_distance)
    assert plan_summary(plan)["max_coaches_per_slot"] == 2
    assert plan.days[0]["lower_bound"] == 9 and plan.days[0]["gap"] == 0


def test_too_few_slots_leave_people_with_a_reason() -> None:
    times, km = matrices({"a": 1.0, "b": 2.0, "c": 3.0})
    alloc = allocation([("d1", c, "men", 50) for c in "abc"])
    rules = Rules(
        bays=1, boarding_minutes=30, departure="07:00", last_departure="07:30"
    )  # two coaches at most
    plan = plan_coaches(alloc, times, km, Fleet(), rules, iterations=200)
    assert len(plan.trips) == 2 and len(plan.not_carried) == 50
    assert plan.not_carried["reason"].str.contains("boarding slot").all()


def test_a_split_centre_never_appears_twice_on_a_trip() -> None:
    times, km = matrices({"big": 2.0, "s1": 2.1, "s2": 2.2})
    # 'big' (40 people) is cut in two loads of 20 so that coaches may share it; both end up on one coach
    alloc = allocation([("d1", "big", "men", 40), ("d1", "s1", "men", 5), ("d1", "s2", "men", 5)])
    plan = plan_coaches(alloc, times, km, Fleet(seats=55), Rules(), iterations=300)
    assert len(plan.trips) == 1
    centres = [s.centre_id for s in plan.trips[0].stops]
    assert (
        len(centres) == len(set(centres)) == 3
        and plan.trips[0].people == 50
        and plan.trips[0].legal
    )


def test_margins_change_legality_in_the_plan() -> None:
    times, km = matrices({"far": 8.5})
    alloc = allocation([("d1", "far", "men", 50)])
    lone = Rules(second_driver=False, margin_pct=0.0)
    assert plan_coaches(alloc, times, km, Fleet(), lone, iterations=100).trips[0].drivers == 1
    # with the 10 % margin, 9.35 h planned: one driver cannot take it and second drivers are off
    plan = plan_coaches(alloc, times, km, Fleet(), replace(lone, margin_pct=10.0), iterations=100)
    assert plan.trips == [] and set(plan.not_carried["reason"]) == {
        "no legal trip reaches this centre within its reception hours"
    }
    doubled = plan_coaches(alloc, times, km, Fleet(), Rules(), iterations=100)
    assert doubled.trips[0].drivers == 2 and doubled.legal_at == {"+5%": 1, "+10%": 1, "+20%": 1}


def test_fleet_coach_by_coach_is_never_double_booked() -> None:
    times, km = matrices({"near": 1.0, "far": 8.0})
    days = ["2016-10-24", "2016-10-25", "2016-10-26"]
    alloc = allocation([(d, c, "men", 50) for d in days for c in ("near", "far")])
    fleet = Fleet(coaches=["A", "B"])
    plan = plan_coaches(alloc, times, km, fleet, Rules(), iterations=200)
    offsets = {d: k * 86_400 for k, d in enumerate(days)}
    busy: dict[str, list[tuple[float, float]]] = {}
    for t in plan.trips:
        assert t.vehicle in fleet.coaches
        busy.setdefault(t.vehicle, []).append(
            (offsets[t.day] + t.boarding_s, offsets[t.day] + t.free_at_s)
        )
    for spans in busy.values():
        spans.sort()
        assert all(end <= start for (_, end), (start, _) in itertools.pairwise(spans))
    # the far trip's crew rests at the centre: its coach is back at 13:21 the next day, too late to board that day
    far = next(t for t in plan.trips if t.stops[0].centre_id == "far")
    assert far.rest_where == "far" and far.free_at_s > 86_400 + clock_to_s("12:00")
    carried = sum(t.people for t in plan.trips)
    assert (
        carried + len(plan.not_carried) == 300 and len(plan.not_carried) == 100
    )  # one load on days 2 and 3
    assert plan.not_carried["reason"].str.contains("no other coach of the fleet is back").all()


def test_household_larger_than_a_coach_is_listed() -> None:
    times, km = matrices({"a": 2.0})
    alloc = allocation([("d1", "a", "families", 8), ("d1", "a", "men", 3)], household_size=8)
    plan = plan_coaches(alloc, times, km, Fleet(seats=5), Rules(), iterations=100)
    assert (
        len(plan.not_carried) == 8
        and plan.not_carried["reason"].str.contains("larger than a coach").all()
    )
    assert sum(t.people for t in plan.trips) == 3 and all(t.people <= 5 for t in plan.trips)


@pytest.mark.parametrize(
    "rules",
    [Rules(max_driving_hours=0.0), Rules(departure="23:30", last_departure="23:30"), Rules()],
)
def test_plans_with_no_trips_do_not_crash(rules: Rules) -> None:
    times, km = matrices({"a": 3.0})
    empty = allocation([])
    for alloc in (empty, allocation([("d1", "a", "men", 10)])):
        if alloc is empty:
            alloc = Allocation(
                pd.DataFrame(
                    columns=[
                        "person_id",
                        "day",
                        "group",
                        "household",
                        "pref1",
                        "pref2",
                        "centre_id",
                        "in_preferred",
                        "reason",
                    ]
                )
            )
        plan = plan_coaches(alloc, times, km, Fleet(), rules, iterations=50)
        summary = plan_summary(plan)
        assert summary["carried"] + summary["not_carried"] == summary["placed"]
        assert rides_by_group(plan) == {} or plan.trips
    nobody = plan_coaches(
        allocation([("d1", "a", "men", 10)]),
        times,
        km,
        Fleet(),
        Rules(max_driving_hours=0.0),
        iterations=50,
    )
    assert nobody.trips == [] and len(nobody.not_carried) == 10


def test_same_inputs_and_seed_same_plan() -> None:
    spread = {f"c{i}": 1.0 + 0.7 * i for i in range(12)}
    times, km = matrices(spread)
    alloc = allocation([("d1", c, "men", 7 + 3 * i) for i, c in enumerate(spread)])

    def key(plan):
        return [
            (t.coach, t.slot, [s.centre_id for s in t.stops], [len(s.people) for s in t.stops])
            for t in plan.trips
        ]

    assert key(plan_coaches(alloc, times, km, Fleet(), Rules(), iterations=400, seed=3)) == key(
        plan_coaches(alloc, times, km, Fleet(), Rules(), iterations=400, seed=3)
    )


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("break_after_hours", 0),
        ("break_after_hours", 0.0),
        ("reception_close", "07:00"),
        ("departure", "7h30"),
        ("reception_open", "25:00"),
        ("preference_penalty_hours", 1e30),
        ("second_driver_cost_hours", 1e30),
        ("last_departure", "06:00"),
        ("max_ride_hours", {"vulnerable": 0}),
        ("ride_weight", {"nobody": 2.0}),
        ("margin_pct", 1e9),
        ("bays", 0),
        ("boarding_minutes", 0),
    ],
)
def test_rules_edge_values_name_the_file_and_key(tmp_path, key: str, value: object) -> None:
    import json

    (tmp_path / "centres.csv").write_text("id,name\n")
    (tmp_path / "people.csv").write_text("person_id,day,group\n")
    (tmp_path / "rules.json").write_text(json.dumps({key: value}))
    with pytest.raises(DataFileError, match=rf"rules\.json.*'{key}'"):
        read_scenario(tmp_path)


def test_range_checks_accept_the_defaults_and_refuse_bad_fleets() -> None:
    check_rules(Rules())
    check_fleet(Fleet(coaches=["A", "B"]))
    with pytest.raises(DataFileError, match=r"fleet.json: key 'coaches'"):
        check_fleet(Fleet(coaches=["A", "A"]))
    with pytest.raises(DataFileError, match=r"fleet.json: key 'coaches_per_day'"):
        check_fleet(Fleet(coaches_per_day=10**7))


def test_slots_that_break_trips_search_on_and_never_mark_them_legal() -> None:
    # four far centres (14.2 h, two drivers): with one bay, only the 07:00 and 07:30 coaches arrive before 22:00
    times, km = matrices({f"far{i}": 14.2 + 0.01 * i for i in range(4)})
    alloc = allocation([("d1", f"far{i}", "men", 50) for i in range(4)])
    rules = Rules(bays=1, margin_pct=0.0)
    plan = plan_coaches(alloc, times, km, Fleet(), rules, iterations=300)
    assert (
        plan.days[0]["solves"] == 2
    )  # every coach at 07:00 first; the slots break two trips; searched on per slot
    assert (
        len(plan.trips) == 2
        and all(t.legal for t in plan.trips)
        and sorted(t.slot for t in plan.trips) == [0, 1]
    )
    assert len(plan.not_carried) == 100
    assert set(plan.not_carried["reason"]) == {
        "no legal trip reaches this centre within its reception hours"
    }
