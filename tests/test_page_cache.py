"""Public event pages kept a few seconds per process, and forgotten when anything changes."""

import time

import pytest
import sqlalchemy as sa

from eventsreg.extensions import db


@pytest.fixture
def queries(app):
    """Count the SQL statements the app runs."""
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    yield statements
    sa.event.remove(db.engine, "before_cursor_execute", count)


def test_a_burst_of_visitors_is_answered_without_queries(client, create_event, queries):
    event = create_event(capacity=10)
    first = client.get(f"/events/{event.slug}/")
    assert first.status_code == 200
    assert queries
    queries.clear()
    again = client.get(f"/events/{event.slug}/")
    assert again.get_data() == first.get_data()
    assert queries == []
    # Headers are the same as for a rendered page.
    assert again.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Content-Security-Policy" in again.headers


def test_each_language_has_its_own_page(client, create_event):
    event = create_event()
    italian = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    client.get("/lang/en")
    english = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert 'lang="it"' in italian and 'lang="en"' in english


def test_a_registration_shows_at_once_in_this_process(client, create_event, register):
    event = create_event(capacity=10)
    assert "disponibili: 10." in client.get(f"/events/{event.slug}/").get_data(as_text=True)
    register(event)
    assert "disponibili: 9." in client.get(f"/events/{event.slug}/").get_data(as_text=True)


def test_an_edited_event_shows_at_once(client, create_event):
    event = create_event(title="Titolo vecchio")
    assert "Titolo vecchio" in client.get(f"/events/{event.slug}/").get_data(as_text=True)
    event.title = "Titolo nuovo"
    db.session.commit()
    assert "Titolo nuovo" in client.get(f"/events/{event.slug}/").get_data(as_text=True)


def test_pages_expire_after_the_configured_seconds(app, client, create_event, monkeypatch):
    event = create_event(title="Prima")
    client.get(f"/events/{event.slug}/")
    # A change made by another process: this one's session never sees it flushed.
    with db.engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE events SET title = 'Dopo' WHERE id = :id"), {"id": event.id}
        )
    assert "Prima" in client.get(f"/events/{event.slug}/").get_data(as_text=True)
    later = time.monotonic() + app.config["EVENT_PAGE_CACHE_SECONDS"] + 1
    monkeypatch.setattr(time, "monotonic", lambda: later)
    db.session.expire_all()
    assert "Dopo" in client.get(f"/events/{event.slug}/").get_data(as_text=True)


def test_pages_with_a_query_string_or_a_message_are_not_kept(client, create_event, queries):
    event = create_event()
    client.get(f"/events/{event.slug}/?utm_source=newsletter")
    queries.clear()
    client.get(f"/events/{event.slug}/?utm_source=newsletter")
    assert queries, "a page with a query string was served from memory"
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Messaggio per una persona sola")]
    assert "Messaggio per una persona sola" in client.get(f"/events/{event.slug}/").get_data(
        as_text=True
    )
    assert "Messaggio per una persona sola" not in client.get(f"/events/{event.slug}/").get_data(
        as_text=True
    )


@pytest.mark.parametrize("app_config", [{"EVENT_PAGE_CACHE_SECONDS": 0}], ids=["off"])
def test_zero_seconds_turns_the_memory_off(client, create_event, queries):
    event = create_event()
    client.get(f"/events/{event.slug}/")
    queries.clear()
    client.get(f"/events/{event.slug}/")
    assert queries


def test_a_draft_is_never_served_from_memory(client, create_event):
    from eventsreg.events.models import EventStatus

    event = create_event()
    client.get(f"/events/{event.slug}/")
    event.status = EventStatus.draft
    db.session.commit()
    assert client.get(f"/events/{event.slug}/").status_code == 404
