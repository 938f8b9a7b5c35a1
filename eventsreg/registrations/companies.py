"""An event's active registrations as rows with their answers, grouped by company.

What the dashboard and the energy-community panel sum up: answers count once per company,
the latest registration of each company speaking for it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

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


def active_registrations(event: Event) -> list[RegistrationRow]:
    """The event's active registrations with their answers, in one query."""
    query = (
        sa.select(Registration, Registration.company_key, Answer.question_id, Answer.value)
        .outerjoin(Answer, Answer.registration_id == Registration.id)
        .where(Registration.event_id == event.id, Registration.is_active)
        .order_by(Registration.id)
    )
    rows: dict[int, RegistrationRow] = {}
    for registration, company_key, question_id, value in db.session.execute(query):
        row = rows.get(registration.id)
        if row is None:
            row = rows[registration.id] = RegistrationRow(
                id=registration.id,
                created_at=registration.created_at,
                company_name=registration.company_name,
                full_name=registration.full_name,
                email=registration.email,
                vat_number=registration.vat_number,
                tax_code=registration.tax_code,
                company_key=company_key,
                anonymized=registration.anonymized_at is not None,
            )
        if question_id is not None:
            row.answers[question_id] = value
    return list(rows.values())


def group_by_company(rows: list[RegistrationRow]) -> list[Company]:
    """Registrations grouped by company, each group latest first."""
    groups: dict[str, list[RegistrationRow]] = defaultdict(list)
    for row in rows:
        groups[row.company_key].append(row)
    return [
        Company(sorted(group, key=lambda r: (r.created_at, r.id), reverse=True))
        for group in groups.values()
    ]
