"""The ``abri`` command line: parse, call, print. No logic lives here."""

from __future__ import annotations

import functools
import json
import logging
import sys
from pathlib import Path
from typing import Any, Callable

import click

from abri.errors import AbriError, DataFileError, MissingDataError

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.version_option(package_name="abri")
def main(verbose: int, quiet: bool) -> None:
    """abri: move people from a camp to reception centres, fast, safely and fairly."""
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


# ----------------------------------------------------------------------------- data
@main.group()
def data() -> None:
    """The data pack: what is there."""


@data.command("status")
@data_dir_option
@click.option("--no-verify", is_flag=True, help="Skip checksum verification.")
def data_status_cmd(data_dir: Path | None, no_verify: bool) -> None:
    """List each dataset: present or missing, size, checksum."""
    from abri.geo.datadir import HOW_TO_GET, data_status, resolve_data_dir

    root = resolve_data_dir(data_dir)
    rows = data_status(root, verify=not no_verify)
    click.echo(f"data directory: {root}")
    click.echo(f"{'dataset':<24} {'state':<8} {'size':>10}  {'checksum':<11} path")
    for r in rows:
        size = f"{r.size / 1e6:.2f} MB" if r.size is not None else "-"
        click.echo(f"{r.name:<24} {'present' if r.present else 'MISSING':<8} {size:>10}  {r.checksum:<11} {r.path}")
    if any(not r.present for r in rows):
        click.echo(HOW_TO_GET, err=True)
        raise DataError("some datasets are missing")
    if any(r.checksum == "MISMATCH" for r in rows):
        raise DataError("some datasets do not match SHA256SUMS")


# -------------------------------------------------------------------------- centres
def _load_centres(path: Path, data_dir: Path | None, rejects: Path | None, strict: bool):
    """Read and check centres, print the report, write rejects; shared by several commands."""
    from abri.geo.centres import read_centres

    centres, report = read_centres(path, data_dir=data_dir)
    for problem in report.problems:
        click.echo(str(problem), err=True)
    click.echo(report.summary(), err=True)
    if report.rows_rejected:
        target = rejects or Path(f"{path.stem}.rejects.csv")
        report.write_rejects(target)
        click.echo(f"{report.rows_rejected} rows set aside, written to {target}", err=True)
    if strict and report.errors:
        raise DataError(f"{len(report.errors)} errors in {path} (--strict)")
    return centres, report


def centre_options(func: F) -> F:
    """Options shared by every command that reads a centre list."""
    func = click.option("--strict", is_flag=True, help="Exit non-zero on any error.")(func)
    func = click.option(
        "--rejects", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help="Where rows set aside go (default: next to the output, else ./<name>.rejects.csv).",
    )(func)
    return data_dir_option(func)


@main.command()
@click.argument("centres", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the valid centres (.csv, .geojson, .gpkg).")
@click.option("--problems", type=click.Path(dir_okay=False, path_type=Path), help="Write every problem as CSV.")
@centre_options
@reports_errors
def validate(centres: Path, output: Path | None, problems: Path | None, data_dir: Path | None, rejects: Path | None, strict: bool) -> None:
    """Read and check a centre list (CSV, Excel, GeoJSON, GeoPackage)."""
    from abri.geo.centres import write_centres

    if rejects is None and output is not None:
        rejects = output.with_name(f"{output.stem}.rejects.csv")
    gdf, report = _load_centres(centres, data_dir, rejects, strict)
    if problems:
        report.write_problems(problems)
    if output:
        write_centres(gdf, output)
        click.echo(f"{len(gdf)} centres written to {output}", err=True)


@main.command()
@click.argument("centres", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", type=click.Choice(["departement", "region"]), default="departement", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@centre_options
@reports_errors
def capacity(centres: Path, by: str, fmt: str, data_dir: Path | None, rejects: Path | None, strict: bool) -> None:
    """Centres and places per department or region."""
    from abri.geo.capacity import capacity_summary, departements_without_centre

    gdf, _ = _load_centres(centres, data_dir, rejects, strict)
    summary = capacity_summary(gdf, by=by, data_dir=data_dir)  # type: ignore[arg-type]
    if fmt == "csv":
        click.echo(summary.to_csv(), nl=False)
    elif fmt == "json":
        click.echo(json.dumps(json.loads(summary.reset_index().to_json(orient="records", force_ascii=False)), indent=1, ensure_ascii=False))
    else:
        click.echo(summary.to_string(max_rows=None, max_cols=None))
        empty = departements_without_centre(summary)
        click.echo(f"\ntotal: {int(summary['centres'].sum())} centres, {int(summary['places'].sum())} places; "
                   f"{len(empty)} {by}s without a centre{': ' + ', '.join(empty) if empty else ''}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
