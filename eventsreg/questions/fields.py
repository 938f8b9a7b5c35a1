"""An event's questions as form fields, in the page's language.

Each kind builds its field and parses its answers (see :mod:`.kinds`); this module ties
them into WTForms: the validator that keeps the parsed value on the field, and the way a
number typed ambiguously is asked about (two readings to choose from, without script).

When is a number ambiguous enough to ask? "1.500" is 1500 to an Italian and 1.5 to an
English writer. The page's language is a good guide when the visitor's browser writes
numbers the same way; when the browser prefers a language that writes them the other way
(an English browser on the Italian page), the language alone is a weak guide, and the
form asks rather than guess.
"""

from decimal import Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel.numbers import get_decimal_symbol
from flask import has_request_context, request
from flask_babel import gettext as _
from wtforms.validators import StopValidation, ValidationError

from ..events.models import Question
from ..translated import current_locale
from .kinds import AnswerError, NeedsReading, kind_of
from .kinds.numbers import stored_number

#: Suffix of the form key carrying the reading a person chose for an ambiguous number.
READING_SUFFIX = "-reading"


class ReadingChoice:
    """The readings offered for an ambiguous number, and the one chosen, if any."""

    def __init__(self, readings: list[tuple[Decimal, str]], chosen: str | None):
        self.readings = readings
        self.chosen = chosen


def build_field(question: Question, locale: str | None = None):
    """An unbound WTForms field asking *question*, worded in *locale*."""
    locale = locale or current_locale()
    kind = kind_of(question)
    field_class = kind.field_class(question)
    return field_class(
        label=question.text("label", locale),
        description=question.text("help_text", locale),
        validators=[QuestionValidator(question)],
        **kind.field_options(question),
    )


def chosen_reading(field) -> str | None:
    """The reading of an ambiguous number the person picked, from the submitted form."""
    formdata = getattr(field, "submitted", None)
    if formdata is None:
        return None
    return formdata.get(field.name + READING_SUFFIX)


class QuestionValidator:
    """Checks one answer against its question and keeps the parsed value on the field.

    A question whose condition is not met is skipped entirely: its answer is neither
    required nor stored. The form clears any other error such a field collected.
    """

    def __init__(self, question: Question):
        self.question = question
        self.field_flags = {"required": question.is_required}

    def __call__(self, form, field):
        field.parsed = None
        field.reading = None
        if not form.is_visible(self.question):
            raise StopValidation()
        kind = kind_of(self.question)
        raw = field.data
        if kind.is_empty(raw):
            if self.question.is_required:
                raise StopValidation(kind.required_message(self.question))
            return
        try:
            locale = getattr(form, "validation_locale", None) or current_locale()
            field.parsed = kind.parse(self.question, raw, locale)
        except NeedsReading as ambiguous:
            chosen = form.reading_of(field)
            picked = _picked(ambiguous.values, chosen)
            if picked is None and not page_convention_is_doubtful():
                picked = ambiguous.values[0]
            if picked is None:
                field.reading = ReadingChoice(ambiguous.readings, chosen)
                raise ValidationError(str(ambiguous)) from None
            field.parsed = stored_number(picked)
        except AnswerError as error:
            raise ValidationError(str(error)) from None


def _picked(values: list[Decimal], chosen: str | None) -> Decimal | None:
    """The reading *chosen* names, if it is one of *values* (of the text as it is now)."""
    if not chosen:
        return None
    try:
        wanted = Decimal(chosen)
    except (InvalidOperation, ValueError):
        return None
    return next((value for value in values if value == wanted), None)


def page_convention_is_doubtful() -> bool:
    """Whether the visitor's browser writes decimals otherwise than the page's language."""
    if not has_request_context() or not request.accept_languages:
        return False
    try:
        browser = Locale.parse(request.accept_languages.best.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return False
    return get_decimal_symbol(browser) != get_decimal_symbol(current_locale())


def reading_legend() -> str:
    return _("Quale numero intendi?")
