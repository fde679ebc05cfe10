"""``abri readiness``: before the operation, is there a place of the right kind for everyone expected?"""

from __future__ import annotations

from pathlib import Path

import click

from abri.commands.common import (
    DataError,
    check_output_folder,
    data_dir_option,
    echo_report,
    reports_errors,
    timed_step,
)
from abri.readiness import HOUSEHOLD_SIZE, parse_counts, readiness, write_readiness


@click.command("readiness")
@click.argument("scenario_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--expect",
    default=None,
    metavar="GROUP=N,...",
    help="Expected people per group instead of people.csv, e.g. men=4800,families=350,minors=1600.",
)
@click.option(
    "--day",
    default=None,
    metavar="YYYY-MM-DD",
    help="Departure day of the expected people (default: the first day in fleet.json).",
)
@click.option(
    "--household-size",
    type=click.IntRange(min=1),
    default=None,
    help="People per household for --expect families (default 4).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the tables (CSV, XLSX), extra-centres.csv and readiness.json.",
)
@click.option(
    "--lang",
    type=click.Choice(["fr", "en"]),
    default="fr",
    show_default=True,
    help="Language of the tables.",
)
@click.option(
    "--map/--no-map",
    "with_map",
    default=True,
    show_default=True,
    help="With -o, also the capacity map with a layer of extra places by department (readiness-map.html).",
)
@click.option(
    "--roads",
    default=None,
    help="Time coaches, and the centres' minutes to care, on this road set or file (default: straight line x 1.3 at 80 km/h).",
)
@data_dir_option
@reports_errors
def readiness_cmd(
    scenario_dir: Path,
    expect: str | None,
    day: str | None,
    household_size: int | None,
    output: Path | None,
    lang: str,
    with_map: bool,
    roads: str | None,
    data_dir: Path | None,
) -> None:
    """Check that every person expected has a place, by group and by day; say where places are missing.

    Every hard need counts: accessible places, single rooms, care within its limit, ride limits
    (coach times on --roads, else a straight-line estimate), the UK pathway's and medical transfers'
    quotas, accessible coaches. Exit 0 when ready, 1 when someone would be left without a solution
    meeting their needs (the tables are written either way).
    """
    from datetime import date

    counts = None
    if expect is not None:
        try:
            counts = parse_counts(expect)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--expect") from None
    elif day is not None or household_size is not None:
        raise click.BadParameter(
            "only with --expect (people.csv gives each person's day and household)",
            param_hint="--day/--household-size",
        )
    if day is not None:
        try:
            date.fromisoformat(day)
        except ValueError:
            raise click.BadParameter(
                f"got {day!r}; expected a date YYYY-MM-DD", param_hint="--day"
            ) from None
    if output is not None:  # before any work; the folder is written whole
        check_output_folder(output, marker="readiness.json", inputs={"SCENARIO_DIR": scenario_dir})
    with timed_step("readiness"):
        result = readiness(
            scenario_dir,
            expect=counts,
            day=day,
            household_size=household_size or HOUSEHOLD_SIZE,
            roads=roads,
            data_dir=data_dir,
        )
    for report in result.reports:
        echo_report(report, limit=20)
    _print(result)
    if output is not None:
        for key, path in write_readiness(
            result, output, lang=lang, data_dir=data_dir, with_map=with_map
        ).items():
            click.echo(f"{key:<14} {path}")
    if not result.ready:
        short = (
            f"; {result.pathway_short:,} short of the UK pathway, a medical transfer or an accessible coach"
            if result.pathway_short
            else ""
        )
        raise DataError(
            f"not ready: {result.unplaced:,} people without a place meeting their needs{short}; "
            f"{int(result.extras['places'].sum()):,} extra places needed"
            + (
                f" (see {output / 'readiness-extras.csv'})"
                if output is not None
                else " (-o DIR writes the tables)"
            )
        )


def _print(result) -> None:
    """The answer, the groups, the days and the asks per department."""
    click.echo(
        ("READY" if result.ready else "NOT READY")
        + f": {int(result.groups['people'].sum()):,} people ({result.source}); "
        f"coach time: {result.travel}; {'exact' if result.exact else 'NOT proven exact (solver time limit)'}; {result.seconds:.1f} s"
    )
    if result.label:
        click.echo(result.label, err=True)
    click.echo(result.groups.to_string())
    click.echo(result.days.to_string())
    for line in result.need_lines():  # each hard need, the pathways, accessible coaches, refusals
        click.echo(line)
    for line in result.operation_lines():  # boarding, fleet, drivers' and reception hours
        click.echo(line)
    if len(result.extras):
        click.echo("extra places to ask for, by department, group and need:")
        care = [c for c in result.extras.columns if c.startswith("care_min_")]
        click.echo(result.extras.drop(columns=care).to_string(index=False))
    if result.not_counted:
        click.echo(
            f"centres not counted (no road reaches them): {', '.join(result.not_counted)}", err=True
        )
