"""Reading hostile and large input files: seconds and peak memory, abri against pandas in the same run.

    python3 bench/bench_inputs.py

Each measurement runs in a fresh process (peak RSS is that process's own),
under a 2 GB address-space limit and a 60 s timeout, so that a baseline that
would exhaust the machine is stopped and reported as such.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from records import record

LIMIT_BYTES = 2 * 1024**3
TIMEOUT_S = 60

RUNNER = """import json, resource, sys, time
import pandas, geopandas  # imported before the clock starts: the table is about reading
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
start = time.perf_counter()
outcome = "read"
try:
{code}
except MemoryError:
    outcome = "out of memory"
except ImportError:
    raise  # the benchmark is out of date with abri: no figure, not a refusal
except Exception as exc:
    outcome = "refused: " + str(exc).split(": ", 1)[-1][:70]
print(json.dumps({{"s": time.perf_counter() - start, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "outcome": outcome}}))
"""


def measure(code: str) -> dict[str, object]:
    """Run `code` (indented into a try block) in a fresh process: seconds, peak RSS (MB), outcome."""
    script = RUNNER.format(limit=LIMIT_BYTES, code=textwrap.indent(textwrap.dedent(code), " " * 4))
    try:
        done = subprocess.run(
            [sys.executable, "-c", script],
            check=False,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return {
            "s": float(TIMEOUT_S),
            "rss_mb": float("nan"),
            "outcome": f"still running after {TIMEOUT_S} s (stopped)",
        }
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        why = (
            done.stderr.strip().splitlines()[-1][:60]
            if done.stderr.strip()
            else f"exit {done.returncode}"
        )
        return {"s": float("nan"), "rss_mb": float("nan"), "outcome": f"killed ({why})"}
    return dict(json.loads(lines[-1]))


def _number(value: object) -> float | None:
    """A measured float, or None when the run gave none (NaN)."""
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def record_case(label: str, ours: dict[str, object], theirs: dict[str, object]) -> None:
    """Record abri's seconds and peak memory on one input, pandas's as the baseline."""
    note = f"abri: {ours['outcome']}"
    for key, unit, what in (("s", "s", "seconds"), ("rss_mb", "MB", "peak RSS")):
        value = _number(ours[key])
        if value is not None:
            record(
                "inputs",
                f"{label}: {what}",
                value,
                unit,
                baseline=_number(theirs[key]),
                baseline_name=f"pandas: {theirs['outcome']}",
                note=note,
            )


def files(folder: Path) -> dict[str, Path]:
    """The inputs: two hostile files and two large honest ones."""
    import openpyxl
    import pandas as pd

    paths = {
        "far": folder / "far.xlsx",
        "wide": folder / "wide.csv",
        "big_xlsx": folder / "big.xlsx",
        "people": folder / "people.csv",
    }
    workbook = openpyxl.Workbook()
    for row in (["id", "capacity", "insee"], ["A", 3, "62193"]):
        workbook.active.append(row)
    workbook.active["XFD1048576"] = "x"
    workbook.save(paths["far"])
    paths["wide"].write_text(
        ",".join(f"c{i}" for i in range(10_000)) + "\n" + ",".join("1" * 10_000) + "\n"
    )
    frame = pd.DataFrame({f"c{j}": [f"v{i}" for i in range(50_000)] for j in range(10)})
    frame.to_excel(paths["big_xlsx"], index=False)
    rows = [
        f"P{i},2016-10-{24 + i % 3},{('men', 'women', 'families', 'vulnerable')[i % 4]},{'H' + str(i // 3) if i % 4 == 2 else ''},32,84"
        for i in range(200_000)
    ]
    paths["people"].write_text(
        "person_id,day,group,household,pref1,pref2\n" + "\n".join(rows) + "\n"
    )
    return paths


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        paths = files(Path(tmp))
        cases = [
            (
                "xlsx, one cell at XFD1048576",
                paths["far"],
                f"from abri.inputs.tables import read_cells; read_cells({str(paths['far'])!r})",
                f"import pandas as pd; pd.read_excel({str(paths['far'])!r})",
            ),
            (
                "CSV, 10,000 columns",
                paths["wide"],
                f"from abri.inputs.tables import read_cells; read_cells({str(paths['wide'])!r})",
                f"import pandas as pd; pd.read_csv({str(paths['wide'])!r}, dtype=str)",
            ),
            (
                "xlsx, 50,000 rows x 10 columns",
                paths["big_xlsx"],
                f"from abri.inputs.tables import read_cells; read_cells({str(paths['big_xlsx'])!r})",
                f"import pandas as pd; pd.read_excel({str(paths['big_xlsx'])!r}, dtype=object)",
            ),
            (
                "people CSV, 200,000 rows (read and every check)",
                paths["people"],
                f"from abri.inputs.people import read_people; read_people({str(paths['people'])!r})",
                f"import pandas as pd; pd.read_csv({str(paths['people'])!r}, dtype=str)",
            ),
        ]
        print("| input | size | abri: s / peak MB / outcome | pandas: s / peak MB / outcome |")
        print("|---|---:|---|---|")
        for label, path, ours, theirs in cases:
            a, b = measure(ours), measure(theirs)
            record_case(label, a, b)
            size = path.stat().st_size
            shown = f"{size / 1e3:.1f} KB" if size < 1e6 else f"{size / 1e6:.1f} MB"
            print(
                f"| {label} | {shown} | {a['s']:.2f} / {a['rss_mb']:.0f} / {a['outcome']} | {b['s']:.2f} / {b['rss_mb']:.0f} / {b['outcome']} |"
            )
        base = measure("pass")
        print(
            f"\neach run in its own process, limited to {LIMIT_BYTES / 1024**3:.0f} GB of address space and {TIMEOUT_S} s; "
            f"peak RSS includes pandas and geopandas imported before the clock starts ({base['rss_mb']:.0f} MB doing nothing)"
        )


if __name__ == "__main__":
    main()
