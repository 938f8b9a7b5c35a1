"""Check-in at the door: the QR code's token, checking in and undoing it.

The check-in token is derived from the personal (self-service) token, so every page and
email that carries the personal link can also show the QR code, and a new personal link
also replaces the QR code. Only its hash is stored, like the personal token's.
"""

import base64
import hashlib
import hmac
import io
from datetime import datetime

import segno
from markupsafe import Markup

from .. import tokens
from ..dbtypes import utcnow
from ..extensions import db
from ..urls import external_url
from .models import AttendanceMode, Registration


def checkin_token_for(personal_token: str) -> str:
    digest = hmac.new(personal_token.encode(), b"eventsreg check-in", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def checkin_hash(personal_token: str) -> str:
    return tokens.hash_token(checkin_token_for(personal_token))


def checkin_url(personal_token: str) -> str:
    """What the QR code opens: the registration's check-in page for organisers."""
    return external_url("organizer.checkin_scan", token=checkin_token_for(personal_token))


def shows_qr(registration: Registration, event=None) -> bool:
    """Whether the registration comes with a QR code for the door: in-person attendees
    of an event that still takes place (*event*: the registration's, given when it is
    not linked to it yet)."""
    return (
        registration.is_attending
        and registration.attendance is AttendanceMode.in_person
        and not (event or registration.event).is_cancelled
    )


def qr_svg(personal_token: str) -> Markup:
    """The check-in QR code as inline SVG, for pages."""
    svg = segno.make(checkin_url(personal_token), error="m").svg_inline(scale=4, title="QR")
    return Markup(svg)


def qr_png(personal_token: str) -> bytes:
    """The check-in QR code as PNG, for emails."""
    buffer = io.BytesIO()
    segno.make(checkin_url(personal_token), error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def arrivals(registration: Registration, people: int | None) -> int:
    """How many of *registration*'s party to record as arrived: *people* within 1 and the
    party's size (a party of one, or no number given, is the whole party)."""
    party = max(registration.party_size, 1)
    return party if people is None else min(max(people, 1), party)


def check_in(
    registration: Registration, now: datetime | None = None, people: int | None = None
) -> bool:
    """Record the arrival of *people* of the party (all of it by default); a later call with
    another number corrects it (the rest of a party arrived). False if nothing changed."""
    count = arrivals(registration, people)
    if registration.checked_in_at is not None and registration.checked_in_count == count:
        return False
    if registration.checked_in_at is None:
        registration.checked_in_at = now or utcnow()
    registration.checked_in_count = count
    db.session.commit()
    return True


def undo_check_in(registration: Registration) -> None:
    registration.checked_in_at = None
    registration.checked_in_count = None
    db.session.commit()
