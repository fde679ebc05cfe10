"""``abri graph``, ``abri matrix``, ``abri route``: the road side."""

from __future__ import annotations

from pathlib import Path

import click

from abri.commands.common import (
    CALAIS,
    DataError,
    check_outputs,
    data_dir_option,
    parse_lonlat,
    progress_on,
    read_and_report_centres,
    reports_errors,
    road_graph,
    roads_options,
    timed_step,
)
from abri.constants import ORIGIN
from abri.files import write_frame, write_text_atomic
from abri.geo.gazetteer import Gazetteer
from abri.inputs.limits import MAX_JOBS, check_matrix
from abri.inputs.scenario import Rules
from abri.planning.schedule import _drive, clock_to_s, driver_limit_s, margin, s_to_clock
from abri.routing.matrix import matrix_long
from abri.routing.measure import snap_and_measure
from abri.routing.profile import load_profile
from abri.routing.route import route, route_frame
from abri.routing.snap import Snapper


def lonlat_or_name(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[float, float] | str | None:
    """``'1.86,50.95'`` -> ``(1.86, 50.95)``; a place name (``'Laval (53)'``) is kept, resolved later."""
    if value is None or value.strip()[:1] in "0123456789-+.":
        return parse_lonlat(ctx, param, value)
    return value


def resolve_place(
    value: tuple[float, float] | str, data_dir: Path | None, hint: str
) -> tuple[float, float]:
    """The point of LON,LAT or of a commune written as people write it (its warnings said on stderr)."""
    if isinstance(value, tuple):
        return value
    found = Gazetteer.from_data_dir(data_dir).by_name(value)
    if found.place is None:
        raise click.BadParameter(
            f"got {value!r}: {found.detail}; expected LON,LAT or a commune "
            "(with its department if the name repeats: 'Valence (26)')",
            param_hint=hint,
        )
    for _, text in found.warnings:
        click.echo(f"{hint}: {text}", err=True)
    click.echo(f"{hint}: {found.place.nom} ({found.place.insee})", err=True)
    return found.place.lon, found.place.lat


@click.group()
def graph() -> None:
    """The road graph."""


@graph.command("build")
@click.argument("roads")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Graph file: .npz (abri arrays, fast) or .graphml.",
)
@click.option(
    "--profile", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None
)
@click.option(
    "--download",
    is_flag=True,
    help="Fetch ROADS as a place name from OpenStreetMap; needs internet.",
)
@data_dir_option
@reports_errors
def graph_build(
    roads: str, output: Path, profile: Path | None, download: bool, data_dir: Path | None
) -> None:
    """Build the coach road graph from ROADS (.osm, .osm.bz2, .osm.pbf, .graphml, or a data pack road set) and save it."""
    check_outputs({"--output": output})
    g = road_graph(roads, data_dir, download, profile)
    if output.suffix == ".graphml":
        import networkx as nx

        nx.write_graphml(g.to_networkx(), output)
    else:
        g.save(output)
    click.echo(
        f"{g.n_nodes:,} junctions, {g.n_edges:,} directed edges, "
        f"{int((g.components == g.main_component).sum()):,} in the main network -> {output}"
    )
    if len(g.blocked_why):
        from collections import Counter

        kinds = Counter(str(w).split("=")[0] for w in g.blocked_why)
        click.echo(
            f"{len(g.blocked_why):,} directed edges closed to the coach by restrictions: "
            + ", ".join(f"{k} {n:,}" for k, n in kinds.most_common())
        )


@click.command()
@click.argument("centres", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="matrix.csv or matrix.parquet (rows from_id, to_id, minutes, km).",
)
@click.option(
    "--origin",
    callback=parse_lonlat,
    default=CALAIS,
    show_default=True,
    help="Origin LON,LAT (row ORIGIN).",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, MAX_JOBS),
    default=None,
    help="Worker processes (default: all cores).",
)
@roads_options
@click.option("--strict", is_flag=True, help="Exit non-zero on any error in the centre file.")
@reports_errors
def matrix(
    centres: Path,
    output: Path,
    origin: tuple[float, float],
    jobs: int | None,
    roads: str,
    download: bool,
    profile: Path | None,
    data_dir: Path | None,
    strict: bool,
) -> None:
    """Travel times and distances: origin to every centre, and centre to centre."""
    import numpy as np

    if output.suffix not in (".csv", ".parquet"):
        raise click.BadParameter(
            f"got {output.name!r}; expected a .csv or .parquet file", param_hint="--output"
        )

    rejects = output.with_name(f"{output.stem}.rejects.csv")
    check_outputs({"--output": output}, inputs=(centres,), maybe={"rejects": rejects})
    gdf, _ = read_and_report_centres(centres, data_dir, rejects, strict)
    if not len(gdf):
        raise DataError(
            f"{centres}: no centre left to measure (every row was set aside: see {rejects})"
        )
    check_matrix(len(gdf) + 1, source=str(centres))
    g = road_graph(roads, data_dir, download, profile)
    with timed_step(f"matrix {len(gdf) + 1} x {len(gdf) + 1}"):
        snapped, times, lengths = snap_and_measure(
            g, origin, gdf, profile=load_profile(profile), jobs=jobs, progress=progress_on()
        )
    for ident, note in snapped.loc[(snapped["note"] != "") & snapped["reachable"], "note"].items():
        click.echo(f"{ident}: {note}", err=True)
    table = matrix_long(times, lengths)
    write_frame(output, table)
    unreachable = snapped.index[~snapped["reachable"]].tolist()
    from_origin = times.loc[ORIGIN].drop(ORIGIN)
    click.echo(
        f"{len(table):,} pairs -> {output}; from origin: median {np.nanmedian(from_origin) / 3600:.1f} h, "
        f"max {np.nanmax(from_origin) / 3600:.1f} h"
    )
    if unreachable:
        click.echo(f"unreachable ({len(unreachable)}): {', '.join(unreachable)}", err=True)
        raise DataError(f"{len(unreachable)} points cannot be reached by road")


@click.command("route")
@click.option(
    "--from",
    "start",
    callback=lonlat_or_name,
    default=CALAIS,
    show_default=True,
    help="LON,LAT (longitude first) or a commune ('Laval (53)')",
)
@click.option(
    "--to",
    "end",
    callback=lonlat_or_name,
    required=True,
    help="LON,LAT (longitude first) or a commune ('Laval (53)')",
)
@click.option(
    "--depart",
    default=None,
    help="Departure time HH:MM for the arrival time (default: the rules' first departure).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the route as GeoJSON.",
)
@roads_options
@reports_errors
def route_cmd(
    start: tuple[float, float] | str,
    end: tuple[float, float] | str,
    depart: str | None,
    output: Path | None,
    roads: str,
    download: bool,
    profile: Path | None,
    data_dir: Path | None,
) -> None:
    """Fastest coach route between two points: km, driving time, breaks, arrival, roads taken."""

    check_outputs({"--output": output})
    rules = Rules()
    try:
        leave = clock_to_s(depart or rules.departure)
        if not 0 <= leave < 24 * 3600:
            raise ValueError
    except ValueError:
        raise click.BadParameter(
            f"got {depart!r}; expected a time HH:MM such as 07:30", param_hint="--depart"
        ) from None
    start, end = resolve_place(start, data_dir, "--from"), resolve_place(end, data_dir, "--to")
    g = road_graph(roads, data_dir, download, profile)
    r = route(Snapper(g, load_profile(profile)), start, end)
    planned = r.hours * 3600 * margin(rules)
    drivers = 1 if planned <= driver_limit_s(rules) else 2
    [arrival], [breaks] = _drive([planned], rules, drivers, leave, [(0, 0)], 0.0)
    click.echo(
        f"{r.km:.1f} km, {r.hours:.2f} h driving ({int(r.hours)} h {round(r.hours % 1 * 60):02d} min)"
    )
    crew = (
        "one driver"
        if drivers == 1
        else "two drivers (over one driver's daily limit; no break stops)"
    )
    click.echo(
        f"planned with the rules' {rules.margin_pct:g}% margin: {planned / 3600:.2f} h, {breaks} break(s) of "
        f"{rules.break_minutes} min, {crew}; leaving {s_to_clock(leave)}, arriving {s_to_clock(arrival)}"
    )
    click.echo(f"access legs: {r.access_km:.1f} km; roads: {' '.join(r.roads) or '-'}")
    if r.avoided:
        click.echo(
            f"coach restrictions changed the route: it avoids {', '.join(r.avoided)} "
            f"(the detour takes {r.avoided_s / 60:.0f} min more than the road the coach may not take)"
        )
    if output:
        write_text_atomic(output, route_frame([r], ["route"]).to_json(drop_id=True))
        click.echo(f"route -> {output}", err=True)
