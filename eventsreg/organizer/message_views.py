"""Messages to registrants (placeholder: the full pages are being built)."""

from flask import render_template

from .auth import managed_event_or_404
from .views import bp


@bp.get("/events/<slug>/messages")
def messages(slug: str):
    """Messages to registrants."""
    event = managed_event_or_404(slug)
    return render_template("organizer/dashboard.html", event=event)
