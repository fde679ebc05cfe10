import pytest

from abri.geo.scenario import Rules
from abri.routing.schedule import Stop, Trip, clock_to_s, s_to_clock, schedule

H = 3600.0


def trip(*legs_h: float) -> Trip:
    return Trip("c1", "d1", [Stop(f"s{i}", ["p"], {"men": 1}, leg_s=h * H, leg_km=h * 80) for i, h in enumerate(legs_h)])


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
    assert not t.legal and any("two drivers" in n for n in t.notes) and any("after it closes" in n for n in t.notes)


def test_early_coach_waits_for_opening() -> None:
    t = schedule(trip(0.5), Rules(reception_open="09:00"))
    assert s_to_clock(t.stops[0].arrival_s) == "09:00"


def test_clock() -> None:
    assert clock_to_s("07:30") == 27_000 and s_to_clock(27_000) == "07:30" and s_to_clock(90_000) == "+1d 01:00"


def test_centre_hours_override_the_default() -> None:
    import pandas as pd

    from abri.routing.schedule import reception_hours

    hours = reception_hours(pd.DataFrame({"id": ["s0", "s1"], "opens": ["11:00", ""], "closes": ["12:00", ""]}), Rules())
    assert hours == {"s0": (clock_to_s("11:00"), clock_to_s("12:00")), "s1": (clock_to_s("08:00"), clock_to_s("22:00"))}
    t = schedule(trip(1.0), Rules(), hours=hours)
    assert s_to_clock(t.stops[0].arrival_s) == "11:00"  # waits for the centre to open
    late = schedule(trip(6.0), Rules(), hours=hours)
    assert not late.legal and "closes at 12:00" in late.notes[0]
