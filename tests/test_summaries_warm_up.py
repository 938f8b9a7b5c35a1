"""The organiser's summaries of the largest events, built when a server process starts: the
first dashboard and energy panel of such an event then read no registration, in either
language; small events are left to their first view; a failure is logged, never raised;
and gunicorn's workers start it themselves."""

import gc
import logging
import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from eventsreg import create_app
from eventsreg.dbtypes import utcnow
from eventsreg.demo import seed_demo, seed_registrations
from eventsreg.energy.estimate import Assumptions
from eventsreg.events.models import Event
from eventsreg.extensions import db
from eventsreg.organizer import stats, versions, warming

from .conftest import TEST_CONFIG
from .servers import gunicorn, log_tail, server_env
from .test_dashboard_scale import digest, digest_of_picture

#: Seconds a worker gets to sum up a small event after it started.
WARM_TIMEOUT = 30


@pytest.fixture
def statements(app):
    seen: list[str] = []

    def note(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", note)
    yield seen
    sa.event.remove(db.engine, "before_cursor_execute", note)


def reading_answers(seen: list[str]) -> list[str]:
    """The statements that read the event's answers (what the first summary reads)."""
    return [s for s in seen if s.lstrip().upper().startswith("SELECT") and "answers" in s]


def forget_kept(app) -> None:
    app.extensions.pop(versions._EXTENSION, None)


@pytest.fixture
def large_event(app, create_organizer, sign_in):
    """The demo event (it asks the energy questionnaire) with 30 registrations, an
    organiser of it signed in, and 10 registrations making an event large."""
    event = seed_demo()
    seed_registrations(event, 30)
    sign_in(create_organizer(events=[event]))
    app.config["SUMMARIES_WARMED_FROM"] = 10
    forget_kept(app)
    kept = SimpleNamespace(id=event.id, slug=event.slug)
    db.session.remove()  # nothing read before stays in the session
    return kept


def test_after_the_warm_up_the_first_views_read_no_answer(app, client, large_event, statements):
    slug = large_event.slug
    assert warming.warm(app) == [large_event.id]
    for language in ("it", "en"):
        client.get(f"/lang/{language}")
        statements.clear()
        for page in ("", "energy"):
            response = client.get(f"/organizer/events/{slug}/{page}")
            assert response.status_code == 200
        assert reading_answers(statements) == [], language


def test_without_the_warm_up_the_first_view_reads_the_answers(app, client, large_event, statements):
    # What the test above would see if the warm-up did nothing.
    statements.clear()
    assert client.get(f"/organizer/events/{large_event.slug}/").status_code == 200
    assert reading_answers(statements)


def test_the_warm_up_builds_what_the_first_view_would(app, large_event):
    warming.warm(app)
    event = db.session.get(Event, large_event.id)
    assumptions = Assumptions.from_saved(event.energy_assumptions)
    warmed = {}
    for language in ("it", "en"):
        with force_locale(language):
            figures = stats.energy_figures(event, assumptions)
            warmed[language] = (stats.event_dashboard(event), figures)
    forget_kept(app)
    for language in ("it", "en"):
        with force_locale(language):
            afresh = stats.event_dashboard(event)
            picture, estimate = stats.energy_figures(event, assumptions)
        dashboard, (warmed_picture, warmed_estimate) = warmed[language]
        assert digest(afresh) == digest(dashboard)
        assert digest_of_picture(picture) == digest_of_picture(warmed_picture)
        assert estimate == warmed_estimate


def test_only_events_large_enough_are_warmed_the_most_active_first(app, create_event, large_event):
    small = create_event()
    seed_registrations(small, 5, seed=3)
    other = create_event()
    # Its registrations spread over the month before a later day: the most recently active.
    seed_registrations(other, 12, seed=4, now=utcnow() + timedelta(days=31))
    assert warming.large_events(10) == [other.id, large_event.id]
    assert warming.large_events(13) == [large_event.id]
    app.config["SUMMARIES_WARMED_FROM"] = 13
    assert warming.warm(app) == [large_event.id]
    assert set(app.extensions[versions._EXTENSION]) == {large_event.id}


def test_at_most_the_events_a_process_keeps(app, create_event):
    events = [create_event() for _ in range(versions.MAX_EVENTS + 1)]
    for number, event in enumerate(events):
        seed_registrations(event, 2, seed=number + 1)
    assert len(warming.large_events(1)) == versions.MAX_EVENTS


def test_turned_off_with_zero(app, large_event):
    app.config["SUMMARIES_WARMED_FROM"] = 0
    assert warming.start(app) is None
    assert warming.warm(app) == []
    assert versions._EXTENSION not in app.extensions


def test_a_database_away_is_logged_not_raised(tmp_path, caplog):
    app = create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'missing' / 'eventsreg.sqlite'}",
            "SUMMARIES_WARMED_FROM": 1,
        }
    )
    with caplog.at_level(logging.ERROR, logger=warming.__name__):
        thread = warming.start(app)
        thread.join(WARM_TIMEOUT)
    assert not thread.is_alive()
    assert "built on their first view" in caplog.text


def test_the_collector_is_back_on_only_when_every_thread_is_done():
    assert gc.isenabled()
    inside, leave = threading.Event(), threading.Event()

    def other_thread():
        with versions._no_collection():
            inside.set()
            leave.wait(WARM_TIMEOUT)

    thread = threading.Thread(target=other_thread)
    thread.start()
    try:
        assert inside.wait(WARM_TIMEOUT)
        with versions._no_collection():
            assert not gc.isenabled()
            leave.set()
            thread.join(WARM_TIMEOUT)
            assert not gc.isenabled()  # the other thread left; this one is still inside
        assert gc.isenabled()
    finally:
        leave.set()
        thread.join(WARM_TIMEOUT)
        gc.enable()


def test_a_gunicorn_worker_warms_up_once_started(tmp_path):
    path = tmp_path / "served.sqlite"
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        db.create_all()
        event = seed_demo()
        event_id = event.id
        seed_registrations(event, 12)
        db.session.remove()
        db.engine.dispose()
    env = server_env(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}",
        SECRET_KEY="test-secret",
        RATELIMIT_ENABLED=False,
        MAIL_DELIVER_AFTER_REQUEST=False,
        SUMMARIES_WARMED_FROM=10,
    )
    log = tmp_path / "gunicorn.log"
    ready = f"organiser summaries of event {event_id} ready"
    with gunicorn(env, log, workers=1):
        deadline = time.monotonic() + WARM_TIMEOUT
        while ready not in log.read_text(errors="replace") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert ready in log.read_text(errors="replace"), log_tail(log)
