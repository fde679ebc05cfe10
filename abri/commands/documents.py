"""``abri documents``: road sheets, arrival sheets, prefecture and operation summaries from a plan folder."""

from __future__ import annotations

from pathlib import Path

import click

from abri.commands.common import (
    DataError,
    F,
    check_output_folder,
    data_dir_option,
    reports_errors,
    timed_step,
)
from abri.documents import MARKER, check_documents_dir, write_documents
from abri.errors import FolderBusyError
from abri.files import CsvDialect
from abri.i18n import DEFAULT_LANG, LANGS
from abri.readiness import read_prefecture_rows


def lang_option(func: F) -> F:
    """``--lang fr|en``: the language of documents (French by default: what préfecture staff read)."""
    return click.option(
        "--lang",
        type=click.Choice(LANGS),
        default=DEFAULT_LANG,
        show_default=True,
        help="Language of the documents: words, dates (24/10/2016) and numbers (decimal comma in French).",
    )(func)


def document_options(func: F) -> F:
    """Options of every command that writes documents."""
    func = click.option(
        "--roster",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help="Fleet roster (CSV/Excel) with a 'coach' column of the plan's coach ids; its other columns "
        "(company, plate, driver phone...) reach the sheets.",
    )(func)
    func = click.option("--pdf", is_flag=True, help="Also write each document as PDF.")(func)
    func = click.option(
        "--csv-dialect",
        type=click.Choice(["default", "excel-fr"]),
        default=None,
        help="CSV for French Excel (excel-fr: UTF-8 with BOM, ';', decimal comma) or plain comma CSV; "
        "default: excel-fr with --lang fr, else default.",
    )(func)
    return lang_option(func)


def echo_documents(files: dict[str, Path]) -> None:
    """Print the documents written, one per line."""
    for key, path in files.items():
        click.echo(f"{key:<27} {path}")


@click.command("documents")
@click.argument("plan_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Documents folder to write (replaced whole).",
)
@click.option(
    "--readiness",
    "readiness_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="A folder written by `abri readiness -o`: each prefecture summary gets its places by group and the places to open.",
)
@click.option(
    "--dispatcher",
    default="",
    help="The operation desk's contact (name and phone) printed on every road sheet, e.g. "
    "'PC Calais, 03 21 00 00 00'.",
)
@document_options
@data_dir_option
@reports_errors
def documents_cmd(
    plan_dir: Path,
    output: Path,
    readiness_dir: Path | None,
    dispatcher: str,
    lang: str,
    csv_dialect: CsvDialect | None,
    pdf: bool,
    roster: Path | None,
    data_dir: Path | None,
) -> None:
    """Coach road sheets, centre arrival sheets, prefecture summaries and the operation summary: HTML, PDF, XLSX, CSV."""

    check_documents_dir(
        output, plan_dir
    )  # before any work: never over the plan, nor over files that are not documents
    check_output_folder(
        output,
        marker=MARKER,
        inputs={"PLAN_DIR": plan_dir, "--readiness": readiness_dir, "--roster": roster},
    )
    readiness = None
    if readiness_dir is not None:
        readiness = read_prefecture_rows(readiness_dir)
    with timed_step("documents"):
        try:
            files = write_documents(
                plan_dir,
                output,
                lang=lang,
                dialect=csv_dialect,
                pdf=pdf,
                roster=roster,
                data_dir=data_dir,
                readiness=readiness,
                dispatcher=dispatcher,
            )
        except FolderBusyError as exc:
            raise DataError(str(exc)) from exc
    echo_documents(files)
