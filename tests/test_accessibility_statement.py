"""The accessibility statement, linked from every page, with its form to report a barrier."""

import pytest
import sqlalchemy as sa

from eventsreg.extensions import db
from eventsreg.mail.models import EmailKind, OutboxEmail

from .helpers import error_for


@pytest.fixture
def app_config():
    return {"MAIL_SERVER": "smtp.test", "ACCESSIBILITY_CONTACT": "a11y@example.org"}


def test_every_page_footer_links_the_statement(client, create_event):
    event = create_event()
    for url in ("/", f"/events/{event.slug}/", f"/events/{event.slug}/register", "/nessuna"):
        assert 'href="/accessibilita"' in client.get(url).get_data(as_text=True), url


def test_statement_states_conformance_limits_and_how_to_report(client):
    html = client.get("/accessibilita").get_data(as_text=True)
    assert "WCAG 2.1" in html and "parzialmente conforme" in html
    assert "Contenuti non accessibili noti" in html
    assert "a11y@example.org" in html


def test_a_report_reaches_the_contact_with_the_visitors_words_escaped(client, outbox):
    response = client.post(
        "/accessibilita",
        data={
            "page": "/events/x/",
            "description": "Il pulsante <b>non</b> si legge",
            "email": "anna@example.com",
        },
    )
    assert response.status_code == 303
    [message] = outbox
    assert message.recipients == ["a11y@example.org"]
    assert message.reply_to == "anna@example.com"
    assert "Il pulsante <b>non</b> si legge" in message.body
    assert "&lt;b&gt;non&lt;/b&gt;" in message.html
    # Stored as what it is, not as an organiser's message to a registrant.
    stored = db.session.scalar(sa.select(OutboxEmail))
    assert stored.kind is EmailKind.accessibility_report
    assert stored.event_id is None and stored.registration_id is None


def test_a_report_needs_a_description_and_a_valid_optional_email(client):
    response = client.post("/accessibilita", data={"description": "", "email": "non-valida"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Descrivere il problema incontrato" in error_for(html, "description")
    assert "email valido" in error_for(html, "email")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == 0
