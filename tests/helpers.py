"""Small helpers shared by the tests."""

import re
from html import unescape
from pathlib import Path

import sqlalchemy as sa

from eventsreg.extensions import db
from eventsreg.registrations.models import Registration

from .conftest import form_data


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
    if not match:
        return ""
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1)))).strip()


def personal_token(client, response) -> str:
    """The personal-link token shown on the confirmation page *response* redirects to."""
    assert response.status_code == 303, response.status_code
    return manage_token(client.get(response.headers["Location"]).get_data(as_text=True))


def edit_data(**overrides) -> dict:
    """A valid submission of the self-service edit form; None removes a field."""
    return form_data(**{"email": None, "privacy_consent": None, **overrides})


def stored_bytes() -> bytes:
    """Everything the test database holds: SQLite's files, or every PostgreSQL row as text."""
    if db.engine.dialect.name == "sqlite":
        path = Path(db.engine.url.database)
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    with db.engine.connect() as connection:
        rows = [
            connection.exec_driver_sql(f'SELECT t::text FROM "{table.name}" t').scalars().all()
            for table in db.metadata.sorted_tables
        ]
    return "\n".join(text for table_rows in rows for text in table_rows).encode()


def content_svgs(html: str) -> list[str]:
    """The page's SVG pictures (charts, QR codes), leaving out the kit's decorative icons."""
    return re.findall(r'<svg(?![^>]*class="icon[ "])[^>]*>.*?</svg>', html, re.S)
