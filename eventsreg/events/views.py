"""Public event pages."""

from flask import Blueprint, abort, render_template

from . import services

bp = Blueprint("events", __name__)


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
        "events/detail.html", event=event, availability=services.availability(event)
    )
