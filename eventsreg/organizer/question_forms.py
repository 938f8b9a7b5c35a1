"""The question builder's form: what the organiser types, parsed into the service's values."""

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from .. import validators
from ..events.models import Event, Question, QuestionKind
from ..forms import BaseForm
from ..questions import builder as rules
from ..questions.kinds import KINDS

#: Service field names that differ from the form's.
ERROR_FIELDS = {"min": "min_value", "max": "max_value", "condition_question_id": "condition_parent"}


def parse_choices(text: str) -> list[dict]:
    """Choices typed one per line, as "value|Label" or just "Label" (value derived)."""
    choices = []
    for line in (text or "").splitlines():
        value, sep, label = (part.strip() for part in line.partition("|"))
        if not sep:
            value, label = "", value
        if not value and not label:
            continue
        label = label or value
        value = value or rules.derive_code(label) or f"opzione_{len(choices) + 1}"
        choices.append({"value": value, "label": label})
    return choices


def choices_text(choices: list[dict]) -> str:
    """The choices as the builder's textarea shows them."""
    return "\n".join(f"{c['value']}|{c['label']}" for c in choices)


class QuestionForm(BaseForm):
    label = StringField(
        _l("Domanda"),
        description=_l("Il testo che vede chi si iscrive, ad esempio «Consumo annuo di energia»."),
        validators=[DataRequired(_l("Scrivi il testo della domanda.")), Length(max=300)],
    )
    kind = SelectField(_l("Tipo di risposta"), validate_choice=False)
    help_text = TextAreaField(
        _l("Spiegazione"),
        description=_l("Facoltativa: un esempio o dove trovare il dato."),
        validators=[Length(max=1000)],
        render_kw={"rows": 2},
    )
    is_required = BooleanField(_l("Risposta obbligatoria"))
    code = StringField(
        _l("Codice"),
        description=_l(
            "Facoltativo: intestazione della colonna nelle esportazioni, ad esempio "
            "consumo_annuo. Vuoto: ricavato dalla domanda."
        ),
        validators=[Length(max=rules.CODE_MAX)],
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )
    choices = TextAreaField(
        _l("Opzioni"),
        description=_l(
            "Una per riga, almeno due. Scrivi solo il testo (es. «Consumatore») oppure "
            "valore|testo (es. «consumer|Consumatore»): il valore resta nelle esportazioni."
        ),
        render_kw={"rows": 5},
    )
    unit = StringField(
        _l("Unità di misura"),
        description=_l("Ad esempio kWh, kWp, m²."),
        validators=[Length(max=20)],
    )
    min_value = StringField(_l("Valore minimo"), render_kw={"inputmode": "decimal"})
    max_value = StringField(_l("Valore massimo"), render_kw={"inputmode": "decimal"})
    integer = BooleanField(_l("Solo numeri interi"))
    max_length = StringField(
        _l("Lunghezza massima"),
        description=_l("In caratteri. Vuoto: 500 per il testo breve, 5.000 per il testo lungo."),
        render_kw={"inputmode": "numeric"},
    )
    condition_parent = SelectField(
        _l("Mostra questa domanda solo se alla domanda…"),
        description=_l("Solo domande precedenti a scelta singola, multipla o Sì/No."),
        validate_choice=False,
    )
    condition_values = TextAreaField(
        _l("…la risposta è una di queste"),
        description=_l(
            "Una per riga, come valore o come testo dell'opzione. Le risposte possibili sono "
            "elencate qui sotto."
        ),
        render_kw={"rows": 3},
    )

    def __init__(self, *args, event: Event, question: Question | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.question = question
        self.kind.choices = [SelectChoice(kind.value, k.label) for kind, k in KINDS.items()]
        if question is not None and rules.answer_count(question):
            self.kind.description = _("Ci sono già risposte: il tipo non si può più cambiare.")
        self.parents = rules.eligible_parents(event, question)
        self.condition_parent.choices = [SelectChoice("", _("Sempre (nessuna condizione)"))] + [
            SelectChoice(str(q.id), q.label) for q in self.parents
        ]

    # -- field checks --------------------------------------------------------------------

    def validate_kind(self, field):
        if field.data not in {kind.value for kind in QuestionKind}:
            raise ValidationError(_("Scegli un tipo dall'elenco."))

    def validate_code(self, field):
        field.data = (field.data or "").lower()

    def validate_choices(self, field):
        field.parsed = parse_choices(field.data)

    def _number(self, field):
        field.parsed = None
        if not field.data:
            return
        try:
            value = validators.parse_decimal_it(field.data, unit=self.unit.data or None)
        except validators.InvalidValue:
            raise ValidationError(_("Scrivi un numero, ad esempio 1.000 oppure 2,5.")) from None
        field.parsed = int(value) if value == value.to_integral_value() else float(value)

    def validate_min_value(self, field):
        self._number(field)

    def validate_max_value(self, field):
        self._number(field)

    def validate_max_length(self, field):
        field.parsed = None
        text = (field.data or "").replace(".", "")
        if not text:
            return
        if not text.isdigit() or not 1 <= int(text) <= rules.MAX_LENGTH_LIMIT:
            raise ValidationError(_("Scrivi un numero intero da 1 a %(max)s.", max="5.000"))
        field.parsed = int(text)

    def validate_condition_parent(self, field):
        # Which questions qualify is the service's rule; here only the shape of the id.
        if field.data and not field.data.isdigit():
            raise ValidationError(_("Scegli una domanda dall'elenco."))

    # -- to and from the service ---------------------------------------------------------

    def values(self) -> dict:
        """The fields as add_question / update_question take them."""
        return {
            "label": self.label.data,
            "code": self.code.data,
            "kind": QuestionKind(self.kind.data),
            "help_text": self.help_text.data or "",
            "is_required": bool(self.is_required.data),
            "choices": self.choices.parsed,
            "settings": {
                "unit": self.unit.data or None,
                "min": self.min_value.parsed,
                "max": self.max_value.parsed,
                "integer": bool(self.integer.data),
                "max_length": self.max_length.parsed,
            },
            "condition_question_id": int(self.condition_parent.data)
            if self.condition_parent.data
            else None,
            "condition_values": [
                line for line in (self.condition_values.data or "").splitlines() if line.strip()
            ],
        }

    def add_errors(self, error: rules.QuestionError) -> None:
        """Show the service's refusals next to the fields they concern."""
        for name, message in error.errors.items():
            field = getattr(self, ERROR_FIELDS.get(name, name), None)
            if field is None:
                self.form_errors.append(message)
            else:
                field.errors.append(message)


def _number_text(value) -> str:
    if value is None:
        return ""
    return str(Decimal(str(value))).replace(".", ",")


def form_data_for(question: Question) -> dict:
    """What the builder shows for an existing question."""
    settings = question.settings or {}
    return {
        "label": question.label,
        "code": question.code,
        "kind": question.kind.value,
        "help_text": question.help_text,
        "is_required": question.is_required,
        "choices": choices_text(question.choices),
        "unit": settings.get("unit", ""),
        "min_value": _number_text(settings.get("min")),
        "max_value": _number_text(settings.get("max")),
        "integer": bool(settings.get("integer")),
        "max_length": str(settings.get("max_length") or ""),
        "condition_parent": str(question.condition_question_id or ""),
        "condition_values": "\n".join(str(v) for v in question.condition_values),
    }
