"""The allocation with needs and pathways: hard needs as constraints, languages as a weight,
refusals, the UK and medical pathways (abri.planning.allocation, needs, pathways)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abri.constants import ORIGIN
from abri.inputs.needs import profile
from abri.inputs.pathways import Pathway
from abri.inputs.scenario import Rules
from abri.planning.allocation import Allocation, allocate
from abri.planning.needs import CENTRE_COLUMNS

HOUR = 3600.0
DAY1, DAY2 = "2016-10-24", "2016-10-25"
RULES = replace(Rules(), margin_pct=0.0, max_ride_hours={"minors": 12.0, "families": 11.0})


def centres(*rows: tuple, **services: list) -> pd.DataFrame:
    """Centres (id, capacity, groups, region) with service columns given by name (defaults otherwise)."""
    frame = pd.DataFrame(rows, columns=["id", "capacity", "groups", "region"])
    for name, default in CENTRE_COLUMNS.items():
        frame[name] = services.get(name, [default] * len(frame))
    return frame


def people(*rows: tuple, **columns: list) -> pd.DataFrame:
    """People (person_id, day, group, household, needs) with the contract's other columns."""
    frame = pd.DataFrame(rows, columns=["person_id", "day", "group", "household", "needs"])
    frame["household"] = frame["household"].where(frame["household"] != "", frame["person_id"])
    n = len(frame)
    defaults = {
        "pref1": "",
        "pref2": "",
        "languages": "",
        "family_country": "",
        "family_town": "",
        "refusal": "",
        "note": "",
    }
    for name, default in defaults.items():
        frame[name] = columns.get(name, [default] * n)
    frame["age_disputed"] = False
    return frame


def times(**hours: float) -> pd.Series:
    return pd.Series({cid: h * HOUR for cid, h in hours.items()})


def by_id(allocation: Allocation) -> pd.DataFrame:
    return allocation.assignments.set_index("person_id")


def test_wheelchair_users_only_in_accessible_places_and_the_rest_unplaced_with_the_need() -> None:
    c = centres(
        ("plain", 10, "men", "32"),
        ("ramp", 10, "men", "32"),
        ("far", 10, "men", "32"),
        accessible_places=[0, 1, 5],
    )
    p = people(
        *[(f"w{i}", DAY1, "men", "", "wheelchair") for i in range(3)],
        *[(f"m{i}", DAY1, "men", "", "") for i in range(3)],
    )
    a = by_id(allocate(p, c, times(plain=1, ramp=2, far=10)))  # 'far': beyond the 9 h need limit
    wheel = a.loc[["w0", "w1", "w2"]]
    assert (wheel["centre_id"] == "ramp").sum() == 1 and (wheel["centre_id"] == "").sum() == 2
    left = wheel[wheel["centre_id"] == ""]
    assert (
        left["reason"] == "no accessible place (wheelchair) left within 9 h for group 'men'"
    ).all()
    assert left["shortfall"].str.startswith("accessible-place: ").all()
    assert (left["pathway"] == "").all() and (
        a.loc[["m0", "m1", "m2"], "pathway"] == "centre"
    ).all()
    assert (a.loc[["m0", "m1", "m2"], "centre_id"] == "plain").all()


def test_accessible_places_are_kept_for_later_days_wheelchair_users() -> None:
    """Ordinary people of day 1 do not take the only accessible place a day-2 wheelchair user needs."""
    c = centres(("ramp", 2, "men", "32"), ("other", 5, "men", "32"), accessible_places=[1, 0])
    p = people(
        ("m1", DAY1, "men", "", ""),
        ("m2", DAY1, "men", "", ""),
        ("w", DAY2, "men", "", "wheelchair"),
    )
    a = by_id(allocate(p, c, times(ramp=1, other=5)))
    assert a.loc["w", "centre_id"] == "ramp" and (a["centre_id"] != "").all()
    assert sorted(a.loc[["m1", "m2"], "centre_id"]) == ["other", "ramp"]


def test_care_needs_only_near_the_hospital_giving_that_care() -> None:
    c = centres(
        ("unknown", 5, "women", "32"),
        ("far-dialysis", 5, "women", "32"),
        ("near-dialysis", 1, "women", "32"),
        care_min_dialysis=[np.nan, 80.0, 20.0],
    )
    p = people(
        ("d1", DAY1, "women", "", "care:dialysis"),
        ("d2", DAY1, "women", "", "care:dialysis"),
        ("x", DAY1, "women", "", ""),
    )
    a = by_id(allocate(p, c, times(unknown=1, **{"far-dialysis": 1, "near-dialysis": 2})))
    dialysis = a.loc[["d1", "d2"]]
    assert sorted(dialysis["centre_id"]) == ["", "near-dialysis"]
    left = dialysis[dialysis["centre_id"] == ""].iloc[0]
    assert "45 min or less from a hospital giving dialysis care" in left["reason"]
    assert left["shortfall"].startswith("care:dialysis: ")
    assert a.loc["x", "centre_id"] in ("unknown", "far-dialysis")


def test_single_rooms_are_a_capacity_inside_the_capacity() -> None:
    c = centres(("a", 3, "men", "32"), ("b", 3, "men", "32"), single_rooms=[1, 0])
    p = people(*[(f"s{i}", DAY1, "men", "", "single-room") for i in range(2)])
    a = by_id(allocate(p, c, times(a=2, b=1)))
    assert sorted(a["centre_id"]) == ["", "a"]
    assert a.loc[a["centre_id"] == "", "shortfall"].str.startswith("single-room: ").all()


def test_ride_limits_hard_for_needs_and_noted_for_others() -> None:
    """A pregnant woman is never placed beyond 9 h; a man over his group's (soft) limit is placed with a note and a shortfall."""
    rules = replace(RULES, max_ride_hours={"men": 6.0})
    c = centres(("far", 5, "men;women", "32"))
    p = people(("preg", DAY1, "women", "", "pregnancy"), ("man", DAY1, "men", "", ""))
    a = by_id(allocate(p, c, times(far=10), rules=rules))
    assert a.loc["preg", "centre_id"] == ""
    assert a.loc["preg", "shortfall"].startswith("ride-limit: ")
    assert "within 9 h" in a.loc["preg", "reason"]
    assert a.loc["man", "centre_id"] == "far" and a.loc["man", "ride_note"]
    assert a.loc["man", "shortfall"].startswith("ride-limit: no place within 6 h")


def test_households_go_whole_where_every_member_s_needs_are_met() -> None:
    c = centres(
        ("near", 6, "families", "32"),
        ("ramp", 6, "families", "32"),
        accessible_places=[0, 1],
    )
    p = people(
        ("a1", DAY1, "families", "A", "wheelchair"),
        ("a2", DAY1, "families", "A", ""),
        ("a3", DAY1, "families", "A", ""),
        ("b1", DAY1, "families", "B", "wheelchair"),
        ("b2", DAY1, "families", "B", ""),
    )
    a = by_id(allocate(p, c, times(near=1, ramp=3)))
    household = a.groupby("household")["centre_id"].agg(set)
    assert all(len(s) == 1 for s in household)  # never split
    placed = {h for h, s in household.items() if s == {"ramp"}}
    assert len(placed) == 1 and all(household[h] == {""} for h in {"A", "B"} - placed)
    left = a[a["centre_id"] == ""]
    assert left["reason"].str.contains("no accessible place \\(wheelchair\\) left").all()
    assert left["reason"].str.contains("a household of").all()


def test_uk_minors_direct_within_quota_then_home_office_centre_then_ordinary() -> None:
    c = centres(
        ("ho", 1, "minors", "32"),
        ("caomi", 5, "minors", "32"),
        home_office=[True, False],
    )
    p = people(
        *[(f"k{i}", DAY1, "minors", "", "") for i in range(5)],
        family_country=["UK", "UK", "UK", "UK", ""],
    )
    uk = [Pathway("uk", "direct", (DAY1,), 2, None, "Royaume-Uni")]
    a = by_id(allocate(p, c, times(ho=3, caomi=2), rules=RULES, pathways=uk))
    linked = a.loc[["k0", "k1", "k2", "k3"]]
    assert list(linked["pathway"]).count("uk") == 2
    assert (linked.loc[linked["pathway"] == "uk", "centre_id"] == "").all()
    assert list(linked["pathway"]).count("uk-centre") == 1
    assert linked.loc[linked["pathway"] == "uk-centre", "centre_id"].tolist() == ["ho"]
    ordinary = linked[linked["pathway"] == "centre"].iloc[0]
    assert ordinary["centre_id"] == "caomi" and ordinary["shortfall"].startswith("uk-quota: ")
    assert a.loc["k4", "pathway"] == "centre" and a.loc["k4", "shortfall"] == ""
    # no UK pathway on that day and no centre holding interviews: every linked minor says why
    c2 = c.assign(home_office=[False, False])
    b = by_id(allocate(p, c2, times(ho=3, caomi=2), rules=RULES, pathways=[]))
    assert b.loc[["k0", "k1", "k2", "k3"], "shortfall"].str.startswith("uk-quota: ").all()


def test_refusals_are_recorded_and_take_no_place() -> None:
    c = centres(("a", 1, "men", "32"))
    p = people(
        ("r", DAY1, "men", "", ""), ("m", DAY1, "men", "", ""), refusal=["wants to stay", ""]
    )
    result = allocate(p, c, times(a=1))
    a = by_id(result)
    assert a.loc["r", "pathway"] == "refusal" and a.loc["r", "centre_id"] == ""
    assert result.unplaced.empty  # a refusal is recorded, not left without a solution
    assert a.loc["r", "reason"] == "refused: wants to stay"
    assert a.loc["m", "centre_id"] == "a"


def test_medical_transfers_within_quota_to_a_centre_giving_the_care() -> None:
    c = centres(
        ("plain", 5, "men", "32"), ("care", 5, "men", "32"), care_min_dialysis=[np.nan, 10.0]
    )
    p = people(
        ("s1", DAY1, "men", "", "stretcher;care:dialysis"),
        ("s2", DAY1, "men", "", "urgent-care;care:dialysis"),
        ("m", DAY1, "men", "", ""),
    )
    medical = [Pathway("medical", "transfer", (), 1, 6.0, "")]
    a = by_id(allocate(p, c, times(plain=1, care=3), rules=RULES, pathways=medical))
    assert a.loc["s1", "pathway"] == "medical" and a.loc["s1", "centre_id"] == "care"
    assert a.loc["s2", "pathway"] == "" and a.loc["s2", "centre_id"] == ""
    assert (
        a.loc["s2", "reason"].startswith("medical-transfer: ")
        and "quota of 1" in a.loc["s2", "reason"]
    )
    none = by_id(allocate(p, c, times(plain=1, care=3), rules=RULES))
    assert none.loc[["s1", "s2"], "reason"].str.startswith("medical-transfer: no medical").all()
    assert allocate(p, c, times(plain=1, care=3), pathways=medical).by_coach[
        "person_id"
    ].tolist() == ["m"]


def test_interpreters_weigh_but_never_bind() -> None:
    c = centres(("near", 1, "men", "32"), ("tigrinya", 1, "men", "32"), interpreters=["", "ti;am"])
    p = people(("t", DAY1, "men", "", ""), ("o", DAY1, "men", "", ""), languages=["ti", "ar"])
    a = by_id(allocate(p, c, times(near=1, tigrinya=2), rules=RULES))  # 1 h apart, weight 2 h
    assert a.loc["t", "centre_id"] == "tigrinya" and a.loc["t", "interpreter"]
    assert a.loc["o", "centre_id"] == "near" and not a.loc["o", "interpreter"]
    roomy = c.assign(capacity=[2, 1])
    far = by_id(
        allocate(p, roomy, times(near=1, tigrinya=4), rules=RULES)
    )  # 3 h apart: not worth it
    assert far.loc["t", "centre_id"] == "near" and not far.loc["t", "interpreter"]
    close = by_id(allocate(p, roomy, times(near=1, tigrinya=2), rules=RULES))
    assert close.loc["t", "centre_id"] == "tigrinya" and close.loc["o", "centre_id"] == "near"


def test_without_needs_the_allocation_is_the_old_one() -> None:
    """People and centres without the new columns get the same centres as with them empty."""
    rng = np.random.default_rng(5)
    regions = ["24", "32", "84"]
    rows = [(f"c{i}", int(rng.integers(1, 6)), "men;families", regions[i % 3]) for i in range(12)]
    c = centres(*rows)
    t = pd.Series(rng.uniform(1, 10, 12) * HOUR, index=c["id"])
    p = people(
        *[(f"p{i}", DAY1, "men", "", "") for i in range(20)],
        *[(f"f{i}", DAY1, "families", f"H{i // 3}", "") for i in range(9)],
        pref1=list(rng.choice(regions, 29)),
        pref2=list(rng.choice(regions, 29)),
    )
    old_people = p[["person_id", "day", "group", "household", "pref1", "pref2"]]
    old = allocate(old_people, c[["id", "capacity", "groups", "region"]], t, rules=RULES)
    new = allocate(p, c, t, rules=RULES)
    assert old.assignments["centre_id"].tolist() == new.assignments["centre_id"].tolist()
    assert (new.assignments["pathway"] == "centre").all() and (
        new.assignments["shortfall"] == ""
    ).all()


NEEDS = [
    "",
    "",
    "",
    "wheelchair",
    "care:dialysis",
    "single-room",
    "pregnancy",
    "wheelchair;single-room",
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.sampled_from(NEEDS), st.integers(0, 3)), min_size=1, max_size=25),
    st.lists(
        st.tuples(
            st.integers(1, 6),
            st.integers(0, 3),
            st.integers(0, 2),
            st.sampled_from([np.nan, 20.0, 90.0]),
            st.floats(1, 12),
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_every_hard_need_is_met_or_named(person_rows: list, centre_rows: list) -> None:
    rows = [(f"c{i}", cap, "men;families", "32") for i, (cap, *_) in enumerate(centre_rows)]
    c = centres(
        *rows,
        accessible_places=[min(a, cap) for cap, a, *_ in centre_rows],
        single_rooms=[min(s, cap) for cap, _, s, *_ in centre_rows],
        care_min_dialysis=[m for *_, m, _ in centre_rows],
    )
    t = pd.Series([h * HOUR for *_, h in centre_rows], index=c["id"])
    p = people(
        *[
            (
                f"p{i}",
                DAY1 if i % 2 else DAY2,
                "families" if fam else "men",
                f"H{fam}-{i % 2}" if fam else "",
                needs,
            )
            for i, (needs, fam) in enumerate(person_rows)
        ]
    )
    a = allocate(p, c, t, rules=RULES).assignments
    centre = c.set_index("id")
    placed = a[a["centre_id"] != ""]
    ride_h = placed["centre_id"].map(t) / HOUR
    for pid, needs, cid, ride in zip(
        placed["person_id"], placed["needs"], placed["centre_id"], ride_h
    ):
        need = profile(needs)
        assert not need.limited_ride or ride <= RULES.need_max_ride_hours, pid
        assert not need.care or centre.at[cid, "care_min_dialysis"] <= 45, pid
    for column, need in (("accessible_places", "wheelchair"), ("single_rooms", "single-room")):
        used = placed[placed["needs"].str.contains(need)].groupby("centre_id").size()
        assert all(n <= centre.at[cid, column] for cid, n in used.items()), column
    per_centre = placed.groupby("centre_id").size()
    assert all(n <= centre.at[cid, "capacity"] for cid, n in per_centre.items())
    assert (a.groupby("household")["centre_id"].nunique() == 1).all()
    unplaced = a[a["centre_id"] == ""]
    assert (unplaced["reason"] != "").all()
    for needs, group, shortfall in zip(unplaced["needs"], unplaced["group"], unplaced["shortfall"]):
        need = profile(needs)
        assert group != "men" or not (need.limited_ride or need.single_room) or shortfall


@pytest.mark.slow
def test_needs_on_the_pipeline_s_real_inputs(small_scenario, data_dir) -> None:  # type: ignore[no-untyped-def]
    """The small synthetic scenario on real roads, with needs written on its people and services on its centres."""
    from abri.pipeline import prepare

    prepared = prepare(small_scenario, roads="france-major-roads", data_dir=data_dir)
    rng = np.random.default_rng(1)
    people_frame = prepared.scenario.people.copy()
    people_frame["needs"] = rng.choice(
        ["", "", "", "", "wheelchair", "care:dialysis", "elderly"], len(people_frame)
    )
    centres_frame = prepared.centres.copy()
    centres_frame["accessible_places"] = np.minimum(
        rng.integers(0, 3, len(centres_frame)), centres_frame["capacity"]
    )
    centres_frame["care_min_dialysis"] = rng.choice([np.nan, 20.0, 50.0], len(centres_frame))
    rules = prepared.scenario.rules
    a = allocate(people_frame, centres_frame, prepared.times.loc[ORIGIN], rules=rules).assignments
    placed = a[a["centre_id"] != ""]
    centre = centres_frame.assign(id=centres_frame["id"].astype(str)).set_index("id")
    wheel = placed[placed["needs"] == "wheelchair"].groupby("centre_id").size()
    assert (wheel <= centre["accessible_places"].reindex(wheel.index)).all()
    dialysis = placed.loc[placed["needs"] == "care:dialysis", "centre_id"]
    assert (centre["care_min_dialysis"].reindex(dialysis) <= 45).all()
    limited = placed[placed["needs"] != ""]
    assert (limited["ride_h"] <= rules.need_max_ride_hours).all()
    left = a[(a["centre_id"] == "") & (a["needs"] != "")]
    assert (left["reason"] != "").all() and len(placed) > len(a) // 2


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000))
def test_flow_network_is_optimal_against_network_simplex(seed: int) -> None:
    """The HiGHS flow's cost equals networkx's network simplex on random transport networks."""
    import networkx as nx

    from abri.planning.flow import Network

    rng = np.random.default_rng(seed)
    n_src, n_dst = int(rng.integers(1, 6)), int(rng.integers(1, 6))
    supply = rng.integers(1, 8, n_src)
    caps = rng.integers(0, 8, n_dst)
    net, graph = Network(), nx.DiGraph()
    for key, demand in [("sink", int(supply.sum())), ("spill", 0)]:
        net.node(key, demand)
        graph.add_node(key, demand=demand)
    net.edge("spill", "sink", 0)
    graph.add_edge("spill", "sink", weight=0)
    for i, s in enumerate(supply):
        net.node(("s", i), -int(s))
        graph.add_node(("s", i), demand=-int(s))
        net.edge(("s", i), "spill", 1000)
        graph.add_edge(("s", i), "spill", weight=1000)
        for j in range(n_dst):
            w = int(rng.integers(0, 100))
            net.edge(("s", i), ("d", j), w)
            graph.add_edge(("s", i), ("d", j), weight=w)
    for j, cap in enumerate(caps):
        net.edge(("d", j), "sink", 0, int(cap))
        graph.add_edge(("d", j), "sink", weight=0, capacity=int(cap))
    flow = net.solve()
    ours = sum(graph[u][v]["weight"] * n for u, heads in flow.items() for v, n in heads.items())
    assert all(sum(flow[("s", i)].values()) == s for i, s in enumerate(supply))
    assert ours == nx.network_simplex(graph)[0]
