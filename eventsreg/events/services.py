"""Queries and rules about events, free of request state."""

from datetime import datetime
from functools import cache

import sqlalchemy as sa

from .. import database
from ..dbtypes import utcnow
from ..extensions import db
from . import kept
from .models import Event, EventStatus
from .signals import event_cancelled, event_moved

PUBLIC_STATUSES = (EventStatus.published, EventStatus.cancelled)


def public_events(now: datetime | None = None) -> tuple[list[Event], list[Event]]:
    """Published and cancelled events: (upcoming soonest first, past latest first)."""
    now = now or utcnow()
    public = sa.select(Event).where(Event.status.in_(PUBLIC_STATUSES))
    upcoming = db.session.scalars(public.where(Event.ends_at >= now).order_by(Event.starts_at))
    past = db.session.scalars(public.where(Event.ends_at < now).order_by(Event.starts_at.desc()))
    return list(upcoming), list(past)


def get_public_event(slug: str) -> Event | None:
    """The event with *slug* if the public may see it (drafts are hidden).

    Every event page, registration form and POST looks its event up: its id and version
    are read, its columns come from those kept for that version (``kept.event_at``).
    """
    found = database.read_row(_public_version_statement(), {"slug": slug})
    return None if found is None else kept.event_at(*found)


@cache
def _public_version_statement() -> sa.Select:
    # Built once; the statuses compared one by one (IN would be expanded on each run).
    return sa.select(Event.id, Event.updated_at).where(
        Event.slug == sa.bindparam("slug"),
        sa.or_(*(Event.status == status for status in PUBLIC_STATUSES)),
    )


#: Changes that move a calendar entry: registrants get an updated invitation.
CALENDAR_FIELDS = ("starts_at", "ends_at", "timezone", "venue_name", "venue_address", "online_url")


def change_event(event: Event, **changes) -> bool:
    """Apply *changes* to *event* and commit; returns whether its time or place changed.

    A move raises the SEQUENCE and, for a published event, sends :data:`event_moved`
    before the commit (registrants get an updated invitation in the same transaction).
    """
    moved = False
    for name, value in changes.items():
        if getattr(event, name) != value:
            moved |= name in CALENDAR_FIELDS
            setattr(event, name, value)
    if moved:
        event.ical_sequence += 1
        db.session.flush()
        if event.is_published:
            event_moved.send(event)
    db.session.commit()
    return moved


def cancel_event(event: Event) -> None:
    """Cancel *event* and commit: its page says so, and :data:`event_cancelled` is sent
    before the commit (registrants' calendar entries are cancelled with it)."""
    if event.is_cancelled:
        return
    event.status = EventStatus.cancelled
    event.ical_sequence += 1
    db.session.flush()
    event_cancelled.send(event)
    db.session.commit()
