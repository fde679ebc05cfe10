from pathlib import Path

import pytest

from abri.errors import MissingDataError
from abri.geo.datadir import DATASETS, ENV_VAR, REPO_DATA_DIR, data_status, dataset_path, resolve_data_dir


def test_resolution_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env"))
    assert resolve_data_dir(tmp_path / "opt") == (tmp_path / "opt").resolve()
    assert resolve_data_dir() == (tmp_path / "env").resolve()
    monkeypatch.delenv(ENV_VAR)
    assert resolve_data_dir() == REPO_DATA_DIR


def test_missing_file_names_file_directory_and_remedy(tmp_path: Path) -> None:
    with pytest.raises(MissingDataError, match=r"communes/communes\.csv.*" + str(tmp_path) + r".*--data-dir"):
        dataset_path("communes", tmp_path)


def test_unknown_dataset_lists_known() -> None:
    with pytest.raises(KeyError, match="known datasets: .*communes"):
        dataset_path("nope")


def test_status_on_real_pack_verifies_checksums(data_dir: Path) -> None:
    rows = {r.name: r for r in data_status(data_dir)}
    assert set(rows) == set(DATASETS)
    assert all(r.present and r.checksum == "verified" for r in rows.values())
    assert rows["communes"].size == (data_dir / "communes/communes.csv").stat().st_size


def test_status_detects_mismatch_and_missing(tmp_path: Path) -> None:
    (tmp_path / "communes").mkdir()
    (tmp_path / "communes/communes.csv").write_text("code\n")
    (tmp_path / "SHA256SUMS").write_text("0" * 64 + "  ./communes/communes.csv\n")
    rows = {r.name: r for r in data_status(tmp_path)}
    assert rows["communes"].checksum == "MISMATCH"
    assert not rows["departements"].present


def test_fetch_is_explicit_and_fails_clearly_offline(tmp_path: Path) -> None:
    from abri.geo.fetch import FetchError, fetch_dataset

    with pytest.raises(FetchError, match="no download source for 'france-all-roads'"):
        fetch_dataset("france-all-roads", tmp_path)
    # the tests block the network, as on a machine without internet
    with pytest.raises(FetchError, match=r"cannot download departements from https://.*copy the data pack"):
        fetch_dataset("departements", tmp_path)
    assert not list(tmp_path.rglob("*.geojson"))  # nothing half-written


def test_fetch_command_exit_code(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from abri.cli import main

    result = CliRunner().invoke(main, ["data", "fetch", "regions-simplifie", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1 and "cannot download regions-simplifie" in result.output
