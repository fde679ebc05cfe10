"""Fewer coach stops: trades between days that gather a day's people into fewer centres (abri.planning.stops)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_allocation_needs import centres, people  # type: ignore[import-not-found]

from abri.inputs.scenario import Rules
from abri.planning.needs import Places, Signature, mask
from abri.planning.placement import accepts
from abri.planning.stops import gather, stop_budget

DAY1, DAY2 = "2016-10-24", "2016-10-25"
ONE_STOP = replace(Rules(), max_stops=1)  # a day of fewer people than a coach's seats may stop once
FULL = 20  # places in each centre of split_days: both full, so only trades can empty one


def frame(
    regions: dict[str, str], hours: dict[str, float], places: int = 40, **services: list
) -> pd.DataFrame:
    """The allocation's centre table: `places` each, men, a region and a ride time."""
    rows = [(cid, places, "men", regions[cid]) for cid in regions]
    out = centres(*rows, **services)
    out["time_s"] = [hours[c] * 3600 for c in regions]
    out["ride_h"] = [hours[c] for c in regions]
    return out


def split_days(pref: str = "") -> tuple[pd.DataFrame, dict[str, str]]:
    """Day 1: 19 people in S and 1 in T; day 2: 1 in S and 19 in T; day 1 and the one of day 2
    in S prefer `pref` when given."""
    rows = [(f"p{n}", DAY1, "men", "", "") for n in range(20)]
    rows += [(f"q{n}", DAY2, "men", "", "") for n in range(20)]
    prefs = [pref] * 21 + [""] * 19
    table = people(*rows, pref1=prefs, pref2=[""] * 40)
    assigned = {f"p{n}": "S" for n in range(19)} | {"p19": "T", "q0": "S"}
    assigned |= {f"q{n}": "T" for n in range(1, 20)}
    return table, assigned


def centres_of(assigned: dict[str, str], table: pd.DataFrame) -> dict[str, set[str]]:
    day = dict(zip(table["person_id"], table["day"]))
    out: dict[str, set[str]] = {}
    for pid, cid in assigned.items():
        out.setdefault(day[pid], set()).add(cid)
    return out


def run(
    table: pd.DataFrame,
    assigned: dict[str, str],
    centre_table: pd.DataFrame,
    sigs: dict,
    waiting: set[str] | None = None,
):
    places = Places.of(centre_table)
    places.take_many(list(assigned.values()), [sigs.get(p, Signature()) for p in assigned])
    sig_series = pd.Series({p: sigs.get(p, Signature()) for p in table["person_id"]})
    result = gather(
        assigned,
        table,
        centre_table,
        places,
        sig_series,
        set(table["person_id"]),
        seats=53,
        rules=ONE_STOP,
        waiting=waiting,
    )
    return result, places


def test_a_trade_leaves_each_day_one_centre() -> None:
    table, assigned = split_days()
    before = Counter(assigned.values())
    (moved, _, _), _ = run(
        table, assigned, frame({"S": "R1", "T": "R1"}, {"S": 2, "T": 2.5}, FULL), {}
    )
    assert moved == 2
    assert centres_of(assigned, table) == {DAY1: {"S"}, DAY2: {"T"}}
    assert Counter(assigned.values()) == before  # capacities used are unchanged


def test_a_hard_need_stays_and_the_others_trade_around_it() -> None:
    table, assigned = split_days()
    needs = {"p19": Signature(accessible=1)}  # in T, the only centre with an accessible place
    centre_table = frame({"S": "R1", "T": "R1"}, {"S": 2, "T": 2.5}, FULL, accessible_places=[0, 2])
    (moved, _, _), places = run(table, assigned, centre_table, needs)
    assert assigned["p19"] == "T"  # never to S: no accessible place there
    assert moved == 38  # the 19 others of day 1 trade with 19 of day 2
    assert centres_of(assigned, table) == {DAY1: {"T"}, DAY2: {"S"}}
    assert places.accessible["T"] == 1


def test_no_trade_against_a_hard_need() -> None:
    table, assigned = split_days()
    needs = {
        "p19": Signature(accessible=1),
        **{f"q{n}": Signature(accessible=1) for n in range(1, 20)},
    }
    centre_table = frame(
        {"S": "R1", "T": "R1"}, {"S": 2, "T": 2.5}, FULL, accessible_places=[0, 20]
    )
    (moved, _, _), _ = run(table, assigned, centre_table, needs)
    assert moved == 0 and assigned["p19"] == "T" and assigned["q0"] == "S"


def test_no_trade_out_of_a_preferred_region() -> None:
    table, assigned = split_days(pref="R1")  # S is in their preferred region; T is not
    (moved, _, _), _ = run(
        table, assigned, frame({"S": "R1", "T": "R2"}, {"S": 2, "T": 2.5}, FULL), {}
    )
    assert moved == 0 and assigned["q0"] == "S"  # p19 would have S, but q0 would leave R1


def test_no_trade_that_lengthens_a_ride_too_much() -> None:
    table, assigned = split_days()
    (moved, _, _), _ = run(
        table, assigned, frame({"S": "R1", "T": "R1"}, {"S": 1, "T": 6}, FULL), {}
    )
    assert moved == 0


def test_the_budget_is_stops_per_coach_of_the_seat_bound() -> None:
    assert stop_budget(0, 53, 4) == 0
    assert stop_budget(1, 53, 4) == 3  # 3.5 stops a coach, whole stops
    assert stop_budget(106, 53, 4) == 7
    assert stop_budget(106, 53, 1) == 2  # never more than the rules' stops


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from([DAY1, DAY2, "2016-10-26"]), st.sampled_from("ABCD")),
        min_size=2,
        max_size=40,
    ),
    st.lists(st.booleans(), min_size=40, max_size=40),
)
def test_trades_keep_places_needs_and_never_add_a_stop(
    placed: list[tuple[str, str]], wheelchair: list[bool]
) -> None:
    rows = [(f"x{n}", day, "men", "", "") for n, (day, _) in enumerate(placed)]
    table = people(*rows, pref1=[""] * len(rows), pref2=[""] * len(rows))
    assigned = {f"x{n}": cid for n, (_, cid) in enumerate(placed)}
    needs = {f"x{n}": Signature(accessible=1) for n in range(len(rows)) if wheelchair[n]}
    centre_table = frame(
        dict.fromkeys("ABCD", "R1"),
        {"A": 1, "B": 1.5, "C": 2, "D": 2.2},
        accessible_places=[40, 0, 40, 0],
    )
    needs = {p: s for p, s in needs.items() if assigned[p] in "AC"}  # placed where they may be
    before = Counter(assigned.values())
    stops_before = {d: len(c) for d, c in centres_of(assigned, table).items()}
    _, places = run(table, assigned, centre_table, needs)
    assert len(assigned) == before.total()  # everyone keeps a place (traded, or moved into room)
    for day, count in ((d, len(c)) for d, c in centres_of(assigned, table).items()):
        assert count <= stops_before[day]
    by_id = centre_table.set_index("id")
    for pid, sig in needs.items():
        row = centre_table[centre_table["id"] == assigned[pid]]
        assert mask(row, sig, ONE_STOP)[0] and accepts(row, "men")[0]
    assert (places.accessible >= 0).all() and (places.left >= 0).all()
    assert set(places.left.index) == set(by_id.index)


LONG_WAY = {"S": 1, "T": 3}  # p19 may not move from S to T: his ride would grow by 2 h


def waiting_day(group_of_waiting: str = "men") -> tuple[pd.DataFrame, dict[str, str]]:
    """Day 1: 19 people in T and 1 in S; one more person of day 1 waits (the day's boarding is full)."""
    rows = [(f"p{n}", DAY1, "men", "", "") for n in range(20)]
    rows.append(("w0", DAY1, group_of_waiting, "", ""))
    table = people(*rows, pref1=[""] * 21, pref2=[""] * 21)
    return table, {f"p{n}": "T" for n in range(19)} | {"p19": "S"}


def test_a_waiting_person_takes_the_seat_of_a_lone_stop() -> None:
    table, assigned = waiting_day()
    centre_table = frame({"S": "R1", "T": "R1"}, LONG_WAY)
    (_, out, into), places = run(table, assigned, centre_table, {}, waiting={"w0"})
    assert (out, into) == (["p19"], ["w0"])
    assert assigned["w0"] == "T" and "p19" not in assigned  # as many carried, in one stop
    assert places.left["S"] == 40 and places.left["T"] == 20


def test_a_waiting_person_of_another_group_does_not_take_the_seat() -> None:
    table, assigned = waiting_day(group_of_waiting="women")
    centre_table = frame({"S": "R1", "T": "R1"}, LONG_WAY)
    centre_table["groups"] = "men;women"
    (_, out, into), _ = run(table, assigned, centre_table, {}, waiting={"w0"})
    assert (out, into) == ([], []) and assigned["p19"] == "S"


def one_day(pref: str = "") -> tuple[pd.DataFrame, dict[str, str]]:
    """One day whose boarding is full (w0 waits; the centres take men only, so she takes no seat):
    19 people in T and p19 alone in S (preferring `pref` when given); no other day to trade with."""
    rows = [(f"p{n}", DAY1, "men", "", "") for n in range(20)] + [("w0", DAY1, "women", "", "")]
    table = people(*rows, pref1=[""] * 19 + [pref, ""], pref2=[""] * 21)
    return table, {f"p{n}": "T" for n in range(19)} | {"p19": "S"}


def test_a_lone_person_moves_where_the_day_stops_when_there_is_room() -> None:
    table, assigned = one_day()
    centre_table = frame({"S": "R1", "T": "R1"}, {"S": 2, "T": 2.5})
    (moved, _, _), _ = run(table, dict(assigned), centre_table, {})
    assert moved == 0  # boarding not full: the stop costs no one a seat, nobody moves
    (moved, out, into), places = run(table, assigned, centre_table, {}, waiting={"w0"})
    assert (moved, out, into) == (1, [], [])
    assert assigned["p19"] == "T" and centres_of(assigned, table) == {DAY1: {"T"}}
    assert places.left["S"] == 40 and places.left["T"] == 20  # the place follows the person


@pytest.mark.parametrize(
    ("regions", "hours", "places", "pref"),
    [
        ({"S": "R1", "T": "R1"}, {"S": 2, "T": 2.5}, 19, ""),  # no room in T
        ({"S": "R1", "T": "R1"}, {"S": 1, "T": 6}, 40, ""),  # a ride 5 h longer
    ],
)
def test_a_lone_person_stays_when_moving_would_break_a_rule(
    regions: dict[str, str], hours: dict[str, float], places: int, pref: str
) -> None:
    table, assigned = one_day(pref)
    centre_table = frame(regions, hours, places)
    centre_table.loc[centre_table["id"] == "S", "capacity"] = 1  # nor can the 19 of T move to S
    (moved, _, _), left = run(table, assigned, centre_table, {}, waiting={"w0"})
    assert moved == 0 and assigned["p19"] == "S" and (left.left >= 0).all()


def test_a_household_of_another_day_moves_on_to_make_room() -> None:
    """T is full (19 of day 1, q0 of day 2): q0 moves on to U, where day 2 stops, and p19 takes his place in T."""
    rows = [(f"p{n}", DAY1, "men", "", "") for n in range(20)]
    rows += [(f"q{n}", DAY2, "men", "", "") for n in range(20)] + [("w0", DAY1, "women", "", "")]
    table = people(*rows, pref1=[""] * 41, pref2=[""] * 41)
    assigned = {f"p{n}": "T" for n in range(19)} | {"p19": "S", "q0": "T"}
    assigned |= {f"q{n}": "U" for n in range(1, 20)}
    centre_table = frame({"S": "R1", "T": "R1", "U": "R1"}, {"S": 2, "T": 2.5, "U": 3})
    centre_table.loc[centre_table["id"] == "T", "capacity"] = 20
    (moved, out, into), places = run(table, assigned, centre_table, {}, waiting={"w0"})
    assert (moved, out, into) == (2, [], [])
    assert centres_of(assigned, table) == {DAY1: {"T"}, DAY2: {"U"}}
    assert (places.left["S"], places.left["T"], places.left["U"]) == (40, 0, 20)


def test_on_a_full_day_a_wish_gives_way_to_a_seat_never_on_another() -> None:
    """p19 prefers R2, where S is: on a full day he moves to T (R1), where the day stops; otherwise he stays."""
    table, assigned = one_day(pref="R2")
    centre_table = frame({"S": "R2", "T": "R1"}, {"S": 2, "T": 2.5})
    (moved, _, _), _ = run(table, dict(assigned), centre_table, {})
    assert moved == 0
    (moved, _, _), _ = run(table, assigned, centre_table, {}, waiting={"w0"})
    assert moved == 1 and assigned["p19"] == "T"
