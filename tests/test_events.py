"""Events files: every kind read in French or English, row-level messages, contradictions with both rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from abri.errors import DataFileError
from abri.inputs.events import KINDS, EventsError, Known, check_against, parse_moment, read_events

EVERY_KIND = """kind,time,person,household,group,coach,centre,places,minutes,count,reason,where,way,point_a,point_b,from,to
registered,2016-10-24 09:00,N1,NH,families,,,,,,,,,,,,
no-show,2016-10-24 09:05,P1,,,,,,,,,,,,,,
refused,2016-10-24 09:06,P2,,,,CAO-2,,,,too far,,,,,,
boarded,2016-10-24 09:07,P3,,,C1,,,,,,,,,,,
departed,2016-10-24 09:10,,,,C1,,,,,,,,,,,
late,2016-10-24 09:11,,,,C2,,,25,,,,,,,,
broke-down,2016-10-24 09:12,,,,C3,,,,,,A16 exit 5,,,,,
places-changed,2016-10-24 09:13,,,,,CAO-1,12,,,,,,,,,
centre-closed,2016-10-24 09:14,,,,,CAO-3,,,,,,,,,,
centre-refuses,2016-10-24 09:15,,,,,CAO-4,,,,,,,,,,
arrived,2016-10-24 09:16,,,,C1,CAO-1,,,3,,,,,,,
road-closed,2016-10-24 09:17,,,,,,,,,,,,1.85 50.95,2.3 50.7,2016-10-24 09:00,2016-10-24 18:00
"""


def test_every_kind_is_read(write) -> None:  # type: ignore[no-untyped-def]
    events, report = read_events(write("events.csv", EVERY_KIND))
    assert [e.kind for e in events] == list(KINDS)
    assert report.rows_read == len(KINDS) and not report.errors
    by = {e.kind: e for e in events}
    assert by["registered"].group == "families" and by["registered"].household == "NH"
    assert by["late"].number == 25 and by["places-changed"].number == 12
    assert by["arrived"].number == 3 and by["broke-down"].where == "A16 exit 5"
    assert by["road-closed"].points == ((1.85, 50.95), (2.3, 50.7))
    assert by["road-closed"].end == "2016-10-24 18:00"
    assert by["refused"].to_dict()["reason"] == "too far"


def test_french_headers_and_values(write) -> None:  # type: ignore[no-untyped-def]
    text = (
        "événement;heure;personne;groupe;car;retard;motif\n"
        "absent;24/10/2016 10h30;P1;;;;\n"
        "inscrit;24/10/2016 10:31;N1;hommes;;;\n"
        "retard;2016-10-24 10:32;;;C1;15;\n"
        "refus;2016-10-24 10:33;P2;;;;loin de la famille\n"
    )
    events, _ = read_events(write("evenements.csv", text))
    assert [(e.kind, e.time) for e in events] == [
        ("no-show", "2016-10-24 10:30"),
        ("registered", "2016-10-24 10:31"),
        ("late", "2016-10-24 10:32"),
        ("refused", "2016-10-24 10:33"),
    ]
    assert events[1].group == "men" and events[2].number == 15


def test_json_list_or_object(tmp_path: Path) -> None:
    rows = [
        {"kind": "no-show", "time": "2016-10-24 10:00", "person": "P1"},
        {"kind": "late", "time": "2016-10-24 10:00", "coach": "C1", "minutes": 20},
    ]
    for i, data in enumerate((rows, {"events": rows})):
        path = tmp_path / f"e{i}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        events, _ = read_events(path)
        assert [(e.row, e.kind) for e in events] == [(1, "no-show"), (2, "late")]
        assert events[1].number == 20


def test_row_level_messages_and_nothing_kept(write) -> None:  # type: ignore[no-untyped-def]
    text = (
        "kind,time,person,coach,minutes\n"
        "no-show,2016-10-24 10:00,P1,,\n"
        "flew away,2016-10-24 10:00,P2,,\n"
        "late,2016-10-24 10:00,,C1,soon\n"
        "boarded,yesterday,P3,,\n"
    )
    path = write("bad.csv", text)
    with pytest.raises(EventsError) as info:
        read_events(path)
    message = str(info.value)
    assert "none of them is applied" in message
    assert f"{path}, row 3, column 'kind'" in message and "'flew away'" in message
    assert "row 4, column 'minutes'" in message and "a whole number" in message
    assert "row 5, column 'time'" in message and "YYYY-MM-DD HH:MM" in message
    assert "row 5, column 'coach'" in message  # boarded needs the coach
    assert isinstance(info.value, DataFileError)  # exit 2 on the command line
    assert {p.row for p in info.value.problems} == {3, 4, 5}


def test_no_kind_column(write) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DataFileError, match="kind"):
        read_events(write("e.csv", "time,person\n2016-10-24 10:00,P1\n"))


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2016-10-24 10:30", "2016-10-24 10:30"),
        ("24/10/2016 9h05", "2016-10-24 09:05"),
        ("2016-10-24T10:30:00", "2016-10-24 10:30"),
        ("2016-10-24", None),
        ("24/10/2016 25:00", None),
    ],
)
def test_moments(text: str, moment: str | None) -> None:
    assert parse_moment(text) == moment


KNOWN = Known(
    coaches={"C1", "C2"},
    people={"P1": "C1", "P2": "C1", "P3": "C2"},
    centres={"CAO-1", "CAO-2"},
    stops={("C1", "CAO-1"): 2, ("C2", "CAO-2"): 1},
)


def _check(write, text: str) -> EventsError:  # type: ignore[no-untyped-def]
    events, _ = read_events(write("events.csv", text))
    with pytest.raises(EventsError) as info:
        check_against(events, KNOWN, file="events.csv")
    return info.value


def test_boarding_two_coaches_names_both_rows(write) -> None:  # type: ignore[no-untyped-def]
    error = _check(
        write,
        "kind,time,person,coach\nboarded,2016-10-24 07:00,P1,C1\nboarded,2016-10-24 07:05,P1,C2\n",
    )
    assert [p.row for p in error.problems] == [3]
    assert "already on row 2" in str(error) and "row 3" in str(error)


def test_coach_departing_twice_and_unknowns(write) -> None:  # type: ignore[no-untyped-def]
    error = _check(
        write,
        "kind,time,person,coach,centre,where\n"
        "departed,2016-10-24 07:00,,C1,,\n"
        "departed,2016-10-24 07:30,,C1,,\n"
        "broke-down,2016-10-24 07:30,,C9,,A16\n"
        "no-show,2016-10-24 07:30,Z9,,,\n"
        "centre-closed,2016-10-24 07:30,,,CAO-9,\n",
    )
    rules = {(p.row, p.rule) for p in error.problems}
    assert rules == {
        (3, "contradiction"),
        (4, "unknown-coach"),
        (5, "unknown-person"),
        (6, "unknown-centre"),
    }
    assert "departing once (already on row 2)" in str(error)


def test_counts_that_do_not_add_up(write) -> None:  # type: ignore[no-untyped-def]
    error = _check(
        write,
        "kind,time,person,coach,centre,count\n"
        "no-show,2016-10-24 06:50,P2,,,\n"
        "arrived,2016-10-24 12:00,,C1,CAO-1,3\n"
        "arrived,2016-10-24 12:00,,C2,CAO-1,1\n",
    )
    by_row = {p.row: p for p in error.problems}
    assert by_row[3].rule == "count-mismatch" and "row 2 (no-show P2)" in by_row[3].expected
    assert by_row[4].rule == "not-a-stop"


def test_registered_twice_or_already_known(write) -> None:  # type: ignore[no-untyped-def]
    error = _check(
        write,
        "kind,time,person,group\n"
        "registered,2016-10-24 09:00,N1,men\n"
        "registered,2016-10-24 09:01,N1,men\n"
        "registered,2016-10-24 09:02,P3,men\n",
    )
    assert {(p.row, p.rule) for p in error.problems} == {(3, "contradiction"), (4, "already-known")}


def test_consistent_events_pass(write) -> None:  # type: ignore[no-untyped-def]
    events, _ = read_events(
        write(
            "events.csv",
            "kind,time,person,coach,centre,count,group\n"
            "registered,2016-10-24 09:00,N1,,,,men\n"
            "boarded,2016-10-24 09:10,N1,C1,,,\n"
            "no-show,2016-10-24 09:10,P2,,,,\n"
            "arrived,2016-10-24 12:00,,C1,CAO-1,2,\n",
        )
    )
    check_against(events, KNOWN)
