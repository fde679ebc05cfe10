"""The coach profile: speeds per road class, legal limits, the vehicle's size and the roads it may use.

Travel time is computed per OSM way, before ways are merged into graph
edges (see :meth:`CoachProfile.way_speed`): the way's class speed, lowered
to its own signposted ``maxspeed`` and capped by the coach's legal limit.
A way the coach may not use (too low, too light, too short, closed to
buses) is reported by :meth:`CoachProfile.restriction`.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from abri.errors import DataFileError

DEFAULT_PROFILE = Path(__file__).with_name("coach_profile.toml")
#: Access tags from the most general to the most specific (OSM's transport-mode hierarchy for a coach).
ACCESS_KEYS = ("access", "vehicle", "motor_vehicle", "psv", "bus", "coach")
#: Access values that close a road to a coach.
NO_ACCESS = frozenset(
    {
        "no",
        "private",
        "agricultural",
        "forestry",
        "delivery",
        "emergency",
        "military",
        "discouraged",
    }
)
#: Maximum-dimension tags and the vehicle attribute they are compared with.
DIMENSION_TAGS = {
    "maxheight": "height_m",
    "maxweight": "weight_t",
    "maxlength": "length_m",
    "maxwidth": "width_m",
}
#: Implicit maxspeed values (``maxspeed=FR:urban``) in km/h.
IMPLICIT_MAXSPEED = {
    "urban": 50.0,
    "rural": 80.0,
    "zone30": 30.0,
    "zone20": 20.0,
    "living_street": 20.0,
    "walk": 6.0,
    "motorway": 130.0,
    "trunk": 110.0,
}
_TOP_KEYS = {"name", "speeds_kmh", "limits_kmh", "access", "vehicle"}
_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([a-z'\"]*)\s*$")


def parse_number(value: object, *, kind: str = "") -> float | None:
    """A number from an OSM tag value (``'3.5'``, ``'3,5 m'``, ``'12 t'``, ``"11'6\\""``, ``'50 mph'``); None if absent or not numeric.

    Speeds in mph and lengths in feet/inches are converted to km/h and metres.
    """
    if value is None:
        return None
    text = str(value).split(";")[0].strip().lower()
    feet = re.match(r"^(\d+)'\s*(?:(\d+)\")?$", text)
    if feet:
        return int(feet[1]) * 0.3048 + int(feet[2] or 0) * 0.0254
    match = _NUMBER.match(text)
    if not match:
        return None
    number, unit = float(match[1].replace(",", ".")), match[2]
    if unit == "mph":
        return number * 1.609344
    if unit in ("lbs",):
        return number * 0.00045359237
    if unit in ("st",):  # short tons
        return number * 0.90718474
    if unit in ("ft",):
        return number * 0.3048
    return number


@dataclass(frozen=True)
class CoachProfile:
    """Average coach speeds per road class, the legal limits, and the vehicle's dimensions."""

    speeds_kmh: dict[str, float]
    limits_kmh: dict[str, float] = field(
        default_factory=lambda: {"motorway": 100.0, "default": 90.0}
    )
    detour_factor: float = 1.3
    access_speed_kmh: float = 40.0
    access_warn_km: float = 20.0
    access_max_km: float = 60.0
    vehicle: dict[str, float] = field(
        default_factory=lambda: {
            "height_m": 3.8,
            "weight_t": 19.0,
            "length_m": 13.5,
            "width_m": 2.55,
        }
    )
    name: str = "coach"

    def speed(self, highway: str | list[str] | None) -> float:
        """Speed (km/h) on a road of class `highway`; the slowest class when given several."""
        classes = highway if isinstance(highway, list) else [highway or "default"]
        return min(self.speeds_kmh.get(c, self.speeds_kmh["default"]) for c in classes)

    def limit(self, highway: str | None) -> float:
        """The coach's legal limit (km/h) on a road of class `highway`."""
        if highway and highway.startswith("motorway") and "motorway" in self.limits_kmh:
            return self.limits_kmh["motorway"]
        return self.limits_kmh.get(highway or "default", self.limits_kmh.get("default", 90.0))

    def way_speed(self, highway: str | list[str] | None, maxspeed: object = None) -> float:
        """Speed (km/h) on one OSM way: its class speed, lowered to its ``maxspeed``, capped by the coach limit."""
        cls = highway[0] if isinstance(highway, list) else highway
        speed = min(self.speed(cls), self.limit(cls))
        raw = maxspeed[0] if isinstance(maxspeed, list) else maxspeed
        signed = parse_number(raw)
        if signed is None and isinstance(raw, str) and ":" in raw:  # FR:urban, FR:zone30...
            signed = IMPLICIT_MAXSPEED.get(raw.split(":", 1)[1].strip().lower())
        if signed is not None and signed > 0:
            speed = min(speed, signed)
        return speed

    def way_seconds(
        self, length_m: float, highway: str | list[str] | None, maxspeed: object = None
    ) -> float:
        """Coach travel time (s) along one way of `length_m` metres."""
        return length_m / (self.way_speed(highway, maxspeed) / 3.6)

    def restriction(self, tags: Mapping[str, Any]) -> str:
        """Why the coach may not use a way with these OSM tags (``'maxheight=3'``), or ``''`` if it may."""
        verdict = ""
        for key in ACCESS_KEYS:  # the most specific tag present decides
            value = tags.get(key)
            if value is None:
                continue
            value = (
                str(value[0] if isinstance(value, list) else value).split(";")[0].strip().lower()
            )
            verdict = f"{key}={value}" if value in NO_ACCESS else ""
        if verdict:
            return verdict
        for tag, attribute in DIMENSION_TAGS.items():
            raw = tags.get(tag)
            limit = parse_number(raw[0] if isinstance(raw, list) else raw)
            if (
                limit is not None
                and attribute in self.vehicle
                and 0 < limit < self.vehicle[attribute]
            ):
                return f"{tag}={raw}"
        return ""

    def digest(self) -> str:
        """A short hash of the profile, for cache keys."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:12]


def _number(raw: dict[str, Any], key: str, default: float, source: str, section: str) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        msg = f"{source}: {section}.{key} = {value!r}; expected a number"
        raise DataFileError(msg)
    return float(value)


def _table(raw: dict[str, Any], key: str, source: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        msg = f"{source}: [{key}] must be a table of name = number, got {value!r}"
        raise DataFileError(msg)
    return value


def _check_profile(profile: CoachProfile, source: str) -> CoachProfile:
    if "default" not in profile.speeds_kmh:
        msg = f"{source}: [speeds_kmh] needs a 'default' speed"
        raise DataFileError(msg)
    for road, limit in profile.limits_kmh.items():
        if not 0 < limit <= 200:
            msg = f"{source}: limits_kmh.{road} = {limit!r}; expected a limit above 0 and at most 200 km/h"
            raise DataFileError(msg)
    for road, speed in profile.speeds_kmh.items():
        limit = profile.limit(road)
        if not 0 < speed <= limit:
            msg = f"{source}: speeds_kmh.{road} = {speed!r}; expected a speed above 0 and at most the coach limit {limit:g} km/h"
            raise DataFileError(msg)
    if profile.detour_factor < 1 or profile.access_speed_kmh <= 0:
        msg = f"{source}: access.detour_factor must be >= 1 and access.speed_kmh > 0"
        raise DataFileError(msg)
    if not 0 < profile.access_warn_km <= profile.access_max_km:
        msg = f"{source}: access.warn_km ({profile.access_warn_km:g}) must be above 0 and at most access.max_km ({profile.access_max_km:g})"
        raise DataFileError(msg)
    for key, value in profile.vehicle.items():
        if key not in DIMENSION_TAGS.values():
            msg = f"{source}: vehicle.{key} is not a known dimension; expected one of {', '.join(DIMENSION_TAGS.values())}"
            raise DataFileError(msg)
        if not 0 < value < 100:
            msg = f"{source}: vehicle.{key} = {value!r}; expected a positive size (metres, tonnes)"
            raise DataFileError(msg)
    return profile


def load_profile(path: str | os.PathLike[str] | None = None) -> CoachProfile:
    """Read a profile from TOML (default: the packaged coach profile).

    Raises
    ------
    DataFileError
        The file cannot be read, has an unknown section, a value that is not a
        number, or a speed above the coach's legal limit; the message names
        the file, the key and the value.
    """
    path = Path(path) if path is not None else DEFAULT_PROFILE
    source = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        msg = f"{path}: cannot read the speed profile ({exc})"
        raise DataFileError(msg) from exc
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        msg = (
            f"{path}: unknown key(s) {', '.join(unknown)}; expected {', '.join(sorted(_TOP_KEYS))}"
        )
        raise DataFileError(msg)
    speeds, limits, access, vehicle = (
        _table(raw, k, source) for k in ("speeds_kmh", "limits_kmh", "access", "vehicle")
    )
    unknown = sorted(set(access) - {"detour_factor", "speed_kmh", "warn_km", "max_km"})
    if unknown:
        msg = f"{path}: unknown key(s) access.{', access.'.join(unknown)}; expected detour_factor, speed_kmh, warn_km, max_km"
        raise DataFileError(msg)
    defaults = CoachProfile(speeds_kmh={})
    try:
        profile = CoachProfile(
            speeds_kmh={k: _number(speeds, k, 0, source, "speeds_kmh") for k in speeds},
            limits_kmh={k: _number(limits, k, 0, source, "limits_kmh") for k in limits}
            or dict(defaults.limits_kmh),
            detour_factor=_number(
                access, "detour_factor", defaults.detour_factor, source, "access"
            ),
            access_speed_kmh=_number(
                access, "speed_kmh", defaults.access_speed_kmh, source, "access"
            ),
            access_warn_km=_number(access, "warn_km", defaults.access_warn_km, source, "access"),
            access_max_km=_number(access, "max_km", defaults.access_max_km, source, "access"),
            vehicle={
                **defaults.vehicle,
                **{k: _number(vehicle, k, 0, source, "vehicle") for k in vehicle},
            },
            name=str(raw.get("name", path.stem)),
        )
    except DataFileError as exc:
        msg = f"{exc}; speeds and access values must be numbers"
        raise DataFileError(msg) from exc
    return _check_profile(profile, source)
