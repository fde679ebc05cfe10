from pathlib import Path

import pytest

from abri.errors import DataFileError
from abri.routing.profile import load_profile


def test_default_profile_respects_coach_limits() -> None:
    profile = load_profile()
    assert profile.speed("motorway") <= 100 and profile.speed("trunk") <= 90
    assert profile.speed("unknown-class") == profile.speeds_kmh["default"]
    assert profile.speed(["motorway", "secondary"]) == profile.speed("secondary")  # merged ways: the slowest


def test_profile_from_file_changes_digest(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text('[speeds_kmh]\nmotorway = 95\ndefault = 60\n[access]\ndetour_factor = 1.5\n')
    profile = load_profile(path)
    assert profile.speed("motorway") == 95 and profile.detour_factor == 1.5
    assert profile.digest() != load_profile().digest()


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[speeds_kmh]\nmotorway = 120\ndefault = 50\n", r"speeds_kmh.motorway = 120.0; expected .* at most the coach limit 100"),
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
