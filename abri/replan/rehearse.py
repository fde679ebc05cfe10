"""Rehearse a plan before the day: draw events, re-plan each run, and table what survived.

Each run draws, from its own seed, no-shows among the people on coaches that have not left
by ``now``, extra registrations, late coaches and breakdowns; re-plans (:func:`abri.replan.replan`)
and keeps the figures that say how fragile the plan is: people moved, coaches added and
cancelled, whether the new plan passes the check, rides over a group's limit, people not
carried, seconds per re-plan. Runs go to the Dask client of :mod:`abri.cluster` (the sweeps'),
or run in this process without one.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from abri.documents.rehearsal import rehearsal_figure, rehearsal_html
from abri.files import atomic_dir, write_csv, write_figure, write_text_atomic
from abri.i18n import DEFAULT_LANG
from abri.inputs.events import Event
from abri.outputs.planformat import TripRecord, read_plan_json
from abri.pipeline import Prepared
from abri.replan import replan
from abri.replan.apply import at
from abri.replan.state import clock_s
from abri.routing.graph import RoadGraph

COLUMNS = [
    "run",
    "events",
    "moved",
    "coaches_added",
    "coaches_cancelled",
    "legal",
    "illegal_trips",
    "rides_over_limit",
    "not_carried",
    "seconds",
    "first_error",
]
#: The measures summarised (every column but the run's number, its legality and first error).
MEASURES = [c for c in COLUMNS if c not in ("run", "legal", "first_error")]
SUMMARY_COLUMNS = ["measure", "median", "p90", "worst", "share"]


@dataclass(frozen=True)
class Draw:
    """What a run draws: shares of no-shows, extra registrations and late coaches; breakdowns."""

    no_show: float = 0.05
    extra: float = 0.10
    late: float = 0.10
    breakdowns: int = 2
    late_minutes: tuple[int, int] = (15, 90)


def draw_events(
    trips: list[TripRecord], groups: list[str], now: str, draw: Draw, seed: int
) -> list[Event]:
    """One run's events (all at `now`) on the coaches that have not left by `now`."""
    rng = np.random.default_rng(seed)
    ahead = [t for t in trips if at(t["day"], clock_s(t["departure"])) > pd.Timestamp(now)]
    people = [p for t in ahead for s in t["stops"] for p in s["people"]]
    out: list[Event] = []

    def add(kind: str, **fields: Any) -> None:
        out.append(Event(len(out) + 2, kind, now, **fields))

    for p in rng.choice(people, round(draw.no_show * len(people)), replace=False) if people else []:
        add("no-show", person=str(p))
    days = sorted({t["day"] for t in ahead})
    for n in range(round(draw.extra * len(people))):
        add(
            "registered",
            person=f"R{seed}-{n}",
            group=str(rng.choice(groups)),
            day=str(rng.choice(days)),
        )
    coaches = [t["coach"] for t in ahead]
    chosen = rng.permutation(coaches) if coaches else np.array([])
    broken = chosen[: draw.breakdowns]
    for coach in broken:
        add("broke-down", coach=str(coach), where="drawn by the rehearsal")
    low, high = draw.late_minutes
    for coach in chosen[len(broken) : len(broken) + round(draw.late * len(coaches))]:
        add("late", coach=str(coach), number=int(rng.integers(low, high + 1)))
    return out


def one_run(task: tuple[Prepared, str, list[Event], str, int, float]) -> dict[str, Any]:
    """Re-plan one run's events; its row of the table."""
    prepared, parent, events, now, run, time_limit = task
    start = time.perf_counter()
    result = replan(prepared, parent, events, now, time_limit=time_limit, seed=run)
    seconds = time.perf_counter() - start
    change = result.coaches["change"]
    return {
        "run": run,
        "events": len(events),
        "moved": len(result.changes),
        "coaches_added": int((change == "added").sum()),
        "coaches_cancelled": int((change == "cancelled").sum()),
        "legal": result.check.ok,
        "illegal_trips": len(result.check.illegal_trips),
        "rides_over_limit": len(result.run.plan.ride_exceptions),
        "not_carried": len(result.run.plan.not_carried),
        "seconds": round(seconds, 2),
        "first_error": result.check.errors[0] if result.check.errors else "",
    }


def rehearse(
    prepared: Prepared,
    parent: str | os.PathLike[str],
    now: str,
    *,
    draw: Draw = Draw(),
    runs: int = 100,
    seed: int = 1,
    client: Any = None,
    time_limit: float = 1.0,
) -> pd.DataFrame:
    """`runs` re-plans of the plan in `parent` under drawn events; one row per run.

    Examples
    --------
    >>> table = rehearse(prepared, "plan-v1", "2016-10-24 06:00", runs=10)  # doctest: +SKIP
    >>> table[["moved", "coaches_added", "legal"]].describe()  # doctest: +SKIP
    """
    trips = list(read_plan_json(parent)["trips"])
    groups = prepared.scenario.people["group"].astype(str).tolist()
    tasks = [
        (
            prepared,
            str(parent),
            draw_events(trips, groups, now, draw, seed + k),
            now,
            seed + k,
            time_limit,
        )
        for k in range(runs)
    ]
    if client is None:
        rows = [one_run(t) for t in tasks]
    else:
        # a re-plan reads the matrices, never the road graph (which does not pickle): workers get none
        light = replace(prepared, graph=cast(RoadGraph, None))
        shared = client.scatter(light, broadcast=True)
        futures = client.map(one_run, [(shared, *t[1:]) for t in tasks], pure=False)
        rows = client.gather(futures)
    return pd.DataFrame(rows, columns=COLUMNS)


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per measure the median, 90th percentile and worst (highest) over the runs; the share of runs legal.

    One row per measure (``measure, median, p90, worst``, to 2 decimals; ``share`` empty), then
    the row ``legal`` with only ``share``: the share of runs whose new plan passed the check.
    The 90th percentile is interpolated between the runs on either side (numpy's linear).
    """
    rows: list[dict[str, Any]] = []
    for measure in MEASURES:
        values = table[measure].astype(float).to_numpy()
        figures = (
            (np.median(values), np.percentile(values, 90), values.max())
            if len(values)
            else (np.nan,) * 3
        )
        rows.append(
            dict(zip(SUMMARY_COLUMNS, (measure, *(round(float(f), 2) for f in figures), np.nan)))
        )
    share = round(float(table["legal"].astype(bool).mean()), 3) if len(table) else np.nan
    rows.append(dict(zip(SUMMARY_COLUMNS, ("legal", np.nan, np.nan, np.nan, share))))
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def write_rehearsal(
    table: pd.DataFrame, out: str | os.PathLike[str], *, title: str, lang: str = DEFAULT_LANG
) -> dict[str, Path]:
    """Write the folder `out` whole: the runs and their summary (CSV, the user's dialect) and the chart (PNG, HTML)."""
    table_summary = summary(table)
    fig = rehearsal_figure(table, table_summary, title=title, lang=lang)
    page = rehearsal_html(fig, table_summary, title=title, lang=lang)
    names = {
        "runs": "runs.csv",
        "summary": "summary.csv",
        "chart": "rehearsal.png",
        "page": "rehearsal.html",
    }
    with atomic_dir(out) as tmp:
        write_csv(tmp / names["runs"], table)
        write_csv(tmp / names["summary"], table_summary)
        write_figure(tmp / names["chart"], fig, dpi=100)
        write_text_atomic(tmp / names["page"], page)
    return {key: Path(out) / name for key, name in names.items()}
