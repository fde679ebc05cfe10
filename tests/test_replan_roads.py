"""abri replan with closed roads (re-measured on the real pack graph) and refusals (offered another centre)."""

from __future__ import annotations

import csv
import dataclasses
import itertools
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from abri.cli import main
from abri.constants import ORIGIN
from abri.inputs.events import Event, EventsError, read_events
from abri.outputs.planformat import read_plan_json
from abri.replan import replan, write_version
from abri.replan.apply import Operation
from abri.replan.state import load_plan
from abri.routing.closures import closed_matrices, edges_between, way_edges
from abri.routing.engine import engine_for
from abri.routing.osm_arrays import read_ways

pytestmark = pytest.mark.slow  # one small plan on real roads, shared by the module

ROADS = "france-major-roads"
NOW = "2016-10-24 10:30"
COLUMNS = "kind,time,person,centre,reason,way,point_a,point_b,from,to"


def _events(tmp_path: Path, rows: list[dict[str, str]]) -> list[Event]:
    path = tmp_path / "events.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS.split(","))
        writer.writeheader()
        writer.writerows(rows)
    return read_events(path)[0]


def _trips(folder: Path) -> dict[str, dict]:
    return {t["coach"]: dict(t) for t in read_plan_json(folder)["trips"]}


def _ahead(trips: dict[str, dict]) -> list[dict]:
    """Trips leaving after --now, the first to leave first."""
    later = [t for t in trips.values() if f"{t['day']} {t['departure']}" > NOW]
    return sorted(later, key=lambda t: (t["day"], t["departure"]))


def _legs(trip: dict) -> list[tuple[str, str]]:
    stops = [ORIGIN, *(s["centre_id"] for s in trip["stops"]), ORIGIN]
    return list(itertools.pairwise(stops))


def _used_edges(prepared, trips: list[dict]) -> set[int]:  # type: ignore[no-untyped-def]
    engine, node = engine_for(prepared.graph), prepared.snapped["node"]
    return {
        int(e)
        for t in trips
        for a, b in _legs(t)
        for e in engine.path_edges(int(node[a]), int(node[b]))
    }


def _midpoint(prepared, edge: int) -> str:  # type: ignore[no-untyped-def]
    shape = prepared.graph.edge_geometry(edge)
    lon, lat = shape[len(shape) // 2] if len(shape) > 2 else shape.mean(axis=0)
    return f"{lon:.7f} {lat:.7f}"


def _point(text: str) -> tuple[float, float]:
    lon, lat = map(float, text.split())
    return lon, lat


def _closure(prepared, trip: dict, day: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A closure, by two points, of the middle of the trip's first leg."""
    node = prepared.snapped["node"]
    path = engine_for(prepared.graph).path_edges(int(node[ORIGIN]), int(node[_legs(trip)[0][1]]))
    assert len(path) >= 2
    a, b = path[len(path) // 2 - 1], path[len(path) // 2]
    return {
        "kind": "road-closed",
        "time": NOW,
        "point_a": _midpoint(prepared, int(a)),
        "point_b": _midpoint(prepared, int(b)),
        "from": f"{day} 00:00",
        "to": f"{day} 23:59",
    }


def test_a_closed_road_the_plan_uses_retimes_its_trips(planned, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    prepared, parent = planned
    trips = _trips(parent)
    trip = _ahead(trips)[0]
    row = _closure(prepared, trip, trip["day"])
    closed = edges_between(prepared.graph, _point(row["point_a"]), _point(row["point_b"]))[0]
    result = replan(prepared, parent, _events(tmp_path, [row]), NOW)
    write_version(result, tmp_path / "v2")
    after = _trips(tmp_path / "v2")
    assert result.check.ok, result.check.errors
    touched = {
        t["coach"]
        for t in _ahead(trips)
        if t["day"] == trip["day"] and _used_edges(prepared, [t]) & set(closed.tolist())
    }
    assert trip["coach"] in touched
    changed = result.coaches.set_index("coach")
    for coach in touched:
        assert "road closed" in changed.at[coach, "why"]
        assert coach not in after or after[coach]["stops"] != trips[coach]["stops"]
    for coach, old in trips.items():  # off the closed road: same time, same people (and more)
        if coach not in touched:
            assert after[coach]["departure"] == old["departure"]
            kept = {p for s in after[coach]["stops"] for p in s["people"]}
            assert {p for s in old["stops"] for p in s["people"]} <= kept
    assert len(result.changes) and result.changes["why"].str.contains("road closed").all()


def test_a_closure_off_the_plans_roads_or_outside_its_window_changes_nothing(
    planned, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    prepared, parent = planned
    trips = _trips(parent)
    trip = _ahead(trips)[0]
    used = _used_edges(prepared, list(trips.values()))
    graph = prepared.graph
    off = next(
        _midpoint(prepared, e)
        for e in range(graph.n_edges)
        if not set(edges_between(graph, *[_point(_midpoint(prepared, e))] * 2)[0].tolist()) & used
    )
    rows = [
        {**_closure(prepared, trip, "2016-11-30"), "time": NOW},  # a day the plan has no trip
        {"kind": "road-closed", "time": NOW, "point_a": off, "point_b": off}
        | {"from": f"{trip['day']} 00:00", "to": f"{trip['day']} 23:59"},
    ]
    result = replan(prepared, parent, _events(tmp_path, rows), NOW)
    write_version(result, tmp_path / "v2")
    assert _trips(tmp_path / "v2") == trips
    assert len(result.changes) == 0 and len(result.coaches) == 0


def test_a_way_id_closes_the_edges_along_the_way(planned) -> None:  # type: ignore[no-untyped-def]
    prepared, _ = planned
    graph = prepared.graph
    ways = read_ways(graph.source)
    way = int(ways.way_id[0])
    edges = way_edges(graph, way)
    assert len(edges)
    first = np.array([ways.lon[ways.start[0]], ways.lat[ways.start[0]]])
    near = min(float(np.abs(graph.edge_geometry(int(e)) - first).sum(axis=1).min()) for e in edges)
    assert near < 1e-6, "an edge along the way passes through its first node"


def test_a_way_or_points_off_the_graph_are_refused_by_row(planned, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    prepared, parent = planned
    rows = [
        {"kind": "road-closed", "time": NOW, "way": "999999999999"},
        {"kind": "road-closed", "time": NOW, "point_a": "-30 45", "point_b": "2.5 50.5"},
    ]
    for row in rows:
        row |= {"from": "2016-10-24 00:00", "to": "2016-10-24 23:00"}
    with pytest.raises(EventsError) as info:
        replan(
            prepared, parent, _events(tmp_path, rows), NOW, events_file=str(tmp_path / "events.csv")
        )
    found = {(p.row, p.column, p.value) for p in info.value.problems}
    assert (2, "way", "999999999999") in found and (3, "point_a", "-30 45") in found
    text = str(info.value)
    assert "events.csv" in text and "an OSM way id of the road graph" in text and "km" in text


def test_a_refusal_is_offered_another_centre(planned, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    prepared, parent = planned
    trips = _trips(parent)
    trip = _ahead(trips)[0]
    stop = trip["stops"][0]
    person = stop["people"][0]
    row = {"kind": "refused", "time": NOW, "person": person, "reason": "family elsewhere"}
    result = replan(prepared, parent, _events(tmp_path, [row]), NOW)
    assert result.check.ok, result.check.errors
    placed = result.run.plan.allocation.assignments.set_index("person_id")
    seat = {p: s.centre_id for t in result.run.plan.trips for s in t.stops for p in s.people}
    assert placed.at[person, "centre_id"] != stop["centre_id"]
    assert seat.get(person, stop["centre_id"]) != stop["centre_id"]
    why = result.changes.set_index("person_id").at[person, "why"]
    assert "refused" in why and "family elsewhere" in why
    state = result.ledger[result.ledger["version"] == 2].set_index("person_id").at[person, "state"]
    assert (state == "planned") == (person in seat)
    assert person in seat, "the small scenario has free places: another centre fits"
    write_version(result, tmp_path / "v2")  # the refusal holds in the next versions
    kept = pd.read_csv(tmp_path / "v2" / "assignments.csv", dtype=str, keep_default_na=False)
    assert kept.set_index("person_id").at[person, "refused_centres"] == stop["centre_id"]
    loaded = load_plan(tmp_path / "v2", prepared.scenario.fleet, prepared.scenario.rules)
    op = Operation(loaded.plan, prepared.times, prepared.km, {}, NOW)
    assert op.refused_centres[person] == {stop["centre_id"]}
    second = seat[person]
    rows = [{"kind": "centre-closed", "time": NOW, "centre": second}]
    (tmp_path / "later").mkdir()
    later = replan(prepared, tmp_path / "v2", _events(tmp_path / "later", rows), NOW)
    now_at = {p: s.centre_id for t in later.run.plan.trips for s in t.stops for p in s.people}
    assert now_at.get(person, "") not in {stop["centre_id"], second}


def _sheets(text: str) -> dict[tuple[str, str], str]:
    """Each sheet of a documents page by (kind, key)."""
    found = re.finditer(r'<section class="sheet" data-kind="(\w+)" data-key="([^"]*)">', text)
    starts = [(m.start(), m.group(1), m.group(2)) for m in found]
    ends = [s for s, _, _ in starts[1:]] + [len(text)]
    return {(k, key): text[s:e] for (s, k, key), e in zip(starts, ends, strict=True)}


def test_documents_of_a_version_show_it_and_mark_what_changed(
    planned, tmp_path: Path, data_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    prepared, parent = planned
    trips = _trips(parent)
    trip = _ahead(trips)[0]
    _events(tmp_path, [_closure(prepared, trip, trip["day"])])
    out = tmp_path / "v2"
    args = ["replan", str(parent), "--events", str(tmp_path / "events.csv"), "--now", NOW]
    args += ["--roads", ROADS, "--data-dir", str(data_dir), "-o", str(out)]
    result = CliRunner().invoke(main, [*args, "--documents", "--lang", "en"])
    assert result.exit_code == 0, result.output
    changed = set(pd.read_csv(out / "coaches_changed.csv", dtype=str)["coach"])
    assert trip["coach"] in changed
    docs = out / "documents"
    road = _sheets((docs / "road-sheets.html").read_text(encoding="utf-8"))
    assert {key for kind, key in road if kind == "coach"} == set(_trips(out))
    for (_, coach), text in road.items():
        assert f"version 2 (&lt;- {parent.name}, {NOW})" in text  # the label on every sheet
        assert ("Changed since version 1" in text) == (coach in changed), coach
    assert "road closed" in road[("coach", trip["coach"])]
    for page in ("index.html", "centre-sheets.html", "prefecture-summaries.html"):
        assert "version 2" in (docs / page).read_text(encoding="utf-8")
    alone = _sheets((docs / "changed.html").read_text(encoding="utf-8"))
    assert {key for kind, key in alone if kind == "coach"} == changed
    assert all("Changed since version 1" in text for text in alone.values())
    first = CliRunner().invoke(
        main, ["documents", str(parent), "-o", str(tmp_path / "d1"), "--lang", "en"]
    )
    assert first.exit_code == 0, first.output
    text = (tmp_path / "d1" / "road-sheets.html").read_text(encoding="utf-8")
    assert "version 1" not in text and "Changed since" not in text


def _with_change_cost(prepared, cost: float):  # type: ignore[no-untyped-def]
    rules = dataclasses.replace(prepared.scenario.rules, change_cost_coaches=cost)
    return dataclasses.replace(
        prepared, scenario=dataclasses.replace(prepared.scenario, rules=rules)
    )


def test_a_lightened_coach_merges_when_moving_costs_less_than_a_coach(
    planned, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    prepared, parent = planned
    trips = _trips(parent)
    guest = min(
        (t for t in _ahead(trips) if sum(len(s["people"]) for s in t["stops"]) > 3),
        key=lambda t: sum(len(s["people"]) for s in t["stops"]),
    )
    aboard = [p for s in guest["stops"] for p in s["people"]]
    rows = [{"kind": "no-show", "time": NOW, "person": p} for p in aboard[3:]]
    events = _events(tmp_path, rows)
    kept = replan(_with_change_cost(prepared, 1.0), parent, events, NOW)  # 3 moves >= a coach
    assert guest["coach"] in {t.coach for t in kept.run.plan.trips}
    merged = replan(_with_change_cost(prepared, 0.1), parent, events, NOW)  # 3 x 0.1 < 1
    assert merged.check.ok, merged.check.errors
    coaches = merged.coaches.set_index("coach")
    assert coaches.at[guest["coach"], "change"] == "cancelled"
    assert "merged into" in coaches.at[guest["coach"], "why"]
    seats = {p: t.coach for t in merged.run.plan.trips for s in t.stops for p in s.people}
    host = seats[aboard[0]]
    assert {seats[p] for p in aboard[:3]} == {host} and host != guest["coach"]
    why = merged.changes.set_index("person_id")["why"]
    assert all("merged into" in why[p] for p in aboard[:3])
    assert len(merged.run.plan.trips) == len(kept.run.plan.trips) - 1


def test_closed_matrices_are_the_open_ones_with_nothing_closed(planned) -> None:  # type: ignore[no-untyped-def]
    prepared, _ = planned
    graph, snapped = prepared.graph, prepared.snapped
    times, km = closed_matrices(graph, snapped, np.empty(0, dtype=np.int64))
    pd.testing.assert_frame_equal(times, prepared.times.loc[times.index, times.columns])
    pd.testing.assert_frame_equal(km, prepared.km.loc[km.index, km.columns])
    origin = int(snapped.at[ORIGIN, "node"])
    around = np.flatnonzero((graph.edge_u == origin) | (graph.edge_v == origin))
    times, _ = closed_matrices(graph, snapped, around)
    others = [c for c in times.columns if c != ORIGIN and snapped.at[c, "node"] != origin]
    assert times.loc[ORIGIN, others].isna().all() and times.loc[others, ORIGIN].isna().all()
    assert times.loc[others, others].notna().to_numpy().any()
