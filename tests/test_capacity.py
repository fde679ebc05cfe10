from pathlib import Path

import pandas as pd
import pytest

from abri.geo.capacity import capacity_summary, departements_without_centre
from abri.geo.centres import read_centres

pytestmark = pytest.mark.datapack  # the sample centres lie in 25 departments across France


@pytest.fixture(scope="module")
def centres(examples: Path, data_dir: Path):
    return read_centres(examples / "centres-sample.csv", data_dir=data_dir)[0]


def test_by_departement(centres, data_dir: Path) -> None:
    summary = capacity_summary(centres, data_dir=data_dir)
    assert len(summary) == 96
    assert summary["places"].sum() == centres["capacity"].sum()
    assert summary["centres"].sum() == len(centres)
    assert summary["share_pct"].sum() == pytest.approx(100, abs=0.1)
    lyon = summary.loc["69"]
    assert lyon["places"] == 50 and lyon["population"] > 1_500_000
    assert lyon["places_per_10k"] == pytest.approx(1e4 * 50 / lyon["population"], abs=0.01)
    empty = departements_without_centre(summary)
    assert (
        "62" in empty and "69" not in empty and len(empty) == 96 - centres["departement"].nunique()
    )


def test_by_region(centres, data_dir: Path) -> None:
    summary = capacity_summary(centres, by="region", data_dir=data_dir)
    assert len(summary) == 13 and summary["places"].sum() == centres["capacity"].sum()
    assert (
        summary.loc["11", "centres"] == 0 and summary.loc["11", "departements_without_centre"] == 8
    )


def test_with_allocation(centres, data_dir: Path) -> None:
    allocated = pd.Series({"CAO-025": 25, "CAO-016": 40})
    summary = capacity_summary(centres, data_dir=data_dir, allocated=allocated)
    assert (
        summary.loc["69", "occupancy_pct"] == 50.0 and summary.loc["13", "occupancy_pct"] == 100.0
    )


def test_bad_level(centres) -> None:
    with pytest.raises(ValueError, match="`by` must be"):
        capacity_summary(centres, by="commune")  # type: ignore[arg-type]
