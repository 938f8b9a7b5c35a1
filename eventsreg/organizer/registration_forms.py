"""Organisers' forms about registrations: filters, manual registration, actions, messages."""

import dataclasses
import re
from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..events.models import Event, Question
from ..forms import BaseForm
from ..questions.kinds import kind_of
from ..registrations.admin import RegistrationFilter
from ..registrations.forms import RegistrationForm
from ..registrations.models import (
    ACTIVE_STATUSES,
    ATTENDANCE_MODE_LABELS,
    REGISTRATION_STATUS_LABELS,
    AttendanceMode,
    RegistrationStatus,
)
from .registration_list import PAGE_SIZES

#: The status filter's value for "every registration that still counts".
ACTIVE = "active"

STATUS_CHOICES = [
    SelectChoice("", _l("Tutte")),
    SelectChoice(ACTIVE, _l("Attive (non ritirate né rifiutate)")),
    *(SelectChoice(status.value, label) for status, label in REGISTRATION_STATUS_LABELS.items()),
]
MESSAGE_STATUS_CHOICES = [
    SelectChoice("", _l("Tutti gli iscritti attivi")),
    *(
        SelectChoice(status.value, label)
        for status, label in REGISTRATION_STATUS_LABELS.items()
        if status in ACTIVE_STATUSES
    ),
]
ATTENDANCE_CHOICES = [
    SelectChoice("", _l("Tutte")),
    *(SelectChoice(mode.value, label) for mode, label in ATTENDANCE_MODE_LABELS.items()),
]
CHECKED_IN_CHOICES = [
    SelectChoice("", _l("Tutti")),
    SelectChoice("yes", _l("Ingresso registrato")),
    SelectChoice("no", _l("Ingresso non ancora registrato")),
]


def _answer_choices(question: Question) -> list[SelectChoice]:
    options = kind_of(question).filter_options(question)
    return [
        SelectChoice("", _l("Qualsiasi risposta")),
        *(SelectChoice(value, label) for value, label in options),
    ]


class _FilterFields(BaseForm):
    """Filters shared by the registrations table and the messages page."""

    status = SelectField(_l("Stato"), choices=STATUS_CHOICES, validate_choice=False)
    attendance = SelectField(
        _l("Partecipazione"), choices=ATTENDANCE_CHOICES, validate_choice=False
    )
    checked_in = SelectField(_l("Ingresso"), choices=CHECKED_IN_CHOICES, validate_choice=False)

    @classmethod
    def for_event(cls, event: Event, **kwargs):
        """The form for *event*, with a filter for each choice and yes/no question."""

        class EventForm(cls):
            pass

        questions = [q for q in event.questions if kind_of(q).filterable]
        for question in questions:
            field = SelectField(
                question.label, choices=_answer_choices(question), validate_choice=False
            )
            setattr(EventForm, question.field_name, field)
        form = EventForm(**kwargs)
        form.filter_questions = questions
        return form

    def question_filters(self):
        for question in self.filter_questions:
            yield self[question.field_name]

    def filters(self) -> RegistrationFilter:
        """The chosen filters; values that are not among the choices are ignored."""
        status = self.status.data
        statuses = None
        if status == ACTIVE:
            statuses = ACTIVE_STATUSES
        elif status in {s.value for s in RegistrationStatus}:
            statuses = frozenset({RegistrationStatus(status)})
        attendance = self.attendance.data
        answers = {}
        for question in self.filter_questions:
            value = kind_of(question).filter_value(question, self[question.field_name].data)
            if value is not None:
                answers[question.id] = value
        return RegistrationFilter(
            text=(self.q.data or "") if "q" in self else "",
            statuses=statuses,
            attendance=AttendanceMode(attendance)
            if attendance in {m.value for m in AttendanceMode}
            else None,
            checked_in={"yes": True, "no": False}.get(self.checked_in.data),
            answers=answers,
        )


class FilterForm(_FilterFields):
    """Search and filters of the registrations table (a GET form: nothing to protect)."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Cerca"),
        description=_l("Nome, cognome, email, azienda o partita IVA."),
        validators=[Optional(), Length(max=100)],
        render_kw={"type": "search"},
    )
    #: The order chosen with the column headers, kept when the filters change.
    sort = HiddenField()
    size = SelectField(
        _l("Righe per pagina"),
        choices=[SelectChoice(str(size), str(size)) for size in sorted(PAGE_SIZES)],
        default=str(PAGE_SIZES[0]),
        validate_choice=False,
    )

    #: Fields that shape the list without choosing which registrations it shows.
    LAYOUT_FIELDS = frozenset({"sort", "size"})


#: Most registrations one request may name (a page has at most 200).
MAX_SELECTED = 1000
_ID = re.compile(r"[0-9]{1,10}")
#: The largest id an integer column holds (PostgreSQL's INTEGER is 32 bits).
MAX_ID = 2**31 - 1


def parse_ids(values: Iterable[str]) -> list[int]:
    """Registration ids from form values ("12", or "12,15,19"); anything else is ignored.
    At most ``MAX_SELECTED``, each one an id a database integer column can hold."""
    ids: list[int] = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if _ID.fullmatch(part) and 0 < int(part) <= MAX_ID and int(part) not in ids:
                ids.append(int(part))
                if len(ids) >= MAX_SELECTED:
                    return ids
    return ids


class IdsField(Field):
    """The ticked rows' ids (``ids=12&ids=15``): the valid ones, others dropped."""

    def _value(self):
        return ",".join(map(str, self.data or []))

    def process_formdata(self, valuelist):
        self.data = parse_ids(valuelist)

    def process_data(self, value):
        self.data = list(value or [])


BULK_ACTIONS = [
    SelectChoice("", _l("Scegli un'azione…")),
    SelectChoice("approve", _l("Approva (quelle in attesa di approvazione)")),
    SelectChoice("reject", _l("Non accettare (quelle in attesa di approvazione)")),
    SelectChoice("checkin", _l("Registra l'ingresso (tutto il gruppo)")),
    SelectChoice("message", _l("Scrivi un messaggio")),
    SelectChoice("export_xlsx", _l("Scarica in Excel (.xlsx)")),
    SelectChoice("export_csv", _l("Scarica in CSV")),
    SelectChoice("export_csv_comma", _l("Scarica in CSV con la virgola")),
]


class BulkActionForm(BaseForm):
    """One action on the rows ticked in the registrations table."""

    action = SelectField(
        _l("Con le iscrizioni selezionate"), choices=BULK_ACTIONS, validate_choice=False
    )
    ids = IdsField()
    #: The list's query string (filters, order, page), to go back to it.
    back = HiddenField()

    def chosen_action(self) -> str | None:
        action = self.action.data
        return action if action in {c.value for c in BULK_ACTIONS if c.value} else None


class MessageForm(_FilterFields):
    """A message to the registrants, with the filters choosing who receives it."""

    status = SelectField(_l("Stato"), choices=MESSAGE_STATUS_CHOICES, validate_choice=False)
    subject = StringField(
        _l("Oggetto"),
        validators=[
            DataRequired(_l("Scrivi l'oggetto del messaggio.")),
            Length(max=200, message=_l("L'oggetto è troppo lungo: al massimo 200 caratteri.")),
        ],
    )
    body = TextAreaField(
        _l("Testo"),
        description=_l(
            "Testo semplice: le righe vuote separano i paragrafi. {nome}, {cognome}, {azienda} "
            "ed {evento} vengono sostituiti con i dati di ogni destinatario. Il saluto iniziale "
            "è quello scritto qui; data, luogo e link all'evento vengono aggiunti in fondo."
        ),
        # A greeting to start from: the message says exactly what is written here.
        default=lambda: _("Gentile {nome} {cognome},") + "\n\n",
        validators=[
            DataRequired(_l("Scrivi il testo del messaggio.")),
            Length(max=10000, message=_l("Il testo è troppo lungo: al massimo 10.000 caratteri.")),
        ],
        render_kw={"rows": 10},
    )
    preview = SubmitField(_l("Anteprima"))
    send = SubmitField(_l("Invia"))
    #: Registrations ticked in the table ("12,15,19"): only those, if any, receive it.
    ids = HiddenField()

    def selected_ids(self) -> frozenset[int] | None:
        """The registrations the message is limited to; None when it is not limited. Ids
        given but none valid limit it to nobody."""
        if not self.ids.data:
            return None
        return frozenset(parse_ids([self.ids.data]))

    def filters(self) -> RegistrationFilter:
        return dataclasses.replace(super().filters(), ids=self.selected_ids())


class ManualRegistrationForm(RegistrationForm):
    """The public form as an organiser fills it in for someone, e.g. who phoned."""

    email = RegistrationForm.email_field(
        description=_l("Qui la persona riceverà la conferma e il link personale."),
        render_kw={"autocomplete": "off"},
    )
    attendance = RadioField(
        _l("Come parteciperà?"),
        choices=[SelectChoice(mode.value, label) for mode, label in ATTENDANCE_MODE_LABELS.items()],
        validators=[InputRequired(_l("Indica come parteciperà la persona."))],
        validate_choice=False,
    )
    privacy_consent = BooleanField(
        _l(
            "La persona ha ricevuto l'informativa sulla privacy (anche a voce, per telefono) "
            "e acconsente al trattamento dei dati per la gestione dell'iscrizione."
        ),
        validators=[
            DataRequired(_l("Serve il consenso della persona: senza non è possibile iscriverla."))
        ],
    )
    marketing_consent = BooleanField(
        _l("La persona desidera ricevere comunicazioni sulle prossime iniziative (facoltativo).")
    )
    locale = RadioField(
        _l("Lingua delle email"),
        choices=[SelectChoice("it", "Italiano"), SelectChoice("en", "English")],
        default="it",
        validate_choice=False,
    )

    @classmethod
    def for_event(cls, event: Event, **kwargs) -> "ManualRegistrationForm":
        form = super().for_event(event, **kwargs)
        # The honeypot stops bots on the public form; organisers are signed in.
        del form.website_confirm
        return form

    def validate_locale(self, field):
        if field.data not in ("it", "en"):
            raise ValidationError(_("Scegli la lingua delle email."))


class ActionForm(BaseForm):
    """Approve, reject, confirm by hand: the button and the CSRF token."""


class WithdrawOnBehalfForm(BaseForm):
    """Withdraw a registration for the person, after an explicit confirmation."""

    confirm = BooleanField(
        _l("Confermo: la persona ha chiesto di ritirare l'iscrizione."),
        validators=[DataRequired(_l("Spunta la casella per confermare il ritiro."))],
    )
