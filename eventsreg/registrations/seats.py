"""Seats: counting them, whether an event takes registrations, the waiting list, capacity.

The one home of the seat rules. Capacity counts people in the room: a registration for
three people in person takes three seats; online and interest-only registrations take
none. Whoever counts seats to take them holds the event's lock (:func:`lock`) until the
commit, so two registrations never count the same free seat.
"""

import enum
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..database import lock_row
from ..dbtypes import utcnow
from ..events.models import Event
from ..extensions import db
from . import emails
from .errors import CapacityBelowTaken, NotEnoughSeats, NotWaitlisted
from .models import AttendanceMode, Registration, RegistrationStatus


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


def lock(event: Event) -> None:
    """Hold *event*'s seats until the commit: nobody else counts or takes them meanwhile.
    What the session holds is read again when next used; *event* only if it changed."""
    lock_row(event, "updated_at")


def seats_needed(attendance: AttendanceMode, party_size: int) -> int:
    """Seats a registration of *party_size* people attending this way takes when confirmed."""
    return party_size if attendance is AttendanceMode.in_person else 0


def _seats_taken_query(event_id) -> sa.Select:
    return sa.select(sa.func.coalesce(sa.func.sum(Registration.party_size), 0)).where(
        Registration.event_id == event_id,
        Registration.status == RegistrationStatus.confirmed,
        Registration.attendance == AttendanceMode.in_person,
    )


def seats_taken_of(event_id) -> sa.ScalarSelect:
    """:func:`seats_taken` as a subquery for *event_id* (a column: a query reading events
    counts their seats in the same statement)."""
    return _seats_taken_query(event_id).scalar_subquery()


@cache
def _seats_taken_statement() -> sa.Select:
    # Built once (every registration POST and event page counts): only the id varies.
    return _seats_taken_query(sa.bindparam("event_id"))


def seats_taken(event: Event) -> int:
    """People confirmed to attend *event* in person."""
    return int(db.session.scalar(_seats_taken_statement(), {"event_id": event.id}) or 0)


def seats_left(event: Event, taken: int) -> int | None:
    """Seats still free beside *taken* ones; None when the room has no limit."""
    return None if event.capacity is None else max(event.capacity - taken, 0)


def status_for(needed: int, left: int | None) -> RegistrationStatus:
    """Confirmed when *needed* seats fit in the *left* ones (None: no limit), else waitlisted."""
    fits = left is None or needed <= left
    return RegistrationStatus.confirmed if fits else RegistrationStatus.waitlisted


def availability(
    event: Event, now: datetime | None = None, taken: int | None = None
) -> Availability:
    """Registration state of *event* at *now*, with the seats counted (or *taken*, when
    the caller has just counted them)."""
    now = now or utcnow()
    taken = seats_taken(event) if taken is None else taken
    left = seats_left(event, taken)
    state = _state(event, now)
    if state is RegistrationState.open and left == 0:
        state = RegistrationState.waitlist
    return Availability(state=state, seats_taken=taken, seats_left=left)


def accepts_registrations(event: Event, now: datetime | None = None) -> bool:
    """Whether *event* takes registrations at *now*, confirmed or on the waiting list:
    the same answer as ``availability(...).accepts_registrations``, no seats counted."""
    return _state(event, now or utcnow()) is RegistrationState.open


def _state(event: Event, now: datetime) -> RegistrationState:
    """The registration state at *now*, seats aside (open stands for open or waitlist)."""
    if event.is_cancelled:
        return RegistrationState.cancelled
    if (
        not event.is_published
        or event.is_registration_closed
        or now >= event.closes_at
        or now >= event.ends_at
    ):
        return RegistrationState.closed
    if event.registration_opens_at and now < event.registration_opens_at:
        return RegistrationState.not_yet_open
    return RegistrationState.open


def check_change(registration: Registration, attendance: AttendanceMode, party_size: int) -> None:
    """Refuse a confirmed registration more seats than are left; call it under the lock.

    Its own seats count as free: asking for fewer, or as many, always fits.

    :raises NotEnoughSeats: the new number of people in person does not fit.
    """
    event = registration.event
    wanted = seats_needed(attendance, party_size)
    before = registration.seats
    if event.capacity is None or wanted <= before:
        return
    left = event.capacity - (seats_taken(event) - before)
    if wanted > left:
        raise NotEnoughSeats(max(left, 0))


def promote_waitlisted(event: Event) -> list[Registration]:
    """Confirm the oldest waitlisted registrations whose people fit, and tell them.

    The caller holds the lock and commits, so the promotions and their emails are stored
    together.
    """
    free = None if event.capacity is None else event.capacity - seats_taken(event)
    if free is not None and free <= 0:
        return []
    promoted = []
    for registration in waitlist(event):
        needed = seats_needed(registration.attendance, registration.party_size)
        if free is not None and needed > free:
            continue
        _confirm(registration)
        promoted.append(registration)
        if free is not None:
            free -= needed
    db.session.flush()
    return promoted


def confirm_from_waitlist(registration: Registration) -> None:
    """Give a waitlisted registration its seats now, even ahead of others in the queue.

    :raises NotWaitlisted: the registration is not on the waiting list.
    :raises NotEnoughSeats: its people do not fit in the seats left.
    """
    event = registration.event
    lock(event)
    if registration.status is not RegistrationStatus.waitlisted:
        raise NotWaitlisted()
    needed = seats_needed(registration.attendance, registration.party_size)
    left = seats_left(event, seats_taken(event))
    if left is not None and needed > left:
        raise NotEnoughSeats(left)
    _confirm(registration)
    db.session.commit()


def _confirm(registration: Registration) -> None:
    registration.status = RegistrationStatus.confirmed
    emails.queue_promotion(registration, ics_method=registration.calendar_message())


def change_capacity(event: Event, capacity: int | None) -> list[Registration]:
    """Set *event*'s seats; more seats confirm waitlisted registrations that now fit.

    Takes the event's lock and leaves the commit to the caller, who may change more of the
    event in the same transaction (after this call: the lock starts a new transaction on
    SQLite). Returns the registrations confirmed.

    :raises CapacityBelowTaken: fewer seats than people already confirmed in person.
    """
    if capacity == event.capacity:
        return []
    lock(event)
    taken = seats_taken(event)
    if capacity is not None and capacity < taken:
        raise CapacityBelowTaken(taken)
    more = event.capacity is not None and (capacity is None or capacity > event.capacity)
    event.capacity = capacity
    if not more:
        return []
    db.session.flush()
    return promote_waitlisted(event)


def waitlist(event: Event) -> list[Registration]:
    """*event*'s waiting list, first in line first."""
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.waitlisted,
            )
            .order_by(Registration.created_at, Registration.id)
        )
    )


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in the queue; None when not waitlisted."""
    if registration.status is not RegistrationStatus.waitlisted:
        return None
    ahead = db.session.scalar(
        sa.select(sa.func.count()).where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.waitlisted,
            sa.or_(
                Registration.created_at < registration.created_at,
                sa.and_(
                    Registration.created_at == registration.created_at,
                    Registration.id < registration.id,
                ),
            ),
        )
    )
    return int(ahead) + 1


def waitlist_positions(event: Event) -> dict[int, int]:
    """Registration id → place in *event*'s waiting list (1 is next), in one query."""
    ids = db.session.scalars(
        sa.select(Registration.id)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.waitlisted,
        )
        .order_by(Registration.created_at, Registration.id)
    )
    return {registration_id: place for place, registration_id in enumerate(ids, start=1)}
