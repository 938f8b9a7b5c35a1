"""An event's own questions as form fields: building, visibility, and reading answers back."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from email_validator import EmailNotValidError
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from .. import validators
from ..events.models import Question, QuestionKind
from ..formatting import number
from ..forms import normalize_email

YES_NO = {"yes": _l("Sì"), "no": _l("No")}
TEXT_MAX = 500
TEXTAREA_MAX = 5000


class MultiCheckboxField(SelectMultipleField):
    """Several tick boxes; used for multiple-choice questions."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def build_field(question: Question):
    """An unbound WTForms field asking *question*."""
    kwargs = {
        "label": question.label,
        "description": question.help_text,
        "validators": [QuestionValidator(question)],
    }
    kind = question.kind
    if kind is QuestionKind.choice:
        return RadioField(choices=_select_choices(question), validate_choice=False, **kwargs)
    if kind is QuestionKind.yesno:
        choices = [SelectChoice(value, label) for value, label in YES_NO.items()]
        return RadioField(choices=choices, validate_choice=False, **kwargs)
    if kind is QuestionKind.multichoice:
        return MultiCheckboxField(
            choices=_select_choices(question), validate_choice=False, **kwargs
        )
    if kind is QuestionKind.checkbox:
        return BooleanField(**kwargs)
    if kind in (QuestionKind.textarea, QuestionKind.pod):
        return TextAreaField(**kwargs)
    return StringField(**kwargs)


def _select_choices(question: Question) -> list[SelectChoice]:
    return [SelectChoice(c["value"], c["label"]) for c in question.choices]


def is_empty(raw) -> bool:
    return raw is None or raw is False or raw == "" or raw == []


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
        if not form.is_visible(self.question):
            raise StopValidation()
        raw = field.data
        if is_empty(raw):
            if self.question.is_required:
                message = (
                    _("Spunta questa casella per proseguire.")
                    if self.question.kind is QuestionKind.checkbox
                    else _("Rispondi a questa domanda.")
                )
                raise StopValidation(message)
            return
        field.parsed = parse_answer(self.question, raw)


def _choice_values(question: Question) -> set[str]:
    return {c["value"] for c in question.choices}


def _number(question: Question, raw: str):
    settings = question.settings or {}
    value = validators.parse_decimal_it(raw, unit=settings.get("unit"))
    if settings.get("integer") and value != value.to_integral_value():
        raise ValidationError(_("Scrivi un numero intero, senza decimali."))
    lo, hi = settings.get("min"), settings.get("max")
    unit = settings.get("unit", "")
    if lo is not None and value < Decimal(str(lo)):
        raise ValidationError(_("Il valore minimo è %(min)s %(unit)s.", min=lo, unit=unit).strip())
    if hi is not None and value > Decimal(str(hi)):
        raise ValidationError(_("Il valore massimo è %(max)s %(unit)s.", max=hi, unit=unit).strip())
    return int(value) if value == value.to_integral_value() else float(value)


def _date(raw: str) -> str:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(raw, pattern).date().isoformat()
        except ValueError:
            continue
    raise ValidationError(_("Scrivi la data come gg/mm/aaaa, ad esempio 13/12/2022."))


def _email(raw: str) -> str:
    try:
        return normalize_email(raw, lower=False)
    except EmailNotValidError:
        raise ValidationError(
            _("Scrivi un indirizzo email valido, ad esempio nome@azienda.it.")
        ) from None


def _url(raw: str) -> str:
    if "://" not in raw:
        raw = "https://" + raw
    scheme, _sep, rest = raw.partition("://")
    host = rest.split("/", 1)[0]
    if scheme.lower() not in ("http", "https") or "." not in host or " " in raw:
        raise ValidationError(
            _("Scrivi un indirizzo web valido, ad esempio https://www.azienda.it.")
        )
    return raw


def _text(question: Question, raw: str) -> str:
    limit = (question.settings or {}).get("max_length") or (
        TEXTAREA_MAX if question.kind is QuestionKind.textarea else TEXT_MAX
    )
    if len(raw) > limit:
        raise ValidationError(_("Il testo è troppo lungo: al massimo %(n)d caratteri.", n=limit))
    return raw


def parse_answer(question: Question, raw):
    """The value to store for *raw*, or ValidationError with a message for the person."""
    kind = question.kind
    try:
        if kind is QuestionKind.choice:
            if raw not in _choice_values(question):
                raise ValidationError(_("Scegli una delle opzioni proposte."))
            return raw
        if kind is QuestionKind.multichoice:
            allowed = _choice_values(question)
            if not isinstance(raw, list) or any(v not in allowed for v in raw):
                raise ValidationError(_("Scegli tra le opzioni proposte."))
            # Keep the organiser's order and drop repeated values.
            return [c["value"] for c in question.choices if c["value"] in raw]
        if kind is QuestionKind.yesno:
            if raw not in ("yes", "no"):
                raise ValidationError(_("Scegli «Sì» o «No»."))
            return raw == "yes"
        if kind is QuestionKind.checkbox:
            return bool(raw)
        if not isinstance(raw, str):
            raise ValidationError(_("Valore non valido."))
        if kind is QuestionKind.number:
            return _number(question, raw)
        if kind is QuestionKind.date:
            return _date(raw)
        if kind is QuestionKind.email:
            return _email(raw)
        if kind is QuestionKind.url:
            return _url(_text(question, raw))
        if kind is QuestionKind.phone:
            return validators.normalize_phone(raw)
        if kind is QuestionKind.vat:
            return validators.normalize_vat_it(raw)
        if kind is QuestionKind.ateco:
            return validators.normalize_ateco(raw)
        if kind is QuestionKind.pod:
            return validators.parse_pod_list(_text(question, raw))
        if kind is QuestionKind.substation:
            return validators.normalize_substation_code(_text(question, raw))
        return _text(question, raw)
    except validators.InvalidValue as error:
        raise ValidationError(validator_message(error)) from None
    except (InvalidOperation, OverflowError):
        raise ValidationError(_("Scrivi un numero, ad esempio 12.500 oppure 3,5.")) from None


def validator_message(error: "validators.InvalidValue") -> str:
    """The person-facing, translated message for a validator error."""
    message = _(validators.MESSAGES[error.code])
    detail = getattr(error, "detail", None)
    return message.format(value=detail) if detail and "{value}" in message else message


def form_value(question: Question, value):
    """A stored answer turned back into what the field shows (for editing)."""
    kind = question.kind
    if value is None:
        return None
    if kind is QuestionKind.yesno:
        return "yes" if value else "no"
    if kind is QuestionKind.pod:
        return "\n".join(value)
    if kind is QuestionKind.number:
        return str(value).replace(".", ",")
    if kind is QuestionKind.date:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    return value


def display_value(question: Question, value) -> str:
    """A stored answer as words for a summary page."""
    kind = question.kind
    if value is None or value == [] or value == "":
        return "—"
    if kind is QuestionKind.choice:
        return question.choice_label(value)
    if kind is QuestionKind.multichoice:
        return ", ".join(question.choice_label(v) for v in value)
    if kind in (QuestionKind.yesno, QuestionKind.checkbox):
        return _("Sì") if value else _("No")
    if kind is QuestionKind.number:
        unit = (question.settings or {}).get("unit", "")
        return f"{number(value)} {unit}".strip()
    if kind is QuestionKind.pod:
        return ", ".join(value)
    if kind is QuestionKind.date:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    return str(value)


def condition_labels(question: Question, values: list) -> str:
    """The answers of *question* that a condition names, as words: "«Sì» o «No»"."""
    words = []
    for value in values:
        if question.kind is QuestionKind.yesno:
            words.append(str(YES_NO.get(value, value)))
        else:
            words.append(question.choice_label(value))
    quoted = [f"«{word}»" for word in words]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " " + _("o") + " " + quoted[-1]


def answer_warnings(registration) -> list[tuple[str, str]]:
    """Answers accepted but worth a second look, as (question label, message)."""
    warnings = []
    answers = registration.answers_by_question()
    for question in registration.event.questions:
        value = answers.get(question.id)
        if question.kind is QuestionKind.substation and value:
            if code := validators.substation_code_warning(value):
                warnings.append((question.label, _(validators.MESSAGES[code])))
    return warnings


def answers_summary(registration) -> list[tuple[str, str]]:
    """The answers given, as (question label, words), in the event's order."""
    answers = registration.answers_by_question()
    return [
        (question.label, display_value(question, answers[question.id]))
        for question in registration.event.questions
        if question.id in answers
    ]
