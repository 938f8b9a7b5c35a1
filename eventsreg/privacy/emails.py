"""The email that confirms an erasure."""

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from ..events.models import Event
from ..mail.models import EmailKind, OutboxEmail
from ..mail.outbox import queue_email
from ..urls import external_url


def queue_erasure(event: Event, address: str, locale: str = "it") -> OutboxEmail:
    """Confirm to *address* that its registration to *event* and its data were erased.

    The registration no longer exists: the message is tied to the event only, names
    nobody and carries no personal link.
    """
    locale = locale or "it"
    context = {
        "event": event,
        "event_url": external_url("events.detail", slug=event.slug),
        "locale": locale,
    }
    with force_locale(locale):
        subject = _("Dati cancellati: %(title)s", title=event.text("title"))
        text_body = render_template("emails/erasure.txt", subject=subject, **context)
        html_body = render_template("emails/erasure.html", subject=subject, **context)
    return queue_email(
        EmailKind.erasure,
        to_address=address,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        reply_to=event.contact_email,
        event_id=event.id,
    )
