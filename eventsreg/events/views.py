"""Public event pages and their calendar files."""

from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, render_template, request

from .. import calendar
from ..dbtypes import utcnow
from ..extensions import db
from . import services
from .models import Event

bp = Blueprint("events", __name__)

ICS_MIMETYPE = "text/calendar; charset=utf-8"


@bp.get("/")
def index():
    """List upcoming events, with past ones in an archive section."""
    upcoming, past = services.public_events()
    return render_template("events/index.html", upcoming=upcoming, past=past)


@bp.get("/events/<slug>/")
def detail(slug: str):
    """Show one event's page with its registration state."""
    event = services.get_public_event(slug) or abort(404)
    return render_template(
        "events/detail.html",
        event=event,
        availability=services.availability(event),
        is_over=event.ends_at <= utcnow(),
    )


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
    # The validators come from a narrow query, so that a client polling an unchanged
    # feed gets its 304 without the calendar being built.
    rows = db.session.execute(
        sa.select(Event.id, Event.updated_at, Event.ical_sequence, Event.status)
        .where(*where)
        .order_by(Event.id)
    ).all()
    etag = calendar.feed_etag(rows)
    last_modified = _feed_last_modified(since)
    if etag in request.if_none_match or (
        not request.if_none_match
        and last_modified
        and request.if_modified_since
        and last_modified.replace(microsecond=0) <= request.if_modified_since
    ):
        response = Response(status=304)
    else:
        events = db.session.scalars(sa.select(Event).where(*where).order_by(Event.starts_at))
        name = current_app.config["SITE_NAME"]
        response = Response(
            calendar.build_calendar(events, method="PUBLISH", name=name), content_type=ICS_MIMETYPE
        )
    response.set_etag(etag)
    if last_modified:
        response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


def _feed_last_modified(since):
    """When the feed last changed; it never goes back, so If-Modified-Since stays right.

    Any event's change counts, also one that left the feed (unpublished: its updated_at
    moves), and so does the moment the newest event aged out of the one-year window.
    """
    changed = db.session.scalar(sa.select(sa.func.max(Event.updated_at)))
    aged_out = db.session.scalar(sa.select(sa.func.max(Event.ends_at)).where(Event.ends_at < since))
    moments = [m for m in (changed, aged_out and aged_out + timedelta(days=365)) if m]
    return max(moments, default=None)
