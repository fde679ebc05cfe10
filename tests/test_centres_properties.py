"""Property-based tests: random rows and bytes are reported on, never crash."""

import csv
import datetime as dt
import io
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from abri.errors import DataFileError
from abri.geo.centres import read_centres

FIELDS = [
    "id",
    "name",
    "capacity",
    "lon",
    "lat",
    "insee",
    "postcode",
    "commune",
    "type",
    "groups",
    "departement",
]
cell = st.one_of(
    st.text(max_size=12),
    st.from_regex(r"-?[0-9]{1,3}([.,][0-9]{1,4})?", fullmatch=True),
    st.sampled_from(
        ["", "62193", "69123", "2A004", "CAOMI", "hommes", "nan", "inf", "1e308", "-0"]
    ),
)
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(
    rows=st.lists(st.fixed_dictionaries({f: cell for f in FIELDS}), min_size=1, max_size=8),
    delimiter=st.sampled_from([",", ";"]),
)
def test_random_rows_are_reported_not_crashed(
    tmp_path: Path, data_dir: Path, rows: list[dict], delimiter: str
) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "random.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    try:
        gdf, report = read_centres(path, data_dir=data_dir)
    except DataFileError:
        return  # a clear file-level message is an acceptable outcome
    assert report.rows_read == len(gdf) + report.rows_rejected
    assert (gdf["capacity"] > 0).all()
    assert gdf["departement"].notna().all()
    assert all(p.row is not None and p.expected for p in report.problems)


@SETTINGS
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx", ".geojson", ".gpkg"]))
def test_random_bytes_give_a_clear_error_or_a_report(
    tmp_path: Path, data_dir: Path, data: bytes, suffix: str
) -> None:
    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    try:
        gdf, report = read_centres(path, data_dir=data_dir)
    except DataFileError as exc:
        assert str(path) in str(exc)
        return
    assert report.rows_read == len(gdf) + report.rows_rejected


# --- people files -----------------------------------------------------------------------------------------------------

PEOPLE_FIELDS = ["person_id", "day", "group", "household", "pref1", "pref2"]
people_cell = st.one_of(
    st.text(max_size=10),
    st.sampled_from(
        [
            "",
            "P1",
            "P1\u200b",
            "\u03a11",
            "2016-10-24",
            "20161024",
            "24/10/2016",
            "2016-02-30",
            "men",
            "Hommes",
            "familles",
            "H1",
            "32",
            "84",
        ]
    ),
)


@SETTINGS
@given(
    rows=st.lists(
        st.fixed_dictionaries({f: people_cell for f in PEOPLE_FIELDS}), min_size=1, max_size=10
    )
)
def test_random_people_rows_are_reported_not_crashed(tmp_path: Path, rows: list[dict]) -> None:
    from abri.constants import GROUPS
    from abri.inputs.people import read_people

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=PEOPLE_FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "people.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    try:
        people, report = read_people(path, regions={"32", "84"})
    except DataFileError as exc:  # refused as a whole: the message names the file
        assert str(path) in str(exc)
        return
    assert (
        report.rows_read == len(people) + report.rows_rejected
    )  # nobody lost without a row in the rejects
    assert set(people["group"]) <= set(GROUPS)
    assert all(len(d) == 10 and d[4] == "-" for d in people["day"])
    assert people["person_id"].is_unique
    for _, members in people.groupby(
        "household"
    ):  # a household travels together: one day, one group
        assert members["day"].nunique() == 1 and members["group"].nunique() == 1
    assert all(p.row is not None and p.expected for p in report.problems)


@SETTINGS
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".xlsx", ".geojson"]))
def test_random_bytes_as_people_give_a_clear_error_or_a_report(
    tmp_path: Path, data: bytes, suffix: str
) -> None:
    from abri.inputs.people import read_people

    path = tmp_path / f"people{suffix}"
    path.write_bytes(data)
    try:
        people, report = read_people(path)
    except DataFileError as exc:
        assert str(path) in str(exc)
        return
    assert report.rows_read == len(people) + report.rows_rejected


# --- numbers, clocks, days: what is written is what is read -------------------------------------------------------------


@given(
    n=st.integers(min_value=0, max_value=10**9), sep=st.sampled_from(["", " ", "\u00a0", "\u202f"])
)
def test_counts_round_trip(n: int, sep: str) -> None:
    from abri.inputs.values import parse_count

    grouped = f"{n:,}".replace(",", sep)
    assert parse_count(grouped) == n
    assert parse_count(f"{n}.0") == n


@given(n=st.integers(min_value=1_000, max_value=999_999), sep=st.sampled_from([".", ","]))
def test_one_thousands_separator_is_ambiguous(n: int, sep: str) -> None:
    import pytest

    from abri.inputs.values import parse_count

    with pytest.raises(ValueError, match="ambiguous"):
        parse_count(f"{n:,}".replace(",", sep))


@given(x=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), comma=st.booleans())
def test_numbers_round_trip(x: float, comma: bool) -> None:
    from abri.inputs.values import parse_number

    text = repr(x)
    assert parse_number(text.replace(".", ",") if comma and "e" not in text else text) == x


@given(
    h=st.integers(0, 23),
    m=st.integers(0, 59),
    style=st.sampled_from(["{h:02d}:{m:02d}", "{h}h{m:02d}", "{h:02d}:{m:02d}:00"]),
)
def test_clocks_round_trip(h: int, m: int, style: str) -> None:
    from abri.inputs.values import parse_clock

    assert parse_clock(style.format(h=h, m=m)) == f"{h:02d}:{m:02d}"


@given(
    day=st.dates(min_value=dt.date(1000, 1, 1)),  # strftime writes years of four digits
    style=st.sampled_from(["%Y-%m-%d", "%Y%m%d", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d 00:00:00"]),
)
def test_days_round_trip(day, style: str) -> None:  # type: ignore[no-untyped-def]
    from abri.inputs.values import parse_day

    assert parse_day(day.strftime(style)) == day.isoformat()


@given(value=st.floats(min_value=-179.99, max_value=179.99), hemisphere=st.booleans())
def test_degrees_minutes_seconds_round_trip(value: float, hemisphere: bool) -> None:
    from abri.inputs.values import parse_coordinate

    d = abs(value)
    degrees, minutes = int(d), int(d * 60) % 60
    seconds = round(d * 3600 - degrees * 3600 - minutes * 60, 3)
    assume(seconds < 60)  # rounded up to a whole minute: not a valid DMS text
    sign = -1 if value < 0 else 1
    text = (
        f"{degrees}°{minutes}'{seconds}\"" + ("W" if sign < 0 else "E")
        if hemisphere
        else f"{'-' if sign < 0 else ''}{degrees}°{minutes}'{seconds}\""
    )
    assert (
        abs(parse_coordinate(text, axis="lon") - sign * (degrees + minutes / 60 + seconds / 3600))
        < 1e-9
    )
    assert parse_coordinate(f"{value}°", axis="lon") == value


# --- fleet.json and rules.json: any JSON value is read or refused by name ------------------------------------------------

json_value = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**12), 10**12),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=8),
        st.sampled_from(["07:00", "25:00", "7h", "2016-10-24", "20161024"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["men", "minors", "x"]), inner, max_size=2),
    ),
    max_leaves=4,
)
FLEET_KEYS = [
    "coaches_per_day",
    "seats",
    "origin_lon",
    "origin_lat",
    "origin_name",
    "days",
    "coaches",
    "notes",
    "seatz",
]
RULE_KEYS = [
    "max_stops",
    "departure",
    "last_departure",
    "break_after_hours",
    "break_minutes",
    "max_driving_hours",
    "reception_open",
    "reception_close",
    "max_ride_hours",
    "preference_penalty_hours",
    "margin_pct",
]


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fleet=st.dictionaries(st.sampled_from(FLEET_KEYS), json_value, max_size=4),
    rules=st.dictionaries(st.sampled_from(RULE_KEYS), json_value, max_size=4),
)
def test_random_fleet_and_rules_are_read_in_range_or_refused_by_name(
    tmp_path: Path, fleet: dict, rules: dict
) -> None:
    import json
    import math

    from abri.inputs.scenario import FLEET_RANGES, RULE_RANGES, read_scenario

    folder = tmp_path / "s"
    folder.mkdir(exist_ok=True)
    (folder / "centres.csv").write_text("id,capacity,insee\nA,1,62193\n")
    (folder / "people.csv").write_text("person_id,day,group\nP1,2016-10-24,men\n")
    (folder / "fleet.json").write_text(json.dumps(fleet))
    (folder / "rules.json").write_text(json.dumps(rules))
    try:
        scenario = read_scenario(folder)
    except DataFileError as exc:
        message = str(exc)
        assert "fleet.json" in message or "rules.json" in message
        assert any(repr(k) in message or k in message for k in [*fleet, *rules, "days", "coaches"])
        return
    f, r = scenario.fleet, scenario.rules
    for key, (low, high) in FLEET_RANGES.items():
        assert low <= getattr(f, key) <= high
    for key, (low, high) in RULE_RANGES.items():
        assert low <= getattr(r, key) <= high
    assert math.isfinite(f.origin_lon) and -180 <= f.origin_lon <= 180 and -90 <= f.origin_lat <= 90
    assert all(len(d) == 10 for d in f.days) and len(set(f.days)) == len(f.days)
