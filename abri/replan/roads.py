"""Road closures of a re-plan: the closed edges of each ``road-closed`` event, and the matrices trips use.

:func:`road_closures` turns the events into :class:`RoadClosure` objects (the
graph edges each one shuts, both directions) and lists, row by row, a way id
the graph does not hold or a point far from every road. :class:`Roads` gives
the travel times a trip is timed with: the plan's own matrices, or, for a trip
whose day on the road (departure to the coach's return) overlaps closures,
matrices measured again with those closures' edges shut (once per set of
closures). A closure covers a whole trip that overlaps it: a coach does not
leave on a road that will be shut while it is out.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from abri.constants import ORIGIN
from abri.errors import GraphError
from abri.inputs.events import Event
from abri.inputs.report import Problem
from abri.planning.schedule import Trip
from abri.routing.closures import (
    SNAP_LIMIT_M,
    closed_matrices,
    edges_between,
    nearest_edge,
    way_edges,
)
from abri.routing.graph import RoadGraph

Matrices = tuple[pd.DataFrame, pd.DataFrame]


@dataclass
class RoadClosure:
    """One ``road-closed`` event: its row, what is closed, when, and the graph edges it shuts."""

    row: int
    label: str
    start: pd.Timestamp
    end: pd.Timestamp
    edges: np.ndarray

    @property
    def why(self) -> str:
        """The reason given to whom it moves."""
        return f"road closed: {self.label}, {self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M} (events row {self.row})"


def _label(e: Event) -> str:
    if e.way:
        return f"way {e.way}"
    return "the road between " + " and ".join(f"{lon:g} {lat:g}" for lon, lat in e.points)


def _closure(graph: RoadGraph, e: Event, file: str) -> RoadClosure | Problem:
    start = pd.Timestamp(e.start) if e.start else pd.Timestamp.min
    end = pd.Timestamp(e.end) if e.end else pd.Timestamp.max
    if e.way:
        try:
            edges = way_edges(graph, int(e.way))
        except GraphError as exc:
            return Problem(file, e.row, "way", e.way, str(exc), "error", "way-unreadable")
        if not len(edges):
            expected = f"an OSM way id of the road graph ({graph.source}); close it by two points"
            return Problem(file, e.row, "way", e.way, expected, "error", "way-not-in-graph")
        return RoadClosure(e.row, _label(e), start, end, edges)
    for column, point in zip(("point_a", "point_b"), e.points, strict=True):
        far = nearest_edge(graph, point)[1]
        if far > SNAP_LIMIT_M:
            expected = (
                f"a point within {SNAP_LIMIT_M / 1000:g} km of a road of the graph "
                f"({graph.source}); this one is {far / 1000:.1f} km from any"
            )
            value = f"{point[0]:g} {point[1]:g}"
            return Problem(file, e.row, column, value, expected, "error", "off-road")
    edges = edges_between(graph, e.points[0], e.points[1])[0]
    return RoadClosure(e.row, _label(e), start, end, edges)


def road_closures(
    events: list[Event], graph: RoadGraph, *, file: str = "events"
) -> tuple[list[RoadClosure], list[Problem]]:
    """The closures of the ``road-closed`` events, and the rows that name no road of `graph`."""
    closures: list[RoadClosure] = []
    problems: list[Problem] = []
    for e in events:
        if e.kind != "road-closed" or not (e.way or len(e.points) == 2):
            continue
        found = _closure(graph, e, file)
        if isinstance(found, Problem):
            problems.append(found)
        else:
            closures.append(found)
    return closures, problems


@dataclass
class Roads:
    """The plan's matrices and its closures: which matrices time a trip out on the road at given moments."""

    graph: RoadGraph
    snapped: pd.DataFrame
    times: pd.DataFrame
    km: pd.DataFrame
    closures: list[RoadClosure] = field(default_factory=list)
    _measured: dict[tuple[int, ...], Matrices] = field(default_factory=dict, repr=False)

    def active(self, start: pd.Timestamp, end: pd.Timestamp) -> list[RoadClosure]:
        """The closures in force at some moment from `start` to `end`."""
        return [c for c in self.closures if c.start < end and start < c.end]

    def matrices(self, closures: list[RoadClosure]) -> Matrices:
        """Times (s) and km (m) with `closures` shut (the plan's own when none), measured once."""
        if not closures:
            return self.times, self.km
        key = tuple(sorted(c.row for c in closures))
        if key not in self._measured:
            edges = np.unique(np.concatenate([c.edges for c in closures]))
            times, km = closed_matrices(self.graph, self.snapped, edges)
            self._measured[key] = (
                times.reindex(index=self.times.index, columns=self.times.columns),
                km.reindex(index=self.km.index, columns=self.km.columns),
            )
        return self._measured[key]


def trip_window(trip: Trip) -> tuple[pd.Timestamp, pd.Timestamp]:
    """From the trip's departure to the coach's return (a day when it is not scheduled yet)."""
    end_s = trip.stops[-1].arrival_s + trip.return_s if trip.stops else 0.0
    end_s = end_s if end_s > trip.departure_s else trip.departure_s + 86_400
    day = pd.Timestamp(trip.day)
    return day + pd.Timedelta(seconds=trip.departure_s), day + pd.Timedelta(seconds=end_s)


def slower(trip: Trip, times: pd.DataFrame, base: pd.DataFrame) -> bool:
    """Whether a leg of `trip` (or its way back) takes longer, or has no road, in `times` than in `base`."""
    stops = [ORIGIN, *(s.centre_id for s in trip.stops), ORIGIN]
    return any(
        not math.isclose(float(times.at[a, b]), float(base.at[a, b]), abs_tol=0.5)
        for a, b in itertools.pairwise(stops)
    )
