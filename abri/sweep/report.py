"""The sweep table, its trade-off chart (PNG) and an offline HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from abri.files import write_figure, write_frame, write_text_atomic
from abri.sweep.grid import CORE, TAIL

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def sweep_table(rows: list[dict[str, Any]], params: list[str]) -> pd.DataFrame:
    """One tidy row per combination: key, parameters, figures (counts as integers), why the search stopped, seconds, error, worker."""
    seen = dict.fromkeys(k for row in rows for k in row)
    figures = [
        *CORE,
        *(k for k in seen if k not in CORE and k not in TAIL and k not in params and k != "key"),
    ]
    table = pd.DataFrame(rows).reindex(columns=["key", *params, *figures, *TAIL])
    for column in [*figures, "seconds"]:
        values = [
            row[column] for row in rows if row.get(column) is not None
        ]  # as recorded (the frame has made them floats)
        if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            table[column] = table[column].astype("Int64")
        elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            table[column] = table[column].astype("float64")
        else:
            table[column] = table[column].fillna("").astype(str)
    for column in TAIL[:1] + TAIL[2:]:
        table[column] = table[column].fillna("").astype(str)
    return table


def tradeoff_figure(
    table: pd.DataFrame, swept: list[str], *, title: str = "", max_lines: int = 10
) -> Figure:
    """Coach trips, people left behind and the longest ride against the first swept parameter, one line per other values."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    ok = table[table["error"] == ""].assign(left_behind=lambda t: t["unplaced"] + t["not_carried"])
    x = "coaches_per_day" if "coaches_per_day" in swept else (swept[0] if swept else "key")
    others = sorted((c for c in swept if c != x), key=lambda c: c != "days")
    fig = Figure(figsize=(12, 4), layout="constrained")
    axes = fig.subplots(1, 3)
    lines = list(ok.groupby(others, sort=True)) if others else [((), ok)]
    for label, part in lines[:max_lines]:
        values = label if isinstance(label, tuple) else (label,)
        name = ", ".join(f"{c} = {v}" for c, v in zip(others, values)) or "plan"
        part = part.sort_values(x)
        for ax, column in zip(axes, ("trips", "left_behind", "longest_ride_h")):
            ax.plot(
                part[x].astype(str) if part[x].dtype == object else part[x],
                part[column].astype(float),
                marker="o",
                label=name,
            )
    for ax, label, column in zip(
        axes,
        ("coach trips", "people left behind (unplaced + not carried)", "longest ride (h)"),
        ("trips", "left_behind", "longest_ride_h"),
    ):
        top = float(ok[column].max()) if len(ok) and ok[column].notna().any() else 0.0
        ax.set_ylim(0, top * 1.1 if top > 0 else 1)
        ax.set_xlabel(x)
        ax.set_title(label, fontsize=10)
        ax.grid(alpha=0.3)
    for ax in axes[:2]:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if others:
        axes[0].legend(
            fontsize=8,
            title=None if len(lines) <= max_lines else f"first {max_lines} of {len(lines)}",
        )
    failed = len(table) - len(ok)
    fig.suptitle(title + (f" ({failed} failed, see the table)" if failed else ""))
    return fig


def tradeoff_html(fig: Figure, table: pd.DataFrame, *, title: str) -> str:
    """A self-contained page: the chart as inline SVG and the table; no script, nothing fetched."""
    import html
    import io

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    shown = table.drop(columns=["key", "worker", *(c for c in table.columns if "_ride_h_" in c)])
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>\n'
        "<style>body{font-family:sans-serif;margin:1em}svg{max-width:100%;height:auto}"
        "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}</style></head>\n"
        f"<body><h1>{html.escape(title)}</h1>\n<p>One plan per combination. People left behind = unplaced (no place in a centre "
        "accepting them) + not carried (no coach). Rows with an error did not produce a plan.</p>\n"
        f"{svg}\n{shown.to_html(index=False, na_rep='', border=0, escape=True)}\n</body></html>\n"
    )


def write_outputs(
    table: pd.DataFrame, out: Path, *, swept: list[str], title: str
) -> dict[str, Path]:
    """Write the table (Parquet, CSV) and the trade-off chart (PNG, offline HTML)."""

    fig = tradeoff_figure(table, swept, title=title)
    return {
        "parquet": write_frame(out / "sweep.parquet", table),
        "csv": write_frame(out / "sweep.csv", table),
        "png": write_figure(out / "tradeoff.png", fig, dpi=100),
        "html": write_text_atomic(out / "tradeoff.html", tradeoff_html(fig, table, title=title)),
    }
