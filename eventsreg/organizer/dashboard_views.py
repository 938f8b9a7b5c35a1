"""The event dashboard (placeholder until the statistics land)."""

from flask import render_template

from .auth import managed_event_or_404
from .views import bp


@bp.get("/events/<slug>/")
def dashboard(slug: str):
    """Overview of one event."""
    event = managed_event_or_404(slug)
    return render_template("organizer/dashboard.html", event=event)
