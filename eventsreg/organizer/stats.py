"""The numbers of an event's dashboard: counts, registrations per day, answers summed up.

Plain functions over the database, free of request state. Answers are summed once per
company: active registrations are grouped by VAT number (else tax code, else email; by
the pseudonym the purge gave the company once anonymised) and the latest registration of
each company speaks for it.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from ..events.models import Event, Question, QuestionKind
from ..extensions import db
from ..registrations.models import (
    INACTIVE_STATUSES,
    AttendanceMode,
    Registration,
    RegistrationStatus,
)
from ..registrations.questions import YES_NO
from ..registrations.seats import seats_left, seats_taken
from .energy import EnergyCommunity, energy_community
from .rows import Company, RegistrationRow, active_registrations, as_decimal, group_by_company

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
    energy_community: EnergyCommunity | None


def event_dashboard(event: Event) -> Dashboard:
    """Everything the dashboard of *event* shows (a fixed handful of queries)."""
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
        )
        .where(Registration.event_id == event.id)
        .group_by(Registration.status, Registration.attendance)
    )
    by_status = dict.fromkeys(RegistrationStatus, 0)
    by_attendance = dict.fromkeys(AttendanceMode, 0)
    checked_in = 0
    for status, attendance, number, arrived in db.session.execute(query):
        by_status[status] += number
        if status not in INACTIVE_STATUSES:
            by_attendance[attendance] += number
            checked_in += arrived
    people = seats_taken(event)
    left = seats_left(event, people)
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
