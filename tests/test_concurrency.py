"""Races against real servers: gunicorn workers taking seats, mail workers sending.

Each test starts its own servers (gunicorn, ``flask mail deliver``, an SMTP server) on
127.0.0.1 and stops them at the end. The PostgreSQL variants need
EVENTSREG_TEST_DATABASE_URL and run in a schema made for the test; the SQLite ones
always run, on a file in tmp_path. The app under test is configured only through
``EVENTSREG_<KEY>`` variables, as in production, with CSRF on.
"""

import os
import re
import secrets
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from eventsreg import create_app
from eventsreg.events.models import Event, EventStatus
from eventsreg.extensions import db
from eventsreg.mail.models import EmailKind, OutboxEmail, OutboxStatus
from eventsreg.registrations import seats, services
from eventsreg.registrations.models import AttendanceMode, RegistrationStatus

from .conftest import POSTGRES_URL, database_config, form_data
from .helpers import manage_token, registrations
from .servers import (
    Browser,
    csrf_token,
    gunicorn,
    path_of,
    server_env,
    smtp_server,
    start_flask,
    stop_process,
)

SECRET = "concurrency-test-secret"
SEATS = 10
VISITORS = 60
WITHDRAWALS = 5
#: Longest any single wait in these tests may take (threads, barriers, processes).
WAIT = 60

NO_POSTGRES = "EVENTSREG_TEST_DATABASE_URL is not set: no PostgreSQL server to race on"


@dataclass
class Backend:
    name: str
    #: Configuration of the in-process app that prepares and checks the data.
    config: dict
    #: SQLALCHEMY_DATABASE_URI for the servers (PostgreSQL: the schema in the URL).
    url: str
    #: Gunicorn workers: SQLite serialises writers, two are enough to interleave them.
    workers: int


@pytest.fixture
def pg_schema():
    """A schema of its own for one test, dropped afterwards with everything in it."""
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    name = f"race_{os.getpid()}_{secrets.token_hex(4)}"
    engine = sa.create_engine(POSTGRES_URL, poolclass=sa.pool.NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    yield name
    with engine.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
    engine.dispose()


def postgres_backend(tmp_path, schema: str) -> Backend:
    url = sa.engine.make_url(POSTGRES_URL).update_query_dict(
        # Server connections name themselves, so that a test can find them waiting.
        {"options": f"-csearch_path={schema}", "application_name": schema}
    )
    return Backend(
        "postgresql",
        database_config(tmp_path, schema),
        url.render_as_string(hide_password=False),
        workers=4,
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path) -> Backend:
    if request.param == "sqlite":
        config = database_config(tmp_path, None)
        return Backend("sqlite", config, config["SQLALCHEMY_DATABASE_URI"], workers=2)
    return postgres_backend(tmp_path, request.getfixturevalue("pg_schema"))


@contextmanager
def in_process_app(backend: Backend):
    """The app built as conftest builds it, on the backend's database, tables created."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "MAIL_DELIVER_AFTER_REQUEST": False,
            **backend.config,
        }
    )
    with app.app_context():
        db.create_all()
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def serve(backend: Backend, tmp_path, workers: int | None = None):
    """Gunicorn on the backend's database, CSRF on, no rate limit, no mail after requests."""
    env = server_env(
        SQLALCHEMY_DATABASE_URI=backend.url,
        SECRET_KEY=SECRET,
        MAIL_DELIVER_AFTER_REQUEST=False,
        RATELIMIT_ENABLED=False,
    )
    return gunicorn(env, tmp_path / "gunicorn.log", workers=workers or backend.workers)


def publish_event(capacity: int | None = SEATS) -> Event:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    event = Event(
        slug="incontro-affollato",
        title="Incontro affollato",
        status=EventStatus.published,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        venue_name="Sala riunioni",
        venue_address="Via del Commercio 29, Crema",
        contact_email="eventi@example.org",
        capacity=capacity,
        max_party_size=1,
    )
    db.session.add(event)
    db.session.commit()
    return event


def register_in_process(event: Event, index: int) -> services.Registered:
    return services.register(
        event,
        services.RegistrationData(
            first_name="Persona",
            last_name=f"Numero {index}",
            company_name="Officine Cremasche Srl",
            attendance=AttendanceMode.in_person,
            party_size=1,
            email=f"persona{index:02d}@example.com",
        ),
    )


def queue_order(registration):
    """The waiting list's order: taken first, served first (ids break ties)."""
    return registration.created_at, registration.id


def emails_by_kind() -> dict[EmailKind, Counter]:
    """For each kind of email, how many each registration got."""
    db.session.expire_all()
    counts: dict[EmailKind, Counter] = {}
    for email in db.session.scalars(sa.select(OutboxEmail)):
        counts.setdefault(email.kind, Counter())[email.registration_id] += 1
    return counts


# Visitors --------------------------------------------------------------------------------


@dataclass
class Visit:
    browser: Browser
    email: str
    statuses: list[int] = field(default_factory=list)
    token: str = ""
    page: str = ""


def run_together(count: int, work) -> list:
    """Run work(index, barrier) in *count* threads; the barrier releases them together.

    A thread that fails before the barrier breaks it, so the others fail at once
    instead of waiting; every wait is bounded.
    """
    barrier = threading.Barrier(count, timeout=WAIT)

    def guarded(index):
        try:
            return work(index, barrier)
        except BaseException:
            barrier.abort()
            raise

    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(guarded, index) for index in range(count)]
        return [future.result(timeout=WAIT) for future in futures]


def register_over_http(base_url: str, slug: str):
    def visit(index: int, barrier: threading.Barrier) -> Visit:
        me = Visit(Browser(base_url), f"visitatore{index:02d}@example.com")
        status, _, html = me.browser.get(f"/events/{slug}/register")
        me.statuses.append(status)
        data = form_data(email=me.email, csrf_token=csrf_token(html))
        barrier.wait()
        status, headers, _ = me.browser.post(f"/events/{slug}/register", data)
        me.statuses.append(status)
        if status == 303:
            status, _, me.page = me.browser.get(path_of(headers["Location"]))
            me.statuses.append(status)
            me.token = manage_token(me.page)
        return me

    return visit


def withdraw_over_http(visits: list[Visit]):
    def withdraw(index: int, barrier: threading.Barrier) -> list[int]:
        visit = visits[index]
        status, _, html = visit.browser.get(f"/r/{visit.token}/withdraw")
        data = {"csrf_token": csrf_token(html)}
        barrier.wait()
        posted, headers, _ = visit.browser.post(f"/r/{visit.token}/withdraw", data)
        assert posted != 303 or path_of(headers["Location"]) == f"/r/{visit.token}"
        return [status, posted]

    return withdraw


# Tests -----------------------------------------------------------------------------------


def test_sixty_visitors_racing_for_ten_seats_fill_them_in_order_and_queue_the_rest(
    backend, tmp_path
):
    with in_process_app(backend):
        event = publish_event()
        slug = event.slug
        db.session.remove()

        with serve(backend, tmp_path) as base_url:
            visits = run_together(VISITORS, register_over_http(base_url, slug))
            statuses = [status for visit in visits for status in visit.statuses]
            assert not [s for s in statuses if s >= 500], Counter(statuses)
            assert all(visit.statuses == [200, 303, 200] for visit in visits), Counter(statuses)

            stored = registrations()
            assert sorted(r.email for r in stored) == sorted(v.email for v in visits)
            confirmed = [r for r in stored if r.status is RegistrationStatus.confirmed]
            waitlisted = [r for r in stored if r.status is RegistrationStatus.waitlisted]
            assert (len(confirmed), len(waitlisted)) == (SEATS, VISITORS - SEATS)
            # The seats went to the first ten to take the lock; the queue follows on.
            assert max(map(queue_order, confirmed)) < min(map(queue_order, waitlisted))
            queue = sorted(waitlisted, key=queue_order)
            positions = [seats.waitlist_position(r) for r in queue]
            assert positions == list(range(1, VISITORS - SEATS + 1))

            # Each visitor's page showed their own link and, if queued, their own place.
            by_email = {r.email: r for r in stored}
            for visit in visits:
                assert services.find_by_token(visit.token) is by_email[visit.email]
                shown = re.findall(r"in posizione (\d+)", visit.page)
                position = seats.waitlist_position(by_email[visit.email])
                assert shown == ([str(position)] if position else [])

            emails = emails_by_kind()
            assert list(emails) == [EmailKind.confirmation]
            assert emails[EmailKind.confirmation] == Counter({r.id: 1 for r in stored})

            # Five confirmed people withdraw at the same moment.
            leaving_emails = {r.email for r in sorted(confirmed, key=queue_order)[:WITHDRAWALS]}
            leaving = [v for v in visits if v.email in leaving_emails]
            expected_promoted = {r.id for r in queue[:WITHDRAWALS]}
            withdrawn = {by_email[email].id for email in leaving_emails}
            db.session.remove()
            results = run_together(WITHDRAWALS, withdraw_over_http(leaving))
            assert results == [[200, 303]] * WITHDRAWALS

        stored = registrations()
        now_confirmed = {r.id for r in stored if r.status is RegistrationStatus.confirmed}
        assert now_confirmed == ({r.id for r in confirmed} - withdrawn) | expected_promoted
        assert {r.id for r in stored if r.status is RegistrationStatus.cancelled} == withdrawn
        still_waiting = sorted(
            (r for r in stored if r.status is RegistrationStatus.waitlisted), key=queue_order
        )
        assert [seats.waitlist_position(r) for r in still_waiting] == list(
            range(1, VISITORS - SEATS - WITHDRAWALS + 1)
        )
        emails = emails_by_kind()
        assert emails[EmailKind.promotion] == Counter(dict.fromkeys(expected_promoted, 1))
        assert emails[EmailKind.withdrawal] == Counter(dict.fromkeys(withdrawn, 1))
        assert sum(emails[EmailKind.confirmation].values()) == VISITORS


def test_double_click_on_withdraw_withdraws_once_on_postgresql(pg_schema, tmp_path):
    """Both clicks load the registration; the test holds the event row until both wait."""
    backend = postgres_backend(tmp_path, pg_schema)
    with in_process_app(backend):
        event = publish_event(capacity=1)
        leaving = register_in_process(event, 1)
        waiting = register_in_process(event, 2)
        assert waiting.registration.status is RegistrationStatus.waitlisted
        event_id, leaving_id, waiting_id = (
            event.id,
            leaving.registration.id,
            waiting.registration.id,
        )
        db.session.remove()

        with serve(backend, tmp_path, workers=2) as base_url:
            browser = Browser(base_url)
            path = f"/r/{leaving.token}/withdraw"
            status, _, html = browser.get(path)
            assert status == 200
            data = {"csrf_token": csrf_token(html)}
            with db.engine.connect() as holder, db.engine.connect() as watcher:
                holder.execute(sa.select(Event.id).where(Event.id == event_id).with_for_update())
                with ThreadPoolExecutor(max_workers=2) as pool:
                    try:
                        clicks = [pool.submit(browser.post, path, data) for _ in range(2)]
                        wait_for_lock_waiters(watcher, pg_schema, count=2)
                    finally:
                        holder.rollback()
                    statuses = [click.result(timeout=WAIT)[0] for click in clicks]
        assert statuses == [303, 303]

        stored = {r.id: r for r in registrations()}
        assert stored[leaving_id].status is RegistrationStatus.cancelled
        assert stored[waiting_id].status is RegistrationStatus.confirmed
        emails = emails_by_kind()
        assert emails[EmailKind.promotion] == Counter({waiting_id: 1})
        assert emails[EmailKind.withdrawal] == Counter({leaving_id: 1})


def wait_for_lock_waiters(connection, application_name: str, count: int) -> None:
    """Bounded wait until *count* server connections wait on a lock."""
    connection.execution_options(isolation_level="AUTOCOMMIT")
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE application_name = :name AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + WAIT
    waiting = 0
    while time.monotonic() < deadline:
        waiting = connection.execute(query, {"name": application_name}).scalar_one()
        if waiting >= count:
            return
        time.sleep(0.05)
    # A set-up that went wrong fails loudly rather than passing by chance.
    pytest.fail(f"only {waiting} of {count} requests reached the lock")


def test_mail_workers_running_until_idle_send_each_message_exactly_once(backend, tmp_path):
    # Two workers race on PostgreSQL (SKIP LOCKED). On SQLite claims are not exclusive:
    # one worker is the supported set-up there, as the delivery code says.
    workers = 1 if backend.name == "sqlite" else 2
    with in_process_app(backend):
        event = publish_event(capacity=None)
        for index in range(40):
            register_in_process(event, index)
        expected = set(db.session.scalars(sa.select(OutboxEmail.message_id)))
        assert len(expected) == 40
        db.session.remove()

        with smtp_server(clients=workers) as (inbox, port):
            env = server_env(
                SQLALCHEMY_DATABASE_URI=backend.url,
                SECRET_KEY=SECRET,
                MAIL_SERVER="127.0.0.1",
                MAIL_PORT=port,
            )
            # One message per pass: the workers claim forty times, side by side.
            command = ["mail", "deliver", "--loop", "--until-idle", "--interval", "0.1"]
            command += ["--batch", "1"]
            logs = [tmp_path / f"worker-{n}.log" for n in range(workers)]
            processes = [start_flask(command, env, log) for log in logs]
            try:
                codes = [process.wait(timeout=WAIT) for process in processes]
            finally:
                for process in processes:
                    stop_process(process)
            assert codes == [0] * workers, [log.read_text() for log in logs]
            received = Counter(inbox.message_ids())

        assert set(received) == expected
        assert max(received.values()) == 1
        db.session.expire_all()
        rows = list(db.session.scalars(sa.select(OutboxEmail)))
        assert {(row.status, row.attempts) for row in rows} == {(OutboxStatus.sent, 1)}


def test_until_idle_is_refused_without_loop(tmp_path):
    backend = Backend("sqlite", database_config(tmp_path, None), "", workers=1)
    with in_process_app(backend) as app:
        result = app.test_cli_runner().invoke(args=["mail", "deliver", "--until-idle"])
    assert result.exit_code == 2
    assert "--until-idle only makes sense with --loop" in result.output
