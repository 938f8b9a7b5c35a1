"""An event's questions kept between requests, per event version.

Every registration form of an event asks the same questions until an organiser changes
them (or the event): reading them and building their form fields on every request is
repeated work. This module keeps, per process, plain copies of an event's questions
keyed by the event's version (``events.kept``: any change to one of its questions moves
the event's version too). The copies belong to no database session: they are read, never
written, and a commit elsewhere does not expire them.
"""

import copy

import sqlalchemy as sa

from ..events.kept import kept, version
from ..events.models import Event, Question

_COLUMNS = tuple(attr.key for attr in sa.inspect(Question).column_attrs)


def questions(event: Event) -> "FrozenQuestions":
    """*event*'s questions as plain copies (read once per event version)."""
    return kept("questions", version(event), lambda: FrozenQuestions(event))


class FrozenQuestion:
    """A question as it was read for one version of its event: its columns as plain
    attributes, the question it depends on, and the methods of :class:`Question` that read
    them. A form, its validation and a summary read these attributes hundreds of times a
    request (an organiser's summary, millions of times): a mapped copy would pay the ORM's
    bookkeeping on each read. Never written."""

    __slots__ = (*_COLUMNS, "condition_question")

    field_name = Question.field_name
    choice_values = Question.choice_values
    options = Question.options
    choice_label = Question.choice_label
    text = Question.text
    translation = Question.translation
    __repr__ = Question.__repr__


class FrozenQuestions:
    """Copies of an event's questions: ``all`` in the event's order, ``active`` those asked."""

    def __init__(self, event: Event):
        copies = {}
        for question in event.questions:
            twin = FrozenQuestion()
            for key in _COLUMNS:
                setattr(twin, key, copy.deepcopy(getattr(question, key)))
            twin.condition_question = None
            copies[question.id] = twin
        for twin in copies.values():
            if twin.condition_question_id is not None:
                twin.condition_question = copies.get(twin.condition_question_id)
        self.all: tuple[FrozenQuestion, ...] = tuple(copies.values())
        #: Every column of every question: equal when nothing about the questions changed.
        self.contents = tuple(tuple(getattr(q, key) for key in _COLUMNS) for q in self.all)
        self.active: tuple[FrozenQuestion, ...] = tuple(q for q in self.all if not q.is_archived)
        #: Per question id, what decides whether it applies (see :func:`condition_chain`).
        self.conditions = {q.id: condition_chain(q) for q in self.all}
        #: The words of answers to these questions, as summaries write them (filled by
        #: ``answers.answers_summary_of``).
        self.words: dict = {}


def condition_chain(question: FrozenQuestion) -> tuple | None:
    """What must hold for *question* to apply, worked out once per event version: for it
    and each question it depends on in turn, the field of the question depended on, that
    question, and the answers (as the kind's condition keys) that show the next one. The
    chain stops at a question depended on that is archived or gone (what it asked no
    longer hides anything). None for a cycle, a configuration error: never shown."""
    chain, seen = [], set()
    while question.condition_question_id is not None:
        if question.id in seen:
            return None
        seen.add(question.id)
        parent = question.condition_question
        if parent is None or parent.is_archived:
            break
        allowed = frozenset(str(value) for value in question.condition_values)
        chain.append((parent.field_name, parent, allowed))
        question = parent
    return tuple(chain)
