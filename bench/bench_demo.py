"""Benchmark: ``abri demo`` from a cold cache (graph, hierarchy order) and warm (cached graph).

Target (issue 27): under 60 s cold on this 2-core machine, with at most the trips and at
least the seat fill of the demo before (140 trips, 91.4 %). Each run is a fresh process
(imports included) with its own cache folder. Run: ``python bench/bench_demo.py`` (uses
$ABRI_DATA_DIR).
"""

from __future__ import annotations

import json
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
        with open(os.path.join(tmp, "cold", "plan", "plan.json"), encoding="utf-8") as fh:
            summary = json.load(fh)["summary"]
    quality = f"{summary['trips']} trips, seat fill {summary['seat_fill_pct']} %, {summary['legal_trips']} legal"
    print("| run | seconds |")
    print("|---|---:|")
    print(f"| abri demo, cold (empty cache: graph and hierarchy order built) | {cold:.1f} |")
    print(f"| abri demo, warm (cached graph) | {warm:.1f} |")
    print(f"\nplan: {quality}; plan.html: {size:.2f} MB")
    record("demo", "abri demo, cold (empty cache)", round(cold, 1), "s", note=quality)
    record("demo", "abri demo, warm (cached graph)", round(warm, 1), "s", note=quality)
    record("demo", "plan.html size", round(size, 2), "MB")


if __name__ == "__main__":
    main()
