"""``abri validate`` and ``abri capacity``: centre lists."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from abri.commands.common import (
    DataError,
    centre_options,
    check_outputs,
    default_rejects,
    read_and_report_centres,
    reports_errors,
)
from abri.files import csv_dialect, csv_text
from abri.geo.capacity import capacity_summary, departements_without_centre
from abri.geo.centres import write_centres

if TYPE_CHECKING:
    from abri.inputs.report import ValidationReport


def _some_kept(report: ValidationReport) -> None:
    """Exit 1 when the file gave no centre at all (no data row, or every row set aside)."""
    if report.rows_kept == 0:
        why = (
            "it has no data row"
            if report.rows_read == 0
            else f"all {report.rows_read} rows were set aside (see the problems above)"
        )
        raise DataError(f"{report.file}: no centre to use: {why}")


@click.command()
@click.argument("centres", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the valid centres (.csv, .geojson, .gpkg).",
)
@click.option(
    "--problems",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every problem as CSV.",
)
@centre_options
@reports_errors
def validate(
    centres: Path,
    output: Path | None,
    problems: Path | None,
    data_dir: Path | None,
    rejects: Path | None,
    strict: bool,
    sheet: str,
) -> None:
    """Read and check a centre list (CSV, Excel, GeoJSON, GeoPackage)."""

    if output is not None and output.suffix.lower() not in {".csv", ".geojson", ".json", ".gpkg"}:
        raise click.BadParameter(
            f"got {output.name!r}; expected a .csv, .geojson or .gpkg file", param_hint="--output"
        )
    given = rejects
    if rejects is None and output is not None:
        rejects = output.with_name(f"{output.stem}.rejects.csv")
    check_outputs(
        {"--output": output, "--problems": problems, "--rejects": given},
        inputs=(centres,),
        maybe={"--rejects (default)": default_rejects(centres, rejects) if given is None else None},
    )
    gdf, report = read_and_report_centres(centres, data_dir, rejects, strict, sheet=sheet)
    if problems:
        report.write_problems(problems)
    if output:
        write_centres(gdf, output)
        click.echo(f"{len(gdf)} centres written to {output}", err=True)
    _some_kept(report)


@click.command()
@click.argument("centres", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--by", type=click.Choice(["departement", "region"]), default="departement", show_default=True
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@centre_options
@reports_errors
def capacity(
    centres: Path,
    by: str,
    fmt: str,
    data_dir: Path | None,
    rejects: Path | None,
    strict: bool,
    sheet: str,
) -> None:
    """Centres and places per department or region."""

    check_outputs(
        {"--rejects": rejects},
        inputs=(centres,),
        maybe={"--rejects (default)": default_rejects(centres, rejects)},
    )
    gdf, report = read_and_report_centres(centres, data_dir, rejects, strict, sheet=sheet)
    _some_kept(report)
    summary = capacity_summary(gdf, by=by, data_dir=data_dir)  # type: ignore[arg-type]
    if fmt == "csv":
        bom = "\ufeff" if csv_dialect() == "excel-fr" else ""  # French Excel reads UTF-8 by its BOM
        click.echo(bom + csv_text(summary, index=True), nl=False)
    elif fmt == "json":
        click.echo(
            json.dumps(
                json.loads(summary.reset_index().to_json(orient="records", force_ascii=False)),
                indent=1,
                ensure_ascii=False,
            )
        )
    else:
        click.echo(summary.to_string(max_rows=None, max_cols=None))
        empty = departements_without_centre(summary)
        click.echo(
            f"\ntotal: {int(summary['centres'].sum())} centres, {int(summary['places'].sum())} places; "
            f"{len(empty)} {by}s without a centre{': ' + ', '.join(empty) if empty else ''}"
        )
