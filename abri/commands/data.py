"""``abri data``: what the data pack holds, and fetching it from its publishers."""

from __future__ import annotations

from pathlib import Path

import click

from abri.commands.common import DataError, data_dir_option, progress_on, reports_errors
from abri.geo.fetch import SOURCES, FetchError, fetch_dataset
from abri.inputs.datadir import data_status, how_to_get, resolve_data_dir


@click.group()
def data() -> None:
    """The data pack: what is there."""


@data.command("status")
@data_dir_option
@click.option("--no-verify", is_flag=True, help="Skip checksum verification.")
def data_status_cmd(data_dir: Path | None, no_verify: bool) -> None:
    """List each dataset: present or missing, size, checksum."""

    root = resolve_data_dir(data_dir)
    rows = data_status(root, verify=not no_verify)
    click.echo(f"data directory: {root}")
    click.echo(f"{'dataset':<24} {'state':<8} {'size':>10}  {'checksum':<11} path")
    for r in rows:
        size = f"{r.size / 1e6:.2f} MB" if r.size is not None else "-"
        click.echo(
            f"{r.name:<24} {'present' if r.present else 'MISSING':<8} {size:>10}  {r.checksum:<11} {r.path}"
        )
    if any(not r.present for r in rows):
        click.echo(how_to_get(root), err=True)
        raise DataError("some datasets are missing")
    if any(r.checksum == "MISMATCH" for r in rows):
        raise DataError("some datasets do not match SHA256SUMS")


@data.command("fetch")
@click.argument("names", nargs=-1)
@click.option(
    "--all", "fetch_all", is_flag=True, help="Every dataset that has a publisher download."
)
@click.option(
    "--mirror",
    default=None,
    metavar="URL",
    help="Fetch the same file names from this server instead (or $ABRI_FETCH_MIRROR).",
)
@data_dir_option
@reports_errors
def data_fetch_cmd(
    names: tuple[str, ...], fetch_all: bool, mirror: str | None, data_dir: Path | None
) -> None:
    """Download datasets from their publishers, checked (SHA-256, or the publisher's MD5 for OSM extracts).

    NAMES: communes, departements, departements-simplifie, regions-simplifie,
    or osm:REGION (an OpenStreetMap PBF extract from Geofabrik, e.g.
    osm:nord-pas-de-calais, or osm:france for the whole country, for --roads). Needs internet; offline, copy the data pack.
    """

    if not names and not fetch_all:
        raise click.UsageError(
            f"name the datasets to fetch ({', '.join(SOURCES)}, osm:REGION) or give --all"
        )
    click.echo(f"data directory: {resolve_data_dir(data_dir)}", err=True)
    for name in dict.fromkeys([*names, *(SOURCES if fetch_all else ())]):
        try:
            path = fetch_dataset(name, data_dir, mirror=mirror, progress=progress_on())
        except FetchError as exc:
            raise DataError(str(exc)) from exc
        click.echo(f"{name}: {path}")
