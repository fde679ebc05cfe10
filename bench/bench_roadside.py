"""Roadside places (service areas, junctions, fuel stations) read beside a road graph: what the extra pass costs.

When a graph is built from an OSM file, :func:`abri.routing.roadside.read_roadside`
reads the file again for the places a break is named by. Measured here against the
graph build itself (the baseline, same run), each in a fresh process (imports included,
no cache): the data pack's ``france-all-roads`` PBF, the Andorra extract (real OSM tags:
19 fuel stations), and the synthetic country of ``bench/make_country_pbf.py`` at 10 %
of France (under /tmp, made when missing; it has no roadside tags: the pass reads and
drops every node).

Usage::

    python bench/bench_roadside.py [--fraction 0.1]
"""

from __future__ import annotations

import argparse
import os
import subprocess
from pathlib import Path

from bench_graph import HERE, NEW, PYTHON, child
from records import record

READ = """
from abri.routing.roadside import read_roadside
t = read_roadside({path!r})
out = {{"places": len(t)}}
"""


def files(data_dir: Path, fraction: float) -> dict[str, Path]:
    """The road files measured, by name (the synthetic country made when missing)."""
    country = Path(f"/tmp/abri-country-{fraction:g}.osm.pbf")
    if not country.is_file():
        make = [PYTHON, str(HERE / "make_country_pbf.py"), "--fraction", str(fraction)]
        subprocess.run([*make, "-o", str(country)], check=True)
    return {
        "france-all-roads.osm.pbf": data_dir / "roads/france-all-roads.osm.pbf",
        "andorra-2013-05-28.osm.pbf": data_dir / "roads/osm-samples/andorra-2013-05-28.osm.pbf",
        f"synthetic country {fraction:.0%}": country,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fraction", type=float, default=0.1)
    args = parser.parse_args()
    data_dir = Path(os.environ.get("ABRI_DATA_DIR", "data"))
    print(
        f"{'road file':<30} {'MB':>6} {'places':>7} {'roadside s':>11} {'graph s':>8} {'share':>6}"
    )
    for name, path in files(data_dir, args.fraction).items():
        places = child(READ, path)
        graph = child(NEW, path)  # the baseline: the graph build the pass comes with
        share = places["seconds"] / graph["seconds"]
        size = path.stat().st_size / 2**20
        print(
            f"{name:<30} {size:6.1f} {places['places']:7,.0f} {places['seconds']:11.2f} "
            f"{graph['seconds']:8.2f} {share:6.0%}"
        )
        record(
            "roadside",
            f"{name}: roadside places read",
            round(places["seconds"], 2),
            "s",
            baseline=round(graph["seconds"], 2),
            baseline_name="graph build (build_osm), same file",
            note=f"{places['places']:,.0f} places, peak {places['peak_mb']:.0f} MB",
        )


if __name__ == "__main__":
    main()
