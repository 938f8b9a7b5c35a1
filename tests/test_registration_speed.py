"""What makes a registration POST cheap, checked for what it must keep: the form kept per
event version sees every change of a question, the answers are written in one statement
and nothing is read twice, the email written at delivery from its draft says what was
true at registering, and the invitation's time zone kept between invitations gives the
same bytes.

No timing is asserted here (see bench/README.md for the figures).
"""

import json
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from babel import Locale
from babel.numbers import format_decimal
from flask_babel import force_locale

from eventsreg import calendar, formatting
from eventsreg.dbtypes import snapshot
from eventsreg.demo import seed_demo
from eventsreg.events import kept
from eventsreg.events import services as event_services
from eventsreg.events.models import Event, EventSnapshot, Question, QuestionKind
from eventsreg.extensions import db
from eventsreg.mail.delivery import deliver_pending
from eventsreg.mail.models import OutboxEmail
from eventsreg.mail.outbox import write
from eventsreg.questions import answers as answers_module
from eventsreg.questions import builder, frozen
from eventsreg.questions.answers import answers_summary, answers_summary_of
from eventsreg.questions.models import Answer
from eventsreg.registrations import emails, seats
from eventsreg.registrations.models import Registration, RegistrationStatus
from eventsreg.translated import Translated

from .conftest import choices, form_data


@pytest.fixture
def statements(app):
    """The SQL statements the app runs from now on (an executemany counts once)."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(db.engine, "before_cursor_execute", record)


def test_seats_are_counted_only_where_a_limit_makes_them_count(client, create_event, statements):
    """An event without a seat limit (one open to all, with thousands confirmed) does not
    add up its seats on each registration; one with a limit does, once, under the lock."""
    for capacity, counts in ((None, 0), (50, 1)):
        event = create_event(capacity=capacity)
        statements.clear()
        response = client.post(
            f"/events/{event.slug}/register", data=form_data(email=f"c{capacity}@example.com")
        )
        assert response.status_code == 303
        assert len([s for s in statements if "sum(registrations.party_size)" in s]) == counts
    assert (
        db.session.scalars(sa.select(Registration.status)).all()
        == [RegistrationStatus.confirmed] * 2
    )


def _questionnaire(event, add_question):
    role = add_question(event, "role", QuestionKind.choice, choices=choices("consumer", "producer"))
    add_question(
        event,
        "kwh",
        QuestionKind.number,
        settings={"unit": "kWh", "min": 0},
        condition_question_id=role.id,
        condition_values=["consumer"],
    )
    add_question(event, "notes", QuestionKind.textarea, settings={"max_length": 500})
    return {q.code: q.field_name for q in event.questions}


def test_the_form_kept_per_event_version_shows_a_changed_question(
    client, create_event, add_question
):
    event = create_event()
    question = add_question(event, "area", QuestionKind.text, label="Area produttiva")
    page = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert "Area produttiva" in page
    before = event.updated_at

    builder.update_question(question, label="Zona industriale")
    assert event.updated_at > before  # a question's change is a new version of its event
    page = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert "Zona industriale" in page and "Area produttiva" not in page

    builder.add_question(event, label="Numero di addetti", kind=QuestionKind.number)
    page = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert "Numero di addetti" in page

    builder.remove_question(question)
    page = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert "Zona industriale" not in page and "Numero di addetti" in page


def test_a_post_writes_the_answers_in_one_statement_and_reads_nothing_twice(
    client, create_event, add_question, statements
):
    event = create_event(capacity=10)
    fields = _questionnaire(event, add_question)
    answers = {fields["role"]: "consumer", fields["kwh"]: "1500", fields["notes"]: "Ciao"}
    # The first POST builds the form kept for this version of the event.
    path = f"/events/{event.slug}/register"
    question_ids = [q.id for q in event.questions]
    response = client.post(path, data=form_data(**answers))
    assert response.status_code == 303
    statements.clear()

    response = client.post(
        path,
        data=form_data(email="anna.bianchi@example.com", **answers),
    )

    assert response.status_code == 303
    inserts = [s for s in statements if s.startswith("INSERT INTO answers")]
    assert len(inserts) == 1
    assert not [s for s in statements if "FROM questions" in s]
    assert not [s for s in statements if s.startswith("UPDATE registrations")]
    # Its version is read to find it (its columns are kept for that version, read by the
    # first POST); under the lock, the statement that takes it reads only its version
    # again (unchanged: nothing to read again).
    assert len([s for s in statements if s.startswith("SELECT events.id, events.updated_at ")]) == 1
    assert not [s for s in statements if s.startswith("SELECT events.id, events.slug")]
    assert len([s for s in statements if s.startswith("SELECT events.updated_at ")]) == 1
    # The seats are counted once, under the lock.
    assert len([s for s in statements if "sum(registrations.party_size)" in s]) == 1
    registration = db.session.scalar(
        sa.select(Registration).where(Registration.email == "anna.bianchi@example.com")
    )
    assert registration.answers_by_question() == dict(
        zip(question_ids, ["consumer", 1500, "Ciao"], strict=True)
    )


def _without_dtstamp(ics: str | None) -> str | None:
    if ics is None:
        return None
    return "\n".join(line for line in ics.splitlines() if not line.startswith("DTSTAMP"))


@pytest.mark.parametrize("capacity", [None, 0])
def test_the_confirmation_written_at_delivery_is_the_one_written_from_the_stored_registration(
    app, client, create_event, add_question, capacity
):
    """The POST stores a draft, not the bodies; written from it, the email equals, byte for
    byte, the one written from the registration and the event as stored (but for the
    invitation's DTSTAMP: the moment it was made)."""
    app.config["MAIL_DELIVER_AFTER_REQUEST"] = False
    event = create_event(capacity=capacity, online_url="https://meet.example.org/x")
    fields = _questionnaire(event, add_question)
    data = form_data(
        **{fields["role"]: "consumer", fields["kwh"]: "1.500", fields["notes"]: "Tetto <libero>"}
    )
    assert client.post(f"/events/{event.slug}/register", data=data).status_code == 303

    registration = db.session.scalar(sa.select(Registration))
    row = db.session.scalar(sa.select(OutboxEmail))
    expected = RegistrationStatus.confirmed if capacity is None else RegistrationStatus.waitlisted
    assert registration.status is expected
    assert row.draft is not None and row.text_body == row.html_body == "" and row.ics is None
    assert (row.ics_method is not None) is (capacity is None)
    with app.test_request_context(), force_locale("it"):
        again = emails.queue_composed(
            emails.compose_confirmation(
                registration,
                registration.event,
                ics_method=row.ics_method,
                answers=answers_summary(registration),
            ),
            registration,
            None,
        )
        db.session.expunge(again)
        write(again)
    write(row)
    assert row.draft is None
    assert again.subject == row.subject
    assert again.text_body == row.text_body
    assert again.html_body == row.html_body
    assert (row.ics is not None) is (capacity is None)
    assert _without_dtstamp(again.ics) == _without_dtstamp(row.ics)
    assert "1.500 kWh" in row.text_body and "Tetto &lt;libero&gt;" in row.html_body


def test_the_email_says_what_was_true_at_registering_when_the_event_changed_before_delivery(
    app, client, create_event, register, outbox
):
    """Written at delivery, the confirmation still gives the room it was queued with; the
    organiser's move reaches the registrant by its own email, with the new room."""
    # A mail server configured: flask-mail records what it would send (TESTING).
    app.config.update(MAIL_SERVER="smtp.test", MAIL_DELIVER_AFTER_REQUEST=False)
    event = create_event(capacity=None, venue_name="Sala consiliare")
    assert register(event, email="anna@example.com").status_code == 303
    changes = {"venue_name": "Sala nuova", "updated_at": event.updated_at + timedelta(seconds=1)}
    db.session.execute(sa.update(Event).where(Event.id == event.id).values(**changes))
    db.session.commit()

    deliver_pending()

    [message] = outbox
    assert "Sala consiliare" in message.body and "Sala nuova" not in message.body
    assert "Sala consiliare" in message.alts["calendar; method=REQUEST"]
    row = db.session.scalar(sa.select(OutboxEmail))
    assert row.draft is None and "Sala consiliare" in row.text_body
    # Forgotten in SQL too (NULL, not a JSON null): what is still to be written is found.
    assert db.session.scalar(sa.select(OutboxEmail.id).where(OutboxEmail.draft.is_(None)))


def test_the_email_says_what_the_event_is_when_it_changed_meanwhile(
    client, create_event, register, monkeypatch
):
    """An organiser moving the event between the email's draft and the lock: the email
    gives the new place (it is written again under the lock)."""
    event = create_event(capacity=None)
    real_lock = seats.lock

    def moved_then_lock(locked_event):
        db.session.execute(
            sa.update(Event)
            .where(Event.id == locked_event.id)
            .values(venue_name="Sala nuova", updated_at=locked_event.updated_at + timedelta(1))
        )
        real_lock(locked_event)

    monkeypatch.setattr(seats, "lock", moved_then_lock)
    assert register(event).status_code == 303
    row = write(db.session.scalar(sa.select(OutboxEmail)))
    assert "Sala nuova" in row.text_body
    assert "Sala nuova" in row.ics


def test_an_event_changed_elsewhere_while_the_registration_waited_for_the_lock_is_read_again(
    client, create_event, monkeypatch, statements
):
    """An organiser's change committed from another connection between the form's read of
    the event and the seat lock: the registration counts the new capacity and its email
    gives the new room. An event nobody changed is not read again under the lock."""
    event = create_event(capacity=None, venue_name="Sala consiliare")
    path = f"/events/{event.slug}/register"
    assert client.post(path, data=form_data(email="prima@example.com")).status_code == 303
    statements.clear()
    assert client.post(path, data=form_data(email="seconda@example.com")).status_code == 303
    full_reads = [s for s in statements if s.startswith("SELECT events.id, events.slug")]
    assert not full_reads  # kept for its version; under the lock only its version is read
    real_lock = seats.lock

    def changed_elsewhere_then_lock(locked_event):
        with db.engine.begin() as other:
            other.execute(
                sa.update(Event.__table__)
                .where(Event.__table__.c.id == locked_event.id)
                .values(venue_name="Sala nuova", capacity=1)
            )
        real_lock(locked_event)

    monkeypatch.setattr(seats, "lock", changed_elsewhere_then_lock)
    assert client.post(path, data=form_data(email="terza@example.com")).status_code == 303
    third = db.session.scalar(
        sa.select(Registration).where(Registration.email == "terza@example.com")
    )
    assert third.status is RegistrationStatus.waitlisted  # two seats taken of the new one
    row = write(
        db.session.scalar(sa.select(OutboxEmail).where(OutboxEmail.to_address == third.email))
    )
    assert "Sala nuova" in row.text_body and "Sala consiliare" not in row.text_body


def test_the_rows_an_unchanged_event_refers_to_are_read_again_under_the_lock(
    app, create_event, register
):
    """The event's own columns are kept when its version did not move, not what it refers
    to: a registration added elsewhere while waiting is among its registrations."""
    event = create_event(capacity=None)
    assert register(event, email="prima@example.com").status_code == 303
    assert [r.email for r in event.registrations] == ["prima@example.com"]
    table = Registration.__table__
    row = dict(db.session.execute(sa.select(table)).mappings().one())
    del row["id"]
    row.update(email="seconda@example.com", token_hash="0" * 64, checkin_token_hash=None)
    with db.engine.begin() as other:
        other.execute(sa.insert(table).values(**row))
    seats.lock(event)
    assert sorted(r.email for r in event.registrations) == [
        "prima@example.com",
        "seconda@example.com",
    ]
    db.session.rollback()


def test_an_event_is_read_whole_once_per_version_and_each_request_has_its_own_copy(
    app, client, create_event, statements
):
    """The public pages find an event by its version and copy its columns from those kept
    for that version: a change made elsewhere is read at once, and what one request changes
    in place on its copy (a JSON column) is not what the next one reads."""
    event = create_event(venue_name="Sala consiliare", translations={"en": {"title": "Meeting"}})
    path = f"/events/{event.slug}/"
    event_id = event.id
    db.session.remove()
    with app.test_request_context():
        first = event_services.get_public_event(event.slug)
        first.translations["en"]["title"] = "Changed in place"
        db.session.remove()
    statements.clear()
    with app.test_request_context():
        again = event_services.get_public_event(event.slug)
        assert again.translations == {"en": {"title": "Meeting"}}
        assert again.venue_name == "Sala consiliare"
        db.session.remove()
    assert [s.split(" FROM")[0] for s in statements] == ["SELECT events.id, events.updated_at"]

    with db.engine.begin() as other:  # another process's change
        other.execute(
            sa.update(Event.__table__)
            .where(Event.__table__.c.id == event_id)
            .values(venue_name="Sala nuova", updated_at=datetime.now(UTC))
        )
    assert "Sala nuova" in client.get(path).get_data(as_text=True)
    with app.test_request_context():
        assert event_services.get_public_event(event.slug).venue_name == "Sala nuova"
        db.session.remove()


def test_a_question_finds_its_answers_through_its_event_and_no_index_is_led_by_it(
    app, create_event, add_question, register
):
    """Answers are indexed by registration only: an index led by the question would take
    each registration's answers to as many places as it has questions (bench/fixes.md).
    A question's answers are still counted and read right, those of another event apart,
    without reading every answer of every event."""
    events = [create_event(), create_event()]
    roles = [
        add_question(event, "role", QuestionKind.choice, choices=choices("consumer", "producer"))
        for event in events
    ]
    for n, (event, role) in enumerate([(events[0], roles[0])] * 3 + [(events[1], roles[1])]):
        answer = "producer" if n == 3 else "consumer"
        assert (
            register(event, email=f"p{n}@example.com", **{role.field_name: answer}).status_code
            == 303
        )

    assert builder.answer_count(roles[0]) == 3 and builder.answer_count(roles[1]) == 1
    assert builder.answer_counts(events[0]) == {roles[0].id: 3}
    assert builder._used_values(roles[1]) == {"producer"}
    inspector = sa.inspect(db.engine)
    led_by = [ix["column_names"][0] for ix in inspector.get_indexes("answers")]
    led_by += [c["column_names"][0] for c in inspector.get_unique_constraints("answers")]
    assert "question_id" not in led_by and "registration_id" in led_by
    if db.engine.dialect.name == "sqlite":
        statement = builder.answers_of(events[0].id, Answer.value).where(
            Answer.question_id == roles[0].id
        )
        sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
        plan = [row[3] for row in db.session.execute(sa.text("EXPLAIN QUERY PLAN " + sql))]
        assert not [step for step in plan if step.startswith("SCAN")], plan


def test_an_event_held_with_changes_of_its_own_keeps_them_when_looked_up_again(app, create_event):
    """Looking an event up by its address gives the one the session holds; changed
    elsewhere meanwhile, it is brought to the new version, unless it holds changes not
    written yet (those are not overwritten)."""
    event = create_event(venue_name="Sala consiliare")
    event_id, slug = event.id, event.slug
    db.session.remove()
    for pending in (False, True):
        with app.test_request_context():
            held = db.session.get(Event, event_id)
            with db.engine.begin() as other:  # another process's change
                other.execute(
                    sa.update(Event.__table__)
                    .where(Event.__table__.c.id == event_id)
                    .values(venue_name=f"Sala {pending}", updated_at=datetime.now(UTC))
                )
            if pending:
                held.title = "Titolo nuovo, non ancora scritto"
            found = event_services.get_public_event(slug)
            assert found is held
            if pending:
                assert held.title == "Titolo nuovo, non ancora scritto"
            else:
                assert held.venue_name == "Sala False"
            db.session.rollback()
            db.session.remove()


def test_every_change_of_an_event_is_a_new_version_whatever_the_clock_says(app, create_event):
    """Its updated_at moves forward on every change, even when the clock has not (a change
    within its resolution, or a clock set back): the lock and the kept forms tell versions
    apart by it."""
    event = create_event()
    ahead = datetime.now(UTC) + timedelta(hours=1)
    event.updated_at = ahead
    db.session.commit()
    versions = [ahead]
    for title in ("Primo titolo", "Secondo titolo"):
        event.title = title
        db.session.commit()
        versions.append(event.updated_at)
    assert versions == sorted(set(versions))


@pytest.mark.parametrize("zones", [["Europe/Rome"], ["Europe/Rome", "America/New_York"]])
def test_the_time_zone_kept_between_invitations_gives_the_same_bytes(app, create_event, zones):
    events = [create_event(timezone=zone, title=f"Incontro {n}") for n, zone in enumerate(zones)]
    now = events[0].updated_at
    with app.test_request_context():
        first = calendar.build_calendar(events, method="REQUEST", now=now)
        second = calendar.build_calendar(events, method="REQUEST", now=now)
        # As icalendar writes it itself, each VTIMEZONE built afresh.
        reference = calendar.calendar_of(events, method="REQUEST", now=now)
        start, end = calendar.timezone_span(events)
        reference.add_missing_timezones(first_date=start, last_date=end)
    assert first == second == reference.to_ical()
    assert first.count(b"BEGIN:VTIMEZONE") == len(zones)
    for zone in zones:
        assert f"TZID:{zone}".encode() in first


def test_numbers_are_written_as_babel_writes_them(app):
    """The quick way of writing a number gives Babel's words exactly, in both languages,
    for any number (those it does not write itself, with more than three decimals or not
    finite, it hands to Babel)."""
    rnd = random.Random(17)
    values = [
        "-0",
        "0.00",
        "-0.00",
        "0.0005",
        "0.0015",
        "1E+16",
        "49.50",
        "1e-7",
        "NaN",
        "Infinity",
        "-1234.5",
        "999.9995",
        120000,
        49.5,
        -0.0,
        True,
        None,
    ]
    for _ in range(3000):
        values.append(Decimal(rnd.randint(-(10**9), 10**9)).scaleb(rnd.randint(-5, 9)))
        values.append(rnd.uniform(-1e9, 1e9))
        values.append(rnd.randint(-(10**13), 10**13))
    with app.test_request_context():
        for language in ("it", "en"):
            with force_locale(language):
                locale = Locale.parse(language)
                for value in values:
                    expected = (
                        ""
                        if isinstance(value, bool) or value is None
                        else format_decimal(Decimal(str(value)), locale=locale)
                    )
                    assert formatting.number(value) == expected, (language, value)
                    exact = (
                        ""
                        if isinstance(value, bool) or value is None
                        else format_decimal(
                            Decimal(str(value)), locale=locale, decimal_quantization=False
                        )
                    )
                    assert formatting.number(value, exact=True) == exact, (language, value)
        with force_locale("it"):
            assert formatting.number(Decimal("1234567.25")) == "1.234.567,25"
        with force_locale("en"):
            assert formatting.number(Decimal("1234567.25")) == "1,234,567.25"


def test_answers_read_from_memory_are_the_words_read_afresh_in_each_language(
    app, create_event, add_question
):
    """The words of answers kept with the frozen questions are the words written afresh:
    per language, per value and its type (True, 1 and 1.0 are one dict key); lists (the
    supply points, several choices) and whatever comes after the memory is full are
    written afresh each time."""
    event = create_event()
    add_question(event, "role", QuestionKind.choice, choices=choices("consumer", "producer"))
    add_question(event, "pv", QuestionKind.yesno)
    add_question(event, "kwh", QuestionKind.number, settings={"unit": "kWh"})
    add_question(event, "kinds", QuestionKind.multichoice, choices=choices("a", "b"))
    add_question(event, "notes", QuestionKind.textarea)
    ids = {q.code: q.id for q in event.questions}
    given = [
        {"role": "consumer", "pv": True, "kwh": 1, "kinds": ["a", "b"], "notes": "Tetto"},
        {"role": "producer", "pv": False, "kwh": 1.0, "kinds": ["b"], "notes": "Tetto"},
        {"role": "consumer", "pv": True, "kwh": 1500.5, "kinds": ["a"], "notes": "Altro"},
    ]
    with app.test_request_context():
        frozen_questions = frozen.questions(event)
        for language in ("it", "en", "it"):
            with force_locale(language):
                for answers in given:
                    by_id = {ids[code]: value for code, value in answers.items()}
                    remembered = answers_summary_of(
                        frozen_questions.all, by_id, frozen_questions.words
                    )
                    afresh = answers_summary_of(frozen_questions.all, by_id)
                    assert remembered == afresh
        assert {words for _label, words in remembered} >= {"Consumer", "Sì", "1.500,5 kWh"}
        assert not any(isinstance(key[3], list) for key in frozen_questions.words)
        assert {key[1] for key in frozen_questions.words} == {"it", "en"}

        full = {("x", n): ("x", "x") for n in range(answers_module.MAX_REMEMBERED)}
        with force_locale("it"):
            answers_summary_of(frozen_questions.all, {ids["notes"]: "Nuova"}, full)
        assert len(full) == answers_module.MAX_REMEMBERED


def test_the_drafts_of_an_event_version_refer_to_one_stored_copy_of_its_columns(
    app, client, create_event
):
    """A confirmation's draft refers to the copy of the event's columns stored once for its
    version (a refused registration does not undo it); the email written from it says
    what the event was. What is stored is byte for byte what ``json.dumps`` writes."""
    app.config["MAIL_DELIVER_AFTER_REQUEST"] = False
    event = create_event(capacity=None, venue_name="Sala «Ex Olivetti» — piano 1°")
    path = f"/events/{event.slug}/register"
    for email in ("anna@example.com", "bruno@example.com", "anna@example.com"):
        client.post(path, data=form_data(email=email))

    [copy] = db.session.scalars(sa.select(EventSnapshot)).all()
    assert (copy.event_id, copy.version) == (event.id, event.updated_at)
    assert copy.columns["venue_name"] == "Sala «Ex Olivetti» — piano 1°"
    stored = db.session.execute(
        sa.select(sa.cast(OutboxEmail.draft, sa.Text)).order_by(OutboxEmail.id)
    ).all()
    rows = db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.id)).all()
    assert len(rows) == 3  # the third: the link sent again to who registered twice
    assert rows[0].draft["registration"] != rows[1].draft["registration"]
    for (text,), row in zip(stored[:2], rows, strict=False):
        assert text == json.dumps(row.draft)
        assert row.draft["event"] == {"stored_snapshot": copy.id}
        assert "Sala «Ex Olivetti» — piano 1°" in write(row).text_body


def test_a_stored_copy_of_the_event_is_known_to_the_process_once_committed(app, create_event):
    """The copy of an event's columns stored in a transaction that is rolled back is not
    referred to afterwards; once one commits, later drafts refer to it without storing."""
    event = create_event()
    with app.test_request_context():
        kept.stored_snapshot(event)
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(EventSnapshot.id))) == 0
        stored = kept.stored_snapshot(event)
        db.session.commit()
        assert db.session.get(EventSnapshot, stored).columns == snapshot(event)
        assert kept.stored_snapshot(event) == stored
        assert kept._SNAPSHOTS_WRITTEN not in db.session.info
        db.session.remove()


def test_an_event_moved_stores_its_new_version_once_for_every_registrant_told(
    app, client, create_event, statements
):
    """Moving an event queues an update to each registrant: their drafts refer to one copy
    of the new version, stored once in that transaction."""
    app.config["MAIL_DELIVER_AFTER_REQUEST"] = False
    event = create_event(capacity=None, venue_name="Sala consiliare")
    for n in range(3):
        data = form_data(email=f"p{n}@example.com")
        assert client.post(f"/events/{event.slug}/register", data=data).status_code == 303
    statements.clear()
    assert event_services.change_event(event, venue_name="Sala nuova")

    assert len([s for s in statements if s.startswith("INSERT INTO event_snapshots")]) == 1
    copies = db.session.scalars(sa.select(EventSnapshot).order_by(EventSnapshot.id)).all()
    assert [c.columns["venue_name"] for c in copies] == ["Sala consiliare", "Sala nuova"]
    updates = db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.id)).all()[3:]
    assert len(updates) == 3
    assert {u.draft["event"]["stored_snapshot"] for u in updates} == {copies[1].id}
    assert all("Sala nuova" in write(u).text_body for u in updates)


def test_the_frozen_questions_read_as_the_questions_they_copy(app):
    """The kept copies are plain objects (no ORM bookkeeping on each read): every column
    and every reading method of a question gives what the mapped question gives."""
    event = seed_demo()
    kept = frozen.questions(event)
    assert [q.id for q in kept.all] == [q.id for q in event.questions]
    columns = [attr.key for attr in sa.inspect(Question).column_attrs]
    with app.test_request_context():
        for question, twin in zip(event.questions, kept.all, strict=True):
            for key in columns:
                assert getattr(twin, key) == getattr(question, key), key
            assert twin.field_name == question.field_name
            assert twin.choice_values() == question.choice_values()
            for language in ("it", "en"):
                assert twin.text("label", language) == question.text("label", language)
                assert twin.translation("label", language) == question.translation(
                    "label", language
                )
                assert twin.options(language) == question.options(language)
                for value in question.choice_values():
                    assert twin.choice_label(value, language) == question.choice_label(
                        value, language
                    )
            parent = question.condition_question
            assert (twin.condition_question and twin.condition_question.id) == (
                parent and parent.id
            )
            assert not hasattr(twin, "_sa_instance_state")
    # Every way of reading a question is there: a method added to Question and used on
    # the copies would otherwise fail only where it is first called.
    mapped = {attr.key for attr in sa.inspect(Question).attrs}
    readers = {
        name
        for name in {*vars(Question), *vars(Translated)}
        if not name.startswith("_") and name not in mapped and not name.startswith("set_")
    }
    assert readers <= set(dir(frozen.FrozenQuestion)), readers - set(dir(frozen.FrozenQuestion))


def _plan(sql: str, params: dict) -> str:
    """The database's plan of *sql*, as one text."""
    if db.session.get_bind().dialect.name == "sqlite":
        rows = db.session.execute(sa.text("EXPLAIN QUERY PLAN " + sql), params)
        return "\n".join(row[3] for row in rows)
    return "\n".join(db.session.scalars(sa.text("EXPLAIN " + sql), params))


def test_one_index_gives_the_seats_and_the_waiting_list_in_order(app):
    """An event's seats are summed from one index alone, and its waiting list read in
    order from the same index: a registration is written to one index for both. The plans
    are SQLite's (its planner goes by rules; PostgreSQL's goes by the costs of the moment,
    and may rightly prefer another index for a few hundred rows)."""
    from eventsreg.demo import seed_registrations

    event = seed_demo()
    seed_registrations(event, 400)
    indexes = {
        ix["name"]: ix["column_names"] for ix in sa.inspect(db.engine).get_indexes("registrations")
    }
    assert [name for name, columns in indexes.items() if columns[:2] == ["event_id", "status"]] == [
        "ix_registrations_event_id_status"
    ]
    # The database's index is the model's: the waiting list's order after (event, status),
    # and the seats' columns, so that both are read from the index alone.
    name = "ix_registrations_event_id_status"
    [declared] = [ix for ix in Registration.__table__.indexes if ix.name == name]
    columns = indexes[name]
    assert columns == [column.name for column in declared.columns]
    assert columns[2:4] == ["created_at", "id"] and {"attendance", "party_size"} <= set(columns)
    waiting = [r.id for r in seats.waitlist(event)]
    assert waiting == sorted(
        waiting, key=lambda rid: (db.session.get(Registration, rid).created_at, rid)
    )
    if db.session.get_bind().dialect.name != "sqlite":
        return
    params = {"event": event.id}
    seats_sql = str(
        seats._seats_taken_query(event.id).compile(
            db.engine, compile_kwargs={"literal_binds": True}
        )
    )
    plan = _plan(seats_sql, params)
    assert "COVERING INDEX ix_registrations_event_id_status" in plan, plan
    order_sql = (
        "SELECT id FROM registrations WHERE event_id = :event AND status = 'waitlisted' "
        "ORDER BY created_at, id"
    )
    plan = _plan(order_sql, params)
    assert "ix_registrations_event_id_status" in plan and "TEMP B-TREE" not in plan, plan


def test_answers_written_in_one_statement_are_stored_as_sqlalchemy_stores_them(
    app, create_event, add_question, register
):
    """A registration's answers go to the driver without SQLAlchemy's work on each row
    (``database.insert_rows``): on SQLite in one ``executemany``, on PostgreSQL in one
    execution of one statement (an array per column). Each value is converted by its
    column's type all the same: the stored text is the one an INSERT through SQLAlchemy
    stores, and it reads back as given, in order, accented letters, numbers, lists and
    all."""
    from eventsreg import database

    event = create_event()
    values = ["Sì, c'è interesse", 120000, 55.5, True, ["IT001E12345678", "è"], {"a": [1, "ò"]}]
    questions = [
        add_question(event, f"q{n}", QuestionKind.text, label=f"Domanda {n}")
        for n in range(len(values))
    ]
    assert register(event, email="tipi@example.com").status_code == 303
    registration = db.session.scalar(sa.select(Registration).filter_by(email="tipi@example.com"))
    registration_id = registration.id
    db.session.execute(sa.delete(Answer).where(Answer.registration_id == registration_id))
    rows = [(registration_id, q.id, value) for q, value in zip(questions, values, strict=True)]
    executed = []

    def record(conn, cursor, statement, parameters, context, executemany):
        executed.append((statement.split(" (")[0], executemany))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        database.insert_rows(Answer.__table__, ("registration_id", "question_id", "value"), rows)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    postgres = db.engine.dialect.name == "postgresql"
    assert executed == [("INSERT INTO answers", not postgres)]
    in_order = sa.select(Answer.question_id).where(Answer.registration_id == registration_id)
    assert list(db.session.scalars(in_order.order_by(Answer.id))) == [q.id for q in questions]
    text_column = sa.cast(Answer.value, sa.Text)
    ours = db.session.execute(
        sa.select(Answer.question_id, text_column)
        .where(Answer.registration_id == registration_id)
        .order_by(Answer.question_id)
    ).all()
    db.session.execute(sa.delete(Answer).where(Answer.registration_id == registration_id))
    db.session.execute(
        sa.insert(Answer.__table__),
        [{"registration_id": r, "question_id": q, "value": v} for r, q, v in rows],
    )
    theirs = db.session.execute(
        sa.select(Answer.question_id, text_column)
        .where(Answer.registration_id == registration_id)
        .order_by(Answer.question_id)
    ).all()
    assert ours == theirs
    db.session.expire_all()
    assert [a.value for a in sorted(registration.answers, key=lambda a: a.question_id)] == values


def test_rows_written_through_json_take_only_columns_json_gives_exactly():
    """On PostgreSQL rows go to the server as one JSON document: a column whose values
    JSON would not give exactly (a time, say) is refused when the statement is planned,
    not written approximately."""
    from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

    from eventsreg import database

    dialect = PGDialect_psycopg()
    sql, _serialize, as_text = database._recordset_insert(
        dialect, Answer.__table__, ("registration_id", "question_id", "value")
    )
    assert "json_to_recordset" in sql and as_text == ("value",)
    with pytest.raises(TypeError, match="created_at"):
        database._recordset_insert(dialect, OutboxEmail.__table__, ("created_at",))


def test_a_row_inserted_for_the_driver_is_stored_as_the_orm_stores_it(app, create_event):
    """``database.insert_new`` gives the driver each value converted by its column's type:
    times, enums, booleans, JSON and text are stored as the ORM's own INSERT stores them,
    and the object reads as it was made."""
    from eventsreg import database
    from eventsreg.mail.models import EmailKind
    from eventsreg.registrations.models import AttendanceMode

    event = create_event()
    moment = datetime(2026, 12, 3, 17, 45, 12, 345678, tzinfo=UTC)

    def registration(email: str) -> Registration:
        return Registration(
            event_id=event.id,
            email=email,
            status=RegistrationStatus.waitlisted,
            attendance=AttendanceMode.in_person,
            party_size=3,
            first_name="Niccolò",
            last_name="D'Angelo",
            phone="+39 0373 123456",
            company_name="Officine Cremasche Srl",
            vat_number="00743110157",
            tax_code="",
            locale="it",
            token_hash=email * 2,
            privacy_consent_at=moment,
            privacy_notice_version=1,
            marketing_consent_at=None,
            created_at=moment,
            updated_at=moment,
        )

    by_orm, ours = registration("orm@example.com"), registration("driver@example.com")
    db.session.add(by_orm)
    db.session.flush()
    database.insert_new(ours)
    emails_written = []
    for queue in ("orm", "driver"):
        email = OutboxEmail(
            kind=EmailKind.confirmation,
            registration_id=by_orm.id,
            event_id=event.id,
            to_address=f"{queue}@example.com",
            subject="Iscrizione confermata",
            text_body="",
            html_body="",
            message_id=f"<{queue}@example.com>",
            draft={"writer": "registration", "answers": [["Sì", 120000, 55.5, True, None]]},
            created_at=moment,
            next_attempt_at=moment,
        )
        if queue == "orm":
            db.session.add(email)
            db.session.flush()
        else:
            database.insert_new(email)
        emails_written.append(email)

    def stored(model, row_id) -> dict:
        table = model.__table__
        row = db.session.execute(
            sa.select(*[sa.cast(c, sa.Text).label(c.name) for c in table.c]).where(
                table.c.id == row_id
            )
        ).one()
        different = {"id", "email", "token_hash", "to_address", "message_id"}
        return {k: v for k, v in row._mapping.items() if k not in different}

    assert stored(Registration, ours.id) == stored(Registration, by_orm.id)
    assert stored(OutboxEmail, emails_written[1].id) == stored(OutboxEmail, emails_written[0].id)
    db.session.expire_all()
    again = db.session.get(Registration, ours.id)
    assert (again.status, again.attendance, again.first_name, again.created_at) == (
        RegistrationStatus.waitlisted,
        AttendanceMode.in_person,
        "Niccolò",
        moment,
    )
    db.session.rollback()


@pytest.fixture(params=["driver", "sqlalchemy"])
def statement_path(request, app):
    """How ``database.run`` runs a statement: on the driver's cursor, or through SQLAlchemy
    when something listens to the statements (the ``statements`` fixture's listener)."""
    if request.param == "sqlalchemy":
        request.getfixturevalue("statements")
    return request.param


def test_a_statement_given_to_the_driver_fails_as_sqlalchemy_fails(app, statement_path):
    """A driver's error comes out of ``database.run`` as SQLAlchemy raises it, whichever
    way the statement ran: a broken constraint is an IntegrityError (a registration
    racing another of the same address relies on it), and a connection found closed is
    dropped, the next request getting a working one."""
    from eventsreg import database

    connection = db.session.connection()
    with pytest.raises(sa.exc.IntegrityError):
        database.run(connection, "INSERT INTO registrations (event_id) VALUES (NULL)", ())
    db.session.rollback()

    connection = db.session.connection()
    connection.connection.dbapi_connection.close()
    with pytest.raises(sa.exc.DBAPIError) as raised:
        database.run(connection, "SELECT 1", ())
    assert raised.value.connection_invalidated
    db.session.rollback()
    assert database.run(db.session.connection(), "SELECT 1", ()) == (1,)


def test_a_row_read_for_the_driver_is_the_row_sqlalchemy_reads(app, create_event, register):
    """``database.read_row`` runs the reads every registration makes (the event's version,
    the lock, the seats and an earlier registration) with the driver's own parameters:
    each gives the row SQLAlchemy's own execution gives, times in UTC and all."""
    from eventsreg import database
    from eventsreg.registrations import services as registration_services

    event = create_event(capacity=10)
    assert register(event, email="primo@example.com").status_code == 303
    reads = [
        (event_services._public_version_statement(), {"slug": event.slug}),
        (event_services._public_version_statement(), {"slug": "nessun-evento"}),
        (database._lock_statement(Event, "updated_at"), {"row_id": event.id}),
        (
            registration_services._seats_and_earlier_statement(counted=True),
            {"event_id": event.id, "email": "primo@example.com"},
        ),
        (
            registration_services._seats_and_earlier_statement(counted=True),
            {"event_id": event.id, "email": "nessuno@example.com"},
        ),
    ]
    for statement, parameters in reads:
        expected = db.session.execute(statement, parameters).first()
        got = database.read_row(statement, parameters)
        assert got == (None if expected is None else tuple(expected)), statement
    [version] = database.read_row(
        database._lock_statement(Event, "updated_at"), {"row_id": event.id}
    )
    assert version.tzinfo is not None and version == db.session.get(Event, event.id).updated_at
    db.session.rollback()


def test_the_email_lists_answers_under_the_questions_as_they_are_once_the_seats_are_held(
    app, create_event, add_question
):
    """The email's list of answers is worked out before the seat lock is awaited; when
    the event changed meanwhile (a question renamed by an organiser), it is worked out
    again under the lock, so the email names the question as it is."""
    from eventsreg.registrations import services as registration_services
    from eventsreg.registrations.models import AttendanceMode

    event = create_event()
    question = add_question(event, "ruolo", QuestionKind.text, label="Ruolo")
    event_id, question_id, slug = event.id, question.id, event.slug
    db.session.remove()
    with app.test_request_context():
        held = event_services.get_public_event(slug)
        frozen.questions(held)  # the form was built from the questions as they were
        with db.engine.begin() as other:  # an organiser renames the question meanwhile
            other.execute(
                sa.update(Question.__table__)
                .where(Question.__table__.c.id == question_id)
                .values(label="Ruolo nella comunità")
            )
            other.execute(
                sa.update(Event.__table__)
                .where(Event.__table__.c.id == event_id)
                .values(updated_at=datetime.now(UTC) + timedelta(seconds=1))
            )
        registration_services.register(
            held,
            registration_services.RegistrationData(
                first_name="Anna",
                last_name="Verdi",
                company_name="Verdi Srl",
                attendance=AttendanceMode.online,
                party_size=1,
                email="anna@example.com",
                answers={question_id: "Consumatore"},
            ),
        )
        email = db.session.scalar(sa.select(OutboxEmail).filter_by(to_address="anna@example.com"))
        assert email.draft["context"]["answers"] == [["Ruolo nella comunità", "Consumatore"]]
        db.session.remove()
