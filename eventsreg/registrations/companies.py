"""An event's active registrations as rows with their answers, grouped by company.

What the dashboard and the energy-community panel sum up: answers count once per company,
the latest registration of each company speaking for it.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..database import changed_parents
from ..dbtypes import utcnow
from ..events.models import Event
from ..extensions import db
from ..questions.models import Answer
from .models import Registration


@dataclass
class RegistrationRow:
    """One active registration with its answers (question id → stored value)."""

    id: int
    created_at: datetime
    company_name: str
    full_name: str
    email: str
    vat_number: str
    tax_code: str
    #: What recognises the company (:attr:`Registration.company_key`).
    company_key: str
    answers: dict[int, object] = field(default_factory=dict)
    #: Anonymised (``flask privacy purge``): the company is known only by its pseudonym.
    anonymized: bool = False


@dataclass
class Company:
    #: Latest first: the first registration's answers are the company's.
    registrations: list[RegistrationRow]

    @property
    def latest(self) -> RegistrationRow:
        return self.registrations[0]


#: The columns a :class:`RegistrationRow` is made of, in its order.
ROW_COLUMNS = (
    Registration.id,
    Registration.created_at,
    Registration.company_name,
    Registration.first_name,
    Registration.last_name,
    Registration.email,
    Registration.vat_number,
    Registration.tax_code,
    Registration.company_key,
    Registration.anonymized_at,
)


def registration_row(values) -> RegistrationRow:
    """A :class:`RegistrationRow` (no answers yet) of a result row of :data:`ROW_COLUMNS`."""
    id_, created, company, first, last, email, vat, tax, key, anonymized = values
    return RegistrationRow(
        id=id_,
        created_at=created,
        company_name=company,
        full_name=f"{first} {last}".strip(),
        email=email,
        vat_number=vat,
        tax_code=tax,
        company_key=key,
        anonymized=anonymized is not None,
    )


def active_registrations(event: Event) -> list[RegistrationRow]:
    """The event's active registrations with their answers, in two plain queries (no ORM
    objects: a large event has hundreds of thousands of answers)."""
    active = (Registration.event_id == event.id, Registration.is_active)
    query = sa.select(*ROW_COLUMNS).where(*active).order_by(Registration.id)
    # Through the session's connection: plain rows, without the ORM's bookkeeping.
    connection = db.session.connection()
    rows = {values[0]: registration_row(values) for values in connection.execute(query)}
    answers = (
        sa.select(Answer.registration_id, Answer.question_id, sa.cast(Answer.value, sa.Text))
        .join(Registration, Registration.id == Answer.registration_id)
        .where(*active)
    )
    add_answers(rows, connection.execute(answers))
    return list(rows.values())


def add_answers(rows: dict[int, RegistrationRow], answers, decoded: dict | None = None) -> None:
    """Put *answers* (registration id, question id, value as stored JSON text) into the
    *rows* they belong to. The values are decoded here: most of them repeat (an option,
    yes or no, a band), and each distinct text is decoded once (*decoded* keeps them)."""
    decoded = {} if decoded is None else decoded
    for registration_id, question_id, text in answers:
        row = rows.get(registration_id)
        if row is not None:  # one that became active between the two reads waits
            row.answers[question_id] = _decoded(text, decoded)


def _decoded(text: str | None, seen: dict[str, object]) -> object:
    """The value a stored JSON text holds, as the column's type reads it. Plain values
    (strings, numbers, booleans) are decoded once per distinct text and shared; lists and
    objects, which could be changed in place, are decoded afresh for each answer."""
    if text is None:
        return None
    if text[:1] in ("[", "{"):
        return json.loads(text)
    try:
        return seen[text]
    except KeyError:
        value = seen[text] = json.loads(text)
        return value


def group_by_company(rows: list[RegistrationRow]) -> list[Company]:
    """Registrations grouped by company, each group latest first."""
    groups: dict[str, list[RegistrationRow]] = defaultdict(list)
    for row in rows:
        groups[row.company_key].append(row)
    return [
        Company(sorted(group, key=lambda r: (r.created_at, r.id), reverse=True))
        for group in groups.values()
    ]


@sa.event.listens_for(Session, "before_flush")
def _answers_change_their_registration(session: Session, flush_context, instances) -> None:
    """An answer added, changed or removed moves its registration's ``updated_at``, as a
    change to the registration's own fields does: what is summed up from the answers and
    kept per version of the registrations (the organiser's dashboard) is built again."""
    changed: dict[int, Registration] = {}
    for obj in session.dirty:
        # An answer taken off its registration's list (deleted as an orphan during the
        # flush, after this hook): the list's change says so.
        if isinstance(obj, Registration) and sa.inspect(obj).attrs.answers.history.deleted:
            changed[id(obj)] = obj
    for registration in changed_parents(
        session, Answer, "registration", Registration, "registration_id"
    ):
        changed[id(registration)] = registration
    for registration in changed.values():
        registration.updated_at = utcnow()
