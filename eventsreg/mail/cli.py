"""Commands for email: deliver the outbox, inspect and retry.

``flask mail reminders`` is added to this group by the registrations domain.
"""

import time

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..extensions import db
from . import delivery
from .models import OutboxEmail, OutboxStatus

mail_cli = AppGroup("mail", help="Email outbox.")


@mail_cli.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering until interrupted.")
@click.option(
    "--interval", default=10.0, show_default=True, help="Seconds between passes with --loop."
)
@click.option("--batch", default=100, show_default=True, help="Most messages sent per pass.")
@click.option(
    "--until-idle",
    is_flag=True,
    help="With --loop: stop after a pass that finds nothing due (for batch jobs and tests).",
)
@click.option(
    "--reclaim",
    is_flag=True,
    help="Also take over messages claimed by workers that are gone, without waiting a minute "
    "(only when no other worker is running: a live one would see its claim taken and skip).",
)
def deliver_command(loop, interval, batch, until_idle, reclaim):
    """Send queued emails: one pass sends all of them now, --loop keeps going.

    A single pass also sends messages waiting out their retry delay (use it after the
    mail server comes back); the --loop worker respects the delays. With --until-idle the
    worker exits once a pass finds nothing due: messages waiting out a retry delay stay
    queued for the next run. Several workers may run at once on PostgreSQL; on SQLite,
    run one (its claims are not exclusive there).
    """
    if until_idle and not loop:
        raise click.UsageError("--until-idle only makes sense with --loop.")
    while True:
        report = delivery.deliver_pending(limit=batch, include_waiting=not loop, reclaim=reclaim)
        reclaim = False  # once: later passes take over only claims a minute old
        busy = bool(report.sent or report.retried or report.failed or report.logged)
        if busy:
            click.echo(
                f"sent {len(report.sent)}, to retry {len(report.retried)}, "
                f"failed {len(report.failed)}, logged {len(report.logged)}"
            )
        if report.failed:
            click.secho(f"failed for good: {report.failed}", fg="red", err=True)
        db.session.remove()
        if not loop or (until_idle and not busy):
            break
        # A full batch means more is waiting: go again at once.
        if len(report.sent) + len(report.retried) + len(report.failed) < batch:
            time.sleep(interval)


@mail_cli.command("outbox")
@click.option(
    "--status",
    type=click.Choice([s.value for s in OutboxStatus]),
    default=None,
    help="Only messages in this state.",
)
@click.option("--limit", default=50, show_default=True, help="How many, newest first.")
def outbox_command(status, limit):
    """List the outbox with each message's delivery state and last error."""
    query = sa.select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(limit)
    if status:
        query = query.where(OutboxEmail.status == OutboxStatus(status))
    for email in db.session.scalars(query):
        state = f"{email.id:>6}  {email.status.value:<8} {email.kind.value:<16}"
        click.echo(f"{state} {email.to_address}  {email.subject}")
        if email.last_error:
            click.secho(f"        attempts {email.attempts}: {email.last_error}", fg="red")


@mail_cli.command("retry")
@click.argument("email_id", type=int)
def retry_command(email_id):
    """Queue a failed message again."""
    email = db.session.get(OutboxEmail, email_id)
    if email is None:
        raise click.ClickException(f"no message {email_id}")
    if email.status is not OutboxStatus.failed:
        raise click.ClickException(f"message {email_id} is {email.status.value}, not failed")
    delivery.retry(email)
    click.echo(f"message {email_id} queued again.")
