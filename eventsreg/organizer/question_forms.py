"""The question builder's form: what the organiser types, parsed into the service's values."""

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from .. import validators
from ..events.models import MEANING_LABELS, Event, Meaning, Question, QuestionKind
from ..forms import BaseForm
from ..questions import builder as rules
from ..questions.kinds import KINDS
from ..questions.kinds.numbers import stored_number

#: Service field names that differ from the form's.
ERROR_FIELDS = {"min": "min_value", "max": "max_value", "condition_question_id": "condition_parent"}


def parse_choices(text: str) -> list[dict]:
    """Choices typed one per line, as "Label", "value|Label" or "value|Label|English label"
    (a value left out is derived from the label)."""
    choices = []
    for line in (text or "").splitlines():
        parts = [part.strip() for part in line.split("|")]
        if len(parts) == 1:
            value, label, english = "", parts[0], ""
        else:
            value, label, english = (parts + [""])[:3]
        if not value and not label:
            continue
        label = label or value
        value = value or rules.derive_code(label) or f"opzione_{len(choices) + 1}"
        choice = {"value": value, "label": label}
        if english:
            choice["label_en"] = english
        choices.append(choice)
    return choices


def choices_text(choices: list[dict]) -> str:
    """The choices as the builder's textarea shows them."""
    return "\n".join(
        "|".join([c["value"], c["label"], *([c["label_en"]] if c.get("label_en") else [])])
        for c in choices
    )


class QuestionForm(BaseForm):
    label = StringField(
        _l("Domanda"),
        description=_l("Il testo che vede chi si iscrive, ad esempio «Consumo annuo di energia»."),
        validators=[DataRequired(_l("Scrivi il testo della domanda.")), Length(max=300)],
    )
    label_en = StringField(
        _l("Domanda in inglese"),
        description=_l(
            "Facoltativa: chi si iscrive in inglese legge questa; se manca, l'italiano."
        ),
        validators=[Length(max=300)],
    )
    kind = SelectField(_l("Tipo di risposta"), validate_choice=False)
    help_text = TextAreaField(
        _l("Spiegazione"),
        description=_l("Facoltativa: un esempio o dove trovare il dato."),
        validators=[Length(max=1000)],
        render_kw={"rows": 2},
    )
    help_text_en = TextAreaField(
        _l("Spiegazione in inglese"), validators=[Length(max=1000)], render_kw={"rows": 2}
    )
    is_required = BooleanField(_l("Risposta obbligatoria"))
    meaning = SelectField(
        _l("Significato della risposta"),
        description=_l(
            "Facoltativo: che cosa misura la risposta. I riepiloghi, come quello della comunità "
            "energetica, trovano i dati per significato, qualunque sia il testo della domanda."
        ),
        validate_choice=False,
    )
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
            "valore|testo|testo in inglese (es. «consumer|Consumatore|Consumer»): il valore "
            "resta nelle esportazioni, il testo in inglese è facoltativo."
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
    #: Ticked among the chosen question's answers (a list typed one a line is read too).
    condition_values = SelectMultipleField(
        _l("…la risposta è una di queste"), validate_choice=False
    )

    def __init__(self, *args, event: Event, question: Question | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.question = question
        self.kind.choices = [SelectChoice(kind.value, k.label) for kind, k in KINDS.items()]
        self.meaning.choices = [SelectChoice("", _("Nessuno"))] + [
            SelectChoice(meaning.value, label) for meaning, label in MEANING_LABELS.items()
        ]
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
        except validators.InvalidValue as error:
            if error.code == "number_digits":
                raise ValidationError(_(validators.MESSAGES[error.code])) from None
            raise ValidationError(_("Scrivi un numero, ad esempio 1.000 oppure 2,5.")) from None
        field.parsed = stored_number(value)

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

    def validate_meaning(self, field):
        if field.data and field.data not in {m.value for m in Meaning}:
            raise ValidationError(_("Scegli un significato dall'elenco."))

    @property
    def chosen_kind(self):
        """The kind whose settings the form shows: the one selected, else text."""
        try:
            return KINDS[QuestionKind(self.kind.data)]
        except ValueError:
            return KINDS[QuestionKind.text]

    @property
    def chosen_parent(self) -> Question | None:
        return next((q for q in self.parents if str(q.id) == self.condition_parent.data), None)

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
                line
                for ticked in self.condition_values.data or []
                for line in ticked.splitlines()
                if line.strip()
            ],
            "meaning": self.meaning.data or None,
            "translations": self._translations(),
        }

    def _translations(self) -> dict:
        """The question's English, kept beside what the builder does not show."""
        current = dict(self.question.translations or {}) if self.question else {}
        english = dict(current.get("en") or {})
        for name in ("label", "help_text"):
            text = (self[f"{name}_en"].data or "").strip()
            if text:
                english[name] = text
            else:
                english.pop(name, None)
        return (
            {**current, "en": english}
            if english
            else {k: v for k, v in current.items() if k != "en"}
        )

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
        "condition_values": [str(v) for v in question.condition_values],
        "meaning": question.meaning.value if question.meaning else "",
        "label_en": question.translation("label", "en"),
        "help_text_en": question.translation("help_text", "en"),
    }
