"""The rehearsal's chart (PNG) and page (offline HTML, the chart as inline SVG): how fragile a plan is.

Four panels, one per measure a planner weighs before the day (people moved, coaches added,
rides over a group's limit, seconds per re-plan): how many runs gave each value, with the
median and the 90th percentile marked. The page adds the summary table (median, 90th
percentile, worst, share of runs with a legal plan). Words in French or English
(:mod:`abri.i18n`). In the SVG each panel is a group ``panel-<measure>`` and its marks
``median-<measure>`` and ``p90-<measure>``.
"""

from __future__ import annotations

import html
import io

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from abri.i18n import DEFAULT_LANG, format_number, translate

#: The measures drawn, one panel each.
CHART_MEASURES = ("moved", "coaches_added", "rides_over_limit", "seconds")
_MAX_BARS = 40  # up to this many whole values, one bar each; above, 20 bins


def _bins(values: np.ndarray, measure: str) -> list[float] | int:
    """One bar per whole value for counts over a short range, else 20 bins."""
    if measure == "seconds" or not len(values):
        return 20
    low, high = int(values.min()), int(values.max())
    if high - low > _MAX_BARS:
        return 20
    return [v - 0.5 for v in range(low, high + 2)]


def _panel(ax: Axes, values: np.ndarray, measure: str, marks: pd.Series, lang: str) -> None:
    """One measure's histogram with its median and 90th percentile."""
    ax.set_gid(f"panel-{measure}")
    ax.hist(values, bins=_bins(values, measure), color="#4c78a8", edgecolor="white", label=None)
    colon = " : " if lang == "fr" else ": "
    for key, style, colour in (("median", "-", "#222222"), ("p90", "--", "#d62728")):
        value = float(marks[key])
        number = format_number(value, lang, digits=0 if value.is_integer() else 1)
        ax.axvline(
            value,
            linestyle=style,
            color=colour,
            gid=f"{key}-{measure}",
            label=f"{translate(f'rehearsal.{key}', lang)}{colon}{number}",
        )
    ax.set_title(translate(f"rehearsal.{measure}", lang), fontsize=10)
    ax.set_ylabel(translate("rehearsal.runs", lang))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if measure != "seconds":
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)


def rehearsal_figure(
    table: pd.DataFrame, summary: pd.DataFrame, *, title: str, lang: str = DEFAULT_LANG
) -> Figure:
    """The runs' distributions of :data:`CHART_MEASURES`, with the marks of `summary` (one row per measure)."""
    marks = summary.set_index("measure")
    fig = Figure(figsize=(12, 8), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    for ax, measure in zip(axes, CHART_MEASURES):
        _panel(ax, table[measure].astype(float).to_numpy(), measure, marks.loc[measure], lang)
    fig.suptitle(f"{title}\n{legal_line(summary, lang)}")
    return fig


def legal_line(summary: pd.DataFrame, lang: str = DEFAULT_LANG) -> str:
    """The line saying which share of the runs gave a legal plan (the summary's ``legal`` row)."""
    share = float(summary.set_index("measure").loc["legal", "share"])
    return translate("rehearsal.legal_share", lang, share=f"{format_number(100 * share, lang)} %")


def summary_shown(summary: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """The summary with its words in `lang` and numbers written the locale's way."""

    def number(value: float, measure: str) -> str:
        return format_number(value, lang, digits=2 if measure == "seconds" else 1)

    rows = []
    for row in summary.itertuples(index=False):
        measure = str(row.measure)
        cells = [number(float(v), measure) for v in (row.median, row.p90, row.worst)]
        share = "" if pd.isna(row.share) else f"{format_number(100 * float(row.share), lang)} %"
        rows.append([translate(f"rehearsal.{measure}", lang), *cells, share])
    keys = ("measure", "median", "p90", "worst", "share")
    return pd.DataFrame(rows, columns=[translate(f"rehearsal.{k}", lang) for k in keys])


def rehearsal_html(
    fig: Figure, summary: pd.DataFrame, *, title: str, lang: str = DEFAULT_LANG
) -> str:
    """A self-contained page: the chart as inline SVG and the summary table; no script, nothing fetched."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    shown = summary_shown(summary, lang).to_html(index=False, na_rep="", border=0, escape=True)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>\n"
        "<style>body{font-family:sans-serif;margin:1em}svg{max-width:100%;height:auto}"
        "table{border-collapse:collapse;font-size:13px}"
        "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}</style></head>\n"
        f"<body><h1>{html.escape(title)}</h1>\n<p>{html.escape(legal_line(summary, lang))}</p>\n"
        f"{shown}\n{svg}\n</body></html>\n"
    )
