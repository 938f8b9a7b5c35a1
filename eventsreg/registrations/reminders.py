"""Mail that is due because of time, not of a request: the day-before reminders."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from ..dbtypes import utcnow
from ..events.models import Event, EventStatus
from ..extensions import db
from . import emails
from .models import AttendanceMode, Registration, RegistrationStatus


def queue_reminders(now: datetime | None = None) -> int:
    """Queue a reminder for attendees of events starting tomorrow (or later today).

    Each registration gets at most one, however often this runs.
    """
    now = now or utcnow()
    events = db.session.scalars(
        sa.select(Event).where(
            Event.status == EventStatus.published,
            Event.starts_at > now,
            Event.starts_at <= now + timedelta(days=2),
        )
    )
    count = 0
    for event in events:
        tomorrow = now.astimezone(event.tz).date() + timedelta(days=1)
        if event.local_start.date() > tomorrow:
            continue
        registrations = db.session.scalars(
            sa.select(Registration).where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.confirmed,
                Registration.attendance != AttendanceMode.not_attending,
                Registration.reminder_queued_at.is_(None),
            )
        )
        for registration in registrations:
            registration.reminder_queued_at = now
            emails.queue_reminder(registration)
            count += 1
    db.session.commit()
    return count
