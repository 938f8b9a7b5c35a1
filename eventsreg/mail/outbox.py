"""Queueing an email: the one function that writes an outbox row.

It writes the row in the caller's transaction and leaves the commit to the caller, so the
message is stored in the same transaction as the change that causes it. What a message says is
decided above: this module knows addresses, texts and attachments, not why they are sent.

A message's bodies are either given when it is queued or written later, at delivery,
from a **draft** stored in the row: everything they are to say, as it was when the
message was queued (the layer that queued it registers the writer that turns its drafts
into bodies). Writing a confirmation was the largest single part of a registration's
work; done at delivery, it is off the request, and the email still says what was true
at registering.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, g, has_request_context

from ..database import insert_new
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


def new_email(
    kind: EmailKind,
    *,
    to_address: str,
    subject: str,
    text_body: str = "",
    html_body: str = "",
    draft: dict | None = None,
    to_name: str = "",
    reply_to: str = "",
    event_id: int | None = None,
    registration_id: int | None = None,
    ics: str | None = None,
    ics_method: str | None = None,
    token: str | None = None,
) -> OutboxEmail:
    """One email, not queued (see :func:`queue_email`, which takes the same arguments).

    :param reply_to: where answers go; MAIL_REPLY_TO when empty.
    :param ics: an iCalendar invitation or cancellation, sent with METHOD *ics_method*.
    :param token: a personal token the bodies refer to by placeholder; it is stored
        sealed and forgotten once the message is sent (see sealing.py).
    :param draft: instead of the bodies (and *ics*): what a registered writer writes them
        from (``{"writer": name, ...}``, JSON values), see :func:`write`.
    """
    assert draft is None or draft.get("writer") in WRITERS, draft
    return OutboxEmail(
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
        draft=draft,
        secret=seal(token) if token else None,
    )


def queue_email(kind: EmailKind, **fields) -> OutboxEmail:
    """Queue one email for delivery after the commit: written to the caller's transaction
    at once, in one statement (what was changed before it is flushed first).

    :param fields: see :func:`new_email`.
    """
    email = new_email(kind, **fields)
    insert_new(email)
    if has_request_context():
        # Tells the after-request hook that there is something to deliver.
        g.outbox_queued = True
    return email


@dataclass(frozen=True)
class Written:
    """What a writer makes of a draft."""

    text_body: str
    html_body: str
    ics: str | None = None


#: Writer name → the function that writes a row's bodies from its draft (in an app
#: context; it reads the row, and changes nothing).
WRITERS: dict[str, Callable[[OutboxEmail], Written]] = {}


def register_writer(name: str, writer: Callable[[OutboxEmail], Written]) -> None:
    """Let drafts naming *name* be written by *writer*."""
    WRITERS[name] = writer


class UnwritableDraft(Exception):
    """A draft its writer could not write (a defect: the message is retried, then failed,
    with the reason shown to the organisers)."""


def write(email: OutboxEmail) -> OutboxEmail:
    """Fill in *email*'s bodies and invitation from its draft, if it still has one, and
    forget the draft; the caller's commit stores them (delivery does, so a message is
    written once).

    :raises UnwritableDraft: the writer failed; *email* is unchanged.
    """
    if email.draft is None:
        return email
    try:
        written = WRITERS[email.draft["writer"]](email)
    except Exception as error:
        current_app.logger.exception("email %s could not be written", email.id)
        raise UnwritableDraft(f"{type(error).__name__}: {error}") from error
    email.text_body = written.text_body
    email.html_body = written.html_body
    email.ics = written.ics
    email.draft = None
    return email
