"""The numbers of an event's dashboard: counts, registrations per day, answers summed up.

Answers are summed once per company: active registrations are grouped by VAT number (else
tax code, else email; by the pseudonym the purge gave the company once anonymised) and the
latest registration of each company speaks for it. Beside each answer the registrations
list can filter by, the active registrations giving it are counted, matched as the list
matches them (``filter_accepts``, the Python twin of the list's ``filter_matches``).
Everything summed from the answers is kept per process and brought up to date with the
registrations that changed (:class:`Tally`, :mod:`.versions`); the counts by status come
from SQL on each build.
"""

import bisect
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import get_locale

from ..energy.estimate import (
    TOTALLED,
    ZERO,
    Assumptions,
    Estimate,
    Factors,
    GroupEstimate,
    Range,
    estimate_group,
)
from ..energy.picture import (
    CompanyPicture,
    EnergyPicture,
    SubstationGroup,
    asks_energy_questions,
    company_picture,
    contribute,
    ordered,
    picture_order,
)
from ..events.models import Event, Question
from ..extensions import db
from ..questions import frozen
from ..questions.kinds import NumberSummary, OptionCount, RunningSummary, Summary, kind_of
from ..registrations.companies import Company, RegistrationRow
from ..registrations.company_table import CompanyTable, RowChange
from ..registrations.models import (
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


def _kept(event: Event, name: str, build):
    """*build*'s result from *event*'s tally, kept (:mod:`.versions`): one aggregate query
    while nothing changed."""
    return versions.summary(event, *Tally.of(event), name, build)


def event_dashboard(event: Event) -> Dashboard:
    """Everything the dashboard of *event* shows: summed up once per process and then kept
    up to date with the registrations that changed."""
    return _kept(event, "dashboard", lambda kept: _dashboard(event, kept))


def energy_figures(event: Event, assumptions: Assumptions) -> tuple[EnergyPicture, Estimate]:
    """The event's energy-community picture (the dashboard shares it) and its estimate
    under *assumptions* (the event's saved ones: saving others changes the event, and so
    the version they are kept for). Only for an event that asks the questionnaire."""

    def build(kept: versions.Kept):
        return _picture(kept), kept.tally.estimate(assumptions)

    return _kept(event, f"estimate {sorted(assumptions.saved().items())}", build)


def _picture(kept: versions.Kept) -> EnergyPicture:
    return kept.result("energy", kept.tally.picture)


def _dashboard(event: Event, kept: versions.Kept) -> Dashboard:
    tally: Tally = kept.tally  # type: ignore[assignment]
    summaries = tally.summaries()
    return Dashboard(
        counts=counts(event),
        days=tally.days(),
        active_registrations=len(kept.table.rows),
        companies=len(tally.latest),
        questions=summaries,
        disagreements=tally.disagreements(),
        energy_community=_picture(kept) if tally.energy else None,
    )


def _value_key(value) -> tuple:
    """What tells stored values apart (True is not 1; lists by their contents)."""
    if isinstance(value, list | dict):
        return (list, json.dumps(value, sort_keys=True))
    return (type(value), value)


class Tally:
    """An event's answers summed up by company (the latest registration of each speaking
    for it) and by registration, its companies' disagreements and energy-community
    pictures: built once from a :class:`CompanyTable`, then brought up to date by the
    registrations that changed, recounting only their companies."""

    @classmethod
    def of(cls, event: Event):
        """How to make the tally of *event* from a table, and what it depends on."""
        questions = frozen.questions(event)
        zone = event.tz
        return lambda table: cls(table, questions.all, zone), (str(zone), questions.contents)

    def __init__(self, table: CompanyTable, questions, zone):
        self.table = table
        self.questions = list(questions)
        self.zone = zone
        self.by_meaning = {q.meaning: q for q in self.questions if q.meaning is not None}
        self.energy = asks_energy_questions(self.by_meaning)
        self.compared = [q for q in self.questions if kind_of(q).compared_across_contacts]
        self.filtered = {q.id for q in self.questions if kind_of(q).filterable}
        self.rebuild()

    def rebuild(self) -> None:
        #: Each company's latest active registration.
        self.latest: dict[str, RegistrationRow] = {}
        #: Per question, the companies giving each value (by :func:`_value_key`)…
        self.by_company: dict[int, Counter] = {q.id: Counter() for q in self.questions}
        #: …and the active registrations giving it (questions the list filters by).
        self.by_registration: dict[int, Counter] = {q: Counter() for q in self.filtered}
        #: The companies' answers summed up as they are counted, for kinds of many
        #: distinct values (amounts, codes).
        self.running: dict[int, RunningSummary] = {}
        for question in self.questions:
            running = kind_of(question).running_summary(question)
            if running is not None:
                self.running[question.id] = running
        self.values: dict[tuple, object] = {}
        self.per_day: Counter = Counter()
        self.disagreeing: dict[str, list[Disagreement]] = {}
        self.pictures: dict[str, CompanyPicture | None] = {}
        #: The energy pictures' substation groups, by code…
        self.groups: dict[str | None, SubstationGroup] = {}
        #: …each group's estimate under the assumptions last asked for, and their totals.
        self.estimates: dict[str | None, GroupEstimate] = {}
        self.totals: dict[str, Range] = {}
        self.assumptions: Assumptions | None = None
        #: Groups copied since the last change (see ``contribute``).
        self.copied: set | None = None
        #: The interested companies' pictures in the order shown: (sort key, company key).
        self.order: list[tuple] = []
        #: Questions summed up, per language; those whose counts changed are dropped.
        self.kept_summaries: dict[str, dict[int, QuestionSummary]] = {}
        #: During a change: the net change of each (question, value) counted.
        self.delta: Counter | None = None
        for _stamp, created in self.table.stamps.values():
            self.per_day[self._day(created)] += 1
        for row in self.table.rows.values():
            self._count_registration(row, 1)
        for key in self.table.companies:
            self._add_company(key)
        self.order = sorted(
            (picture_order(p), key) for key, p in self.pictures.items() if p is not None
        )

    def apply(self, changes: list[RowChange]) -> None:
        self.copied, self.delta = set(), Counter()
        keys = set()
        for change in changes:
            if change.appeared:
                self.per_day[self._day(change.appeared)] += 1
            if change.vanished:
                self.per_day[self._day(change.vanished)] -= 1
            for row, sign in ((change.before, -1), (change.after, 1)):
                if row is not None:
                    keys.add(row.company_key)
                    self._count_registration(row, sign)
        for key in keys:
            self._forget_company(key)
            self._add_company(key)
        changed = {question_id for (_by, question_id, _key), net in self.delta.items() if net}
        for kept in self.kept_summaries.values():
            for question_id in changed:
                kept.pop(question_id, None)
        self.delta = None

    def _day(self, moment) -> date:
        return moment.astimezone(self.zone).date()

    def _count(self, counters: dict[int, Counter], row: RegistrationRow, sign: int) -> None:
        for question_id, value in row.answers.items():
            counter = counters.get(question_id)
            if counter is not None and value is not None and value != "":
                key = _value_key(value)
                self.values.setdefault(key, value)
                counter[key] += sign
                if not counter[key]:
                    del counter[key]
                by_company = counters is self.by_company
                if by_company and (running := self.running.get(question_id)) is not None:
                    running.add(value, sign)
                if self.delta is not None:
                    self.delta[by_company, question_id, key] += sign

    def _count_registration(self, row: RegistrationRow, sign: int) -> None:
        self._count(self.by_registration, row, sign)

    def _forget_company(self, key: str) -> None:
        latest = self.latest.pop(key, None)
        if latest is not None:
            self._count(self.by_company, latest, -1)
        self.disagreeing.pop(key, None)
        picture = self.pictures.pop(key, None)
        if picture is not None:
            self._forget_estimates(contribute(self.groups, picture, -1, self.copied))
            del self.order[bisect.bisect_left(self.order, (picture_order(picture), key))]

    def _add_company(self, key: str) -> None:
        company = self.table.company(key)
        if company is None:
            return
        self.latest[key] = company.latest
        self._count(self.by_company, company.latest, 1)
        if len(company.registrations) > 1:
            found = disagreements([company], self.compared)
            if found:
                self.disagreeing[key] = found
        if self.energy:
            picture = self.pictures[key] = company_picture(company, self.by_meaning)
            if picture is not None:
                self._forget_estimates(contribute(self.groups, picture, 1, self.copied))
                if self.delta is not None:  # a change (a first build sorts them all once)
                    bisect.insort(self.order, (picture_order(picture), key))

    def _forget_estimates(self, codes) -> None:
        """The estimates of groups that changed go, and their share of the totals."""
        for code in codes:
            gone = self.estimates.pop(code, None)
            if gone is not None and code is not None:
                for name in TOTALLED:
                    self.totals[name] = self.totals[name] - getattr(gone, name)

    # -- what the pages show ----------------------------------------------------------------

    def summaries(self) -> list[QuestionSummary]:
        """Each question summed up over the companies, each option's registrations
        counted as the registrations list, filtered by it, counts them."""
        kept = self.kept_summaries.setdefault(str(get_locale()), {})
        for question in self.questions:
            if question.id not in kept:
                kept[question.id] = self._summary(question)
        return [kept[question.id] for question in self.questions]

    def _summary(self, question: Question) -> QuestionSummary:
        counter = self.by_company[question.id]
        kind = kind_of(question)
        running = self.running.get(question.id)
        if running is not None:
            result = running.summary()
        else:  # few distinct values
            values = self.values
            result = kind.summarise(question, [(values[key], n) for key, n in counter.items()])
        summary = _summary(question, result, sum(counter.values()))
        given = self.by_registration.get(question.id)
        for row in summary.rows or ():
            value = None if row.filter is None else kind.filter_value(question, row.filter)
            if value is not None and given is not None:
                row.registrations = sum(
                    n for key, n in given.items() if kind.filter_accepts(self.values[key], value)
                )
        return summary

    def days(self) -> list[DayCount]:
        """Registrations received per day in the event's zone, days without any included."""
        per_day = +self.per_day
        if not per_day:
            return []
        first, last = min(per_day), max(per_day)
        span = range((last - first).days + 1)
        return [DayCount(day, per_day[day]) for day in (first + timedelta(n) for n in span)]

    def disagreements(self) -> list[Disagreement]:
        """Companies in the order of their first registration."""
        order = {key: min(self.table.companies[key]) for key in self.disagreeing}
        return [d for key in sorted(order, key=order.get) for d in self.disagreeing[key]]

    def picture(self) -> EnergyPicture:
        interested = [self.pictures[key] for _order, key in self.order]
        return EnergyPicture(interested, len(self.pictures) - len(interested), ordered(self.groups))

    def estimate(self, assumptions: Assumptions) -> Estimate:
        """The estimate of each group under *assumptions*: worked out again only for the
        groups that changed since, the totals moved by their difference."""
        if assumptions != self.assumptions:
            self.assumptions, self.estimates = assumptions, {}
            self.totals = {name: ZERO for name in TOTALLED}
        groups = ordered(self.groups)
        factors = Factors.of(assumptions)
        for group in groups:
            if group.code not in self.estimates:
                found = self.estimates[group.code] = estimate_group(group, assumptions, factors)
                if group.code is not None:
                    for name in TOTALLED:
                        self.totals[name] = self.totals[name] + getattr(found, name)
        return Estimate([self.estimates[g.code] for g in groups], dict(self.totals))


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


def _summary(question: Question, result: Summary, respondents: int) -> QuestionSummary:
    """*question*'s answers summed up by its kind (*result*), given by *respondents*."""
    kind = kind_of(question)
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
        respondents=respondents,
        options=result.options,
        rows=option_rows,
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
