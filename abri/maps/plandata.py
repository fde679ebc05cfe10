"""A plan as the maps read it: plan.json (through :func:`abri.outputs.planformat.read_plan_json`), centres, trip lines, origin."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, Union

import geopandas as gpd
import pandas as pd

from abri.errors import DataFileError
from abri.outputs.planformat import read_plan_json


class HasPlanData(Protocol):
    """Anything that gives the maps' data in memory, e.g. a :class:`~abri.pipeline.PlanRun`."""

    def plan_data(self) -> PlanData: ...


PlanSource = Union[HasPlanData, "PlanData", str, os.PathLike]


def _read(plan_dir: Path, name: str) -> Path:
    path = plan_dir / name
    if not path.is_file():
        msg = f"{plan_dir}: no {name}; expected a folder written by `abri plan` (plan.json, centres.geojson, trips.geojson)"
        raise DataFileError(msg)
    return path


def read_geojson(path: Path) -> gpd.GeoDataFrame:
    """A GeoJSON file with its property values exactly as written (no date parsing)."""
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        return gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        msg = f"{path}: not a GeoJSON FeatureCollection ({exc})"
        raise DataFileError(msg) from exc


@dataclass
class PlanData:
    """What the maps need from a plan, read from a plan folder or taken from a :class:`~abri.pipeline.PlanRun`."""

    document: dict[str, Any]  # plan.json
    centres: gpd.GeoDataFrame  # with ``allocated``
    lines: gpd.GeoDataFrame | None  # one road line per trip (trips.geojson)
    origin: tuple[float, float, str]
    name: str = ""
    folder: Path | None = None  # the plan folder read, for what changed since the parent

    @property
    def label(self) -> str:
        """ "SYNTHETIC ..." for a generated plan, empty for a real list."""
        return str(self.document.get("label", "") or "")

    @classmethod
    def from_folder(cls, plan_dir: str | os.PathLike[str]) -> PlanData:
        """Read plan.json, centres.geojson, trips.geojson (if any) and origin.json from a folder written by ``abri plan``."""
        folder = Path(plan_dir)
        document: dict[str, Any] = dict(read_plan_json(_read(folder, "plan.json")))
        origin_path = _read(folder, "origin.json")
        try:
            origin = json.loads(origin_path.read_text(encoding="utf-8"))
            point = (float(origin["lon"]), float(origin["lat"]), str(origin.get("name", "origin")))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            msg = f"{origin_path}: not what `abri plan` writes (lon, lat, name: {exc})"
            raise DataFileError(msg) from exc
        lines = (
            read_geojson(folder / "trips.geojson") if (folder / "trips.geojson").is_file() else None
        )
        # plan.json may name its scenario; else the folder (its parent when the folder is just "plan")
        name = str(
            document.get("scenario")
            or document.get("name")
            or (folder.resolve().parent.name if folder.name == "plan" else folder.name)
        )
        centres = read_geojson(_read(folder, "centres.geojson"))
        return cls(document, centres, lines, point, name, folder)

    def allocated(self) -> pd.Series:
        """People allocated to each centre id."""
        return self.centres.set_index(self.centres["id"].astype(str))["allocated"].astype(int)

    def days(self) -> list[str]:
        """Days with trips, in order."""
        return sorted({str(t["day"]) for t in self.document.get("trips", [])})

    def arrivals(self) -> dict[str, list[dict[str, Any]]]:
        """For each centre id, its arrivals in time order: day, coach, arrival time, people, groups."""
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for trip in self.document.get("trips", []):
            for stop in trip["stops"]:
                people = len(stop.get("people", [])) or sum(stop.get("groups", {}).values())
                out[str(stop["centre_id"])].append(
                    {
                        "day": str(trip["day"]),
                        "coach": str(trip["coach"]),
                        "arrival": str(stop["arrival"]),
                        "people": people,
                        "groups": stop.get("groups", {}),
                    }
                )
        return {k: sorted(v, key=lambda a: (a["day"], a["arrival"])) for k, v in out.items()}

    def dates(self) -> str:
        """'2016-10-24 to 2016-10-26', the days of the plan."""
        days = self.days()
        return "" if not days else days[0] if len(days) == 1 else f"{days[0]} to {days[-1]}"


def plan_data(source: PlanSource) -> PlanData:
    """A :class:`PlanData` from a run, a plan folder, or itself."""
    if isinstance(source, PlanData):
        return source
    if isinstance(source, (str, os.PathLike)):
        return PlanData.from_folder(source)
    return source.plan_data()


def allocated_per_centre(plan_dir: str | os.PathLike[str]) -> pd.Series:
    """People allocated to each centre id, from a plan folder."""
    return PlanData.from_folder(plan_dir).allocated()
