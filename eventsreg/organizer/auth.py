"""Who may see what on the organisers' side."""

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from ..events.models import Event
from ..extensions import db, login_manager
from ..registrations.admin import get_registration
from .models import Organizer


@login_manager.user_loader
def load_organizer(session_id: str) -> Organizer | None:
    """The organiser of a session, if the account is enabled and its password unchanged."""
    organizer_id, _, password_tag = session_id.partition(":")
    if not organizer_id.isdigit():
        return None
    organizer = db.session.get(Organizer, int(organizer_id))
    if organizer is None or organizer.get_id() != session_id or not organizer.is_enabled:
        return None
    return organizer


def managed_event_or_404(slug: str) -> Event:
    """The event with *slug* if the signed-in organiser manages it.

    Someone else's event answers 404, not 403: its existence is not theirs to know.
    """
    event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
    if event is None or not current_user.can_manage(event):
        abort(404)
    return event


def managed_registration_or_404(event: Event, registration_id: int):
    """The registration *registration_id* of *event* (an event already checked as managed)."""
    return get_registration(event, registration_id) or abort(404)


def admin_required() -> None:
    if not current_user.is_admin:
        abort(403)


def managed_events_query():
    """Events the signed-in organiser may manage, newest first."""
    query = sa.select(Event).order_by(Event.starts_at.desc())
    if not current_user.is_admin:
        query = query.where(Event.managers.any(Organizer.id == current_user.id))
    return query
