"""Messages from organisers to registrants: preview, send through the outbox, filters."""

import re
from html import unescape

import pytest
import sqlalchemy as sa

from eventsreg.events.models import QuestionKind
from eventsreg.extensions import db
from eventsreg.mail import delivery
from eventsreg.mail.models import EmailKind, OutboxEmail
from eventsreg.registrations import services
from eventsreg.registrations.models import AttendanceMode

from .conftest import PASSWORD, choices


@pytest.fixture
def app_config():
    # A mail server is configured, so delivered messages reach the `outbox` fixture.
    return {"MAIL_SERVER": "smtp.test"}


def add(event, **overrides):
    values = {
        "first_name": "Maria",
        "last_name": "Rossi",
        "email": "maria.rossi@example.com",
        "company_name": "Officine Cremasche Srl",
        "vat_number": "00743110157",
        "attendance": AttendanceMode.in_person,
        "party_size": 1,
        **overrides,
    }
    return services.register(event, services.RegistrationData(**values)).registration


@pytest.fixture
def people(create_event, outbox):
    """An event with three active registrations and a withdrawn one; set-up mail forgotten."""
    event = create_event(online_url="https://meet.example.org/cer")
    add(event)
    add(
        event,
        email="luca@example.com",
        first_name="Luca",
        company_name="Tessitura Srl",
        attendance=AttendanceMode.online,
    )
    add(
        event,
        email="anna@example.com",
        first_name="Anna",
        company_name="Anna & C.",
        attendance=AttendanceMode.not_attending,
        party_size=0,
    )
    services.withdraw(add(event, email="ritirato@example.com", first_name="Pino"))
    delivery.deliver_pending()
    outbox.clear()
    return event


@pytest.fixture
def signed_in(create_organizer, sign_in):
    def make(event):
        sign_in(create_organizer(events=[event]))

    return make


def url(event) -> str:
    return f"/organizer/events/{event.slug}/messages"


def message_rows() -> list[OutboxEmail]:
    db.session.expire_all()
    return list(
        db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.kind == EmailKind.message))
    )


BODY = "Buongiorno {nome} di {azienda},\n\nvi aspettiamo a «{evento}».\n<script>alert(1)</script>"


def compose(**overrides) -> dict:
    """The message form, previewing; None removes a field (``preview=None, send=...``)."""
    data = {"subject": "Promemoria per {azienda}", "body": BODY, "preview": "Anteprima"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_page_needs_sign_in_and_another_organisers_event_answers_404(
    client, create_event, create_organizer, sign_in
):
    event = create_event()
    for method in ("GET", "POST"):
        response = client.open(url(event), method=method, data=compose(send="Invia"))
        assert response.status_code == 302
        assert "/organizer/login" in response.headers["Location"]
    sign_in(create_organizer(events=[create_event()]))
    assert client.get(url(event)).status_code == 404
    assert client.post(url(event), data=compose(send="Invia")).status_code == 404
    assert message_rows() == []


def test_preview_shows_the_count_and_the_first_recipients_text_and_sends_nothing(
    client, people, signed_in, outbox
):
    signed_in(people)
    response = client.post(url(people), data=compose())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Il messaggio andrà a 3 destinatari" in html
    assert "Buongiorno Maria di Officine Cremasche Srl" in html
    assert "Promemoria per Officine Cremasche Srl" in html
    assert "vi aspettiamo a «Incontro di prova»" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert 'value="Invia a 3 destinatari"' in html
    assert message_rows() == []
    assert outbox == []


def test_sending_queues_one_email_per_active_registrant_with_placeholders_filled(
    client, people, signed_in, outbox
):
    signed_in(people)
    response = client.post(url(people), data=compose(send="Invia", preview=None))
    assert response.status_code == 303
    rows = message_rows()
    assert sorted(row.to_address for row in rows) == [
        "anna@example.com",
        "luca@example.com",
        "maria.rossi@example.com",
    ]
    by_address = {message.recipients[0][1]: message for message in outbox}
    assert sorted(by_address) == sorted(row.to_address for row in rows)
    anna = by_address["anna@example.com"]
    assert anna.subject == "Promemoria per Anna & C."
    assert "Buongiorno Anna di Anna & C." in anna.body
    assert "Buongiorno Anna di Anna &amp; C." in anna.html
    assert "<script>" in anna.body  # plain text stays as written
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in anna.html
    assert "<script>" not in anna.html
    page = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Messaggio in coda per 3 destinatari" in page


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"attendance": "online"}, ["luca@example.com"]),
        ({"status": "confirmed", "attendance": "not_attending"}, ["anna@example.com"]),
        ({"checked_in": "no", "attendance": "in_person"}, ["maria.rossi@example.com"]),
        ({"status": "cancelled"}, []),  # withdrawn registrations never get messages
    ],
)
def test_sending_to_a_filtered_set(client, people, signed_in, filters, expected):
    signed_in(people)
    client.post(url(people), data=compose(send="Invia", preview=None, **filters))
    assert sorted(row.to_address for row in message_rows()) == expected


def test_sending_by_the_answer_to_a_question(client, create_event, add_question, signed_in):
    event = create_event()
    area = add_question(event, "area", QuestionKind.choice, choices=choices("olivetti", "pierina"))
    add(event, answers={area.id: "pierina"})
    add(event, email="luca@example.com", answers={area.id: "olivetti"})
    signed_in(event)
    response = client.post(
        url(event), data=compose(send="Invia", preview=None, **{area.field_name: "pierina"})
    )
    assert response.status_code == 303
    assert [row.to_address for row in message_rows()] == ["maria.rossi@example.com"]


@pytest.mark.parametrize("button", [{}, {"send": "Invia", "preview": None}])
def test_no_recipients_is_said_clearly_and_nothing_is_queued(
    client, create_event, signed_in, outbox, button
):
    event = create_event()
    services.withdraw(add(event))
    delivery.deliver_pending()
    outbox.clear()
    signed_in(event)
    response = client.post(url(event), data=compose(**button))
    assert response.status_code == 400
    assert "Nessun iscritto attivo corrisponde ai filtri scelti" in unescape(
        response.get_data(as_text=True)
    )
    assert message_rows() == []
    assert outbox == []


def test_subject_and_body_are_required(client, people, signed_in):
    signed_in(people)
    response = client.post(url(people), data=compose(subject="", body="  ", send="Invia"))
    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    assert re.search(r'id="subject-error">.*Scrivi l\'oggetto del messaggio', html, re.S)
    assert re.search(r'id="body-error">.*Scrivi il testo del messaggio', html, re.S)
    assert message_rows() == []


def test_the_filters_of_the_registrations_table_come_along(client, people, signed_in):
    signed_in(people)
    html = client.get(url(people), query_string={"status": "confirmed"}).get_data(as_text=True)
    assert '<option selected value="confirmed">' in html


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_sending_without_a_csrf_token_is_refused(client, create_event, create_organizer):
    event = create_event()
    add(event)
    organizer = create_organizer(events=[event])
    login = client.get("/organizer/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    client.post(
        "/organizer/login",
        data={"email": organizer.email, "password": PASSWORD, "csrf_token": token},
    )
    assert client.get(url(event)).status_code == 200
    response = client.post(url(event), data=compose(send="Invia", preview=None))
    assert response.status_code == 400
    assert message_rows() == []


def test_the_greeting_is_the_one_the_organiser_writes_once(client, people, signed_in, outbox):
    """The form starts with a greeting the organiser may change or remove; the email says
    exactly what the preview shows, never a second greeting of its own."""
    signed_in(people)
    page = unescape(client.get(url(people)).get_data(as_text=True))
    assert re.search(r"<textarea[^>]*>\s*Gentile \{nome\} \{cognome\},", page)

    body = "Gentile {nome} {cognome},\n\nci vediamo martedì."
    preview = unescape(client.post(url(people), data=compose(body=body)).get_data(as_text=True))
    assert preview.count("Gentile Maria Rossi,") == 1
    client.post(url(people), data=compose(body=body, send="Invia", preview=None))
    maria = next(m for m in outbox if m.recipients[0][1] == "maria.rossi@example.com")
    assert maria.body.count("Gentile") == 1 and maria.body.startswith("Gentile Maria Rossi,")
    assert maria.html.count("Gentile") == 1

    outbox.clear()
    client.post(url(people), data=compose(body="Solo il testo.", send="Invia", preview=None))
    assert all("Gentile" not in m.body and "Gentile" not in m.html for m in outbox)


def test_sending_by_one_of_the_answers_to_a_multiple_choice_question(
    client, create_event, add_question, signed_in
):
    event = create_event()
    topics = add_question(
        event, "temi", QuestionKind.multichoice, choices=choices("fotovoltaico", "accumulo", "foto")
    )
    add(event, answers={topics.id: ["fotovoltaico", "accumulo"]})
    add(event, email="luca@example.com", answers={topics.id: ["accumulo"]})
    add(event, email="anna@example.com", answers={topics.id: ["foto"]})
    signed_in(event)
    page = client.get(url(event)).get_data(as_text=True)
    assert f'name="{topics.field_name}"' in page  # offered as a filter
    response = client.post(
        url(event), data=compose(send="Invia", preview=None, **{topics.field_name: "foto"})
    )
    assert response.status_code == 303
    # "foto" is its own option: it does not match inside "fotovoltaico".
    assert [row.to_address for row in message_rows()] == ["anna@example.com"]
    client.post(
        url(event), data=compose(send="Invia", preview=None, **{topics.field_name: "accumulo"})
    )
    assert sorted(row.to_address for row in message_rows()) == [
        "anna@example.com", "luca@example.com", "maria.rossi@example.com"
    ]  # fmt: skip
