"""Organiser accounts and which events each one manages."""

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..dbtypes import UTCDateTime, utcnow
from ..events.models import Event
from ..extensions import db

#: Which organisers manage which events (administrators manage all of them anyway).
event_managers = sa.Table(
    "event_managers",
    db.metadata,
    sa.Column("event_id", sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organizer_id", sa.ForeignKey("organizers.id", ondelete="CASCADE"), primary_key=True),
)


class Organizer(UserMixin, db.Model):
    __tablename__ = "organizers"
    __table_args__ = (sa.CheckConstraint("email = lower(email)", name="email_lowercase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    #: Administrators manage organiser accounts and every event.
    is_admin: Mapped[bool] = mapped_column(default=False)
    #: A disabled account cannot sign in; its history stays.
    is_enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    events: Mapped[list[Event]] = relationship(secondary=event_managers, back_populates="managers")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(
            password, method=current_app.config["PASSWORD_HASH_METHOD"]
        )

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        return self.is_enabled

    def get_id(self) -> str:
        # Part of the password hash goes into the session: a password change signs out
        # every other session of the account.
        return f"{self.id}:{self.password_hash[-12:]}"

    def can_manage(self, event: Event) -> bool:
        if self.is_admin:
            return True
        return (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(event_managers)
                .where(
                    event_managers.c.event_id == event.id, event_managers.c.organizer_id == self.id
                )
            )
            > 0
        )

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def __repr__(self) -> str:
        return f"<Organizer {self.email}>"


class ExportRecord(db.Model):
    """One export of an event's registrations: who took the data, when, and how much."""

    __tablename__ = "export_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    #: The organiser who downloaded it; None for the command line.
    organizer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizers.id", ondelete="SET NULL")
    )
    #: Who it was, kept as written even if the account is later removed ("cli:<user>" for
    #: the command line).
    actor: Mapped[str] = mapped_column(sa.String(254))
    #: "csv" or "xlsx".
    file_format: Mapped[str] = mapped_column(sa.String(8))
    #: The filters applied, in words (empty for all registrations).
    filters: Mapped[str] = mapped_column(sa.String(500), default="")
    #: The client address of a download through the web.
    remote_addr: Mapped[str] = mapped_column(sa.String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    organizer: Mapped[Organizer | None] = relationship()
