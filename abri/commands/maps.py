"""``abri map``: offline HTML maps and PNG images."""

from __future__ import annotations

from pathlib import Path

import click

from abri.commands.common import (
    CALAIS,
    F,
    check_outputs,
    data_dir_option,
    parse_lonlat,
    read_and_report_centres,
    reports_errors,
)
from abri.i18n import DEFAULT_LANG, LANGS
from abri.maps.capacity import write_capacity_map
from abri.maps.plan import PlanData, write_plan_map


@click.group("map")
def map_group() -> None:
    """Interactive HTML maps that work offline (and PNG images)."""


def map_options(func: F) -> F:
    """Options shared by the map commands."""
    func = click.option(
        "--lang",
        type=click.Choice(LANGS),
        default=DEFAULT_LANG,
        show_default=True,
        help="Language of the map's words (French by default, like the documents).",
    )(func)
    func = click.option(
        "--dpi",
        type=click.IntRange(50, 1200),
        default=150,
        show_default=True,
        help="Resolution of the PNG image.",
    )(func)
    func = click.option(
        "--pdf", is_flag=True, help="Also write a PDF report image next to the HTML."
    )(func)
    func = click.option(
        "--svg", is_flag=True, help="Also write an SVG report image next to the HTML."
    )(func)
    func = click.option(
        "--png", is_flag=True, help="Also write a PNG report image next to the HTML."
    )(func)
    func = click.option(
        "--tiles",
        type=click.Choice(["none", "osm", "light"]),
        default="none",
        show_default=True,
        help="Background tiles (fetched from the internet when the map is opened); none works offline.",
    )(func)
    return data_dir_option(func)


@map_group.command("capacity")
@click.argument("centres", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("capacity.html"),
    show_default=True,
)
@click.option(
    "--origin",
    callback=parse_lonlat,
    default=CALAIS,
    show_default=True,
    help="Origin LON,LAT to mark.",
)
@click.option(
    "--plan",
    "plan_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="A plan folder (abri plan): adds people allocated, occupancy and each centre's arrivals.",
)
@map_options
@click.option("--strict", is_flag=True, help="Exit non-zero on any error in the centre file.")
@reports_errors
def map_capacity(
    centres: Path,
    output: Path,
    origin: tuple[float, float],
    plan_dir: Path | None,
    tiles: str,
    png: bool,
    svg: bool,
    pdf: bool,
    dpi: int,
    lang: str,
    data_dir: Path | None,
    strict: bool,
) -> None:
    """Map of capacity by department, with every centre (and, with --plan, who arrives where and when)."""

    rejects = output.with_name(f"{output.stem}.rejects.csv")
    check_outputs({"--output": output}, inputs=(centres,), maybe={"rejects": rejects})
    gdf, _ = read_and_report_centres(centres, data_dir, rejects, strict)
    plan = PlanData.from_folder(plan_dir) if plan_dir else None
    name = plan.origin[2] if plan else "origin"
    for path in write_capacity_map(
        gdf,
        output,
        png=png,
        svg=svg,
        pdf=pdf,
        dpi=dpi,
        data_dir=data_dir,
        tiles=tiles,
        origin=(*origin, name),
        plan=plan,
        scenario=plan.name if plan else centres.stem,
        lang=lang,
    ):
        click.echo(f"{path} ({path.stat().st_size / 1e6:.2f} MB)")


@map_group.command("plan")
@click.argument("plan_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("plan.html"),
    show_default=True,
)
@click.option(
    "--sheets",
    default=None,
    help="The documents folder (abri documents), relative to the map's file: popups link to the "
    "road sheet of each trip and the arrival sheet of each centre.",
)
@map_options
@reports_errors
def map_plan(
    plan_dir: Path,
    output: Path,
    sheets: str | None,
    tiles: str,
    png: bool,
    svg: bool,
    pdf: bool,
    dpi: int,
    lang: str,
    data_dir: Path | None,
) -> None:
    """Map of a coach plan: trips by day along their roads (click one for its sheet), centres by how full."""

    check_outputs(
        {"--output": output}, inputs=tuple(plan_dir.iterdir())
    )  # never over a file of the plan read
    for path in write_plan_map(
        plan_dir,
        output,
        png=png,
        svg=svg,
        pdf=pdf,
        dpi=dpi,
        data_dir=data_dir,
        tiles=tiles,
        lang=lang,
        sheets=sheets,
    ):
        click.echo(f"{path} ({path.stat().st_size / 1e6:.2f} MB)")
