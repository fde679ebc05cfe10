"""Output folders hold no lock file once a write ends, well or not, and a second writer is refused."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from abri.errors import FolderBusyError
from abri.files import atomic_dir


class Boom(RuntimeError):
    pass


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*"))


def test_no_lock_file_after_success_or_failure(tmp_path: Path) -> None:
    with atomic_dir(tmp_path / "plan") as folder:
        (folder / "a.csv").write_text("a")
    assert _leftovers(tmp_path) == []
    with pytest.raises(Boom), atomic_dir(tmp_path / "plan") as folder:
        raise Boom
    assert _leftovers(tmp_path) == []
    assert (tmp_path / "plan" / "a.csv").read_text() == "a"


def _hold(path: str, ready, release) -> None:  # type: ignore[no-untyped-def]
    with atomic_dir(path):
        ready.set()
        release.wait(30)


def test_a_second_process_is_refused_then_admitted(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold, args=(str(tmp_path / "plan"), ready, release))
    holder.start()
    try:
        assert ready.wait(60)
        with (
            pytest.raises(FolderBusyError, match="another abri process"),
            atomic_dir(tmp_path / "plan"),
        ):
            pass
    finally:
        release.set()
        holder.join(60)
    assert holder.exitcode == 0
    with atomic_dir(tmp_path / "plan") as folder:  # the holder is gone: the folder is free again
        (folder / "b.csv").write_text("b")
    assert _leftovers(tmp_path) == []
