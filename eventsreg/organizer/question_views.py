"""The question builder: an event's own questions, added, changed, ordered and removed."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..events.models import Event, Question
from ..extensions import db
from ..forms import BaseForm
from ..questions import builder as service
from ..questions.kinds import KINDS
from . import bp
from .auth import managed_event_or_404
from .question_forms import QuestionForm, form_data_for


def _question_or_404(event: Event, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.event_id != event.id:
        abort(404)
    return question


def _to_list(event: Event):
    return redirect(url_for(".questions", slug=event.slug), code=303)


def _render_form(form: QuestionForm, event: Event, question: Question | None = None):
    status = 400 if form.is_submitted() else 200
    return render_template(
        "organizer/question_form.html",
        form=form,
        event=event,
        question=question,
        possible_values=service.possible_values,
        answers=service.answer_count(question) if question else 0,
        dependents=service.dependents(question) if question else [],
    ), status


@bp.get("/events/<slug>/questions")
def questions(slug: str):
    """The event's own questions, in the order the form asks them, and the archived ones."""
    event = managed_event_or_404(slug)
    return render_template(
        "organizer/questions.html",
        event=event,
        active=service.ordered(event),
        archived=[q for q in event.questions if q.is_archived],
        counts=service.answer_counts(event),
        kinds=KINDS,
    )


@bp.route("/events/<slug>/questions/new", methods=["GET", "POST"])
def question_new(slug: str):
    """Add a question at the end of the form."""
    event = managed_event_or_404(slug)
    form = QuestionForm(event=event)
    if form.validate_on_submit():
        try:
            question = service.add_question(event, **form.values())
        except service.QuestionError as error:
            form.add_errors(error)
        else:
            flash(
                _("Domanda «%(label)s» aggiunta in fondo al modulo.", label=question.label),
                "success",
            )
            return _to_list(event)
    return _render_form(form, event)


@bp.route("/events/<slug>/questions/<int:question_id>/edit", methods=["GET", "POST"])
def question_edit(slug: str, question_id: int):
    """Change a question."""
    event = managed_event_or_404(slug)
    question = _question_or_404(event, question_id)
    if question.is_archived:
        flash(_("La domanda è archiviata: ripristinala per modificarla."), "error")
        return _to_list(event)
    data = None if request.method == "POST" else form_data_for(question)
    form = QuestionForm(event=event, question=question, data=data)
    if form.validate_on_submit():
        try:
            service.update_question(question, **form.values())
        except service.QuestionError as error:
            form.add_errors(error)
        else:
            flash(_("Domanda «%(label)s» salvata.", label=question.label), "success")
            return _to_list(event)
    return _render_form(form, event, question)


@bp.post("/events/<slug>/questions/<int:question_id>/move")
def question_move(slug: str, question_id: int):
    """Move a question one place up or down."""
    event = managed_event_or_404(slug)
    question = _question_or_404(event, question_id)
    if not BaseForm().validate_on_submit():
        abort(400)
    try:
        service.move_question(question, request.form.get("direction", ""))
    except service.QuestionError as error:
        flash(error.message, "error")
    return _to_list(event)


@bp.post("/events/<slug>/questions/<int:question_id>/remove")
def question_remove(slug: str, question_id: int):
    """Remove a question after confirmation: archived if it has answers, else deleted."""
    event = managed_event_or_404(slug)
    question = _question_or_404(event, question_id)
    if not BaseForm().validate_on_submit():
        abort(400)
    if request.form.get("confirm") != "yes":
        flash(_("Per togliere la domanda conferma spuntando la casella."), "error")
        return redirect(url_for(".question_edit", slug=event.slug, question_id=question.id), 303)
    label = question.label
    removal = service.remove_question(question)
    if removal.archived:
        message = ngettext(
            "Domanda «%(label)s» archiviata: non compare più nel modulo; la sua risposta resta "
            "nelle esportazioni. Puoi ripristinarla da questa pagina.",
            "Domanda «%(label)s» archiviata: non compare più nel modulo; le sue %(num)d risposte "
            "restano nelle esportazioni. Puoi ripristinarla da questa pagina.",
            removal.answers,
            label=label,
        )
        flash(message, "success")
    else:
        flash(_("Domanda «%(label)s» eliminata: non aveva risposte.", label=label), "success")
    if removal.unlinked:
        message = ngettext(
            "Attenzione: %(names)s dipendeva da questa domanda e ora è mostrata a tutti. Se "
            "serve, dalle una nuova condizione.",
            "Attenzione: %(names)s dipendevano da questa domanda e ora sono mostrate a tutti. "
            "Se serve, dai loro una nuova condizione.",
            len(removal.unlinked),
            names=service.quoted(removal.unlinked),
        )
        flash(message, "warning")
    return _to_list(event)


@bp.post("/events/<slug>/questions/<int:question_id>/restore")
def question_restore(slug: str, question_id: int):
    """Ask an archived question again, at the end of the form."""
    event = managed_event_or_404(slug)
    question = _question_or_404(event, question_id)
    if not BaseForm().validate_on_submit():
        abort(400)
    if question.is_archived:
        service.restore_question(question)
        flash(
            _("Domanda «%(label)s» ripristinata in fondo al modulo.", label=question.label),
            "success",
        )
    return _to_list(event)
