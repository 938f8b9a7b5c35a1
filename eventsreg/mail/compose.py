"""What each email says: one public function per kind, one private composer.

Every function adds an :class:`OutboxEmail` to the session and leaves the commit to the
caller, so the message is stored in the same transaction as the change that causes it.
"""

import uuid

import sqlalchemy as sa
from flask import current_app, g, has_app_context, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from .. import calendar
from ..events.models import Event
from ..extensions import db
from ..registrations.models import Registration
from ..registrations.questions import answers_summary
from ..urls import external_url
from .models import EmailKind, OutboxEmail
from .sealing import PLACEHOLDER, seal

REQUEST = "REQUEST"
CANCEL = "CANCEL"


def _message_id() -> str:
    """A Message-ID of our domain, unique from the operating system's randomness (the
    standard library's make_msgid draws from the ``random`` module, which a library may
    have seeded)."""
    return f"<{uuid.uuid4().hex}@{calendar.uid_domain()}>"


def _one_line(text: str) -> str:
    """*text* for an email header: line breaks would end the header (or be refused)."""
    return " ".join(text.split())


def _compose(
    registration: Registration,
    kind: EmailKind,
    subject: str,
    *,
    ics_method: str | None = None,
    token: str | None = None,
    **context,
) -> OutboxEmail:
    event = registration.event
    # Bodies carry a placeholder; the token itself is stored sealed (see sealing.py).
    manage_url = external_url("registrations.manage", token=PLACEHOLDER) if token else None
    ics = None
    if ics_method:
        # A cancellation must outrank the invitation it cancels, and an invitation sent
        # after a cancellation must outrank that: calendars ignore what is not newer.
        if ics_method == CANCEL or _last_calendar_method(registration) == CANCEL:
            registration.ical_sequence += 1
        ics = calendar.build_calendar(
            [event],
            method=ics_method,
            attendee=calendar.Attendee(registration.email, registration.full_name),
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
            show_qr=bool(token)
            and registration.is_attending
            and registration.attendance.value == "in_person",
        )
        subject_text = str(subject() if callable(subject) else subject)
        text_body = render_template(f"emails/{kind.value}.txt", subject=subject_text, **context)
        html_body = render_template(f"emails/{kind.value}.html", subject=subject_text, **context)
    email = OutboxEmail(
        kind=kind,
        registration=registration,
        event_id=event.id,
        to_address=registration.email,
        to_name=_one_line(registration.full_name),
        reply_to=event.contact_email or current_app.config.get("MAIL_REPLY_TO") or "",
        message_id=_message_id(),
        subject=_one_line(subject_text),
        text_body=text_body,
        html_body=html_body,
        ics=ics,
        ics_method=ics_method,
        secret=seal(token) if token else None,
    )
    db.session.add(email)
    if has_app_context():
        # Tells the after-request hook that there is something to deliver.
        g.outbox_queued = True
    return email


def _last_calendar_method(registration: Registration) -> str | None:
    """The METHOD of the last invitation or cancellation this registrant was sent."""
    if registration.id is None:
        return None
    return db.session.scalar(
        sa.select(OutboxEmail.ics_method)
        .where(OutboxEmail.registration_id == registration.id, OutboxEmail.ics_method.is_not(None))
        .order_by(OutboxEmail.id.desc())
        .limit(1)
    )


def queue_confirmation(registration: Registration, token: str) -> OutboxEmail:
    """Thank the registrant, with what they sent, their link and (if attending) the invite."""
    title = registration.event.title

    def subject():
        if registration.status.value == "pending":
            return _("Iscrizione ricevuta, in attesa di approvazione: %(title)s", title=title)
        if registration.status.value == "waitlisted":
            return _("In lista d'attesa: %(title)s", title=title)
        if registration.attendance.value == "not_attending":
            return _("Manifestazione di interesse ricevuta: %(title)s", title=title)
        return _("Iscrizione confermata: %(title)s", title=title)

    return _compose(
        registration,
        EmailKind.confirmation,
        subject,
        ics_method=REQUEST if registration.is_attending else None,
        token=token,
        answers=answers_summary(registration),
    )


def queue_change(registration: Registration, *, had_invite: bool) -> OutboxEmail:
    """Confirm a change; the invite follows whether they still attend."""
    method = REQUEST if registration.is_attending else (CANCEL if had_invite else None)
    return _compose(
        registration,
        EmailKind.change,
        lambda: _("Iscrizione modificata: %(title)s", title=registration.event.title),
        ics_method=method,
        answers=answers_summary(registration),
    )


def queue_withdrawal(registration: Registration, *, had_invite: bool) -> OutboxEmail:
    """Confirm a withdrawal and cancel the registrant's calendar entry."""
    return _compose(
        registration,
        EmailKind.withdrawal,
        lambda: _("Iscrizione ritirata: %(title)s", title=registration.event.title),
        ics_method=CANCEL if had_invite else None,
    )


def queue_promotion(registration: Registration) -> OutboxEmail:
    """Tell a waitlisted registrant that a seat is now theirs."""
    return _compose(
        registration,
        EmailKind.promotion,
        lambda: _("Si è liberato un posto: %(title)s", title=registration.event.title),
        ics_method=REQUEST,
    )


def queue_decision(registration: Registration, *, approved: bool) -> OutboxEmail:
    """Tell the registrant the organisers' yes (with the invite) or no."""
    title = registration.event.title
    if approved:
        return _compose(
            registration,
            EmailKind.approved,
            lambda: _("Iscrizione accettata: %(title)s", title=title),
            ics_method=REQUEST if registration.is_attending else None,
        )
    return _compose(
        registration,
        EmailKind.rejected,
        lambda: _("Iscrizione non accettata: %(title)s", title=title),
    )


def queue_link(registration: Registration, token: str) -> OutboxEmail:
    """Send the personal link again, on request."""
    return _compose(
        registration,
        EmailKind.link,
        lambda: _("Il tuo link personale: %(title)s", title=registration.event.title),
        token=token,
    )


def queue_reminder(registration: Registration) -> OutboxEmail:
    """Remind an attendee the day before."""
    return _compose(
        registration,
        EmailKind.reminder,
        lambda: _("Promemoria: %(title)s", title=registration.event.title),
    )


def queue_message(registration: Registration, subject: str, body: str) -> OutboxEmail:
    """An organiser's message to a registrant: their own text, placeholders substituted.

    The text is never rendered as a template: ``{nome}``, ``{cognome}``, ``{azienda}`` and
    ``{evento}`` are replaced by plain substitution, and the HTML part escapes it all.
    """
    values = {
        "{nome}": registration.first_name,
        "{cognome}": registration.last_name,
        "{azienda}": registration.company_name,
        "{evento}": registration.event.title,
    }
    for placeholder, value in values.items():
        subject = subject.replace(placeholder, value)
        body = body.replace(placeholder, value)
    return _compose(registration, EmailKind.message, subject, message_body=body)


def queue_event_update(event: Event, registrations) -> list[OutboxEmail]:
    """Send the new time or place, with an invite that replaces the old entry."""
    return [
        _compose(
            registration,
            EmailKind.event_update,
            lambda: _("Evento modificato: %(title)s", title=event.title),
            ics_method=REQUEST if registration.is_attending else None,
        )
        for registration in registrations
    ]


def queue_event_cancelled(event: Event, registrations) -> list[OutboxEmail]:
    """Tell every registrant the event is cancelled and remove it from calendars."""
    return [
        _compose(
            registration,
            EmailKind.event_cancelled,
            lambda: _("Evento annullato: %(title)s", title=event.title),
            ics_method=CANCEL if registration.is_attending else None,
        )
        for registration in registrations
    ]


def queue_accessibility_report(page: str, description: str, reply_to: str) -> OutboxEmail:
    """Forward a visitor's report of an accessibility barrier to the configured contact.

    The visitor's words travel as plain text, escaped in the HTML part.
    """
    context = {"page": page, "description": description, "reply_to": reply_to}
    email = OutboxEmail(
        kind=EmailKind.message,
        to_address=current_app.config["ACCESSIBILITY_CONTACT"],
        reply_to=reply_to,
        message_id=_message_id(),
        subject="Segnalazione di accessibilità",
        text_body=render_template("emails/accessibility_report.txt", **context),
        html_body=render_template("emails/accessibility_report.html", **context),
    )
    db.session.add(email)
    if has_app_context():
        g.outbox_queued = True
    return email


def queue_erasure(event: Event, address: str, locale: str = "it") -> OutboxEmail:
    """Confirm to *address* that its registration to *event* and its data were erased.

    The registration no longer exists: the message is tied to the event only, names
    nobody and carries no personal link.
    """
    context = {
        "event": event,
        "event_url": external_url("events.detail", slug=event.slug),
        "locale": locale or "it",
    }
    with force_locale(locale or "it"):
        subject = _("Dati cancellati: %(title)s", title=event.title)
        text_body = render_template("emails/erasure.txt", subject=subject, **context)
        html_body = render_template("emails/erasure.html", subject=subject, **context)
    email = OutboxEmail(
        kind=EmailKind.message,
        event_id=event.id,
        to_address=address,
        reply_to=event.contact_email or current_app.config.get("MAIL_REPLY_TO") or "",
        message_id=_message_id(),
        subject=_one_line(subject),
        text_body=text_body,
        html_body=html_body,
    )
    db.session.add(email)
    if has_app_context():
        g.outbox_queued = True
    return email
