"""Commands for events: move or cancel one from the command line."""

from datetime import datetime

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..extensions import db
from . import services
from .models import Event

events_cli = AppGroup("events", help="Manage events.")


def _event_or_fail(slug: str) -> Event:
    event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(f"no event with slug {slug!r}")
    return event


def _local(event: Event, text: str, option: str) -> datetime:
    try:
        naive = datetime.strptime(text, "%Y-%m-%d %H:%M")
    except ValueError:
        raise click.BadParameter(
            "use YYYY-MM-DD HH:MM, in the event's time zone", param_hint=option
        ) from None
    return naive.replace(tzinfo=event.tz)


@events_cli.command("move")
@click.argument("slug")
@click.option("--start", required=True, help="New start, 'YYYY-MM-DD HH:MM' in the event's zone.")
@click.option("--end", required=True, help="New end, 'YYYY-MM-DD HH:MM' in the event's zone.")
@click.option("--venue", default=None, help="New venue name (unchanged if omitted).")
@click.option("--address", default=None, help="New venue address (unchanged if omitted).")
def move_command(slug, start, end, venue, address):
    """Move an event in time or place and send registrants an updated invitation."""
    event = _event_or_fail(slug)
    changes = {"starts_at": _local(event, start, "--start"), "ends_at": _local(event, end, "--end")}
    if changes["ends_at"] <= changes["starts_at"]:
        raise click.BadParameter("the end must come after the start", param_hint="--end")
    if venue is not None:
        changes["venue_name"] = venue
    if address is not None:
        changes["venue_address"] = address
    if services.change_event(event, **changes):
        click.echo(
            f"{event.slug} moved; updated invitations queued (SEQUENCE {event.ical_sequence})."
        )
    else:
        click.echo(f"{event.slug} unchanged.")


@events_cli.command("cancel")
@click.argument("slug")
@click.confirmation_option(prompt="Cancel the event and tell every registrant?")
def cancel_command(slug):
    """Cancel an event: registrants are told and their calendar entries removed."""
    event = _event_or_fail(slug)
    services.cancel_event(event)
    click.echo(f"{event.slug} cancelled; cancellations queued.")
