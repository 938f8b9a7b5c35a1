"""``flask privacy …`` commands."""

import click
from flask import current_app
from flask.cli import AppGroup

from ..dbtypes import utcnow
from . import services

privacy_cli = AppGroup("privacy", help="Personal data: anonymise what is kept past retention.")


@privacy_cli.command("purge")
@click.option(
    "--months",
    type=click.IntRange(min=0),
    default=None,
    help="Anonymise registrations of events that ended more than this many months ago "
    "(default: PRIVACY_RETENTION_MONTHS).",
)
@click.option("--dry-run", is_flag=True, help="Only say how many would be anonymised.")
def purge_command(months: int | None, dry_run: bool):
    """Anonymise registrations kept past the retention period; counts and sums stay."""
    if months is None:
        months = int(current_app.config["PRIVACY_RETENTION_MONTHS"])
    now = utcnow()
    if dry_run:
        report = services.pending_purge(now, months)
        click.echo(
            f"Would anonymise {report.registrations} registration(s) in {report.events} "
            f"event(s) that ended more than {months} month(s) ago. Nothing was changed."
        )
        return
    report = services.purge(now, months)
    click.echo(
        f"Anonymised {report.registrations} registration(s) in {report.events} event(s) "
        f"that ended more than {months} month(s) ago."
    )
