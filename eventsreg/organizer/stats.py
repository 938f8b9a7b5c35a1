"""The numbers of an event's dashboard: counts, registrations per day, answers summed up.

Plain functions over the database, free of request state. Answers are summed once per
company: active registrations are grouped by VAT number (else tax code, else email; by
the pseudonym the purge gave the company once anonymised) and the latest registration of
each company speaks for it. Beside each answer the registrations list can filter by, the
active registrations giving it are counted in SQL, as the list counts them.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from ..energy.picture import EnergyPicture, energy_picture
from ..events.models import Event, Question
from ..extensions import db
from ..questions.kinds import NumberSummary, OptionCount, kind_of
from ..questions.models import Answer
from ..registrations.companies import (
    Company,
    RegistrationRow,
    active_registrations,
    group_by_company,
)
from ..registrations.models import (
    ACTIVE_STATUSES,
    INACTIVE_STATUSES,
    AttendanceMode,
    Registration,
    RegistrationStatus,
)
from ..registrations.seats import seats_left, seats_taken
from . import versions


@dataclass
class Counts:
    by_status: dict[RegistrationStatus, int]
    #: Active registrations (not withdrawn, not rejected) by attendance mode.
    by_attendance: dict[AttendanceMode, int]
    people_in_person: int
    #: Confirmed registrations in person: those the people expected come with.
    confirmed_in_person: int
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
class OptionRow:
    """One option of a question's summary and what the registrations list shows of it."""

    option: OptionCount
    #: The list's filter value for this answer (the question's GET parameter), or None
    #: when the list cannot filter by it (a kind without filters, an option since removed).
    filter: str | None = None
    #: Active registrations giving this answer, as the list filtered by it counts them.
    registrations: int | None = None


@dataclass
class QuestionSummary:
    question: Question
    #: Companies that answered.
    respondents: int
    #: Share of each option (choices, yes/no, years).
    options: list[OptionCount] | None = None
    #: The options again, with their filter and the registrations giving each.
    rows: list[OptionRow] | None = None
    #: Several options may be ticked: shares do not add up to 100.
    multiple: bool = False
    numbers: NumberSummary | None = None
    #: POD questions: supply points given in all.
    pod_count: int | None = None
    #: Substation and ATECO questions: the distinct codes given.
    codes: list[str] | None = None

    @property
    def filterable(self) -> bool:
        """The registrations list can filter by some of the options."""
        return any(row.filter is not None for row in self.rows or ())


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
    """Everything the dashboard of *event* shows, kept per version of its registrations
    (:mod:`.versions`): one aggregate query while nothing changed."""
    return versions.kept(event, "dashboard", lambda: _event_dashboard(event))


def energy_community(event: Event, companies: list[Company] | None = None):
    """The event's energy-community picture (None without the questionnaire), kept per
    version of its registrations: the dashboard and the panel share it."""
    return versions.kept(event, "energy", lambda: energy_picture(event, companies))


def _event_dashboard(event: Event) -> Dashboard:
    """Everything the dashboard of *event* shows (a fixed handful of queries)."""
    rows = active_registrations(event)
    companies = group_by_company(rows)
    latest = [company.latest for company in companies]
    questions = list(event.questions)
    summaries = summarise_all(questions, latest)
    count_answer_registrations(event, summaries)
    return Dashboard(
        counts=counts(event),
        days=registrations_per_day(event),
        active_registrations=len(rows),
        companies=len(companies),
        questions=summaries,
        disagreements=disagreements(companies, questions),
        energy_community=energy_community(event, companies),
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
    checked_in = confirmed_in_person = 0
    for status, attendance, number, arrived in db.session.execute(query):
        by_status[status] += number
        if status not in INACTIVE_STATUSES:
            by_attendance[attendance] += number
            checked_in += arrived
        if (status, attendance) == (RegistrationStatus.confirmed, AttendanceMode.in_person):
            confirmed_in_person = number
    people = seats_taken(event)
    left = seats_left(event, people)
    return Counts(
        by_status=by_status,
        by_attendance=by_attendance,
        people_in_person=people,
        confirmed_in_person=confirmed_in_person,
        capacity=event.capacity,
        seats_left=left,
        checked_in=checked_in,
    )


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
    return summarise_all([question], rows)[0]


def summarise_all(questions: list[Question], rows: list[RegistrationRow]) -> list[QuestionSummary]:
    """Each of *questions* summed up over *rows* (one per company), the answers gathered
    in one pass over the rows (not one pass per question)."""
    given: dict[int, list] = {question.id: [] for question in questions}
    for row in rows:
        for question_id, value in row.answers.items():
            if value is not None and value != "":
                values = given.get(question_id)
                if values is not None:
                    values.append(value)
    return [_summary(question, given[question.id]) for question in questions]


def _summary(question: Question, given: list) -> QuestionSummary:
    """*question*'s answers (none empty), in the rows' order, summed up."""
    kind = kind_of(question)
    result = kind.summarise(question, given)
    filters = (
        {value for value, _label in kind.filter_options(question)} if kind.filterable else set()
    )
    option_rows = None
    if result.options is not None:
        option_rows = [
            OptionRow(option, filter=str(option.value) if str(option.value) in filters else None)
            for option in result.options
        ]
    return QuestionSummary(
        question=question,
        respondents=len(given),
        options=result.options,
        rows=option_rows,
        multiple=result.multiple,
        numbers=result.numbers,
        pod_count=result.count,
        codes=result.codes or None,
    )


def count_answer_registrations(event: Event, summaries: list[QuestionSummary]) -> None:
    """Fill in each filterable option's active registrations giving that answer, in one
    query: what the registrations list shows when filtered by the answer and "active"
    (one answer per registration and question, matched as the list matches it)."""
    wanted = []
    for summary in summaries:
        kind = kind_of(summary.question)
        for row in summary.rows or ():
            if row.filter is not None:
                value = kind.filter_value(summary.question, row.filter)
                if value is not None:
                    wanted.append((summary.question, value, row))
    if not wanted:
        return
    stored = sa.cast(Answer.value, sa.Text)
    columns = [
        sa.func.coalesce(
            sa.func.sum(
                sa.case(
                    (
                        sa.and_(
                            Answer.question_id == question.id,
                            kind_of(question).filter_matches(stored, value),
                        ),
                        1,
                    ),
                    else_=0,
                )
            ),
            0,
        )
        for question, value, _row in wanted
    ]
    query = (
        sa.select(*columns)
        .select_from(Answer)
        .join(Registration, Registration.id == Answer.registration_id)
        .where(
            Registration.event_id == event.id,
            Registration.status.in_(sorted(ACTIVE_STATUSES, key=lambda s: s.value)),
            Answer.question_id.in_({question.id for question, _value, _row in wanted}),
        )
    )
    for (_question, _value, row), number in zip(
        wanted, db.session.execute(query).one(), strict=True
    ):
        row.registrations = int(number)


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
