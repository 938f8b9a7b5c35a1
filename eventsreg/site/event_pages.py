"""Public event pages and their calendar files (the ``events`` blueprint)."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, render_template, request

from .. import calendar
from ..dbtypes import utcnow
from ..events import services
from ..events.models import Event
from ..extensions import db
from ..registrations import seats
from ..translated import current_locale
from . import page_cache

bp = Blueprint("events", __name__)

ICS_MIMETYPE = "text/calendar; charset=utf-8"


@bp.get("/")
def index():
    """List upcoming events, with past ones in an archive section."""
    upcoming, past = services.public_events()
    return render_template("events/index.html", upcoming=upcoming, past=past)


#: A public event's row and its seats taken, in one statement (the event page's only
#: query), read as plain values: the event object is kept per version of them.
_EVENT_AND_SEATS = sa.select(
    *page_cache.event_row_columns(), seats.seats_taken_of(Event.id).label("seats_taken")
).where(Event.slug == sa.bindparam("slug"), Event.status.in_(services.PUBLIC_STATUSES))


@bp.get("/events/<slug>/")
def detail(slug: str):
    """Show one event's page with its registration state."""
    cache_key = page_cache.key(slug)
    if cache_key and (html := page_cache.get(cache_key)) is not None:
        return html
    connection = db.session.connection()
    row = connection.execute(_EVENT_AND_SEATS, {"slug": slug}).one_or_none() or abort(404)
    event, taken = page_cache.event_of(row), row.seats_taken
    now = utcnow()
    html = render_template(
        "events/detail.html",
        event=event,
        availability=seats.availability(event, now, int(taken)),
        is_over=event.ends_at <= now,
        parts=page_cache.parts(event, lambda: _page_parts(event)),
    )
    if cache_key:
        page_cache.put(cache_key, html)
    return html


def _page_parts(event: Event) -> dict[str, str]:
    """The parts of the event page that only the event changes."""
    return {
        name: render_template(f"events/{template}.html", event=event)
        for name, template in (
            ("head", "_detail_head"),
            ("calendar", "_add_to_calendar"),
            ("body", "_detail_body"),
        )
    }


@bp.get("/events/<slug>/event.ics")
def event_ics(slug: str):
    """Download the event as an iCalendar file."""
    event = services.get_public_event(slug) or abort(404)
    body = calendar.build_calendar([event], method="PUBLISH")
    return Response(
        body,
        content_type=ICS_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="{event.slug}.ics"'},
    )


@bp.get("/calendar.ics")
def feed():
    """Every published event (and those of the last year) as a subscribable calendar."""
    since = utcnow() - timedelta(days=365)
    where = (Event.status.in_(services.PUBLIC_STATUSES), Event.ends_at >= since)
    # The validators come from one aggregate query, so that a client polling an unchanged
    # feed gets its 304 without the calendar being built, in the same time for 10 events
    # or 1,000. Any change to an event moves its updated_at (the newest one moves the
    # maximum); an event leaving the feed, by time or by status, changes the count.
    in_feed = sa.and_(*where)
    count, changed, aged_out = db.session.execute(
        sa.select(
            sa.func.count(sa.case((in_feed, Event.id))),
            sa.func.max(Event.updated_at),
            sa.func.max(sa.case((Event.ends_at < since, Event.ends_at))),
        )
    ).one()
    # Titles and descriptions are in the visitor's language: one version of the feed each.
    etag = calendar.feed_etag([(count, changed, _as_utc(aged_out), current_locale())])
    last_modified = _feed_last_modified(changed, _as_utc(aged_out))
    if etag in request.if_none_match or (
        not request.if_none_match
        and last_modified
        and request.if_modified_since
        and last_modified.replace(microsecond=0) <= request.if_modified_since
    ):
        response = Response(status=304)
    else:
        response = Response(_feed_body(etag, where), content_type=ICS_MIMETYPE)
    response.set_etag(etag)
    if last_modified:
        response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


def _feed_body(etag: str, where) -> bytes:
    """The feed's calendar, built once per version: each process keeps the latest one, so
    the calendar apps polling an unchanged feed without validators cost one query too."""
    kept = current_app.extensions.get(_FEED_KEY)
    if kept is not None and kept[0] == etag:
        return kept[1]
    events = db.session.scalars(sa.select(Event).where(*where).order_by(Event.starts_at))
    name = current_app.config["SITE_NAME"]
    body = calendar.build_calendar(events, method="PUBLISH", name=name)
    current_app.extensions[_FEED_KEY] = (etag, body)
    return body


_FEED_KEY = "eventsreg.feed"


def _as_utc(moment):
    """An aggregate of a UTC column comes back without its type: naive (or text) UTC."""
    if moment is None or isinstance(moment, datetime):
        return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment
    return datetime.fromisoformat(moment).replace(tzinfo=UTC)


def _feed_last_modified(changed, aged_out):
    """When the feed last changed; it never goes back, so If-Modified-Since stays right.

    Any event's change counts, also one that left the feed (unpublished: its updated_at
    moves), and so does the moment the newest event aged out of the one-year window.
    """
    moments = [m for m in (changed, aged_out and aged_out + timedelta(days=365)) if m]
    return max(moments, default=None)
