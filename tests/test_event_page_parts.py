"""The event page rendered on every request (page memory off): one statement, and the parts
that only the event changes kept per version of the event and language."""

import re

import pytest
import sqlalchemy as sa

from eventsreg.extensions import db
from eventsreg.site import page_cache

pytestmark = pytest.mark.parametrize(
    "app_config", [{"EVENT_PAGE_CACHE_SECONDS": 0}], ids=["memory-off"]
)


@pytest.fixture
def queries(app):
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    yield statements
    sa.event.remove(db.engine, "before_cursor_execute", count)


def heading(html: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)


def test_the_page_reads_the_event_and_its_seats_in_one_statement(
    client, create_event, register, queries
):
    event = create_event(capacity=10)
    register(event, party_size="3")
    client.get(f"/events/{event.slug}/")
    queries.clear()
    html = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert "disponibili: 7." in html
    assert len(queries) == 1


def test_parts_are_rendered_once_per_version_and_language(
    app, client, create_event, register, monkeypatch
):
    event = create_event(capacity=10, title="Incontro sui tetti")
    rendered = []
    original = page_cache.parts

    def counting(event, render):
        def counted():
            rendered.append(event.id)
            return render()

        return original(event, counted)

    monkeypatch.setattr(page_cache, "parts", counting)
    client.get(f"/events/{event.slug}/")
    client.get(f"/events/{event.slug}/")
    assert len(rendered) == 1
    # A registration changes the seats, not the event: the kept parts serve the new count.
    register(event)
    html = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert "disponibili: 9." in html and heading(html) == "Incontro sui tetti"
    assert len(rendered) == 1
    client.get("/lang/en")
    client.get(f"/events/{event.slug}/")
    assert len(rendered) == 2


def test_a_change_to_the_event_shows_at_once_even_made_outside_the_app(client, create_event):
    event = create_event(title="Prima", description="Testo **vecchio**.")
    assert heading(client.get(f"/events/{event.slug}/").get_data(as_text=True)) == "Prima"
    # Plain SQL that leaves updated_at alone: every value of the row makes the version.
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "UPDATE events SET title = 'Dopo', description = 'Testo *nuovo*.' WHERE id = :id"
            ),
            {"id": event.id},
        )
    db.session.expire_all()
    html = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert heading(html) == "Dopo"
    assert "<em>nuovo</em>" in html and "vecchio" not in html
