"""Answers to an event's questions."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..events.models import Question
from ..extensions import db


class Answer(db.Model):
    """A registration's answer to one of the event's questions."""

    __tablename__ = "answers"
    __table_args__ = (sa.UniqueConstraint("registration_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE")
    )
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="RESTRICT"), index=True
    )
    #: JSON value by question kind: string, number, boolean, or list (multichoice, POD codes).
    value: Mapped[object] = mapped_column(sa.JSON)

    registration: Mapped["Registration"] = relationship(back_populates="answers")  # noqa: F821
    question: Mapped[Question] = relationship()
