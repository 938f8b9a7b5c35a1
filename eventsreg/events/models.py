"""Event and Question models."""

import enum
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, enum_column, utcnow
from ..extensions import db


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
    email = "email"
    phone = "phone"
    url = "url"
    vat = "vat"
    ateco = "ateco"
    pod = "pod"
    substation = "substation"


QUESTION_KIND_LABELS = {
    QuestionKind.text: _l("Testo breve"),
    QuestionKind.textarea: _l("Testo lungo"),
    QuestionKind.number: _l("Numero"),
    QuestionKind.choice: _l("Scelta singola"),
    QuestionKind.multichoice: _l("Scelta multipla"),
    QuestionKind.yesno: _l("Sì/No"),
    QuestionKind.checkbox: _l("Dichiarazione da spuntare"),
    QuestionKind.date: _l("Data"),
    QuestionKind.email: _l("Email"),
    QuestionKind.phone: _l("Telefono"),
    QuestionKind.url: _l("Indirizzo web"),
    QuestionKind.vat: _l("Partita IVA"),
    QuestionKind.ateco: _l("Codice ATECO"),
    QuestionKind.pod: _l("Codici POD"),
    QuestionKind.substation: _l("Codice cabina primaria"),
}


class Event(db.Model):
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
        return bool(self.online_url)

    @property
    def offers_in_person(self) -> bool:
        return bool(self.venue_name or self.venue_address)

    @property
    def closes_at(self) -> datetime:
        """When registration closes: the configured time, or the start of the event."""
        return self.registration_closes_at or self.starts_at

    @property
    def active_questions(self) -> list["Question"]:
        return [q for q in self.questions if not q.is_archived]

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class Question(db.Model):
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

    event: Mapped[Event] = relationship(back_populates="questions")
    condition_question: Mapped["Question | None"] = relationship(remote_side=[id])

    @property
    def field_name(self) -> str:
        return f"q_{self.id}"

    def choice_label(self, value) -> str:
        for choice in self.choices:
            if choice["value"] == value:
                return choice["label"]
        return str(value)

    def __repr__(self) -> str:
        return f"<Question {self.code}>"
