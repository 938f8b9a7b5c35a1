"""Answers written in words: short and long text, email, phone, web address, date."""

from datetime import date, datetime, timedelta

from email_validator import EmailNotValidError
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from ... import validators
from ...events.models import QuestionKind
from ...forms import normalize_email
from .base import REMOVED, AnswerError, QuestionType

TEXT_MAX = 500
TEXTAREA_MAX = 5000


def validator_message(error: validators.InvalidValue) -> str:
    """The person-facing, translated message for a validator error."""
    message = _(validators.MESSAGES[error.code])
    detail = getattr(error, "detail", None)
    return message.format(value=detail) if detail and "{value}" in message else message


class Text(QuestionType):
    kind = QuestionKind.text
    label = _l("Testo breve")
    settings = ("max_length",)
    default_limit = TEXT_MAX

    def limit(self, question) -> int:
        return (question.settings or {}).get("max_length") or self.default_limit

    def parse(self, question, raw, locale):
        raw = super().parse(question, raw, locale)
        limit = self.limit(question)
        if len(raw) > limit:
            raise AnswerError(_("Il testo è troppo lungo: al massimo %(n)d caratteri.", n=limit))
        return raw

    def anonymise(self, question, value, context):
        return REMOVED

    def details(self, question):
        limit = (question.settings or {}).get("max_length")
        return _("al massimo %(n)s caratteri", n=limit) if limit else ""


class LongText(Text):
    kind = QuestionKind.textarea
    label = _l("Testo lungo")
    default_limit = TEXTAREA_MAX

    def field_class(self, question):
        return TextAreaField


class Email(QuestionType):
    kind = QuestionKind.email
    label = _l("Email")

    def field_options(self, question):
        return {"render_kw": {"type": "email", "inputmode": "email"}}

    def parse(self, question, raw, locale):
        try:
            return normalize_email(super().parse(question, raw, locale), lower=False)
        except EmailNotValidError:
            raise AnswerError(
                _("Inserire un indirizzo email valido, ad esempio nome@azienda.it.")
            ) from None

    def anonymise(self, question, value, context):
        return REMOVED

    def example(self, question, rng):
        return f"amministrazione{rng.randrange(10_000)}@pec.example.it"


class Phone(QuestionType):
    kind = QuestionKind.phone
    label = _l("Telefono")

    def field_options(self, question):
        return {"render_kw": {"type": "tel", "inputmode": "tel"}}

    def parse(self, question, raw, locale):
        try:
            return validators.normalize_phone(super().parse(question, raw, locale))
        except validators.InvalidValue as error:
            raise AnswerError(validator_message(error)) from None

    def anonymise(self, question, value, context):
        return REMOVED

    def example(self, question, rng):
        return f"+39 0373 {rng.randrange(100_000, 999_999)}"


class WebAddress(QuestionType):
    kind = QuestionKind.url
    label = _l("Indirizzo web")

    def field_options(self, question):
        return {"render_kw": {"inputmode": "url"}}

    def parse(self, question, raw, locale):
        raw = super().parse(question, raw, locale)
        if len(raw) > TEXT_MAX:
            raise AnswerError(_("Il testo è troppo lungo: al massimo %(n)d caratteri.", n=TEXT_MAX))
        if "://" not in raw:
            raw = "https://" + raw
        scheme, _sep, rest = raw.partition("://")
        host = rest.split("/", 1)[0]
        if scheme.lower() not in ("http", "https") or "." not in host or " " in raw:
            raise AnswerError(
                _("Inserire un indirizzo web valido, ad esempio https://www.azienda.it.")
            )
        return raw

    def anonymise(self, question, value, context):
        return REMOVED

    def example(self, question, rng):
        return f"https://www.azienda{rng.randrange(10_000)}.example.it"


class Date(QuestionType):
    kind = QuestionKind.date
    label = _l("Data")
    few_values = True
    #: Accepted writings; the day comes first, as in Italy and the UK.
    PATTERNS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")

    def field_options(self, question):
        return {"render_kw": {"inputmode": "numeric", "placeholder": "gg/mm/aaaa"}}

    def parse(self, question, raw, locale):
        raw = super().parse(question, raw, locale)
        for pattern in self.PATTERNS:
            try:
                return datetime.strptime(raw, pattern).date().isoformat()
            except ValueError:
                continue
        raise AnswerError(_("Inserire la data come gg/mm/aaaa, ad esempio 13/12/2022."))

    def form_value(self, question, value, locale):
        return date.fromisoformat(value).strftime("%d/%m/%Y")

    def display(self, question, value):
        return date.fromisoformat(value).strftime("%d/%m/%Y")

    def cell(self, question, words):
        def typed(value):
            try:
                return date.fromisoformat(value)
            except (TypeError, ValueError):
                return str(value)

        return typed

    def example(self, question, rng):
        return (date(2024, 1, 1) + timedelta(days=rng.randrange(1000))).isoformat()
