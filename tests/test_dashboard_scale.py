"""The dashboard of a large event: a fixed number of statements whatever the number of
registrations, and its summaries kept and brought up to date with what changed, always
equal to the dashboard built afresh, never stale."""

import pytest
import sqlalchemy as sa

from eventsreg.dbtypes import utcnow
from eventsreg.demo import seed_demo, seed_registrations
from eventsreg.energy.estimate import TOTALLED, Assumptions
from eventsreg.events.models import Meaning
from eventsreg.extensions import db
from eventsreg.organizer import stats, versions
from eventsreg.privacy.services import erase
from eventsreg.questions import frozen
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
    frozen.questions(event)  # read once per event version, whatever the registrations
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


def test_the_answers_are_read_as_the_column_reads_them(app):
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


def digest(data: stats.Dashboard) -> dict:
    """Everything a dashboard shows, comparable between two builds."""
    picture = data.energy_community
    return {
        "companies": data.companies,
        "active": data.active_registrations,
        "days": [(d.day, d.count) for d in data.days],
        "questions": [
            (
                s.question.id,
                s.respondents,
                [
                    (r.option.value, r.option.count, r.option.percent, r.registrations)
                    for r in s.rows or ()
                ],  # fmt: skip
                s.numbers,
                s.pod_count,
                s.codes,
            )
            for s in data.questions
        ],
        "disagreements": [
            (d.company_name, d.question.id, [(row.id, value) for row, value in d.values])
            for d in data.disagreements
        ],
        "energy": picture and digest_of_picture(picture),
    }


def digest_of_picture(picture) -> dict:
    return {
        "companies": [
            (
                c.key,
                c.name,
                c.registration_id,
                c.standing,
                c.reasons,
                c.contacts,
                c.points,
                c.plants,
                c.unplaced_kwh,
                c.roof_m2,
                c.roof_substation,
                c.asbestos,
            )
            for c in picture.companies
        ],  # fmt: skip
        "not_interested": picture.not_interested,
        "groups": [
            (
                g.code,
                dict(g.companies),
                g.pods,
                g.eligible_kwh,
                g.unverified_kwh,
                g.planned_kwp,
                g.existing_kwp,
                g.old_kwp,
                g.roof_m2,
                sorted(g.planned_plants),
            )
            for g in picture.groups
        ],  # fmt: skip
    }


def copy_registrations(event, number: int) -> None:
    """*number* new registrations of other companies, each with the answers of one already
    there, inserted as another worker does (never flushed by this session)."""
    now = utcnow()
    with db.engine.begin() as connection:
        templates = connection.execute(
            sa.select(Registration.__table__)
            .where(Registration.event_id == event.id, Registration.is_active)
            .order_by(Registration.id)
            .limit(number)
        ).mappings()
        for n, template in enumerate(templates.all()):
            row = {k: v for k, v in template.items() if k != "id"}
            row |= {
                "email": f"copia{n}@example.it",
                "vat_number": f"0{n}000000000",
                "token_hash": f"{n:x}" * 64,
                "created_at": now,
                "updated_at": now,
            }
            new_id = connection.execute(
                sa.insert(Registration.__table__), row
            ).inserted_primary_key[0]
            answers = connection.execute(
                sa.select(Answer.question_id, Answer.value).where(
                    Answer.registration_id == template["id"]
                )
            ).all()
            connection.execute(
                sa.insert(Answer.__table__),
                [{"registration_id": new_id, "question_id": q, "value": v} for q, v in answers],
            )


def test_the_dashboard_kept_up_to_date_is_the_dashboard_built_afresh(app, statements):
    """After each kind of change only what changed is read, and the dashboard is the one
    built from everything read again."""
    event = seed_demo()
    seed_registrations(event, 60, seed=3)
    stats.event_dashboard(event)  # read whole once; kept from now on

    def estimated() -> tuple:
        _picture, figures = stats.energy_figures(
            event, Assumptions.from_saved(event.energy_assumptions)
        )
        groups = [(g.group.code, g.production, g.shared, g.tariff, g.incentive, g.restricted)
                  for g in figures.groups]  # fmt: skip
        return groups, {name: figures.total(name) for name in TOTALLED}

    earlier = []  # pictures handed out before: never changed afterwards

    def kept_and_afresh():
        db.session.commit()  # a new request
        statements.clear()
        kept = digest(stats.event_dashboard(event))
        read = len(statements)
        kept_estimate = estimated()
        for picture, seen in earlier:
            assert digest_of_picture(picture) == seen
        picture = stats.event_dashboard(event).energy_community
        earlier.append((picture, digest_of_picture(picture)))
        # Built afresh beside what is kept, which goes on from here.
        memory = app.extensions.pop(versions._EXTENSION)
        afresh = digest(stats.event_dashboard(event))
        afresh_estimate = estimated()
        app.extensions[versions._EXTENSION] = memory
        assert kept == afresh
        assert kept_estimate == afresh_estimate
        return kept, read

    def active():
        return db.session.scalars(
            sa.select(Registration)
            .where(Registration.event_id == event.id, Registration.is_active)
            .order_by(Registration.id)
        ).all()

    before, _read = kept_and_afresh()
    copy_registrations(event, 3)  # new registrations, from another process
    after, read = kept_and_afresh()
    assert after["active"] > before["active"]
    # The changed registrations and their answers only, not every registration's.
    answers_read = [s for s in statements[:read] if "FROM answers" in s]
    assert answers_read and all("registration_id IN" in s for s in answers_read)

    active()[0].status = RegistrationStatus.cancelled  # withdrawn
    kept_and_afresh()

    interest = next(q for q in event.questions if q.meaning is Meaning.interest)
    answer = db.session.scalar(
        sa.select(Answer).where(Answer.question_id == interest.id).order_by(Answer.id.desc())
    )
    answer.value = "no" if answer.value != "no" else "yes"  # an answer changed
    kept_and_afresh()

    # A second contact of a company giving another consumption: the company is counted
    # once, and its two contacts disagree.
    kwh = next(q for q in event.questions if q.meaning is Meaning.annual_consumption_kwh)
    first, other = active()[1], active()[2]
    companies_before = stats.event_dashboard(event).companies
    first.vat_number = other.vat_number
    for registration, value in ((first, 1000), (other, 2000)):
        found = db.session.scalar(
            sa.select(Answer).where(
                Answer.registration_id == registration.id, Answer.question_id == kwh.id
            )
        )
        if found is None:
            registration.answers.append(Answer(question_id=kwh.id, value=value))
        else:
            found.value = value
    data, _read = kept_and_afresh()
    assert data["companies"] == companies_before - 1
    assert any(
        question == kwh.id and {value for _id, value in values} == {1000, 2000}
        for _name, question, values in data["disagreements"]
    )

    # The event changed (its title), then one of its questions (a label): the
    # registrations already read stay; only the tally is summed again for the second.
    event.title += " (seconda edizione)"
    kept_and_afresh()
    interest.label += "?"
    db.session.commit()
    statements.clear()
    stats.event_dashboard(event)
    rows_read = [s for s in statements if "company_name" in s]
    assert rows_read and all("updated_at >=" in s for s in rows_read)  # what changed only
    assert not [s for s in statements if "FROM answers" in s]
    assert stats.event_dashboard(event).questions[0].question.label == event.questions[0].label

    erase(active()[3])  # erased: deleted from the database
    after_erase, _read = kept_and_afresh()
    assert after_erase["active"] == len(active())
