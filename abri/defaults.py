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
STOPS_PER_COACH = 3.5
"""Centres a day's people may be spread over, per coach of its seat bound (people / seats), before
the allocation gathers them into fewer (:mod:`abri.planning.stops`): below the rules' ``max_stops``,
so that the coach plan's stops do not bind before its seats."""
GATHER_EXTRA_HOURS = 1.5
"""The longest extra ride (road time from the origin, h) a person may be given to save a coach stop."""
ORDER_SPLIT_JUNCTIONS = 50_000
"""Road graphs above this many junctions get their hierarchy order's top level from a straight cut, each side ordered in its own process (france-all-roads: 3.6 s -> 1.6 s on 2 cores)."""
