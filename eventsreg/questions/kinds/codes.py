"""Italian codes: VAT number, ATECO activity code, supply points (POD), primary substation.

A VAT number has a check digit: a wrong one is refused. The other codes have a usual
shape but no check: typed in that shape with spaces, dots or lower case, they are
normalised ("it 001 e 12345678" → "IT001E12345678", "256200" → "25.62.00"); typed in any
other way ("cabina Crema nord") they are kept exactly as written, trimmed, and shown
with a warning, so that what the person wrote is what the organiser reads.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from ... import validators
from ...events.models import QuestionKind
from .base import REMOVED, AnswerError, QuestionType, RunningCodes, RunningSummary, Summary
from .text import TEXT_MAX, validator_message

#: Most codes in one POD answer, and the length of the whole answer.
POD_TEXT_MAX = 20_000


def _typed(raw) -> str:
    if not isinstance(raw, str):
        raise AnswerError(_("Valore non valido."))
    if len(raw) > TEXT_MAX:
        raise AnswerError(_("Il testo è troppo lungo: al massimo %(n)d caratteri.", n=TEXT_MAX))
    return raw.strip()


class VatNumber(QuestionType):
    kind = QuestionKind.vat
    label = _l("Partita IVA")

    def field_options(self, question):
        return {"render_kw": {"inputmode": "numeric"}}

    def parse(self, question, raw, locale):
        try:
            return validators.normalize_vat_it(_typed(raw))
        except validators.InvalidValue as error:
            raise AnswerError(validator_message(error)) from None

    def cell(self, question, words):
        # Text, never a number: a leading zero must survive (00743110157).
        return str

    def anonymise(self, question, value, context):
        return REMOVED

    def example(self, question, rng):
        return validators.sample_vat_number(rng)


class Ateco(QuestionType):
    kind = QuestionKind.ateco
    label = _l("Codice ATECO")
    compared_across_contacts = True

    def parse(self, question, raw, locale):
        text = _typed(raw)
        try:
            return validators.normalize_ateco(text)
        except validators.InvalidValue:
            return text

    def warnings(self, question, value):
        if validators.ateco_looks_valid(value):
            return []
        return [validator_message(validators.InvalidValue("ateco_unusual"))]

    def running_summary(self, question):
        return RunningCodes()

    def example(self, question, rng):
        return rng.choice(("25.62.00", "22.29.09", "10.51.20", "49.41.00", "28.99.99"))


class Pod(QuestionType):
    """Supply points: one or more POD codes, one a line (or separated by commas)."""

    kind = QuestionKind.pod
    label = _l("Codici POD")
    compared_across_contacts = True

    def field_class(self, question):
        return TextAreaField

    def parse(self, question, raw, locale):
        if not isinstance(raw, str):
            raise AnswerError(_("Valore non valido."))
        if len(raw) > POD_TEXT_MAX:
            raise AnswerError(validator_message(validators.InvalidValue("pod_list_too_long")))
        return validators.read_pod_list(raw)

    def form_value(self, question, value, locale):
        return "\n".join(value)

    def display(self, question, value):
        return ", ".join(value)

    def warnings(self, question, value):
        return [
            validator_message(validators.InvalidValue("pod_unusual", code))
            for code in value
            if not validators.pod_looks_valid(code)
        ]

    def cell(self, question, words):
        return lambda value: ", ".join(value) if isinstance(value, list) else str(value)

    def anonymise(self, question, value, context):
        if not isinstance(value, list):
            return REMOVED
        # The same code keeps the same placeholder within the company, so that contacts
        # who gave different codes still disagree on the dashboard.
        pods = context.pods
        return [pods.setdefault(code, f"POD anonimo {len(pods) + 1}") for code in value]

    def running_summary(self, question):
        return RunningPods()

    def comparable(self, value):
        return tuple(sorted(value)) if isinstance(value, list) else value

    def example(self, question, rng):
        return [f"IT001E{rng.randrange(10**8):08d}" for _ in range(rng.randint(1, 3))]


class Substation(QuestionType):
    """The primary substation (cabina primaria) the supply points are connected to."""

    kind = QuestionKind.substation
    label = _l("Codice cabina primaria")
    compared_across_contacts = True

    def parse(self, question, raw, locale):
        return validators.read_substation_code(_typed(raw))

    def warnings(self, question, value):
        if code := validators.substation_code_warning(value):
            return [validator_message(validators.InvalidValue(code))]
        return []

    def running_summary(self, question):
        return RunningCodes()

    def example(self, question, rng):
        return f"AC001E{rng.randrange(10**5):05d}"


class RunningPods(RunningSummary):
    """Supply points given in all."""

    def __init__(self):
        self.count = 0

    def add(self, value, number: int) -> None:
        self.count += len(value) * number

    def summary(self) -> Summary:
        return Summary(count=self.count)
