"""The event editor: create, edit, duplicate, publish, close registration, cancel."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..events import editing, services
from ..forms import BaseForm
from ..markdown import render_markdown
from ..registrations import seats
from ..registrations.errors import CapacityBelowTaken
from . import bp
from .auth import managed_event_or_404
from .event_forms import EventForm, form_data_for


def _render_editor(form: EventForm, event=None):
    preview = render_markdown(form.description.data) if form.description.data else None
    status = 400 if form.is_submitted() and form.errors else 200
    return render_template(
        "organizer/event_form.html", form=form, event=event, preview=preview
    ), status


@bp.route("/events/new", methods=["GET", "POST"])
def event_new():
    """Create an event (as a draft)."""
    form = EventForm()
    if request.method == "GET":
        form.privacy_notice.data = ""
    if form.validate_on_submit() and "preview" not in request.form:
        event = editing.create_event(form.values(), current_user._get_current_object())
        flash(
            _("Evento creato come bozza. Aggiungi le domande e pubblicalo quando è pronto."),
            "success",
        )
        return redirect(url_for(".dashboard", slug=event.slug), code=303)
    return _render_editor(form)


@bp.route("/events/<slug>/edit", methods=["GET", "POST"])
def event_edit(slug: str):
    """Edit an event; moving it sends registrants an updated invitation."""
    event = managed_event_or_404(slug)
    form = EventForm(event=event, data=None if request.method == "POST" else form_data_for(event))
    if form.validate_on_submit() and "preview" not in request.form:
        values = form.values()
        try:
            # Seats first: changing them takes the event's lock, which begins the
            # transaction that the editor's other changes then join.
            seats.change_capacity(event, values.pop("capacity"))
        except CapacityBelowTaken as error:
            form.capacity.errors.append(
                _(
                    "Ci sono già %(n)d persone confermate in presenza: i posti non possono essere "
                    "meno.",
                    n=error.taken,
                )
            )
        else:
            if editing.update_event(event, values):
                flash(_("Modifiche salvate. Gli iscritti ricevono l'invito aggiornato."), "success")
            else:
                flash(_("Modifiche salvate."), "success")
            return redirect(url_for(".event_edit", slug=event.slug), code=303)
    return _render_editor(form, event)


@bp.post("/events/<slug>/<action>")
def event_action(slug: str, action: str):
    """Publish, unpublish, duplicate, close or reopen registration, cancel."""
    event = managed_event_or_404(slug)
    if not BaseForm().validate_on_submit():
        abort(400)
    if action == "publish":
        editing.set_published(event, True)
        flash(_("Evento pubblicato."), "success")
    elif action == "unpublish":
        editing.set_published(event, False)
        flash(_("Evento riportato in bozza: non è più visibile al pubblico."), "success")
    elif action == "close":
        editing.set_registration_closed(event, True)
        flash(_("Iscrizioni chiuse."), "success")
    elif action == "reopen":
        editing.set_registration_closed(event, False)
        flash(_("Iscrizioni riaperte."), "success")
    elif action == "cancel":
        if request.form.get("confirm") != "yes":
            flash(_("Per annullare l'evento conferma spuntando la casella."), "error")
            return redirect(url_for(".event_edit", slug=event.slug), code=303)
        services.cancel_event(event)
        flash(_("Evento annullato. Gli iscritti ricevono l'annullamento."), "success")
    elif action == "duplicate":
        copy = editing.duplicate_event(event, current_user._get_current_object())
        flash(_("Copia creata come bozza: aggiorna date e testi."), "success")
        return redirect(url_for(".event_edit", slug=copy.slug), code=303)
    else:
        abort(404)
    return redirect(url_for(".event_edit", slug=event.slug), code=303)
