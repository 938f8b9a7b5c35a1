"""Rules with one home each: which registrations count, seats, calendar state, the errors
services raise from under the event's lock, and what a new attempt forgets."""

from datetime import timedelta

import icalendar
import pytest
import sqlalchemy as sa

from eventsreg.calendar import CANCEL, REQUEST
from eventsreg.dbtypes import utcnow
from eventsreg.events.models import QuestionKind
from eventsreg.events.services import cancel_event, change_event
from eventsreg.extensions import db
from eventsreg.mail.models import EmailKind, OutboxEmail
from eventsreg.mail.outbox import write
from eventsreg.questions.models import Answer
from eventsreg.registrations import admin, checkin, seats, services
from eventsreg.registrations.errors import CapacityBelowTaken, NotPending
from eventsreg.registrations.models import AttendanceMode, Registration, RegistrationStatus

from .conftest import PASSWORD, form_data
from .helpers import error_for, personal_token, registrations


def add(event, email="maria.rossi@example.com", **overrides) -> Registration:
    values = {
        "first_name": "Maria",
        "last_name": "Rossi",
        "email": email,
        "company_name": "Officine Cremasche Srl",
        "vat_number": "00743110157",
        "attendance": AttendanceMode.in_person,
        "party_size": 1,
        **overrides,
    }
    return services.register(event, services.RegistrationData(**values)).registration


def emails_to(address: str, kind: EmailKind | None = None) -> list[OutboxEmail]:
    query = sa.select(OutboxEmail).where(OutboxEmail.to_address == address)
    if kind is not None:
        query = query.where(OutboxEmail.kind == kind)
    # As the registrant will read them: written from their drafts.
    return [write(email) for email in db.session.scalars(query.order_by(OutboxEmail.id))]


# -- which registrations count ------------------------------------------------------------


def test_active_is_one_rule_in_python_and_in_sql(create_event):
    event = create_event(requires_approval=True)
    for status, email in [
        (RegistrationStatus.pending, "a@example.com"),
        (RegistrationStatus.confirmed, "b@example.com"),
        (RegistrationStatus.waitlisted, "c@example.com"),
        (RegistrationStatus.cancelled, "d@example.com"),
        (RegistrationStatus.rejected, "e@example.com"),
    ]:
        add(event, email).status = status
    db.session.commit()
    in_python = {r.email for r in registrations() if r.is_active}
    in_sql = set(db.session.scalars(sa.select(Registration.email).where(Registration.is_active)))
    assert in_python == in_sql == {"a@example.com", "b@example.com", "c@example.com"}


@pytest.mark.parametrize("change", ["move", "cancel"])
def test_a_rejected_registrant_hears_nothing_when_the_event_moves_or_is_cancelled(
    create_event, change
):
    event = create_event(requires_approval=True)
    kept = add(event, "accettata@example.com")
    refused = add(event, "rifiutata@example.com")
    services.approve(kept)
    services.reject(refused)
    withdrawn = add(event, "ritirata@example.com")
    services.approve(withdrawn)
    services.withdraw(withdrawn)
    if change == "move":
        change_event(event, starts_at=event.starts_at + timedelta(hours=1))
        kind = EmailKind.event_update
    else:
        cancel_event(event)
        kind = EmailKind.event_cancelled
    assert len(emails_to("accettata@example.com", kind)) == 1
    assert emails_to("rifiutata@example.com", kind) == []
    assert emails_to("ritirata@example.com", kind) == []


# -- errors raised from under the lock ----------------------------------------------------


def test_approving_or_rejecting_a_decided_registration_is_refused_by_the_service(create_event):
    event = create_event(requires_approval=True)
    registration = add(event)
    services.approve(registration)
    for decide in (services.approve, services.reject):
        with pytest.raises(NotPending):
            decide(registration)
    assert registration.status is RegistrationStatus.confirmed
    assert len(emails_to(registration.email, EmailKind.approved)) == 1
    assert emails_to(registration.email, EmailKind.rejected) == []


def test_a_capacity_below_the_people_confirmed_is_refused_with_their_number(create_event):
    event = create_event(capacity=10)
    add(event, "a@example.com", party_size=3)
    add(event, "b@example.com", party_size=2)
    with pytest.raises(CapacityBelowTaken) as refused:
        seats.change_capacity(event, 4)
    assert refused.value.taken == 5
    db.session.rollback()
    assert event.capacity == 10


def test_more_seats_confirm_the_waiting_list_in_order(create_event):
    event = create_event(capacity=1)
    add(event, "primo@example.com")
    first, second = add(event, "secondo@example.com"), add(event, "terzo@example.com")
    assert first.status is second.status is RegistrationStatus.waitlisted
    promoted = seats.change_capacity(event, 2)
    db.session.commit()
    assert [r.email for r in promoted] == ["secondo@example.com"]
    assert len(emails_to("secondo@example.com", EmailKind.promotion)) == 1
    assert seats.waitlist_position(db.session.get(Registration, second.id)) == 1


def test_a_registration_waiting_for_approval_keeps_waiting_when_the_person_changes_it(
    client, create_event, register
):
    event = create_event(requires_approval=True)
    token = personal_token(client, register(event))
    response = client.post(f"/r/{token}", data=form_data(email=None, privacy_consent=None))
    assert response.status_code == 303
    [registration] = registrations()
    assert registration.status is RegistrationStatus.pending


# -- calendar state -------------------------------------------------------------------------


def _sequence(email: OutboxEmail) -> int:
    return int(icalendar.Calendar.from_ical(email.ics).walk("VEVENT")[0]["SEQUENCE"])


def test_calendar_state_lives_on_the_registration_and_outranks_a_cancellation(create_event):
    event = create_event()
    registration = add(event)
    assert (registration.ical_method, registration.ical_sequence) == (REQUEST, 0)
    services.withdraw(registration)
    assert (registration.ical_method, registration.ical_sequence) == (CANCEL, 1)
    again = add(event)
    assert again.id == registration.id
    assert (again.ical_method, again.ical_sequence) == (REQUEST, 2)
    invites = [e for e in emails_to(again.email) if e.ics]
    assert [(e.ics_method, _sequence(e)) for e in invites] == [
        (REQUEST, 0),
        (CANCEL, 1),
        (REQUEST, 2),
    ]


def test_composing_an_email_changes_nothing_on_the_registration(create_event):
    event = create_event()
    registration = add(event)
    services.withdraw(registration)
    before = (registration.ical_method, registration.ical_sequence, registration.updated_at)
    # The organiser's preview renders the real message and throws it away.
    preview = admin.preview_message(event, admin.RegistrationFilter(), "Oggetto", "Testo")
    assert preview.count == 0
    active = add(event, "altra@example.com")
    state = (active.ical_method, active.ical_sequence)
    admin.preview_message(event, admin.RegistrationFilter(), "Oggetto", "Testo")
    db.session.commit()
    assert (active.ical_method, active.ical_sequence) == state
    assert (registration.ical_method, registration.ical_sequence) == before[:2]


# -- a new attempt starts afresh ----------------------------------------------------------


def test_registering_again_after_withdrawing_forgets_the_earlier_attempt(
    client, create_event, register, add_question
):
    event = create_event()
    note = add_question(event, "note", QuestionKind.text)
    old = register(event, **{note.field_name: "Prima volta"}, marketing_consent="y")
    old_token = personal_token(client, old)
    [registration] = registrations()
    registration.reminder_queued_at = utcnow()
    registration.link_sent_at = utcnow()
    checkin.check_in(registration)
    client.post(f"/r/{old_token}/withdraw")

    new = register(event)
    assert new.status_code == 303
    [registration] = registrations()
    assert registration.status is RegistrationStatus.confirmed and registration.is_active
    assert registration.reminder_queued_at is None
    assert registration.link_sent_at is None
    assert registration.checked_in_at is None
    assert registration.cancelled_at is None
    assert registration.marketing_consent_at is None
    assert db.session.scalars(sa.select(Answer.value)).all() == []


# -- the organiser's manual registration --------------------------------------------------


def test_the_manual_registration_form_checks_the_email_as_the_public_form_does(
    client, create_event, create_organizer
):
    event = create_event()
    organizer = create_organizer(events=[event])
    client.post("/organizer/login", data={"email": organizer.email, "password": PASSWORD})
    response = client.post(
        f"/organizer/events/{event.slug}/registrations/new",
        data=form_data(email="not an email@@", locale="it"),
    )
    assert response.status_code == 400
    assert "email" in error_for(response.get_data(as_text=True), "email").lower()
    assert registrations() == []
