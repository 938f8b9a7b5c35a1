"""Each question kind followed end to end, in Italian and in English: typed on the public
form → stored → read on the confirmation page, the personal page and in the email → the
CSV and XLSX cells → the personal-data download → what anonymisation leaves."""

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from email import message_from_bytes
from email.policy import default as email_policy

import pytest
import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from openpyxl import load_workbook

from eventsreg.events.models import QuestionKind
from eventsreg.extensions import db
from eventsreg.mail.delivery import deliver_pending
from eventsreg.mail.models import OutboxEmail
from eventsreg.mail.outbox import write
from eventsreg.organizer import stats
from eventsreg.privacy import services as privacy
from eventsreg.questions.kinds import KINDS
from eventsreg.questions.models import Answer

from .conftest import PASSWORD, form_data
from .helpers import error_for, manage_token, personal_token

BOM = "\ufeff"


@pytest.fixture
def app_config():
    return {"MAIL_SERVER": "smtp.test"}


@dataclass
class Case:
    kind: QuestionKind
    #: What is typed on the Italian and on the English form.
    typed: dict[str, object]
    stored: object
    #: How the answer reads on pages and in emails, in each language.
    shown: dict[str, str]
    #: The CSV cell (Italian settings: ";" and decimal comma) and the XLSX cell.
    csv: str
    xlsx: object
    #: The stored value once the registration is anonymised.
    anonymised: object
    settings: dict = field(default_factory=dict)
    choices: list = field(default_factory=list)
    header: str = "Domanda"

    @property
    def id(self) -> str:
        return self.kind.value


OPTIONS = [
    {"value": "a", "label": "Alfa", "label_en": "Alpha"},
    {"value": "b", "label": "Beta", "label_en": "Beta"},
]
REMOVED = "[dato rimosso]"

CASES = [
    Case(QuestionKind.text, {"it": "Via Roma 1", "en": "Via Roma 1"}, "Via Roma 1",
         {"it": "Via Roma 1", "en": "Via Roma 1"}, "Via Roma 1", "Via Roma 1", REMOVED),
    Case(QuestionKind.textarea, {"it": "Due\nrighe", "en": "Two\nlines"}, None,
         {"it": "Due", "en": "Two"}, None, None, REMOVED),
    Case(QuestionKind.number, {"it": "120.000 kWh", "en": "120,000 kWh"}, 120000,
         {"it": "120.000 kWh", "en": "120,000 kWh"}, "120000", 120000, 120000,
         settings={"unit": "kWh", "integer": True}, header="Domanda (kWh)"),
    Case(QuestionKind.number, {"it": "49,5", "en": "49.5"}, 49.5,
         {"it": "49,5 kWp", "en": "49.5 kWp"}, "49,5", 49.5, 49.5,
         settings={"unit": "kWp"}, header="Domanda (kWp)"),
    Case(QuestionKind.year, {"it": "2019", "en": "2019"}, 2019,
         {"it": "2019", "en": "2019"}, "2019", 2019, 2019),
    Case(QuestionKind.choice, {"it": "a", "en": "a"}, "a",
         {"it": "Alfa", "en": "Alpha"}, "Alfa", "Alfa", "a", choices=OPTIONS),
    Case(QuestionKind.multichoice, {"it": ["b", "a"], "en": ["a", "b"]}, ["a", "b"],
         {"it": "Alfa, Beta", "en": "Alpha, Beta"}, "Alfa; Beta", "Alfa; Beta", ["a", "b"],
         choices=OPTIONS),
    Case(QuestionKind.yesno, {"it": "yes", "en": "yes"}, True,
         {"it": "Sì", "en": "Yes"}, "Sì", "Sì", True),
    Case(QuestionKind.checkbox, {"it": "y", "en": "y"}, True,
         {"it": "Sì", "en": "Yes"}, "Sì", "Sì", True),
    Case(QuestionKind.date, {"it": "13/12/2022", "en": "13/12/2022"}, "2022-12-13",
         {"it": "13/12/2022", "en": "13/12/2022"}, "13/12/2022", datetime(2022, 12, 13),
         "2022-12-13"),
    Case(QuestionKind.email, {"it": "Tecnico@Azienda.it", "en": "Tecnico@Azienda.it"},
         "Tecnico@azienda.it", {"it": "Tecnico@azienda.it", "en": "Tecnico@azienda.it"},
         "Tecnico@azienda.it", "Tecnico@azienda.it", REMOVED),
    Case(QuestionKind.phone, {"it": "0373 123456", "en": "0373 123456"}, "0373 123456",
         {"it": "0373 123456", "en": "0373 123456"}, "0373 123456", "0373 123456", REMOVED),
    Case(QuestionKind.url, {"it": "www.azienda.it", "en": "www.azienda.it"},
         "https://www.azienda.it", {"it": "https://www.azienda.it", "en": "https://www.azienda.it"},
         "https://www.azienda.it", "https://www.azienda.it", REMOVED),
    Case(QuestionKind.vat, {"it": "IT 00743110157", "en": "00743110157"}, "00743110157",
         {"it": "00743110157", "en": "00743110157"}, "IT00743110157", "00743110157", REMOVED),
    Case(QuestionKind.ateco, {"it": "256200", "en": "25 62 00"}, "25.62.00",
         {"it": "25.62.00", "en": "25.62.00"}, "25.62.00", "25.62.00", "25.62.00"),
    Case(QuestionKind.pod,
         {"it": "it001e12345678\nIT 002 E 87654321", "en": "IT001E12345678, it002e87654321"},
         ["IT001E12345678", "IT002E87654321"],
         {"it": "IT001E12345678, IT002E87654321", "en": "IT001E12345678, IT002E87654321"},
         "IT001E12345678, IT002E87654321", "IT001E12345678, IT002E87654321",
         ["POD anonimo 1", "POD anonimo 2"]),
    Case(QuestionKind.substation, {"it": "ac001e00045", "en": "AC 001 E 00045"}, "AC001E00045",
         {"it": "AC001E00045", "en": "AC001E00045"}, "AC001E00045", "AC001E00045",
         "AC001E00045"),
    Case(QuestionKind.supply_points,
         {"it": "it001e12345678; ac001e00045; 120.000\nIT002E87654321",
          "en": "IT001E12345678 | AC 001 E 00045 | 120,000\nit002e87654321"},
         [{"pod": "IT001E12345678", "substation": "AC001E00045", "kwh": 120000},
          {"pod": "IT002E87654321", "substation": "", "kwh": None}],
         {"it": "IT001E12345678 (cabina AC001E00045, 120.000 kWh); IT002E87654321",
          "en": "IT001E12345678 (substation AC001E00045, 120,000 kWh); IT002E87654321"},
         "IT001E12345678/AC001E00045/120000; IT002E87654321",
         "IT001E12345678/AC001E00045/120000; IT002E87654321",
         [{"pod": "POD anonimo 1", "substation": "AC001E00045", "kwh": 120000},
          {"pod": "POD anonimo 2", "substation": "", "kwh": None}]),
]  # fmt: skip


def test_every_kind_has_a_class_and_a_case_here():
    assert set(KINDS) == set(QuestionKind)
    assert {case.kind for case in CASES} == set(QuestionKind)


def _stored_answer():
    db.session.expire_all()
    return db.session.scalars(sa.select(Answer.value)).one()


@pytest.mark.parametrize("lang", ["it", "en"])
@pytest.mark.parametrize("case", CASES, ids=[f"{c.id}-{n}" for n, c in enumerate(CASES)])
def test_an_answer_keeps_its_meaning_from_the_form_to_every_output(
    app, client, create_event, add_question, create_organizer, outbox, case, lang
):
    event = create_event(title="Assemblea", contact_email="eventi@example.org")
    question = add_question(
        event, "domanda", case.kind, label="Domanda", settings=case.settings, choices=case.choices
    )
    question.set_translation("label", "en", "Question")
    db.session.commit()
    headers = {"Accept-Language": "en-GB,en" if lang == "en" else "it-IT,it"}
    client.get(f"/lang/{lang}")

    # Typed in the page's language, stored as the same value whatever the language.
    form = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert ("Question" if lang == "en" else "Domanda") in form
    typed = case.typed[lang]
    response = client.post(
        f"/events/{event.slug}/register",
        data=form_data(**{question.field_name: typed}),
        headers=headers,
    )
    assert response.status_code == 303, error_for(response.get_data(as_text=True), "q_1")
    expected = case.stored if case.stored is not None else typed.replace("\r", "")
    assert _stored_answer() == expected

    # Read back as the person meant it: confirmation page, personal page, email.
    confirmation = client.get(response.headers["Location"]).get_data(as_text=True)
    assert case.shown[lang] in confirmation
    token = manage_token(confirmation)
    assert case.shown[lang] in client.get(f"/r/{token}").get_data(as_text=True)
    deliver_pending()
    [message] = outbox
    email = message_from_bytes(message.as_bytes(), policy=email_policy)
    text = email.get_body(preferencelist=("plain",)).get_content()
    assert case.shown[lang] in text

    # The personal-data download: the value as stored and as read.
    data = json.loads(client.get(f"/r/{token}/data.json").get_data(as_text=True))
    [answer] = data["answers"]
    assert answer["value"] == expected
    assert case.shown[lang] in answer["text"]

    # The organiser's spreadsheets (in Italian): a header with the unit, a typed cell.
    client.get("/lang/it")
    organizer = create_organizer(events=[event])
    client.post("/organizer/login", data={"email": organizer.email, "password": PASSWORD})
    body = client.get(f"/organizer/events/{event.slug}/registrations.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.removeprefix(BOM), newline=""), delimiter=";"))
    column = rows[0].index(case.header)
    assert rows[1][column] == (case.csv if case.csv is not None else expected)
    xlsx = client.get(f"/organizer/events/{event.slug}/registrations.xlsx").get_data()
    sheet = load_workbook(io.BytesIO(xlsx), read_only=True).active
    header, first = list(sheet.iter_rows(max_row=2, values_only=True))
    assert first[list(header).index(case.header)] == (
        case.xlsx if case.xlsx is not None else expected
    )

    # Anonymised once the retention period is over: what identifies nobody stays.
    privacy.purge(event.ends_at + relativedelta(months=13), 12)
    assert _stored_answer() == case.anonymised


# -- numbers that mean different things in the two conventions ----------------------------


@pytest.fixture
def power(create_event, add_question):
    event = create_event()
    question = add_question(event, "kwp", QuestionKind.number, settings={"unit": "kWp"})
    return event, question


def test_an_english_visitor_typing_120_000_stores_one_hundred_and_twenty_thousand(
    client, create_event, add_question
):
    event = create_event()
    question = add_question(event, "kwh", QuestionKind.number, settings={"unit": "kWh"})
    client.get("/lang/en")
    response = client.post(
        f"/events/{event.slug}/register",
        data=form_data(**{question.field_name: "120,000"}),
        headers={"Accept-Language": "en-GB"},
    )
    assert response.status_code == 303
    assert _stored_answer() == 120000


def test_a_number_is_read_back_with_every_decimal_typed(client, power, register, app):
    """12,34567 kWp stays 12,34567 on the confirmation, in the email's summary and in the
    form to change it (rounded to 12,346 there, saving the form again would store that)."""
    event, question = power
    response = register(event, **{question.field_name: "12,34567"})
    token = personal_token(client, response)
    assert _stored_answer() == 12.34567
    page = client.get(f"/r/{token}").get_data(as_text=True)
    assert "12,34567 kWp" in page
    assert f'name="{question.field_name}" type="text" value="12,34567"' in page
    assert "12,346" not in page
    email = write(db.session.scalars(sa.select(OutboxEmail)).first())
    assert "12,34567 kWp" in email.text_body and "12,346" not in email.text_body
    client.get("/lang/en")
    assert "12.34567 kWp" in client.get(f"/r/{token}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("typed", "language"),
    [
        ("1234567890123456", "it"),  # 16 digits: a float and a spreadsheet keep 15
        ("0,12345678901234567", "it"),
        ("1.234.567.890.123.456", "it"),
        ("1,234,567,890,123,456", "en"),
    ],
)
def test_a_number_with_more_digits_than_are_kept_exactly_is_refused(client, power, typed, language):
    """Stored, 1234567890123456 would come back as 1234567890123460 in a spreadsheet and
    0,12345678901234567 as 0,12345678901234566: refused, next to the field, in the
    visitor's language; nothing stored."""
    event, question = power
    client.get(f"/lang/{language}")
    response = client.post(
        f"/events/{event.slug}/register", data=form_data(**{question.field_name: typed})
    )
    assert response.status_code == 400
    message = error_for(response.get_data(as_text=True), question.field_name)
    expected = {
        "it": "Il numero ha troppe cifre: al massimo 15",
        "en": "The number has too many digits: 15 at most",
    }[language]
    assert expected in message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("123.456.789.012.345", 123456789012345, "123.456.789.012.345 kWp"),
        ("0,123456789012345", 0.123456789012345, "0,123456789012345 kWp"),
        # Zeros at either end are not digits a number keeps.
        ("120.000.000.000.000.000.000", 120000000000000000000, "120.000.000.000.000.000.000 kWp"),
        ("0,000000000000000012", 0.000000000000000012, "0,000000000000000012 kWp"),
    ],
)
def test_a_number_of_fifteen_digits_is_kept_as_typed(client, power, register, typed, stored, shown):
    event, question = power
    response = register(event, **{question.field_name: typed})
    assert response.status_code == 303
    assert _stored_answer() == stored
    page = client.get(f"/r/{personal_token(client, response)}").get_data(as_text=True)
    assert shown in page


def test_a_number_ambiguous_for_the_visitors_browser_is_asked_about_in_words(client, power):
    event, question = power
    # The Italian page, an English browser: "1.500" is 1500 or 1.5.
    english_browser = {"Accept-Language": "en-GB,en;q=0.9"}
    response = client.post(
        f"/events/{event.slug}/register",
        data=form_data(**{question.field_name: "1.500"}),
        headers=english_browser,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    message = error_for(html, question.field_name)
    assert "È stato scritto 1.500" in message
    assert "millecinquecento (1.500 kWp)" in message and "uno virgola cinque (1,5 kWp)" in message
    assert f'name="{question.field_name}-reading" ' in html and 'value="1500"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0

    # The person picks one and sends again: that reading is stored.
    response = client.post(
        f"/events/{event.slug}/register",
        data=form_data(**{question.field_name: "1.500", f"{question.field_name}-reading": "1.5"}),
        headers=english_browser,
    )
    assert response.status_code == 303
    assert _stored_answer() == 1.5


def test_a_reading_chosen_for_other_text_is_not_taken(client, power):
    event, question = power
    response = client.post(
        f"/events/{event.slug}/register",
        data=form_data(**{question.field_name: "2.500", f"{question.field_name}-reading": "1.5"}),
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "È stato scritto 2.500" in error_for(
        response.get_data(as_text=True), question.field_name
    )


def test_a_browser_writing_numbers_as_the_page_does_is_not_asked(client, power):
    event, question = power
    response = client.post(
        f"/events/{event.slug}/register",
        data=form_data(**{question.field_name: "1.500"}),
        headers={"Accept-Language": "it-IT,it"},
    )
    assert response.status_code == 303
    assert _stored_answer() == 1500


def test_a_year_is_never_grouped_nor_summed(client, create_event, add_question, register):
    event = create_event()
    question = add_question(event, "anno", QuestionKind.year)
    register(event, **{question.field_name: "2019"})
    # Another company (another tax code): each company's year counts.
    register(
        event,
        email="due@example.com",
        vat_number="",
        tax_code="RSSMRA80A01H501U",
        **{question.field_name: "2021"},
    )
    [summary] = stats.event_dashboard(event).questions
    assert summary.numbers is None
    assert [(o.label, o.count) for o in summary.options] == [("2019", 1), ("2021", 1)]
    refused = register(event, email="tre@example.com", **{question.field_name: "2.019"})
    assert "quattro cifre" in error_for(refused.get_data(as_text=True), question.field_name)


def test_a_code_in_an_unusual_shape_is_kept_as_typed_and_questioned(
    client, create_event, add_question, register
):
    event = create_event()
    question = add_question(event, "cabina", QuestionKind.substation)
    response = register(event, **{question.field_name: "  cabina Crema nord "})
    assert response.status_code == 303
    assert _stored_answer() == "cabina Crema nord"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "cabina Crema nord" in page and "verifica che sia corretto" in page


# -- running summaries: counted in and out one value at a time -------------------------------


def _random_answers(kind: QuestionKind, rng) -> list:
    if kind is QuestionKind.number:
        return [rng.choice([rng.randrange(0, 50), rng.randrange(0, 50) + 0.5]) for _ in range(40)]
    if kind is QuestionKind.supply_points:
        return [
            [
                {"pod": f"IT001E{rng.randrange(10**8):08d}",
                 "substation": rng.choice(["AC001E00045", "AC001E00046", ""]),
                 "kwh": rng.choice([None, 1000])}
                for _ in range(rng.randint(1, 3))
            ]
            for _ in range(40)
        ]  # fmt: skip
    if kind is QuestionKind.pod:
        return [[f"IT00{n}E1" for n in range(rng.randint(1, 3))] for _ in range(40)]
    return [f"AC001E{rng.randrange(12):05d}" for _ in range(40)]


@pytest.mark.parametrize(
    "kind",
    [QuestionKind.number, QuestionKind.substation, QuestionKind.ateco, QuestionKind.pod,
     QuestionKind.supply_points],
)  # fmt: skip
def test_a_running_summary_after_values_come_and_go_is_the_summary_of_those_left(kind):
    """Values counted in and out in any order (the smallest and largest among those that
    go) give what summing up the values left gives."""
    import random

    from eventsreg.events.models import Question

    question = Question(kind=kind, code="q", label="Q", settings={})
    kind_type = KINDS[kind]
    rng = random.Random(5)
    for _round in range(20):
        answers = _random_answers(kind, rng)
        running = kind_type.running_summary(question)
        kept = list(answers)
        for value in answers:
            running.add(value, 1)
        running.summary()  # worked out once, then values go
        for value in sorted(answers, key=str)[:10] + rng.sample(answers, 10):
            if value in kept:
                kept.remove(value)
                running.add(value, -1)
        counted = [(value, 1) for value in kept]
        assert running.summary() == kind_type.summarise(question, counted)
        if kind is QuestionKind.number:
            amounts = [Decimal(str(value)) for value in kept]
            numbers = running.summary().numbers
            assert (numbers.total, numbers.minimum, numbers.maximum, numbers.count) == (
                sum(amounts),
                min(amounts),
                max(amounts),
                len(amounts),
            )
