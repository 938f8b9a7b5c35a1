"""Registering, changing and withdrawing: the rules, free of request state."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from .. import tokens
from ..database import lock_row
from ..dbtypes import utcnow
from ..events.models import Event
from ..events.services import availability, seats_taken
from ..extensions import db
from ..mail import compose
from ..tokens import new_token
from . import checkin
from .models import Answer, AttendanceMode, Registration, RegistrationStatus


class RegistrationError(Exception):
    """A registration that the rules refuse; the views turn it into a message."""


class AlreadyRegistered(RegistrationError):
    pass


class RegistrationClosed(RegistrationError):
    pass


class NotEnoughSeats(RegistrationError):
    def __init__(self, seats_left: int):
        super().__init__(seats_left)
        self.seats_left = seats_left


@dataclass
class RegistrationData:
    """What a person submits; answers map question ids to parsed values."""

    first_name: str
    last_name: str
    company_name: str
    attendance: AttendanceMode
    party_size: int
    email: str = ""
    phone: str = ""
    vat_number: str = ""
    tax_code: str = ""
    marketing_consent: bool = False
    locale: str = "it"
    answers: dict[int, object] = field(default_factory=dict)


@dataclass
class Registered:
    registration: Registration
    #: The self-service token in clear: shown once, never stored.
    token: str


def find_by_token(token: str) -> Registration | None:
    """The registration whose self-service token is *token*."""
    return tokens.find(Registration, Registration.token_hash, token)


def find_by_email(event: Event, email: str) -> Registration | None:
    """The registration of *email* (any status) for *event*."""
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.event_id == event.id, Registration.email == email.strip().lower()
        )
    )


def _lock_event(event: Event) -> None:
    # Seats are counted and taken by one transaction at a time per event.
    lock_row(Event, event.id)


def _apply(registration: Registration, data: RegistrationData, now: datetime) -> None:
    registration.first_name = data.first_name
    registration.last_name = data.last_name
    registration.phone = data.phone
    registration.company_name = data.company_name
    registration.vat_number = data.vat_number
    # The tax code is kept only where it says something the VAT number does not.
    registration.tax_code = "" if data.tax_code == data.vat_number else data.tax_code
    registration.attendance = data.attendance
    registration.party_size = (
        data.party_size if data.attendance is not AttendanceMode.not_attending else 0
    )
    if data.marketing_consent and registration.marketing_consent_at is None:
        registration.marketing_consent_at = now
    elif not data.marketing_consent:
        registration.marketing_consent_at = None
    existing = {answer.question_id: answer for answer in registration.answers}
    for question_id, value in data.answers.items():
        if value is None or value == [] or value == "":
            if question_id in existing:
                registration.answers.remove(existing[question_id])
        elif question_id in existing:
            existing[question_id].value = value
        else:
            registration.answers.append(Answer(question_id=question_id, value=value))


def _seat_status(event: Event, data: RegistrationData, taken: int) -> RegistrationStatus:
    """Confirmed if the people fit beside the *taken* seats, else waitlisted."""
    if data.attendance is not AttendanceMode.in_person or event.capacity is None:
        return RegistrationStatus.confirmed
    fits = data.party_size <= event.capacity - taken
    return RegistrationStatus.confirmed if fits else RegistrationStatus.waitlisted


def register(
    event: Event, data: RegistrationData, now: datetime | None = None, *, registered_by=None
) -> Registered:
    """Register *data* for *event*; confirmed while seats last, else waitlisted.

    :param registered_by: the organiser entering the registration for someone (who
        phoned, say). It is then taken outside the registration window too, only a
        cancelled or finished event refuses, and no approval is asked: the organiser is
        the one who would give it. Seats count all the same.
    :raises RegistrationClosed: the event does not take registrations now.
    :raises AlreadyRegistered: the email has an active registration for this event.
    """
    # Read before locking: the lock may end the transaction and expire loaded objects.
    registered_by_id = registered_by.id if registered_by is not None else None
    _lock_event(event)
    # Stamped once the lock is held, so that the waiting list's order is the order in
    # which registrations were taken.
    now = now or utcnow()
    # Counted once, under the lock: nobody else can take a seat until this commits.
    taken = seats_taken(event)
    if registered_by is None:
        if not availability(event, now, taken).accepts_registrations:
            raise RegistrationClosed()
    elif event.is_cancelled or now >= event.ends_at:
        raise RegistrationClosed()
    email = data.email.lower()
    registration = find_by_email(event, email)
    if registration is not None and registration.is_active:
        raise AlreadyRegistered()
    if event.requires_approval and registered_by is None:
        status = RegistrationStatus.pending
    else:
        status = _seat_status(event, data, taken)
    token, token_hash = new_token()
    if registration is None:
        registration = Registration(event=event, email=email, created_at=now)
        db.session.add(registration)
    else:
        # Someone who withdrew registers again: the same row comes back, in the queue as new.
        registration.created_at = now
        registration.cancelled_at = None
    registration.token_hash = token_hash
    registration.checkin_token_hash = checkin.checkin_hash(token)
    registration.locale = data.locale
    registration.privacy_consent_at = now
    registration.privacy_notice_version = event.privacy_notice_version
    registration.registered_by_id = registered_by_id
    registration.status = status
    _apply(registration, data, now)
    try:
        db.session.flush()
        compose.queue_confirmation(registration, token)
        db.session.commit()
    except IntegrityError:
        # The same email registered at the same moment from elsewhere.
        db.session.rollback()
        raise AlreadyRegistered() from None
    return Registered(registration=registration, token=token)


def update(registration: Registration, data: RegistrationData, now: datetime | None = None) -> None:
    """Change a registration's data and answers.

    A confirmed registration keeps its seats; asking for more seats than are left is
    refused. A waitlisted one that no longer needs a seat is confirmed.

    :raises NotEnoughSeats: more people in person than the room has left.
    :raises RegistrationClosed: the registration was withdrawn or the event is over.
    """
    now = now or utcnow()
    event = registration.event
    _lock_event(event)
    if not registration.is_active or event.is_cancelled or now >= event.ends_at:
        raise RegistrationClosed()
    before = registration.seats
    had_invite = registration.is_attending
    # Seats held by everybody else; this registration's own are given back first.
    others = seats_taken(event) - before
    if registration.status is RegistrationStatus.confirmed:
        wanted = data.party_size if data.attendance is AttendanceMode.in_person else 0
        if event.capacity is not None and wanted > before and wanted > event.capacity - others:
            raise NotEnoughSeats(max(event.capacity - others, 0))
    else:
        registration.status = _seat_status(event, data, others)
    _apply(registration, data, now)
    db.session.flush()
    compose.queue_change(registration, had_invite=had_invite)
    if registration.seats < before:
        promote_waitlisted(event)
    db.session.commit()


def withdraw(registration: Registration, now: datetime | None = None) -> list[Registration]:
    """Withdraw *registration* and give its seats to the waiting list; returns those promoted."""
    now = now or utcnow()
    _lock_event(registration.event)
    if not registration.is_active:
        return []
    had_invite = registration.is_attending
    registration.status = RegistrationStatus.cancelled
    registration.cancelled_at = now
    db.session.flush()
    compose.queue_withdrawal(registration, had_invite=had_invite)
    promoted = promote_waitlisted(registration.event)
    db.session.commit()
    return promoted


def promote_waitlisted(event: Event) -> list[Registration]:
    """Confirm the oldest waitlisted registrations whose people fit, and tell them.

    The caller commits, so the promotions and their emails are stored together.
    """
    if event.capacity is None:
        candidates = _waitlist(event)
        free = None
    else:
        free = event.capacity - seats_taken(event)
        if free <= 0:
            return []
        candidates = _waitlist(event)
    promoted = []
    for registration in candidates:
        if free is not None and registration.party_size > free:
            continue
        registration.status = RegistrationStatus.confirmed
        compose.queue_promotion(registration)
        promoted.append(registration)
        if free is not None:
            free -= registration.party_size
    db.session.flush()
    return promoted


def _waitlist(event: Event) -> list[Registration]:
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


def send_link(event: Event, email: str, now: datetime | None = None) -> bool:
    """Email a fresh personal link to *email* if it has an active registration for *event*.

    The new link replaces the old one. Repeated requests within
    LINK_RESEND_INTERVAL_SECONDS send nothing, so nobody can flood a mailbox.
    Returns whether an email was queued; callers must not tell the visitor.
    """
    from flask import current_app

    now = now or utcnow()
    registration = find_by_email(event, email)
    if registration is None or not registration.is_active:
        return False
    interval = timedelta(seconds=current_app.config["LINK_RESEND_INTERVAL_SECONDS"])
    if registration.link_sent_at and now - registration.link_sent_at < interval:
        return False
    token, registration.token_hash = new_token()
    registration.checkin_token_hash = checkin.checkin_hash(token)
    registration.link_sent_at = now
    compose.queue_link(registration, token)
    db.session.commit()
    return True


def _data_of(registration: Registration) -> RegistrationData:
    return RegistrationData(
        first_name=registration.first_name,
        last_name=registration.last_name,
        company_name=registration.company_name,
        attendance=registration.attendance,
        party_size=registration.party_size,
    )


def approve(registration: Registration, now: datetime | None = None) -> None:
    """Accept a registration waiting for approval: it gets a seat, or a waiting-list place."""
    _lock_event(registration.event)
    if registration.status is not RegistrationStatus.pending:
        return
    event = registration.event
    registration.status = _seat_status(event, _data_of(registration), seats_taken(event))
    db.session.flush()
    compose.queue_decision(registration, approved=True)
    db.session.commit()


def reject(registration: Registration, now: datetime | None = None) -> None:
    """Refuse a registration waiting for approval, and tell the person."""
    now = now or utcnow()
    _lock_event(registration.event)
    if registration.status is not RegistrationStatus.pending:
        return
    registration.status = RegistrationStatus.rejected
    registration.cancelled_at = now
    db.session.flush()
    compose.queue_decision(registration, approved=False)
    db.session.commit()
