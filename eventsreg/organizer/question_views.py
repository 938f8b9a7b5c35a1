"""The question builder: an event's own questions, added, changed, ordered and removed."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from ..events.models import Event, Question
from ..extensions import db
from ..formatting import ngettext
from ..forms import BaseForm
from ..questions import builder as service
from ..questions.kinds import KINDS
from ..questions.library import QUESTIONNAIRES, add_questionnaire
from ..registrations import seats
from ..registrations.forms import RegistrationForm
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
    status = 400 if form.is_submitted() and not _refreshing() else 200
    return render_template(
        "organizer/question_form.html",
        form=form,
        event=event,
        question=question,
        possible_values=service.possible_values,
        kinds_using=lambda setting: [k.value for k, t in KINDS.items() if setting in t.settings],
        answers=service.answer_count(question) if question else 0,
        dependents=service.dependents(question) if question else [],
    ), status


def _refreshing() -> bool:
    """The organiser asked to see the settings of the kind or condition just chosen (the
    button pages offer without JavaScript): show the form again, save nothing."""
    return request.method == "POST" and "refresh" in request.form


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
        questionnaires=QUESTIONNAIRES.values(),
    )


@bp.post("/events/<slug>/questions/questionnaire")
def questionnaire_insert(slug: str):
    """Append a ready-made questionnaire (e.g. the energy-community one) to the form."""
    event = managed_event_or_404(slug)
    if not BaseForm().validate_on_submit():
        abort(400)
    questionnaire = QUESTIONNAIRES.get(request.form.get("questionnaire", ""))
    if questionnaire is None:
        abort(404)
    added = add_questionnaire(event, questionnaire)
    db.session.commit()
    flash(
        ngettext(
            "Aggiunta %(num)s domanda del questionario «%(title)s».",
            "Aggiunte %(num)s domande del questionario «%(title)s», in fondo al modulo.",
            len(added),
            title=questionnaire.title,
        ),
        "success",
    )
    return _to_list(event)


@bp.get("/events/<slug>/questions/preview")
def questions_preview(slug: str):
    """The registration form as people will see it, in Italian or English, also for a draft."""
    event = managed_event_or_404(slug)
    lang = request.args.get("lang", "it")
    if lang not in current_app.config["LANGUAGES"]:
        abort(404)
    with force_locale(lang):
        form = RegistrationForm.for_event(event, formdata=None)
        body = render_template(
            "organizer/form_preview.html",
            event=event,
            form=form,
            availability=seats.availability(event),
            preview_lang=lang,
        )
    return body


@bp.route("/events/<slug>/questions/new", methods=["GET", "POST"])
def question_new(slug: str):
    """Add a question at the end of the form."""
    event = managed_event_or_404(slug)
    form = QuestionForm(event=event)
    if not _refreshing() and form.validate_on_submit():
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
    if not _refreshing() and form.validate_on_submit():
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
            "Domanda «%(label)s» archiviata: non compare più nel modulo; le sue %(num)s risposte "
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
