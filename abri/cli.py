"""The ``abri`` command line: parse, call, print. No logic lives here."""

from __future__ import annotations

import logging
import os
import sys

import click

from abri.commands import centres, data, maps, planning, routing
from abri.commands.documents import documents_cmd
from abri.commands.readiness import readiness_cmd
from abri.commands.replan import rehearse_cmd, replan_cmd, status_cmd
from abri.commands.sweep import sweep_cmd
from abri.files import CSV_DIALECT_ENV, CSV_DIALECTS


class GuardedGroup(click.Group):
    """The command group with a last resort: an unexpected error is one line with its cause and exit 1, not a traceback.

    Under ``-v`` the traceback is shown, for a bug report.
    """

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if ctx.params.get("verbose"):
                raise
            if isinstance(exc, OSError) and exc.strerror:
                cause = f"{exc.filename + ': ' if exc.filename else ''}{exc.strerror}"
            else:
                cause = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            msg = f"unexpected failure ({cause}); nothing more is known here: rerun with -v for the details to report"
            raise click.ClickException(msg) from exc


@click.group(cls=GuardedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.option(
    "--csv-dialect",
    type=click.Choice(CSV_DIALECTS),
    default=None,
    help="Every CSV the command writes: excel-fr (UTF-8 with BOM, ';', decimal comma, for French "
    f"Excel) or default (comma CSV); default: ${CSV_DIALECT_ENV}, else default "
    "(abri documents: excel-fr for French documents).",
)
@click.version_option(package_name="abri")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool, csv_dialect: str | None) -> None:
    """abri: move people from a camp to reception centres, fast, safely and fairly."""
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if csv_dialect:  # for this command only: the environment is given back when it ends
        before = os.environ.get(CSV_DIALECT_ENV)
        os.environ[CSV_DIALECT_ENV] = csv_dialect

        def restore() -> None:
            if before is None:
                os.environ.pop(CSV_DIALECT_ENV, None)
            else:
                os.environ[CSV_DIALECT_ENV] = before

        ctx.call_on_close(restore)


def _register() -> None:
    """Hang every command family off the group (each lives in ``abri.commands``)."""

    for command in (
        data.data,
        centres.validate,
        centres.capacity,
        routing.graph,
        routing.matrix,
        routing.route_cmd,
        maps.map_group,
        planning.scenario,
        planning.allocate_cmd,
        planning.plan_cmd,
        planning.demo,
    ):
        main.add_command(command)

    main.add_command(sweep_cmd)

    main.add_command(documents_cmd)

    main.add_command(readiness_cmd)

    main.add_command(replan_cmd)
    main.add_command(status_cmd)
    main.add_command(rehearse_cmd)


_register()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
