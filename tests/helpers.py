"""Small helpers shared by the tests."""

import re

import sqlalchemy as sa

from eventsreg.extensions import db
from eventsreg.registrations.models import Registration


def registrations() -> list[Registration]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Registration).order_by(Registration.id)))


def manage_token(html: str) -> str:
    """The self-service token in a page's personal link."""
    match = re.search(r"/r/([A-Za-z0-9_-]{30,})", html)
    assert match, "no personal link on the page"
    return match.group(1)


def error_for(html: str, field_id: str) -> str:
    """The error text shown next to *field_id*, or '' when there is none."""
    match = re.search(rf'id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else ""
