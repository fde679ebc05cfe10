"""Worker processes for abri's independent jobs: forked, dying with their parent, serial where fork is missing.

Two shapes: :func:`process_map` maps a picklable function over arguments (the
planner's day searches), and :func:`run_forked` runs closures, which the
workers inherit by fork instead of receiving them pickled (the document
families of a plan, the stages of the demo after the plan). Only results
travel back, pickled.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

Mapper = Callable[[Callable[[Any], Any], list[Any]], list[Any]]
"""Runs a function over a list of arguments and returns the results in order (serial, processes, Dask...)."""

_FORKED: list[
    Callable[[], Any]
] = []  # the closures of the running run_forked, inherited by its workers


def die_with_parent() -> None:
    """In a worker: be killed when the parent process dies (Linux), so no worker outlives a killed run."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the pool's own shutdown applies
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def can_fork() -> bool:
    """Whether worker processes can be forked here (not on Windows, nor inside a daemon process)."""
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
    )


def serial_map(fn: Callable[[Any], Any], args: list[Any]) -> list[Any]:
    """The tasks one after the other, here."""
    return [fn(a) for a in args]


def process_pool(n_jobs: int) -> ProcessPoolExecutor:
    """A pool of `n_jobs` forked workers that die with this process."""
    return ProcessPoolExecutor(
        n_jobs, mp_context=multiprocessing.get_context("fork"), initializer=die_with_parent
    )


def process_map(jobs: int | None) -> Mapper:
    """A mapper over `jobs` forked worker processes (default one per core; serial where fork is missing)."""

    def run(fn: Callable[[Any], Any], args: list[Any]) -> list[Any]:
        n_jobs = min(jobs or os.cpu_count() or 1, len(args))
        if n_jobs <= 1 or not can_fork():
            return serial_map(fn, args)
        with process_pool(n_jobs) as pool:
            return list(pool.map(fn, args))

    return run


def _run_inherited(index: int) -> Any:
    return _FORKED[index]()


def run_forked(
    tasks: list[Callable[[], Any]], jobs: int | None = None, *, here: bool = False
) -> list[Any]:
    """Run closures at once in forked workers (`jobs` processes in all, default one per core), their results in order.

    The closures reach the workers by fork (nothing but an index is pickled);
    their results come back pickled. Each worker runs in its own copy of this
    process, so a task's changes to memory stay there, unless `here`: the
    first task then runs in this process (its changes kept) while the others
    run in ``jobs - 1`` workers. Serial, here, with one job, one task, or no fork.
    """
    n_jobs = min(jobs or os.cpu_count() or 1, len(tasks))
    if n_jobs <= 1 or not can_fork():
        return [task() for task in tasks]
    # a run_forked nested in a first task run here replaces the closures, then puts them back:
    # the outer workers were all forked at the pool's first submit, with their own copy
    outer = list(_FORKED)
    _FORKED[:] = tasks
    try:
        with process_pool(n_jobs - here) as pool:
            futures = [pool.submit(_run_inherited, i) for i in range(int(here), len(tasks))]
            first = [tasks[0]()] if here else []
            return first + [future.result() for future in futures]
    finally:
        _FORKED[:] = outer
