"""Constants every stage shares, each written once."""

from __future__ import annotations

WGS84 = "EPSG:4326"
"""Longitude/latitude in degrees: every file abri reads and writes."""
LAMBERT93 = "EPSG:2154"
"""The metric CRS of metropolitan France: distances, areas, static maps."""

ORIGIN = "ORIGIN"
"""The id of the camp (the coaches' origin) in matrices, plans and outputs."""
CALAIS: tuple[float, float] = (1.8587, 50.9513)
"""Calais, lon/lat: the origin of the reference case."""
CALAIS_NAME = "Calais"

GROUPS: tuple[str, ...] = ("men", "women", "families", "minors", "vulnerable")
"""The people a centre may accept, and the groups of a people file."""
ADULT_GROUPS: tuple[str, ...] = ("men", "women", "families", "vulnerable")
