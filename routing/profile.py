"""The coach speed profile: speeds per road class and edge travel times."""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from abri.errors import DataFileError

DEFAULT_PROFILE = Path(__file__).with_name("coach_profile.toml")


@dataclass(frozen=True)
class CoachProfile:
    """Average coach speeds per road class, with the legal limits they must respect."""

    speeds_kmh: dict[str, float]
    limits_kmh: dict[str, float] = field(default_factory=lambda: {"motorway": 100.0, "default": 90.0})
    detour_factor: float = 1.3
    access_speed_kmh: float = 40.0
    access_warn_km: float = 20.0
    access_max_km: float = 60.0
    name: str = "coach"

    def speed(self, highway: str | list[str] | None) -> float:
        """Speed (km/h) on a road of class `highway`; the slowest class when several are merged."""
        classes = highway if isinstance(highway, list) else [highway or "default"]
        return min(self.speeds_kmh.get(c, self.speeds_kmh["default"]) for c in classes)

    def digest(self) -> str:
        """A short hash of the profile, for cache keys."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:12]


def _check_profile(profile: CoachProfile, source: str) -> CoachProfile:
    if "default" not in profile.speeds_kmh:
        msg = f"{source}: [speeds_kmh] needs a 'default' speed"
        raise DataFileError(msg)
    for road, speed in profile.speeds_kmh.items():
        limit = profile.limits_kmh.get(road, profile.limits_kmh.get("default", 90.0))
        if road.startswith("motorway"):
            limit = profile.limits_kmh.get("motorway", limit)
        if not isinstance(speed, int | float) or not 0 < speed <= limit:
            msg = f"{source}: speeds_kmh.{road} = {speed!r}; expected a speed above 0 and at most the coach limit {limit:g} km/h"
            raise DataFileError(msg)
    if profile.detour_factor < 1 or profile.access_speed_kmh <= 0:
        msg = f"{source}: access.detour_factor must be >= 1 and access.speed_kmh > 0"
        raise DataFileError(msg)
    return profile


def load_profile(path: str | os.PathLike[str] | None = None) -> CoachProfile:
    """Read a profile from TOML (default: the packaged coach profile)."""
    path = Path(path) if path is not None else DEFAULT_PROFILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        msg = f"{path}: cannot read the speed profile ({exc})"
        raise DataFileError(msg) from exc
    access = raw.get("access", {})
    try:
        profile = CoachProfile(
            speeds_kmh={k: float(v) for k, v in raw.get("speeds_kmh", {}).items()},
            limits_kmh={k: float(v) for k, v in raw.get("limits_kmh", {"motorway": 100, "default": 90}).items()},
            detour_factor=float(access.get("detour_factor", 1.3)),
            access_speed_kmh=float(access.get("speed_kmh", 40)),
            access_warn_km=float(access.get("warn_km", 20)),
            access_max_km=float(access.get("max_km", 60)),
            name=str(raw.get("name", path.stem)),
        )
    except (TypeError, ValueError) as exc:
        msg = f"{path}: speeds and access values must be numbers ({exc})"
        raise DataFileError(msg) from exc
    return _check_profile(profile, str(path))
