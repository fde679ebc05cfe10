"""The hostile-input corpus (tests/corpus/hostile.py) through the CLI: no traceback, bounded time, the right exit and message."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from corpus.hostile import CASES, Case, build, command  # type: ignore[import-not-found]

import abri.commands.common
from abri.cli import main


class TooSlow(Exception):
    """A case ran past its time."""


@contextmanager
def bounded(seconds: float) -> Iterator[None]:
    """Fail a block that runs longer than `seconds` (SIGALRM; the tests run in the main thread)."""

    def stop(signum: int, frame: object) -> None:
        raise TooSlow(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_case(case: Case, folder: Path, data_dir: Path | str) -> tuple[int, str, float]:
    """Build `case` in `folder` and run its command in-process: exit code, everything printed, seconds."""
    build(case, folder)
    start = time.perf_counter()
    with bounded(case.seconds):
        result = CliRunner().invoke(main, command(case, folder, data_dir))
    output = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(
            f"{case.name}: {type(result.exception).__name__} escaped the CLI: {result.exception}\n{output}"
        )
    return result.exit_code, output, time.perf_counter() - start


@pytest.fixture()
def pack(request: pytest.FixtureRequest) -> Path | str:
    """The data pack for the cases that read data; any path for the others."""
    return request.getfixturevalue("data_dir") if request.param else "unused"


@pytest.mark.parametrize(
    ("case", "pack"),
    [(c, c.needs_data) for c in CASES],
    ids=[c.name for c in CASES],
    indirect=["pack"],
)
def test_case(
    case: Case, pack: Path | str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # default rejects files land here
    code, output, _ = run_case(case, tmp_path / "case", pack)
    assert "Traceback" not in output, output
    assert code in case.exits, f"{case.name}: exit {code}, expected {case.exits}\n{output}"
    missing = [s for s in case.says if s not in output]
    assert not missing, f"{case.name}: the output lacks {missing}\n{output}"


def test_every_kind_is_covered() -> None:
    assert {c.kind for c in CASES} == {"resource", "value", "output", "crash", "message"}
    assert len({c.name for c in CASES}) == len(CASES)


def test_an_unexpected_error_is_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, data_dir: Path
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(abri.commands.common, "read_centres", broken)  # as the commands call it
    path = tmp_path / "c.csv"
    path.write_text("id,capacity,insee\nA,1,62193\n")
    result = CliRunner().invoke(main, ["validate", str(path), "--data-dir", str(data_dir)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [
        "Error: unexpected failure (ZeroDivisionError: division by zero); nothing more is known here: "
        "rerun with -v for the details to report"
    ]
    verbose = CliRunner().invoke(main, ["-v", "validate", str(path), "--data-dir", str(data_dir)])
    assert isinstance(
        verbose.exception, ZeroDivisionError
    )  # -v: the real traceback, for a bug report


def test_the_corpus_can_be_written_for_a_later_run(tmp_path: Path) -> None:
    import json
    import runpy

    runpy.run_path(str(Path(__file__).parent / "corpus" / "hostile.py"), run_name="not-main")[
        "main"
    ](tmp_path)
    listed = json.loads((tmp_path / "cases.json").read_text())
    assert [c["name"] for c in listed] == [c.name for c in CASES]
    assert (tmp_path / "xlsx-cell-at-XFD1048576" / "c.xlsx").stat().st_size < 10_000
