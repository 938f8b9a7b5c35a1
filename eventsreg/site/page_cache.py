"""A few seconds' memory of rendered public event pages.

An invitation sent to every company of two industrial areas brings its visitors all at
once, to one page that is the same for each of them in their language. Each process keeps
that page for EVENT_PAGE_CACHE_SECONDS, so a burst is answered without a query. What the
page shows can then lag by those seconds, seats left included; registering always counts
seats afresh under the event's lock. A change made through this process (editing,
publishing, cancelling the event) clears the memory at once; other processes catch up
within the same seconds.

Only the plain page is kept: not a page with a query string (its language-switch link
differs, and the memory must not grow with made-up addresses) and not one carrying a
flash message for one visitor.

Beneath that memory, the parts of a page that only the event itself changes (its texts,
dates, description, calendar links) are kept per version of the event (every value of its
row, as just read) and language: :func:`parts`. Every registration changes the seats, and so
clears the memory above, but not the event; the page is then rendered again with its seats
and registration state counted afresh around the kept parts, and so is every page the
memory above does not keep (a flash message, a query string, the seconds set to 0).
"""

import time
from collections.abc import Callable
from functools import cache

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context, request, session
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy.orm import Session

from .. import database
from ..events.models import Event
from ..registrations.models import Registration

#: Pages kept per process at most (several events × two languages).
MAX_PAGES = 64
_EXTENSION = "eventsreg.event_pages"
#: Versions of events' parts kept per process at most (events × languages).
MAX_PARTS = 256
_PARTS = "eventsreg.event_page_parts"
_EVENTS = "eventsreg.event_page_events"


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = {}
    app.extensions[_PARTS] = {}
    app.extensions[_EVENTS] = {}


def parts(event: Event, render: Callable[[], dict[str, str]]) -> dict[str, Markup]:
    """The parts of *event*'s page that depend on the event alone, in the current
    language: made by *render* once per version of the event, kept in this process.

    The version is every value of the event's row as just read, not only ``updated_at``:
    a change made outside the app (SQL by hand) shows as soon as it is read."""
    kept = current_app.extensions[_PARTS]
    state = event.__dict__
    row = repr([state.get(name) for name in _event_columns()])
    version = (event.id, str(get_locale()), row)
    found = kept.get(version)
    if found is None:
        if len(kept) >= MAX_PARTS:
            kept.clear()
        found = kept[version] = {name: Markup(html.rstrip()) for name, html in render().items()}
    return found


def event_row_columns() -> list:
    """The event's columns as read for its page (labelled by attribute), to be passed to
    :func:`event_of`."""
    return [attr.columns[0].label(attr.key) for attr in sa.inspect(Event).column_attrs]


def event_of(row) -> Event:
    """The event of a row read with :func:`event_row_columns`: an object of no session,
    made once per version of the row (every value of it) and kept in this process. The
    page reads its columns only, never its relationships."""
    kept = current_app.extensions[_EVENTS]
    values = tuple(getattr(row, name) for name in _event_columns())
    version = repr(values)
    found = kept.get(version)
    if found is None:
        if len(kept) >= MAX_PARTS:
            kept.clear()
        found = kept[version] = Event(**dict(zip(_event_columns(), values, strict=True)))
    return found


def _pages() -> dict[tuple[str, str], tuple[float, str]]:
    return current_app.extensions[_EXTENSION]


def key(slug: str) -> tuple[str, str] | None:
    """The cache key of the current request's page, or None when it must not be cached."""
    if not current_app.config.get("EVENT_PAGE_CACHE_SECONDS"):
        return None
    if request.query_string or "_flashes" in session:
        return None
    return slug, str(get_locale())


def get(page_key: tuple[str, str]) -> str | None:
    entry = _pages().get(page_key)
    if entry is None or entry[0] < time.monotonic():
        return None
    return entry[1]


def put(page_key: tuple[str, str], html: str) -> None:
    pages = _pages()
    if len(pages) >= MAX_PAGES:
        pages.clear()
    seconds = current_app.config["EVENT_PAGE_CACHE_SECONDS"]
    pages[page_key] = (time.monotonic() + seconds, html)


@cache
def _event_columns() -> tuple[str, ...]:
    return tuple(attr.key for attr in sa.inspect(Event).column_attrs)


@sa.event.listens_for(Session, "after_flush")
def _forget_changed_pages(session: Session, flush_context) -> None:
    # Anything an event page shows (the event, its seats) changed in this process.
    changed = session.new | session.dirty | session.deleted
    if any(isinstance(obj, Event | Registration) for obj in changed):
        _forget_pages()


#: The tables whose rows an event page shows.
_PAGE_TABLES = (Event.__table__, Registration.__table__)


@sa.event.listens_for(Session, "do_orm_execute")
def _forget_pages_written_by_statement(state) -> None:
    # The same for rows written by a statement of their own, not by a flush.
    if (state.is_insert or state.is_update or state.is_delete) and getattr(
        state.statement, "table", None
    ) in _PAGE_TABLES:
        _forget_pages()


def _forget_pages() -> None:
    pages = current_app.extensions.get(_EXTENSION) if has_app_context() else None
    if pages:
        pages.clear()


# And for rows written on the session's connection (a new registration).
for _table in _PAGE_TABLES:
    database.on_insert(_table, _forget_pages)
