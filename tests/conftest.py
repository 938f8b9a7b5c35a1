"""Fixtures: an app on a fresh database per test, a client, and factories.

The database is a SQLite file per test, or, when EVENTSREG_TEST_DATABASE_URL is set, a
PostgreSQL schema made for this run (emptied after each test, dropped at the end).
"""

import os
import secrets
import shutil
import smtplib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient
from jinja2 import BytecodeCache

from eventsreg import create_app
from eventsreg.events.models import Event, EventStatus, Question, QuestionKind
from eventsreg.extensions import db
from eventsreg.mail.delivery import mail

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
POSTGRES_URL = os.environ.get("EVENTSREG_TEST_DATABASE_URL")


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


@pytest.fixture(scope="session")
def postgres_schema():
    """A schema of its own for this test run on the PostgreSQL server, if one is given."""
    if not POSTGRES_URL:
        yield None
        return
    name = f"test_{os.getpid()}_{secrets.token_hex(4)}"
    engine = sa.create_engine(POSTGRES_URL, poolclass=sa.pool.NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    yield name
    with engine.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
    engine.dispose()


#: PostgreSQL schemas whose tables exist: created once, emptied after each test.
_schemas_with_tables: set[str] = set()

#: What every test app runs with (on top of the built-in defaults).
TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,  # many posts from one address; limit tests turn it on
    # scrypt's deliberate ~100 ms per hash and check, paid by every sign-in of every test,
    # was a third of the suite's time; tests/test_organizer_auth.py checks the default.
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
}


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates kept for the whole run: every test has an app of its own, and
    Jinja would otherwise compile each template again for each of them."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if (code := self.compiled.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


#: Keyed by template name and source checksum, so a changed template is compiled anew.
TEMPLATE_CACHE = MemoryBytecodeCache()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """An empty SQLite database with every table, built once: each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()  # the last connection's close folds the write-ahead log in
    return path


def database_config(tmp_path, schema: str | None) -> dict:
    """Configuration of the test database: PostgreSQL schema or a SQLite file."""
    if schema is None:
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite'}"}
    return {
        "SQLALCHEMY_DATABASE_URI": POSTGRES_URL,
        "SQLALCHEMY_ENGINE_OPTIONS": {
            # A pool of the test's own: opening a connection costs milliseconds, many times a
            # test; the app fixture closes them all with the engine after the test.
            "connect_args": {"options": f"-csearch_path={schema}"},
        },
    }


@pytest.fixture
def app(request, tmp_path, app_config, postgres_schema):
    config = {**TEST_CONFIG, **database_config(tmp_path, postgres_schema), **app_config}
    if postgres_schema is None and config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        template = request.getfixturevalue("sqlite_template")
        shutil.copyfile(template, config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    app = create_app(config)
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE

    app.test_client_class = ClosingClient

    def fresh_g():
        # The test keeps one app context open, which Flask reuses for every request;
        # give each request an empty g, as a fresh context would in production.
        g.__dict__.clear()

    app.before_request_funcs.setdefault(None, []).insert(0, fresh_g)

    with app.app_context():
        if postgres_schema is not None and postgres_schema not in _schemas_with_tables:
            db.create_all()
            _schemas_with_tables.add(postgres_schema)
        elif postgres_schema is None:
            db.create_all()  # a no-op on the template's copy; builds any other database
        yield app
        db.session.remove()
        if postgres_schema:
            _empty_tables()
        db.engine.dispose()


def _empty_tables() -> None:
    """Every row deleted, ids counted from 1 again: as a fresh database, for the next test.

    DELETE, children first, is three times faster than TRUNCATE on tables this small.
    """
    tables = list(reversed(db.metadata.sorted_tables))
    restarts = ", ".join(
        f"setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), 1, false)"
        for table in tables
        if "id" in table.c
    )
    with db.engine.begin() as connection:
        connection.exec_driver_sql("; ".join(f'DELETE FROM "{t.name}"' for t in tables))
        connection.exec_driver_sql(f"SELECT {restarts}")


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
