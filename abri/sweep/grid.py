"""The sweep grid: a TOML file of parameters (values, lists, ranges) checked against the real dataclasses."""

from __future__ import annotations

import hashlib
import inspect
import itertools
import json
import math
import os
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from difflib import get_close_matches
from pathlib import Path
from typing import TYPE_CHECKING, Any

from abri.constants import GROUPS
from abri.errors import DataFileError
from abri.inputs.scenario import (
    FLEET_RANGES,
    RULE_RANGES,
    Fleet,
    Rules,
)
from abri.pipeline import plan_prepared

if TYPE_CHECKING:
    pass


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
