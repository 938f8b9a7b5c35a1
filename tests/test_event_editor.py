"""The organiser's event editor: create, validate, edit, move, duplicate, publish, cancel."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from eventsreg.events.models import Event, EventStatus, QuestionKind
from eventsreg.extensions import db
from eventsreg.registrations.models import RegistrationStatus

from .conftest import choices
from .helpers import error_for, registrations


def editor_data(**overrides) -> dict:
    data = {
        "title": "Comunità energetica: secondo incontro",
        "slug": "",
        "summary": "Seconda serata per le aziende.",
        "description": "Le **CER** spiegate bene.",
        "organizers": "Consorzio.IT\nREI",
        "timezone": "Europe/Rome",
        "starts_at": "2030-04-09T17:00",
        "ends_at": "2030-04-09T18:30",
        "venue_name": "Sala conferenze",
        "venue_address": "Via del Commercio 29, Crema",
        "online_url": "",
        "capacity": "50",
        "max_party_size": "3",
        "registration_opens_at": "",
        "registration_closes_at": "09/04/2030 12:00",
        "contact_email": "Eventi@Consorzio.example",
        "privacy_notice": "Titolare: Consorzio.IT.",
        # The form profile: companies, every standard field, every way to take part.
        "registrants": "organisations",
        "organisation_field": "required",
        "tax_id_field": "required",
        "phone_field": "optional",
        "asks_party_size": "y",
        "allows_in_person": "y",
        "allows_online": "y",
        "allows_interest_only": "y",
    }
    data.update(overrides)
    return data


@pytest.fixture
def organizer(create_organizer, sign_in):
    organizer = create_organizer()
    sign_in(organizer)
    return organizer


def _event(slug: str) -> Event:
    db.session.expire_all()
    return db.session.scalar(sa.select(Event).where(Event.slug == slug))


def test_new_event_is_a_draft_managed_by_its_creator_with_times_in_its_zone(client, organizer):
    response = client.post("/organizer/events/new", data=editor_data())
    assert response.status_code == 303
    event = _event("comunita-energetica-secondo-incontro")
    assert event.status is EventStatus.draft
    assert event.starts_at == datetime(2030, 4, 9, 15, 0, tzinfo=UTC)  # 17:00 CEST
    assert event.registration_closes_at == datetime(2030, 4, 9, 10, 0, tzinfo=UTC)
    assert event.capacity == 50 and event.max_party_size == 3
    assert event.contact_email == "eventi@consorzio.example"
    assert organizer.can_manage(event)
    assert client.get(f"/events/{event.slug}/").status_code == 404  # a draft is not public


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_at": "2030-04-09T16:00"}, "ends_at", "dopo l'inizio"),
        ({"registration_closes_at": "2030-04-10T09:00"}, "registration_closes_at", "dopo la fine"),
        ({"starts_at": "domani sera"}, "starts_at", "gg/mm/aaaa"),
        ({"slug": "Con Spazi"}, "slug", "lettere minuscole"),
        ({"capacity": "-3"}, "capacity", "numero intero"),
        ({"contact_email": "non-valida"}, "contact_email", "email valido"),
        ({"online_url": "javascript:alert(1)"}, "online_url", "https://"),
        ({"timezone": "Mars/Olympus"}, "timezone", "fuso orario"),
        ({"title": ""}, "title", "titolo"),
        ({"privacy_notice": ""}, "privacy_notice", "informativa"),
    ],
)
def test_bad_editor_input_is_refused_next_to_the_field(
    client, organizer, overrides, field, message
):
    response = client.post("/organizer/events/new", data=editor_data(**overrides))
    assert response.status_code == 400
    assert message in error_for(response.get_data(as_text=True), field)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_a_taken_slug_is_refused(client, organizer, create_event):
    create_event(slug="incontro")
    response = client.post("/organizer/events/new", data=editor_data(slug="incontro"))
    assert "già usato" in error_for(response.get_data(as_text=True), "slug")


def test_markdown_preview_is_sanitised_and_saves_nothing(client, organizer):
    response = client.post(
        "/organizer/events/new",
        data=editor_data(description="**Bene** <script>alert(1)</script>", preview="1"),
    )
    html = response.get_data(as_text=True)
    assert "<strong>Bene</strong>" in html
    assert "<script>alert(1)" not in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_editing_the_time_moves_the_calendar_entry(client, organizer, create_event, register):
    event = create_event()
    organizer.events.append(event)
    db.session.commit()
    register(event)
    sequence = event.ical_sequence
    data = editor_data(slug=event.slug, starts_at="2031-01-10T10:00", ends_at="2031-01-10T12:00",
                       registration_closes_at="")  # fmt: skip
    response = client.post(f"/organizer/events/{event.slug}/edit", data=data, follow_redirects=True)
    assert "invito aggiornato" in response.get_data(as_text=True)
    moved = _event(event.slug)
    assert moved.ical_sequence == sequence + 1
    assert moved.starts_at == datetime(2031, 1, 10, 9, 0, tzinfo=UTC)


def test_capacity_below_the_confirmed_people_is_refused(client, organizer, create_event, register):
    event = create_event(capacity=10)
    organizer.events.append(event)
    db.session.commit()
    register(event, party_size="3")
    response = client.post(
        f"/organizer/events/{event.slug}/edit",
        data=editor_data(slug=event.slug, capacity="2", registration_closes_at=""),
    )
    assert "già 3 persone confermate" in error_for(response.get_data(as_text=True), "capacity")
    assert _event(event.slug).capacity == 10


def test_more_seats_promote_the_waiting_list(client, organizer, create_event, register):
    event = create_event(capacity=1)
    organizer.events.append(event)
    db.session.commit()
    register(event, email="a@example.com")
    register(event, email="b@example.com")
    assert [r.status for r in registrations()] == [
        RegistrationStatus.confirmed,
        RegistrationStatus.waitlisted,
    ]
    client.post(
        f"/organizer/events/{event.slug}/edit",
        data=editor_data(slug=event.slug, capacity="2", registration_closes_at=""),
    )
    assert [r.status for r in registrations()] == [RegistrationStatus.confirmed] * 2


def test_changing_the_privacy_notice_gives_it_a_new_version(client, organizer, create_event):
    event = create_event(privacy_notice="v1")
    organizer.events.append(event)
    db.session.commit()
    client.post(
        f"/organizer/events/{event.slug}/edit",
        data=editor_data(slug=event.slug, privacy_notice="v2", registration_closes_at=""),
    )
    assert _event(event.slug).privacy_notice_version == 2


def test_publish_unpublish_close_and_reopen(client, organizer, create_event):
    event = create_event(status=EventStatus.draft)
    organizer.events.append(event)
    db.session.commit()
    client.post(f"/organizer/events/{event.slug}/publish")
    assert _event(event.slug).is_published
    assert client.get(f"/events/{event.slug}/").status_code == 200
    client.post(f"/organizer/events/{event.slug}/close")
    assert "Iscrizioni chiuse" in client.get(f"/events/{event.slug}/").get_data(as_text=True)
    client.post(f"/organizer/events/{event.slug}/reopen")
    assert not _event(event.slug).is_registration_closed
    client.post(f"/organizer/events/{event.slug}/unpublish")
    assert client.get(f"/events/{event.slug}/").status_code == 404


def test_cancel_needs_confirmation_then_cancels(client, organizer, create_event):
    event = create_event()
    organizer.events.append(event)
    db.session.commit()
    client.post(f"/organizer/events/{event.slug}/cancel")
    assert not _event(event.slug).is_cancelled
    client.post(f"/organizer/events/{event.slug}/cancel", data={"confirm": "yes"})
    cancelled = _event(event.slug)
    assert cancelled.is_cancelled and cancelled.ical_sequence == 1


def test_duplicate_copies_texts_and_questions_with_their_conditions(
    client, organizer, create_event, add_question, register
):
    event = create_event(slug="cer-2026")
    organizer.events.append(event)
    db.session.commit()
    role = add_question(event, "role", QuestionKind.choice, choices=choices("consumer", "producer"))
    kwh = add_question(
        event, "kwh", QuestionKind.number, condition_question=role, condition_values=["consumer"]
    )
    register(event)
    response = client.post(f"/organizer/events/{event.slug}/duplicate")
    assert response.headers["Location"].endswith("/organizer/events/cer-2026-copia/edit")
    copy = _event("cer-2026-copia")
    assert copy.status is EventStatus.draft and copy.title == event.title
    assert [q.code for q in copy.questions] == ["role", "kwh"]
    copied_kwh = copy.questions[1]
    assert copied_kwh.id != kwh.id
    assert copied_kwh.condition_question_id == copy.questions[0].id
    assert copy.registrations == []
    assert organizer.can_manage(copy)


def test_unknown_action_is_404(client, organizer, create_event):
    event = create_event()
    organizer.events.append(event)
    db.session.commit()
    assert client.post(f"/organizer/events/{event.slug}/explode").status_code == 404
