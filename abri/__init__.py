"""abri: plan the relocation of people from a camp to reception centres.

Data flows one way: files -> GeoDataFrames -> road graph -> allocation ->
coach plan -> maps and documents. The names below are the analyst's API;
they are imported on first use, so ``import abri`` stays fast.

>>> import abri
>>> centres, report = abri.read_centres("examples/centres-sample.csv")  # doctest: +SKIP
>>> run = abri.run_plan("calais")  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("abri")
except PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
    __version__ = "0+unknown"

# public name -> module that defines it
_API = {
    "read_centres": "abri.geo.centres",
    "write_centres": "abri.geo.centres",
    "capacity_summary": "abri.geo.capacity",
    "read_people": "abri.inputs.people",
    "read_scenario": "abri.inputs.scenario",
    "Scenario": "abri.inputs.scenario",
    "Fleet": "abri.inputs.scenario",
    "Rules": "abri.inputs.scenario",
    "ScenarioParams": "abri.synthetic",
    "write_scenario": "abri.synthetic",
    "load_departements": "abri.geo.departements",
    "load_graph": "abri.routing.graph",
    "RoadGraph": "abri.routing.graph",
    "load_profile": "abri.routing.profile",
    "snap_points": "abri.routing.snap",
    "travel_matrix": "abri.routing.matrix",
    "route": "abri.routing.route",
    "allocate": "abri.planning.allocation",
    "Allocation": "abri.planning.allocation",
    "plan_coaches": "abri.planning.plan",
    "Plan": "abri.planning.plan",
    "prepare": "abri.pipeline",
    "plan_prepared": "abri.pipeline",
    "run_sweep": "abri.sweep",
    "read_grid": "abri.sweep",
    "run_plan": "abri.pipeline",
    "write_run": "abri.pipeline",
    "PlanRun": "abri.pipeline",
    "capacity_map": "abri.maps.capacity",
    "write_capacity_map": "abri.maps.capacity",
    "plan_map": "abri.maps.plan",
    "write_plan_map": "abri.maps.plan",
    # abri.readiness is also the module's name, so the function is published as scenario_readiness
    "scenario_readiness": "abri.readiness:readiness",
    "Readiness": "abri.readiness",
    "write_readiness": "abri.readiness",
}

__all__ = ["__version__", *_API]  # noqa: PLE0604 - _API holds the names (str) of the lazy API


def __getattr__(name: str) -> Any:
    if name in _API:
        module, _, attr = _API[name].partition(":")
        value = getattr(importlib.import_module(module), attr or name)
        globals()[name] = value
        return value
    msg = f"module 'abri' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # pragma: no cover
    from abri.geo.capacity import capacity_summary
    from abri.geo.centres import read_centres, write_centres
    from abri.geo.departements import load_departements
    from abri.inputs.people import read_people
    from abri.inputs.scenario import Fleet, Rules, Scenario, read_scenario
    from abri.maps.capacity import capacity_map, write_capacity_map
    from abri.maps.plan import plan_map, write_plan_map
    from abri.pipeline import PlanRun, plan_prepared, prepare, run_plan, write_run
    from abri.planning.allocation import Allocation, allocate
    from abri.planning.plan import Plan, plan_coaches
    from abri.readiness import Readiness, write_readiness
    from abri.readiness import readiness as scenario_readiness
    from abri.routing.graph import RoadGraph, load_graph
    from abri.routing.matrix import travel_matrix
    from abri.routing.profile import load_profile
    from abri.routing.route import route
    from abri.routing.snap import snap_points
    from abri.synthetic import ScenarioParams, write_scenario
