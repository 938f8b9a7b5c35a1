"""Answers to an event's questions; a change to a question is a new version of its event."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..database import changed_parents
from ..events.models import Event, Question, moved_version
from ..extensions import db


class Answer(db.Model):
    """A registration's answer to one of the event's questions."""

    __tablename__ = "answers"
    __table_args__ = (sa.UniqueConstraint("registration_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE")
    )
    #: Not indexed on its own: an index led by the question would take each registration's
    #: answers to as many places as it has questions (one page written per question, half
    #: of what a registration writes). Answers are found by registration; a question's
    #: answers through its event's registrations (``builder.answers_of``).
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="RESTRICT"))
    #: JSON value by question kind: string, number, boolean, or list (multichoice, POD codes).
    value: Mapped[object] = mapped_column(sa.JSON)

    registration: Mapped["Registration"] = relationship(back_populates="answers")  # noqa: F821
    question: Mapped[Question] = relationship()


@sa.event.listens_for(Session, "before_flush")
def _questions_change_their_event(session: Session, flush_context, instances) -> None:
    """A question added, changed or removed moves its event's ``updated_at``: what is kept
    per event version (the registration form built from the questions, see
    :mod:`.frozen`) is then built afresh, in every process, as after a change to the event."""
    for event in changed_parents(session, Question, "event", Event, "event_id"):
        event.updated_at = moved_version(event.updated_at)
