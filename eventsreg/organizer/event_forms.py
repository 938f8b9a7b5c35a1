"""The event editor's form."""

import functools
import re
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo, available_timezones

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from ..events.editing import free_slug
from ..events.models import (
    FIELD_USE_LABELS,
    REGISTRANTS_LABELS,
    Event,
    FieldUse,
    Registrants,
)
from ..extensions import db
from ..forms import BaseForm, EmailAddress
from .privacy_notice import has_gaps

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

#: The zones most events use, Europe/Rome first, each with where it is.
COMMON_ZONES = {
    "Europe/Rome": _l("Italia"),
    "Europe/London": _l("Regno Unito"),
    "Europe/Paris": _l("Francia"),
    "Europe/Berlin": _l("Germania"),
    "Europe/Madrid": _l("Spagna"),
    "Europe/Brussels": _l("Belgio"),
    "Europe/Zurich": _l("Svizzera"),
    "Europe/Vienna": _l("Austria"),
    "Europe/Amsterdam": _l("Paesi Bassi"),
    "Europe/Athens": _l("Grecia"),
    "Europe/Lisbon": _l("Portogallo"),
    "Europe/Dublin": _l("Irlanda"),
    "Europe/Helsinki": _l("Finlandia"),
    "UTC": _l("tempo coordinato universale"),
    "America/New_York": _l("Stati Uniti, costa orientale"),
    "America/Chicago": _l("Stati Uniti, zona centrale"),
    "America/Los_Angeles": _l("Stati Uniti, costa occidentale"),
    "America/Sao_Paulo": _l("Brasile"),
    "Asia/Dubai": _l("Emirati Arabi Uniti"),
    "Asia/Kolkata": _l("India"),
    "Asia/Shanghai": _l("Cina"),
    "Asia/Tokyo": _l("Giappone"),
    "Australia/Sydney": _l("Australia orientale"),
}


@functools.cache
def known_zones() -> frozenset[str]:
    """The IANA zones of the installed database (read once: it walks hundreds of files)."""
    return frozenset(available_timezones())


@functools.cache
def other_zones() -> tuple[str, ...]:
    """The zones offered after the common ones: every region/city zone, sorted."""
    return tuple(sorted(z for z in known_zones() if z not in COMMON_ZONES and "/" in z))


def standard_offset(zone: str) -> str:
    """The zone's offset from UTC outside summer time, as people write it: "UTC+1",
    "UTC+5:30", "UTC−3", "UTC"."""
    tz = ZoneInfo(zone)
    now = datetime.now(tz)
    minutes = int((now.utcoffset() - now.dst()).total_seconds()) // 60
    if not minutes:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'+' if minutes > 0 else '−'}{hours}" + (f":{rest:02d}" if rest else "")


def zone_choices(current: str | None = None) -> dict[str, list[SelectChoice]]:
    """The time-zone select's groups: the common zones (Europe/Rome first) with where they
    are, then all the others; *current* (a real zone the list leaves out, such as "CET")
    among the others, so that an event keeps its zone."""
    others = list(other_zones())
    if current and current in known_zones() and current not in COMMON_ZONES:
        if current not in others:
            others = sorted([*others, current])
    return {
        _("Più usati"): [
            SelectChoice(zone, f"{zone} — {where}, {standard_offset(zone)}")
            for zone, where in COMMON_ZONES.items()
        ],
        _("Tutti i fusi orari"): [SelectChoice(zone, zone) for zone in others],
    }


def slugify(text: str) -> str:
    """A URL slug from a title: lower case ASCII words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:100]


class LocalDateTimeField(StringField):
    """A date and time typed in the event's zone: "2026-12-01 17:00" or "01/12/2026 17:00"."""

    FORMATS = (
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y %H.%M",
        "%d/%m/%Y, %H:%M",
    )

    #: The submitted date and time as typed (no zone), None when absent or not understood.
    naive = None

    def process_formdata(self, valuelist):
        self.naive = None
        if valuelist and valuelist[0].strip():
            text = valuelist[0].strip()
            for pattern in self.FORMATS:
                try:
                    self.naive = datetime.strptime(text, pattern)
                    break
                except ValueError:
                    continue
        super().process_formdata(valuelist)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return (
            self.data.strftime("%Y-%m-%dT%H:%M")
            if isinstance(self.data, datetime)
            else (self.data or "")
        )


#: The event's texts an organiser may write in English too.
TRANSLATED_FIELDS = ("title", "summary", "description", "venue_notes", "privacy_notice")


class EventForm(BaseForm):
    title = StringField(
        _l("Titolo"), validators=[DataRequired(_l("Scrivi il titolo.")), Length(max=200)]
    )
    slug = StringField(
        _l("Indirizzo della pagina"),
        description=_l(
            "Parte finale dell'indirizzo: lettere minuscole, cifre e trattini. Vuoto: dal titolo."
        ),
        validators=[Length(max=120)],
    )
    summary = StringField(
        _l("Sommario"),
        description=_l("Una o due frasi per l'elenco degli eventi."),
        validators=[Length(max=500)],
    )
    description = TextAreaField(
        _l("Descrizione"),
        description=_l(
            "Testo in Markdown: **grassetto**, elenchi con «-», collegamenti [testo](https://…)."
        ),
        validators=[Length(max=50_000)],
        render_kw={"rows": 12},
    )
    organizers = TextAreaField(
        _l("Organizzatori"),
        description=_l("Uno per riga."),
        validators=[Length(max=2000)],
        render_kw={"rows": 3},
    )
    timezone = SelectField(_l("Fuso orario"), default="Europe/Rome", validate_choice=False)
    starts_at = LocalDateTimeField(_l("Inizio"), render_kw={"type": "datetime-local"})
    ends_at = LocalDateTimeField(_l("Fine"), render_kw={"type": "datetime-local"})
    venue_name = StringField(_l("Luogo"), validators=[Length(max=200)])
    venue_address = StringField(_l("Indirizzo del luogo"), validators=[Length(max=300)])
    venue_notes = TextAreaField(
        _l("Note sul luogo"),
        description=_l("Facoltative: ingresso, parcheggio, accessibilità."),
        validators=[Length(max=1000)],
        render_kw={"rows": 2},
    )
    online_url = StringField(
        _l("Collegamento online"),
        description=_l(
            "Mostrato solo a chi è iscritto online e confermato. Vuoto: niente partecipazione "
            "online."
        ),
        validators=[Length(max=500)],
        render_kw={"type": "url"},
    )
    capacity = StringField(
        _l("Posti in presenza"),
        description=_l("Numero di persone. Vuoto: senza limite."),
        render_kw={"inputmode": "numeric"},
    )
    max_party_size = StringField(
        _l("Persone al massimo per iscrizione"), default="5", render_kw={"inputmode": "numeric"}
    )
    registration_opens_at = LocalDateTimeField(
        _l("Apertura delle iscrizioni"),
        description=_l("Vuoto: aperte da subito."),
        render_kw={"type": "datetime-local"},
    )
    registration_closes_at = LocalDateTimeField(
        _l("Chiusura delle iscrizioni"),
        description=_l("Vuoto: all'inizio dell'evento."),
        render_kw={"type": "datetime-local"},
    )
    requires_approval = BooleanField(
        _l("Le iscrizioni devono essere approvate da un organizzatore")
    )
    contact_email = StringField(
        _l("Email di contatto"),
        description=_l("Riceve le risposte alle email e compare come organizzatore negli inviti."),
        validators=[
            DataRequired(_l("Scrivi l'email di contatto.")),
            Length(max=254),
            EmailAddress(_l("Inserire un indirizzo email valido.")),
        ],
        render_kw={"type": "email"},
    )
    # -- the form profile ------------------------------------------------------------------
    registrants = RadioField(
        _l("Chi si iscrive"),
        choices=[SelectChoice(r.value, label) for r, label in REGISTRANTS_LABELS.items()],
        default=Registrants.organisations.value,
        validate_choice=False,
    )
    organisation_field = SelectField(
        _l("Azienda o ente"),
        description=_l("Per i privati cittadini non viene mai chiesto."),
        choices=[SelectChoice(u.value, label) for u, label in FIELD_USE_LABELS.items()],
        default=FieldUse.required.value,
        validate_choice=False,
    )
    tax_id_field = SelectField(
        _l("Partita IVA o codice fiscale"),
        description=_l("Ai privati cittadini viene chiesto solo il codice fiscale."),
        choices=[SelectChoice(u.value, label) for u, label in FIELD_USE_LABELS.items()],
        default=FieldUse.required.value,
        validate_choice=False,
    )
    phone_field = SelectField(
        _l("Telefono"),
        choices=[SelectChoice(u.value, label) for u, label in FIELD_USE_LABELS.items()],
        default=FieldUse.optional.value,
        validate_choice=False,
    )
    asks_party_size = BooleanField(
        _l("Chiedi quante persone partecipano con ogni iscrizione"), default=True
    )
    allows_in_person = BooleanField(_l("Partecipazione in presenza (serve il luogo)"), default=True)
    allows_online = BooleanField(_l("Partecipazione online (serve il collegamento)"), default=True)
    allows_interest_only = BooleanField(
        _l("«Non partecipo, invio solo la manifestazione di interesse»"), default=True
    )

    # -- in English ------------------------------------------------------------------------
    title_en = StringField(_l("Titolo in inglese"), validators=[Length(max=200)])
    summary_en = StringField(_l("Sommario in inglese"), validators=[Length(max=500)])
    description_en = TextAreaField(
        _l("Descrizione in inglese"),
        description=_l("Markdown, come la descrizione in italiano."),
        validators=[Length(max=50_000)],
        render_kw={"rows": 8},
    )
    venue_notes_en = TextAreaField(
        _l("Note sul luogo in inglese"), validators=[Length(max=1000)], render_kw={"rows": 2}
    )
    privacy_notice_en = TextAreaField(
        _l("Informativa privacy in inglese"),
        validators=[Length(max=50_000)],
        render_kw={"rows": 6},
    )

    privacy_notice = TextAreaField(
        _l("Informativa privacy"),
        description=_l(
            "Titolare, finalità, conservazione, diritti. Se la cambi, le nuove iscrizioni "
            "registrano la nuova versione."
        ),
        validators=[DataRequired(_l("Scrivi l'informativa privacy.")), Length(max=50_000)],
        render_kw={"rows": 8},
    )

    def __init__(self, *args, event: Event | None = None, suggested_notice_en: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.timezone.choices = zone_choices(self.timezone.data)
        #: The English privacy notice this new event's editor was filled in with: kept only
        #: if the organiser changed it or the event has other English texts.
        self.suggested_notice_en = suggested_notice_en
        if suggested_notice_en:
            self.privacy_notice_en.description = _(
                "Già scritta: viene salvata se l'evento ha anche altri testi in inglese o se la "
                "modifichi."
            )

    @property
    def tz(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone.data or "Europe/Rome")
        except (KeyError, ValueError):
            return ZoneInfo("Europe/Rome")

    def aware(self, field: LocalDateTimeField) -> datetime | None:
        return field.naive.replace(tzinfo=self.tz) if getattr(field, "naive", None) else None

    # -- field checks --------------------------------------------------------------------

    def validate_slug(self, field):
        from_title = not field.data
        field.data = (field.data or slugify(self.title.data or "")).lower()
        if not SLUG_RE.match(field.data):
            raise ValidationError(
                _(
                    "Usa solo lettere minuscole senza accenti, cifre e trattini, ad esempio "
                    "incontro-cer-2026."
                )
            )
        taken = db.session.scalar(sa.select(Event.id).where(Event.slug == field.data))
        if taken is not None and (self.event is None or taken != self.event.id):
            if from_title and self.event is None:
                # A new event named as an earlier one (its next edition, often): the
                # address from its title gets the next free number.
                field.data = free_slug(field.data)
                return
            raise ValidationError(_("Questo indirizzo è già usato da un altro evento."))

    def validate_timezone(self, field):
        if field.data not in known_zones():
            raise ValidationError(_("Scegli un fuso orario dall'elenco."))

    def _required_moment(self, field):
        if field.raw_data and field.raw_data[0].strip() and field.naive is None:
            raise ValidationError(
                _("Scrivi data e ora come gg/mm/aaaa hh:mm, ad esempio 13/12/2026 17:00.")
            )

    def validate_starts_at(self, field):
        self._required_moment(field)
        if field.naive is None:
            raise ValidationError(_("Indica data e ora di inizio."))

    def validate_ends_at(self, field):
        self._required_moment(field)
        if field.naive is None:
            raise ValidationError(_("Indica data e ora di fine."))
        if self.starts_at.naive and field.naive <= self.starts_at.naive:
            raise ValidationError(_("La fine deve essere dopo l'inizio."))

    def validate_registration_opens_at(self, field):
        self._required_moment(field)

    def validate_registration_closes_at(self, field):
        self._required_moment(field)
        if field.naive and self.ends_at.naive and field.naive > self.ends_at.naive:
            raise ValidationError(_("Le iscrizioni non possono chiudere dopo la fine dell'evento."))
        if (
            field.naive
            and self.registration_opens_at.naive
            and field.naive <= self.registration_opens_at.naive
        ):
            raise ValidationError(_("Le iscrizioni devono chiudere dopo l'apertura."))

    def validate_privacy_notice(self, field):
        if has_gaps(field.data):
            raise ValidationError(
                _("Completa le parti segnate «[da completare]» prima di salvare.")
            )

    def validate_privacy_notice_en(self, field):
        if self.suggested_notice_en and _same_text(field.data, self.suggested_notice_en):
            others = [self[f"{n}_en"].data for n in TRANSLATED_FIELDS if n != "privacy_notice"]
            if not any(others):
                # The notice suggested for an event that has no other English text.
                field.data = ""
                return
        if has_gaps(field.data):
            raise ValidationError(
                _("Completa le parti segnate «[to be completed]» prima di salvare.")
            )

    def validate_online_url(self, field):
        if field.data and not re.match(r"^https?://[^\s/$.?#].[^\s]*$", field.data):
            raise ValidationError(_("Scrivi un indirizzo completo, che inizi con https://."))

    def _whole_number(self, field, minimum: int, maximum: int) -> int | None:
        text = (field.data or "").strip().replace(".", "")
        if not text:
            return None
        if not text.isdigit() or not minimum <= int(text) <= maximum:
            raise ValidationError(
                _("Scrivi un numero intero da %(min)d a %(max)d.", min=minimum, max=maximum)
            )
        return int(text)

    def validate_capacity(self, field):
        field.parsed = self._whole_number(field, 0, 1_000_000)

    def validate_max_party_size(self, field):
        field.parsed = self._whole_number(field, 1, 100)
        if field.parsed is None:
            raise ValidationError(
                _("Indica quante persone può iscrivere al massimo ogni iscrizione.")
            )

    def validate_registrants(self, field):
        if field.data not in {r.value for r in Registrants}:
            raise ValidationError(_("Scegli chi si iscrive."))

    def _field_use(self, field):
        if field.data not in {u.value for u in FieldUse}:
            raise ValidationError(_("Scegli un'opzione dall'elenco."))

    validate_organisation_field = _field_use
    validate_tax_id_field = _field_use
    validate_phone_field = _field_use

    def validate_allows_interest_only(self, field):
        if not (self.allows_in_person.data or self.allows_online.data or field.data):
            raise ValidationError(_("Offri almeno un modo di partecipare."))

    def values(self) -> dict:
        """The event's attributes as the editor was filled in (times aware, in UTC-convertible "
        "form)."""
        return {
            "title": self.title.data,
            "slug": self.slug.data,
            "summary": self.summary.data or "",
            "description": self.description.data or "",
            "organizers": self.organizers.data or "",
            "timezone": self.timezone.data,
            "starts_at": self.aware(self.starts_at),
            "ends_at": self.aware(self.ends_at),
            "venue_name": self.venue_name.data or "",
            "venue_address": self.venue_address.data or "",
            "online_url": self.online_url.data or "",
            "capacity": self.capacity.parsed,
            "max_party_size": self.max_party_size.parsed,
            "registration_opens_at": self.aware(self.registration_opens_at),
            "registration_closes_at": self.aware(self.registration_closes_at),
            "requires_approval": bool(self.requires_approval.data),
            "contact_email": self.contact_email.data,
            "privacy_notice": self.privacy_notice.data,
            "venue_notes": self.venue_notes.data or "",
            "registrants": Registrants(self.registrants.data),
            "organisation_field": FieldUse(self.organisation_field.data),
            "tax_id_field": FieldUse(self.tax_id_field.data),
            "phone_field": FieldUse(self.phone_field.data),
            "asks_party_size": bool(self.asks_party_size.data),
            "allows_in_person": bool(self.allows_in_person.data),
            "allows_online": bool(self.allows_online.data),
            "allows_interest_only": bool(self.allows_interest_only.data),
            "translations": {
                "en": {
                    name: text
                    for name in TRANSLATED_FIELDS
                    if (text := (self[f"{name}_en"].data or ""))
                }
            },
        }


def _same_text(a: str | None, b: str) -> bool:
    """Whether two texts are the same but for line endings and surrounding space (a
    browser sends a textarea back with CRLF)."""
    return (a or "").replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


#: What a new edition does not take from the event it starts from: its address and dates.
NOT_COPIED = ("slug", "starts_at", "ends_at", "registration_opens_at", "registration_closes_at")


def form_data_for_new_edition(event: Event) -> dict:
    """What the new-event editor shows when it starts from *event*: everything the editor
    edits but the address and the dates (left empty to be chosen)."""
    return {**form_data_for(event), **dict.fromkeys(NOT_COPIED, "")}


def form_data_for(event: Event) -> dict:
    """What the editor shows for an existing event (times in its own zone)."""

    def local(moment):
        return moment.astimezone(event.tz).strftime("%Y-%m-%dT%H:%M") if moment else ""

    return {
        "title": event.title,
        "slug": event.slug,
        "summary": event.summary,
        "description": event.description,
        "organizers": event.organizers,
        "timezone": event.timezone,
        "starts_at": local(event.starts_at),
        "ends_at": local(event.ends_at),
        "venue_name": event.venue_name,
        "venue_address": event.venue_address,
        "online_url": event.online_url,
        "capacity": "" if event.capacity is None else str(event.capacity),
        "max_party_size": str(event.max_party_size),
        "registration_opens_at": local(event.registration_opens_at),
        "registration_closes_at": local(event.registration_closes_at),
        "requires_approval": event.requires_approval,
        "contact_email": event.contact_email,
        "privacy_notice": event.privacy_notice,
        "venue_notes": event.venue_notes,
        "registrants": event.registrants.value,
        "organisation_field": event.organisation_field.value,
        "tax_id_field": event.tax_id_field.value,
        "phone_field": event.phone_field.value,
        "asks_party_size": event.asks_party_size,
        "allows_in_person": event.allows_in_person,
        "allows_online": event.allows_online,
        "allows_interest_only": event.allows_interest_only,
        **{f"{name}_en": event.translation(name, "en") for name in TRANSLATED_FIELDS},
    }
