"""Queueing an email: the one function that writes an outbox row.

It adds the row to the session and leaves the commit to the caller, so the message is
stored in the same transaction as the change that causes it. What a message says is
decided above: this module knows addresses, texts and attachments, not why they are sent.
"""

import uuid

from flask import current_app, g, has_request_context

from ..extensions import db
from ..urls import service_domain
from .models import EmailKind, OutboxEmail
from .sealing import seal


def message_id() -> str:
    """A Message-ID of the service's domain, unique from the operating system's randomness (the
    standard library's make_msgid draws from the ``random`` module, which a library may
    have seeded)."""
    return f"<{uuid.uuid4().hex}@{service_domain()}>"


def one_line(text: str) -> str:
    """*text* for an email header: line breaks would end the header (or be refused)."""
    return " ".join(text.split())


def queue_email(
    kind: EmailKind,
    *,
    to_address: str,
    subject: str,
    text_body: str,
    html_body: str,
    to_name: str = "",
    reply_to: str = "",
    event_id: int | None = None,
    registration_id: int | None = None,
    ics: str | None = None,
    ics_method: str | None = None,
    token: str | None = None,
) -> OutboxEmail:
    """Queue one email for delivery after the commit.

    :param reply_to: where answers go; MAIL_REPLY_TO when empty.
    :param ics: an iCalendar invitation or cancellation, sent with METHOD *ics_method*.
    :param token: a personal token the bodies refer to by placeholder; it is stored
        sealed and forgotten once the message is sent (see sealing.py).
    """
    email = OutboxEmail(
        kind=kind,
        registration_id=registration_id,
        event_id=event_id,
        to_address=to_address,
        to_name=one_line(to_name),
        reply_to=reply_to or current_app.config.get("MAIL_REPLY_TO") or "",
        message_id=message_id(),
        subject=one_line(subject),
        text_body=text_body,
        html_body=html_body,
        ics=ics,
        ics_method=ics_method,
        secret=seal(token) if token else None,
    )
    db.session.add(email)
    if has_request_context():
        # Tells the after-request hook that there is something to deliver.
        g.outbox_queued = True
    return email
