"""Fixtures: an app on a fresh SQLite file per test, a client, and factories."""

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
from flask import g
from flask.testing import FlaskClient

from eventsreg import create_app
from eventsreg.events.models import Event, EventStatus, Question, QuestionKind
from eventsreg.extensions import db
from eventsreg.mail.delivery import mail

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class ClosingClient(FlaskClient):
    """Reads each response to the end and closes it, as a browser's server would.

    Work scheduled with ``call_on_close`` (mail delivery after the response) runs then.
    """

    def open(self, *args, buffered=True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


@pytest.fixture
def app_config() -> dict:
    """Extra configuration for the app fixture; a test module overrides it to change it."""
    return {}


@pytest.fixture
def app(tmp_path, app_config):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite'}",
            "WTF_CSRF_ENABLED": False,
            **app_config,
        }
    )

    app.test_client_class = ClosingClient

    @app.before_request
    def fresh_g():
        # The test keeps one app context open, which Flask reuses for every request;
        # give each request an empty g, as a fresh context would in production.
        g.__dict__.clear()

    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()


@pytest.fixture(autouse=True)
def no_smtp_beyond_this_machine(monkeypatch):
    """Fail any SMTP connection to another host: tests never send real mail."""
    connect = smtplib.SMTP.connect

    def guarded(self, host="localhost", port=0, source_address=None):
        if host not in LOOPBACK:
            raise AssertionError(f"unexpected SMTP connection to {host}:{port}")
        return connect(self, host, port, source_address)

    monkeypatch.setattr(smtplib.SMTP, "connect", guarded)


@pytest.fixture
def outbox(app):
    """Messages flask-mail would send (the app must have a MAIL_SERVER to send at all)."""
    with mail.record_messages() as messages:
        yield messages


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def now():
    return datetime.now(UTC)


@pytest.fixture
def create_event(app):
    """Factory for published events starting in a week, with registration open."""

    def factory(**kwargs) -> Event:
        start = kwargs.pop(
            "starts_at", datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
        )
        kwargs.setdefault("slug", f"event-{len(db.session.query(Event.id).all()) + 1}")
        kwargs.setdefault("title", "Incontro di prova")
        kwargs.setdefault("status", EventStatus.published)
        kwargs.setdefault("venue_name", "Sala riunioni")
        kwargs.setdefault("venue_address", "Via del Commercio 29, Crema")
        kwargs.setdefault("ends_at", start + timedelta(hours=1, minutes=30))
        kwargs.setdefault("contact_email", "eventi@example.org")
        event = Event(starts_at=start, **kwargs)
        db.session.add(event)
        db.session.commit()
        return event

    return factory


@pytest.fixture
def add_question(app):
    """Factory for an event's own questions."""

    def factory(
        event: Event, code: str, kind: QuestionKind = QuestionKind.text, **kwargs
    ) -> Question:
        kwargs.setdefault("label", code.replace("_", " ").capitalize())
        kwargs.setdefault("position", len(event.questions))
        question = Question(event=event, code=code, kind=kind, **kwargs)
        db.session.add(question)
        db.session.commit()
        return question

    return factory


def choices(*values: str) -> list[dict]:
    return [{"value": value, "label": value.capitalize()} for value in values]


def form_data(**overrides) -> dict:
    """A valid submission of the standard fields; None removes a field."""
    data = {
        "first_name": "Maria",
        "last_name": "Rossi",
        "email": "maria.rossi@example.com",
        "phone": "+39 0373 123456",
        "company_name": "Officine Cremasche Srl",
        "vat_number": "00743110157",
        "tax_code": "",
        "attendance": "in_person",
        "party_size": "1",
        "privacy_consent": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def register(client):
    """Post the registration form for *event*; returns the response."""

    def post(event: Event, **overrides):
        return client.post(f"/events/{event.slug}/register", data=form_data(**overrides))

    return post


PASSWORD = "una-password-lunga"


@pytest.fixture
def create_organizer(app):
    """Factory for organiser accounts; ``events`` are the events they manage."""
    from eventsreg.organizer.services import create_organizer as create

    def factory(email: str = "organizzatrice@example.org", *, is_admin: bool = False, events=()):
        organizer = create(email, PASSWORD, name=email.split("@")[0], is_admin=is_admin)
        organizer.events.extend(events)
        db.session.commit()
        return organizer

    return factory


@pytest.fixture
def sign_in(client):
    """Sign *organizer* in on the test client through the real form."""

    def do(organizer):
        response = client.post(
            "/organizer/login", data={"email": organizer.email, "password": PASSWORD}
        )
        assert response.status_code == 303, response.get_data(as_text=True)
        return response

    return do
