"""CSV and XLSX exports of an event's registrations: content, safety, access and the CLI."""

import contextvars
import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import render_template_string
from openpyxl import load_workbook
from sqlalchemy import insert

from eventsreg import exports
from eventsreg.events.models import QuestionKind
from eventsreg.extensions import db
from eventsreg.questions.models import Answer
from eventsreg.registrations.models import AttendanceMode, Registration, RegistrationStatus

from .conftest import choices

FIXED_HEADER = [
    "ID",
    "Data iscrizione",
    "Stato",
    "Partecipazione",
    "Persone",
    "Nome",
    "Cognome",
    "Email",
    "Telefono",
    "Azienda",
    "Partita IVA",
    "Codice fiscale",
    "Lingua",
    "Consenso privacy",
    "Versione informativa privacy",
    "Consenso comunicazioni",
    "Ingresso registrato",
]
BOM = b"\xef\xbb\xbf"
FORMULA = '=HYPERLINK("http://x","click")'


def add_registration(event, answers=None, **kwargs) -> Registration:
    """A registration stored directly, so that times and odd values can be chosen."""
    number = len(event.registrations) + 1
    kwargs.setdefault("status", RegistrationStatus.confirmed)
    kwargs.setdefault("attendance", AttendanceMode.in_person)
    kwargs.setdefault("party_size", 1)
    kwargs.setdefault("first_name", "Maria")
    kwargs.setdefault("last_name", "Rossi")
    kwargs.setdefault("email", f"persona{number}@example.com")
    kwargs.setdefault("company_name", "Officine Cremasche Srl")
    kwargs.setdefault(
        "created_at", datetime(2026, 3, 1, 9, 0, tzinfo=UTC) + timedelta(hours=number)
    )
    kwargs.setdefault("privacy_consent_at", kwargs["created_at"])
    kwargs.setdefault("privacy_notice_version", 1)
    registration = Registration(event=event, token_hash=f"{event.id}-{number}", **kwargs)
    for question, value in (answers or {}).items():
        registration.answers.append(Answer(question=question, value=value))
    db.session.add(registration)
    db.session.commit()
    return registration


def parse_csv(body: bytes, delimiter: str = ";") -> list[list[str]]:
    assert body.startswith(BOM)
    text = body[len(BOM) :].decode("utf-8")
    assert not text.lower().startswith("sep=")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


@pytest.fixture
def signed_in_manager(create_organizer, sign_in):
    """Sign in an organiser who manages the given event."""

    def do(event):
        sign_in(create_organizer("gestore@example.org", events=[event]))

    return do


def download_csv(client, event, query: str = "") -> list[list[str]]:
    response = client.get(f"/organizer/events/{event.slug}/registrations.csv{query}")
    assert response.status_code == 200
    return parse_csv(response.data, "," if "comma" in query else ";")


def download_xlsx(client, event):
    response = client.get(f"/organizer/events/{event.slug}/registrations.xlsx")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data))


def test_csv_has_bom_header_and_one_row_per_registration_of_any_status_oldest_first(
    client, create_event, signed_in_manager
):
    event = create_event()
    signed_in_manager(event)
    add_registration(event, first_name="Anna", created_at=datetime(2026, 3, 2, 8, tzinfo=UTC))
    add_registration(
        event,
        first_name="Bruno",
        status=RegistrationStatus.cancelled,
        attendance=AttendanceMode.not_attending,
        party_size=0,
        created_at=datetime(2026, 3, 1, 8, tzinfo=UTC),
    )
    add_registration(
        event,
        first_name="Carla",
        status=RegistrationStatus.waitlisted,
        attendance=AttendanceMode.online,
        marketing_consent_at=datetime(2026, 3, 3, 8, tzinfo=UTC),
        created_at=datetime(2026, 3, 3, 8, tzinfo=UTC),
    )
    header, *rows = download_csv(client, event)
    assert header == FIXED_HEADER
    assert [row[5] for row in rows] == ["Bruno", "Anna", "Carla"]
    assert [row[2] for row in rows] == ["Ritirata", "Confermata", "In lista d'attesa"]
    assert [row[3] for row in rows] == [
        "Non partecipo, invio solo la manifestazione di interesse",
        "In presenza",
        "Online",
    ]
    assert [row[4] for row in rows] == ["0", "1", "1"]
    assert [row[15] for row in rows] == ["No", "No", "Sì"]


def test_csv_has_a_column_per_question_archived_included_with_answers_in_words(
    client, create_event, add_question, signed_in_manager
):
    event = create_event()
    signed_in_manager(event)
    area = add_question(
        event, "area", QuestionKind.choice, label="Area", choices=choices("olivetti", "pierina")
    )
    roles = add_question(
        event, "ruolo", QuestionKind.multichoice, label="Ruolo", choices=choices("cons", "prod")
    )
    roof = add_question(event, "tetto", QuestionKind.yesno, label="Tetto disponibile")
    kwh = add_question(event, "kwh", QuestionKind.number, label="Consumo annuo")
    pods = add_question(event, "pod", QuestionKind.pod, label="Codici POD")
    day = add_question(event, "giorno", QuestionKind.date, label="Data")
    mail = add_question(event, "pec", QuestionKind.email, label="Email")
    old = add_question(event, "vecchia", QuestionKind.text, label="Area", is_archived=True)
    add_registration(
        event,
        answers={
            area: "pierina",
            roles: ["cons", "prod"],
            roof: True,
            kwh: 12500.5,
            pods: ["IT001E12345678", "IT001E87654321"],
            day: "2022-12-13",
            mail: "pec@example.org",
            old: "risposta di prima",
        },
    )
    add_registration(event, answers={roof: False})
    header, first, second = download_csv(client, event)
    assert header == FIXED_HEADER + [
        "Area (area)",
        "Ruolo",
        "Tetto disponibile",
        "Consumo annuo",
        "Codici POD",
        "Data",
        "Email (pec)",
        "Area (vecchia)",
    ]
    assert first[len(FIXED_HEADER) :] == [
        "Pierina",
        "Cons; Prod",
        "Sì",
        "12500,5",
        "IT001E12345678, IT001E87654321",
        "13/12/2022",
        "pec@example.org",
        "risposta di prima",
    ]
    assert second[len(FIXED_HEADER) :] == ["", "", "No", "", "", "", "", ""]


def test_csv_times_are_in_the_event_zone_across_the_change_to_summer_time(
    client, create_event, signed_in_manager
):
    event = create_event(timezone="Europe/Rome")
    signed_in_manager(event)
    # Italy moves its clocks forward at 01:00 UTC on 29 March 2026.
    for moment in (datetime(2026, 3, 29, 0, 30), datetime(2026, 3, 29, 1, 30)):
        add_registration(event, created_at=moment.replace(tzinfo=UTC))
    add_registration(
        event,
        created_at=datetime(2026, 3, 30, 0, 30, tzinfo=UTC),
        checked_in_at=datetime(2026, 12, 1, 16, 5, tzinfo=UTC),
    )
    _header, *rows = download_csv(client, event)
    assert [row[1] for row in rows] == ["29/03/2026 01:30", "29/03/2026 03:30", "30/03/2026 02:30"]
    assert [row[13] for row in rows] == [row[1] for row in rows]
    assert [row[16] for row in rows] == ["", "", "01/12/2026 17:05"]


def test_comma_option_separates_with_commas_and_writes_decimal_points(
    client, create_event, add_question, signed_in_manager
):
    event = create_event()
    signed_in_manager(event)
    kwh = add_question(event, "kwh", QuestionKind.number, label="Consumo annuo")
    add_registration(
        event,
        company_name="Rossi, Bianchi & C.",
        created_at=datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
        answers={kwh: 3.5},
    )
    response = client.get(f"/organizer/events/{event.slug}/registrations.csv?sep=comma")
    assert b'"Rossi, Bianchi & C."' in response.data
    header, row = parse_csv(response.data, ",")
    assert header[-1] == "Consumo annuo"
    assert row[9] == "Rossi, Bianchi & C."
    assert row[-1] == "3.5"
    assert row[1] == "2026-03-29 01:30"


def test_formula_like_text_is_neutralised_but_numbers_and_phone_numbers_are_kept(
    client, create_event, add_question, signed_in_manager
):
    event = create_event()
    signed_in_manager(event)
    note = add_question(event, "nota", QuestionKind.text, label="Nota")
    amount = add_question(event, "importo", QuestionKind.text, label="Importo")
    add_registration(
        event,
        company_name=FORMULA,
        first_name="@SUM(A1)",
        last_name="-2+3",
        phone="+39 0373 123456",
        tax_code="+393331234567",
        answers={note: "\tciao", amount: "-12,5"},
    )
    add_registration(event, first_name="\r=1+1", last_name="+", company_name="Normale Srl")
    _header, first, second = download_csv(client, event)
    assert first[9] == "'" + FORMULA
    assert first[5] == "'@SUM(A1)"
    assert first[6] == "'-2+3"
    assert first[-2] == "'\tciao"
    assert first[8] == "+39 0373 123456"
    assert first[11] == "+393331234567"
    assert first[-1] == "-12,5"
    assert second[5:7] == ["'\r=1+1", "'+"]
    assert second[9] == "Normale Srl"


def test_xlsx_has_typed_cells_bold_frozen_header_filter_and_text_not_formulas(
    client, create_event, add_question, signed_in_manager
):
    event = create_event()
    signed_in_manager(event)
    kwh = add_question(event, "kwh", QuestionKind.number, label="Consumo annuo")
    day = add_question(event, "giorno", QuestionKind.date, label="Giorno")
    add_registration(
        event,
        company_name=FORMULA,
        party_size=3,
        phone="+39 0373 123456",
        created_at=datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        answers={kwh: 12500.5, day: "2022-12-13"},
    )
    add_registration(
        event,
        first_name="=1+1",
        created_at=datetime(2026, 3, 30, tzinfo=UTC),
        answers={kwh: 7},
    )
    workbook = download_xlsx(client, event)
    sheet = workbook.active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:S3"
    assert [cell.value for cell in sheet[1]] == FIXED_HEADER + ["Consumo annuo", "Giorno"]
    assert all(cell.font.bold for cell in sheet[1])
    first, second = sheet.iter_rows(min_row=2)
    assert first[0].data_type == "n" and isinstance(first[0].value, int)
    assert first[4].value == 3 and first[4].data_type == "n"
    assert first[17].value == 12500.5 and first[17].data_type == "n"
    assert second[17].value == 7
    assert first[1].is_date and first[1].value == datetime(2026, 3, 29, 3, 30)
    assert first[1].number_format == "dd/mm/yyyy hh:mm"
    assert first[18].is_date and first[18].value == datetime(2022, 12, 13)
    assert first[16].value is None
    assert first[9].data_type == "s" and first[9].value == "'" + FORMULA
    assert second[5].data_type == "s" and second[5].value == "'=1+1"
    assert first[8].value == "+39 0373 123456"
    assert sheet.column_dimensions["H"].width == 30


@pytest.mark.parametrize("suffix", [".csv", ".csv?sep=comma", ".xlsx"])
def test_downloads_are_private_attachments_named_after_the_event_and_the_day(
    client, create_event, signed_in_manager, suffix
):
    event = create_event(slug="cer-olivetti")
    signed_in_manager(event)
    response = client.get(f"/organizer/events/{event.slug}/registrations{suffix}")
    assert response.status_code == 200
    today = datetime.now(event.tz).strftime("%Y%m%d")
    extension = suffix.split("?")[0]
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="cer-olivetti-iscrizioni-{today}{extension}"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    expected = "text/csv" if extension == ".csv" else "application/vnd.openxmlformats"
    assert response.mimetype.startswith(expected)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_download_streams_after_the_views_context_has_ended_as_on_a_real_server(
    client, create_event, add_question, signed_in_manager, suffix
):
    event = create_event()
    kwh = add_question(event, "kwh", QuestionKind.number, label="Consumo annuo")
    add_registration(event, company_name="Bianchi Srl", answers={kwh: 240000})
    signed_in_manager(event)
    url = f"/organizer/events/{event.slug}/registrations{suffix}"

    def download() -> bytes:
        # A fresh context has no app context of the test's: as under a WSGI server, the
        # request's own contexts end when the view returns, before the body is read.
        response = client.get(url, buffered=False)
        try:
            return b"".join(response.response)
        finally:
            response.close()

    body = contextvars.Context().run(download)
    if suffix == ".csv":
        assert parse_csv(body)[1][-1] == "240000"
    else:
        assert load_workbook(io.BytesIO(body)).active["R2"].value == 240000


@pytest.mark.parametrize("suffix", [".csv", ".csv?sep=comma", ".xlsx"])
def test_signed_out_downloads_are_sent_to_sign_in(client, create_event, suffix):
    event = create_event()
    add_registration(event)
    response = client.get(f"/organizer/events/{event.slug}/registrations{suffix}")
    assert response.status_code == 302
    assert "/organizer/login" in response.headers["Location"]


@pytest.mark.parametrize("suffix", [".csv", ".csv?sep=comma", ".xlsx"])
def test_another_organisers_event_cannot_be_downloaded(
    client, create_event, create_organizer, sign_in, suffix
):
    mine, theirs = create_event(slug="mio"), create_event(slug="altrui")
    add_registration(theirs)
    create_organizer("altra@example.org", events=[theirs])
    sign_in(create_organizer("io@example.org", events=[mine]))
    assert client.get(f"/organizer/events/altrui/registrations{suffix}").status_code == 404
    assert client.get(f"/organizer/events/nessuno/registrations{suffix}").status_code == 404


def test_registration_through_the_public_form_appears_in_the_export(
    client, create_event, add_question, register, signed_in_manager
):
    event = create_event()
    area = add_question(
        event, "area", QuestionKind.choice, label="Area", choices=choices("olivetti", "pierina")
    )
    assert register(event, **{area.field_name: "olivetti"}).status_code == 303
    signed_in_manager(event)
    _header, row = download_csv(client, event)
    assert row[5:10] == [
        "Maria",
        "Rossi",
        "maria.rossi@example.com",
        "+39 0373 123456",
        "Officine Cremasche Srl",
    ]
    assert row[2] == "Confermata"
    assert row[-1] == "Olivetti"


def test_thousands_of_registrations_inserted_in_bulk_are_all_exported_with_their_answers(
    client, create_event, add_question, signed_in_manager
):
    event = create_event()
    signed_in_manager(event)
    kwh = add_question(event, "kwh", QuestionKind.number, label="Consumo annuo")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    count = 2500
    db.session.execute(
        insert(Registration),
        [
            {
                "id": 10_000 + i,
                "event_id": event.id,
                "status": RegistrationStatus.confirmed,
                "attendance": AttendanceMode.online,
                "party_size": 1,
                "first_name": f"Nome{i}",
                "last_name": "Cognome",
                "email": f"persona{i}@example.com",
                "company_name": f"Azienda {i}",
                "token_hash": f"{i:064x}",
                "privacy_consent_at": start,
                "privacy_notice_version": 1,
                "created_at": start + timedelta(minutes=i),
            }
            for i in range(count)
        ],
    )
    db.session.execute(
        insert(Answer),
        [{"registration_id": 10_000 + i, "question_id": kwh.id, "value": i} for i in range(count)],
    )
    db.session.commit()
    _header, *rows = download_csv(client, event)
    assert len(rows) == count
    assert all(row[5] == f"Nome{i}" and row[-1] == str(i) for i, row in enumerate(rows))
    sheet = download_xlsx(client, event).active
    assert sheet.max_row == count + 1
    assert sheet.cell(row=count + 1, column=18).value == count - 1


def test_download_links_include_offers_excel_and_both_csv_variants(app, create_event):
    event = create_event(slug="cer")
    with app.test_request_context("/organizer/events/cer/registrations"):
        html = render_template_string('{% include "organizer/_exports.html" %}', event=event)
    assert 'href="/organizer/events/cer/registrations.xlsx"' in html
    assert 'href="/organizer/events/cer/registrations.csv"' in html
    assert 'href="/organizer/events/cer/registrations.csv?sep=comma"' in html


def test_cli_writes_a_csv_file_that_parses_back(runner, create_event, tmp_path):
    event = create_event(slug="cer")
    add_registration(event, company_name="Bianchi Srl")
    add_registration(event, status=RegistrationStatus.rejected)
    folder = tmp_path / "export"
    folder.mkdir()
    path = folder / "iscrizioni.csv"
    result = runner.invoke(args=["registrations", "export", "cer", "--output", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 registrations" in result.output
    header, *rows = parse_csv(path.read_bytes())
    assert header == FIXED_HEADER
    assert [row[2] for row in rows] == ["Confermata", "Non accettata"]
    assert rows[0][9] == "Bianchi Srl"
    assert [p.name for p in folder.iterdir()] == ["iscrizioni.csv"]


def test_cli_writes_xlsx_and_comma_csv(runner, create_event, tmp_path):
    event = create_event(slug="cer")
    add_registration(event, company_name="Rossi, Bianchi & C.")
    xlsx = tmp_path / "iscrizioni.xlsx"
    result = runner.invoke(
        args=["registrations", "export", "cer", "--format", "xlsx", "--output", str(xlsx)]
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(xlsx).active
    assert sheet.max_row == 2 and sheet["J2"].value == "Rossi, Bianchi & C."
    comma = tmp_path / "virgola.csv"
    result = runner.invoke(
        args=["registrations", "export", "cer", "--sep", "comma", "-o", str(comma)]
    )
    assert result.exit_code == 0, result.output
    assert parse_csv(comma.read_bytes(), ",")[1][9] == "Rossi, Bianchi & C."


def test_cli_without_output_writes_the_csv_to_standard_output(runner, create_event):
    event = create_event(slug="cer")
    add_registration(event, company_name="Bianchi Srl")
    result = runner.invoke(args=["registrations", "export", "cer"])
    assert result.exit_code == 0
    header, row = parse_csv(result.stdout_bytes)
    assert header == FIXED_HEADER and row[9] == "Bianchi Srl"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nessuno"], "no event with slug 'nessuno'"),
        (["cer", "--format", "xlsx"], "needs --output"),
        (["cer", "--output", "/nonexistent-dir/x.csv"], "export failed"),
    ],
)
def test_cli_failures_are_reported_and_exit_non_zero(runner, create_event, args, message):
    create_event(slug="cer")
    result = runner.invoke(args=["registrations", "export", *args], color=True)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "\x1b[31m" in result.stderr


def _both_ways(event, delimiter: str) -> tuple[bytes, bytes]:
    """The CSV as the downloads make it (from the stored values, column by column) and as
    the CLI makes it with a progress bar (from ``registration_rows``, cell by cell)."""
    fast = b"".join(exports.csv_chunks(event, delimiter))
    rows = exports.registration_rows(event)
    slow = b"".join(exports.csv_chunks(event, delimiter, rows=rows))
    return fast, slow


@pytest.mark.parametrize("timezone", ["Europe/Rome", "Asia/Kolkata", "America/St_Johns"])
def test_csv_from_stored_values_matches_the_csv_from_typed_rows_cell_for_cell(
    create_event, add_question, timezone
):
    event = create_event(timezone=timezone)
    area = add_question(
        event, "area", QuestionKind.choice, label="=Area", choices=choices("olivetti", "pierina")
    )
    roles = add_question(
        event, "ruolo", QuestionKind.multichoice, label="Ruolo", choices=choices("cons", "prod")
    )
    roof = add_question(event, "tetto", QuestionKind.yesno, label="Tetto")
    kwh = add_question(event, "kwh", QuestionKind.number, label="Consumo")
    pods = add_question(event, "pod", QuestionKind.pod, label="POD")
    day = add_question(event, "giorno", QuestionKind.date, label="Giorno")
    note = add_question(event, "nota", QuestionKind.textarea, label="Nota")
    odd_answers = [
        {area: "pierina", roles: ["cons", "prod"], roof: True, kwh: 12500.5, pods: ["IT1"]},
        {area: "sconosciuta", roles: ["altro"], roof: False, kwh: 1e20, day: "2022-12-13"},
        {area: ["olivetti"], kwh: -0.0, day: "13/12/2022", note: "=SOMMA(A1)", pods: "IT2"},
        {kwh: "12,5", note: 'perché l\'incentivo "cambia";\nriga due', day: ""},
        {kwh: 7, note: "+39 0373 123456", roles: [], area: None},
        {kwh: 0.1 + 0.2, note: "-12,5", roof: None},
        {kwh: 12345678901234567890, note: "\tciao"},
        {},
    ]
    # Around both changes of summer time in Italy, at odd minutes and seconds.
    moments = [
        datetime(2026, 3, 29, 0, 59, 59, 999_999),
        datetime(2026, 3, 29, 1, 0),
        datetime(2026, 3, 29, 1, 30, 30),
        datetime(2026, 10, 25, 0, 30),
        datetime(2026, 10, 25, 1, 0, 1),
        datetime(2026, 10, 25, 1, 59),
        datetime(2026, 12, 31, 23, 45),
        datetime(2027, 1, 1, 0, 5),
    ]
    for n, (answers, moment) in enumerate(zip(odd_answers, moments, strict=True)):
        add_registration(
            event,
            answers=answers,
            first_name=["Anna", "=1+1", "@x", "-", "+39 333", "", "Zoë", "a;b"][n],
            status=list(RegistrationStatus)[n % len(RegistrationStatus)],
            attendance=list(AttendanceMode)[n % len(AttendanceMode)],
            created_at=moment.replace(tzinfo=UTC),
            checked_in_at=(moment + timedelta(minutes=n * 7)).replace(tzinfo=UTC)
            if n % 2
            else None,
            marketing_consent_at=moment.replace(tzinfo=UTC) if n % 3 else None,
        )
    for delimiter in (";", ","):
        fast, slow = _both_ways(event, delimiter)
        assert fast == slow
    header, *rows = parse_csv(fast, ",")
    assert header[len(FIXED_HEADER)] == "'=Area"
    assert [row[1] for row in rows] == [
        f"{moment.replace(tzinfo=UTC).astimezone(event.tz):%Y-%m-%d %H:%M}" for moment in moments
    ]
    assert rows[1][len(FIXED_HEADER) + 3] == "100000000000000000000"


def test_csv_of_an_event_with_more_questions_than_one_query_joins(
    create_event, add_question, runner, tmp_path
):
    event = create_event(slug="tante-domande")
    count = exports._JOINED_QUESTIONS * 2 + 5
    questions = [
        add_question(event, f"d{n}", QuestionKind.number, label=f"Domanda {n}")
        for n in range(count)
    ]
    add_registration(event, answers={q: n for n, q in enumerate(questions) if n % 4})
    add_registration(event, answers={questions[-1]: 42})
    add_registration(event)
    fast, slow = _both_ways(event, ";")
    assert fast == slow
    header, first, second, third = parse_csv(fast)
    assert header[len(FIXED_HEADER) :] == [f"Domanda {n}" for n in range(count)]
    assert first[len(FIXED_HEADER) :] == ["" if n % 4 == 0 else str(n) for n in range(count)]
    assert second[len(FIXED_HEADER) :] == [""] * (count - 1) + ["42"]
    assert third[len(FIXED_HEADER) :] == [""] * count
    path = tmp_path / "domande.xlsx"
    result = runner.invoke(
        args=["registrations", "export", event.slug, "--format", "xlsx", "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(path).active
    assert [cell.value for cell in sheet[2]][len(FIXED_HEADER) :] == [
        None if n % 4 == 0 else n for n in range(count)
    ]
    assert sheet.cell(row=3, column=len(FIXED_HEADER) + count).value == 42


def test_csv_is_sent_in_pieces_and_leaves_out_registrations_deleted_while_it_runs(
    create_event, add_question
):
    event = create_event()
    note = add_question(event, "nota", QuestionKind.text, label="Nota")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    count = exports.CHUNK_SIZE * 3
    db.session.execute(
        insert(Registration),
        [
            {
                "id": 50_000 + i,
                "event_id": event.id,
                "status": RegistrationStatus.confirmed,
                "attendance": AttendanceMode.online,
                "party_size": 1,
                "first_name": f"Nome{i}",
                "last_name": "Cognome " * 12,
                "email": f"persona{i}@example.com",
                "company_name": f"Azienda {i}",
                "token_hash": f"{i:064x}",
                "privacy_consent_at": start,
                "privacy_notice_version": 1,
                "created_at": start + timedelta(seconds=i * 37),
            }
            for i in range(count)
        ],
    )
    db.session.execute(
        insert(Answer),
        [
            {"registration_id": 50_000 + i, "question_id": note.id, "value": f"nota {i}"}
            for i in range(count)
        ],
    )
    db.session.commit()
    chunks = exports.csv_chunks(event)
    first = next(chunks)
    assert len(first) >= exports.CHUNK_BYTES
    # Deleted after the first piece: a later chunk of registrations no longer has it.
    db.session.execute(sa.delete(Answer).where(Answer.registration_id == 50_000 + count - 1))
    db.session.execute(sa.delete(Registration).where(Registration.id == 50_000 + count - 1))
    db.session.commit()
    _header, *rows = parse_csv(first + b"".join(chunks))
    assert len(rows) == count - 1
    assert all(row[5] == f"Nome{i}" and row[-1] == f"nota {i}" for i, row in enumerate(rows))
