from dataclasses import replace

import pytest

from abri.constants import ORIGIN
from abri.inputs.scenario import Rules as _Rules
from abri.planning.schedule import (
    Stop,
    Trip,
    after_drop,
    clock_to_s,
    legal_with_extra,
    s_to_clock,
    schedule,
)

H = 3600.0


def Rules(**kw) -> _Rules:
    return replace(_Rules(), margin_pct=0.0, **kw)


def trip(*legs_h: float) -> Trip:
    return Trip(
        "c1",
        "d1",
        [
            Stop(f"s{i}", ["p"], {"men": 1}, leg_s=h * H, leg_km=h * 80)
            for i, h in enumerate(legs_h)
        ],
    )


def test_one_driver_break_after_four_and_a_half_hours() -> None:
    t = schedule(trip(3.0, 2.0), Rules())
    assert t.drivers == 1 and t.breaks == 1 and t.legal
    assert t.stops[0].arrival_s == clock_to_s("10:00") and t.stops[0].breaks_before == 0
    # 10:00 + 15 min service, 1.5 h driving, 45 min break, 0.5 h driving
    assert s_to_clock(t.stops[1].arrival_s) == "13:00" and t.stops[1].breaks_before == 1
    assert t.km == pytest.approx(400)


def test_long_trip_takes_a_second_driver_without_breaks() -> None:
    t = schedule(trip(10.0), Rules())
    assert t.drivers == 2 and t.breaks == 0 and t.legal and s_to_clock(t.end_s) == "17:00"


def test_second_driver_off_refuses_the_trip() -> None:
    t = schedule(trip(10.0), Rules(second_driver=False))
    assert not t.legal and "refused" in t.notes[0]


def test_too_long_even_for_two_drivers_and_late_arrival() -> None:
    t = schedule(trip(19.0), Rules())
    assert (
        not t.legal
        and any("two drivers" in n for n in t.notes)
        and any("after it closes" in n for n in t.notes)
    )


def test_early_coach_waits_for_opening() -> None:
    t = schedule(trip(0.5), Rules(reception_open="09:00"))
    assert s_to_clock(t.stops[0].arrival_s) == "09:00"


def test_clock() -> None:
    assert (
        clock_to_s("07:30") == 27_000
        and s_to_clock(27_000) == "07:30"
        and s_to_clock(90_000) == "+1d 01:00"
    )


def test_centre_hours_override_the_default() -> None:
    import pandas as pd

    from abri.planning.schedule import reception_hours

    hours = reception_hours(
        pd.DataFrame({"id": ["s0", "s1"], "opens": ["11:00", ""], "closes": ["12:00", ""]}), Rules()
    )
    assert hours == {
        "s0": (clock_to_s("11:00"), clock_to_s("12:00")),
        "s1": (clock_to_s("08:00"), clock_to_s("22:00")),
    }
    t = schedule(trip(1.0), Rules(), hours=hours)
    assert s_to_clock(t.stops[0].arrival_s) == "11:00"  # waits for the centre to open
    late = schedule(trip(6.0), Rules(), hours=hours)
    assert not late.legal and "closes at 12:00" in late.notes[0]


def test_margin_changes_legality_on_planned_times() -> None:
    # 8.5 h of road data: one driver without a margin; with 10 % (9.35 h planned) a second driver
    assert schedule(trip(8.5), Rules()).drivers == 1
    planned = schedule(trip(8.5), _Rules())
    assert (
        planned.drivers == 2
        and planned.planned_driving_s == pytest.approx(8.5 * 1.1 * H)
        and planned.driving_s == 8.5 * H
    )
    # second drivers off: the margin makes the same trip illegal
    assert schedule(trip(8.5), Rules(second_driver=False)).legal
    assert not schedule(trip(8.5), _Rules(second_driver=False)).legal
    # a driving buffer of 45 min per driver: 8.5 h no longer fits one driver
    assert schedule(trip(8.5), Rules(driving_buffer_minutes=45)).drivers == 2
    # slack against 9 h per driver and against closing
    t = schedule(trip(8.0), Rules(), departure_s=clock_to_s("07:00"))
    assert t.slack_driving_s == pytest.approx(1 * H)
    assert t.slack_close_s == pytest.approx(clock_to_s("22:00") - t.end_s)


def test_legal_with_longer_roads() -> None:
    rules = Rules(second_driver=False)
    t = schedule(trip(8.4), rules)
    assert (
        t.legal and legal_with_extra(t, rules, 5) and not legal_with_extra(t, rules, 10)
    )  # 9.24 h > 9 h
    late = schedule(
        trip(4.0, 4.0, 4.0), Rules(), departure_s=clock_to_s("08:00")
    )  # two drivers; last drop 20:30
    assert (
        late.legal
        and legal_with_extra(late, Rules(), 5)
        and not legal_with_extra(late, Rules(), 20)
    )  # 22:54 > 22:00


def test_slot_departure_moves_arrivals() -> None:
    t = schedule(trip(2.0), Rules(), departure_s=clock_to_s("09:30"))
    assert t.departure_s == clock_to_s("09:30") and s_to_clock(t.end_s) == "11:30"


def test_way_back_and_rest_by_hand() -> None:
    rules = Rules()
    # 3 h out, 15 min service, 3 h back: 6 h of driving, one 45 min break on the way back (after 4.5 h)
    short = after_drop(schedule(trip(3.0), rules), rules, 3 * H, 240.0)
    assert short.rest_where == ORIGIN == short.free_where
    assert s_to_clock(short.free_at_s) == s_to_clock(
        clock_to_s("10:00") + 15 * 60 + 3 * H + 45 * 60
    )  # 14:00
    assert (
        short.drivers_free_at_s == pytest.approx(short.free_at_s + 11 * H)
        and short.return_km == 240.0
    )
    # 8 h out: 1 h of driving left, the way back (8 h) waits for the daily rest at the centre
    long = after_drop(schedule(trip(8.0), rules), rules, 8 * H, 640.0)
    arrival = clock_to_s("07:00") + 8 * H + 45 * 60  # 15:45
    assert long.stops[-1].arrival_s == arrival and long.rest_where == "s0"
    # 15 min service, 11 h rest, 8 h back with one break
    assert long.free_at_s == pytest.approx(arrival + 15 * 60 + 11 * H + 8 * H + 45 * 60)


def test_way_back_over_several_days_is_counted_not_looped() -> None:
    rules = Rules(max_driving_hours=2.0)
    # 20 h back at 2 h a day (one driver, a second allowed): 2 x 2 h = 4 h a day, 5 days of driving, 4 rests between them
    far = after_drop(schedule(trip(3.0), rules), rules, 20 * H, 1500.0)
    days = 5
    assert far.free_at_s == pytest.approx(
        far.end_s + 15 * 60 + 11 * H + 20 * H + (days - 1) * 11 * H, rel=1e-6
    )
    # no driving time at all (or next to none) ends at once, never loops
    for hours in (0.0, 5e-38):
        tiny = Rules(max_driving_hours=hours, second_driver=False)
        done = after_drop(schedule(trip(1.0), tiny), tiny, 3 * H, 240.0)
        assert done.free_at_s >= done.end_s and done.rest_where == "s0"


def test_seats_stops_and_repeats_are_checked() -> None:
    t = trip(1.0, 1.0)
    t.stops[1].centre_id = "s0"
    t.stops[0].people = ["a", "b", "c"]
    checked = schedule(t, Rules(max_stops=1), seats=2)
    assert not checked.legal and len(checked.notes) == 3
