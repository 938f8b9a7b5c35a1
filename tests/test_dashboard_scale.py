"""The dashboard of a large event: a fixed number of statements whatever the number of
registrations, and its summaries kept per version of the registrations, never stale."""

import pytest
import sqlalchemy as sa

from eventsreg.dbtypes import utcnow
from eventsreg.demo import seed_demo, seed_registrations
from eventsreg.events.models import Meaning
from eventsreg.extensions import db
from eventsreg.organizer import stats, versions
from eventsreg.questions.models import Answer
from eventsreg.registrations.companies import active_registrations, group_by_company
from eventsreg.registrations.models import AttendanceMode, Registration, RegistrationStatus


@pytest.fixture
def statements(app):
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    sa.event.remove(db.engine, "before_cursor_execute", count)


def forget_kept(app) -> None:
    app.extensions.pop(versions._EXTENSION, None)


def built_statements(app, event, statements) -> int:
    """Statements the dashboard of *event* runs when nothing is kept."""
    forget_kept(app)
    db.session.expire_all()
    db.session.refresh(event)
    statements.clear()
    stats.event_dashboard(event)
    return len(statements)


def test_the_dashboard_runs_as_many_statements_for_few_or_many_registrations(app, statements):
    event = seed_demo()
    seed_registrations(event, 5, seed=1)
    few = built_statements(app, event, statements)
    seed_registrations(event, 60, seed=2)
    many = built_statements(app, event, statements)
    assert len(stats.event_dashboard(event).questions) == len(event.questions)
    assert few == many


def test_an_unchanged_event_is_summed_up_once(app, statements):
    event = seed_demo()
    seed_registrations(event, 20)
    first = stats.event_dashboard(event)
    statements.clear()
    again = stats.event_dashboard(event)
    assert again is first
    assert len(statements) == 1  # the version: one aggregate over the registrations


def companies(event) -> int:
    return stats.event_dashboard(event).companies


def test_a_registration_added_by_another_process_shows_at_once(app):
    event = seed_demo()
    seed_registrations(event, 10)
    before = companies(event)
    # Another worker's registration: never flushed by this session.
    now = utcnow()
    with db.engine.begin() as connection:
        template = (
            connection.execute(
                sa.select(Registration.__table__).where(Registration.event_id == event.id).limit(1)
            )
            .mappings()
            .one()
        )
        row = {k: v for k, v in template.items() if k != "id"}
        row |= {
            "email": "nuova.impresa@example.it",
            "vat_number": "02222220150",
            "token_hash": "f" * 64,
            "status": RegistrationStatus.confirmed,
            "attendance": AttendanceMode.online,
            "party_size": 1,
            "created_at": now,
            "updated_at": now,
        }
        connection.execute(sa.insert(Registration.__table__), row)
    db.session.commit()  # a new request: a new transaction, which sees it
    assert companies(event) == before + 1


def interest_counts(event, question) -> dict:
    summary = next(
        s for s in stats.event_dashboard(event).questions if s.question.id == question.id
    )
    return {row.option.value: row.option.count for row in summary.rows}


def test_a_changed_answer_alone_moves_its_registration_and_shows_at_once(app):
    event = seed_demo()
    seed_registrations(event, 10)
    interest = next(q for q in event.questions if q.meaning is Meaning.interest)
    before = interest_counts(event, interest)
    # An answer of a registration that speaks for its company (the latest of it).
    latest = {company.latest.id for company in group_by_company(active_registrations(event))}
    answer = db.session.scalar(
        sa.select(Answer)
        .where(Answer.question_id == interest.id, Answer.registration_id.in_(latest))
        .order_by(Answer.id)
        .limit(1)
    )
    old = answer.value
    new = next(value for value in before if value != old)
    registration = answer.registration
    updated = registration.updated_at
    answer.value = new  # the answer only: none of the registration's own fields
    db.session.commit()
    assert registration.updated_at > updated
    after = interest_counts(event, interest)
    assert after[new] == before[new] + 1
    assert after[old] == before[old] - 1


def test_the_answers_are_read_as_the_column_reads_them_and_summed_once_per_question(app):
    event = seed_demo()
    seed_registrations(event, 40, seed=3)
    rows = active_registrations(event)
    stored = {
        (answer.registration_id, answer.question_id): answer.value
        for answer in db.session.scalars(sa.select(Answer))
        if answer.registration.is_active
    }
    read = {(row.id, question): value for row in rows for question, value in row.answers.items()}
    assert read == stored
    assert {type(value) for value in read.values()} == {type(v) for v in stored.values()}
    # Lists are not shared between answers: changing one leaves the others alone.
    lists = [value for value in read.values() if isinstance(value, list)]
    assert lists and len({id(value) for value in lists}) == len(lists)
    # All the questions summed up in one pass give what each summed up alone gives.
    latest = [company.latest for company in group_by_company(rows)]
    questions = list(event.questions)
    together = stats.summarise_all(questions, latest)
    alone = [stats.summarise(question, latest) for question in questions]
    assert together == alone
    respondents = {
        question.id: sum(1 for row in latest if row.answers.get(question.id) not in (None, ""))
        for question in questions
    }
    assert {s.question.id: s.respondents for s in together} == respondents
