"""One combination of the grid applied to the shared inputs, planned, and measured."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from abri.cluster import worker_name
from abri.constants import GROUPS
from abri.inputs.scenario import (
    check_fleet,
    check_rules,
)
from abri.pipeline import Prepared, plan_prepared
from abri.planning.summary import plan_summary
from abri.sweep.grid import Combination, Variation

if TYPE_CHECKING:
    from abri.planning.plan import Plan


def respread_days(people: pd.DataFrame, days: int) -> pd.DataFrame:
    """Adults re-spread, in queue order (day, then file order), over `days` consecutive days; households kept whole.

    Minors keep their own day (they left apart in 2016). Each day gets about
    the same number of people; day labels follow the first adult day.
    """
    adult = people["group"] != "minors"
    if days < 1 or not adult.any():
        return people
    queue = (
        people[adult]
        .assign(_pos=np.arange(adult.sum()))
        .sort_values(["day", "_pos"], kind="stable")
    )
    households = queue.groupby("household", sort=False).size()
    starts = households.cumsum() - households
    index = np.minimum(days - 1, (starts.to_numpy() * days) // max(len(queue), 1))
    first = pd.Timestamp(queue["day"].iloc[0])
    labels = [(first + pd.Timedelta(days=int(i))).strftime("%Y-%m-%d") for i in range(days)]
    day_of = dict(zip(households.index, (labels[i] for i in index)))
    out = people.copy()
    out.loc[adult, "day"] = out.loc[adult, "household"].map(day_of)
    return out


def keep_places(centres: pd.DataFrame, share: float, *, seed: int = 0) -> pd.DataFrame:
    """Centres with `share` of their places kept, the others removed one by one at random (seeded, exact total)."""
    if share >= 1:
        return centres
    capacity = centres["capacity"].to_numpy(int)
    kept = np.random.default_rng(seed).multivariate_hypergeometric(
        capacity, round(share * capacity.sum())
    )
    out = centres.copy()
    out["capacity"] = kept
    return out


def _override(value: Any, changes: dict[str, Any]) -> Any:
    """`value` (a dataclass) with `changes`; ``name.entry`` keys change one entry of a mapping field."""
    plain = {k: v for k, v in changes.items() if "." not in k}
    for key, entry_value in changes.items():
        if "." in key:
            base, entry = key.split(".", 1)
            plain[base] = {**plain.get(base, getattr(value, base)), entry: entry_value}
    return replace(value, **plain)


def apply_combination(shared: Prepared, combo: Combination, *, where: str = "grid") -> Prepared:
    """The prepared inputs with a combination's fleet, rules, days and places, checked as the scenario reader checks them."""
    scenario = shared.scenario
    fleet, rules = (
        _override(scenario.fleet, combo.get("fleet", {})),
        _override(scenario.rules, combo.get("rules", {})),
    )
    if "accessible_coaches_per_day" not in combo.get(
        "fleet", {}
    ):  # fewer coaches, as many lifts at most
        fleet = replace(
            fleet,
            accessible_coaches_per_day=min(fleet.accessible_coaches_per_day, fleet.coaches_per_day),
        )
    check_fleet(fleet, f"{where} [fleet]")
    check_rules(rules, f"{where} [rules]")
    variation = Variation(**combo.get("scenario", {}))
    scenario = replace(
        scenario, fleet=fleet, rules=rules, people=respread_days(scenario.people, variation.days)
    )
    return replace(
        shared,
        scenario=scenario,
        centres=keep_places(shared.centres, variation.places_share, seed=variation.places_seed),
    )


def plan_metrics(plan: Plan) -> dict[str, Any]:
    """The figures of one plan: :func:`~abri.planning.summary.plan_summary`, rides by group, why each day's search stopped."""

    row: dict[str, Any] = {k: v for k, v in plan_summary(plan).items() if k != "method"}
    group_of = dict(
        zip(plan.allocation.assignments["person_id"], plan.allocation.assignments["group"])
    )
    for group in GROUPS:
        rides = np.array(
            [
                (s.arrival_s - t.departure_s) / 3600
                for t in plan.trips
                for s in t.stops
                for p in s.people
                if group_of.get(p) == group
            ]
        )
        figures = (
            (rides.mean(), np.percentile(rides, 95), rides.max())
            if len(rides)
            else (None, None, None)
        )
        for name, value in zip(("mean", "p95", "longest"), figures):
            row[f"{name}_ride_h_{group}"] = None if value is None else round(float(value), 2)
    # "time limit" on a day: that plan depends on the machine's speed (iterations and the lower bound do not)
    row["stopped"] = ";".join(str(d.get("stopped", "")) for d in getattr(plan, "days", []))
    return row


def plan_combination(
    shared: Prepared, combo: Combination, *, where: str = "grid"
) -> dict[str, Any]:
    """One task: the plan of one combination and its figures; a failure is returned as the row's ``error``."""
    start = time.perf_counter()
    row: dict[str, Any] = {}
    try:
        prepared = apply_combination(shared, combo, where=where)
        run = plan_prepared(
            prepared, baseline=False, jobs=1, **combo.get("solver", {})
        )  # one process a plan: the cluster spreads plans
        row |= plan_metrics(run.plan)
        row["error"] = ""
    except Exception as exc:
        row["error"] = f"{type(exc).__name__}: {exc}"
    row["seconds"] = round(time.perf_counter() - start, 2)
    row["worker"] = worker_name()
    return row


def shared_inputs(prepared: Prepared) -> Prepared:
    """What every plan needs, without the road graph (plans need only the matrices): shipped once to each worker."""
    return replace(prepared, graph=None)  # type: ignore[arg-type]
