"""Run-time defaults of the commands and the Python API, each written once.

Scenario defaults (fleet, rules) live with their types in :mod:`abri.inputs.scenario`;
the coach speed profile in ``routing/coach_profile.toml``.
"""

from __future__ import annotations

DEFAULT_ROADS = "france-all-roads"
"""The road set of the data pack used when none is named."""
DEFAULT_SEED = 1
"""The solver's seed: same inputs and seed, same plan."""
DEFAULT_ITERATIONS = 30_000
"""PyVRP iterations per day (the most; the search stops earlier at the lower bound or without improvement)."""
DEFAULT_TIME_LIMIT = 35.0
"""Seconds of PyVRP search per day (the most; days are searched in parallel, one per core; a day that stops on it depends on the machine's speed)."""
