"""Registering, changing and withdrawing: the rules, free of request state."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from .. import database
from ..dbtypes import utcnow
from ..events.models import Event
from ..extensions import db
from ..questions import frozen
from ..questions.answers import answers_summary_of
from ..questions.models import Answer
from . import emails, links, seats
from .errors import AlreadyRegistered, NotEnoughSeats, NotPending, RegistrationClosed
from .models import AttendanceMode, Registration, RegistrationStatus


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
    #: A party bigger than the seats left (some are left): "waitlist" whole, come with
    #: "fewer" people (as many as there are seats), or "ask" (refused with NotEnoughSeats,
    #: so that the person chooses: the public form asks).
    when_party_does_not_fit: str = "waitlist"


@dataclass
class Registered:
    registration: Registration
    #: The self-service token in clear: shown once, never stored.
    token: str


def find_by_token(token: str) -> Registration | None:
    """The registration one of whose personal links is *token*."""
    return links.find_by_token(token)


def find_by_email(event: Event, email: str) -> Registration | None:
    """The registration of *email* (any status) for *event*."""
    return db.session.scalar(
        _by_email_statement(), {"event_id": event.id, "email": email.strip().lower()}
    )


@cache
def _by_email_statement() -> sa.Select:
    # Built once with bound parameters ("event_id", "email").
    return sa.select(Registration).where(*_of_address())


def _of_address() -> tuple:
    """The criteria of the registration of an address ("email") to an event ("event_id")."""
    return (
        Registration.event_id == sa.bindparam("event_id"),
        Registration.email == sa.bindparam("email"),
    )


def _apply(registration: Registration, data: RegistrationData, now: datetime) -> None:
    _apply_fields(registration, data, now)
    existing = {answer.question_id: answer for answer in registration.answers}
    for question_id, value in data.answers.items():
        if not _given(value):
            if question_id in existing:
                registration.answers.remove(existing[question_id])
        elif question_id in existing:
            existing[question_id].value = value
        else:
            registration.answers.append(Answer(question_id=question_id, value=value))


def _given(value) -> bool:
    return not (value is None or value == [] or value == "")


def _apply_fields(registration: Registration, data: RegistrationData, now: datetime) -> None:
    """The registration's own fields from *data* (not its answers)."""
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
    answers = {qid: value for qid, value in data.answers.items() if _given(value)}
    # What the email will list of the answers, worked out before the lock (it depends on
    # the questions of the event's version alone): the seats are held for less time.
    version, summary = event.updated_at, _answers_summary(event, answers)
    seats.lock(event)
    if event.updated_at != version:
        # The event changed while the lock was awaited: its questions may have too.
        summary = _answers_summary(event, answers)
    # Stamped once the lock is held, so that the waiting list's order is the order in
    # which registrations were taken.
    now = now or utcnow()
    # Counted once, under the lock: nobody else can take a seat until this commits. The
    # same statement finds an earlier registration of the address (one who withdrew). It
    # runs on the session's connection, without the ORM's layer around a statement (a
    # column read needs none; the lock wrote what the session held).
    # Without a limit on seats the seats taken decide nothing: they are not counted (an
    # event open to all may have thousands confirmed).
    email = data.email.lower()
    taken, earlier_id = database.read_row(
        _seats_and_earlier_statement(counted=event.capacity is not None),
        {"event_id": event.id, "email": email},
    )
    taken = int(taken)
    _check_open(event, now, taken, registered_by)
    registration = db.session.get(Registration, earlier_id) if earlier_id is not None else None
    if registration is not None and registration.is_active:
        raise AlreadyRegistered()
    status, data.party_size = _decide(event, data, taken, registered_by)
    is_new = registration is None
    if is_new:
        # Written below in one statement (database.insert_new), linked by its column.
        registration = Registration(event_id=event.id, email=email)
    else:
        # Someone who withdrew registers again: the row comes back (its calendar state
        # too, so that the new invitation outranks the cancellation they were sent), and
        # everything else starts afresh, in the queue as new.
        _start_afresh(registration)
    registration.created_at = now
    # Someone registering again after withdrawing keeps the links they hold.
    token = links.new_link(registration)
    registration.marketing_consent_at = None
    _fill(registration, data, status, now, event, registered_by_id)
    # Noted before the row is written: one INSERT, no UPDATE after it.
    ics_method = registration.calendar_message()
    # What the email will say, as it is now (its bodies are written at delivery).
    composed = emails.compose_confirmation(
        registration, event, ics_method=ics_method, answers=summary
    )
    try:
        if is_new:
            database.insert_new(registration)
        else:
            db.session.flush()
        _insert_answers(registration, answers)
        emails.queue_composed(composed, registration, token)
        db.session.commit()
    except IntegrityError:
        # The same email registered at the same moment from elsewhere.
        db.session.rollback()
        raise AlreadyRegistered() from None
    return Registered(registration=registration, token=token)


@cache
def _seats_and_earlier_statement(*, counted: bool) -> sa.Select:
    """The seats taken (the rule of ``seats.seats_taken``; 0 when not *counted*) and the id
    of the registration of an address, if any, for an event: one statement, built once."""
    return sa.select(
        seats.seats_taken_of(sa.bindparam("event_id")) if counted else sa.literal(0),
        sa.select(Registration.id).where(*_of_address()).scalar_subquery(),
    )


def _check_open(event: Event, now: datetime, taken: int, registered_by) -> None:
    """:raises RegistrationClosed: *event* does not take this registration at *now*."""
    if registered_by is None:
        if not seats.availability(event, now, taken).accepts_registrations:
            raise RegistrationClosed()
    elif event.is_cancelled or now >= event.ends_at:
        raise RegistrationClosed()


def _decide(
    event: Event, data: RegistrationData, taken: int, registered_by
) -> tuple[RegistrationStatus, int]:
    """The status of a registration of *data* with *taken* seats taken, and its party size
    (fewer people when they chose to come with the seats left).

    :raises NotEnoughSeats: the party does not fit and the person is to choose.
    """
    if event.requires_approval and registered_by is None:
        return RegistrationStatus.pending, data.party_size
    party = data.party_size
    needed = seats.seats_needed(data.attendance, party)
    left = seats.seats_left(event, taken)
    if left is not None and 0 < left < needed:
        # Some seats are left, not enough for the party: the person chooses.
        if data.when_party_does_not_fit == "fewer":
            party = needed = left
        elif data.when_party_does_not_fit == "ask":
            raise NotEnoughSeats(left)
    return seats.status_for(needed, left), party


def _fill(
    registration: Registration,
    data: RegistrationData,
    status: RegistrationStatus,
    now: datetime,
    event: Event,
    registered_by_id: int | None,
) -> None:
    registration.locale = data.locale
    registration.privacy_consent_at = now
    registration.privacy_notice_version = event.privacy_notice_version
    registration.registered_by_id = registered_by_id
    registration.status = status
    _apply_fields(registration, data, now)


_ANSWER_COLUMNS = ("registration_id", "question_id", "value")


def _answers_summary(event: Event, answers: dict[int, object]) -> list:
    """*answers* (question id → value) as the confirmation email lists them."""
    questions = frozen.questions(event)
    return answers_summary_of(questions.all, answers, questions.words)


def _insert_answers(registration: Registration, answers: dict[int, object]) -> None:
    """Write a new registration's *answers* (question id → value) in one statement for
    all its rows (``database.insert_rows``: its text the same whatever the number of
    answers, compiled once and kept)."""
    registration_id = registration.id
    # On the session's connection (nothing is written without answers): no listener of
    # the session's statements watches answers (site.page_cache watches the event page's
    # tables).
    database.insert_rows(
        Answer.__table__,
        _ANSWER_COLUMNS,
        [(registration_id, qid, value) for qid, value in answers.items()],
    )
    # Read from the database if anything asks for them before the commit.
    db.session.expire(registration, ["answers"])


def _start_afresh(registration: Registration) -> None:
    """Forget what belonged to a withdrawn attempt: answers, consents, reminders, link
    requests, check-in."""
    registration.answers.clear()
    # Deleted now: the new answers may be to the same questions (one answer per question).
    db.session.flush()
    registration.marketing_consent_at = None
    registration.reminder_queued_at = None
    registration.link_sent_at = None
    registration.checked_in_at = None
    registration.checked_in_count = None
    registration.cancelled_at = None


def update(registration: Registration, data: RegistrationData, now: datetime | None = None) -> None:
    """Change a registration's data and answers.

    A confirmed registration keeps its seats; asking for more seats than are left is
    refused. A waitlisted one that no longer needs a seat is confirmed; one waiting for
    approval keeps waiting.

    :raises NotEnoughSeats: more people in person than the room has left.
    :raises RegistrationClosed: the registration was withdrawn or the event is over.
    """
    now = now or utcnow()
    event = registration.event
    _lock_changeable(registration, now)
    before = registration.seats
    had_invite = registration.is_attending
    attendance_before = registration.attendance
    if registration.status is RegistrationStatus.confirmed:
        seats.check_change(registration, data.attendance, data.party_size)
    elif registration.status is RegistrationStatus.waitlisted:
        # Seats held by everybody else: a waitlisted registration holds none.
        left = seats.seats_left(event, seats.seats_taken(event))
        needed = seats.seats_needed(data.attendance, data.party_size)
        registration.status = seats.status_for(needed, left)
    _apply(registration, data, now)
    moved = had_invite and registration.attendance is not attendance_before
    _changed(registration, had_invite=had_invite, seats_before=before, moved=moved)


def _lock_changeable(registration: Registration, now: datetime) -> None:
    """Lock the event's seats; the registration must still be open to changes.

    :raises RegistrationClosed: the registration was withdrawn or the event is over.
    """
    event = registration.event
    seats.lock(event)
    if not registration.is_active or event.is_cancelled or now >= event.ends_at:
        raise RegistrationClosed()


def _changed(
    registration: Registration, *, had_invite: bool, seats_before: int, moved: bool = False
) -> None:
    """Tell the registrant of a change (with their calendar's update), give freed seats to
    the waiting list, commit."""
    db.session.flush()
    emails.queue_change(
        registration,
        ics_method=registration.calendar_message(had_invite=had_invite, moved=moved),
    )
    if registration.seats < seats_before:
        seats.promote_waitlisted(registration.event)
    db.session.commit()


def stop_attending(registration: Registration, now: datetime | None = None) -> None:
    """The registrant can no longer come: the registration stays, as an expression of
    interest with its answers, and its seats go to the waiting list.

    :raises RegistrationClosed: the registration was withdrawn or the event is over.
    """
    now = now or utcnow()
    _lock_changeable(registration, now)
    had_invite = registration.is_attending
    before = registration.seats
    registration.attendance = AttendanceMode.not_attending
    registration.party_size = 0
    if registration.status is RegistrationStatus.waitlisted:
        registration.status = RegistrationStatus.confirmed  # it needs no seat any more
    registration.updated_at = now
    _changed(registration, had_invite=had_invite, seats_before=before)


def withdraw(registration: Registration, now: datetime | None = None) -> list[Registration]:
    """Withdraw *registration* and give its seats to the waiting list; returns those promoted."""
    now = now or utcnow()
    seats.lock(registration.event)
    if not registration.is_active:
        return []
    had_invite = registration.is_attending
    registration.status = RegistrationStatus.cancelled
    registration.cancelled_at = now
    db.session.flush()
    emails.queue_withdrawal(
        registration, ics_method=registration.calendar_message(had_invite=had_invite)
    )
    promoted = seats.promote_waitlisted(registration.event)
    db.session.commit()
    return promoted


def send_link(
    event: Event, email: str, now: datetime | None = None, *, reason: str = "requested"
) -> bool:
    """Email a fresh personal link to *email* if it has an active registration for *event*.

    The new link replaces the old one. Repeated requests within
    LINK_RESEND_INTERVAL_SECONDS send nothing, so nobody can flood a mailbox.
    Returns whether an email was queued; callers must not tell the visitor.
    """
    now = now or utcnow()
    registration = find_by_email(event, email)
    if registration is None or not registration.is_active:
        return False
    interval = timedelta(seconds=current_app.config["LINK_RESEND_INTERVAL_SECONDS"])
    if registration.link_sent_at and now - registration.link_sent_at < interval:
        return False
    # A new link; those sent before keep working (someone may be holding one).
    token = links.new_link(registration)
    registration.link_sent_at = now
    emails.queue_link(registration, token, reason)
    db.session.commit()
    return True


def approve(registration: Registration) -> None:
    """Accept a registration waiting for approval: it gets a seat, or a waiting-list place.

    :raises NotPending: it is not waiting for approval (any more: decided meanwhile).
    """
    event = registration.event
    seats.lock(event)
    if registration.status is not RegistrationStatus.pending:
        raise NotPending()
    needed = seats.seats_needed(registration.attendance, registration.party_size)
    registration.status = seats.status_for(
        needed, seats.seats_left(event, seats.seats_taken(event))
    )
    db.session.flush()
    emails.queue_approved(registration, ics_method=registration.calendar_message())
    db.session.commit()


def reject(registration: Registration, now: datetime | None = None) -> None:
    """Refuse a registration waiting for approval, and tell the person.

    :raises NotPending: it is not waiting for approval (any more: decided meanwhile).
    """
    now = now or utcnow()
    seats.lock(registration.event)
    if registration.status is not RegistrationStatus.pending:
        raise NotPending()
    registration.status = RegistrationStatus.rejected
    registration.cancelled_at = now
    db.session.flush()
    emails.queue_rejected(registration)
    db.session.commit()
