"""The registry of question kinds: ``kind_of(question)`` is how the service asks about one.

Adding a kind is one class (in a module of this package, or a new one) plus its value in
``QuestionKind`` and its tests: everything else asks the registry.
"""

from ...events.models import Question, QuestionKind
from .base import (
    REMOVED,
    AnonymiseContext,
    AnswerError,
    NeedsReading,
    NumberSummary,
    OptionCount,
    QuestionType,
    RunningSummary,
    Summary,
)
from .choices import Choice, Declaration, MultiCheckboxField, MultiChoice, YesNo, yes_no
from .codes import Ateco, Pod, Substation, VatNumber
from .numbers import Number, Year, as_decimal
from .supply import SupplyPoints
from .text import Date, Email, LongText, Phone, Text, WebAddress, validator_message

#: Every kind, in the order the question builder offers them.
KINDS: dict[QuestionKind, QuestionType] = {
    kind_type.kind: kind_type()
    for kind_type in (
        Text,
        LongText,
        Number,
        Year,
        Choice,
        MultiChoice,
        YesNo,
        Declaration,
        Date,
        Email,
        Phone,
        WebAddress,
        VatNumber,
        Ateco,
        Pod,
        Substation,
        SupplyPoints,
    )
}


def kind_of(question: Question) -> QuestionType:
    """The behaviour of *question*'s kind."""
    return KINDS[question.kind]


__all__ = [
    "KINDS",
    "REMOVED",
    "AnonymiseContext",
    "AnswerError",
    "MultiCheckboxField",
    "NeedsReading",
    "NumberSummary",
    "RunningSummary",
    "OptionCount",
    "QuestionType",
    "Summary",
    "as_decimal",
    "kind_of",
    "validator_message",
    "yes_no",
]
