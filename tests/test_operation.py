"""Readiness of the operation: boarding, fleet, drivers' and reception hours; the allocation within a day's capacity."""

from __future__ import annotations

import pandas as pd

from abri.inputs.scenario import Fleet, Rules
from abri.planning.allocation import within_capacity
from abri.planning.operation import (
    day_capacity,
    lifts,
    operation_lines,
    operation_table,
    reach,
)


def test_four_times_calais_with_four_bays_says_boarding_binds_and_what_lifts_it() -> None:
    fleet, rules = Fleet(coaches_per_day=240, seats=55), Rules()  # 4 bays x 13 slots
    cap = day_capacity(fleet, rules)
    assert (cap.boarding, cap.coaches, cap.people, cap.binding) == (52, 52, 2_860, "boarding")
    table = operation_table(pd.Series({"2016-10-26": 6_712, "2016-11-02": 1_616}), fleet, rules)
    day = table.loc["2016-10-26"]
    assert day["short"] == 6_712 - 2_860 and day["binds"] == "boarding"
    assert day["coaches_needed"] == 123 and day["lift"] == "6 more bays, or 2 more days"
    assert table.loc["2016-11-02", "short"] == 0 and table.loc["2016-11-02", "lift"] == ""
    lines = operation_lines(table)
    assert len(lines) == 1 and "boarding binds" in lines[0] and "6 more bays" in lines[0]
    assert "2,860 people" in cap.reason() and "4 bays x 13 slots" in cap.reason()


def test_a_small_fleet_binds_before_the_bays() -> None:
    fleet, rules = Fleet(coaches_per_day=10, seats=50), Rules(bays=20)
    cap = day_capacity(fleet, rules)
    assert cap.binding == "fleet" and cap.people == 500
    assert lifts(1_200, cap) == "14 more coaches, or 2 more days"
    assert lifts(500, cap) == ""
    assert operation_lines(operation_table(pd.Series({"d": 400}), fleet, rules))[0].startswith(
        "operation: every day's people fit"
    )


def test_reach_by_drivers_and_reception_hours() -> None:
    hours = pd.Series([3600.0, 8 * 3600.0, 10 * 3600.0])  # 1.1, 8.8 and 11 h planned
    places = pd.Series([10.0, 20.0, 30.0])
    out = reach(hours, places, Rules())  # last departure 13:00, closing 22:00
    assert out == {
        "places_two_drivers": 30,
        "places_out_of_reach": 0,
        "places_early_slots_only": 50,
    }
    assert reach(hours, places, Rules(second_driver=False))["places_out_of_reach"] == 30


def test_within_capacity_keeps_households_whole_and_priorities_first() -> None:
    today = pd.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(8)],
            "group": [
                "men",
                "men",
                "families",
                "families",
                "families",
                "vulnerable",
                "men",
                "women",
            ],
            "household": ["", "", "H1", "H1", "H1", "", "", ""],
        }
    )
    weights = Rules().ride_weight
    kept, left = within_capacity(today, 5, weights)
    # vulnerable, the family, a woman (by ride weight), then file order
    assert sorted(kept["person_id"]) == ["p2", "p3", "p4", "p5", "p7"]
    assert len(kept) + len(left) == 8
    kept, _ = within_capacity(today, 2, weights)
    assert list(kept["person_id"]) == ["p5", "p7"]  # the family of three does not fit: never split
