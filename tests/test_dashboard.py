"""The event dashboard: counts, registrations per day, answers summed up, the CER panel."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from eventsreg.demo import seed_demo
from eventsreg.events.models import Event, QuestionKind
from eventsreg.extensions import db
from eventsreg.organizer import stats
from eventsreg.registrations import checkin, services
from eventsreg.registrations.models import AttendanceMode, Registration, RegistrationStatus

from .conftest import choices
from .helpers import registrations

VAT_A, VAT_B, VAT_C, VAT_D, VAT_E = (
    "00743110157",
    "01234560157",
    "07654320196",
    "01111110159",
    "02222220150",
)


def text(html: str) -> str:
    """The page's text with tags removed and white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def stat(html: str, term: str) -> str:
    """The value shown beside *term* in the page's lists of figures."""
    for dt, dd in re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", html, re.S):
        if text(dt) == term:
            return text(dd)
    raise AssertionError(f"no figure «{term}» on the page")


def registration_by_email(email: str) -> Registration:
    return next(r for r in registrations() if r.email == email)


@pytest.fixture
def dashboard(client, create_organizer, sign_in):
    """GET the dashboard of *event* as one of its organisers; returns the HTML."""
    signed_in = set()

    def get(event: Event) -> str:
        if event.id not in signed_in:
            sign_in(create_organizer(f"org{event.id}@example.org", events=[event]))
            signed_in.add(event.id)
        response = client.get(f"/organizer/events/{event.slug}/")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    return get


# -- access ----------------------------------------------------------------------------------


def test_signed_out_visitor_is_sent_to_sign_in(client, create_event):
    event = create_event()
    response = client.get(f"/organizer/events/{event.slug}/")
    assert response.status_code == 302
    assert "/organizer/login" in response.headers["Location"]


def test_another_organisers_event_is_not_found(client, create_event, create_organizer, sign_in):
    mine, theirs = create_event(), create_event()
    create_organizer("altro@example.org", events=[theirs])
    sign_in(create_organizer(events=[mine]))
    assert client.get(f"/organizer/events/{theirs.slug}/").status_code == 404
    assert client.get(f"/organizer/events/{mine.slug}/").status_code == 200


# -- counts ----------------------------------------------------------------------------------


def test_counts_by_status_attendance_seats_and_check_in(create_event, register, dashboard):
    event = create_event(capacity=4, online_url="https://meet.example.org/x")
    register(event, email="gruppo@example.com", party_size="3")
    # 2 > 1 seat left: the whole party waits (their choice, asked by the form).
    register(event, email="attesa@example.com", party_size="2", party_choice="waitlist")
    register(event, email="online@example.com", attendance="online")
    register(event, email="interesse@example.com", attendance="not_attending", party_size="")
    register(event, email="ritirata@example.com", attendance="online")
    services.withdraw(registration_by_email("ritirata@example.com"))
    event.requires_approval = True
    db.session.commit()
    register(event, email="attende@example.com", attendance="online")
    register(event, email="rifiutata@example.com", attendance="online")
    services.reject(registration_by_email("rifiutata@example.com"))
    checkin.check_in(registration_by_email("gruppo@example.com"))

    counts = stats.counts(event)
    assert counts.by_status == {
        RegistrationStatus.confirmed: 3,
        RegistrationStatus.waitlisted: 1,
        RegistrationStatus.pending: 1,
        RegistrationStatus.cancelled: 1,
        RegistrationStatus.rejected: 1,
    }
    # Withdrawn and rejected registrations no longer count among those taking part.
    assert counts.by_attendance == {
        AttendanceMode.in_person: 2,
        AttendanceMode.online: 2,
        AttendanceMode.not_attending: 1,
    }
    assert (counts.people_in_person, counts.seats_left, counts.checked_in) == (3, 1, 1)

    html = dashboard(event)
    assert stat(html, "Confermata") == "3"
    assert stat(html, "In lista d'attesa") == "1"
    assert stat(html, "In attesa di approvazione") == "1"
    assert stat(html, "Ritirata") == "1"
    assert stat(html, "Non accettata") == "1"
    assert stat(html, "Totale") == "7"
    assert stat(html, "Solo manifestazione di interesse") == "1"
    assert stat(html, "Persone attese in presenza") == "3"
    assert stat(html, "Posti liberi") == "1 su 4"
    assert stat(html, "Registrati all'ingresso") == "1"


def test_event_without_capacity_has_seats_without_limit(create_event, register, dashboard):
    event = create_event(capacity=None)
    register(event, party_size="2")
    assert stats.counts(event).seats_left is None
    assert stat(dashboard(event), "Posti liberi") == "senza limite"


# -- registrations per day -------------------------------------------------------------------


def register_at(event: Event, email: str, moment: datetime, vat: str = VAT_A, **answers):
    data = services.RegistrationData(
        first_name="Anna",
        last_name="Neri",
        company_name=f"Azienda {email.split('@')[0]}",
        attendance=AttendanceMode.online,
        party_size=1,
        email=email,
        vat_number=vat,
        answers=answers,
    )
    return services.register(event, data, now=moment).registration


def test_registrations_per_day_are_counted_in_the_events_zone_across_midnight(create_event):
    event = create_event(online_url="https://meet.example.org/x")
    # 22:30 UTC is 23:30 in Rome (winter time), 23:30 UTC is already the next day there.
    register_at(event, "a@example.com", datetime(2025, 3, 10, 22, 30, tzinfo=UTC))
    register_at(event, "b@example.com", datetime(2025, 3, 10, 23, 30, tzinfo=UTC))
    register_at(event, "c@example.com", datetime(2025, 3, 11, 9, 0, tzinfo=UTC))
    register_at(event, "d@example.com", datetime(2025, 3, 13, 12, 0, tzinfo=UTC))

    days = [(d.day, d.count) for d in stats.registrations_per_day(event)]
    assert days == [
        (date(2025, 3, 10), 1),
        (date(2025, 3, 11), 2),
        (date(2025, 3, 12), 0),
        (date(2025, 3, 13), 1),
    ]


def test_chart_is_an_accessible_svg_with_the_same_data_as_a_table(create_event, dashboard):
    event = create_event(online_url="https://meet.example.org/x")
    register_at(event, "a@example.com", datetime(2025, 3, 10, 22, 30, tzinfo=UTC))
    register_at(event, "b@example.com", datetime(2025, 3, 10, 23, 30, tzinfo=UTC))
    register_at(event, "c@example.com", datetime(2025, 3, 11, 9, 0, tzinfo=UTC))

    html = dashboard(event)
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg
    assert '<title id="chart-title">Iscrizioni ricevute per giorno</title>' in svg
    assert "<desc" in svg
    assert svg.count("<rect") == 2
    assert "style=" not in svg and "<script" not in html.split("</head>")[1]
    assert "10/3" in svg and "11/3" in svg
    table = re.search(r'<details class="chart-data">.*?</details>', html, re.S).group(0)
    assert "lunedì 10 marzo 2025 1" in text(table)
    assert "martedì 11 marzo 2025 2" in text(table)


def test_dashboard_without_registrations_says_so(create_event, dashboard):
    html = dashboard(create_event())
    assert "Ancora nessuna iscrizione" in html
    assert "<svg" not in html


# -- questions summed up ---------------------------------------------------------------------


@pytest.fixture
def surveyed(create_event, add_question, register):
    """An event with one question of each summed-up kind and three companies' answers."""
    event = create_event()
    q = {
        "size": add_question(event, "size", QuestionKind.choice, choices=choices("a", "b", "c")),
        "topics": add_question(
            event, "topics", QuestionKind.multichoice, choices=choices("x", "y")
        ),
        "pv": add_question(event, "pv", QuestionKind.yesno),
        "kwh": add_question(event, "kwh", QuestionKind.number, settings={"unit": "kWh"}),
        "pods": add_question(event, "pods", QuestionKind.pod),
        "cabin": add_question(event, "cabin", QuestionKind.substation),
        "note": add_question(event, "note", QuestionKind.textarea),
    }
    rows = [
        (VAT_A, "a", ["x", "y"], "yes", "1500", "IT001E12345678\nIT002E87654321", "AC001E00045"),
        (VAT_B, "a", ["x"], "no", "2.500,5", "IT003E11111111", "AC001E00045"),
        (VAT_C, "b", [], "no", "", "", "AC002E00012"),
    ]
    for n, (vat, size, topics, pv, kwh, pods, cabin) in enumerate(rows):
        register(
            event,
            email=f"contatto{n}@example.com",
            vat_number=vat,
            **{
                q["size"].field_name: size,
                q["topics"].field_name: topics,
                q["pv"].field_name: pv,
                q["kwh"].field_name: kwh,
                q["pods"].field_name: pods,
                q["cabin"].field_name: cabin,
                q["note"].field_name: "Una nota" if n == 0 else "",
            },
        )
    assert len(registrations()) == 3
    return event, q


def summaries(event: Event) -> dict[str, stats.QuestionSummary]:
    return {s.question.code: s for s in stats.event_dashboard(event).questions}


def test_choice_answers_are_counted_per_option_with_percentages(surveyed, dashboard):
    event, _ = surveyed
    summary = summaries(event)
    size = {o.value: (o.count, o.percent) for o in summary["size"].options}
    assert size == {"a": (2, Decimal("66.7")), "b": (1, Decimal("33.3")), "c": (0, Decimal(0))}
    topics = {o.value: o.count for o in summary["topics"].options}
    assert (summary["topics"].respondents, topics) == (2, {"x": 2, "y": 1})
    assert {o.value: o.count for o in summary["pv"].options} == {"yes": 1, "no": 2}

    page = text(dashboard(event))
    assert "A 2 66,7% B 1 33,3% C 0 0%" in page
    assert "Sì 1 33,3% No 2 66,7%" in page


def test_number_answers_get_sum_average_min_and_max(surveyed, dashboard):
    event, _ = surveyed
    numbers = summaries(event)["kwh"].numbers
    assert (numbers.total, numbers.average, numbers.minimum, numbers.maximum) == (
        Decimal("4000.5"),
        Decimal("2000.25"),
        Decimal(1500),
        Decimal("2500.5"),
    )
    assert (numbers.count, numbers.unit) == (2, "kWh")
    html = dashboard(event)
    assert "4.000,5 kWh" in text(html)
    assert "2.000,25 kWh" in text(html)


def test_pods_are_counted_substations_listed_and_texts_counted(surveyed, dashboard):
    event, _ = surveyed
    summary = summaries(event)
    assert summary["pods"].pod_count == 3
    assert summary["cabin"].codes == ["AC001E00045", "AC002E00012"]
    assert summary["note"].respondents == 1
    page = text(dashboard(event))
    assert "Punti di prelievo (POD) indicati in tutto: 3" in page
    assert "Comunità energetica" not in page  # not an energy-community event


def test_withdrawn_registrations_do_not_count_in_the_answers(surveyed):
    event, _ = surveyed
    services.withdraw(registration_by_email("contatto1@example.com"))
    summary = summaries(event)
    assert summary["kwh"].numbers.total == Decimal(1500)
    assert summary["size"].respondents == 2


def test_archived_questions_are_still_summed_up(surveyed, dashboard):
    event, q = surveyed
    q["kwh"].is_archived = True
    db.session.commit()
    assert summaries(event)["kwh"].numbers.count == 2
    assert "(archiviata)" in text(dashboard(event))


# -- companies (demo event) ------------------------------------------------------------------


@pytest.fixture
def demo_answers(app, register):
    """Register to the demo event giving the answers by question code."""
    event = seed_demo()

    def post(email: str, vat: str, company: str, answers: dict, **overrides):
        q = {question.code: question for question in event.questions}
        fields = {q[code].field_name: value for code, value in answers.items()}
        response = register(
            event, email=email, vat_number=vat, company_name=company, **overrides, **fields
        )
        assert response.status_code == 303, response.get_data(as_text=True)

    return event, post


def company(**answers) -> dict:
    base = {
        "interest": "yes",
        "member_kind": "company",
        "staff": "10_49",
        "turnover": "le10",
        "ateco": "256200",
        "area": "ex_olivetti",
        "role": "consumer",
        "non_binding": "y",
    }
    return {**base, **answers}


@pytest.fixture
def officine(demo_answers):
    """Two contacts of one company who disagree on the consumption, and a company that only
    comes to listen."""
    event, post = demo_answers
    post("anna@officine.it", VAT_A, "Officine Srl", company(annual_kwh="120.000"),
         first_name="Anna", last_name="Bassi")  # fmt: skip
    post("dario@altro.it", VAT_D, "Solo Ascolto Snc", {"interest": "no"})
    post("mario@officine.it", VAT_A, "Officine Srl", company(annual_kwh="150.000"),
         first_name="Mario")  # fmt: skip
    return event


def test_two_contacts_of_one_company_count_once_with_the_latest_answers(officine):
    data = stats.event_dashboard(officine)
    assert (data.active_registrations, data.companies) == (3, 2)
    kwh = next(s for s in data.questions if s.question.code == "annual_kwh")
    assert kwh.numbers.total == Decimal(150000)
    assert kwh.numbers.count == 1


def test_company_is_recognised_by_tax_code_then_email_without_vat(demo_answers):
    event, post = demo_answers
    post("uno@studio.it", "", "Studio", {"interest": "no"}, tax_code="RSSMRA80A01H501U")
    post("due@studio.it", "", "Studio", {"interest": "no"}, tax_code="RSSMRA80A01H501U")
    assert stats.event_dashboard(event).companies == 1
    registration_by_email("due@studio.it").tax_code = ""
    db.session.commit()
    assert stats.event_dashboard(event).companies == 2


def test_disagreeing_contacts_of_one_company_are_named(officine, dashboard):
    found = stats.event_dashboard(officine).disagreements
    assert [(d.company_name, d.question.code) for d in found] == [("Officine Srl", "annual_kwh")]
    assert [(row.email, value) for row, value in found[0].values] == [
        ("mario@officine.it", 150000),
        ("anna@officine.it", 120000),
    ]

    page = text(dashboard(officine))
    notice = page.split("Dati discordanti")[1].split("Interesse ad aderire")[0]
    assert "Officine Srl – Consumo annuo complessivo di energia elettrica" in notice
    assert "150.000 kWh (Mario Rossi, mario@officine.it)" in notice
    assert "120.000 kWh (Anna Bassi, anna@officine.it)" in notice


def test_agreeing_contacts_bring_no_notice(demo_answers, dashboard):
    event, post = demo_answers
    for email in ("uno@officine.it", "due@officine.it"):
        post(email, VAT_A, "Officine Srl", company(annual_kwh="120.000"))
    assert stats.event_dashboard(event).disagreements == []
    assert "Dati discordanti" not in dashboard(event)
