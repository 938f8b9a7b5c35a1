"""Queries and rules about events, free of request state."""

import enum
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..dbtypes import utcnow
from ..extensions import db
from .models import Event, EventStatus

PUBLIC_STATUSES = (EventStatus.published, EventStatus.cancelled)


class RegistrationState(enum.Enum):
    open = "open"
    waitlist = "waitlist"
    not_yet_open = "not_yet_open"
    closed = "closed"
    cancelled = "cancelled"


REGISTRATION_STATE_LABELS = {
    RegistrationState.open: _l("Iscrizioni aperte"),
    RegistrationState.waitlist: _l("Posti esauriti: iscrizioni in lista d'attesa"),
    RegistrationState.not_yet_open: _l("Iscrizioni non ancora aperte"),
    RegistrationState.closed: _l("Iscrizioni chiuse"),
    RegistrationState.cancelled: _l("Evento annullato"),
}


@dataclass(frozen=True)
class Availability:
    """Whether and how an event takes registrations at a given moment."""

    state: RegistrationState
    seats_taken: int
    seats_left: int | None

    @property
    def accepts_registrations(self) -> bool:
        return self.state in (RegistrationState.open, RegistrationState.waitlist)

    @property
    def label(self):
        return REGISTRATION_STATE_LABELS[self.state]


def public_events(now: datetime | None = None) -> tuple[list[Event], list[Event]]:
    """Published and cancelled events: (upcoming soonest first, past latest first)."""
    now = now or utcnow()
    public = sa.select(Event).where(Event.status.in_(PUBLIC_STATUSES))
    upcoming = db.session.scalars(public.where(Event.ends_at >= now).order_by(Event.starts_at))
    past = db.session.scalars(public.where(Event.ends_at < now).order_by(Event.starts_at.desc()))
    return list(upcoming), list(past)


def get_public_event(slug: str) -> Event | None:
    """The event with *slug* if the public may see it (drafts are hidden)."""
    return db.session.scalar(
        sa.select(Event).where(Event.slug == slug, Event.status.in_(PUBLIC_STATUSES))
    )


def seats_taken(event: Event) -> int:
    """People confirmed to attend *event* in person."""
    from ..registrations.models import AttendanceMode, Registration, RegistrationStatus

    total = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Registration.party_size), 0)).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.confirmed,
            Registration.attendance == AttendanceMode.in_person,
        )
    )
    return int(total or 0)


def availability(
    event: Event, now: datetime | None = None, taken: int | None = None
) -> Availability:
    """Registration state of *event* at *now*, with the seats counted (or *taken*, when
    the caller has just counted them)."""
    now = now or utcnow()
    taken = seats_taken(event) if taken is None else taken
    left = None if event.capacity is None else max(event.capacity - taken, 0)
    if event.is_cancelled:
        state = RegistrationState.cancelled
    elif (
        not event.is_published
        or event.is_registration_closed
        or now >= event.closes_at
        or now >= event.ends_at
    ):
        state = RegistrationState.closed
    elif event.registration_opens_at and now < event.registration_opens_at:
        state = RegistrationState.not_yet_open
    elif left == 0:
        state = RegistrationState.waitlist
    else:
        state = RegistrationState.open
    return Availability(state=state, seats_taken=taken, seats_left=left)


def _active_registrations(event: Event):
    from ..registrations.models import Registration, RegistrationStatus

    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status != RegistrationStatus.cancelled,
            )
            .order_by(Registration.id)
        )
    )


#: Changes that move a calendar entry: registrants get an updated invitation.
CALENDAR_FIELDS = ("starts_at", "ends_at", "timezone", "venue_name", "venue_address", "online_url")


def change_event(event: Event, **changes) -> bool:
    """Apply *changes* to *event*; when time or place change, tell every registrant.

    The SEQUENCE goes up and each attendee's calendar entry is replaced through an
    updated invitation, queued in the same transaction. Returns whether it moved.
    """
    from ..mail import compose

    moved = False
    for name, value in changes.items():
        if getattr(event, name) != value:
            moved |= name in CALENDAR_FIELDS
            setattr(event, name, value)
    if moved:
        event.ical_sequence += 1
        db.session.flush()
        if event.is_published:
            compose.queue_event_update(event, _active_registrations(event))
    db.session.commit()
    return moved


def cancel_event(event: Event) -> None:
    """Cancel *event*: its page says so, and registrants' calendar entries are cancelled."""
    from ..mail import compose

    if event.is_cancelled:
        return
    event.status = EventStatus.cancelled
    event.ical_sequence += 1
    db.session.flush()
    compose.queue_event_cancelled(event, _active_registrations(event))
    db.session.commit()
