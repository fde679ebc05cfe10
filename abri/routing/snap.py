"""Snap points (centres, the origin) to the road graph, with access legs.

A point is attached to the nearest junction of the national network (the
graph's largest component). The access leg, straight-line distance times a
detour factor at a local speed, is reported apart from the road part. A
point farther than the profile's ``access_max_km`` from any road is
unreachable (an island, a point at sea) and is reported, never routed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from abri.routing.graph import RoadGraph
from abri.routing.profile import CoachProfile, load_profile

log = logging.getLogger(__name__)
EARTH_RADIUS_M = 6_371_008.8


def unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Points on the unit sphere (for exact nearest-neighbour search by chord length)."""
    lam, phi = np.radians(np.asarray(lon, dtype=float)), np.radians(np.asarray(lat, dtype=float))
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def great_circle_m(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in metres."""
    chord = np.linalg.norm(unit_vectors(lon1, lat1) - unit_vectors(lon2, lat2), axis=-1)
    return 2 * EARTH_RADIUS_M * np.arcsin(np.clip(chord / 2, 0, 1))


@dataclass
class Snapper:
    """Nearest-junction lookup on the national network of one graph."""

    graph: RoadGraph
    profile: CoachProfile

    def __post_init__(self) -> None:
        self.candidates = np.flatnonzero(self.graph.components == self.graph.main_component)
        self.tree = cKDTree(
            unit_vectors(self.graph.lon[self.candidates], self.graph.lat[self.candidates])
        )

    def snap(
        self, lon: np.ndarray, lat: np.ndarray, *, ids: list[str] | None = None
    ) -> pd.DataFrame:
        """One row per point: ``node``, ``access_m`` (straight), ``access_road_m``, ``access_s``,
        ``reachable`` and ``note`` (why a point is unreachable or its access leg is long)."""
        lon, lat = (
            np.atleast_1d(np.asarray(lon, dtype=float)),
            np.atleast_1d(np.asarray(lat, dtype=float)),
        )
        _, nearest = self.tree.query(unit_vectors(lon, lat))
        nodes = self.candidates[nearest]
        straight = great_circle_m(lon, lat, self.graph.lon[nodes], self.graph.lat[nodes])
        road_m = straight * self.profile.detour_factor
        reachable = road_m <= self.profile.access_max_km * 1000
        note = np.where(
            ~reachable,
            [
                f"unreachable: nearest road {d / 1000:.0f} km away (limit {self.profile.access_max_km:g} km)"
                for d in road_m
            ],
            np.where(
                road_m > self.profile.access_warn_km * 1000,
                [f"long access leg: {d / 1000:.1f} km" for d in road_m],
                "",
            ),
        )
        frame = pd.DataFrame(
            {
                "node": nodes,
                "access_m": straight,
                "access_road_m": road_m,
                "access_s": road_m / (self.profile.access_speed_kmh / 3.6),
                "reachable": reachable,
                "note": note,
            },
            index=pd.Index(ids if ids is not None else range(len(lon)), name="id"),
        )
        for ident, text in frame.loc[frame["note"] != "", "note"].items():
            log.info("%s: %s", ident, text)  # the note column carries it; commands say it once
        return frame


def snap_points(
    graph: RoadGraph,
    lon: np.ndarray,
    lat: np.ndarray,
    *,
    ids: list[str] | None = None,
    profile: CoachProfile | None = None,
) -> pd.DataFrame:
    """Snap points to `graph` (see :class:`Snapper`)."""
    return Snapper(graph, profile or load_profile()).snap(lon, lat, ids=ids)
