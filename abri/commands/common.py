"""Options, error handling and small helpers shared by the ``abri`` commands."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from abri.constants import CALAIS as CALAIS_LONLAT
from abri.defaults import DEFAULT_ROADS, DEFAULT_TIME_LIMIT
from abri.errors import AbriError, DataFileError, MissingDataError
from abri.files import check_output_dir
from abri.geo.centres import read_centres
from abri.inputs.values import parse_coordinate
from abri.routing.graph import load_graph
from abri.routing.profile import load_profile

if TYPE_CHECKING:
    import geopandas as gpd

    from abri.inputs.report import ValidationReport
    from abri.routing.graph import RoadGraph

F = Callable[..., Any]


class DataError(click.ClickException):
    """A domain failure: missing data, an unroutable plan (exit 1)."""

    exit_code = 1


class BadInput(click.ClickException):
    """An input file abri cannot use at all (exit 2)."""

    exit_code = 2


def data_dir_option(func: F) -> F:
    """``--data-dir``: the data pack (default: $ABRI_DATA_DIR, then the repository's data/)."""
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Data pack directory (default: $ABRI_DATA_DIR, then the repository's data/).",
    )(func)


def time_limit_option(
    default: float = DEFAULT_TIME_LIMIT,
    help_text: str = "Seconds of coach search per day at most (0: none, so the same seed always gives the same plan).",
) -> Callable[[F], F]:
    """``--time-limit``: seconds of coach search per day (plan and demo: the default; replan: its own)."""
    return click.option(
        "--time-limit",
        type=click.FloatRange(min=0),
        default=default,
        show_default=True,
        help=help_text,
    )


def reports_errors(func: F) -> F:
    """Turn abri's exceptions into clear CLI errors with the right exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except MissingDataError as exc:
            raise DataError(str(exc)) from exc
        except DataFileError as exc:
            raise BadInput(str(exc)) from exc
        except AbriError as exc:
            raise DataError(str(exc)) from exc

    return wrapper


def echo_report(report: ValidationReport, *, limit: int | None = None) -> None:
    """Print a file's problems (the first `limit` of them) and its summary on stderr."""
    shown = report.problems if limit is None else report.problems[:limit]
    for problem in shown:
        click.echo(str(problem), err=True)
    if len(shown) < len(report.problems):
        click.echo(
            f"... and {len(report.problems) - len(shown)} more problems in {report.file}", err=True
        )
    click.echo(report.summary(), err=True)


def default_rejects(path: Path, rejects: Path | None) -> Path:
    """Where the rows set aside from `path` go: `rejects`, else ``./<name>.rejects.csv``."""
    return rejects or Path(f"{path.stem}.rejects.csv")


def check_outputs(
    outputs: dict[str, Path | None],
    *,
    inputs: tuple[Path, ...] = (),
    maybe: dict[str, Path | None] | None = None,
) -> None:
    """Refuse, before any work, output files that collide or cannot be written (exit 2).

    `outputs` maps an option (``--problems``) to the file it names; every one
    must differ from the others and from `inputs`, must not be a folder, and
    its folder must be writable (created if missing). `maybe` lists files
    written only if needed (default rejects): they are checked for collisions only.
    """
    import os
    import tempfile

    def same(a: Path, b: Path) -> bool:
        try:
            return a.resolve() == b.resolve() or (
                a.exists() and b.exists() and os.path.samefile(a, b)
            )
        except OSError:
            return False

    named = [
        (label, path) for label, path in {**outputs, **(maybe or {})}.items() if path is not None
    ]
    for (
        label,
        path,
    ) in (
        named
    ):  # a file is written beside, then renamed over its target: never over a device or a pipe
        if path.exists() and not path.is_file() and not path.is_dir():
            raise click.BadParameter(
                f"{path} is not a regular file (a device, pipe or socket); expected a file name",
                param_hint=label,
            )
    for i, (label, path) in enumerate(named):
        for source in inputs:
            if same(path, source):
                raise click.BadParameter(
                    f"{path} is the input file {source}; writing there would destroy it",
                    param_hint=label,
                )
        for other, other_path in named[:i]:
            if same(path, other_path):
                raise click.BadParameter(
                    f"{path} is also the file of {other}; choose two different files",
                    param_hint=label,
                )
    for label, target in outputs.items():
        if target is None:
            continue
        if target.is_dir():
            raise click.BadParameter(
                f"{target} is a folder; expected a file name", param_hint=label
            )
        parent = target.absolute().parent
        while not parent.exists():
            parent = parent.parent
        try:
            fd, probe = tempfile.mkstemp(prefix=".abri-probe.", dir=parent)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            reason = (
                "is a file, not a folder"
                if parent.is_file()
                else f"cannot be written ({exc.strerror or exc})"
            )
            raise click.BadParameter(
                f"{target}: the folder {parent} {reason}; choose a folder you can write to",
                param_hint=label,
            ) from None


def check_output_folder(
    folder: Path, *, marker: str, inputs: dict[str, Path | None], label: str = "--output"
) -> None:
    """Refuse, before any work, a folder written whole then swapped in (exit 2): see :func:`abri.files.check_output_dir`.

    `inputs` maps an argument (``PLAN_DIR``, ``--roster``) to the file or folder it names.
    """

    try:
        check_output_dir(folder, inputs=inputs, marker=marker)
    except DataFileError as exc:
        raise click.BadParameter(str(exc), param_hint=label) from exc
    check_outputs({label: folder / marker})


def read_and_report_centres(
    path: Path, data_dir: Path | None, rejects: Path | None, strict: bool, *, sheet: str | int = 0
) -> tuple[gpd.GeoDataFrame, ValidationReport]:
    """Read and check centres, print the report, write rejects; shared by several commands."""

    centres, report = read_centres(path, data_dir=data_dir, sheet=sheet)
    echo_report(report)
    if report.rows_rejected:
        target = default_rejects(path, rejects)
        try:
            report.write_rejects(target)
        except OSError as exc:
            raise DataError(
                f"{target}: cannot write the rows set aside ({exc.strerror or exc}); choose another file with --rejects"
            ) from exc
        click.echo(f"{report.rows_rejected} rows set aside, written to {target}", err=True)
    if strict and report.errors:
        raise DataError(f"{len(report.errors)} errors in {path} (--strict)")
    return centres, report


def centre_options(func: F) -> F:
    """Options shared by every command that reads a centre list."""
    func = click.option("--strict", is_flag=True, help="Exit non-zero on any error.")(func)
    func = click.option(
        "--sheet",
        default="0",
        show_default=True,
        help="Excel sheet or GeoPackage layer to read: its name, or its number from 0.",
    )(func)
    func = click.option(
        "--rejects",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Where rows set aside go (default: next to the output, else ./<name>.rejects.csv).",
    )(func)
    return data_dir_option(func)


def roads_options(func: F) -> F:
    """Options shared by every command that needs the road graph."""
    func = click.option(
        "--profile",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help="Coach speed profile (TOML); default: the packaged coach profile.",
    )(func)
    func = click.option(
        "--download",
        is_flag=True,
        help="Fetch ROADS as a place name from OpenStreetMap (Overpass); needs internet.",
    )(func)
    func = click.option(
        "--roads",
        default=DEFAULT_ROADS,
        show_default=True,
        help="Road file (.osm, .osm.bz2, .osm.pbf, .graphml, abri .npz) or a data pack road set name.",
    )(func)
    return data_dir_option(func)


def road_graph(
    roads: str, data_dir: Path | None, download: bool, profile: Path | None
) -> RoadGraph:
    """The road graph for a command, with a progress line."""

    with timed_step(f"road graph {roads}"):
        return load_graph(
            roads,
            profile=load_profile(profile),
            data_dir=data_dir,
            download=download,
            progress=progress_on(),
        )


def quiet() -> bool:
    """True when ``abri -q`` was given: no progress bars, no step timers."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().params.get("quiet"))


def progress_on() -> bool:
    """Whether commands show progress bars (not under ``-q``)."""
    return not quiet()


@contextmanager
def timed_step(label: str) -> Iterator[None]:
    """Say on stderr that a step starts, then how long it took (silent under ``-q``)."""
    start = time.perf_counter()
    if not quiet():
        click.echo(f"{label} ...", err=True)
    yield
    if not quiet():
        click.echo(f"{label}: done in {time.perf_counter() - start:.1f} s", err=True)


def parse_lonlat(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[float, float] | None:
    """``'1.86,50.95'`` -> ``(1.86, 50.95)``."""

    if value is None:
        return None
    parts = value.split(";") if ";" in value else value.split(",")  # 1,86;50,95 with decimal commas
    try:
        lon, lat = (
            parse_coordinate(v, axis=axis) for v, axis in zip(parts, ("lon", "lat"), strict=True)
        )
    except ValueError as exc:
        why = "" if "zip()" in str(exc) else f" ({exc})"
        raise click.BadParameter(
            f"got {value!r}{why}; expected LON,LAT in degrees, e.g. 1.8587,50.9513 (west and south negative)"
        ) from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise click.BadParameter(
            f"got {value!r}; longitude must be in [-180, 180] and latitude in [-90, 90]"
        )
    return lon, lat


CALAIS = ",".join(map(str, CALAIS_LONLAT))


def dask_options(func: F) -> F:
    """``--workers`` and ``--scheduler``: where parallel work runs (see :mod:`abri.cluster`)."""
    func = click.option(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:PORT",
        help="An existing Dask scheduler (default: $DASK_SCHEDULER_ADDRESS, else a local cluster).",
    )(func)
    return click.option(
        "--workers",
        type=click.IntRange(min=0),
        default=None,
        help="Worker processes of the local Dask cluster (default: one per core; 0: in this process).",
    )(func)
