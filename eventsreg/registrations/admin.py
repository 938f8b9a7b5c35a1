"""What organisers do with registrations: find them, add them, decide on them, write to them.

Free of request state, like :mod:`.services`, whose rules these functions reuse.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from ..dbtypes import utcnow
from ..events.models import Event
from ..extensions import db
from ..mail.models import OutboxEmail
from ..questions.kinds import kind_of
from ..questions.models import Answer
from ..tokens import new_token
from . import checkin, emails, links, services
from .errors import NoRecipients
from .models import AttendanceMode, Registration, RegistrationStatus

PAGE_SIZE = 50

#: The columns the search box looks in.
SEARCHED_COLUMNS = (
    Registration.first_name,
    Registration.last_name,
    Registration.email,
    Registration.company_name,
    Registration.vat_number,
    Registration.tax_code,
)


@dataclass
class RegistrationFilter:
    """Which registrations to list or write to; empty means all of them."""

    #: Words that must each appear in a name, the email, the company or the VAT number.
    text: str = ""
    statuses: frozenset[RegistrationStatus] | None = None
    attendance: AttendanceMode | None = None
    checked_in: bool | None = None
    #: Question id → the stored answer wanted (choice and yes/no questions).
    answers: dict[int, object] = field(default_factory=dict)
    #: Only these registrations (an organiser's selection); None: no such limit.
    ids: frozenset[int] | None = None


@dataclass
class Page:
    items: list[Registration]
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.size), 1)


@dataclass
class Preview:
    count: int
    first: Registration | None
    subject: str = ""
    text: str = ""


def filtered(event: Event, filters: RegistrationFilter) -> sa.Select:
    """A query for *event*'s registrations that match *filters*, newest first."""
    query = sa.select(Registration).where(Registration.event_id == event.id)
    for word in filters.text.lower().split():
        query = query.where(
            sa.or_(*(sa.func.lower(c).contains(word, autoescape=True) for c in SEARCHED_COLUMNS))
        )
    if filters.statuses is not None:
        query = query.where(
            Registration.status.in_(sorted(filters.statuses, key=lambda s: s.value))
        )
    if filters.attendance is not None:
        query = query.where(Registration.attendance == filters.attendance)
    if filters.checked_in is not None:
        checked = Registration.checked_in_at.is_not(None)
        query = query.where(checked if filters.checked_in else sa.not_(checked))
    if filters.ids is not None:
        query = query.where(Registration.id.in_(sorted(filters.ids)))
    questions = {question.id: question for question in event.questions}
    for question_id, value in filters.answers.items():
        matches = kind_of(questions[question_id]).filter_matches
        query = query.where(
            sa.exists().where(
                Answer.registration_id == Registration.id,
                Answer.question_id == question_id,
                matches(sa.cast(Answer.value, sa.Text), value),
            )
        )
    return query.order_by(Registration.created_at.desc(), Registration.id.desc())


def search(event: Event, filters: RegistrationFilter, page: int = 1, size: int = PAGE_SIZE) -> Page:
    """One page of the registrations matching *filters*, with the total count."""
    query = filtered(event, filters)
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    )
    number = min(max(page, 1), max(math.ceil(total / size), 1))
    items = list(db.session.scalars(query.limit(size).offset((number - 1) * size)))
    return Page(items=items, total=total, number=number, size=size)


def count_pending(event: Event) -> int:
    """Registrations of *event* waiting for an organiser's decision."""
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.pending,
        )
    )


def get_registration(event: Event, registration_id: int) -> Registration | None:
    """The registration with this id if it belongs to *event*."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        return None
    return registration


def emails_of(registration: Registration) -> list[OutboxEmail]:
    """The emails queued for *registration*, oldest first."""
    return list(
        db.session.scalars(
            sa.select(OutboxEmail)
            .where(OutboxEmail.registration_id == registration.id)
            .order_by(OutboxEmail.id)
        )
    )


def register_by_organizer(
    event: Event, data: services.RegistrationData, organizer, now: datetime | None = None
) -> services.Registered:
    """Register someone on their behalf (a person who phoned), recording who entered it.

    Unlike the public form this works while registration is closed: only a cancelled or
    finished event refuses. Seats still count (a full room waitlists), and approval is not
    asked, since the organiser entering it is the one who would give it.

    :raises RegistrationClosed: the event is cancelled or over.
    :raises AlreadyRegistered: the email has an active registration for the event.
    """
    return services.register(event, data, now, registered_by=organizer)


def revoke_link(registration: Registration, send_new: bool) -> bool:
    """Stop the registration's personal link and QR code from working (a link forwarded by
    mistake, a lost phone). With *send_new*, the person is emailed a new link at once.

    Returns whether a new link was queued (never for an inactive registration).
    """
    token, registration.token_hash = new_token()
    registration.checkin_token_hash = None
    links.end_earlier_links(registration)
    sent = send_new and registration.is_active
    if sent:
        registration.checkin_token_hash = checkin.checkin_hash(token)
        registration.link_sent_at = utcnow()
        emails.queue_link(registration, token, "revoked")
    db.session.commit()
    return sent


def recipients(event: Event, filters: RegistrationFilter) -> list[Registration]:
    """The active registrations matching *filters*: whom a message goes to."""
    query = filtered(event, filters).where(Registration.is_active)
    # Anonymised registrations have no address left to write to.
    query = query.where(Registration.anonymized_at.is_(None))
    return list(db.session.scalars(query.order_by(None).order_by(Registration.id)))


def preview_message(event: Event, filters: RegistrationFilter, subject: str, body: str) -> Preview:
    """How many would receive the message, and its text as the first of them would read it."""
    people = recipients(event, filters)
    if not people:
        return Preview(count=0, first=None)
    # The real composer and writer make it, so the preview is exactly what will be sent.
    email = emails.written_unqueued(emails.compose_message(people[0], subject, body), people[0])
    return Preview(count=len(people), first=people[0], subject=email.subject, text=email.text_body)


def send_message(event: Event, filters: RegistrationFilter, subject: str, body: str) -> int:
    """Queue the message for every recipient in one transaction; returns how many.

    :raises NoRecipients: nobody matches the filters.
    """
    people = recipients(event, filters)
    if not people:
        raise NoRecipients()
    for registration in people:
        emails.queue_message(registration, subject, body)
    db.session.commit()
    return len(people)
