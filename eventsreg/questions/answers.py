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


#: Words of answers kept per set of frozen questions, at most (free texts vary without end).
MAX_REMEMBERED = 2000


def answers_summary_of(
    questions, answers: dict[int, object], memory: dict | None = None
) -> list[tuple[str, str]]:
    """*answers* (question id → stored value) as (question label, words), in the order of
    *questions* (all of the event's, in its order) and the current language.

    :param memory: where the words of single answers to these very questions are kept
        between calls (the frozen copies' ``words``): the same question, language and
        value always read the same, and most answers (a choice, yes or no) recur.
    """
    locale = current_locale()
    summary = []
    for question in questions:
        if question.id not in answers:
            continue
        value = answers[question.id]
        if memory is None or isinstance(value, (list, dict)):
            summary.append(_summary_line(question, value, locale))
            continue
        # The type too: True, 1 and 1.0 are equal keys, and may read differently.
        key = (question.id, locale, type(value), value)
        line = memory.get(key)
        if line is None:
            line = _summary_line(question, value, locale)
            if len(memory) < MAX_REMEMBERED:
                memory[key] = line
        summary.append(line)
    return summary


def _summary_line(question: Question, value, locale: str) -> tuple[str, str]:
    return question.text("label", locale), display_value(question, value)


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
