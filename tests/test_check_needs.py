"""The independent check of needs and pathways: a plan meeting every hard need passes; one broken by hand, need by need, is rejected naming the person and the need; the accounting holds per pathway.

Hand-made inputs (``tests/tiny.py``): no data pack, no road graph, no planner.
"""

from __future__ import annotations

import copy
from dataclasses import replace

import pandas as pd
import pytest
from tiny import Tiny, hand_plan, tiny  # type: ignore[import-not-found]

from abri.constants import ORIGIN
from abri.inputs.pathways import Pathway
from abri.inputs.scenario import Fleet
from abri.planning.accounting import Accounting, PathwayCount
from abri.planning.allocation import Allocation, allocate
from abri.planning.check import PlanCheck, check_plan, mark_illegal
from abri.planning.check_pathways import shortfall_codes
from abri.planning.plan import Plan
from abri.planning.schedule import Stop

DAY = "2016-10-24"
CENTRES = [
    ("A", 100, 0, 12, "men;women;vulnerable"),  # 1.25 h, accessible, dialysis 20 min away
    ("B", 0, 300, 12, "men;women;vulnerable"),  # 3.75 h, not accessible, dialysis 2 h away
    ("C", -500, 0, 12, "men;minors"),  # an ordinary minors' centre
    ("H", 0, -200, 12, "minors"),  # a minors' centre holding Home Office interviews
]
SERVICES = {
    "accessible_places": [1, 0, 0, 0],
    "single_rooms": [1, 0, 0, 0],
    "home_office": [False, False, False, True],
    "care_min_dialysis": [20.0, 120.0, 30.0, 30.0],
    "care_min_maternity": [25.0, 40.0, 30.0, 30.0],
    "care_min_emergency": [10.0, 20.0, 20.0, 20.0],
    "care_min_psychiatry": [30.0, 50.0, 50.0, 50.0],
}
# person, group, centre, needs, pathway, family country, reason
PEOPLE = [
    *[(f"P{i}", "men", "A", "", "centre", "", "") for i in range(3)],
    *[(f"Q{i}", "men", "B", "", "centre", "", "") for i in range(3)],
    ("W1", "vulnerable", "A", "wheelchair", "centre", "", ""),
    ("D1", "vulnerable", "A", "care:dialysis", "centre", "", ""),
    ("G1", "women", "A", "pregnancy", "centre", "", ""),
    ("X1", "men", "A", "single-room", "centre", "", ""),
    ("S1", "vulnerable", "A", "stretcher", "medical", "", ""),
    ("M1", "minors", "H", "", "uk-centre", "UK", ""),
    ("M2", "minors", "", "", "uk", "UK", "gone to the UK (direct)"),
    ("M3", "minors", "C", "", "centre", "", ""),
    ("R1", "men", "", "", "refusal", "", "refused: wants to stay near the coast"),
    ("U1", "men", "", "", "", "", "no places left for group 'men'"),
]
COACH = {"centre", "uk-centre"}


def _assignments(people: list[tuple[str, ...]] = PEOPLE) -> pd.DataFrame:
    rows = [
        {
            "person_id": p,
            "day": DAY,
            "group": g,
            "household": p,
            "pref1": "",
            "pref2": "",
            "centre_id": c,
            "in_preferred": True,
            "reason": r,
            "needs": n,
            "languages": "",
            "family_country": f,
            "pathway": w,
            "shortfall": "",
        }
        for p, g, c, n, w, f, r in people
    ]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def case() -> tuple[Tiny, Plan]:
    fleet = Fleet(
        coaches_per_day=6, seats=10, accessible_coaches_per_day=1, accessible_seats=8,
        wheelchair_places=1,
    )  # fmt: skip
    inputs = tiny(CENTRES, [(p[0], DAY, p[1], "") for p in PEOPLE], fleet=fleet)
    inputs.centres = inputs.centres.assign(**SERVICES)
    assignments = _assignments()
    on_coach = Allocation(assignments[assignments["pathway"].isin(COACH)].reset_index(drop=True))
    plan = hand_plan(inputs, on_coach)
    plan.allocation = Allocation(assignments)
    for trip in plan.trips:
        trip.vehicle_kind = "accessible" if "W1" in trip.stops[0].people else ""
    return inputs, plan


def _check(inputs: Tiny, plan: Plan, **kwargs: object) -> PlanCheck:
    return check_plan(plan, times=inputs.times, km=inputs.km, centres=inputs.centres, **kwargs)  # type: ignore[arg-type]


def _stop(plan: Plan, centre: str) -> Stop:
    return next(s for t in plan.trips for s in t.stops if s.centre_id == centre)


def _trip_of(plan: Plan, person: str):  # type: ignore[no-untyped-def]
    return next(t for t in plan.trips for s in t.stops if person in s.people)


def _set(plan: Plan, person: str, **values: str) -> None:
    frame = plan.allocation.assignments
    for column, value in values.items():
        frame.loc[frame["person_id"] == person, column] = value


def _group(plan: Plan, person: str) -> str:
    return str(plan.allocation.assignments.set_index("person_id").at[person, "group"])


def _unboard(plan: Plan, person: str) -> None:
    """Take `person` off any coach, the manifest counting them no more."""
    for trip in plan.trips:
        for stop in trip.stops:
            if person in stop.people:
                stop.people.remove(person)
                stop.groups[_group(plan, person)] -= 1
                stop.households = [[p for p in h if p != person] for h in stop.households]


def _board(plan: Plan, person: str, centre: str) -> None:
    """Put `person` on the coach to `centre` (off any other), the manifest counting them."""
    _unboard(plan, person)
    group = _group(plan, person)
    stop = _stop(plan, centre)
    stop.people.append(person)
    stop.groups[group] = stop.groups.get(group, 0) + 1
    stop.households.append([person])


def _move(plan: Plan, person: str, centre: str) -> None:
    """Place `person` in `centre` and carry them there."""
    _set(plan, person, centre_id=centre)
    _board(plan, person, centre)


def test_a_plan_meeting_every_need_passes_and_accounts_per_pathway(case) -> None:
    inputs, plan = case
    check = _check(inputs, plan)
    assert check.ok, check.errors
    assert not check.warnings
    a = check.accounting
    assert (a.people_in, a.carried, a.uk_direct, a.medical, a.refused) == (len(PEOPLE), 12, 1, 1, 1)
    assert a.unplaced == {"no places left for group 'men'": 1} and a.balance == 0
    assert a.pathways == {
        "": PathwayCount(people=1, unplaced=1),
        "centre": PathwayCount(people=11, carried=11),
        "medical": PathwayCount(people=1, own_way=1),
        "refusal": PathwayCount(people=1, own_way=1),
        "uk": PathwayCount(people=1, own_way=1),
        "uk-centre": PathwayCount(people=1, carried=1),
    }
    text = str(a)
    assert text.startswith(
        "16 people in = 12 carried by coach to centres + 1 UK direct + 1 medical transfers + "
        "1 refused + 0 not carried + 1 unplaced + 0 rows set aside"
    )
    assert "by pathway: " in text and "uk-centre 1 = 1 carried" in text
    doc = a.to_dict()
    assert doc["pathways"]["uk"] == {
        "people": 1, "carried": 0, "not_carried": 0, "own_way": 1, "unplaced": 0, "balance": 0
    }  # fmt: skip
    assert (doc["uk_direct"], doc["medical_transfers"], doc["refused"], doc["ok"]) == (
        1,
        1,
        1,
        True,
    )


BREAKAGES = {
    "wheelchair user on a coach without a lift": (
        "W1",
        "need wheelchair (accessible coach)",
        "not accessible",
    ),
    "wheelchair user in a centre without accessible places": (
        "W1",
        "need wheelchair (accessible place)",
        "over its 0 accessible places",
    ),
    "dialysis 2 h away": ("D1", "need care:dialysis", "120 min by road from dialysis care"),
    "stretcher on a coach": ("S1", "need medical transfer", "ride this coach"),
    "UK-link minor in an ordinary centre": ("M1", "need UK link", "no uk-quota shortfall"),
    "pregnant woman riding 9.5 h": ("G1", "need ride limit", "ride 9.50 h"),
    "single room taken twice": ("P0", "need single-room", "over its 1 single rooms"),
    "refused person on a coach": ("R1", "pathway refusal", "ride this coach"),
    "UK-direct minor placed in a centre": ("M2", "pathway uk", "placed in H"),
    "uk-centre without Home Office": ("M1", "pathway uk-centre", "no Home Office interviews"),
    "unknown care minutes": ("D1", "need care:dialysis", "no known road time"),
    "refusal on the centre pathway": ("P1", "refusal: people who refused", "pathway 'centre'"),
    "medical pathway without the need": ("P2", "pathway medical", "no need for a medical"),
    "UK pathway without a UK link": ("M3", "pathway uk", "no family link in the UK"),
}


def _break(inputs: Tiny, plan: Plan, breakage: str) -> Tiny:
    """Break `plan` (a copy) by hand; returns the inputs to check it with."""
    if breakage.startswith("wheelchair user on"):
        _trip_of(plan, "W1").vehicle_kind = ""
    elif breakage.startswith("wheelchair user in"):
        _move(plan, "W1", "B")
    elif breakage.startswith("dialysis"):
        _move(plan, "D1", "B")
    elif breakage.startswith("stretcher"):
        _board(plan, "S1", "A")
    elif breakage.startswith("UK-link"):
        _set(plan, "M1", pathway="centre")
        _move(plan, "M1", "C")
    elif breakage.startswith("pregnant"):
        trip = _trip_of(plan, "G1")
        trip.stops[0].arrival_s = trip.departure_s + 9.5 * 3600
    elif breakage.startswith("single room"):
        _set(plan, "P0", needs="single-room")
    elif breakage.startswith("refused"):
        _set(plan, "R1", centre_id="A")
        _board(plan, "R1", "A")
    elif breakage.startswith("UK-direct"):
        _set(plan, "M2", centre_id="H")
    elif breakage.startswith("uk-centre"):
        inputs = copy.copy(inputs)
        inputs.centres = inputs.centres.assign(home_office=False)
    elif breakage.startswith("refusal on"):
        _set(plan, "P1", refusal="does not want to leave Calais")
    elif breakage.startswith("medical pathway"):
        _set(plan, "P2", pathway="medical")
        _unboard(plan, "P2")
    elif breakage.startswith("UK pathway"):
        _set(plan, "M3", pathway="uk-centre")
    elif breakage.startswith("unknown care"):
        inputs = copy.copy(inputs)
        inputs.centres = inputs.centres.assign(care_min_dialysis=float("nan"))
    return inputs


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_a_plan_broken_by_hand_is_rejected_naming_the_person_and_the_need(
    case, breakage: str
) -> None:
    person, need, value = BREAKAGES[breakage]
    plan = copy.deepcopy(case[1])
    inputs = _break(case[0], plan, breakage)
    check = _check(inputs, plan)
    assert not check.ok
    found = [e for e in check.errors if need in e and person in e]
    assert found and any(value in e for e in found), check.errors


def test_a_coach_breaking_a_need_is_marked_illegal(case) -> None:
    plan = copy.deepcopy(case[1])
    inputs = _break(case[0], plan, "stretcher on a coach")
    check = _check(inputs, plan)
    trip = _trip_of(plan, "S1")
    assert any("S1" in p and "medical transfer" in p for p in check.trips[trip.coach])
    assert mark_illegal(plan, check) == [trip.coach] and not trip.legal


def test_the_messages_name_the_trip_the_centre_and_the_limit(case) -> None:
    inputs, plan = case
    plan = copy.deepcopy(plan)
    _break(inputs, plan, "pregnant woman riding 9.5 h")
    _break(inputs, plan, "dialysis 2 h away")
    errors = _check(inputs, plan).errors
    ride = next(e for e in errors if "ride limit" in e and "G1" in e)
    assert _trip_of(plan, "G1").coach in ride and "to A" in ride and "limit of 9 h" in ride
    care = next(e for e in errors if "care:dialysis" in e)
    assert "placed in B" in care and "limit of 45 min" in care


def test_a_ride_over_the_limit_listed_as_a_shortfall_is_a_warning_with_its_count(case) -> None:
    inputs, plan = case
    plan = copy.deepcopy(plan)
    _break(inputs, plan, "pregnant woman riding 9.5 h")
    over = ["G1", "W1", "D1"]  # pregnancy, wheelchair and care limit the ride to 9 h; men have none
    rides = [e for e in _check(inputs, plan).errors if "need ride limit" in e]
    assert all(any(p in e for e in rides) for p in over) and not any("P0" in e for e in rides)
    for p in over[:2]:
        _set(plan, p, shortfall="ride-limit: no centre nearer with an accessible place was left")
    plan.shortfalls = pd.DataFrame(  # the plan's own list counts too
        [{"person_id": "D1", "code": "ride-limit", "detail": "the only dialysis centre"}]
    )
    check = _check(inputs, plan)
    assert check.ok, check.errors
    assert any("3 people ride over their limit" in w for w in check.warnings), check.warnings
    assert any("ride-limit 3" in w for w in check.warnings) and check.to_dict()["warnings"]


def test_a_uk_link_minor_with_a_quota_shortfall_passes(case) -> None:
    inputs, plan = case
    plan = copy.deepcopy(plan)
    _break(inputs, plan, "UK-link minor in an ordinary centre")
    _set(plan, "M1", shortfall="uk-quota: the UK pathway's 40 places of 2016-10-24 are taken")
    check = _check(inputs, plan)
    assert check.ok, check.errors
    assert any("uk-quota 1" in w for w in check.warnings)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("two wheelchairs", "more than the coach's 1 wheelchair places"),
        ("crowded", "seated people on an accessible coach, more than its 3 seats"),
        ("two accessible", "more accessible trips on 2016-10-24 than the fleet's 1"),
        ("named coach", "not one of the fleet's accessible coaches"),
    ],
)
def test_accessible_coaches_within_the_fleet(case, change: str, expected: str) -> None:
    inputs, plan = case
    plan = copy.deepcopy(plan)
    if change == "two wheelchairs":
        _set(plan, "P0", needs="wheelchair")
    elif change == "crowded":
        plan.fleet = replace(plan.fleet, accessible_seats=3)
    elif change == "two accessible":
        for trip in plan.trips:
            trip.vehicle_kind = "accessible"
    else:
        plan.fleet = replace(plan.fleet, coaches=["K1", "K2"], accessible_coaches=["K2"])
        _trip_of(plan, "W1").vehicle = "K1"
    check = _check(inputs, plan)
    assert any(expected in e for e in check.errors), check.errors


def test_pathway_days_and_quotas(case) -> None:
    inputs, plan = case
    ok = [
        Pathway("uk", "direct", daily_quota=1),
        Pathway("medical", "transfer", days=(DAY,)),
    ]
    assert _check(inputs, plan, pathways=ok).ok
    errors = _check(
        inputs,
        plan,
        pathways=[
            Pathway("uk", "direct", daily_quota=0),
            Pathway("medical", "transfer", days=("2016-10-25",)),
        ],
    ).errors
    assert "pathway uk: 1 people on 2016-10-24, over its daily quota of 0" in errors
    assert "pathway medical: 1 people on 2016-10-24, a day it does not run" in errors


def test_the_accounting_catches_a_person_missing_per_pathway(case) -> None:
    inputs, plan = case
    plan = copy.deepcopy(plan)
    _unboard(plan, "M1")  # M1 (uk-centre) is neither carried nor listed as not carried
    check = _check(inputs, plan)
    a = check.accounting
    assert not a.ok and a.balance == 1 and a.lost == ["M1"]
    assert a.pathways["uk-centre"].balance == 1 and "1 missing" in str(a)
    assert any("pathway uk-centre does not add up" in line for line in a.lines())
    assert any("accounting identity fails" in e and "1 missing" in e for e in check.errors)
    # a UK-direct minor dropped from the allocation: the people file still counts them
    plan = copy.deepcopy(case[1])
    frame = plan.allocation.assignments
    plan.allocation = Allocation(frame[frame["person_id"] != "M2"].reset_index(drop=True))
    a = _check(inputs, plan, people_in=len(PEOPLE)).accounting
    assert a.balance == 1 and a.uk_direct == 0 and not a.ok


def test_a_medical_transfer_on_a_coach_is_counted_twice(case) -> None:
    inputs, plan = case
    plan = copy.deepcopy(plan)
    _board(plan, "S1", "A")
    a = _check(inputs, plan).accounting
    assert a.balance == -1 and a.pathways["medical"] == PathwayCount(people=1, carried=1, own_way=1)
    assert "counted twice" in str(a)


def test_without_needs_or_pathway_columns_everyone_is_on_the_centre_pathway(case) -> None:
    inputs, plan = case
    plan = copy.deepcopy(plan)
    frame = plan.allocation.assignments
    coach = frame[frame["pathway"].isin(COACH)].drop(
        columns=["needs", "pathway", "shortfall", "family_country"]
    )
    plan.allocation = Allocation(coach.reset_index(drop=True))
    check = _check(inputs, plan)
    assert check.ok, check.errors
    assert set(check.accounting.pathways) == {"centre"}
    assert (
        str(check.accounting)
        == "12 people in = 12 carried + 0 not carried + 0 unplaced + 0 rows set aside"
    )


def test_shortfall_codes_are_read_from_a_cell() -> None:
    assert shortfall_codes(
        "care:dialysis: no centre within 45 min | ride-limit: 9.4 h | late-arrival: 21:30"
    ) == {"care:dialysis", "ride-limit", "late-arrival"}
    assert shortfall_codes("") == set()


def test_an_old_accounting_reads_as_before() -> None:
    a = Accounting(people_in=4, rejected=0, carried=3, not_carried={}, unplaced={"x": 1})
    assert str(a) == "4 people in = 3 carried + 0 not carried + 1 unplaced + 0 rows set aside"
    assert a.ok and a.to_dict()["pathways"] == {}


def test_a_minor_arriving_late_is_rejected_unless_listed(case) -> None:
    inputs, plan = case
    plan = copy.deepcopy(plan)
    trip = _trip_of(plan, "M1")
    trip.departure_s, trip.stops[0].arrival_s = 13 * 3600, 21.5 * 3600  # ride 8.5 h: within 12 h
    errors = _check(inputs, plan).errors
    assert errors == [
        f"late arrival: 1 minors or vulnerable people (M1) arrive at H at 21:30 on {trip.coach} "
        "(from 21:00 on is late; ride 8.50 h), with no late-arrival shortfall listed"
    ]
    _set(plan, "M1", shortfall="late-arrival: no earlier boarding slot was free")
    check = _check(inputs, plan)
    assert check.ok and any(
        "late arrival: 1 people arrive from 21:00 on" in w for w in check.warnings
    )


def test_the_planner_s_own_plan_with_needs_passes_and_broken_fails() -> None:
    """The real coach planner on a hand-made allocation with needs: accepted; its wheelchair coach made ordinary: rejected."""
    # D: 8.75 h of road, over 9 h with the margin and a break
    centres = [*CENTRES, ("D", 700, 0, 12, "women")]
    fleet = Fleet(coaches_per_day=6, seats=10, accessible_coaches_per_day=1, wheelchair_places=1)
    people = [*PEOPLE, ("G2", "women", "D", "pregnancy", "centre", "", "")]
    inputs = tiny(centres, [(p[0], DAY, p[1], "") for p in people], fleet=fleet)
    inputs.centres = inputs.centres.assign(**{k: [*v, v[0]] for k, v in SERVICES.items()})
    plan = inputs.plan(Allocation(_assignments(people)))
    check = _check(inputs, plan)
    assert check.ok, check.errors
    assert any("ride limit: 1 people ride over their limit" in w for w in check.warnings)
    chair = _trip_of(plan, "W1")
    assert chair.vehicle_kind == "accessible"
    chair.vehicle_kind = ""
    assert any("W1" in e and "accessible coach" in e for e in _check(inputs, plan).errors)


def test_the_real_allocation_and_plan_with_needs_and_pathways_pass() -> None:
    """allocate (needs, pathways) then plan_coaches on the tiny centres: the check accepts the result whole."""
    fleet = Fleet(coaches_per_day=6, seats=10, accessible_coaches_per_day=1, wheelchair_places=1)
    inputs = tiny(CENTRES, [(p[0], DAY, p[1], "") for p in PEOPLE], fleet=fleet)
    inputs.centres = inputs.centres.assign(**SERVICES)
    row = {p[0]: p for p in PEOPLE}
    people = inputs.people.assign(
        needs=[row[p][3] for p in inputs.people["person_id"]],
        languages="",
        family_country=[row[p][5] for p in inputs.people["person_id"]],
        refusal=["refused" if row[p][4] == "refusal" else "" for p in inputs.people["person_id"]],
    )
    pathways = [Pathway("uk", "direct", daily_quota=1), Pathway("medical", "transfer")]
    allocation = allocate(
        people, inputs.centres, inputs.times.loc[ORIGIN], rules=inputs.rules, pathways=pathways
    )
    plan = inputs.plan(allocation)
    check = _check(inputs, plan, pathways=pathways)
    assert check.ok, check.errors
    a = check.accounting
    assert (a.uk_direct, a.medical, a.refused, a.balance) == (1, 1, 1, 0)
    assert a.pathways["uk-centre"].carried == 1  # the second UK-link minor, over the direct quota
    assert _trip_of(plan, "W1").vehicle_kind == "accessible"
