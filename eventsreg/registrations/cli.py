"""``flask mail reminders``: the day-before reminders, e.g. from cron."""

import click

from ..mail.cli import mail_cli
from . import reminders


@mail_cli.command("reminders")
def reminders_command():
    """Queue the day-before reminder for confirmed attendees (once per registration)."""
    count = reminders.queue_reminders()
    click.echo(f"{count} reminders queued.")
