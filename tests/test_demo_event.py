"""The demo data (`flask demo seed`) and the energy-community questions end to end over HTTP."""

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from eventsreg.demo import DEMO_SLUG, PAST_MEETINGS, next_tuesday, seed_demo
from eventsreg.events.models import Event, EventStatus, Question
from eventsreg.extensions import db
from eventsreg.questions.library import ENERGY_COMMUNITY
from eventsreg.registrations.models import AttendanceMode, RegistrationStatus
from eventsreg.registrations.seats import RegistrationState, availability

from .conftest import form_data
from .helpers import error_for, registrations

ROME = ZoneInfo("Europe/Rome")
PAST_SLUGS = [meeting["slug"] for meeting in PAST_MEETINGS]


def seed(runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    return result


def demo_event() -> Event:
    db.session.expire_all()
    return db.session.scalar(sa.select(Event).where(Event.slug == DEMO_SLUG))


def questions() -> dict[str, Question]:
    """The demo event's questions by code."""
    return {q.code: q for q in demo_event().questions}


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def answers_by_code(registration) -> dict[str, object]:
    codes = {q.id: q.code for q in registration.event.questions}
    return {codes[qid]: value for qid, value in registration.answers_by_question().items()}


@pytest.fixture
def demo(runner):
    seed(runner)
    return demo_event()


@pytest.fixture
def register_demo(client, demo):
    """Post the demo event's form with the standard fields plus answers given by code."""

    def post(answers: dict[str, object], **overrides):
        q = questions()
        data = form_data(**overrides)
        data.update({q[code].field_name: value for code, value in answers.items()})
        return client.post(f"/events/{DEMO_SLUG}/register", data=data)

    return post


#: A company in Ex Olivetti that wants to join the community as a consumer.
CONSUMER = {
    "interest": "yes",
    "member_kind": "company",
    "staff": "10_49",
    "turnover": "le10",
    "ateco": "256200",
    "area": "ex_olivetti",
    "role": "consumer",
    "annual_kwh": "120.000",
    "supply_points": "it001e12345678; ac001e00045; 80.000\nIT 002 E 87654321",
    "non_binding": "y",
}


# -- seeding ---------------------------------------------------------------------------------


def test_seed_creates_the_published_demo_event_on_a_future_tuesday_evening(runner, now):
    result = seed(runner)
    assert f"/events/{DEMO_SLUG}/" in result.output
    event = demo_event()
    assert event.status is EventStatus.published
    assert event.timezone == "Europe/Rome"
    start, end = event.local_start, event.local_end
    assert start.weekday() == 1  # Tuesday
    assert (start.time(), end.time()) == (time(17, 0), time(18, 30))
    assert start.date() == end.date()
    assert event.starts_at > now
    assert event.starts_at - now <= timedelta(days=8)
    assert availability(event).state is RegistrationState.open
    assert [q.code for q in event.questions][:2] == ["interest", "member_kind"]


def test_seeded_demo_event_page_is_open_for_registration(client, demo):
    html = client.get(f"/events/{DEMO_SLUG}/").get_data(as_text=True)
    assert "Fondare una Comunità Energetica" in html
    assert "Iscrizioni aperte" in html
    assert "Iscrizioni aperte fino a" in html and "alle ore 12:00" in html
    assert "martedì" in html and "17:00–18:30" in html
    assert "<li>REI – Reindustria Innovazione</li>" in html
    assert "<strong>Comunità Energetiche Rinnovabili</strong>" in html
    assert f'href="/events/{DEMO_SLUG}/register"' in html
    form = client.get(f"/events/{DEMO_SLUG}/register").get_data(as_text=True)
    assert "Interesse ad aderire alla Comunità Energetica" in form


def test_seed_creates_the_three_past_meetings_in_the_archive(client, demo):
    past = db.session.scalars(sa.select(Event).where(Event.slug.in_(PAST_SLUGS))).all()
    assert len(past) == 3
    for event in past:
        assert event.status is EventStatus.published
        assert event.local_start.year == 2022
        assert availability(event).state is RegistrationState.closed

    html = client.get("/").get_data(as_text=True)
    upcoming, archive = html.split('id="archive-title"')
    assert f"/events/{DEMO_SLUG}/" in upcoming
    positions = [archive.index(f"/events/{slug}/") for slug in PAST_SLUGS]
    assert positions == sorted(positions)  # latest first, as PAST_MEETINGS lists them
    assert not any(slug in upcoming for slug in PAST_SLUGS)
    meeting = client.get(f"/events/{PAST_SLUGS[0]}/").get_data(as_text=True)
    assert "martedì 29 novembre 2022, 15:00–17:00" in meeting


def test_seeding_twice_creates_no_duplicates_and_keeps_registrations(runner, register_demo):
    assert register_demo(CONSUMER).status_code == 303
    event = demo_event()
    before = (event.id, event.starts_at, [(q.id, q.code) for q in event.questions])
    answers_before = answers_by_code(registrations()[0])

    seed(runner)

    assert count(Event) == 4
    assert count(Question) == len(before[2])
    event = demo_event()
    assert (event.id, event.starts_at, [(q.id, q.code) for q in event.questions]) == before
    [registration] = registrations()
    assert answers_by_code(registration) == answers_before


def test_seeded_registrations_are_known_to_the_planner(app):
    """A bulk load ends with ANALYZE on PostgreSQL: the lookup of a registration by its
    address then takes the (event, email) index, not the event's seats index with every
    registration of the event read and filtered. SQLite is left without statistics."""
    from eventsreg.demo import seed_registrations

    event = seed_demo()
    seed_registrations(event, 300)
    bind = db.session.get_bind()
    if bind.dialect.name != "postgresql":
        assert "sqlite_stat1" not in sa.inspect(bind).get_table_names()
        return
    rows = db.session.execute(
        sa.text(
            "SELECT relname, n_live_tup, last_analyze FROM pg_stat_user_tables "
            "WHERE schemaname = current_schema() AND relname IN ('registrations', 'answers')"
        )
    ).all()
    assert {name for name, _live, analysed in rows if analysed is not None} == {
        "registrations",
        "answers",
    }
    plan = "\n".join(
        db.session.scalars(
            sa.text(
                "EXPLAIN SELECT id FROM registrations WHERE event_id = :event AND email = :email"
            ),
            {"event": event.id, "email": "nobody@example.it"},
        )
    )
    assert "uq_registrations_event_id_email" in plan, plan


def test_reseeding_after_the_demo_meeting_moves_it_to_the_next_tuesday(app):
    monday = datetime(2024, 3, 18, 9, 0, tzinfo=UTC)
    first = seed_demo(now=monday)
    assert first.local_start == datetime(2024, 3, 19, 17, 0, tzinfo=ROME)

    after = datetime(2024, 3, 19, 20, 0, tzinfo=UTC)  # the meeting is over
    event = seed_demo(now=after)
    assert event.id == first.id
    assert event.local_start == datetime(2024, 3, 26, 17, 0, tzinfo=ROME)
    assert availability(event, now=after).state is RegistrationState.open
    assert count(Event) == 4


def test_reseeding_once_registration_has_closed_reopens_it_for_next_week(app):
    first = seed_demo(now=datetime(2024, 3, 18, 9, 0, tzinfo=UTC))
    meeting_day_afternoon = datetime(2024, 3, 19, 14, 0, tzinfo=UTC)  # closed at noon, before 17:00
    event = seed_demo(now=meeting_day_afternoon)
    assert event.id == first.id
    assert event.local_start == datetime(2024, 3, 26, 17, 0, tzinfo=ROME)
    assert availability(event, now=meeting_day_afternoon).state is RegistrationState.open


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Monday: the next day.
        (datetime(2024, 3, 18, 10, 0, tzinfo=UTC), datetime(2024, 3, 19, tzinfo=ROME)),
        # Tuesday: a week later, never the same day.
        (datetime(2024, 3, 19, 6, 0, tzinfo=UTC), datetime(2024, 3, 26, tzinfo=ROME)),
        # Sunday: two days later.
        (datetime(2024, 3, 17, 12, 0, tzinfo=UTC), datetime(2024, 3, 19, tzinfo=ROME)),
        # Monday 23:30 UTC is already Tuesday in Rome.
        (datetime(2024, 3, 18, 23, 30, tzinfo=UTC), datetime(2024, 3, 26, tzinfo=ROME)),
        # Across the change to summer time (31 March 2024).
        (datetime(2024, 3, 30, 12, 0, tzinfo=UTC), datetime(2024, 4, 2, tzinfo=ROME)),
    ],
)
def test_next_tuesday_is_the_first_tuesday_after_today_in_rome(now, expected):
    result = next_tuesday(now)
    assert result == expected
    assert result.weekday() == 1
    assert (result.tzinfo, result.time()) == (ROME, time(0))


# -- the demo event's questions over HTTP ----------------------------------------------------


def test_interested_consumer_company_registers_with_normalised_answers(register_demo):
    response = register_demo(CONSUMER)
    assert response.status_code == 303
    [registration] = registrations()
    assert registration.status is RegistrationStatus.confirmed
    assert answers_by_code(registration) == {
        "interest": "yes",
        "member_kind": "company",
        "staff": "10_49",
        "turnover": "le10",
        "ateco": "25.62.00",
        "area": "ex_olivetti",
        "role": "consumer",
        "annual_kwh": 120000,
        "supply_points": [
            {"pod": "IT001E12345678", "substation": "AC001E00045", "kwh": 80000},
            {"pod": "IT002E87654321", "substation": "", "kwh": None},
        ],
        "non_binding": True,
    }


def test_answers_to_questions_whose_condition_is_not_met_are_discarded(register_demo):
    # pv_planned_kwp is asked of producers, the pv_existing_* questions of those with a plant.
    response = register_demo(
        {**CONSUMER, "pv_planned_kwp": "200", "has_pv": "no", "pv_existing_kwp": "49,5"}
    )
    assert response.status_code == 303
    answers = answers_by_code(registrations()[0])
    assert "pv_planned_kwp" not in answers
    assert "pv_existing_kwp" not in answers
    assert answers["has_pv"] is False


def test_invalid_answer_to_a_hidden_question_does_not_block_registration(register_demo):
    response = register_demo(
        {**CONSUMER, "pv_planned_kwp": "tanti", "staff": "enorme", "member_kind": "person"}
    )
    assert response.status_code == 303
    answers = answers_by_code(registrations()[0])
    assert answers["member_kind"] == "person"
    assert not {"pv_planned_kwp", "staff", "ateco"} & set(answers)


def test_attendee_without_interest_need_not_answer_cer_questions(register_demo):
    response = register_demo({"interest": "no"})
    assert response.status_code == 303
    assert answers_by_code(registrations()[0]) == {"interest": "no"}


def test_cer_answers_posted_by_an_attendee_without_interest_are_discarded(register_demo):
    response = register_demo(
        {
            **CONSUMER,
            "interest": "no",
            "annual_kwh": "non lo so",  # would be refused if the question applied
            "supply_points": "sbagliato; x; y; z",
            "notes": "Vengo per ascoltare.",
        }
    )
    assert response.status_code == 303
    assert answers_by_code(registrations()[0]) == {
        "interest": "no",
        "notes": "Vengo per ascoltare.",
    }


def test_interest_is_required(register_demo):
    response = register_demo({})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Rispondere a questa domanda" in error_for(html, questions()["interest"].field_name)
    assert registrations() == []


@pytest.mark.parametrize("interest", ["yes", "more_info"])
def test_interest_without_non_binding_declaration_or_area_is_refused(register_demo, interest):
    answers = {**CONSUMER, "interest": interest}
    del answers["non_binding"], answers["area"]
    response = register_demo(answers)
    html = response.get_data(as_text=True)
    q = questions()
    assert response.status_code == 400
    assert "Spunta questa casella" in error_for(html, q["non_binding"].field_name)
    assert "Rispondere a questa domanda" in error_for(html, q["area"].field_name)
    assert error_for(html, q["role"].field_name) == ""
    assert registrations() == []


def test_interest_requires_member_kind_role_and_staff(register_demo):
    response = register_demo(
        {"interest": "yes", "member_kind": "company", "area": "other", "non_binding": "y"}
    )
    html = response.get_data(as_text=True)
    q = questions()
    assert response.status_code == 400
    assert error_for(html, q["staff"].field_name)
    assert error_for(html, q["role"].field_name)
    assert error_for(html, q["member_kind"].field_name) == ""
    assert registrations() == []


def test_producer_plant_over_1000_kwp_is_refused(register_demo):
    response = register_demo({**CONSUMER, "role": "producer", "pv_planned_kwp": "1.500"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    message = error_for(html, questions()["pv_planned_kwp"].field_name)
    assert "Il valore massimo è 1.000 kWp" in message
    assert 'value="1.500"' in html
    assert registrations() == []


@pytest.mark.parametrize(
    ("typed", "stored"), [("999,5", 999.5), ("1000 kWp", 1000), ("1.000", 1000), ("0", 0)]
)
def test_producer_plant_up_to_1000_kwp_is_accepted(register_demo, typed, stored):
    response = register_demo({**CONSUMER, "role": "producer", "pv_planned_kwp": typed})
    assert response.status_code == 303
    assert answers_by_code(registrations()[0])["pv_planned_kwp"] == stored


def test_prosumer_gives_both_consumption_and_planned_plant(register_demo):
    register_demo({**CONSUMER, "role": "prosumer", "pv_planned_kwp": "49,5"})
    answers = answers_by_code(registrations()[0])
    assert (answers["annual_kwh"], answers["pv_planned_kwp"]) == (120000, 49.5)


def test_annual_consumption_must_be_a_whole_number(register_demo):
    response = register_demo({**CONSUMER, "annual_kwh": "1,5"})
    html = response.get_data(as_text=True)
    assert "numero intero" in error_for(html, questions()["annual_kwh"].field_name)
    assert registrations() == []


def test_unusual_ateco_and_pod_are_kept_as_typed_and_questioned(register_demo, client):
    response = register_demo(
        {**CONSUMER, "ateco": "25.6", "supply_points": "it001e12345678\nIT12; AC001E00045"}
    )
    assert response.status_code == 303
    answers = answers_by_code(registrations()[0])
    # What matches the code's shape is normalised; anything else is what the person typed.
    assert answers["ateco"] == "25.6"
    assert [p["pod"] for p in answers["supply_points"]] == ["IT001E12345678", "IT12"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Da controllare" in html
    assert "NN.NN.NN" in html and "«IT12»" in html


def test_odd_substation_code_is_kept_exactly_as_typed(register_demo):
    response = register_demo({**CONSUMER, "supply_points": "IT001E12345678 ;  cabina Crema nord "})
    assert response.status_code == 303
    [point] = answers_by_code(registrations()[0])["supply_points"]
    assert point["substation"] == "cabina Crema nord"


def test_usual_substation_code_is_stored_normalised(register_demo):
    register_demo({**CONSUMER, "role": "producer", "pv_planned_substation": "ac001e00045"})
    assert answers_by_code(registrations()[0])["pv_planned_substation"] == "AC001E00045"


def test_odd_substation_code_is_flagged_on_the_confirmation_page(register_demo, client):
    response = register_demo({**CONSUMER, "supply_points": "IT001E12345678; ac 12-xyz"})
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Da controllare" in html
    assert "verifica che sia corretto" in html


def test_usual_substation_code_brings_no_warning(register_demo, client):
    response = register_demo({**CONSUMER, "supply_points": "IT001E12345678; AC001E00045"})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Da controllare" not in html


def test_company_not_attending_can_still_express_interest(register_demo, client):
    response = register_demo(CONSUMER, attendance="not_attending", party_size="")
    assert response.status_code == 303
    [registration] = registrations()
    assert registration.attendance is AttendanceMode.not_attending
    assert registration.party_size == 0
    assert registration.status is RegistrationStatus.confirmed
    assert answers_by_code(registration)["interest"] == "yes"
    assert answers_by_code(registration)["non_binding"] is True
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Iscrizione ricevuta" in page


def test_demo_event_offers_online_attendance(register_demo):
    response = register_demo(
        {
            "interest": "more_info",
            "area": "pip_pierina",
            "member_kind": "public_body",
            "role": "consumer",
            "non_binding": "y",
        },
        attendance="online",
    )
    assert response.status_code == 303
    [registration] = registrations()
    assert registration.attendance is AttendanceMode.online
    assert "staff" not in answers_by_code(registration)


def test_the_english_form_of_the_demo_event_reads_entirely_in_english(client, demo):
    client.get("/lang/en")
    html = client.get(f"/events/{demo.slug}/register").get_data(as_text=True)
    page = client.get(f"/events/{demo.slug}/").get_data(as_text=True)
    assert "Founding an Energy Community in the Ex Olivetti and Pierina Areas" in html
    assert "Renewable Energy Communities" in page
    italian = [demo.title, demo.summary, "Comunità Energetiche Rinnovabili", "obbligatorio"]
    for template in ENERGY_COMMUNITY.questions:
        italian += [template.label, template.help_text]
        italian += [o.label for o in template.options if o.label != o.label_en]
    for text in filter(None, italian):
        assert not re.search(rf"(?<!\w){re.escape(text)}(?!\w)", html), text
    assert "Interest in joining the Energy Community" in html
    assert "for example 120,000." in html and ">Yes<" in html
    privacy = client.get(f"/events/{demo.slug}/privacy").get_data(as_text=True)
    assert "Data controller" in privacy and "Titolare del trattamento" not in privacy
