"""The numbers of an event's dashboard: counts, registrations per day, answers summed up.

Plain functions over the database, free of request state. Answers are summed once per
company: active registrations are grouped by VAT number (else tax code, else email; by
the pseudonym the purge gave the company once anonymised) and the latest registration of
each company speaks for it.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from ..events.models import Event, Question, QuestionKind
from ..extensions import db
from ..registrations.models import (
    INACTIVE_STATUSES,
    Answer,
    AttendanceMode,
    Registration,
    RegistrationStatus,
)
from ..registrations.questions import YES_NO

#: Questions whose answers add up: two contacts of one company giving different values
#: for them would change the totals, so the dashboard names the disagreement.
SUMMED_KINDS = (QuestionKind.number, QuestionKind.pod, QuestionKind.substation)


@dataclass
class Counts:
    by_status: dict[RegistrationStatus, int]
    #: Active registrations (not withdrawn, not rejected) by attendance mode.
    by_attendance: dict[AttendanceMode, int]
    people_in_person: int
    capacity: int | None
    seats_left: int | None
    checked_in: int

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


@dataclass
class DayCount:
    day: date
    count: int


@dataclass
class OptionCount:
    value: object
    label: str
    count: int
    percent: Decimal


@dataclass
class NumberSummary:
    total: Decimal
    average: Decimal
    minimum: Decimal
    maximum: Decimal
    count: int
    unit: str


@dataclass
class QuestionSummary:
    question: Question
    #: Companies that answered.
    respondents: int
    options: list[OptionCount] | None = None
    numbers: NumberSummary | None = None
    #: POD questions: supply points given in all.
    pod_count: int | None = None
    #: Substation questions: the distinct codes given.
    codes: list[str] | None = None


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
    answers: dict[int, object] = field(default_factory=dict)
    #: Anonymised (``flask privacy purge``): the company is known only by its pseudonym.
    anonymized: bool = False

    @property
    def company_key(self) -> str:
        if self.anonymized:
            # The purge gives each company of the event its own pseudonym.
            return "anonymized:" + self.company_name
        return self.vat_number or self.tax_code or self.email.lower()


@dataclass
class Company:
    #: Latest first: the first registration's answers are the company's.
    registrations: list[RegistrationRow]

    @property
    def latest(self) -> RegistrationRow:
        return self.registrations[0]


@dataclass
class Disagreement:
    company_name: str
    question: Question
    #: What each registration of the company gave, latest (the one counted) first.
    values: list[tuple[RegistrationRow, object]]


@dataclass
class Dashboard:
    counts: Counts
    days: list[DayCount]
    active_registrations: int
    companies: int
    questions: list[QuestionSummary]
    disagreements: list[Disagreement]
    energy_community: "EnergyCommunity | None"  # noqa: F821


def event_dashboard(event: Event) -> Dashboard:
    """Everything the dashboard of *event* shows (a fixed handful of queries)."""
    from .energy import energy_community

    rows = active_registrations(event)
    companies = group_by_company(rows)
    latest = [company.latest for company in companies]
    questions = list(event.questions)
    return Dashboard(
        counts=counts(event),
        days=registrations_per_day(event),
        active_registrations=len(rows),
        companies=len(companies),
        questions=[summarise(question, latest) for question in questions],
        disagreements=disagreements(companies, questions),
        energy_community=energy_community(questions, latest, rows),
    )


def counts(event: Event) -> Counts:
    """Registrations by status and attendance, people expected, seats left, check-ins."""
    query = (
        sa.select(
            Registration.status,
            Registration.attendance,
            sa.func.count(),
            sa.func.count(Registration.checked_in_at),
            sa.func.coalesce(sa.func.sum(Registration.party_size), 0),
        )
        .where(Registration.event_id == event.id)
        .group_by(Registration.status, Registration.attendance)
    )
    by_status = dict.fromkeys(RegistrationStatus, 0)
    by_attendance = dict.fromkeys(AttendanceMode, 0)
    checked_in = people = 0
    for status, attendance, number, arrived, party in db.session.execute(query):
        by_status[status] += number
        if status not in INACTIVE_STATUSES:
            by_attendance[attendance] += number
            checked_in += arrived
        # The seats taken, counted as events.services.seats_taken counts them.
        if status is RegistrationStatus.confirmed and attendance is AttendanceMode.in_person:
            people = int(party)
    left = None if event.capacity is None else max(event.capacity - people, 0)
    return Counts(by_status, by_attendance, people, event.capacity, left, checked_in)


def registrations_per_day(event: Event) -> list[DayCount]:
    """Registrations received per day in the event's zone, days without any included."""
    # The day depends on the event's zone, which SQLite cannot convert to: read only the
    # times and count them here.
    times = db.session.scalars(
        sa.select(Registration.created_at).where(Registration.event_id == event.id)
    )
    per_day = Counter(moment.astimezone(event.tz).date() for moment in times)
    if not per_day:
        return []
    first, last = min(per_day), max(per_day)
    span = range((last - first).days + 1)
    return [DayCount(day, per_day[day]) for day in (first + timedelta(n) for n in span)]


def active_registrations(event: Event) -> list[RegistrationRow]:
    """The event's active registrations with their answers, in one query."""
    query = (
        sa.select(Registration, Answer.question_id, Answer.value)
        .outerjoin(Answer, Answer.registration_id == Registration.id)
        .where(Registration.event_id == event.id, Registration.status.not_in(INACTIVE_STATUSES))
        .order_by(Registration.id)
    )
    rows: dict[int, RegistrationRow] = {}
    for registration, question_id, value in db.session.execute(query):
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


def as_decimal(value) -> Decimal:
    return Decimal(str(value))


def _options(values: list, label, counter: Counter, base: int) -> list[OptionCount]:
    # The offered values in their order, then any value no longer offered.
    values = values + sorted((v for v in counter if v not in values), key=str)
    return [
        OptionCount(
            value=value,
            label=label(value),
            count=counter[value],
            percent=round(Decimal(100 * counter[value]) / base, 1) if base else Decimal(0),
        )
        for value in values
    ]


def summarise(question: Question, rows: list[RegistrationRow]) -> QuestionSummary:
    """The answers to *question* among *rows* (one per company), summed up by kind."""
    given = [r.answers[question.id] for r in rows if r.answers.get(question.id) not in (None, "")]
    summary = QuestionSummary(question=question, respondents=len(given))
    kind = question.kind
    offered = [choice["value"] for choice in question.choices]
    if kind is QuestionKind.choice:
        summary.options = _options(offered, question.choice_label, Counter(given), len(given))
    elif kind is QuestionKind.multichoice:
        ticked = Counter(value for values in given for value in values)
        summary.options = _options(offered, question.choice_label, ticked, len(given))
    elif kind in (QuestionKind.yesno, QuestionKind.checkbox):
        answers = Counter("yes" if value else "no" for value in given)
        # An unticked declaration is not stored: only its "yes" can be counted.
        offered = ["yes"] if kind is QuestionKind.checkbox else list(YES_NO)
        summary.options = _options(offered, YES_NO.get, answers, len(given))
    elif kind is QuestionKind.number:
        values = [as_decimal(value) for value in given]
        if values:
            total = sum(values, Decimal(0))
            summary.numbers = NumberSummary(
                total=total,
                average=round(total / len(values), 2),
                minimum=min(values),
                maximum=max(values),
                count=len(values),
                unit=(question.settings or {}).get("unit", ""),
            )
    elif kind is QuestionKind.pod:
        summary.pod_count = sum(len(values) for values in given)
    elif kind is QuestionKind.substation:
        summary.codes = sorted(set(given))
    return summary


def _comparable(value):
    # 120000 and 120000.0 are the same number; POD lists are compared as sets.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return as_decimal(value).normalize()
    if isinstance(value, list):
        return tuple(sorted(value))
    return value


def disagreements(companies: list[Company], questions: list[Question]) -> list[Disagreement]:
    """Companies whose registrations gave different values for a question that adds up.

    A value given only by an older registration counts too: the latest one, which is the
    one summed, drops it.
    """
    found = []
    summed = [q for q in questions if q.kind in SUMMED_KINDS]
    for company in companies:
        if len(company.registrations) < 2:
            continue
        for question in summed:
            values = [(row, row.answers.get(question.id)) for row in company.registrations]
            given = {_comparable(value) for _row, value in values if value not in (None, [])}
            if len(given) > 1 or (given and values[0][1] in (None, [])):
                found.append(Disagreement(company.latest.company_name, question, values))
    return found
