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


# -------------------------------------------------------------------------- routing
def roads_options(func: F) -> F:
    """Options shared by every command that needs the road graph."""
    func = click.option("--profile", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
                        help="Coach speed profile (TOML); default: the packaged coach profile.")(func)
    func = click.option("--download", is_flag=True,
                        help="Fetch ROADS as a place name from OpenStreetMap (Overpass); needs internet.")(func)
    func = click.option("--roads", default="france-all-roads", show_default=True,
                        help="Road file (.osm, .osm.bz2, .graphml, abri .npz) or a data pack road set name.")(func)
    return data_dir_option(func)


def _graph(roads: str, data_dir: Path | None, download: bool, profile: Path | None):
    from abri.routing.graph import load_graph
    from abri.routing.profile import load_profile

    with _step(f"road graph {roads}"):
        return load_graph(roads, profile=load_profile(profile), data_dir=data_dir, download=download)


class _step:
    """Print how long a step took, on stderr."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __enter__(self) -> None:
        import time

        self.start = time.perf_counter()
        click.echo(f"{self.label} ...", err=True)

    def __exit__(self, *exc: object) -> None:
        import time

        if exc[0] is None:
            click.echo(f"{self.label}: done in {time.perf_counter() - self.start:.1f} s", err=True)


def parse_lonlat(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[float, float] | None:
    """``'1.86,50.95'`` -> ``(1.86, 50.95)``."""
    if value is None:
        return None
    try:
        lon, lat = (float(v) for v in value.split(","))
    except ValueError:
        raise click.BadParameter(f"got {value!r}; expected LON,LAT in degrees, e.g. 1.8587,50.9513") from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise click.BadParameter(f"got {value!r}; longitude must be in [-180, 180] and latitude in [-90, 90]")
    return lon, lat


CALAIS = "1.8587,50.9513"


@main.group()
def graph() -> None:
    """The road graph."""


@graph.command("build")
@click.argument("roads")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Graph file: .npz (abri arrays, fast) or .graphml.")
@click.option("--profile", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
@click.option("--download", is_flag=True, help="Fetch ROADS as a place name from OpenStreetMap; needs internet.")
@data_dir_option
@reports_errors
def graph_build(roads: str, output: Path, profile: Path | None, download: bool, data_dir: Path | None) -> None:
    """Build the coach road graph from ROADS (a file or data pack road set) and save it."""
    g = _graph(roads, data_dir, download, profile)
    if output.suffix == ".graphml":
        import networkx as nx

        nx.write_graphml(g.to_networkx(), output)
    else:
        g.save(output)
    click.echo(f"{g.n_nodes:,} junctions, {g.n_edges:,} directed edges, "
               f"{int((g.components == g.main_component).sum()):,} in the main network -> {output}")


@main.command()
@click.argument("centres", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="matrix.csv or matrix.parquet (rows from_id, to_id, minutes, km).")
@click.option("--origin", callback=parse_lonlat, default=CALAIS, show_default=True, help="Origin LON,LAT (row ORIGIN).")
@click.option("--jobs", type=int, default=None, help="Worker processes (default: all cores).")
@roads_options
@click.option("--strict", is_flag=True, help="Exit non-zero on any error in the centre file.")
@reports_errors
def matrix(centres: Path, output: Path, origin: tuple[float, float], jobs: int | None, roads: str,
           download: bool, profile: Path | None, data_dir: Path | None, strict: bool) -> None:
    """Travel times and distances: origin to every centre, and centre to centre."""
    import numpy as np
    import pandas as pd

    from abri.files import write_atomic
    from abri.routing.matrix import matrix_long, travel_matrix
    from abri.routing.profile import load_profile
    from abri.routing.snap import snap_points

    if output.suffix not in (".csv", ".parquet"):
        raise click.BadParameter(f"got {output.name!r}; expected a .csv or .parquet file", param_hint="--output")
    gdf, _ = _load_centres(centres, data_dir, output.with_name(f"{output.stem}.rejects.csv"), strict)
    g = _graph(roads, data_dir, download, profile)
    lon = np.concatenate([[origin[0]], gdf["lon"].to_numpy(float)])
    lat = np.concatenate([[origin[1]], gdf["lat"].to_numpy(float)])
    snapped = snap_points(g, lon, lat, ids=["ORIGIN", *gdf["id"].astype(str)], profile=load_profile(profile))
    for ident, note in snapped.loc[snapped["note"] != "", "note"].items():
        click.echo(f"{ident}: {note}", err=True)
    with _step(f"matrix {len(snapped)} x {len(snapped)}"):
        times, lengths = travel_matrix(g, snapped, snapped, n_jobs=jobs, progress=True)
    table = matrix_long(times, lengths)
    if output.suffix == ".parquet":
        tmp = output.with_name(f".{output.name}.tmp")
        table.to_parquet(tmp, index=False)
        tmp.replace(output)
    else:
        write_atomic(output, table.to_csv(index=False).encode("utf-8"))
    unreachable = snapped.index[~snapped["reachable"]].tolist()
    from_origin = times.loc["ORIGIN"].drop("ORIGIN")
    click.echo(f"{len(table):,} pairs -> {output}; from origin: median {np.nanmedian(from_origin) / 3600:.1f} h, "
               f"max {np.nanmax(from_origin) / 3600:.1f} h")
    if unreachable:
        click.echo(f"unreachable ({len(unreachable)}): {', '.join(unreachable)}", err=True)
        raise DataError(f"{len(unreachable)} points cannot be reached by road")


@main.command("route")
@click.option("--from", "start", callback=parse_lonlat, default=CALAIS, show_default=True, help="LON,LAT")
@click.option("--to", "end", callback=parse_lonlat, required=True, help="LON,LAT")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the route as GeoJSON.")
@roads_options
@reports_errors
def route_cmd(start: tuple[float, float], end: tuple[float, float], output: Path | None, roads: str,
              download: bool, profile: Path | None, data_dir: Path | None) -> None:
    """Fastest coach route between two points: km, hours, roads taken."""
    from abri.files import write_text_atomic
    from abri.routing.profile import load_profile
    from abri.routing.route import route, route_frame
    from abri.routing.snap import Snapper

    g = _graph(roads, data_dir, download, profile)
    r = route(Snapper(g, load_profile(profile)), start, end)
    click.echo(f"{r.km:.1f} km, {r.hours:.2f} h driving ({int(r.hours)} h {round(r.hours % 1 * 60):02d} min)")
    click.echo(f"access legs: {r.access_km:.1f} km; roads: {' '.join(r.roads) or '-'}")
    if output:
        write_text_atomic(output, route_frame([r], ["route"]).to_json(drop_id=True))
        click.echo(f"route -> {output}", err=True)


# ----------------------------------------------------------------------------- maps
@main.group("map")
def map_group() -> None:
    """Interactive HTML maps that work offline (and PNG images)."""


def map_options(func: F) -> F:
    """Options shared by the map commands."""
    func = click.option("--png", is_flag=True, help="Also write a static PNG next to the HTML.")(func)
    func = click.option("--tiles", type=click.Choice(["none", "osm", "light"]), default="none", show_default=True,
                        help="Background tiles (fetched from the internet when the map is opened); none works offline.")(func)
    return data_dir_option(func)


@map_group.command("capacity")
@click.argument("centres", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("capacity.html"), show_default=True)
@click.option("--origin", callback=parse_lonlat, default=CALAIS, show_default=True, help="Origin LON,LAT to mark.")
@map_options
@click.option("--strict", is_flag=True, help="Exit non-zero on any error in the centre file.")
@reports_errors
def map_capacity(centres: Path, output: Path, origin: tuple[float, float], tiles: str, png: bool, data_dir: Path | None, strict: bool) -> None:
    """Map of capacity by department, with every centre."""
    from abri.maps.capacity import write_capacity_map

    gdf, _ = _load_centres(centres, data_dir, output.with_name(f"{output.stem}.rejects.csv"), strict)
    for path in write_capacity_map(gdf, output, png=png, data_dir=data_dir, tiles=tiles, origin=(*origin, "origin")):
        click.echo(f"{path} ({path.stat().st_size / 1e6:.2f} MB)")


@map_group.command("plan")
@click.argument("plan_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("plan.html"), show_default=True)
@map_options
@reports_errors
def map_plan(plan_dir: Path, output: Path, tiles: str, png: bool, data_dir: Path | None) -> None:
    """Map of a coach plan: trips by day along their roads, centres by occupancy."""
    from abri.maps.plan import write_plan_map

    for path in write_plan_map(plan_dir, output, png=png, data_dir=data_dir, tiles=tiles):
        click.echo(f"{path} ({path.stat().st_size / 1e6:.2f} MB)")


# ------------------------------------------------------------------- scenario & plan
@main.command()
@click.argument("name", type=click.Choice(["calais-2016"]))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True, help="Scenario folder to write.")
@click.option("--seed", type=int, default=2016, show_default=True)
@click.option("--centres", "n_centres", type=int, default=450, show_default=True, help="Adult reception centres (CAO).")
@click.option("--places", type=int, default=7500, show_default=True, help="Places in adult centres.")
@click.option("--coaches", type=int, default=60, show_default=True, help="Coaches available per day.")
@click.option("--seats", type=int, default=55, show_default=True, help="Seats per coach.")
@data_dir_option
@reports_errors
def scenario(name: str, output: Path, seed: int, n_centres: int, places: int, coaches: int, seats: int, data_dir: Path | None) -> None:
    """Write a SYNTHETIC scenario calibrated on the public figures of 2016."""
    from abri.geo.scenario import LABEL, ScenarioParams, write_scenario

    for label, value in (("--centres", n_centres), ("--places", places), ("--coaches", coaches), ("--seats", seats)):
        if value < 1:
            raise click.BadParameter(f"got {value}; expected at least 1", param_hint=label)
    params = ScenarioParams(seed=seed, centres=n_centres, places=places, coaches_per_day=coaches, seats=seats)
    files = write_scenario(params, output, data_dir=data_dir)
    click.echo(LABEL, err=True)
    for key, path in files.items():
        click.echo(f"{key:<9} {path}")


def plan_options(func: F) -> F:
    """Options of the commands that run the planning chain."""
    func = click.option("--seed", type=int, default=1, show_default=True, help="Solver seed (same seed, same plan).")(func)
    func = click.option("--iterations", type=int, default=3000, show_default=True, help="PyVRP iterations per day.")(func)
    func = click.option("--jobs", type=int, default=None, help="Worker processes for the travel-time matrix.")(func)
    func = click.option("--roads", default="france-all-roads", show_default=True, help="Road file or data pack road set.")(func)
    return data_dir_option(func)


def _print_unplaced(allocation) -> None:  # type: ignore[no-untyped-def]
    unplaced = allocation.unplaced
    if len(unplaced):
        for reason, count in unplaced.groupby("reason").size().items():
            click.echo(f"unplaced: {count} people: {reason}", err=True)


@main.command("allocate")
@click.argument("scenario_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for assignments.csv (default: the scenario folder).")
@plan_options
@reports_errors
def allocate_cmd(scenario_dir: Path, output: Path | None, seed: int, iterations: int, jobs: int | None, roads: str, data_dir: Path | None) -> None:
    """Assign people to centres (capacity, groups, preferences, travel time)."""
    import numpy as np

    from abri.files import write_text_atomic
    from abri.geo.centres import read_centres
    from abri.geo.people import read_scenario
    from abri.routing.allocation import allocate
    from abri.routing.matrix import travel_matrix
    from abri.routing.snap import snap_points

    scen = read_scenario(scenario_dir)
    centres, _ = _load_centres(scen.centres_path, data_dir, (output or scenario_dir) / "centres.rejects.csv", False)
    g = _graph(roads, data_dir, False, None)
    snapped = snap_points(g, np.r_[scen.fleet.origin_lon, centres["lon"].to_numpy(float)],
                          np.r_[scen.fleet.origin_lat, centres["lat"].to_numpy(float)], ids=["ORIGIN", *centres["id"].astype(str)])
    times, _ = travel_matrix(g, snapped.iloc[:1], snapped, with_distance=False, n_jobs=1)
    with _step("allocation"):
        result = allocate(scen.people, centres, times.loc["ORIGIN"], penalty_hours=scen.rules.preference_penalty_hours)
    target = (output or scenario_dir) / "assignments.csv"
    write_text_atomic(target, result.assignments.to_csv(index=False))
    click.echo(f"{len(result.placed):,} of {len(result.assignments):,} people placed; "
               f"{100 * result.preferred_share():.1f}% of adults in a preferred region -> {target}")
    _print_unplaced(result)
    if len(result.unplaced):
        raise DataError(f"{len(result.unplaced)} people could not be placed (see {target}, column reason)")


@main.command("plan")
@click.argument("scenario_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True, help="Plan folder to write.")
@click.option("--no-baseline", is_flag=True, help="Skip the naive baseline.")
@plan_options
@reports_errors
def plan_cmd(scenario_dir: Path, output: Path, no_baseline: bool, seed: int, iterations: int, jobs: int | None, roads: str, data_dir: Path | None) -> None:
    """Allocate people and plan coaches, day by day; write plan.json, trips.csv, manifests.csv."""
    from abri.pipeline import run_plan, write_run

    with _step("plan"):
        run = run_plan(scenario_dir, roads=roads, data_dir=data_dir, seed=seed, iterations=iterations,
                       baseline=not no_baseline, jobs=jobs, progress=True)
        files = write_run(run, output)
    _report_run(run, files)


@main.command()
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=Path("abri-demo"), show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--iterations", type=int, default=3000, show_default=True, help="PyVRP iterations per day.")
@data_dir_option
@reports_errors
def demo(output: Path, seed: int, iterations: int, data_dir: Path | None) -> None:
    """Run the whole chain on the data pack: calais-2016 scenario to plan and maps."""
    from abri.pipeline import run_demo

    with _step("demo"):
        run, files = run_demo(output, data_dir=data_dir, seed=seed, iterations=iterations)
    _report_run(run, files)


def _report_run(run, files: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    """Print the comparison table and the files; exit 1 if anyone is left behind or a trip is illegal."""
    from abri.routing.summary import per_day, plan_summary

    click.echo(run.centre_report.summary(), err=True)
    rows = {"abri, adults": plan_summary(run.plan, adults_only=True), "abri, all": plan_summary(run.plan)}
    if run.baseline is not None:
        rows["naive, adults"] = plan_summary(run.baseline, adults_only=True)
        rows["naive, all"] = plan_summary(run.baseline)
    figures = [("people placed", "placed"), ("coach trips", "trips"), ("seat fill %", "seat_fill_pct"), ("coach-km", "coach_km"),
               ("legal trips", "legal_trips"), ("two-driver trips", "two_driver_trips"), ("longest ride h", "longest_ride_h"),
               ("mean ride h", "mean_ride_h"), ("in preferred region %", "preferred_region_pct"), ("unplaced", "unplaced"),
               ("not carried", "not_carried")]
    click.echo(f"{'':<22}" + "".join(f"{label:>15}" for label in rows))
    for label, key in figures:
        click.echo(f"{label:<22}" + "".join(f"{row[key]:>15,}" if isinstance(row[key], int) else f"{row[key]:>15}" for row in rows.values()))
    click.echo(per_day(run.plan).to_string(index=False))
    click.echo("seconds: " + ", ".join(f"{k} {v}" for k, v in run.seconds.items()))
    for key, path in files.items():
        click.echo(f"{key:<14} {path}")
    if run.unreachable:
        click.echo(f"unreachable centres: {', '.join(run.unreachable)}", err=True)
    _print_unplaced(run.allocation)
    illegal = [t.coach for t in run.plan.trips if not t.legal]
    if len(run.allocation.unplaced) or len(run.plan.not_carried) or illegal:
        raise DataError(f"incomplete plan: {len(run.allocation.unplaced)} unplaced, {len(run.plan.not_carried)} not carried, "
                        f"{len(illegal)} illegal trips; the partial plan is written")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
