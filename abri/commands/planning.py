"""``abri scenario``, ``allocate``, ``plan`` and ``demo``: who goes where, on which coach."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import click

from abri.cluster import dask_client
from abri.commands.common import (
    DataError,
    F,
    check_output_folder,
    check_outputs,
    data_dir_option,
    echo_report,
    progress_on,
    reports_errors,
    time_limit_option,
    timed_step,
)
from abri.commands.documents import lang_option
from abri.constants import ORIGIN
from abri.defaults import (
    DEFAULT_ITERATIONS,
    DEFAULT_ROADS,
    DEFAULT_SEED,
)
from abri.demo import run_demo
from abri.documents import write_documents
from abri.errors import AbriError, FolderBusyError
from abri.files import write_csv
from abri.inputs.limits import MAX_CENTRES, MAX_COACHES_PER_DAY, MAX_JOBS, MAX_PLACES, MAX_SEATS
from abri.pipeline import PlanRun, allocate_prepared, dask_mapper, prepare, run_plan, write_run
from abri.planning.schedule import Trip
from abri.planning.summary import per_day, plan_summary
from abri.readiness import prefecture_rows, readiness
from abri.synthetic import SYNTHETIC_LABEL, ScenarioParams, write_scenario


@click.command()
@click.argument("name", type=click.Choice(["calais-2016"]))
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Scenario folder to write.",
)
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=2016, show_default=True)
@click.option(
    "--centres",
    "n_centres",
    type=click.IntRange(1, MAX_CENTRES),
    default=450,
    show_default=True,
    help="Adult reception centres (CAO).",
)
@click.option(
    "--places",
    type=click.IntRange(1, MAX_PLACES),
    default=7500,
    show_default=True,
    help="Places in adult centres.",
)
@click.option(
    "--coaches",
    type=click.IntRange(1, MAX_COACHES_PER_DAY),
    default=60,
    show_default=True,
    help="Coaches available per day.",
)
@click.option(
    "--seats",
    type=click.IntRange(1, MAX_SEATS),
    default=55,
    show_default=True,
    help="Seats per coach.",
)
@data_dir_option
@reports_errors
def scenario(
    name: str,
    output: Path,
    seed: int,
    n_centres: int,
    places: int,
    coaches: int,
    seats: int,
    data_dir: Path | None,
) -> None:
    """Write a SYNTHETIC scenario calibrated on the public figures of 2016."""

    for label, value in (
        ("--centres", n_centres),
        ("--places", places),
        ("--coaches", coaches),
        ("--seats", seats),
    ):
        if value < 1:
            raise click.BadParameter(f"got {value}; expected at least 1", param_hint=label)
    check_outputs({"--output": output / "people.csv"})
    params = ScenarioParams(
        seed=seed, centres=n_centres, places=places, coaches_per_day=coaches, seats=seats
    )
    files = write_scenario(params, output, data_dir=data_dir)
    click.echo(SYNTHETIC_LABEL, err=True)
    for key, path in files.items():
        click.echo(f"{key:<9} {path}")


def plan_options(func: F) -> F:
    """Options of the commands that run the planning chain."""
    func = click.option(
        "--seed",
        type=click.IntRange(min=0),
        default=DEFAULT_SEED,
        show_default=True,
        help="Solver seed (same seed, same plan).",
    )(func)
    func = click.option(
        "--iterations",
        type=click.IntRange(min=1),
        default=DEFAULT_ITERATIONS,
        show_default=True,
        help="PyVRP iterations per day.",
    )(func)
    return chain_options(func)


def chain_options(func: F) -> F:
    """Options of every command that reads a scenario and measures it on the roads."""
    func = click.option(
        "--jobs",
        type=click.IntRange(1, MAX_JOBS),
        default=None,
        help="Worker processes for the travel-time matrix.",
    )(func)
    func = click.option(
        "--profile",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help="Coach speed profile (TOML); default: the packaged coach profile.",
    )(func)
    func = click.option(
        "--roads", default=DEFAULT_ROADS, show_default=True, help="Road file or data pack road set."
    )(func)
    return data_dir_option(func)


def _print_unplaced(allocation) -> None:
    unplaced = allocation.unplaced
    if len(unplaced):
        for reason, count in unplaced.groupby("reason").size().items():
            click.echo(f"unplaced: {count} people: {reason}", err=True)


@click.command("allocate")
@click.argument("scenario_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for assignments.csv (and people.rejects.csv, centres.rejects.csv when rows are set aside).",
)
@chain_options
@reports_errors
def allocate_cmd(
    scenario_dir: Path,
    output: Path,
    jobs: int | None,
    profile: Path | None,
    roads: str,
    data_dir: Path | None,
) -> None:
    """Assign people to centres (capacity, groups, preferences, travel time)."""

    check_output_folder(output, marker="assignments.csv", inputs={"SCENARIO_DIR": scenario_dir})
    with timed_step("roads and travel times from the origin"):
        prepared = prepare(
            scenario_dir,
            roads=roads,
            data_dir=data_dir,
            profile=profile,
            jobs=jobs,
            progress=progress_on(),
            origin_only=True,
        )
    for report, name in (
        (prepared.centre_report, "centres"),
        (prepared.scenario.people_report, "people"),
    ):
        echo_report(report, limit=20)
        if report.rows_rejected:
            target = report.write_rejects(output / f"{name}.rejects.csv")
            click.echo(f"{report.rows_rejected} rows set aside, written to {target}", err=True)
    with timed_step("allocation"):
        result = allocate_prepared(prepared)
    target = output / "assignments.csv"
    write_csv(target, result.assignments)
    a = result.assignments
    own = a.loc[(a["centre_id"] == "") & (a["pathway"] != ""), "pathway"].value_counts()
    own_way = "".join(f", {n:,} {_OWN_WAY.get(str(p), p)}" for p, n in own.items())
    click.echo(
        f"{len(a) - len(result.unplaced):,} of {len(a):,} people with a solution "
        f"({len(result.placed):,} placed in centres{own_way}); "
        f"{100 * result.preferred_share():.1f}% of adults in a preferred region -> {target}"
    )
    _print_unplaced(result)
    rejected = prepared.scenario.people_report.rows_rejected
    if len(result.unplaced) or rejected:
        where = (
            [f"{len(result.unplaced)} could not be placed (see {target}, column reason)"]
            if len(result.unplaced)
            else []
        )
        where += (
            [f"{rejected} people rows were set aside (see {output / 'people.rejects.csv'})"]
            if rejected
            else []
        )
        raise DataError(f"people left out: {'; '.join(where)}")


@click.command("plan")
@click.argument("scenario_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Plan folder to write.",
)
@click.option("--no-baseline", is_flag=True, help="Skip the naive baseline.")
@time_limit_option()
@click.option(
    "--documents",
    "documents",
    is_flag=True,
    help="Also write road sheets, arrival sheets and summaries into OUTPUT/documents.",
)
@click.option(
    "--scheduler",
    default=None,
    help="A Dask scheduler to search the days and the parts of large days on (default: worker processes here).",
)
@lang_option
@plan_options
@reports_errors
def plan_cmd(
    scenario_dir: Path,
    output: Path,
    no_baseline: bool,
    time_limit: float,
    documents: bool,
    scheduler: str | None,
    lang: str,
    seed: int,
    iterations: int,
    jobs: int | None,
    profile: Path | None,
    roads: str,
    data_dir: Path | None,
) -> None:
    """Allocate people and plan coaches, day by day; write plan.json, trips.csv, manifests.csv."""

    check_output_folder(
        output, marker="plan.json", inputs={"SCENARIO_DIR": scenario_dir}
    )  # before any work
    cluster = dask_client(None, scheduler, None) if scheduler else nullcontext(None)
    with timed_step("plan"), _unreachable_said_once(), cluster as client:
        run = run_plan(
            scenario_dir,
            roads=roads,
            data_dir=data_dir,
            profile=profile,
            seed=seed,
            iterations=iterations,
            baseline=not no_baseline,
            jobs=jobs,
            progress=progress_on(),
            time_limit=time_limit,
            mapper=dask_mapper(client) if client is not None else None,
        )
        files = _write(run, output)
    if documents:
        with timed_step(
            "documents"
        ):  # with each department's places by group (a readiness check, straight-line times: < 10 s)
            try:
                rows = prefecture_rows(readiness(scenario_dir, data_dir=data_dir))
            except (
                AbriError
            ) as exc:  # the plan is written: say why the summaries lack the section, and go on
                click.echo(f"documents without the readiness section: {exc}", err=True)
                rows = None
            write_documents(
                output, output / "documents", lang=lang, data_dir=data_dir, readiness=rows
            )
        files["documents"] = output / "documents"
    _report_run(run, files)


def _write(run, output: Path) -> dict[str, Path]:
    """write_run, with another process writing the same folder reported as a domain failure."""

    try:
        return write_run(run, output)
    except FolderBusyError as exc:
        raise DataError(str(exc)) from exc


@contextmanager
def _unreachable_said_once() -> Iterator[None]:
    """Hold back the snapper's per-centre 'unreachable' warnings: the report lists those centres once, with the reason."""
    logger = logging.getLogger("abri.routing.snap")

    def keep(record: logging.LogRecord) -> bool:
        return "unreachable" not in record.getMessage()

    logger.addFilter(keep)
    try:
        yield
    finally:
        logger.removeFilter(keep)


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("abri-demo"),
    show_default=True,
)
@click.option("--seed", type=click.IntRange(min=0), default=DEFAULT_SEED, show_default=True)
@click.option(
    "--iterations",
    type=click.IntRange(min=1),
    default=DEFAULT_ITERATIONS,
    show_default=True,
    help="PyVRP iterations per day.",
)
@click.option(
    "--profile",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Coach speed profile (TOML); default: the packaged coach profile.",
)
@time_limit_option()
@data_dir_option
@reports_errors
def demo(
    output: Path,
    seed: int,
    iterations: int,
    profile: Path | None,
    time_limit: float,
    data_dir: Path | None,
) -> None:
    """Run the whole chain on the data pack: calais-2016 scenario to plan and maps."""

    with timed_step("demo"), _unreachable_said_once():
        try:
            run, files = run_demo(
                output,
                data_dir=data_dir,
                seed=seed,
                iterations=iterations,
                profile=profile,
                progress=progress_on(),
                time_limit=time_limit,
            )
        except FolderBusyError as exc:
            raise DataError(str(exc)) from exc
    try:
        _report_run(run, files)
    finally:
        _open_next(files)


def _open_next(files: dict[str, Path]) -> None:
    """Close the demo with what to open: the two maps, the documents, the plan folder."""
    wanted = [
        ("plan_map", "the coach plan on a map (offline, any browser)"),
        ("capacity_map", "places and arrivals by department"),
        ("documents", "road sheets, arrival sheets, prefecture summaries"),
        ("plan/plan", "the plan folder: plan.json, trips.csv, manifests.csv"),
    ]
    found = [
        (
            f"{files[key].parent}/"
            if key == "plan/plan"
            else f"{files[key]}/"
            if files[key].is_dir()
            else str(files[key]),
            what,
        )
        for key, what in wanted
        if key in files
    ]
    if found:
        width = max(len(path) for path, _ in found)
        click.echo("Open next:\n" + "\n".join(f"  {path:<{width}}  {what}" for path, what in found))


COMPARED = (
    ("people placed", "placed"),
    ("coach trips", "trips"),
    ("seat fill %", "seat_fill_pct"),
    ("coach-km", "coach_km"),
    ("legal trips", "legal_trips"),
    ("two-driver trips", "two_driver_trips"),
    ("longest ride h", "longest_ride_h"),
    ("mean ride h", "mean_ride_h"),
    ("in preferred region %", "preferred_region_pct"),
    ("unplaced", "unplaced"),
    ("not carried", "not_carried"),
)


def _comparison(run: PlanRun) -> None:
    """abri's plan against the naive baseline, adults and all, figure by figure."""
    rows = {
        "abri, adults": plan_summary(run.plan, adults_only=True),
        "abri, all": plan_summary(run.plan),
    }
    if run.baseline is not None:
        rows["naive, adults"] = plan_summary(run.baseline, adults_only=True)
        rows["naive, all"] = plan_summary(run.baseline)
    click.echo(f"{'':<22}" + "".join(f"{label:>15}" for label in rows))
    for label, key in COMPARED:
        cells = (
            f"{row[key]:>15,}" if isinstance(row[key], int) else f"{row[key]:>15}"
            for row in rows.values()
        )
        click.echo(f"{label:<22}" + "".join(cells))


def _problems(run: PlanRun) -> list[Trip]:
    """Say each problem once (unreachable centres, illegal trips, plan check); return the illegal trips."""
    if run.unreachable:
        notes = run.snapped["note"]
        reasons = "; ".join(
            f"{c}: {notes.get(c, '').removeprefix('unreachable: ')}" for c in run.unreachable
        )
        click.echo(f"unreachable centres ({len(run.unreachable)}): {reasons}", err=True)
    illegal = [t for t in run.plan.trips if not t.legal]
    for trip in illegal[:20]:
        click.echo(f"illegal trip {trip.coach}: {' | '.join(trip.notes)}", err=True)
    if len(illegal) > 20:
        click.echo(
            f"... and {len(illegal) - 20} more illegal trips (see trips.csv, column notes)",
            err=True,
        )
    assert run.check is not None  # set by check_run
    for problem in run.check.plan:
        click.echo(f"plan check: {problem}", err=True)
    return illegal


_OWN_WAY = {"uk": "to the UK direct", "refusal": "refused"}


def _report_run(run: PlanRun, files: dict[str, Path]) -> None:
    """Print the comparison table, the files, the accounting and each problem once; exit 1 if the plan is not complete and legal."""
    for report in (run.centre_report, run.scenario.people_report):
        echo_report(report, limit=20)  # rows set aside are in the plan folder's *.rejects.csv
    _comparison(run)
    if run.plan.trips:
        click.echo(per_day(run.plan).to_string(index=False))
    click.echo("seconds: " + ", ".join(f"{k} {v}" for k, v in run.seconds.items()))
    for key, path in files.items():
        click.echo(f"{key:<14} {path}")
    check = run.check
    assert check is not None  # set by check_run
    for line in check.accounting.lines():
        click.echo(line, err=not check.accounting.ok)
    for warning in check.warnings:  # needs not met, listed with their cause (assignments.csv)
        click.echo(f"shortfall: {warning}", err=True)
    illegal = _problems(run)
    if not run.plan.trips:
        raise DataError(f"no coach trip planned: {_why_no_trip(run)}; the plan folder is written")
    if not check.accounting.ok:
        raise DataError(f"the people do not add up: {check.accounting}; the plan folder is written")
    if (
        len(run.allocation.unplaced)
        or len(run.plan.not_carried)
        or illegal
        or run.unreachable
        or check.plan
    ):
        raise DataError(
            f"incomplete plan: {len(run.allocation.unplaced)} unplaced, {len(run.plan.not_carried)} not carried, "
            f"{len(illegal)} illegal trips, {len(run.unreachable)} unreachable centres, {len(check.plan)} plan problems "
            f"(listed above); the partial plan is written"
        )


def _why_no_trip(run: PlanRun) -> str:
    """Why a plan has no trip, in the planner's words."""
    assert run.check is not None  # set by check_run
    report, accounting = run.scenario.people_report, run.check.accounting
    fleet = run.scenario.fleet
    if not bool(run.snapped.at[ORIGIN, "reachable"]):
        note = str(run.snapped.at[ORIGIN, "note"]).removeprefix("unreachable: ")
        return f"the origin {fleet.origin_name} ({fleet.origin_lon:g}, {fleet.origin_lat:g}) is off the road network: {note}"
    if report.rows_read == 0:
        return f"{report.file} has no people"
    if report.rows_rejected == report.rows_read:
        return (
            f"all {report.rows_read} rows of {report.file} were set aside (see people.rejects.csv)"
        )
    if accounting.unplaced and not run.allocation.placed.shape[0]:
        return "nobody could be placed: " + "; ".join(
            f"{n} people: {r}" for r, n in accounting.unplaced.items()
        )
    if accounting.not_carried:
        return "nobody could be carried: " + "; ".join(
            f"{n} people: {r}" for r, n in accounting.not_carried.items()
        )
    return "nobody to carry"
