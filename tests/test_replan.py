"""abri replan: what left before --now stays, only whom events force moves (with a reason), the ledger adds up."""

from __future__ import annotations

import csv
import itertools
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from abri.cli import main
from abri.inputs.events import Event, EventsError, read_events
from abri.outputs.planformat import read_plan_json
from abri.replan import replan, status, write_version
from abri.replan.state import STATES, identity
from abri.routing.osm_arrays import read_ways

pytestmark = pytest.mark.slow  # one small plan on real roads, shared by the module

ROADS = "france-major-roads"
NOW = "2016-10-24 10:30"
COLUMNS = (
    "kind,time,person,household,group,coach,centre,places,minutes,count,reason,where,way,from,to"
)


def _events(tmp_path: Path, rows: list[dict[str, str]]) -> tuple[list[Event], Path]:
    path = tmp_path / "events.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS.split(","))
        writer.writeheader()
        writer.writerows(rows)
    return read_events(path)[0], path


def _trips(folder: Path) -> dict[str, dict]:
    return {t["coach"]: dict(t) for t in read_plan_json(folder)["trips"]}


def _left(trip: dict) -> bool:
    return f"{trip['day']} {trip['departure']}" <= NOW


def _ledger_holds(ledger: pd.DataFrame, registered: set[str]) -> None:
    versions = sorted(set(ledger["version"]))
    for v in versions:
        line = identity(ledger, v)
        assert line.startswith(f"version {v}: {int((ledger['version'] == v).sum())} people")
        assert set(ledger.loc[ledger["version"] == v, "state"]) <= set(STATES)
    people = [set(ledger.loc[ledger["version"] == v, "person_id"]) for v in versions]
    for before, after in itertools.pairwise(people):
        assert after == before | (after & registered), "nobody appears without an event"
        assert before <= after, "nobody disappears between versions"


def test_no_event_gives_the_same_plan(planned, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    prepared, parent = planned
    result = replan(prepared, parent, [], NOW)
    files = write_version(result, tmp_path / "v2")
    assert _trips(tmp_path / "v2") == _trips(parent)
    document = read_plan_json(files["plan"])
    assert document["version"] == {"number": 2, "parent": str(parent), "now": NOW, "events": []}
    assert result.check.ok and len(result.changes) == 0 and len(result.coaches) == 0
    assert len(result.arrivals) == 0 and files["arrivals_changed"].is_file()
    _ledger_holds(result.ledger, set())


def test_one_no_show_moves_at_most_that_coachs_people(planned, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    prepared, parent = planned
    trips = _trips(parent)
    coach = next(
        c
        for c, t in trips.items()
        if not _left(t) and sum(len(s["people"]) for s in t["stops"]) > 2
    )
    aboard = {p for s in trips[coach]["stops"] for p in s["people"]}
    person = trips[coach]["stops"][0]["people"][0]
    events, _ = _events(tmp_path, [{"kind": "no-show", "time": NOW, "person": person}])
    result = replan(prepared, parent, events, NOW)
    write_version(result, tmp_path / "v2")
    assert set(result.changes["person_id"]) <= aboard
    assert person in set(result.changes["person_id"])
    after = _trips(tmp_path / "v2")
    assert {c: t for c, t in after.items() if c != coach} == {
        c: t for c, t in trips.items() if c != coach
    }
    assert result.check.ok
    states = result.ledger[result.ledger["version"] == 2].set_index("person_id")["state"]
    assert states[person] == "not carried"


def _every_kind(trips: dict[str, dict], way: str) -> list[dict[str, str]]:
    """Events of every kind on the plan's own coaches, people and centres."""
    gone = [t for t in trips.values() if _left(t)]
    ahead = sorted((t for t in trips.values() if not _left(t)), key=lambda t: -len(t["stops"]))
    late, broken, other = ahead[0], ahead[1], ahead[2]
    first = gone[0]
    closing = other["stops"][-1]["centre_id"]
    arrived = gone[1]["stops"][0]
    return [
        {"kind": "no-show", "time": "2016-10-24 06:40", "person": first["stops"][0]["people"][0]},
        {
            "kind": "refused",
            "time": "2016-10-24 06:45",
            "person": gone[1]["stops"][-1]["people"][-1],
            "reason": "family elsewhere",
        },
        {
            "kind": "departed",
            "time": f"{first['day']} {first['departure']}",
            "coach": first["coach"],
        },
        {
            "kind": "arrived",
            "time": "2016-10-24 10:20",
            "coach": gone[2]["coach"],
            "centre": gone[2]["stops"][0]["centre_id"],
            "count": str(len(gone[2]["stops"][0]["people"])),
        }
        if arrived
        else {},
        *[
            {"kind": "registered", "time": "2016-10-24 09:00", "person": f"NEW{n}", "group": "men"}
            for n in range(12)
        ],
        {
            "kind": "registered",
            "time": "2016-10-24 09:05",
            "person": "NEWF1",
            "household": "NF",
            "group": "families",
        },
        {
            "kind": "registered",
            "time": "2016-10-24 09:05",
            "person": "NEWF2",
            "household": "NF",
            "group": "families",
        },
        {"kind": "late", "time": "2016-10-24 10:00", "coach": late["coach"], "minutes": "45"},
        {
            "kind": "broke-down",
            "time": "2016-10-24 10:05",
            "coach": broken["coach"],
            "where": "dépôt",
        },
        {"kind": "centre-closed", "time": "2016-10-24 10:10", "centre": closing},
        {
            "kind": "places-changed",
            "time": "2016-10-24 10:12",
            "centre": late["stops"][0]["centre_id"],
            "places": "1",
        },
        {
            "kind": "road-closed",
            "time": "2016-10-24 10:20",
            "way": way,
            "from": "2016-10-24 10:00",
            "to": "2016-10-24 18:00",
        },
    ]


def gone_centre(trips: dict[str, dict], person: str) -> str:
    """The centre `person` was planned for."""
    return next(s["centre_id"] for t in trips.values() for s in t["stops"] if person in s["people"])


def test_every_kind_of_event(planned, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    prepared, parent = planned
    trips = _trips(parent)
    way = str(int(read_ways(prepared.graph.source).way_id[0]))
    rows = [r for r in _every_kind(trips, way) if r]
    events, _ = _events(tmp_path, rows)
    result = replan(prepared, parent, events, NOW)
    write_version(result, tmp_path / "v2")
    assert result.check.ok, result.check.errors
    assert result.check.accounting.balance == 0
    after = _trips(tmp_path / "v2")
    touched = {rows[0]["person"], rows[1]["person"]}
    for coach, trip in trips.items():  # before --now: as it happened
        if _left(trip) and not touched & {p for s in trip["stops"] for p in s["people"]}:
            assert after[coach] == trip
    assert not (result.changes["why"] == "unexplained").any()
    assert {f"NEW{n}" for n in range(12)} <= set(result.changes["person_id"])
    assert (result.coaches["change"] == "cancelled").any()
    assert (
        result.arrivals["message"]
        .str.contains(r"^\d+, not \d+, at \d\d:\d\d on coach", regex=True)
        .any()
    )
    registered = {e.person for e in events if e.kind == "registered"}
    _ledger_holds(result.ledger, registered)
    states = result.ledger[result.ledger["version"] == 2].set_index("person_id")["state"]
    assert states[rows[0]["person"]] == "not carried"
    refused = rows[1]["person"]  # offered another centre, else refused with the reason
    seats = {p: s.centre_id for t in result.run.plan.trips for s in t.stops for p in s.people}
    assert states[refused] == ("planned" if refused in seats else "refused")
    assert seats.get(refused) != gone_centre(trips, refused)
    assert (states == "boarded").any() and (states == "arrived").any()


def test_versions_chain_and_status(planned, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    prepared, parent = planned
    trips = _trips(parent)
    ahead = [t for t in trips.values() if not _left(t)]
    one, two = ahead[0]["stops"][0]["people"][0], ahead[-1]["stops"][0]["people"][0]
    events, _ = _events(
        tmp_path,
        [
            {"kind": "registered", "time": NOW, "person": "N1", "group": "men"},
            {"kind": "no-show", "time": NOW, "person": one},
        ],
    )
    write_version(replan(prepared, parent, events, NOW), tmp_path / "v2")
    later = "2016-10-25 06:00"
    events, _ = _events(tmp_path, [{"kind": "no-show", "time": later, "person": two}])
    result = replan(prepared, tmp_path / "v2", events, later)
    write_version(result, tmp_path / "v3")
    assert read_plan_json(tmp_path / "v3")["version"]["number"] == 3
    _ledger_holds(result.ledger, {"N1"})
    states, lines = status(tmp_path / "v3")
    assert len(lines) == 3 and len(states) == len(prepared.scenario.people) + 1
    assert (states.set_index("person_id")["state"][[one, two]] == "not carried").all()


def test_contradictions_exit_2_and_nothing_is_written(
    planned, tmp_path: Path, small_scenario: Path, data_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    prepared, parent = planned
    trips = _trips(parent)
    coaches = [c for c, t in trips.items() if not _left(t)]
    person = trips[coaches[0]]["stops"][0]["people"][0]
    rows = [
        {"kind": "boarded", "time": "2016-10-24 06:40", "person": person, "coach": coaches[0]},
        {"kind": "boarded", "time": "2016-10-24 06:41", "person": person, "coach": coaches[1]},
    ]
    events, path = _events(tmp_path, rows)
    with pytest.raises(EventsError, match="already on row 2"):
        replan(prepared, parent, events, NOW)
    out = tmp_path / "v2"
    args = [
        "replan",
        str(parent),
        "--events",
        str(path),
        "--now",
        NOW,
        "--scenario",
        str(small_scenario),
    ]
    args += ["--roads", ROADS, "--data-dir", str(data_dir), "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "row 3" in result.output and "already on row 2" in result.output
    assert not out.exists()


def test_bad_rows_and_contradictions_are_listed_in_one_round(
    planned, tmp_path: Path, small_scenario: Path, data_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    _, parent = planned
    trips = _trips(parent)
    coaches = [c for c, t in trips.items() if not _left(t)]
    person = trips[coaches[0]]["stops"][0]["people"][0]
    rows = [
        {"kind": "boarded", "time": "2016-10-24 06:40", "person": person, "coach": coaches[0]},
        {"kind": "boarded", "time": "2016-10-24 06:41", "person": person, "coach": coaches[1]},
        {"kind": "teleported", "time": "2016-10-24 06:42", "person": person},
        {"kind": "no-show", "time": "2016-10-24 11:00", "person": person},
    ]
    _, path = _events(tmp_path, rows[:2])  # the good rows parse; then the file gets the bad ones
    with path.open("a", newline="", encoding="utf-8") as fh:
        csv.DictWriter(fh, fieldnames=COLUMNS.split(",")).writerows(rows[2:])
    args = ["replan", str(parent), "--events", str(path), "--now", NOW]
    args += ["--roads", ROADS, "--data-dir", str(data_dir), "-o", str(tmp_path / "v2")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "already on row 2" in result.output  # a contradiction
    assert "teleported" in result.output  # a bad row
    assert "at or before --now" in result.output  # a time after --now
    assert not (tmp_path / "v2").exists()


def test_a_plan_without_its_scenario_folder_needs_scenario(
    planned, tmp_path: Path, data_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    _, parent = planned
    copy = tmp_path / "v1"
    shutil.copytree(parent, copy)
    document = json.loads((copy / "plan.json").read_text(encoding="utf-8"))
    document["scenario_dir"] = str(tmp_path / "gone")
    (copy / "plan.json").write_text(json.dumps(document), encoding="utf-8")
    _, path = _events(tmp_path, [])
    args = ["replan", str(copy), "--events", str(path), "--now", NOW]
    args += ["--roads", ROADS, "--data-dir", str(data_dir), "-o", str(tmp_path / "v2")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "gone" in result.output and "--scenario" in result.output


def test_events_after_now_are_refused(planned, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    prepared, parent = planned
    person = next(iter(read_plan_json(parent)["trips"]))["stops"][0]["people"][0]
    events, _ = _events(
        tmp_path, [{"kind": "no-show", "time": "2016-10-24 11:00", "person": person}]
    )
    with pytest.raises(EventsError, match="at or before --now"):
        replan(prepared, parent, events, NOW)


def test_status_of_a_first_plan(planned) -> None:  # type: ignore[no-untyped-def]
    prepared, parent = planned
    result = CliRunner().invoke(main, ["status", str(parent)])
    assert result.exit_code == 0, result.output
    people = len(prepared.scenario.people)
    assert f"version 1: {people} people" in result.output
    document = json.loads((parent / "plan.json").read_text(encoding="utf-8"))
    assert document["version"]["number"] == 1


def test_cli_writes_the_next_version(
    planned, tmp_path: Path, small_scenario: Path, data_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    _, parent = planned
    trips = _trips(parent)
    person = next(t for t in trips.values() if not _left(t))["stops"][0]["people"][0]
    _, path = _events(tmp_path, [{"kind": "absent", "time": NOW, "person": person}])
    out = tmp_path / "v2"
    args = ["replan", str(parent), "--events", str(path), "--now", "24/10/2016 10h30"]
    args += [  # no --scenario: plan.json names the folder it was planned from
        "--roads",
        ROADS,
        "--data-dir",
        str(data_dir),
        "-o",
        str(out),
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "version 2" in result.output and "1 people changed" in result.output
    for name in (
        "plan.json",
        "changes.csv",
        "coaches_changed.csv",
        "arrivals_changed.csv",
        "ledger.csv",
    ):
        assert (out / name).is_file()
    changes = pd.read_csv(out / "changes.csv", dtype=str)
    assert changes["person_id"].tolist() == [person] and "did not show" in changes["why"][0]
    shown = CliRunner().invoke(main, ["status", str(out)])
    assert shown.exit_code == 0 and "version 2:" in shown.output and "not carried" in shown.output
