"""The numbers of an event's dashboard: counts, registrations per day, answers summed up.

Plain functions over the database, free of request state. Answers are summed once per
company: active registrations are grouped by VAT number (else tax code, else email; by
the pseudonym the purge gave the company once anonymised) and the latest registration of
each company speaks for it.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from ..energy.picture import EnergyPicture, energy_picture
from ..events.models import Event, Question
from ..extensions import db
from ..questions.kinds import NumberSummary, OptionCount, kind_of
from ..registrations.companies import (
    Company,
    RegistrationRow,
    active_registrations,
    group_by_company,
)
from ..registrations.models import (
    INACTIVE_STATUSES,
    AttendanceMode,
    Registration,
    RegistrationStatus,
)
from ..registrations.seats import seats_left, seats_taken


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
class QuestionSummary:
    question: Question
    #: Companies that answered.
    respondents: int
    #: Share of each option (choices, yes/no, years).
    options: list[OptionCount] | None = None
    #: Several options may be ticked: shares do not add up to 100.
    multiple: bool = False
    numbers: NumberSummary | None = None
    #: POD questions: supply points given in all.
    pod_count: int | None = None
    #: Substation and ATECO questions: the distinct codes given.
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
    energy_community: EnergyPicture | None


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
        energy_community=energy_picture(event, companies),
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


def summarise(question: Question, rows: list[RegistrationRow]) -> QuestionSummary:
    """The answers to *question* among *rows* (one per company), summed up as its kind
    sums them up."""
    given = [r.answers[question.id] for r in rows if r.answers.get(question.id) not in (None, "")]
    result = kind_of(question).summarise(question, given)
    return QuestionSummary(
        question=question,
        respondents=len(given),
        options=result.options,
        multiple=result.multiple,
        numbers=result.numbers,
        pod_count=result.count,
        codes=result.codes or None,
    )


def disagreements(companies: list[Company], questions: list[Question]) -> list[Disagreement]:
    """Companies whose registrations gave different values for a question where that
    matters (a measure summed, codes mapped: see ``compared_across_contacts``).

    A value given only by an older registration counts too: the latest one, which is the
    one summed, drops it.
    """
    found = []
    compared = [q for q in questions if kind_of(q).compared_across_contacts]
    for company in companies:
        if len(company.registrations) < 2:
            continue
        for question in compared:
            kind = kind_of(question)
            values = [(row, row.answers.get(question.id)) for row in company.registrations]
            given = {kind.comparable(value) for _row, value in values if value not in (None, [])}
            if len(given) > 1 or (given and values[0][1] in (None, [])):
                found.append(Disagreement(company.latest.company_name, question, values))
    return found
