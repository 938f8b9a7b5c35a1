"""Messages to an event's registrants: write, preview, send through the outbox."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..formatting import ngettext
from ..registrations import admin
from ..registrations.errors import NoRecipients
from . import bp
from .auth import managed_event_or_404
from .registration_forms import MessageForm


@bp.route("/events/<slug>/messages", methods=["GET", "POST"])
def messages(slug: str):
    """Write to all active registrants or a filtered set; preview first, then send."""
    event = managed_event_or_404(slug)
    # The registrations table links here with its filters in the query string.
    prefill = None if request.method == "POST" else request.args.to_dict()
    form = MessageForm.for_event(event, data=prefill)
    preview = None
    if form.validate_on_submit():
        filters = form.filters()
        if form.send.data:
            try:
                count = admin.send_message(event, filters, form.subject.data, form.body.data)
            except NoRecipients:
                form.form_errors.append(_no_recipients())
            else:
                flash(
                    ngettext(
                        "Messaggio in coda per %(num)s destinatario.",
                        "Messaggio in coda per %(num)s destinatari.",
                        count,
                    ),
                    "success",
                )
                return redirect(url_for(".messages", slug=event.slug), code=303)
        else:
            preview = admin.preview_message(event, filters, form.subject.data, form.body.data)
            if not preview.count:
                form.form_errors.append(_no_recipients())
    status = 400 if form.is_submitted() and form.errors else 200
    return render_template(
        "organizer/messages.html", event=event, form=form, preview=preview
    ), status


def _no_recipients() -> str:
    return _(
        "Nessun iscritto attivo corrisponde ai filtri scelti: nessun messaggio è stato inviato."
    )
