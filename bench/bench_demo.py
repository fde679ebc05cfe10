"""Benchmark: ``abri demo`` from a cold cache (graph built by osmnx) and warm (cached graph).

Target: under 3 minutes cold on a 2-core machine. Run: ``python bench/bench_demo.py``
(uses $ABRI_DATA_DIR).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from records import record


def timed_demo(out: str, cache: str) -> float:
    env = {**os.environ, "ABRI_CACHE_DIR": cache}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "abri.cli", "demo", "-o", out],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cold = timed_demo(os.path.join(tmp, "cold"), os.path.join(tmp, "cache"))
        warm = timed_demo(os.path.join(tmp, "warm"), os.path.join(tmp, "cache"))
        size = os.path.getsize(os.path.join(tmp, "warm", "plan.html")) / 1e6
    print("| run | seconds |")
    print("|---|---:|")
    print(f"| abri demo, cold (empty cache: osmnx parses the national roads) | {cold:.0f} |")
    print(f"| abri demo, warm (cached graph) | {warm:.0f} |")
    print(f"\nplan.html: {size:.2f} MB")
    record("demo", "abri demo, cold (empty cache)", round(cold, 1), "s")
    record("demo", "abri demo, warm (cached graph)", round(warm, 1), "s")
    record("demo", "plan.html size", round(size, 2), "MB")


if __name__ == "__main__":
    main()
