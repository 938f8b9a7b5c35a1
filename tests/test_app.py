"""The application factory: configuration, secret key, health check, migrations."""

import json
import os
import secrets
import stat

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from eventsreg import create_app
from eventsreg.extensions import db

from .conftest import POSTGRES_URL


@pytest.fixture
def isolated_env(monkeypatch, tmp_path):
    """Run create_app() from the environment, with its instance folder in tmp_path."""
    for key in list(os.environ):
        if key.startswith("EVENTSREG_") or key == "DATABASE_URL":
            monkeypatch.delenv(key)
    monkeypatch.setattr(
        "flask.Flask.auto_find_instance_path", lambda self: str(tmp_path / "instance")
    )
    return tmp_path / "instance"


def test_defaults_put_the_sqlite_database_in_the_instance_folder(isolated_env):
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{isolated_env / 'eventsreg.sqlite'}"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "it"


def test_instance_config_is_overridden_by_environment(isolated_env, monkeypatch):
    isolated_env.mkdir()
    (isolated_env / "config.py").write_text('SITE_NAME = "Da instance"\nMAIL_PORT = 2525\n')
    assert create_app().config["SITE_NAME"] == "Da instance"
    monkeypatch.setenv("EVENTSREG_SITE_NAME", "Da ambiente")
    monkeypatch.setenv("EVENTSREG_MAIL_PORT", "1025")
    app = create_app()
    assert app.config["SITE_NAME"] == "Da ambiente"
    assert app.config["MAIL_PORT"] == 1025  # JSON-decoded by from_prefixed_env


def test_database_url_is_honoured_and_postgres_scheme_mapped_to_psycopg(isolated_env, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5432/eventi")
    assert (
        create_app().config["SQLALCHEMY_DATABASE_URI"]
        == "postgresql+psycopg://u:p@db.example:5432/eventi"
    )
    monkeypatch.setenv("EVENTSREG_SQLALCHEMY_DATABASE_URI", "sqlite:///:memory:")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///:memory:"


def test_secret_key_is_generated_once_into_the_instance_folder(isolated_env):
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    key_file = isolated_env / "secret_key"
    assert first == second == key_file.read_text().strip()
    assert len(first) >= 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_configured_secret_key_wins_and_nothing_is_written(isolated_env, monkeypatch):
    monkeypatch.setenv("EVENTSREG_SECRET_KEY", "from-the-environment")
    assert create_app().config["SECRET_KEY"] == "from-the-environment"
    assert not (isolated_env / "secret_key").exists()


def test_instance_secrets_are_ignored_by_git():
    root = os.path.dirname(os.path.dirname(__file__))
    with open(os.path.join(root, ".gitignore"), encoding="utf-8") as fh:
        ignored = fh.read().split()
    assert "instance/*" in ignored


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_unreachable_database_with_503(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            # A directory cannot be opened as a database file.
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_migrations_build_exactly_the_schema_of_the_models(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}",
        }
    )
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []


def test_upgrade_keeps_existing_data(tmp_path, runner):
    uri = f"sqlite:///{tmp_path / 'keep.sqlite'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        upgrade()
        app.test_cli_runner().invoke(args=["demo", "seed"])
        before = db.session.execute(sa.text("SELECT count(*) FROM events")).scalar()
        upgrade()  # running it again, as `make run` does, is a no-op
        after = db.session.execute(sa.text("SELECT count(*) FROM events")).scalar()
    assert before == after == 4


def test_upgrading_from_the_first_schema_keeps_every_row(tmp_path):
    """Rows written under the first schema survive every later migration (SQLite rebuilds
    tables to alter them: a cascade on the way would silently delete children)."""
    uri = f"sqlite:///{tmp_path / 'old.sqlite'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        upgrade(revision="ab119cc49d59")
        statements = [
            "INSERT INTO events (id, slug, title, summary, description, organizers, status,"
            " starts_at, ends_at, timezone, venue_name, venue_address, online_url, capacity,"
            " max_party_size, is_registration_closed, contact_email, privacy_notice,"
            " privacy_notice_version, created_at, updated_at) VALUES (1, 'e', 'E', '', '', '',"
            " 'published', '2030-01-01 16:00:00', '2030-01-01 17:00:00', 'Europe/Rome', 'V', '',"
            " '', 10, 5, 0, '', '', 1, '2029-01-01 00:00:00', '2029-01-01 00:00:00')",
            "INSERT INTO questions (id, event_id, code, position, kind, label, help_text,"
            " is_required, choices, settings, condition_values, is_archived)"
            " VALUES (1, 1, 'kwh', 0, 'number', 'kWh', '', 0, '[]', '{}', '[]', 0)",
            "INSERT INTO registrations (id, event_id, status, attendance, party_size,"
            " first_name, last_name, email, phone, company_name, vat_number, tax_code, locale,"
            " token_hash, privacy_consent_at, privacy_notice_version, created_at, updated_at)"
            " VALUES (1, 1, 'confirmed', 'in_person', 2, 'A', 'B', 'a@b.it', '', 'C', '', '',"
            " 'it', 'h', '2029-01-01 00:00:00', 1, '2029-01-01 00:00:00', '2029-01-01 00:00:00')",
            "INSERT INTO answers (id, registration_id, question_id, value)"
            " VALUES (1, 1, 1, '12500')",
        ]
        for statement in statements:
            db.session.execute(sa.text(statement))
        db.session.commit()
        db.session.remove()
        upgrade()
        counts = {
            table: db.session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("events", "questions", "registrations", "answers")
        }
        status = db.session.execute(sa.text("SELECT status FROM registrations")).scalar()
    assert counts == {"events": 1, "questions": 1, "registrations": 1, "answers": 1}
    assert status == "confirmed"


def test_upgrade_carries_each_registrants_calendar_state_over_from_the_outbox(tmp_path):
    """Calendar state moved from the outbox to the registration: the last METHOD each
    registrant was sent is read off their emails, and erasure and accessibility emails,
    stored as organiser messages until then, get their own kinds."""
    uri = f"sqlite:///{tmp_path / 'calendar.sqlite'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        upgrade(revision="c56e6ef61f64")
        db.session.execute(
            sa.text(
                "INSERT INTO events (id, slug, title, summary, description, organizers, status,"
                " starts_at, ends_at, timezone, venue_name, venue_address, online_url,"
                " max_party_size, is_registration_closed, requires_approval, contact_email,"
                " privacy_notice, privacy_notice_version, ical_sequence, created_at, updated_at)"
                " VALUES (1, 'e', 'E', '', '', '', 'published', '2030-01-01 16:00:00',"
                " '2030-01-01 17:00:00', 'Europe/Rome', 'V', '', '', 5, 0, 0, '', '', 1, 0,"
                " '2029-01-01 00:00:00', '2029-01-01 00:00:00')"
            )
        )
        for n in (1, 2, 3):
            db.session.execute(
                sa.text(
                    "INSERT INTO registrations (id, event_id, status, attendance, party_size,"
                    " first_name, last_name, email, phone, company_name, vat_number, tax_code,"
                    " locale, token_hash, privacy_consent_at, privacy_notice_version,"
                    " ical_sequence, created_at, updated_at) VALUES (:n, 1, 'confirmed',"
                    " 'in_person', 1, 'A', 'B', :email, '', 'C', '', '', 'it', :hash,"
                    " '2029-01-01 00:00:00', 1, 0, '2029-01-01 00:00:00', '2029-01-01 00:00:00')"
                ),
                {"n": n, "email": f"r{n}@example.com", "hash": f"h{n}"},
            )
        emails = [
            # (registration, event, kind, METHOD)
            (1, 1, "confirmation", "REQUEST"),
            (1, 1, "withdrawal", "CANCEL"),
            (1, 1, "link", None),
            (2, 1, "confirmation", "REQUEST"),
            (3, 1, "confirmation", None),
            (None, 1, "message", None),  # an erasure's confirmation
            (None, None, "message", None),  # an accessibility report
            (2, 1, "message", None),  # an organiser's message
        ]
        for n, (registration, event, kind, method) in enumerate(emails, start=1):
            db.session.execute(
                sa.text(
                    "INSERT INTO outbox_emails (id, kind, status, registration_id, event_id,"
                    " to_address, to_name, reply_to, message_id, subject, text_body, html_body,"
                    " ics_method, attempts, next_attempt_at, last_error, created_at) VALUES"
                    " (:n, :kind, 'sent', :registration, :event, 'x@example.com', '', '', :mid,"
                    " 's', 't', 'h', :method, 1, '2029-01-01 00:00:00', '',"
                    " '2029-01-01 00:00:00')"
                ),
                {
                    "n": n,
                    "kind": kind,
                    "registration": registration,
                    "event": event,
                    "mid": f"<{n}@x>",
                    "method": method,
                },
            )
        db.session.commit()
        db.session.remove()
        upgrade()
        methods = dict(
            db.session.execute(sa.text("SELECT id, ical_method FROM registrations")).all()
        )
        kinds = dict(db.session.execute(sa.text("SELECT id, kind FROM outbox_emails")).all())
    assert methods == {1: "CANCEL", 2: "REQUEST", 3: None}
    assert [kinds[n] for n in (6, 7, 8)] == ["erasure", "accessibility_report", "message"]


#: One question of each kind as the schema before the registry held them, with an answer:
#: (code, kind, settings, stored answer as JSON text).
EVERY_KIND = [
    ("testo", "text", "{}", '"Via Roma 1"'),
    ("note", "textarea", '{"max_length": 2000}', '"Due\\nrighe"'),
    ("annual_kwh", "number", '{"unit": "kWh", "integer": true}', "120000"),
    ("pv_existing_kwp", "number", '{"unit": "kWp"}', "49.5"),
    ("pv_existing_year", "number", '{"min": 1990, "max": 2100, "integer": true}', "2019"),
    ("interest", "choice", "{}", '"yes"'),
    ("temi", "multichoice", "{}", '["a", "b"]'),
    ("has_pv", "yesno", "{}", "true"),
    ("non_binding", "checkbox", "{}", "true"),
    ("data", "date", "{}", '"2022-12-13"'),
    ("email", "email", "{}", '"Tecnico@azienda.it"'),
    ("telefono", "phone", "{}", '"0373 123456"'),
    ("sito", "url", "{}", '"https://www.azienda.it"'),
    ("piva", "vat", "{}", '"00743110157"'),
    ("ateco", "ateco", "{}", '"25.62.00"'),
    ("pods", "pod", "{}", '["IT001E12345678"]'),
    ("substation", "substation", "{}", '"AC001E00045"'),
    ("member_kind", "choice", "{}", '"company"'),
    ("company_size", "choice", "{}", '"small"'),
    ("area", "choice", "{}", '"ex_olivetti"'),
    ("role", "choice", "{}", '"consumer"'),
    ("pv_planned_kwp", "number", '{"unit": "kWp"}', "200"),
    ("roof_area_m2", "number", '{"unit": "m²"}', "800"),
]


def test_upgrade_carries_questions_and_answers_of_every_kind_over_unchanged(tmp_path):
    """Before question meanings and the year kind: every answer survives as it was, the
    energy-community questions get their meanings, a year asked as a number becomes a year."""
    uri = f"sqlite:///{tmp_path / 'kinds.sqlite'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        upgrade(revision="ba05096594ef")
        db.session.execute(
            sa.text(
                "INSERT INTO events (id, slug, title, summary, description, organizers, status,"
                " starts_at, ends_at, timezone, venue_name, venue_address, online_url,"
                " max_party_size, is_registration_closed, requires_approval, contact_email,"
                " privacy_notice, privacy_notice_version, ical_sequence, created_at, updated_at)"
                " VALUES (1, 'e', 'E', '', '', '', 'published', '2030-01-01 16:00:00',"
                " '2030-01-01 17:00:00', 'Europe/Rome', 'V', '', '', 5, 0, 0, '', '', 1, 0,"
                " '2029-01-01 00:00:00', '2029-01-01 00:00:00')"
            )
        )
        db.session.execute(
            sa.text(
                "INSERT INTO registrations (id, event_id, status, attendance, party_size,"
                " first_name, last_name, email, phone, company_name, vat_number, tax_code,"
                " locale, token_hash, privacy_consent_at, privacy_notice_version,"
                " ical_sequence, created_at, updated_at) VALUES (1, 1, 'confirmed',"
                " 'in_person', 1, 'A', 'B', 'a@b.it', '', 'C', '', '', 'it', 'h',"
                " '2029-01-01 00:00:00', 1, 0, '2029-01-01 00:00:00', '2029-01-01 00:00:00')"
            )
        )
        for n, (code, kind, settings, answer) in enumerate(EVERY_KIND, start=1):
            db.session.execute(
                sa.text(
                    "INSERT INTO questions (id, event_id, code, position, kind, label,"
                    " help_text, is_required, choices, settings, condition_values, is_archived)"
                    " VALUES (:n, 1, :code, :n, :kind, :code, '', 0, '[]', :settings, '[]', 0)"
                ),
                {"n": n, "code": code, "kind": kind, "settings": settings},
            )
            db.session.execute(
                sa.text(
                    "INSERT INTO answers (id, registration_id, question_id, value)"
                    " VALUES (:n, 1, :n, :value)"
                ),
                {"n": n, "value": answer},
            )
        db.session.commit()
        before = db.session.execute(sa.text("SELECT id, value FROM answers ORDER BY id")).all()
        db.session.remove()
        upgrade()
        after = db.session.execute(sa.text("SELECT id, value FROM answers ORDER BY id")).all()
        questions = {
            code: (kind, meaning, json.loads(settings))
            for code, kind, meaning, settings in db.session.execute(
                sa.text("SELECT code, kind, meaning, settings FROM questions")
            )
        }
    assert after == before
    assert questions["pv_existing_year"] == ("year", "existing_pv_year", {"min": 1990, "max": 2100})
    assert questions["annual_kwh"] == (
        "number",
        "annual_consumption_kwh",
        {"unit": "kWh", "integer": True},
    )
    assert questions["substation"][1] == "primary_substation"
    assert questions["testo"][:2] == ("text", None)
    kinds_before = {kind for _code, kind, _settings, _answer in EVERY_KIND}
    assert {kind for kind, _meaning, _settings in questions.values()} == kinds_before | {"year"}


@pytest.mark.skipif(not POSTGRES_URL, reason="EVENTSREG_TEST_DATABASE_URL is not set")
def test_migrations_build_the_schema_of_the_models_on_postgresql():
    schema = f"migrations_{secrets.token_hex(4)}"
    admin = sa.create_engine(POSTGRES_URL, poolclass=sa.pool.NullPool)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "x",
                "SQLALCHEMY_DATABASE_URI": POSTGRES_URL,
                "SQLALCHEMY_ENGINE_OPTIONS": {
                    "poolclass": sa.pool.NullPool,
                    "connect_args": {"options": f"-csearch_path={schema}"},
                },
            }
        )
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                assert compare_metadata(context, db.metadata) == []
            db.session.remove()
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.mark.parametrize(
    "uri, options, pinged",
    [
        ("sqlite:///eventsreg.sqlite", {}, False),
        ("postgresql+psycopg://eventsreg@db.example.org/eventsreg", {}, True),
        (
            "postgresql+psycopg://eventsreg@db.example.org/eventsreg",
            {"pool_pre_ping": False},
            False,
        ),
    ],
    ids=["sqlite", "postgresql", "postgresql-configured"],
)
def test_connections_to_a_database_server_are_pinged_before_use(tmp_path, uri, options, pinged):
    """A server may restart or drop an idle connection; a SQLite file cannot, and its
    connections are not pinged. What the configuration says wins."""
    app = create_app(
        {"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": uri, "SQLALCHEMY_ENGINE_OPTIONS": options}
    )
    with app.app_context():
        assert db.engine.pool._pre_ping is pinged
