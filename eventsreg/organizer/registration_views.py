"""The event's registrations (placeholder: the full pages are being built)."""

from flask import render_template

from .auth import managed_event_or_404
from .views import bp


@bp.get("/events/<slug>/registrations")
def registrations(slug: str):
    """The event's registrations."""
    event = managed_event_or_404(slug)
    return render_template("organizer/dashboard.html", event=event)
