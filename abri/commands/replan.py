"""``abri replan`` (the next version of a plan, from what happened) and ``abri status`` (where everyone stands)."""

from __future__ import annotations

from pathlib import Path

import click

from abri.cluster import dask_client
from abri.commands.common import (
    check_output_folder,
    dask_options,
    reports_errors,
    time_limit_option,
    timed_step,
)
from abri.commands.documents import lang_option
from abri.commands.planning import plan_options
from abri.i18n import translate
from abri.inputs.events import parse_moment, read_events
from abri.outputs.planformat import read_plan_json
from abri.pipeline import prepare
from abri.replan import REPLAN_TIME_LIMIT, replan, status, write_version
from abri.replan.documents import write_version_documents
from abri.replan.rehearse import Draw, rehearse, summary, write_rehearsal


def _now(ctx: click.Context, param: click.Parameter, value: str) -> str:
    moment = parse_moment(value)
    if moment is None:
        msg = f"{value!r}: expected a time YYYY-MM-DD HH:MM"
        raise click.BadParameter(msg)
    return moment


def _scenario_of(plan_dir: Path) -> Path:
    """The scenario folder a plan folder's ``plan.json`` names (``--scenario`` when it names none)."""
    named = read_plan_json(plan_dir).get("scenario_dir", "")
    if not named:
        msg = f"{plan_dir / 'plan.json'} names no scenario folder (a plan written before abri recorded it); give --scenario"
        raise click.UsageError(msg)
    if not Path(named).is_dir():
        msg = (
            f"{plan_dir / 'plan.json'}: its scenario folder {named!r} is not there; give --scenario"
        )
        raise click.UsageError(msg)
    return Path(named)


@click.command("replan")
@click.argument("plan_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--events",
    "events_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Events file (CSV or JSON): registrations, no-shows, departures, closures...",
)
@click.option(
    "--now", required=True, callback=_now, help="YYYY-MM-DD HH:MM: what is before it happened."
)
@click.option(
    "--scenario",
    "scenario_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="The scenario folder PLAN_DIR was planned from (centres, fleet, rules); "
    "default: the folder its plan.json names.",
)
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option(
    "--documents",
    is_flag=True,
    help="Also write the documents into OUTPUT/documents (the version on every sheet, what changed "
    "marked) and OUTPUT/documents/changed.html (the changed sheets only).",
)
@lang_option
@time_limit_option(REPLAN_TIME_LIMIT, "Seconds of search per day for new trips.")
@plan_options
@reports_errors
def replan_cmd(
    plan_dir: Path,
    events_path: Path,
    now: str,
    scenario_dir: Path | None,
    output: Path,
    documents: bool,
    lang: str,
    time_limit: float,
    seed: int,
    iterations: int,
    jobs: int | None,
    profile: Path | None,
    roads: str,
    data_dir: Path | None,
) -> None:
    """The next version of the plan in PLAN_DIR: what happened before --now stays, the rest is planned again."""
    check_output_folder(
        output, marker="plan.json", inputs={"PLAN_DIR": plan_dir, "--events": events_path}
    )
    events, report = read_events(events_path, strict=False)
    scenario_dir = scenario_dir or _scenario_of(plan_dir)
    with timed_step("replan"):
        prepared = prepare(scenario_dir, roads=roads, data_dir=data_dir, profile=profile, jobs=jobs)
        result = replan(
            prepared,
            plan_dir,
            events,
            now,
            events_file=str(events_path),
            seed=seed,
            iterations=iterations,
            time_limit=time_limit,
            problems=report.errors,
        )
        files = write_version(result, output)
    if documents:
        with timed_step("documents"):
            files["changed"] = write_version_documents(
                output, output / "documents", lang=lang, data_dir=data_dir
            )["changed"]
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"version {result.version['number']} (parent {plan_dir}, now {now}, {len(events)} events): "
        f"{len(result.changes)} people changed, {len(result.coaches)} coaches changed"
    )
    click.echo(str(result.check.accounting))
    for name, path in files.items():
        click.echo(f"{name:<16}{path}")
    if not result.check.ok:
        msg = f"the new plan is not complete and legal: {'; '.join(result.check.errors[:5])}"
        raise click.ClickException(msg)


@click.command("status")
@click.argument("plan_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@reports_errors
def status_cmd(plan_dir: Path) -> None:
    """Where everyone stands in PLAN_DIR's version: people by state, by centre, and the identity of each version."""
    states, lines = status(plan_dir)
    for line in lines:
        click.echo(line)
    table = states.groupby("state").size().rename("people")
    click.echo(table.to_string())


def _share(ctx: click.Context, param: click.Parameter, value: str) -> float:
    text = value.strip()
    try:
        share = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        share = -1.0
    if not 0 <= share <= 1:
        msg = f"{value!r}: expected a share such as 5% or 0.05"
        raise click.BadParameter(msg)
    return share


@click.command("rehearse")
@click.argument("plan_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--scenario",
    "scenario_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="The scenario folder PLAN_DIR was planned from.",
)
@click.option(
    "--now",
    required=True,
    callback=_now,
    help="YYYY-MM-DD HH:MM: the events are drawn at this time.",
)
@click.option(
    "--no-show",
    "no_show",
    default="5%",
    callback=_share,
    show_default=True,
    help="Share of the people on coaches not yet gone who do not show.",
)
@click.option(
    "--extra",
    default="10%",
    callback=_share,
    show_default=True,
    help="Extra registrations, as a share of those people.",
)
@click.option(
    "--late",
    default="10%",
    callback=_share,
    show_default=True,
    help="Share of the coaches not yet gone that leave late.",
)
@click.option(
    "--breakdowns",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="Coaches not yet gone that break down, in each run.",
)
@click.option(
    "--runs",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Re-plans, each under its own draw (run k draws with seed --seed + k).",
)
@dask_options
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for runs.csv, summary.csv and the chart (rehearsal.png, rehearsal.html).",
)
@lang_option
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Seconds of search per day for new trips.",
)
@plan_options
@reports_errors
def rehearse_cmd(
    plan_dir: Path,
    scenario_dir: Path,
    now: str,
    no_show: float,
    extra: float,
    late: float,
    breakdowns: int,
    runs: int,
    workers: int | None,
    scheduler: str | None,
    output: Path | None,
    lang: str,
    time_limit: float,
    seed: int,
    iterations: int,
    jobs: int | None,
    profile: Path | None,
    roads: str,
    data_dir: Path | None,
) -> None:
    """Draw events, re-plan PLAN_DIR RUNS times, and table what survived: moves, coaches, legality, rides, time."""
    if output is not None:
        check_output_folder(
            output, marker="runs.csv", inputs={"PLAN_DIR": plan_dir, "--scenario": scenario_dir}
        )
    draw = Draw(no_show=no_show, extra=extra, late=late, breakdowns=breakdowns)
    with timed_step("rehearse"):
        prepared = prepare(scenario_dir, roads=roads, data_dir=data_dir, profile=profile, jobs=jobs)
        with dask_client(workers, scheduler, None) as client:
            table = rehearse(
                prepared,
                plan_dir,
                now,
                draw=draw,
                runs=runs,
                seed=seed,
                client=client,
                time_limit=time_limit,
            )
    click.echo(summary(table).to_string(index=False, na_rep=""))
    if output is not None:
        title = translate("rehearsal.title", lang, plan=plan_dir.name, now=now, runs=runs)
        for name, path in write_rehearsal(table, output, title=title, lang=lang).items():
            click.echo(f"{name:<16}{path}")
