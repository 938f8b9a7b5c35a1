"""What each email about a registration says: one public function per kind, one composer.

Each function queues the message through the outbox, in the caller's transaction. It
reads the registration and never changes it: the services decide which calendar message
a registrant gets (``ics_method``) and record it on the registration before calling.

The subject is worded when the message is queued; the bodies and the invitation are
written at delivery from a draft in the outbox row holding the event's and the
registration's columns as they were then (and the answers, already worded), so an email
says what was true when it was queued, and writing it is not the request's work.
"""

from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from .. import calendar
from ..dbtypes import restored, snapshot
from ..events.kept import stored_snapshot
from ..events.models import Event, EventSnapshot
from ..extensions import db
from ..mail.delivery import register_inline_image
from ..mail.models import EmailKind, OutboxEmail
from ..mail.outbox import Written, new_email, queue_email, register_writer, write
from ..mail.sealing import PLACEHOLDER
from ..questions.answers import answers_summary
from ..urls import external_url
from . import checkin
from .models import AttendanceMode, Registration, RegistrationStatus

#: The check-in QR code's Content-ID, referred to by the HTML bodies.
QR_CONTENT_ID = "checkin-qr"

register_inline_image(QR_CONTENT_ID, "codice-ingresso.png", checkin.qr_png)


def _compose(
    registration: Registration,
    kind: EmailKind,
    subject,
    *,
    ics_method: str | None = None,
    token: str | None = None,
    **context,
) -> OutboxEmail:
    composed = _drafted(
        registration,
        registration.event,
        kind,
        subject,
        ics_method=ics_method,
        with_link=bool(token),
        **context,
    )
    return queue_composed(composed, registration, token)


@dataclass(frozen=True)
class Composed:
    """An email composed but not queued yet: what ``queue_email`` takes, less the
    registration's id, its columns in the draft and the token (known once the
    registration is stored)."""

    kind: EmailKind
    fields: dict


def queue_composed(composed: Composed, registration: Registration, token: str | None):
    """Queue *composed* for *registration* (stored: it has its id), in the caller's
    transaction. The draft keeps the registration's columns as they are now."""
    return queue_email(composed.kind, **_fields(composed, registration), token=token)


def written_unqueued(composed: Composed, registration: Registration) -> OutboxEmail:
    """*composed* for *registration* written as it would be sent, never stored (a preview)."""
    return write(new_email(composed.kind, **_fields(composed, registration)))


def _fields(composed: Composed, registration: Registration) -> dict:
    fields = dict(composed.fields, registration_id=registration.id)
    fields["draft"] = {**fields["draft"], "registration": snapshot(registration)}
    return fields


#: The outbox's name for the writer of this module's drafts.
WRITER = "registration"


def _drafted(
    registration: Registration,
    event: Event,
    kind: EmailKind,
    subject,
    *,
    ics_method: str | None = None,
    with_link: bool = False,
    **context,
) -> Composed:
    """The email of *kind* to *registration* (of *event*), its subject worded now and its
    bodies and invitation to be written at delivery (:func:`write_draft`) from what is
    true now: the event's columns, *context* (JSON values) and, once queued, the
    registration's columns.

    :param with_link: the bodies give the personal link (a placeholder for the token).
    """
    with force_locale(registration.locale or "it"):
        subject_text = str(subject() if callable(subject) else subject)
    draft = {
        "writer": WRITER,
        "kind": kind.value,
        "event": _event_snapshot(event),
        "with_link": with_link,
        "context": context,
    }
    return Composed(
        kind,
        {
            "to_address": registration.email,
            "to_name": registration.full_name,
            "subject": subject_text,
            "reply_to": event.contact_email,
            "event_id": event.id,
            "ics_method": ics_method,
            "draft": draft,
        },
    )


def _event_snapshot(event: Event) -> dict:
    """*event*'s columns for a draft: a reference to the copy stored once for its version
    (``kept.stored_snapshot``). An event changed but not yet written has no version yet:
    its columns are read as they are."""
    stored = stored_snapshot(event)
    if stored is None:
        return snapshot(event)
    return {_STORED: stored}


#: The key of a draft's reference to a stored copy of its event's columns.
_STORED = "stored_snapshot"


def _drafted_event(values: dict) -> Event:
    """The event of a draft (its columns, or a reference to those stored)."""
    if _STORED in values:
        values = db.session.get(EventSnapshot, values[_STORED]).columns
    return restored(Event, values)


def write_draft(email: OutboxEmail) -> Written:
    """The bodies and invitation of *email*, from the draft :func:`_drafted` stored."""
    draft = email.draft
    return _render(
        restored(Registration, draft["registration"]),
        _drafted_event(draft["event"]),
        EmailKind(draft["kind"]),
        email.subject,
        ics_method=email.ics_method,
        with_link=draft["with_link"],
        **draft["context"],
    )


register_writer(WRITER, write_draft)


def _render(
    registration: Registration,
    event: Event,
    kind: EmailKind,
    subject: str,
    *,
    ics_method: str | None = None,
    with_link: bool = False,
    **context,
) -> Written:
    """The bodies of the email of *kind* to *registration* (of *event*) and its invitation.

    :param with_link: the bodies give the personal link (a placeholder for the token).
    """
    # Bodies carry a placeholder; the token itself is stored sealed (see mail/sealing.py).
    manage_url = external_url("registrations.manage", token=PLACEHOLDER) if with_link else None
    ics = None
    if ics_method:
        ics = calendar.build_calendar(
            [event],
            method=ics_method,
            attendee=calendar.Attendee(
                registration.email,
                registration.full_name,
                online=registration.attendance is AttendanceMode.online,
            ),
            extra_sequence=registration.ical_sequence,
        ).decode("utf-8")
    with force_locale(registration.locale or "it"):
        context.update(
            event=event,
            registration=registration,
            manage_url=manage_url,
            event_url=external_url("events.detail", slug=event.slug),
            link_request_url=external_url("registrations.request_link", slug=event.slug),
            location=calendar.location(event),
            ics_method=ics_method,
            # The QR code is attached at delivery, when the token can be unsealed.
            show_qr=with_link and checkin.shows_qr(registration, event),
        )
        text_body = render_template(f"emails/{kind.value}.txt", subject=subject, **context)
        html_body = render_template(f"emails/{kind.value}.html", subject=subject, **context)
    return Written(text_body=text_body, html_body=html_body, ics=ics)


def queue_confirmation(
    registration: Registration, token: str, *, ics_method: str | None
) -> OutboxEmail:
    """Thank the registrant, with what they sent, their link and (if attending) the invite."""
    composed = compose_confirmation(
        registration,
        registration.event,
        ics_method=ics_method,
        answers=answers_summary(registration),
    )
    return queue_composed(composed, registration, token)


def compose_confirmation(
    registration: Registration,
    event: Event,
    *,
    ics_method: str | None,
    answers: list[tuple[str, str]],
) -> Composed:
    """The confirmation email (see ``queue_confirmation``), composed without queueing it:
    *registration* need not be stored yet, nor linked to *event*.

    :param answers: the answers as (label, words) (``answers_summary_of``).
    """
    title = event.text("title")

    def subject():
        if registration.status is RegistrationStatus.pending:
            return _("Iscrizione ricevuta, in attesa di approvazione: %(title)s", title=title)
        if registration.status is RegistrationStatus.waitlisted:
            return _("In lista d'attesa: %(title)s", title=title)
        if not registration.is_attending:
            return _("Manifestazione di interesse ricevuta: %(title)s", title=title)
        return _("Iscrizione confermata: %(title)s", title=title)

    return _drafted(
        registration,
        event,
        EmailKind.confirmation,
        subject,
        ics_method=ics_method,
        with_link=True,
        answers=answers,
    )


def queue_change(registration: Registration, *, ics_method: str | None) -> OutboxEmail:
    """Confirm a change; the invite follows whether they still attend."""
    return _compose(
        registration,
        EmailKind.change,
        lambda: _("Iscrizione modificata: %(title)s", title=registration.event.text("title")),
        ics_method=ics_method,
        answers=answers_summary(registration),
    )


def queue_withdrawal(registration: Registration, *, ics_method: str | None) -> OutboxEmail:
    """Confirm a withdrawal and cancel the registrant's calendar entry."""
    return _compose(
        registration,
        EmailKind.withdrawal,
        lambda: _("Iscrizione ritirata: %(title)s", title=registration.event.text("title")),
        ics_method=ics_method,
    )


def queue_promotion(registration: Registration, *, ics_method: str | None) -> OutboxEmail:
    """Tell a waitlisted registrant that a seat is now theirs."""
    return _compose(
        registration,
        EmailKind.promotion,
        lambda: _("Si è liberato un posto: %(title)s", title=registration.event.text("title")),
        ics_method=ics_method,
    )


def queue_approved(registration: Registration, *, ics_method: str | None) -> OutboxEmail:
    """Tell the registrant the organisers said yes, with the invite when they attend."""
    return _compose(
        registration,
        EmailKind.approved,
        lambda: _("Iscrizione accettata: %(title)s", title=registration.event.text("title")),
        ics_method=ics_method,
    )


def queue_rejected(registration: Registration) -> OutboxEmail:
    """Tell the registrant the organisers said no."""
    return _compose(
        registration,
        EmailKind.rejected,
        lambda: _("Iscrizione non accettata: %(title)s", title=registration.event.text("title")),
    )


#: Why a personal link is sent again: asked for, the form sent a second time with an
#: address already registered, or the earlier links revoked by an organiser.
LINK_REASONS = ("requested", "registered_again", "revoked")


def queue_link(registration: Registration, token: str, reason: str = "requested") -> OutboxEmail:
    """Send a new personal link, saying why."""
    assert reason in LINK_REASONS
    return _compose(
        registration,
        EmailKind.link,
        lambda: _("Il link personale: %(title)s", title=registration.event.text("title")),
        token=token,
        reason=reason,
    )


def queue_reminder(registration: Registration) -> OutboxEmail:
    """Remind an attendee the day before."""
    return _compose(
        registration,
        EmailKind.reminder,
        lambda: _("Promemoria: %(title)s", title=registration.event.text("title")),
    )


def queue_message(registration: Registration, subject: str, body: str) -> OutboxEmail:
    """Queue an organiser's message to a registrant (see :func:`compose_message`)."""
    return queue_composed(compose_message(registration, subject, body), registration, None)


def compose_message(registration: Registration, subject: str, body: str) -> Composed:
    """An organiser's message to a registrant: their own text, placeholders substituted.

    The text is never rendered as a template: ``{nome}``, ``{cognome}``, ``{azienda}`` and
    ``{evento}`` are replaced by plain substitution, and the HTML part escapes it all.
    """
    values = {
        "{nome}": registration.first_name,
        "{cognome}": registration.last_name,
        "{azienda}": registration.company_name,
        "{evento}": registration.event.text("title"),
    }
    for placeholder, value in values.items():
        subject = subject.replace(placeholder, value)
        body = body.replace(placeholder, value)
    return _drafted(registration, registration.event, EmailKind.message, subject, message_body=body)


def queue_event_update(registration: Registration, *, ics_method: str | None) -> OutboxEmail:
    """Send the new time or place, with an invite that replaces the old entry."""
    event: Event = registration.event
    return _compose(
        registration,
        EmailKind.event_update,
        lambda: _("Evento modificato: %(title)s", title=event.text("title")),
        ics_method=ics_method,
    )


def queue_event_cancelled(registration: Registration, *, ics_method: str | None) -> OutboxEmail:
    """Tell the registrant the event is cancelled and remove it from their calendar."""
    event: Event = registration.event
    return _compose(
        registration,
        EmailKind.event_cancelled,
        lambda: _("Evento annullato: %(title)s", title=event.text("title")),
        ics_method=ics_method,
    )
