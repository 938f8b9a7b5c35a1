"""What registrants are told when their event moves or is cancelled.

Receivers of the events domain's signals, connected when this module is imported (the
app factory does so). They run inside the transaction that changes the event, so the
emails are stored with the change.
"""

import sqlalchemy as sa

from ..events.models import Event
from ..events.signals import event_cancelled, event_moved
from ..extensions import db
from . import emails
from .models import Registration


def active_registrations(event: Event) -> list[Registration]:
    """*event*'s registrations that still count (not withdrawn, not refused), oldest first."""
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.event_id == event.id, Registration.is_active)
            .order_by(Registration.id)
        )
    )


@event_moved.connect
def tell_registrants_of_the_move(event: Event, **_) -> None:
    """The new time or place, with an invitation that replaces the calendar entry."""
    for registration in active_registrations(event):
        emails.queue_event_update(registration, ics_method=registration.calendar_message())


@event_cancelled.connect
def tell_registrants_of_the_cancellation(event: Event, **_) -> None:
    """The cancellation, which removes the event from attendees' calendars."""
    for registration in active_registrations(event):
        emails.queue_event_cancelled(
            registration, ics_method=registration.calendar_message(event_cancelled=True)
        )
