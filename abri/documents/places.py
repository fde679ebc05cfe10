"""Where things are on a road sheet: readable road names, GPS points and links, breaks and the town near them.

>>> readable_roads("D127 D247 A16 A26 A26 D212;D713 D1.1 N42")
(['A16', 'A26', 'N42'], ['D127', 'D247', 'D212/D713', 'D1'])
>>> geo_link(50.95126, 1.858712)
'geo:50.95126,1.85871'
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from abri.documents.tables import clock_seconds, clock_text
from abri.errors import MissingDataError
from abri.geo.gazetteer import load_communes
from abri.i18n import translate
from abri.routing.roadside import PLAN_FILE, empty, read_table

MAIN = re.compile(
    r"^(A|N|E|RN)\d"
)  # motorways, national and European roads (M: metropolitan, local)
TOWN_POPULATION = (
    2000  # a break is placed near the nearest town this big (else the nearest commune)
)
TOWN_RADIUS_KM = 15.0
KM_PER_DEGREE = 111.2
ROADSIDE_KM = (
    5.0  # a break is named by a roadside place this far at most from its point, along the route
)
ROUTE_KM = 0.5  # ... and this close to the route's line (a service area beside the motorway)
#: The order a break's place is chosen in: the nearest service or rest area, else junction, else fuel.
TIERS = {"services": 0, "rest_area": 0, "motorway_junction": 1, "fuel": 2}


def _ref(part: str) -> str:
    """One OSM ref as signs show it: ``'D1.1'`` -> ``'D1'``, spaces dropped."""
    part = part.strip().replace(" ", "")
    return re.sub(r"\.\d+$", "", part)


def readable_roads(text: str) -> tuple[list[str], list[str]]:
    """Raw OSM refs in road order -> (main roads in order, repeats collapsed; local roads, each once).

    A ref naming several roads (``'D212;D713'``) reads ``'D212/D713'``.
    """
    main: list[str] = []
    local: list[str] = []
    for token in str(text or "").split():
        refs = [r for r in (_ref(x) for x in token.split(";")) if r]
        if not refs:
            continue
        name = "/".join(dict.fromkeys(refs))
        if any(MAIN.match(r) for r in refs):
            if not main or main[-1] != name:
                main.append(name)
        elif name not in local:
            local.append(name)
    return main, local


def geo_link(lat: float, lon: float) -> str:
    """A ``geo:`` URI (RFC 5870) a phone opens in its maps app, to 5 decimals (about a metre)."""
    return f"geo:{lat:.5f},{lon:.5f}"


def gps_text(lat: float, lon: float) -> str:
    """A GPS point as crews type it: ``50.95126, 1.85871`` (decimal degrees, WGS84)."""
    return f"{lat:.5f}, {lon:.5f}"


@dataclass
class Towns:
    """The commune gazetteer as a nearest-town finder (empty when the data pack has no gazetteer)."""

    frame: pd.DataFrame
    tree: cKDTree | None

    @classmethod
    def load(cls, data_dir: str | os.PathLike[str] | None) -> Towns:
        """Read the gazetteer from the data directory; no towns when it is missing."""
        try:
            communes = load_communes(data_dir).dropna(subset=["lon", "lat"])
        except (MissingDataError, OSError):
            return cls(pd.DataFrame(), None)
        communes = communes.reset_index(drop=True)
        return cls(communes, cKDTree(_xy(communes["lon"], communes["lat"])))

    def near(self, lon: float, lat: float) -> str:
        """``'Beaune (21)'``: the largest town within reach of the point, else the nearest commune; ``''`` without a gazetteer."""
        if self.tree is None:
            return ""
        point = _xy(np.array([lon]), np.array([lat]))[0]
        close = self.tree.query_ball_point(point, TOWN_RADIUS_KM)
        frame = (
            self.frame.iloc[close] if close else self.frame.iloc[[int(self.tree.query(point)[1])]]
        )
        big = frame[frame["population"].fillna(0) >= TOWN_POPULATION]
        pick = (big if len(big) else frame).sort_values("population", ascending=False).iloc[0]
        return f"{pick['nom']} ({pick['departement']})"


def _xy(lon: Any, lat: Any) -> np.ndarray:
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return np.column_stack(
        [lon * KM_PER_DEGREE * math.cos(math.radians(46.5)), lat * KM_PER_DEGREE]
    )


def break_points(
    trip: dict[str, Any],
    line: BaseGeometry | None,
    rules: dict[str, Any],
    *,
    roadside: Roadside | None = None,
) -> list[dict[str, Any]]:
    """Where and when each driver break of `trip` falls: stop number it comes before, clock time, km from departure,
    point, and the roadside place there (``place``: :meth:`Roadside.at`, ``None`` without one).

    Breaks come after every ``break_after_hours`` of planned driving (road times with the plan's
    margin); the time is counted back from the stop's planned arrival, the km and the point are
    read along the trip's line in proportion to the leg's driving time.
    """
    after = float(rules.get("break_after_hours", 4.5))
    minutes = int(trip.get("break_minutes", rules.get("break_minutes", 45)))
    scale = 1 + float(rules.get("margin_pct", 0.0)) / 100
    total_km = float(trip.get("km", 0.0)) or 1.0
    out: list[dict[str, Any]] = []
    driven = km = 0.0  # planned hours and km at the start of the leg
    count = 0
    for n, stop in enumerate(trip["stops"], start=1):
        leg_h, leg_km = float(stop.get("leg_h", 0.0)) * scale, float(stop.get("leg_km", 0.0))
        breaks = int(stop.get("breaks_before", 0))
        for k in range(breaks):
            at_h = after * (count + k + 1)
            share = min(max((at_h - driven) / leg_h, 0.0), 1.0) if leg_h > 0 else 0.0
            back_h = leg_h * (1 - share) + (breaks - k - 1) * minutes / 60
            arrival = clock_seconds(stop["arrival"]) - back_h * 3600 - minutes * 60
            where_km = km + share * leg_km
            point = (
                line.interpolate(min(where_km / total_km, 1.0), normalized=True)
                if line is not None
                else None
            )
            out.append(
                {
                    "stop": n,
                    "time": clock_text(round(arrival / 300) * 300),
                    "minutes": minutes,
                    "km": round(where_km),
                    "lon": point.x if point is not None else None,
                    "lat": point.y if point is not None else None,
                    "place": (
                        roadside.at(line, point.x, point.y)
                        if roadside is not None and point is not None
                        else None
                    ),
                }
            )
        count += breaks
        driven += leg_h
        km += leg_km
    return out


@dataclass
class Roadside:
    """The service areas, rest areas, motorway junctions and fuel stations along a plan's trips (may be empty)."""

    frame: pd.DataFrame

    @classmethod
    def load(cls, plan_dir: str | os.PathLike[str]) -> Roadside:
        """Read the plan folder's ``roadside.csv``; no place when the plan has none (roads without such tags)."""
        path = Path(plan_dir) / PLAN_FILE
        return cls(read_table(path) if path.is_file() else empty())

    def at(self, line: BaseGeometry | None, lon: float, lat: float) -> dict[str, Any] | None:
        """The place for a break at (`lon`, `lat`) on `line`, ``None`` when there is none.

        Within :data:`ROADSIDE_KM` along the route and :data:`ROUTE_KM` of it: the nearest service
        or rest area, else the nearest motorway junction, else the nearest fuel station (:data:`TIERS`).
        """
        if line is None or not len(self.frame):
            return None
        reach = (ROADSIDE_KM + ROUTE_KM) / KM_PER_DEGREE / max(math.cos(math.radians(lat)), 0.1)
        near = self.frame[
            ((self.frame["lon"] - lon).abs() < reach) & ((self.frame["lat"] - lat).abs() < reach)
        ]
        if not len(near):
            return None
        scale = KM_PER_DEGREE * math.cos(math.radians(lat))
        route = LineString(shapely.get_coordinates(line) * [scale, KM_PER_DEGREE])
        at = route.project(Point(lon * scale, lat * KM_PER_DEGREE))
        best: tuple[int, float] | None = None
        pick = None
        for row in near.itertuples(index=False):
            point = Point(row.lon * scale, row.lat * KM_PER_DEGREE)
            along = abs(route.project(point) - at)
            if route.distance(point) > ROUTE_KM or along > ROADSIDE_KM:
                continue
            rank = (TIERS.get(str(row.kind), len(TIERS)), along)
            if best is None or rank < best:
                best, pick = rank, row._asdict()
        return pick


def roadside_name(place: dict[str, Any], lang: str) -> str:
    """``'aire de services « Baie de Somme »'``, ``'sortie 12 — Arras'``... in `lang`."""
    kind, name, ref = str(place["kind"]), str(place.get("name") or ""), str(place.get("ref") or "")
    word = translate(f"roadside_{kind}", lang)
    if kind == "motorway_junction":
        return " — ".join(p for p in (f"{word} {ref}".strip(), name) if p)
    return f"{word} {translate('quoted', lang, text=name)}" if name else word
