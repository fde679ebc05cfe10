"""What-if sweeps: one coach plan per combination of a parameter grid, on ``dask.distributed``.

A grid file (TOML) names parameters of the fleet (``fleet.json``), the
rules (``rules.json``), the scenario (``[scenario]``: departure days, share
of places available) and the solver (``[solver]``: seed, iterations), each
as a value, a list or an inclusive range ``{from = 30, to = 60, step = 10}``.
Keys are checked against the real dataclass fields when the grid is read,
so a field added to :class:`~abri.inputs.scenario.Rules` can be swept at once.

The shared work (scenario, checked centres, road graph, snapping, travel
times) is done once by :func:`~abri.pipeline.prepare` where the sweep
starts; its graph-free part (matrices, centres, scenario: what a plan
needs) is scattered once to every worker, and each task is one plan. Each
finished combination is written at once to ``results/KEY.json`` (KEY: a
hash of its parameters), so a sweep started again skips what is done.

Modules: :mod:`~abri.sweep.grid` (the grid file), :mod:`~abri.sweep.combination`
(one combination planned), :mod:`~abri.sweep.cache` (the folder as a cache),
:mod:`~abri.sweep.run` (serial or on Dask, through :mod:`abri.cluster`),
:mod:`~abri.sweep.report` (table, chart, HTML).
"""

from abri.errors import SweepError
from abri.sweep.cache import scenario_fingerprint
from abri.sweep.combination import (
    apply_combination,
    keep_places,
    plan_combination,
    plan_metrics,
    respread_days,
    shared_inputs,
)
from abri.sweep.grid import Combination, Grid, Variation, combination_key, read_grid
from abri.sweep.report import sweep_table, tradeoff_figure, tradeoff_html, write_outputs
from abri.sweep.run import SweepResult, run_sweep

__all__ = [
    "Combination",
    "Grid",
    "SweepError",
    "SweepResult",
    "Variation",
    "apply_combination",
    "combination_key",
    "keep_places",
    "plan_combination",
    "plan_metrics",
    "read_grid",
    "respread_days",
    "run_sweep",
    "scenario_fingerprint",
    "shared_inputs",
    "sweep_table",
    "tradeoff_figure",
    "tradeoff_html",
    "write_outputs",
]
