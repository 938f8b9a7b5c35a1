"""The Registration model."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..calendar import CANCEL, REQUEST
from ..dbtypes import UTCDateTime, enum_column, utcnow
from ..events.models import Event
from ..extensions import db


class RegistrationStatus(enum.Enum):
    #: Waiting for an organiser's approval (events that require it); holds no seat.
    pending = "pending"
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    cancelled = "cancelled"
    #: Refused by an organiser.
    rejected = "rejected"


REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.pending: _l("In attesa di approvazione"),
    RegistrationStatus.confirmed: _l("Confermata"),
    RegistrationStatus.waitlisted: _l("In lista d'attesa"),
    RegistrationStatus.cancelled: _l("Ritirata"),
    RegistrationStatus.rejected: _l("Non accettata"),
}

#: A confirmed expression of interest without attendance has been received, not confirmed:
#: there is no seat or place to confirm.
RECEIVED = _l("Ricevuta")


def registration_status_label(registration) -> str:
    """The word for *registration*'s status, as its holder and the organisers read it."""
    if (
        registration.status is RegistrationStatus.confirmed
        and registration.attendance is AttendanceMode.not_attending
    ):
        return str(RECEIVED)
    return str(REGISTRATION_STATUS_LABELS[registration.status])


#: Statuses of registrations that no longer count: withdrawn, or refused by an organiser.
#: :attr:`Registration.is_active` says it of one registration, in Python and in SQL.
INACTIVE_STATUSES = (RegistrationStatus.cancelled, RegistrationStatus.rejected)
#: The statuses of registrations that still count.
ACTIVE_STATUSES = frozenset(RegistrationStatus) - frozenset(INACTIVE_STATUSES)


class AttendanceMode(enum.Enum):
    in_person = "in_person"
    online = "online"
    not_attending = "not_attending"


ATTENDANCE_MODE_LABELS = {
    AttendanceMode.in_person: _l("In presenza"),
    AttendanceMode.online: _l("Online"),
    AttendanceMode.not_attending: _l("Non partecipo, invio solo la manifestazione di interesse"),
}


class Registration(db.Model):
    __tablename__ = "registrations"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "email"),
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint("party_size >= 0", name="party_size_not_negative"),
        # An event's registrations by status, oldest first, ties by id (the waiting list,
        # the organiser's list), and its seats taken summed from the index alone (every
        # registration POST and event page counts them): one index for both, so that a
        # registration is written to one place less (bench/fixes.md).
        sa.Index(
            "ix_registrations_event_id_status",
            "event_id",
            "status",
            "created_at",
            "id",
            "attendance",
            "party_size",
        ),
        # What changed since a time: the organiser's summaries read only that.
        sa.Index("ix_registrations_event_id_updated_at", "event_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    status: Mapped[RegistrationStatus] = mapped_column(enum_column(RegistrationStatus))
    attendance: Mapped[AttendanceMode] = mapped_column(enum_column(AttendanceMode))
    #: People attending with this registration, the registrant included; 0 when not attending.
    party_size: Mapped[int] = mapped_column(sa.Integer, default=1)
    first_name: Mapped[str] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100))
    email: Mapped[str] = mapped_column(sa.String(254))
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    company_name: Mapped[str] = mapped_column(sa.String(200))
    #: Partita IVA, 11 digits.
    vat_number: Mapped[str] = mapped_column(sa.String(11), default="")
    #: Codice fiscale, only where it differs from the VAT number.
    tax_code: Mapped[str] = mapped_column(sa.String(16), default="")
    #: Language the registrant used; every email to them is written in it.
    locale: Mapped[str] = mapped_column(sa.String(5), default="it")
    #: SHA-256 of the self-service token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    privacy_consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    privacy_notice_version: Mapped[int] = mapped_column(sa.Integer)
    #: Consent to hear about future initiatives; optional.
    marketing_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Added to the event's SEQUENCE in this registrant's invitations: raised when their
    #: own copy is cancelled, so that a later invitation replaces the cancellation.
    ical_sequence: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    #: METHOD of the last calendar message this registrant was sent (REQUEST or CANCEL).
    ical_method: Mapped[str | None] = mapped_column(sa.String(10))
    #: When the day-before reminder was queued; at most one per registration.
    reminder_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the personal link was last emailed on request (throttles repeated requests).
    link_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the person was checked in at the door, and how many of their party arrived.
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_count: Mapped[int | None] = mapped_column(sa.Integer)
    #: SHA-256 of the token in the QR code of the confirmation email.
    checkin_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    #: The organiser who entered this registration (someone who phoned), if any.
    registered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizers.id", ondelete="SET NULL")
    )
    #: When the personal data was removed (``flask privacy purge``); counts and sums remain.
    anonymized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship(back_populates="registrations")
    answers: Mapped[list["Answer"]] = relationship(  # noqa: F821
        back_populates="registration", cascade="all, delete-orphan", passive_deletes=True
    )
    #: Links sent earlier that still work (the newest is ``token_hash``).
    earlier_links: Mapped[list["RegistrationLink"]] = relationship(
        back_populates="registration",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="RegistrationLink.id",
    )

    @hybrid_property
    def is_active(self) -> bool:
        """Still counts: not withdrawn, not refused. Also a SQL expression, for queries."""
        return self.status not in INACTIVE_STATUSES

    @is_active.inplace.expression
    @classmethod
    def _is_active_expression(cls):
        return cls.status.not_in(INACTIVE_STATUSES)

    @hybrid_property
    def company_key(self) -> str:
        """What recognises a company among an event's registrations: its VAT number, else
        tax code, else the email; once anonymised, the pseudonym the purge gave it."""
        if self.anonymized_at is not None:
            return "anonymized:" + self.company_name
        return self.vat_number or self.tax_code or self.email

    @company_key.inplace.expression
    @classmethod
    def _company_key_expression(cls):
        return sa.case(
            (cls.anonymized_at.is_not(None), sa.literal("anonymized:") + cls.company_name),
            else_=sa.func.coalesce(
                sa.func.nullif(cls.vat_number, ""), sa.func.nullif(cls.tax_code, ""), cls.email
            ),
        )

    @property
    def is_attending(self) -> bool:
        """Confirmed to attend, in person or online: such a registrant has the invitation."""
        return (
            self.status is RegistrationStatus.confirmed
            and self.attendance is not AttendanceMode.not_attending
        )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def seats(self) -> int:
        """Seats this registration holds in the room (a waitlisted one holds none)."""
        confirmed = self.status is RegistrationStatus.confirmed
        return self.party_size if confirmed and self.attendance is AttendanceMode.in_person else 0

    def calendar_message(
        self, *, had_invite: bool = False, event_cancelled: bool = False, moved: bool = False
    ):
        """The calendar message this registrant is sent now (REQUEST, CANCEL or None), noted
        on the registration; call it once per email, just before queueing it.

        Attendees get an invitation, and one who no longer attends a cancellation of the
        copy they had; when the event is cancelled, attendees get its cancellation. A
        cancellation must outrank the invitation it cancels, and an invitation sent after
        a cancellation must outrank that: calendars ignore what is not newer. *moved*: the
        registrant's copy changed place (they switched between the room and online), so the
        new invitation must outrank the old one too.
        """
        if event_cancelled:
            method = CANCEL if self.is_attending else None
        else:
            method = REQUEST if self.is_attending else (CANCEL if had_invite else None)
        if method is not None:
            if method == CANCEL or self.ical_method == CANCEL or moved:
                self.ical_sequence += 1
            self.ical_method = method
        return method

    def answers_by_question(self) -> dict[int, object]:
        return {answer.question_id: answer.value for answer in self.answers}

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status.value}>"


class RegistrationLink(db.Model):
    """A personal link sent earlier that keeps working after a newer one was sent: a link
    someone holds works until they or an organiser revoke it. Only hashes are stored."""

    __tablename__ = "registration_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    checkin_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="earlier_links")
