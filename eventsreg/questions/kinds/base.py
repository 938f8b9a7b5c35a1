"""What every kind of question knows about itself: the base class of the registry.

One subclass per kind (``QuestionKind``) owns everything about that kind's answers: the
form field and how typed text becomes the stored value (in the page's language), how the
value reads on pages and in emails, its spreadsheet cell and header, its place in the
personal-data download, what anonymisation leaves of it, its dashboard summary and the
answers a condition may test. Callers ask :func:`eventsreg.questions.kinds.kind_of`;
nothing else looks at ``question.kind``.
"""

from __future__ import annotations

import functools
import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from wtforms import StringField

from ...events.models import Question, QuestionKind
from ...translated import current_locale

#: Plausible free-text answers for demo and benchmark data ("" is an empty answer).
SAMPLE_TEXTS = (
    "Vorremmo capire come si ripartisce l'incentivo tra i membri.",
    "Abbiamo un capannone con copertura in amianto da bonificare.",
    "Interessati soprattutto se il tetto può essere dato in uso alla comunità.",
    "Parteciperà anche il nostro responsabile tecnico.",
    "",
)

#: What replaces a free-text answer (or an email, phone, web address, VAT number) when a
#: registration is anonymised.
REMOVED = "[dato rimosso]"


class AnswerError(ValueError):
    """What a person typed cannot be an answer; the message says why, in their language."""


class NeedsReading(AnswerError):
    """The text means two different numbers in the two conventions: the person chooses.

    ``values`` are the two numbers, the page language's reading first. ``readings``, the
    (value, words) pairs offered, and the message are worded only when asked for: most
    often the page's convention decides and nothing is shown.

    :param explain: returns (message, readings).
    """

    def __init__(
        self,
        values: list[Decimal],
        explain: Callable[[], tuple[str, list[tuple[Decimal, str]]]],
    ):
        super().__init__()
        self.values = values
        self._explain = explain

    @functools.cached_property
    def _explained(self) -> tuple[str, list[tuple[Decimal, str]]]:
        return self._explain()

    @property
    def readings(self) -> list[tuple[Decimal, str]]:
        return self._explained[1]

    def __str__(self) -> str:
        return self._explained[0]


@dataclass
class OptionCount:
    value: object
    label: str
    count: int
    percent: Decimal


@dataclass
class NumberSummary:
    total: Decimal
    average: Decimal
    minimum: Decimal
    maximum: Decimal
    count: int
    unit: str


@dataclass
class Summary:
    """An answer set summed up for the dashboard, in the shape that suits its kind."""

    #: Share of each option (choices, yes/no, years).
    options: list[OptionCount] | None = None
    #: Several options may be ticked: shares do not add up to 100.
    multiple: bool = False
    numbers: NumberSummary | None = None
    #: Codes given in all (supply points).
    count: int | None = None
    #: The distinct codes given (substations, ATECO).
    codes: list[str] = field(default_factory=list)


@dataclass
class AnonymiseContext:
    """What anonymising one company's answers shares across them."""

    #: The same POD code keeps the same placeholder within the company.
    pods: dict[str, str] = field(default_factory=dict)


class QuestionType:
    """Base class: the behaviour shared by most kinds. Subclasses override what differs."""

    kind: QuestionKind
    #: The kind's name in the question builder.
    label: str
    #: Builder settings the kind uses: "choices", "unit", "min", "max", "integer",
    #: "max_length".
    settings: tuple[str, ...] = ()
    #: Another question may be shown depending on this one's answer.
    can_be_condition = False
    #: Several options may be chosen (conditions say "among the answers").
    multiple_answers = False
    #: Two contacts of one company giving different values is worth telling the organiser
    #: (the value is summed or mapped).
    compared_across_contacts = False
    #: Answers come from a few values: exports remember each cell's text.
    few_values = False
    #: The organiser's registrations list can filter by this question's answer.
    filterable = False
    #: Answers are stored as JSON numbers, written to cells as numbers.
    numeric = False

    # -- the form ---------------------------------------------------------------------------

    def field_class(self, question: Question):
        return StringField

    def field_options(self, question: Question) -> dict:
        """Extra keyword arguments of the WTForms field (choices, widget settings)."""
        return {}

    def is_empty(self, raw) -> bool:
        return raw is None or raw is False or raw == "" or raw == []

    def required_message(self, question: Question) -> str:
        return _("Rispondere a questa domanda.")

    def parse(self, question: Question, raw, locale: str):
        """The value to store for *raw* (not empty), typed in *locale*.

        :raises AnswerError: with the message to show next to the field.
        """
        if not isinstance(raw, str):
            raise AnswerError(_("Valore non valido."))
        return raw

    def form_value(self, question: Question, value, locale: str):
        """A stored value as the field shows it again for editing."""
        return value

    def condition_keys(self, raw) -> set[str]:
        """What a condition on this question compares with, from the field's raw data."""
        if isinstance(raw, list):
            return {str(value) for value in raw}
        return {str(raw)} if raw not in (None, False, "") else set()

    def condition_options(self, question: Question) -> list[tuple[str, str]]:
        """(value, words) of the answers a condition on *question* may name."""
        return []

    # -- reading it -------------------------------------------------------------------------

    def display(self, question: Question, value) -> str:
        """The stored *value* as words for pages and emails, in the current language."""
        return str(value)

    def warnings(self, question: Question, value) -> list[str]:
        """Messages about an accepted answer worth a second look (an unusual code)."""
        return []

    def details(self, question: Question) -> str:
        """The kind's settings in words, for the builder's list of questions."""
        return ""

    # -- spreadsheets and the data download -------------------------------------------------

    def header(self, question: Question, locale: str | None = None) -> str:
        """The column header: the question's label (with its unit, for measures)."""
        return question.text("label", locale)

    def cell(self, question: Question, words: dict[str, str]) -> Callable:
        """A function turning a stored value (never empty) into a typed cell: text, int,
        float or date. *words* holds the translated "yes" and "no"."""
        return str

    def data(self, question: Question, value) -> dict:
        """The answer in the personal-data download: as stored and as read."""
        return {"value": value, "text": self.display(question, value)}

    # -- privacy ----------------------------------------------------------------------------

    def anonymise(self, question: Question, value, context: AnonymiseContext):
        """What is left of *value* once its registration is anonymised (kept by default:
        summed up, it describes a company's activity and plant, not a person)."""
        return value

    # -- the dashboard ----------------------------------------------------------------------

    def summarise(self, question: Question, counted: list[tuple[object, int]]) -> Summary:
        """The answers of the companies (one value each, none empty) summed up. They come
        counted: each distinct value once, with the number of companies that gave it."""
        running = self.running_summary(question)
        if running is None:
            return Summary()
        for value, number in counted:
            running.add(value, number)
        return running.summary()

    def running_summary(self, question: Question) -> RunningSummary | None:
        """For kinds whose answers take many distinct values (amounts, codes): a summary
        kept up to date as values are counted in and out, so that a change costs one
        value, not all of them. None: summed up from the counted values each time."""
        return None

    def comparable(self, value):
        """*value* as compared between two contacts of one company."""
        return value

    # -- filters ----------------------------------------------------------------------------

    def filter_options(self, question: Question) -> list[tuple[str, str]]:
        return []

    def filter_value(self, question: Question, raw: str):
        """The stored value a filter's choice stands for, or None when it is not one."""
        return None

    def filter_matches(self, stored_text, value):
        """SQL: the answer, as stored JSON text, matches the filter's *value*. JSON has no
        portable equality (PostgreSQL has no json = json): the stored text is compared
        with the text SQLAlchemy writes for the value."""
        return stored_text == json.dumps(value)

    def filter_accepts(self, stored, value) -> bool:
        """Python: what :meth:`filter_matches` says in SQL, of a stored value as read."""
        return json.dumps(stored) == json.dumps(value)

    # -- the question builder ---------------------------------------------------------------

    def check_settings(self, choices: list[dict], settings: dict) -> dict[str, str]:
        """Builder fields whose values this kind refuses, as field → message."""
        return {}

    # -- demo data --------------------------------------------------------------------------

    def example(self, question: Question, rng: random.Random):
        """A plausible stored answer, for demo and benchmark data."""
        return rng.choice(SAMPLE_TEXTS)


class RunningSummary:
    """A question's summary kept while its values are counted in (*number* > 0) and out
    (*number* < 0)."""

    def add(self, value, number: int) -> None:
        raise NotImplementedError

    def summary(self) -> Summary:
        raise NotImplementedError


class RunningCodes(RunningSummary):
    """The distinct codes given, in order (sorted again only when one comes or goes)."""

    def __init__(self):
        self.counts: Counter = Counter()
        self._sorted: list[str] | None = []

    def add_code(self, code, number: int) -> None:
        before = self.counts[code]
        after = self.counts[code] = before + number
        if not after:
            del self.counts[code]
        if not before or not after:
            self._sorted = None

    def add(self, value, number: int) -> None:
        self.add_code(value, number)

    def codes(self) -> list[str]:
        if self._sorted is None:
            self._sorted = sorted(self.counts)
        return self._sorted

    def summary(self) -> Summary:
        return Summary(codes=list(self.codes()))


def respondents(counted) -> int:
    """How many companies gave the *counted* values ((value, number) pairs)."""
    return sum(number for _value, number in counted)


def tally(counted) -> Counter:
    """A Counter of (value, number) pairs, equal values added up."""
    result: Counter = Counter()
    for value, number in counted:
        result[value] += number
    return result


def options_summary(
    offered: list[tuple[object, str]], counter: Counter, base: int, *, multiple: bool = False
) -> Summary:
    """Shares of each offered value in order, then of any value no longer offered."""
    known = {value for value, _label in offered}
    extra = sorted((v for v in counter if v not in known), key=str)
    rows = [*offered, *((value, str(value)) for value in extra)]
    return Summary(
        options=[
            OptionCount(
                value=value,
                label=label,
                count=counter[value],
                percent=round(Decimal(100 * counter[value]) / base, 1) if base else Decimal(0),
            )
            for value, label in rows
        ],
        multiple=multiple,
    )


def locale_now() -> str:
    return current_locale()
