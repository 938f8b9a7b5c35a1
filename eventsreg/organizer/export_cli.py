"""``flask registrations export``: an event's registrations as CSV or XLSX, from the shell.

Like a download from the organiser's pages, every export is written in the export log.
"""

import getpass
import os
from pathlib import Path
from typing import NoReturn

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from .. import exports
from ..events.models import Event
from ..extensions import db
from .services import record_export

registrations_cli = AppGroup("registrations", help="Registrations of an event.")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return str(os.getuid())


def _fail(message: str) -> NoReturn:
    click.secho(f"Error: {message}", fg="red", err=True)
    raise SystemExit(1)


@registrations_cli.command("export")
@click.argument("slug")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "xlsx"]),
    default="csv",
    show_default=True,
    help="File format.",
)
@click.option(
    "--sep",
    type=click.Choice(["semicolon", "comma"]),
    default="semicolon",
    show_default=True,
    help="CSV separator: semicolon for Excel and LibreOffice in Italian, comma otherwise.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write; without it the CSV goes to standard output (XLSX needs a file).",
)
def export_command(slug, file_format, sep, output):
    """Export an event's registrations (every status, oldest first) as CSV or XLSX."""
    event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
    if event is None:
        _fail(f"no event with slug {slug!r}")
    delimiter = "," if sep == "comma" else ";"
    record_export(event, file_format, f"cli:{_os_user()}")
    if output is None:
        if file_format == "xlsx":
            _fail("an XLSX export needs --output FILE")
        with click.open_file("-", "wb") as stream:
            for chunk in exports.csv_chunks(event, delimiter):
                stream.write(chunk)
        return
    total = exports.registration_count(event)
    try:
        with click.progressbar(
            exports.registration_rows(event), length=total + 1, label="Exporting"
        ) as rows:
            if file_format == "csv":
                chunks = exports.csv_chunks(event, delimiter, rows=rows)
            else:
                chunks = exports.xlsx_chunks(event, rows=rows)
            # Atomic: written aside and moved into place, so a failure leaves no half file.
            with click.open_file(output, "wb", atomic=True) as fh:
                for chunk in chunks:
                    fh.write(chunk)
    except (OSError, SQLAlchemyError) as error:
        _fail(f"export failed: {error}")
    click.echo(f"{total} registrations of {event.slug} written to {output}.")
