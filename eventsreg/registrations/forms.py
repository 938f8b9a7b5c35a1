"""The registration form: standard fields plus the event's own questions."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import BooleanField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from .. import validators
from ..events.kept import kept, version
from ..events.models import Event, FieldUse, Question, Registrants
from ..forms import BaseForm, EmailAddress, KeptFieldsMeta
from ..questions import frozen
from ..questions.fields import READING_SUFFIX, build_field
from ..questions.kinds import kind_of, validator_message
from ..translated import current_locale
from .models import ATTENDANCE_MODE_LABELS, AttendanceMode
from .services import RegistrationData


def _email_field(description=None, render_kw=None) -> StringField:
    return StringField(
        _l("Email"),
        description=description,
        validators=[
            DataRequired(_l("Inserire l'indirizzo email.")),
            Length(max=254),
            EmailAddress(),
        ],
        render_kw={
            "autocomplete": "email",
            "inputmode": "email",
            "type": "email",
            **(render_kw or {}),
        },
    )


class RegistrationForm(BaseForm):
    """Fields every event asks; ``for_event`` adds the event's own questions."""

    class Meta(KeptFieldsMeta):
        pass

    #: The email field, checked as every form of the service checks addresses; a form
    #: asking for it in other words (the organiser's) builds its own with this.
    email_field = staticmethod(_email_field)

    first_name = StringField(
        _l("Nome"),
        validators=[
            DataRequired(_l("Inserire il nome della persona di riferimento.")),
            Length(max=100),
        ],
        render_kw={"autocomplete": "given-name"},
    )
    last_name = StringField(
        _l("Cognome"),
        validators=[
            DataRequired(_l("Inserire il cognome della persona di riferimento.")),
            Length(max=100),
        ],
        render_kw={"autocomplete": "family-name"},
    )
    email = _email_field(
        description=_l(
            "A questo indirizzo arrivano la conferma e il link per modificare l'iscrizione."
        ),
    )
    phone = StringField(
        _l("Telefono"),
        validators=[Optional(), Length(max=40)],
        render_kw={"autocomplete": "tel", "inputmode": "tel", "type": "tel"},
    )
    company_name = StringField(
        _l("Azienda o ente"),
        description=_l("Ragione sociale; per chi partecipa come privato, nome e cognome."),
        # Required or not as the event's form profile says (validate_company_name).
        validators=[Length(max=200)],
        render_kw={"autocomplete": "organization"},
    )
    vat_number = StringField(
        _l("Partita IVA"),
        description=_l(
            "11 cifre, ad esempio 12345670199. "
            "In mancanza di partita IVA, indicare il codice fiscale."
        ),
        validators=[Length(max=40)],
        render_kw={"inputmode": "numeric"},
    )
    tax_code = StringField(
        _l("Codice fiscale (se diverso dalla partita IVA)"),
        validators=[Length(max=40)],
        render_kw={"autocapitalize": "characters"},
    )
    attendance = RadioField(
        _l("Modalità di partecipazione"),
        choices=[SelectChoice(mode.value, label) for mode, label in ATTENDANCE_MODE_LABELS.items()],
        validators=[InputRequired(_l("Indicare la modalità di partecipazione."))],
        validate_choice=False,
    )
    party_size = StringField(
        _l("Numero di partecipanti, compresa la persona di riferimento"),
        default="1",
        render_kw={"inputmode": "numeric", "size": 3},
    )
    #: Asked only when the party is bigger than the seats left (see ``offer_fewer_seats``).
    party_choice = RadioField(_l("Come procedere?"), choices=[], validate_choice=False)
    privacy_consent = BooleanField(
        _l(
            "Ho letto l'informativa sulla privacy e acconsento al trattamento dei miei dati "
            "per la gestione dell'iscrizione."
        ),
        validators=[
            DataRequired(_l("Per l'iscrizione è necessario accettare l'informativa sulla privacy."))
        ],
    )
    marketing_consent = BooleanField(
        _l("Desidero ricevere comunicazioni sulle prossime iniziative (facoltativo)."),
    )
    #: Honeypot: hidden from people, filled in by bots.
    website_confirm = StringField(
        _l("Lascia vuoto questo campo"), render_kw={"autocomplete": "off", "tabindex": "-1"}
    )

    @classmethod
    def for_event(cls, event: Event, *, editing: bool = False, **kwargs) -> "RegistrationForm":
        """A form for *event*, as its form profile says, with its questions in the page's
        language; when *editing*, without the fields that cannot change."""
        locale = current_locale()
        questions = frozen.questions(event)
        form_class = kept(
            "registration_form",
            (cls, *version(event), locale),
            lambda: _form_class(cls, questions.active, locale),
        )
        form = form_class(**kwargs)
        form.event = event
        form.questions = questions.active
        form.conditions = questions.conditions
        form.parsed = {}
        if editing:
            del form.email
            del form.privacy_consent
            if "website_confirm" in form:
                del form.website_confirm
        form._apply_profile(event)
        return form

    def _apply_profile(self, event: Event) -> None:
        """Leave out, relabel and mark required the standard fields as *event* asks them."""
        for name, use in (("company_name", event.organisation_field), ("phone", event.phone_field)):
            if use is FieldUse.hidden or (
                name == "company_name" and event.registrants is Registrants.people
            ):
                del self[name]
            else:
                self[name].flags.required = use is FieldUse.required
        if event.registrants is Registrants.both and "company_name" in self:
            self.company_name.label.text = _("Azienda o ente (se partecipi per un'organizzazione)")
            self.company_name.description = ""
        if event.tax_id_field is FieldUse.hidden:
            del self.vat_number
            del self.tax_code
        elif event.registrants is Registrants.people:
            del self.vat_number
            self.tax_code.label.text = _("Codice fiscale")
            self.tax_code.flags.required = event.tax_id_field is FieldUse.required
        else:
            self.vat_number.flags.required = event.tax_id_field is FieldUse.required
            if event.tax_id_field is FieldUse.optional:
                self.vat_number.description = _("11 cifre, ad esempio 12345670199. Facoltativa.")
        if not event.asks_party_size:
            del self.party_size
        modes = _attendance_modes(event)
        self.attendance.choices = [c for c in self.attendance.choices if c.value in modes]
        if len(self.attendance.choices) == 1 and not self.attendance.data:
            # One way to take part: nothing to choose.
            self.attendance.data = self.attendance.choices[0].value

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        # Kept to read the reading a person chose for a number typed ambiguously.
        self.submitted = self.meta.wrap_formdata(self, formdata)
        super().process(formdata, obj, data, extra_filters, **kwargs)

    def reading_of(self, field) -> str | None:
        """The reading the person picked for an ambiguous number in *field*, if any."""
        if not self.submitted:
            return None
        return self.submitted.get(field.name + READING_SUFFIX)

    # -- visibility of conditional questions -------------------------------------------

    #: While the form validates: question id → whether it applies (the answers do not
    #: change meanwhile), and the language the answers are read in.
    _visibility: dict[int, bool] | None = None
    validation_locale: str | None = None

    def is_visible(self, question: Question) -> bool:
        """Whether *question* applies, given the answers to the questions it depends on."""
        if self._visibility is None:
            return self._is_visible(question)
        visible = self._visibility.get(question.id)
        if visible is None:
            visible = self._visibility[question.id] = self._is_visible(question)
        return visible

    def _is_visible(self, question: Question) -> bool:
        chain = self.conditions[question.id]
        if chain is None:
            return False
        for field_name, parent, allowed in chain:
            field = getattr(self, field_name, None)
            raw = field.data if field is not None else None
            if not kind_of(parent).condition_keys(raw) & allowed:
                return False
        return True

    def question_fields(self):
        for question in self.questions:
            yield question, self[question.field_name]

    def registration_data(self, *, locale: str, email: str = "") -> RegistrationData:
        """What the form says, as the registration services take it.

        :param locale: the language of the person's emails.
        :param email: the registration's address, for a form that does not ask for it
            (a change); a form that asks uses what was typed.
        """
        return RegistrationData(
            first_name=self.first_name.data,
            last_name=self.last_name.data,
            email=self.email.data if "email" in self else email,
            phone=self._text("phone"),
            company_name=self._text("company_name"),
            vat_number=self._text("vat_number"),
            tax_code=self._text("tax_code"),
            attendance=AttendanceMode(self.attendance.data),
            party_size=self.party_size.parsed if "party_size" in self else 1,
            marketing_consent=bool(self.marketing_consent.data),
            locale=locale,
            answers={q.id: field.parsed for q, field in self.question_fields()},
            when_party_does_not_fit=(
                self.party_choice.data if self.party_choice.data in ("fewer", "waitlist") else "ask"
            ),
        )

    def offer_fewer_seats(self, seats_left: int, party: int) -> None:
        """The party is bigger than the seats left: offer to come with as many as fit, or
        to join the waiting list whole, and say so next to the party size."""
        self.party_choice.choices = [
            SelectChoice(
                "fewer",
                ngettext(
                    "Partecipare in %(num)d, con il posto rimasto",
                    "Partecipare in %(num)d, con i posti rimasti",
                    seats_left,
                ),
            ),
            SelectChoice(
                "waitlist",
                _("Mettere in lista d'attesa tutto il gruppo di %(party)d persone", party=party),
            ),
        ]
        self.party_size.errors.append(
            ngettext(
                "Resta %(num)d posto in presenza, meno delle persone indicate. Scegliere qui "
                "sotto come procedere e inviare di nuovo.",
                "Restano %(num)d posti in presenza, meno delle persone indicate. Scegliere qui "
                "sotto come procedere e inviare di nuovo.",
                seats_left,
            )
        )

    def _text(self, name: str) -> str:
        return (self[name].data or "") if name in self else ""

    # -- validation ----------------------------------------------------------------------

    def validate(self, extra_validators=None) -> bool:
        self._visibility, self.validation_locale = {}, current_locale()
        try:
            super().validate(extra_validators)
            for question, field in self.question_fields():
                if not self.is_visible(question):
                    field.errors = []
                    field.parsed = None
        finally:
            self._visibility = self.validation_locale = None
        if "website_confirm" in self and self.website_confirm.data:
            self.form_errors.append(
                _("Il modulo non può essere inviato. Riprovare senza compilare i campi nascosti.")
            )
        return not self.errors

    def validate_company_name(self, field):
        if field.flags.required and not field.data:
            raise ValidationError(_("Inserire il nome dell'azienda o dell'ente."))

    def validate_phone(self, field):
        if not field.data:
            if field.flags.required:
                raise ValidationError(_("Inserire il numero di telefono."))
            return
        field.data = _normalised(validators.normalize_phone, field.data)

    def validate_vat_number(self, field):
        if not field.data:
            if field.flags.required and not self._text("tax_code"):
                raise ValidationError(
                    _("Indicare la partita IVA oppure, in mancanza, il codice fiscale.")
                )
            return
        field.data = _normalised(validators.normalize_vat_it, field.data)

    def validate_tax_code(self, field):
        if not field.data:
            if field.flags.required and "vat_number" not in self:
                raise ValidationError(_("Inserire il codice fiscale."))
            return
        field.data = _normalised(validators.normalize_tax_code_it, field.data)

    def validate_attendance(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_("Scegliere una delle modalità di partecipazione proposte."))

    def validate_party_size(self, field):
        if self.attendance.data == AttendanceMode.not_attending.value:
            field.parsed = 0
            return
        maximum = self.event.max_party_size
        try:
            value = int((field.data or "").strip())
        except ValueError:
            value = None
        if value is None or not 1 <= value <= maximum:
            raise ValidationError(_("Inserire un numero di persone da 1 a %(max)d.", max=maximum))
        field.parsed = value


def _form_class(cls, questions, locale: str):
    """A subclass of *cls* with a field for each of *questions*, worded in *locale*: built
    once per event version and language (``events.kept.kept``), since WTForms then keeps the
    class's list of fields too."""

    class EventRegistrationForm(cls):
        pass

    for question in questions:
        setattr(EventRegistrationForm, question.field_name, build_field(question, locale))
    return EventRegistrationForm


def _normalised(normalize, value: str) -> str:
    try:
        return normalize(value)
    except validators.InvalidValue as error:
        raise ValidationError(validator_message(error)) from None


def _attendance_modes(event: Event) -> set[str]:
    modes = set()
    if event.offers_interest_only:
        modes.add(AttendanceMode.not_attending.value)
    if event.offers_in_person:
        modes.add(AttendanceMode.in_person.value)
    if event.offers_online:
        modes.add(AttendanceMode.online.value)
    return modes


class WithdrawForm(BaseForm):
    """Confirms a withdrawal; it only carries the CSRF token."""


class LinkRequestForm(BaseForm):
    """Asks for the address a personal link should be sent to."""

    email = StringField(
        _l("Email usata per l'iscrizione"),
        validators=[
            DataRequired(_l("Inserire l'indirizzo email.")),
            Length(max=254),
            EmailAddress(),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email", "type": "email"},
    )
