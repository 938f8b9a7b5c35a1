"""Check-in at the door (placeholder: the full pages are being built)."""

from flask import render_template

from .auth import managed_event_or_404
from .views import bp


@bp.get("/events/<slug>/checkin")
def checkin(slug: str):
    """Check-in at the door."""
    event = managed_event_or_404(slug)
    return render_template("organizer/dashboard.html", event=event)
