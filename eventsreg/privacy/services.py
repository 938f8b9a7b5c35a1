"""A registrant's rights over their data, and the retention limit.

- :func:`personal_data`: everything stored about a registrant, as JSON (right of access).
- :func:`erase`: the registration deleted with its answers and emails (right to erasure).
- :func:`purge`: registrations of events that ended more than the retention period ago
  lose everything that identifies a person; the dashboard's counts and sums stay.

What the purge keeps and why:

- status, attendance, party size, check-in, creation and change times: the dashboard
  counts them, and they say nothing about who registered;
- the time of the privacy consent and the notice's version: the record that the data
  was collected lawfully;
- the time of the consent to future communications: with no address left, nobody can be
  written to any more, and the figure of how many agreed remains;
- answers to choice, multiple choice, yes/no, declaration, number, date, ATECO and
  primary-substation questions: summed up by the dashboard, they describe a company's
  activity and plant, not a person;
- POD codes are replaced by placeholders, so that their number stays;
- free text, email, phone, web address and VAT number answers are replaced by a marker:
  the dashboard still counts how many answered.

The company becomes a pseudonym ("Azienda anonima 3"), one per company within the event
(companies are recognised as the dashboard recognises them), so that the number of
companies and the contacts who disagree stay as they were.
"""

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlalchemy.orm import selectinload

from ..dbtypes import utcnow
from ..events.models import Event, Question
from ..extensions import db
from ..mail.models import OutboxEmail, OutboxStatus
from ..questions.kinds import REMOVED, AnonymiseContext, kind_of
from ..registrations import seats
from ..registrations.links import end_earlier_links
from ..registrations.models import Registration
from ..tokens import hash_token
from ..urls import external_url
from .emails import queue_erasure

#: Company name given to the companies of an anonymised event, numbered.
COMPANY_PSEUDONYM = "Azienda anonima {n}"
#: Domain of the placeholder addresses: .invalid can never receive mail (RFC 2606).
PLACEHOLDER_DOMAIN = "anonimo.invalid"
#: Companies anonymised per transaction.
BATCH_SIZE = 500


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


# -- access ----------------------------------------------------------------------------------


def personal_data(registration: Registration) -> dict:
    """Everything stored about the registrant of *registration*, ready for ``json.dumps``.

    Token hashes are left out: they are not data about the person, and would help
    nobody but someone guessing links.
    """
    event = registration.event
    questions = {question.id: question for question in event.questions}
    emails = db.session.scalars(
        sa.select(OutboxEmail)
        .where(OutboxEmail.registration_id == registration.id)
        .order_by(OutboxEmail.created_at, OutboxEmail.id)
    )
    return {
        "generated_at": _iso(utcnow()),
        "controller": {
            "organizers": [line.strip() for line in event.organizers.splitlines() if line.strip()],
            "contact_email": event.contact_email,
            "privacy_notice_url": external_url("registrations.privacy", slug=event.slug),
        },
        "event": {
            "title": event.title,
            "slug": event.slug,
            "starts_at": _iso(event.starts_at),
            "ends_at": _iso(event.ends_at),
            "url": external_url("events.detail", slug=event.slug),
        },
        "registration": {
            "status": registration.status.value,
            "attendance": registration.attendance.value,
            "party_size": registration.party_size,
            "first_name": registration.first_name,
            "last_name": registration.last_name,
            "email": registration.email,
            "phone": registration.phone,
            "company_name": registration.company_name,
            "vat_number": registration.vat_number,
            "tax_code": registration.tax_code,
            "locale": registration.locale,
            "entered_by_organizer": registration.registered_by_id is not None,
            "created_at": _iso(registration.created_at),
            "updated_at": _iso(registration.updated_at),
            "cancelled_at": _iso(registration.cancelled_at),
            "checked_in_at": _iso(registration.checked_in_at),
            "link_sent_at": _iso(registration.link_sent_at),
            "reminder_queued_at": _iso(registration.reminder_queued_at),
        },
        "consent": {
            "privacy_consent_at": _iso(registration.privacy_consent_at),
            "privacy_notice_version": registration.privacy_notice_version,
            "marketing_consent_at": _iso(registration.marketing_consent_at),
        },
        "answers": [
            _answer_data(questions[answer.question_id], answer.value)
            for answer in sorted(
                registration.answers, key=lambda a: (questions[a.question_id].position, a.id)
            )
        ],
        # What was written to them, not the bodies: those held the personal link.
        "emails": [
            {
                "kind": email.kind.value,
                "subject": email.subject,
                "status": email.status.value,
                "created_at": _iso(email.created_at),
                "sent_at": _iso(email.sent_at),
            }
            for email in emails
        ],
    }


def _answer_data(question: Question, value) -> dict:
    """One answer in the download: the question in the registrant's words, the value as
    stored and as read (with its unit, for measures)."""
    return {
        "question": question.text("label"),
        "code": question.code,
        "kind": question.kind.value,
        "archived": question.is_archived,
        **kind_of(question).data(question, value),
    }


# -- erasure ---------------------------------------------------------------------------------


@dataclass
class Erased:
    event: Event
    email: str
    #: Waitlisted registrations confirmed in the seats it gave back.
    promoted: list[Registration]


def erase(registration: Registration, now: datetime | None = None) -> Erased | None:
    """Delete *registration*, its answers and the emails that name the person, at once.

    Its seats go to the waiting list as after a withdrawal, and one short email tells the
    address that the data is gone (with no personal link: there is nothing left to see).
    Messages being handed to the mail server at this very moment are left to their worker
    (they are detached from the registration; the purge removes them later).
    Returns None when the registration was already erased (a second click).
    """
    now = now or utcnow()
    registration_id = registration.id
    seats.lock(registration.event)
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        return None
    event = registration.event
    email, locale, was_active = registration.email, registration.locale, registration.is_active
    db.session.execute(
        sa.delete(OutboxEmail).where(
            OutboxEmail.registration_id == registration_id,
            OutboxEmail.status != OutboxStatus.sending,
        )
    )
    db.session.delete(registration)
    db.session.flush()
    promoted = []
    if was_active and not event.is_cancelled and now < event.ends_at:
        promoted = seats.promote_waitlisted(event)
    queue_erasure(event, email, locale)
    db.session.commit()
    return Erased(event=event, email=email, promoted=promoted)


# -- retention -------------------------------------------------------------------------------


def months_before(moment: datetime, months: int) -> datetime:
    """*moment* moved back by whole calendar *months* (31 March − 1 month = 28/29 February)."""
    return moment - relativedelta(months=months)


@dataclass
class PurgeReport:
    registrations: int = 0
    events: int = 0


def _due(cutoff: datetime):
    return sa.and_(
        Registration.anonymized_at.is_(None),
        Registration.event_id.in_(sa.select(Event.id).where(Event.ends_at < cutoff)),
    )


def pending_purge(now: datetime, months: int) -> PurgeReport:
    """What :func:`purge` would anonymise now, changing nothing."""
    cutoff = months_before(now, months)
    row = db.session.execute(
        sa.select(sa.func.count(), sa.func.count(sa.distinct(Registration.event_id))).where(
            _due(cutoff)
        )
    ).one()
    return PurgeReport(registrations=row[0], events=row[1])


def purge(now: datetime | None = None, months: int = 12) -> PurgeReport:
    """Anonymise the registrations of events that ended more than *months* months ago.

    A company's registrations are anonymised together, a batch of companies per
    transaction; running it again changes nothing.
    """
    now = now or utcnow()
    cutoff = months_before(now, months)
    report = PurgeReport()
    event_ids = list(
        db.session.scalars(
            sa.select(Registration.event_id)
            .where(_due(cutoff))
            .distinct()
            .order_by(Registration.event_id)
        )
    )
    for event_id in event_ids:
        report.registrations += _purge_event(db.session.get(Event, event_id), now)
        report.events += 1
    _delete_old_emails(cutoff)
    return report


def _purge_event(event: Event, now: datetime) -> int:
    event_id = event.id
    questions = {question.id: question for question in event.questions}
    # Companies already anonymised (by a run interrupted half-way) keep their numbers.
    numbered = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Registration.company_name))).where(
            Registration.event_id == event_id, Registration.anonymized_at.is_not(None)
        )
    )
    key = Registration.company_key
    pending = sa.and_(Registration.event_id == event_id, Registration.anonymized_at.is_(None))
    count = 0
    while True:
        # The next companies in the order they first registered.
        keys = list(
            db.session.scalars(
                sa.select(key)
                .where(pending)
                .group_by(key)
                .order_by(sa.func.min(Registration.id))
                .limit(BATCH_SIZE)
            )
        )
        if not keys:
            break
        companies: dict[str, list[Registration]] = defaultdict(list)
        rows = db.session.execute(
            sa.select(Registration, key)
            .where(pending, key.in_(keys))
            .options(selectinload(Registration.answers))
            .order_by(Registration.id)
        )
        for registration, company_key in rows:
            companies[company_key].append(registration)
        # Numbered in the order the companies first registered.
        loaded = []
        for group in sorted(companies.values(), key=lambda group: group[0].id):
            numbered += 1
            context = AnonymiseContext()
            for registration in group:
                _anonymise(registration, numbered, context, questions, now)
                loaded += [registration, *registration.answers]
                count += 1
        ids = [registration.id for group in companies.values() for registration in group]
        # Their bodies name the person. One a worker is sending right now is left to it
        # (deleting it under the worker would fail its bookkeeping); see _delete_old_emails.
        db.session.execute(
            sa.delete(OutboxEmail)
            .where(
                OutboxEmail.registration_id.in_(ids),
                OutboxEmail.status != OutboxStatus.sending,
            )
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        # Let the batch's objects go before loading the next one.
        for instance in loaded:
            db.session.expunge(instance)
    return count


def _delete_old_emails(cutoff: datetime) -> int:
    """Delete the sent or failed messages of past events whose registration is anonymised or
    erased (an erasure's confirmation, a message that was being sent during the purge)."""
    anonymised = sa.select(Registration.id).where(Registration.anonymized_at.is_not(None))
    result = db.session.execute(
        sa.delete(OutboxEmail)
        .where(
            OutboxEmail.event_id.in_(sa.select(Event.id).where(Event.ends_at < cutoff)),
            OutboxEmail.status.in_((OutboxStatus.sent, OutboxStatus.failed)),
            sa.or_(
                OutboxEmail.registration_id.is_(None),
                OutboxEmail.registration_id.in_(anonymised),
            ),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def _anonymise(
    registration: Registration,
    company_number: int,
    context: AnonymiseContext,
    questions: dict[int, Question],
    now: datetime,
) -> None:
    registration.first_name = ""
    registration.last_name = ""
    registration.email = f"anonimo-{registration.id}@{PLACEHOLDER_DOMAIN}"
    registration.phone = ""
    registration.company_name = COMPANY_PSEUDONYM.format(n=company_number)
    registration.vat_number = ""
    registration.tax_code = ""
    # Nobody knows these tokens: the old personal link and QR code stop working.
    registration.token_hash = hash_token(secrets.token_urlsafe(32))
    registration.checkin_token_hash = None
    end_earlier_links(registration)
    registration.anonymized_at = now
    for answer in registration.answers:
        question = questions.get(answer.question_id)
        answer.value = (
            kind_of(question).anonymise(question, answer.value, context)
            if question is not None
            else REMOVED
        )
