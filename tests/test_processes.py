"""Forked workers (abri.processes): results in order, what a task changes, nesting, errors."""

from __future__ import annotations

import os

import pytest

from abri.errors import DataFileError
from abri.processes import can_fork, run_forked

pytestmark = pytest.mark.skipif(not can_fork(), reason="no fork on this platform")


def test_results_come_back_in_order_from_other_processes() -> None:
    here = os.getpid()
    got = run_forked([lambda n=n: (n * n, os.getpid()) for n in range(5)], jobs=2)
    assert [v for v, _ in got] == [0, 1, 4, 9, 16]
    assert all(pid != here for _, pid in got)


def test_the_first_task_runs_here_and_keeps_its_changes() -> None:
    seen: list[str] = []
    first, second = run_forked(
        [lambda: seen.append("here") or os.getpid(), lambda: seen.append("there") or os.getpid()],
        jobs=2,
        here=True,
    )
    assert first == os.getpid() and second != os.getpid()
    assert seen == ["here"]  # the worker changed its own copy only


def test_a_run_nested_in_the_first_task_and_one_job_run_serially() -> None:
    def inner() -> list[int]:
        return run_forked([lambda: 1, lambda: 2], jobs=2)

    assert run_forked([inner, lambda: 3], jobs=2, here=True) == [[1, 2], 3]
    assert run_forked([os.getpid], jobs=4) == [os.getpid()]
    assert run_forked([os.getpid, os.getpid], jobs=1) == [os.getpid()] * 2


def test_an_error_in_a_worker_reaches_the_caller() -> None:
    def fail() -> None:
        raise DataFileError("people.csv, row 3, column day: '32/10': expected a date")

    with pytest.raises(DataFileError, match="row 3"):
        run_forked([lambda: 1, fail], jobs=2)
