"""Benchmark records: every figure a benchmark measures, with the machine and its load, as JSON lines.

A benchmark calls :func:`record` once per figure (its own and the baseline it is compared
with, measured in the same run). Records go to ``bench/results/<bench>.jsonl`` (one line
each, appended), which ``bench/report.py`` turns into the performance tables of the docs.

Example::

    from records import record, timed

    with timed() as t:
        build_graph()
    record(
        "graph",
        "france-all-roads build (cold)",
        t.seconds,
        "s",
        baseline=29.0,
        note="osmnx path, same run",
    )
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import resource
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, object]:
    """What the figures were measured on: host, cores, memory, Python, abri's commit, load."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
            cwd=RESULTS.parent,
        ).stdout.strip()
    except OSError:
        commit = ""
    try:
        mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError):
        mem_gb = 0.0
    return {
        "host": socket.gethostname(),
        "cpus": os.cpu_count(),
        "memory_gb": round(mem_gb, 1),
        "python": platform.python_version(),
        "commit": commit,
        "load_1min": round(os.getloadavg()[0], 2),
    }


def record(
    bench: str,
    figure: str,
    value: float,
    unit: str,
    *,
    baseline: float | None = None,
    baseline_name: str = "",
    note: str = "",
) -> dict[str, object]:
    """Append one figure (and its same-run baseline) to ``bench/results/<bench>.jsonl``; return it."""
    row: dict[str, object] = {
        "bench": bench,
        "figure": figure,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "baseline_name": baseline_name,
        "note": note,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **machine(),
    }
    RESULTS.mkdir(exist_ok=True)
    with (RESULTS / f"{bench}.jsonl").open("a", encoding="utf-8") as out:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return row


@dataclass
class Timer:
    """Wall-clock seconds and peak memory (MB, this process and its children) of a block."""

    seconds: float = 0.0
    peak_mb: float = 0.0


@contextmanager
def timed() -> Iterator[Timer]:
    """Time a block: ``with timed() as t: ...`` then ``t.seconds``, ``t.peak_mb``."""
    timer = Timer()
    start = time.perf_counter()
    try:
        yield timer
    finally:
        timer.seconds = round(time.perf_counter() - start, 3)
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        timer.peak_mb = round(max(own, children) / 1024, 1)
