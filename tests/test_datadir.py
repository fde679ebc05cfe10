from pathlib import Path

import pytest
from conftest import MINIPACK  # type: ignore[import-not-found]

from abri.errors import MissingDataError
from abri.inputs.datadir import (
    DATASETS,
    ENV_VAR,
    REPO_DATA_DIR,
    data_status,
    dataset_path,
    default_data_dir,
    installed,
    read_checksums,
    resolve_data_dir,
    user_cache_dir,
)


def test_resolution_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env"))
    assert resolve_data_dir(tmp_path / "opt") == (tmp_path / "opt").resolve()
    assert resolve_data_dir() == (tmp_path / "env").resolve()
    monkeypatch.delenv(ENV_VAR)
    assert resolve_data_dir() == REPO_DATA_DIR


def test_missing_file_names_file_directory_and_remedy(tmp_path: Path) -> None:
    with pytest.raises(
        MissingDataError, match=r"communes/communes\.csv.*" + str(tmp_path) + r".*--data-dir"
    ):
        dataset_path("communes", tmp_path)


def test_unknown_dataset_lists_known() -> None:
    with pytest.raises(KeyError, match=r"known datasets: .*communes"):
        dataset_path("nope")


def test_status_on_real_pack_verifies_checksums(datapack: Path) -> None:
    rows = {r.name: r for r in data_status(datapack)}
    assert set(rows) == set(DATASETS)
    assert all(r.present and r.checksum == "verified" for r in rows.values())
    assert rows["communes"].size == (datapack / "communes/communes.csv").stat().st_size


def test_the_minipack_is_a_data_directory_with_true_checksums() -> None:
    """The tests' committed inputs: the pack's layout, every file listed and verified."""
    rows = {r.name: r for r in data_status(MINIPACK)}
    present = {name for name, r in rows.items() if r.present}
    assert {"communes", "departements", "france-major-roads", "hauts-de-france-roads"} <= present
    assert {rows[name].checksum for name in present} == {"verified"}
    listed = set(read_checksums(MINIPACK))
    on_disk = {
        p.relative_to(MINIPACK).as_posix()
        for p in MINIPACK.rglob("*")
        if p.is_file() and p.name not in ("SHA256SUMS", "README.md")
    }
    assert listed == on_disk


def test_status_detects_mismatch_and_missing(tmp_path: Path) -> None:
    (tmp_path / "communes").mkdir()
    (tmp_path / "communes/communes.csv").write_text("code\n")
    (tmp_path / "SHA256SUMS").write_text("0" * 64 + "  ./communes/communes.csv\n")
    rows = {r.name: r for r in data_status(tmp_path)}
    assert rows["communes"].checksum == "MISMATCH"
    assert not rows["departements"].present


def test_installed_wheel_uses_the_users_directories(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import platformdirs

    wheel = tmp_path / "venv/lib/python3.11/site-packages/abri"
    assert installed(wheel) and not installed(REPO_DATA_DIR.parent / "abri")
    assert default_data_dir(wheel) == platformdirs.user_data_path("abri")
    assert "site-packages" not in str(default_data_dir(wheel))
    assert default_data_dir(REPO_DATA_DIR.parent / "abri") == REPO_DATA_DIR
    monkeypatch.delenv("ABRI_CACHE_DIR", raising=False)
    assert user_cache_dir() == platformdirs.user_cache_path("abri")
    monkeypatch.setenv("ABRI_CACHE_DIR", str(tmp_path / "c"))
    assert user_cache_dir() == tmp_path / "c"


def test_missing_data_message_names_the_real_place_and_the_fetch_command(tmp_path: Path) -> None:
    with pytest.raises(
        MissingDataError,
        match=rf"in data directory {tmp_path}.*abri data fetch --all.*writes into {tmp_path}",
    ):
        dataset_path("departements", tmp_path)
