"""A registration's answers read back: as words, as the form shows them, with warnings."""

from flask_babel import gettext as _

from ..events.models import Question
from ..translated import current_locale
from .kinds import kind_of


def _given(value) -> bool:
    return value is not None and value != [] and value != ""


def display_value(question: Question, value) -> str:
    """A stored answer as words for a page or an email, in the current language."""
    return kind_of(question).display(question, value) if _given(value) else "—"


def form_value(question: Question, value):
    """A stored answer turned back into what the field shows (for editing)."""
    if value is None:
        return None
    return kind_of(question).form_value(question, value, current_locale())


def condition_labels(question: Question, values: list) -> str:
    """The answers of *question* that a condition names, as words: "«Sì» o «No»"."""
    options = dict(kind_of(question).condition_options(question))
    quoted = [f"«{options.get(value, value)}»" for value in values]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " " + _("o") + " " + quoted[-1]


def answers_summary(registration) -> list[tuple[str, str]]:
    """The answers given, as (question label, words), in the event's order and language."""
    return answers_summary_of(registration.event.questions, registration.answers_by_question())


def answers_summary_of(questions, answers: dict[int, object]) -> list[tuple[str, str]]:
    """*answers* (question id → stored value) as (question label, words), in the order of
    *questions* (all of the event's, in its order) and the current language."""
    locale = current_locale()
    return [
        (question.text("label", locale), display_value(question, answers[question.id]))
        for question in questions
        if question.id in answers
    ]


def answer_warnings(registration) -> list[tuple[str, str]]:
    """Answers accepted but worth a second look (a code in an unusual shape), as
    (question label, message)."""
    answers = registration.answers_by_question()
    return [
        (question.text("label"), message)
        for question in registration.event.questions
        if _given(answers.get(question.id))
        for message in kind_of(question).warnings(question, answers[question.id])
    ]
