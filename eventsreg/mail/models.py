"""The outbox: every email is a row, written in the transaction that causes it.

A row names the event and the registration it concerns by id only: the outbox serves
every layer above it and imports none of them.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import UTCDateTime, enum_column, utcnow
from ..extensions import db


class OutboxStatus(enum.Enum):
    queued = "queued"
    #: Claimed by a delivery worker; back to queued if the worker dies.
    sending = "sending"
    sent = "sent"
    failed = "failed"


OUTBOX_STATUS_LABELS = {
    OutboxStatus.queued: _l("In coda"),
    OutboxStatus.sending: _l("In invio"),
    OutboxStatus.sent: _l("Inviata"),
    OutboxStatus.failed: _l("Non recapitata"),
}


class EmailKind(enum.Enum):
    confirmation = "confirmation"
    change = "change"
    withdrawal = "withdrawal"
    promotion = "promotion"
    approved = "approved"
    rejected = "rejected"
    event_update = "event_update"
    event_cancelled = "event_cancelled"
    link = "link"
    reminder = "reminder"
    #: An organiser's own text to registrants.
    message = "message"
    #: Confirms that a registration and its data were erased.
    erasure = "erasure"
    #: Forwards a visitor's report of an accessibility barrier.
    accessibility_report = "accessibility_report"


class OutboxEmail(db.Model):
    __tablename__ = "outbox_emails"
    __table_args__ = (
        sa.Index("ix_outbox_emails_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EmailKind] = mapped_column(enum_column(EmailKind))
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus), default=OutboxStatus.queued
    )
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="SET NULL"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    to_address: Mapped[str] = mapped_column(sa.String(254))
    to_name: Mapped[str] = mapped_column(sa.String(200), default="")
    reply_to: Mapped[str] = mapped_column(sa.String(254), default="")
    #: Fixed when queued, so that a retried message keeps its identity.
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    subject: Mapped[str] = mapped_column(sa.String(300))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str] = mapped_column(sa.Text)
    #: What the bodies and the invitation are to be written from, when they are written at
    #: delivery rather than when queued (see outbox.write); NULL once written.
    draft: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True))
    #: The invitation attached, and its METHOD (REQUEST or CANCEL).
    ics: Mapped[str | None] = mapped_column(sa.Text)
    ics_method: Mapped[str | None] = mapped_column(sa.String(10))
    #: The personal token the bodies refer to, sealed; forgotten once the message is sent.
    secret: Mapped[str | None] = mapped_column(sa.String(255))
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: While a worker sends it: when it last renewed its claim, and which worker it is.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    #: When the message was written to the log because no mail server is configured.
    logged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<OutboxEmail {self.id} {self.kind.value} {self.status.value}>"
