"""What-if sweeps: one coach plan per combination of a parameter grid, on ``dask.distributed``.

A grid file (TOML) names parameters of the fleet (``fleet.json``), the
rules (``rules.json``), the scenario (``[scenario]``: departure days, share
of places available) and the solver (``[solver]``: seed, iterations), each
as a value, a list or an inclusive range ``{from = 30, to = 60, step = 10}``.
Keys are checked against the real dataclass fields when the grid is read,
so a field added to :class:`~abri.inputs.scenario.Rules` can be swept at once.

The shared work (scenario, checked centres, road graph, snapping, travel
times) is done once by :func:`~abri.pipeline.prepare` where the sweep
starts; its graph-free part (matrices, centres, scenario: what a plan
needs) is scattered once to every worker, and each task is one plan. Each
finished combination is written at once to ``results/KEY.json`` (KEY: a
hash of its parameters), so a sweep started again skips what is done.
"""

from __future__ import annotations

import hashlib
import inspect
import itertools
import json
import math
import os
import time
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from difflib import get_close_matches
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from abri import __version__
from abri.constants import GROUPS
from abri.defaults import DEFAULT_ROADS
from abri.errors import DataFileError, SweepError
from abri.files import write_figure, write_frame, write_json, write_text_atomic
from abri.inputs.scenario import (
    FLEET_RANGES,
    RULE_RANGES,
    Fleet,
    Rules,
    check_fleet,
    check_rules,
    read_label,
)
from abri.pipeline import Prepared, plan_prepared, prepare
from abri.planning.summary import plan_summary

if TYPE_CHECKING:
    from distributed import Client
    from matplotlib.figure import Figure

    from abri.planning.plan import Plan

Combination = dict[
    str, dict[str, Any]
]  # table ("fleet", "rules", "scenario", "solver") -> key -> value
RANGE_KEYS = {"from", "to", "step"}
MAX_VALUES = 10_000
CORE = (
    "people",
    "placed",
    "carried",
    "unplaced",
    "not_carried",
    "trips",
    "lower_bound",
    "seat_fill_pct",
    "legal_trips",
    "two_driver_trips",
    "coach_km",
    "longest_ride_h",
    "mean_ride_h",
)  # always in the table, first; then every other figure of plan_summary
TAIL = ("stopped", "seconds", "error", "worker")


@dataclass(frozen=True)
class Variation:
    """What-ifs on the scenario's people and places (the ``[scenario]`` table of a grid)."""

    days: int = 0  # 0: as in people.csv; N: adults re-spread in queue order over N consecutive days
    places_share: float = 1.0  # share of places kept; the others removed at random, place by place
    places_seed: int = 0  # seed of that random removal


NOT_SWEPT = {
    "jobs",
    "progress",
    "baseline",
}  # options of plan_prepared that are not about the plan itself


def solver_defaults() -> dict[str, int | float | None]:
    """The ``[solver]`` keys: the numeric keyword options of :func:`~abri.pipeline.plan_prepared`, with their defaults.

    An option whose default is None (e.g. a time limit) is a key too, typed by its annotation.
    """
    out: dict[str, int | float | None] = {}
    for p in inspect.signature(plan_prepared).parameters.values():
        numeric = isinstance(p.default, int | float) and not isinstance(p.default, bool)
        optional = p.default is None and any(t in str(p.annotation) for t in ("int", "float"))
        if p.kind is p.KEYWORD_ONLY and p.name not in NOT_SWEPT and (numeric or optional):
            out[p.name] = p.default
    return out


def _tables() -> dict[str, dict[str, Any]]:
    """Each grid table and its keys with their defaults (a key's type is its default's)."""
    tables: dict[str, dict[str, Any]] = {
        name: {f.name: getattr(cls(), f.name) for f in fields(cls)}
        for name, cls in (("fleet", Fleet), ("rules", Rules), ("scenario", Variation))
    }
    tables["solver"] = {
        k: 0.0 if v is None else v for k, v in solver_defaults().items()
    }  # None: a float when given
    return tables


def _ranges() -> dict[str, dict[str, tuple[float, float]]]:
    """(low, high) of the numeric keys of each table: the scenario reader's for fleet and rules."""
    return {
        "fleet": FLEET_RANGES,
        "rules": RULE_RANGES,
        "scenario": {"days": (0, 366), "places_share": (0, 1)},
        "solver": {"iterations": (1, 10**8)},
    }


@dataclass
class Grid:
    """The combinations of a grid file, in order, and the column each parameter gets in the table."""

    source: str
    axes: dict[tuple[str, str], list[Any]]  # (table, key) -> values
    columns: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def swept(self) -> list[str]:
        """Columns of the parameters with more than one value."""
        return [self.columns[k] for k, values in self.axes.items() if len(values) > 1]

    def combinations(self) -> Iterator[Combination]:
        """Every combination, the last axis varying fastest."""
        keys = list(self.axes)
        for values in itertools.product(*self.axes.values()):
            combo: Combination = {}
            for (table, key), value in zip(keys, values):
                combo.setdefault(table, {})[key] = value
            yield combo

    def __len__(self) -> int:
        return math.prod(len(v) for v in self.axes.values())

    def params(self, combo: Combination) -> dict[str, Any]:
        """A combination as table columns."""
        return {column: combo[table][key] for (table, key), column in self.columns.items()}


def _hint(key: str, known: Iterable[str]) -> str:
    close = get_close_matches(key, list(known), 1)
    return f"{key!r} (did you mean {close[0]!r}?)" if close else repr(key)


def _value(
    source: str, where: str, value: Any, default: Any, limits: tuple[float, float] | None = None
) -> Any:
    """One grid value checked against the type of the field's default (an int is a float's too) and its range."""
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    else:
        ok = isinstance(value, str)
    if not ok:
        msg = (
            f"{source}: {where} has {value!r}; expected a {type(default).__name__} like {default!r}"
        )
        raise DataFileError(msg)
    if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
        msg = f"{source}: {where} has {value!r}; expected a number >= 0 like {default!r}"
        raise DataFileError(msg)
    if limits is not None and not limits[0] <= value <= limits[1]:
        msg = f"{source}: {where} has {value!r}; expected a number from {limits[0]:g} to {limits[1]:g}"
        raise DataFileError(msg)
    return float(value) if isinstance(default, float) else value


def _values(
    source: str, where: str, raw: Any, default: Any, limits: tuple[float, float] | None = None
) -> list[Any]:
    """A grid entry (value, list, or inclusive range table) as its list of checked values."""
    if isinstance(raw, dict):
        if set(raw) != RANGE_KEYS:
            msg = f"{source}: {where} is a table with keys {sorted(raw)}; a range needs exactly 'from', 'to' and 'step'"
            raise DataFileError(msg)
        start, stop, step = (
            _value(source, f"{where}.{k}", raw[k], default) for k in ("from", "to", "step")
        )
        if (
            not isinstance(default, int | float)
            or isinstance(default, bool)
            or step <= 0
            or stop < start
        ):
            msg = f"{source}: {where} is the range {raw}; expected numbers with from <= to and step > 0"
            raise DataFileError(msg)
        count = math.floor((stop - start) / step + 1e-9) + 1
        if count > MAX_VALUES:
            msg = f"{source}: {where} gives {count:,} values; at most {MAX_VALUES:,} per parameter"
            raise DataFileError(msg)
        return [
            _value(
                source,
                where,
                round(start + i * step, 10) if isinstance(default, float) else start + i * step,
                default,
                limits,
            )
            for i in range(count)
        ]
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        msg = f"{source}: {where} is an empty list; expected at least one value"
        raise DataFileError(msg)
    values = [_value(source, where, v, default, limits) for v in items]
    return list(dict.fromkeys(values))  # a repeated value would be the same plan twice


def _default(source: str, table: str, key: str, known: dict[str, Any]) -> Any:
    """The default of a grid key: a field, or one entry of a field that maps names to numbers (``max_ride_hours.vulnerable``)."""
    base, _, entry = key.partition(".")
    if base not in known:
        msg = f"{source}: unknown key {_hint(key, known)} in [{table}]; expected keys among {', '.join(sorted(known))}"
        raise DataFileError(msg)
    default = known[base]
    if isinstance(default, dict):
        if not entry or (base in ("max_ride_hours", "ride_weight") and entry not in GROUPS):
            msg = (
                f"{source}: [{table}] {key!r}: {base!r} maps groups to numbers; sweep one entry, e.g. "
                f'"{base}.{next(iter(default), "vulnerable")}" = [...], with a group among {", ".join(GROUPS)}'
            )
            raise DataFileError(msg)
        return float(default.get(entry, 1.0))
    if entry:
        msg = (
            f"{source}: [{table}] {key!r}: {base!r} is a single value, not a table; write {base!r}"
        )
        raise DataFileError(msg)
    if isinstance(default, list):
        msg = f"{source}: [{table}] {key!r} is a list in the scenario and cannot be swept" + (
            "; sweep the number of departure days with [scenario] days = [2, 3]"
            if key == "days"
            else ""
        )
        raise DataFileError(msg)
    return default


def read_grid(
    grid: str | os.PathLike[str] | Mapping[str, Any],
    *,
    solver: Mapping[str, int | float] | None = None,
) -> Grid:
    """Read a grid: a TOML file (or the same as a mapping) of tables ``fleet``, ``rules``, ``scenario``, ``solver``.

    Parameters
    ----------
    grid
        Path of the TOML file, or its content as a mapping.
    solver
        Solver values used when the grid does not name them (e.g. ``--seed`` and ``--iterations``).
    """
    if isinstance(grid, Mapping):
        source, raw = "grid", dict(grid)
    else:
        source = str(grid)
        try:
            raw = tomllib.loads(Path(grid).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise DataFileError(f"{source}: no such grid file") from exc
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise DataFileError(f"{source}: not valid TOML ({exc})") from exc
    tables = _tables()
    for name, value in raw.items():
        if name not in tables:
            msg = f"{source}: unknown table {_hint(name, tables)}; expected tables among {', '.join(tables)}"
            raise DataFileError(msg)
        if not isinstance(value, dict):
            msg = f"{source}: {name!r} is {value!r}; expected a table [{name}] of keys such as {', '.join(list(tables[name])[:3])}"
            raise DataFileError(msg)
    axes: dict[tuple[str, str], list[Any]] = {}
    ranges = _ranges()
    for table, known in tables.items():
        for key, entry in raw.get(table, {}).items():
            axes[(table, key)] = _values(
                source,
                f"[{table}] {key!r}",
                entry,
                _default(source, table, key, known),
                ranges[table].get(key),
            )
    for key, default in solver_defaults().items():
        value = (solver or {}).get(key, default)
        if (
            "solver",
            key,
        ) not in axes and value is not None:  # an option left at None is not a parameter
            axes[("solver", key)] = [
                _value(
                    source,
                    f"solver option {key!r}",
                    value,
                    tables["solver"][key],
                    ranges["solver"].get(key),
                )
            ]
    names = [key for _, key in axes]
    columns = {
        (table, key): key if names.count(key) == 1 else f"{table}.{key}" for table, key in axes
    }
    return Grid(source, axes, columns)


def combination_key(combo: Combination) -> str:
    """A short, stable hash of a combination's parameters (its file name in ``results/``)."""
    return hashlib.sha256(json.dumps(combo, sort_keys=True).encode()).hexdigest()[:16]


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
    row["worker"] = _worker_name()
    return row


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return "local"


def abri_version() -> str:
    """The abri version of this process (run on every worker to check they match)."""

    return __version__


def shared_inputs(prepared: Prepared) -> Prepared:
    """What every plan needs, without the road graph (plans need only the matrices): shipped once to each worker."""
    return replace(prepared, graph=None)  # type: ignore[arg-type]


def scenario_fingerprint(
    scenario_dir: str | os.PathLike[str], roads: str | os.PathLike[str], profile: Any
) -> str:
    """A hash of what every plan of a sweep depends on: the scenario's files, the roads and the coach profile."""
    digest = hashlib.sha256()
    folder = Path(scenario_dir)
    for name in ("centres.csv", "people.csv", "fleet.json", "rules.json", "scenario.json"):
        digest.update(
            name.encode() + (folder / name).read_bytes()
            if (folder / name).is_file()
            else name.encode()
        )
    digest.update(str(roads).encode())
    if isinstance(profile, str | os.PathLike) and Path(profile).is_file():
        digest.update(Path(profile).read_bytes())
    return digest.hexdigest()[:16]


def _check_folder(out: Path, manifest: dict[str, str]) -> None:
    """Refuse a sweep folder that holds results of another scenario, roads or profile."""

    path = out / "sweep.json"
    if path.is_file():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DataFileError(
                f"{path}: not valid JSON ({exc}); remove the folder {out} to start the sweep again"
            ) from exc
        if old.get("fingerprint") != manifest["fingerprint"]:
            msg = (
                f"{out}: holds a sweep of {old.get('scenario')!r} on roads {old.get('roads')!r}; this sweep ({manifest['scenario']!r} on "
                f"{manifest['roads']!r}) differs in its scenario files, roads or profile; choose another folder, or remove this one"
            )
            raise DataFileError(msg)
    write_json(path, manifest)


def _read_results(folder: Path) -> dict[str, dict[str, Any]]:
    """The rows already recorded in ``results/``, by key."""
    rows = {}
    for path in sorted(folder.glob("*.json")):
        try:
            rows[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        except (
            json.JSONDecodeError,
            UnicodeDecodeError,
        ):  # cannot happen with atomic writes; planned again if it does
            continue
    return rows


@contextmanager
def _client(
    workers: int | None, scheduler: str | None, client: Client | None
) -> Iterator[Client | None]:
    """A Dask client: the one given, a scheduler's (``--scheduler``, else ``DASK_SCHEDULER_ADDRESS``), else a LocalCluster's.

    ``workers=0`` with no scheduler: no cluster, plans made one after the other in this process.
    """
    if client is not None:
        yield client
        return
    import logging

    import dask
    from distributed import Client, LocalCluster

    address = (
        scheduler
        or os.environ.get("DASK_SCHEDULER_ADDRESS")
        or dask.config.get("scheduler-address", None)
    )
    if address and workers is not None:
        logging.getLogger(__name__).warning(
            "%s worker(s) asked for, but the sweep runs on the cluster of the scheduler %s",
            workers,
            address,
        )
    if address:
        try:
            remote = Client(address)
        except (OSError, TimeoutError) as exc:
            msg = f"cannot reach the Dask scheduler at {address} ({exc}); start one with `dask scheduler` and workers with `dask worker {address}`"
            raise SweepError(msg) from exc
        with remote:
            yield remote
        return
    if workers == 0:
        yield None
        return
    # Dask's own INFO lines only with `abri -v`; a random dashboard port, never a clash with another cluster.
    dask_log = logging.getLogger("distributed")
    level = dask_log.level
    dask_log.setLevel(
        max(logging.getLogger().getEffectiveLevel(), logging.WARNING)
        if level <= logging.INFO
        else level
    )
    try:
        with (
            LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                silence_logs=dask_log.level,
            ) as cluster,
            Client(cluster) as local,
        ):
            yield local
    finally:
        dask_log.setLevel(level)


def check_workers(client: Client, *, timeout: float = 60) -> list[str]:
    """The workers' addresses, once at least one runs this very abri version (else :class:`SweepError`)."""
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError as exc:
        address = client.scheduler.address if client.scheduler is not None else "?"
        msg = f"no worker joined the Dask scheduler {address} in {timeout:.0f} s; start some with `dask worker ADDRESS`"
        raise SweepError(msg) from exc
    try:
        versions = client.run(abri_version)
    except Exception as exc:
        raise SweepError(
            f"the Dask workers cannot run abri ({type(exc).__name__}: {exc}); install abri on every worker"
        ) from exc
    wrong = {w: v for w, v in versions.items() if v != abri_version()}
    if wrong:
        msg = f"Dask workers run another abri version than this machine ({abri_version()}): {wrong}; install the same version everywhere"
        raise SweepError(msg)
    return sorted(versions)


@dataclass
class SweepResult:
    """The table of a sweep and what this run did."""

    table: pd.DataFrame
    files: dict[str, Path]
    planned: int  # combinations planned by this run
    skipped: int  # combinations found done in the folder
    workers: list[str]  # Dask worker addresses ([] when planned in this process)
    shared_bytes: int = 0  # size of the inputs shipped once to each worker

    @property
    def failed(self) -> pd.DataFrame:
        """The combinations that failed, with their error."""
        return self.table[self.table["error"] != ""]


def run_sweep(
    scenario_dir: str | os.PathLike[str],
    grid: str | os.PathLike[str] | Mapping[str, Any],
    out_dir: str | os.PathLike[str],
    *,
    roads: str | os.PathLike[str] = DEFAULT_ROADS,
    data_dir: str | os.PathLike[str] | None = None,
    profile: str | os.PathLike[str] | None = None,
    solver: Mapping[str, int | float] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Client | None = None,
    retry_failed: bool = False,
    jobs: int | None = None,
    progress: bool = False,
) -> SweepResult:
    """Plan every combination of a grid on Dask; write the table, the trade-off chart and one file per combination.

    Parameters
    ----------
    scenario_dir, roads, data_dir, profile, jobs
        As for :func:`~abri.pipeline.prepare`, done once here.
    grid
        The grid file (TOML) or its content (see :func:`read_grid`).
    out_dir
        The sweep folder: ``sweep.parquet``, ``sweep.csv``, ``tradeoff.png``, ``tradeoff.html``, ``results/``.
    solver
        Solver options for combinations whose grid does not name them (``seed``, ``iterations``).
    workers, scheduler, client
        Where plans run: a `client`, else the `scheduler` address, else ``DASK_SCHEDULER_ADDRESS``,
        else a LocalCluster of `workers` processes (default: one per core; 0: in this process).
    retry_failed
        Plan again the combinations recorded with an error (those done are always skipped).

    Examples
    --------
    >>> result = run_sweep("calais", "grid.toml", "sweep", workers=2)  # doctest: +SKIP
    >>> result.table.pivot_table("trips", "coaches_per_day", "days")  # doctest: +SKIP
    """
    from tqdm import tqdm

    the_grid = read_grid(grid, solver=solver)
    out = Path(out_dir)
    manifest = {
        "scenario": str(Path(scenario_dir).resolve()),
        "roads": str(roads),
        "profile": str(profile or ""),
        "grid": the_grid.source,
        "fingerprint": scenario_fingerprint(scenario_dir, roads, profile),
    }
    _check_folder(out, manifest)
    keyed = [(combination_key(c), c) for c in the_grid.combinations()]
    done = _read_results(out / "results")
    todo = [(k, c) for k, c in keyed if k not in done or (retry_failed and done[k].get("error"))]
    names: list[str] = []
    shared_bytes = 0
    if todo:
        shared = shared_inputs(
            prepare(
                scenario_dir,
                roads=roads,
                data_dir=data_dir,
                profile=profile,
                jobs=jobs,
                progress=progress,
            )
        )
        bar = tqdm(total=len(todo), desc="sweep", unit="plan", disable=not progress)

        def record(key: str, combo: Combination, row: dict[str, Any]) -> None:
            write_json(
                out / "results" / f"{key}.json", {"key": key, **the_grid.params(combo), **row}
            )
            bar.update()

        with _client(workers, scheduler, client) as dask_client:
            if dask_client is None:
                for key, combo in todo:
                    record(key, combo, plan_combination(shared, combo, where=the_grid.source))
            else:
                names = check_workers(dask_client)
                shared_bytes = _payload_bytes(shared)
                _run_on(
                    dask_client,
                    shared,
                    todo,
                    record,
                    prefix=manifest["fingerprint"][:8],
                    where=the_grid.source,
                )
        bar.close()
    rows = _read_results(out / "results")
    table = sweep_table([rows[k] for k, _ in keyed if k in rows], list(the_grid.columns.values()))
    name = read_label(Path(scenario_dir))[0] or Path(scenario_dir).name
    files = write_outputs(
        table, out, swept=the_grid.swept, title=f"abri sweep: {name}, {len(table)} combinations"
    )
    return SweepResult(
        table,
        files,
        planned=len(todo),
        skipped=len(keyed) - len(todo),
        workers=names,
        shared_bytes=shared_bytes,
    )


def _payload_bytes(value: Any) -> int:
    """Bytes of `value` once serialised the way Dask ships it."""
    from distributed.protocol import serialize_bytelist

    return sum(memoryview(b).nbytes for b in serialize_bytelist(value))


def _run_on(
    client: Client,
    shared: Prepared,
    todo: list[tuple[str, Combination]],
    record: Any,
    *,
    prefix: str,
    where: str,
) -> None:
    """Ship the shared inputs once to every worker, then one task per combination; record each as it finishes."""
    from distributed import as_completed

    inputs = client.scatter(shared, broadcast=True, hash=False)
    futures = {
        client.submit(
            plan_combination,
            inputs,
            combo,
            where=where,
            key=f"abri-sweep-{prefix}-{key}",
            pure=False,
        ): (key, combo)
        for key, combo in todo
    }
    for future in as_completed(futures):
        key, combo = futures[future]
        try:
            row = future.result()
        except Exception as exc:
            row = {"error": f"{type(exc).__name__}: {exc}", "seconds": None, "worker": ""}
        record(key, combo, row)
        future.release()


def sweep_table(rows: list[dict[str, Any]], params: list[str]) -> pd.DataFrame:
    """One tidy row per combination: key, parameters, figures (counts as integers), why the search stopped, seconds, error, worker."""
    seen = dict.fromkeys(k for row in rows for k in row)
    figures = [
        *CORE,
        *(k for k in seen if k not in CORE and k not in TAIL and k not in params and k != "key"),
    ]
    table = pd.DataFrame(rows).reindex(columns=["key", *params, *figures, *TAIL])
    for column in [*figures, "seconds"]:
        values = [
            row[column] for row in rows if row.get(column) is not None
        ]  # as recorded (the frame has made them floats)
        if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            table[column] = table[column].astype("Int64")
        elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            table[column] = table[column].astype("float64")
        else:
            table[column] = table[column].fillna("").astype(str)
    for column in TAIL[:1] + TAIL[2:]:
        table[column] = table[column].fillna("").astype(str)
    return table


def tradeoff_figure(
    table: pd.DataFrame, swept: list[str], *, title: str = "", max_lines: int = 10
) -> Figure:
    """Coach trips, people left behind and the longest ride against the first swept parameter, one line per other values."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    ok = table[table["error"] == ""].assign(left_behind=lambda t: t["unplaced"] + t["not_carried"])
    x = "coaches_per_day" if "coaches_per_day" in swept else (swept[0] if swept else "key")
    others = sorted((c for c in swept if c != x), key=lambda c: c != "days")
    fig = Figure(figsize=(12, 4), layout="constrained")
    axes = fig.subplots(1, 3)
    lines = list(ok.groupby(others, sort=True)) if others else [((), ok)]
    for label, part in lines[:max_lines]:
        values = label if isinstance(label, tuple) else (label,)
        name = ", ".join(f"{c} = {v}" for c, v in zip(others, values)) or "plan"
        part = part.sort_values(x)
        for ax, column in zip(axes, ("trips", "left_behind", "longest_ride_h")):
            ax.plot(
                part[x].astype(str) if part[x].dtype == object else part[x],
                part[column].astype(float),
                marker="o",
                label=name,
            )
    for ax, label, column in zip(
        axes,
        ("coach trips", "people left behind (unplaced + not carried)", "longest ride (h)"),
        ("trips", "left_behind", "longest_ride_h"),
    ):
        top = float(ok[column].max()) if len(ok) and ok[column].notna().any() else 0.0
        ax.set_ylim(0, top * 1.1 if top > 0 else 1)
        ax.set_xlabel(x)
        ax.set_title(label, fontsize=10)
        ax.grid(alpha=0.3)
    for ax in axes[:2]:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if others:
        axes[0].legend(
            fontsize=8,
            title=None if len(lines) <= max_lines else f"first {max_lines} of {len(lines)}",
        )
    failed = len(table) - len(ok)
    fig.suptitle(title + (f" ({failed} failed, see the table)" if failed else ""))
    return fig


def tradeoff_html(fig: Figure, table: pd.DataFrame, *, title: str) -> str:
    """A self-contained page: the chart as inline SVG and the table; no script, nothing fetched."""
    import html
    import io

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    shown = table.drop(columns=["key", "worker", *(c for c in table.columns if "_ride_h_" in c)])
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>\n'
        "<style>body{font-family:sans-serif;margin:1em}svg{max-width:100%;height:auto}"
        "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}</style></head>\n"
        f"<body><h1>{html.escape(title)}</h1>\n<p>One plan per combination. People left behind = unplaced (no place in a centre "
        "accepting them) + not carried (no coach). Rows with an error did not produce a plan.</p>\n"
        f"{svg}\n{shown.to_html(index=False, na_rep='', border=0, escape=True)}\n</body></html>\n"
    )


def write_outputs(
    table: pd.DataFrame, out: Path, *, swept: list[str], title: str
) -> dict[str, Path]:
    """Write the table (Parquet, CSV) and the trade-off chart (PNG, offline HTML)."""

    fig = tradeoff_figure(table, swept, title=title)
    return {
        "parquet": write_frame(out / "sweep.parquet", table),
        "csv": write_frame(out / "sweep.csv", table),
        "png": write_figure(out / "tradeoff.png", fig, dpi=100),
        "html": write_text_atomic(out / "tradeoff.html", tradeoff_html(fig, table, title=title)),
    }
