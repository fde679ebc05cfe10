from pathlib import Path

import pytest

from abri.errors import DataFileError
from abri.routing.profile import load_profile


def test_default_profile_respects_coach_limits() -> None:
    profile = load_profile()
    assert profile.speed("motorway") <= 100 and profile.speed("trunk") <= 90
    assert profile.speed("unknown-class") == profile.speeds_kmh["default"]
    assert profile.speed(["motorway", "secondary"]) == profile.speed(
        "secondary"
    )  # merged ways: the slowest


def test_profile_from_file_changes_digest(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text("[speeds_kmh]\nmotorway = 95\ndefault = 60\n[access]\ndetour_factor = 1.5\n")
    profile = load_profile(path)
    assert profile.speed("motorway") == 95 and profile.detour_factor == 1.5
    assert profile.digest() != load_profile().digest()


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            "[speeds_kmh]\nmotorway = 120\ndefault = 50\n",
            r"speeds_kmh.motorway = 120.0; expected .* at most the coach limit 100",
        ),
        ("[speeds_kmh]\ntrunk = 95\ndefault = 50\n", r"speeds_kmh.trunk = 95.0; .* limit 90"),
        ("[speeds_kmh]\nmotorway = 80\n", "needs a 'default' speed"),
        ("[speeds_kmh]\ndefault = 'fast'\n", "must be numbers"),
        ("speeds_kmh = [", "cannot read the speed profile"),
    ],
)
def test_bad_profiles(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(text)
    with pytest.raises(DataFileError, match=match):
        load_profile(path)


def test_way_speed_and_restrictions() -> None:
    profile = load_profile()
    assert profile.way_speed("motorway") == 88 and profile.way_speed("motorway", "130") == 88
    assert profile.way_speed("primary", "50") == 50 and profile.way_speed(
        "primary", "30 mph"
    ) == pytest.approx(48.28, abs=0.01)
    assert profile.way_speed("trunk", "signals") == 75  # not a number: the class speed
    assert (
        profile.way_speed("primary", "FR:urban") == 50
        and profile.way_speed("secondary", "FR:zone30") == 30
    )
    assert (
        profile.way_speed("primary", "FR:rural") == 65
        and profile.way_speed("primary", ["40", "50"]) == 40
    )
    assert profile.restriction({"highway": "secondary"}) == ""
    assert profile.restriction({"maxheight": "3"}) == "maxheight=3"
    assert (
        profile.restriction({"maxheight": "4.2"}) == ""
        and profile.restriction({"maxheight": "3,5 m"}) == "maxheight=3,5 m"
    )
    assert (
        profile.restriction({"maxheight": "11'6\""}) == "maxheight=11'6\""
    )  # 3.51 m, below the coach's 3.8 m
    assert profile.restriction({"maxheight": "12'6\""}) == ""  # 3.81 m
    assert (
        profile.restriction({"maxweight": "7.5"}) == "maxweight=7.5"
        and profile.restriction({"maxlength": "10"}) == "maxlength=10"
    )
    assert (
        profile.restriction({"access": "no", "bus": "yes"}) == ""
    )  # the most specific tag decides
    assert profile.restriction({"motor_vehicle": "no"}) == "motor_vehicle=no"
    assert profile.restriction({"psv": "yes", "bus": "private"}) == "bus=private"
    assert profile.restriction({"hgv": "no"}) == ""  # a coach is not a goods vehicle
    assert profile.restriction({"maxheight": "default"}) == ""


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[speeds_kmh]\ndefault = true\n", r"speeds_kmh.default = True; expected a number"),
        (
            "[speeds_kmh]\ndefault = 50\n[limits_kmh]\ndefault = -5\n",
            r"limits_kmh.default = -5.0; expected a limit above 0",
        ),
        (
            "[speeds_kmh]\ndefault = 50\n[vehicle]\nheight_m = 0\n",
            r"vehicle.height_m = 0.0; expected a positive size",
        ),
        (
            "[speeds_kmh]\ndefault = 50\n[vehicle]\nwings = 2\n",
            r"vehicle.wings is not a known dimension",
        ),
        ("speeds_kmh = 5\n", r"\[speeds_kmh\] must be a table"),
        ("[speed_kmh]\ndefault = 50\n", r"unknown key\(s\) speed_kmh"),
        ("[speeds_kmh]\ndefault = 50\n[access]\ndetour = 2\n", r"unknown key\(s\) access.detour"),
        (
            "[speeds_kmh]\ndefault = 50\n[access]\nwarn_km = 80\n",
            r"access.warn_km \(80\) must be above 0 and at most access.max_km \(60\)",
        ),
        ("[speeds_kmh]\ndefault = nan\n", r"speeds_kmh.default = nan; expected a number"),
    ],
)
def test_malformed_profiles_name_key_and_value(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(text)
    with pytest.raises(DataFileError, match=match):
        load_profile(path)


def test_malformed_profile_exits_2_on_the_command_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from abri.cli import main

    path = tmp_path / "p.toml"
    path.write_bytes(b"[speeds_kmh]\ndefault = \xff\n")
    result = CliRunner().invoke(main, ["route", "--to", "2.35,48.86", "--profile", str(path)])
    assert (
        result.exit_code == 2
        and "p.toml: cannot read the speed profile" in result.output
        and "Traceback" not in result.output
    )
