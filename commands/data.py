"""``abri data``: what the data pack holds."""

from __future__ import annotations

from pathlib import Path

import click

from abri.commands.common import DataError, data_dir_option


@click.group()
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


@data.command("fetch")
@click.argument("names", nargs=-1)
@data_dir_option
def data_fetch_cmd(names: tuple[str, ...], data_dir: Path | None) -> None:
    """Download boundary files from their publisher (needs internet; offline, copy the data pack)."""
    from abri.geo.fetch import SOURCES, FetchError, fetch_dataset

    for name in names or tuple(SOURCES):
        try:
            path = fetch_dataset(name, data_dir)
        except FetchError as exc:
            raise DataError(str(exc)) from exc
        click.echo(f"{name}: {path}")
