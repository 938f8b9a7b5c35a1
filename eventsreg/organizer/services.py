"""Organiser accounts: creation, sign-in checks, password changes."""

import secrets

import sqlalchemy as sa

from ..dbtypes import utcnow
from ..events.models import Event
from ..extensions import db
from .models import ExportRecord, Organizer

_dummy_account: Organizer | None = None


def _dummy() -> Organizer:
    """An account checked when the email is unknown, so that a wrong address takes as long
    as a wrong password and sign-in does not reveal which accounts exist."""
    global _dummy_account
    if _dummy_account is None:
        _dummy_account = Organizer()
        _dummy_account.set_password(secrets.token_hex(16))
    return _dummy_account


class AccountError(Exception):
    pass


def find_by_email(email: str) -> Organizer | None:
    return db.session.scalar(sa.select(Organizer).where(Organizer.email == email.strip().lower()))


def create_organizer(
    email: str, password: str, *, name: str = "", is_admin: bool = False
) -> Organizer:
    """Create an account; the email must be new."""
    email = email.strip().lower()
    if find_by_email(email) is not None:
        raise AccountError(f"an organiser with email {email} already exists")
    organizer = Organizer(email=email, name=name, is_admin=is_admin)
    organizer.set_password(password)
    db.session.add(organizer)
    db.session.commit()
    return organizer


def authenticate(email: str, password: str) -> Organizer | None:
    """The enabled organiser with these credentials, or None."""
    organizer = find_by_email(email)
    if organizer is None:
        _dummy().check_password(password)
        return None
    if not organizer.check_password(password) or not organizer.is_enabled:
        return None
    organizer.last_login_at = utcnow()
    db.session.commit()
    return organizer


def change_password(organizer: Organizer, current: str, new: str) -> bool:
    """Set a new password if *current* is right; other sessions are signed out."""
    if not organizer.check_password(current):
        return False
    organizer.set_password(new)
    db.session.commit()
    return True


def record_export(event: Event, file_format: str, actor: str, **fields) -> ExportRecord:
    """Write down who took the event's registrations, when and in which format."""
    entry = ExportRecord(event_id=event.id, file_format=file_format, actor=actor[:254], **fields)
    db.session.add(entry)
    db.session.commit()
    return entry
