"""Event and Question models."""

import enum
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..dbtypes import UTCDateTime, enum_column, utcnow
from ..extensions import db
from ..translated import Translated, current_locale


class EventStatus(enum.Enum):
    draft = "draft"
    published = "published"
    cancelled = "cancelled"


EVENT_STATUS_LABELS = {
    EventStatus.draft: _l("Bozza"),
    EventStatus.published: _l("Pubblicato"),
    EventStatus.cancelled: _l("Annullato"),
}


class QuestionKind(enum.Enum):
    text = "text"
    textarea = "textarea"
    number = "number"
    choice = "choice"
    multichoice = "multichoice"
    yesno = "yesno"
    checkbox = "checkbox"
    date = "date"
    #: A calendar year (when a plant started): never grouped, never summed.
    year = "year"
    email = "email"
    phone = "phone"
    url = "url"
    vat = "vat"
    ateco = "ateco"
    pod = "pod"
    substation = "substation"
    #: Supply points, each with its primary substation and annual consumption.
    supply_points = "supply_points"


class Registrants(enum.Enum):
    """Who an event's form is for: it decides the standard fields' words."""

    organisations = "organisations"
    people = "people"
    both = "both"


REGISTRANTS_LABELS = {
    Registrants.organisations: _l("Aziende ed enti"),
    Registrants.people: _l("Privati cittadini"),
    Registrants.both: _l("Sia aziende ed enti sia privati"),
}


class FieldUse(enum.Enum):
    """Whether the form asks a standard field, and whether an answer is needed."""

    hidden = "hidden"
    optional = "optional"
    required = "required"


FIELD_USE_LABELS = {
    FieldUse.hidden: _l("Non chiedere"),
    FieldUse.optional: _l("Facoltativo"),
    FieldUse.required: _l("Obbligatorio"),
}


class Meaning(enum.Enum):
    """What a question's answers are, whatever its words: panels and exports find their
    data by it (the energy-community panel sums "annual consumption" wherever it is)."""

    annual_consumption_kwh = "annual_consumption_kwh"
    roof_area_m2 = "roof_area_m2"
    existing_pv_kwp = "existing_pv_kwp"
    existing_pv_year = "existing_pv_year"
    planned_pv_kwp = "planned_pv_kwp"
    pod_codes = "pod_codes"
    primary_substation = "primary_substation"
    ateco_code = "ateco_code"
    company_size = "company_size"
    member_kind = "member_kind"
    community_role = "community_role"
    area = "area"
    interest = "interest"
    has_pv = "has_pv"
    staff_band = "staff_band"
    turnover_band = "turnover_band"
    balance_sheet_band = "balance_sheet_band"
    part_of_group = "part_of_group"
    ateco_edition = "ateco_edition"
    supply_points = "supply_points"
    existing_pv_period = "existing_pv_period"
    existing_pv_substation = "existing_pv_substation"
    planned_pv_substation = "planned_pv_substation"
    net_metering = "net_metering"
    asbestos_roof = "asbestos_roof"


MEANING_LABELS = {
    Meaning.annual_consumption_kwh: _l("Consumo annuo di energia elettrica (kWh)"),
    Meaning.roof_area_m2: _l("Superficie di tetto disponibile (m²)"),
    Meaning.existing_pv_kwp: _l("Potenza del fotovoltaico esistente (kWp)"),
    Meaning.existing_pv_year: _l("Anno di entrata in esercizio del fotovoltaico esistente"),
    Meaning.planned_pv_kwp: _l("Potenza del fotovoltaico previsto (kWp)"),
    Meaning.pod_codes: _l("Codici dei punti di prelievo (POD)"),
    Meaning.primary_substation: _l("Cabina primaria"),
    Meaning.ateco_code: _l("Codice ATECO"),
    Meaning.company_size: _l("Dimensione dell'impresa"),
    Meaning.member_kind: _l("Tipo di membro (impresa, ente, persona…)"),
    Meaning.community_role: _l("Ruolo nella comunità (consumatore, produttore…)"),
    Meaning.area: _l("Area"),
    Meaning.interest: _l("Interesse ad aderire"),
    Meaning.has_pv: _l("Ha già un impianto fotovoltaico"),
    Meaning.staff_band: _l("Addetti dell'impresa (fascia)"),
    Meaning.turnover_band: _l("Fatturato annuo dell'impresa (fascia)"),
    Meaning.balance_sheet_band: _l("Totale di bilancio dell'impresa (fascia)"),
    Meaning.part_of_group: _l("Impresa parte di un gruppo"),
    Meaning.ateco_edition: _l("Edizione del codice ATECO"),
    Meaning.supply_points: _l("Punti di prelievo con cabina primaria e consumo"),
    Meaning.existing_pv_period: _l(
        "Entrata in esercizio del fotovoltaico esistente (prima o dopo il 16/12/2021)"
    ),
    Meaning.existing_pv_substation: _l("Cabina primaria del fotovoltaico esistente"),
    Meaning.planned_pv_substation: _l("Cabina primaria del fotovoltaico previsto"),
    Meaning.net_metering: _l("Scambio sul posto attivo"),
    Meaning.asbestos_roof: _l("Copertura in amianto"),
}


class Event(Translated, db.Model):
    __tablename__ = "events"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        sa.CheckConstraint("max_party_size >= 1", name="max_party_size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Markdown, rendered through the sanitiser; never through Jinja.
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: Who organises the event, as shown on its page (one per line).
    organizers: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[EventStatus] = mapped_column(enum_column(EventStatus), default=EventStatus.draft)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: IANA zone in which the times are shown and entered.
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Rome")
    venue_name: Mapped[str] = mapped_column(sa.String(200), default="")
    venue_address: Mapped[str] = mapped_column(sa.String(300), default="")
    #: Link for online attendance; offering it enables the "online" attendance mode.
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Seats for people attending in person; NULL means unlimited.
    capacity: Mapped[int | None] = mapped_column(sa.Integer)
    #: Most people one registration may bring (the registrant included).
    max_party_size: Mapped[int] = mapped_column(sa.Integer, default=5)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: NULL means registration closes when the event starts.
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set by an organiser to close registration before the closing time.
    is_registration_closed: Mapped[bool] = mapped_column(default=False)
    #: Registrations wait for an organiser's yes or no before they count.
    requires_approval: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    #: Markdown privacy notice shown before consent; its version is stored with every consent.
    privacy_notice: Mapped[str] = mapped_column(sa.Text, default="")
    privacy_notice_version: Mapped[int] = mapped_column(sa.Integer, default=1)
    #: iCalendar SEQUENCE: raised on every change of time, place or status.
    ical_sequence: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    #: Texts in other languages: {"en": {"title": …, "summary": …, "description": …,
    #: "venue_notes": …, "privacy_notice": …}}; Italian (the columns) is the fallback.
    translations: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default="{}")
    #: Notes on the venue (parking, entrance, accessibility), under its address.
    venue_notes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    # -- the form profile: who registers, which standard fields, which ways to take part --
    registrants: Mapped[Registrants] = mapped_column(
        enum_column(Registrants),
        default=Registrants.organisations,
        server_default=Registrants.organisations.value,
    )
    #: The organisation's name ("Azienda o ente").
    organisation_field: Mapped[FieldUse] = mapped_column(
        enum_column(FieldUse, name="organisation_field"),
        default=FieldUse.required,
        server_default=FieldUse.required.value,
    )
    #: VAT number or tax code (for people: the tax code).
    tax_id_field: Mapped[FieldUse] = mapped_column(
        enum_column(FieldUse, name="tax_id_field"),
        default=FieldUse.required,
        server_default=FieldUse.required.value,
    )
    phone_field: Mapped[FieldUse] = mapped_column(
        enum_column(FieldUse, name="phone_field"),
        default=FieldUse.optional,
        server_default=FieldUse.optional.value,
    )
    #: The organiser's assumptions for the energy-community estimate (energy/estimate.py).
    energy_assumptions: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default="{}")
    #: Ask how many people come with one registration (up to max_party_size).
    asks_party_size: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    #: Ways to take part offered (in person needs a venue, online a link).
    allows_in_person: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    allows_online: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    #: "I will not attend, I only express interest".
    allows_interest_only: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    questions: Mapped[list["Question"]] = relationship(
        back_populates="event",
        order_by="Question.position",
        cascade="all, delete-orphan",
    )
    registrations: Mapped[list["Registration"]] = relationship(  # noqa: F821
        back_populates="event", cascade="all, delete-orphan", passive_deletes=True
    )
    managers: Mapped[list["Organizer"]] = relationship(  # noqa: F821
        secondary="event_managers", back_populates="events"
    )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.tz)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.tz)

    @property
    def is_published(self) -> bool:
        return self.status is EventStatus.published

    @property
    def is_cancelled(self) -> bool:
        return self.status is EventStatus.cancelled

    @property
    def offers_online(self) -> bool:
        return self.allows_online and bool(self.online_url)

    @property
    def offers_in_person(self) -> bool:
        return self.allows_in_person and bool(self.venue_name or self.venue_address)

    @property
    def offers_interest_only(self) -> bool:
        return self.allows_interest_only

    @property
    def for_organisations(self) -> bool:
        """Registrants may be companies or other organisations (the form asks for one)."""
        return self.registrants is not Registrants.people and (
            self.organisation_field is not FieldUse.hidden
        )

    @property
    def closes_at(self) -> datetime:
        """When registration closes: the configured time, or the start of the event."""
        return self.registration_closes_at or self.starts_at

    @property
    def active_questions(self) -> list["Question"]:
        return [q for q in self.questions if not q.is_archived]

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


def moved_version(before: datetime | None) -> datetime:
    """A new ``updated_at`` for a row last changed at *before*: now, and always later than
    *before*, even within the clock's resolution (it is the row's version: what is kept
    per event version, and the seat lock, tell changes apart by it)."""
    now = utcnow()
    return max(now, before + timedelta(microseconds=1)) if before else now


@sa.event.listens_for(Session, "before_flush")
def _events_move_their_version(session: Session, flush_context, instances) -> None:
    """An event changed through the session gets a new ``updated_at`` (see moved_version)."""
    for event in session.dirty:
        if (
            isinstance(event, Event)
            and session.is_modified(event)
            and not sa.inspect(event).attrs.updated_at.history.has_changes()
        ):
            event.updated_at = moved_version(event.updated_at)


class EventSnapshot(db.Model):
    """An event's columns as they were at one of its versions (``updated_at``), stored
    once: the drafts of the emails queued at that version refer to it (each would
    otherwise carry its own copy, 5 KB for an event with a long description), and the
    email written at delivery says what was true when it was queued. Never changed."""

    __tablename__ = "event_snapshots"
    __table_args__ = (sa.UniqueConstraint("event_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    version: Mapped[datetime] = mapped_column(UTCDateTime)
    #: ``dbtypes.snapshot`` of the event.
    columns: Mapped[dict] = mapped_column(sa.JSON)


class Question(Translated, db.Model):
    """One of an event's own questions; its answers are stored as :class:`Answer`."""

    __tablename__ = "questions"
    __table_args__ = (sa.UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    #: Stable short name, used as the export column header and by conditions.
    code: Mapped[str] = mapped_column(sa.String(64))
    position: Mapped[int] = mapped_column(sa.Integer, default=0)
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind))
    label: Mapped[str] = mapped_column(sa.String(300))
    help_text: Mapped[str] = mapped_column(sa.String(1000), default="")
    is_required: Mapped[bool] = mapped_column(default=False)
    #: Choices as a list of {"value": ..., "label": ...} (choice and multichoice kinds).
    choices: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: Kind-specific settings: unit, min, max, integer (number); max_length (text).
    settings: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: Show this question only when the other question's answer is one of condition_values.
    condition_question_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="SET NULL")
    )
    condition_values: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: Archived questions are no longer asked but keep their answers for the exports.
    is_archived: Mapped[bool] = mapped_column(default=False)
    #: What the answers are, for panels and exports (see :class:`Meaning`); optional.
    meaning: Mapped[Meaning | None] = mapped_column(enum_column(Meaning, length=40))
    #: Label and help in other languages: {"en": {"label": …, "help_text": …}}; the
    #: choices carry their own "label_en".
    translations: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default="{}")

    event: Mapped[Event] = relationship(back_populates="questions")
    condition_question: Mapped["Question | None"] = relationship(remote_side=[id])

    @property
    def field_name(self) -> str:
        return f"q_{self.id}"

    def choice_values(self) -> list[str]:
        return [choice["value"] for choice in self.choices]

    def options(self, locale: str | None = None) -> list[tuple[str, str]]:
        """(value, label) of the choices, labels in *locale* (Italian where missing)."""
        locale = locale or current_locale()
        return [(choice["value"], _choice_label(choice, locale)) for choice in self.choices]

    def choice_label(self, value, locale: str | None = None) -> str:
        locale = locale or current_locale()
        for choice in self.choices:
            if choice["value"] == value:
                return _choice_label(choice, locale)
        return str(value)

    def __repr__(self) -> str:
        return f"<Question {self.code}>"


def _choice_label(choice: dict, locale: str) -> str:
    if locale != "it" and choice.get(f"label_{locale}"):
        return choice[f"label_{locale}"]
    return choice["label"]
