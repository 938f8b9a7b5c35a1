"""The event editor: create (blank, from a previous edition or from an event type), edit,
duplicate, publish, close registration, cancel."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..events import editing, services
from ..events.models import Event
from ..extensions import db
from ..forms import BaseForm
from ..markdown import render_markdown
from ..questions.library import add_questionnaire
from ..registrations import seats
from ..registrations.errors import CapacityBelowTaken
from . import bp
from .auth import managed_event_or_404, managed_events_query
from .event_forms import SLUG_RE, EventForm, form_data_for, form_data_for_new_edition
from .event_types import EVENT_TYPES, EventType
from .privacy_notice import missing_settings, suggested_notice


def _render_editor(form: EventForm, event=None, source=None, **start):
    """The editor; a new event's also says where it may start (*start*'s values)."""
    preview = render_markdown(form.description.data) if form.description.data else None
    status = 400 if form.is_submitted() and form.errors else 200
    return render_template(
        "organizer/event_form.html",
        form=form,
        event=event,
        source=source,
        preview=preview,
        **start,
    ), status


class _NoSuchStart(Exception):
    """The new-event page was asked to start from something that is not there."""


def _chosen_start() -> tuple[Event | None, EventType | None]:
    """What the new event starts from, as the page's query says: a previous edition
    (``?from=<slug>``, one of the organiser's events), an event type (``?type=<key>``) or
    nothing (a blank event)."""
    if "from" in request.args:
        slug = request.args["from"]
        source = None
        if SLUG_RE.match(slug) and len(slug) <= 120:
            source = db.session.scalar(managed_events_query().where(Event.slug == slug))
        if source is None:
            raise _NoSuchStart(_("L'evento da copiare non esiste o non è tra quelli che gestisci."))
        return source, None
    if "type" in request.args:
        event_type = EVENT_TYPES.get(request.args["type"])
        if event_type is None:
            raise _NoSuchStart(_("Questo tipo di evento non esiste: scegline uno dall'elenco."))
        return None, event_type
    return None, None


def _starting_data(source: Event | None, event_type: EventType | None) -> tuple[dict, dict]:
    """The editor's values for a new event: the previous edition's, the type's, or the
    defaults; with the suggested privacy notices where the start has none. Also the
    notices suggested, by field name."""
    if source is not None:
        data, interest = form_data_for_new_edition(source), source.allows_interest_only
    elif event_type is not None:
        data, interest = dict(event_type.form_data), event_type.collects_interest
    else:
        data, interest = {}, True
    suggested = {}
    for name, locale in (("privacy_notice", "it"), ("privacy_notice_en", "en")):
        if not data.get(name):
            data[name] = suggested[name] = suggested_notice(
                current_app.config, locale, interest=interest
            )
    return data, suggested


@bp.route("/events/new", methods=["GET", "POST"])
def event_new():
    """Create an event (as a draft): blank, from a previous edition or from an event type."""
    try:
        source, event_type = _chosen_start()
    except _NoSuchStart as error:
        flash(str(error), "error")
        return redirect(url_for(".event_new"), code=303)
    data, suggested = _starting_data(source, event_type)
    form = EventForm(
        data=None if request.method == "POST" else data,
        suggested_notice_en=suggested.get("privacy_notice_en", ""),
    )
    if form.validate_on_submit() and "preview" not in request.form:
        event = editing.draft_event(form.values(), current_user._get_current_object())
        if source is not None:
            editing.copy_questions(source, event)
        if event_type is not None and event_type.questionnaire is not None:
            add_questionnaire(event, event_type.questionnaire)
        db.session.commit()
        flash(_created_message(source, event_type), "success")
        return redirect(url_for(".dashboard", slug=event.slug), code=303)
    return _render_editor(
        form,
        source=source,
        event_type=event_type,
        sources=db.session.scalars(managed_events_query()).all(),
        event_types=EVENT_TYPES.values(),
        # Named only where the page wrote the Italian notice from them.
        missing_settings=missing_settings(current_app.config)
        if "privacy_notice" in suggested
        else [],
    )


def _created_message(source: Event | None, event_type: EventType | None) -> str:
    if source is not None:
        return _(
            "Evento creato come bozza da «%(title)s», con le sue domande e senza iscrizioni. "
            "Controlla i testi e pubblicalo quando è pronto.",
            title=source.title,
        )
    if event_type is not None and event_type.questionnaire is not None:
        return _(
            "Evento creato come bozza con il questionario «%(title)s». Completa le parti tra "
            "parentesi quadre e pubblicalo quando è pronto.",
            title=event_type.questionnaire.title,
        )
    if event_type is not None:
        return _(
            "Evento creato come bozza. Completa le parti tra parentesi quadre, aggiungi le "
            "domande e pubblicalo quando è pronto."
        )
    return _("Evento creato come bozza. Aggiungi le domande e pubblicalo quando è pronto.")


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
