"""The organiser's registrations list at scale: sorting, columns, pages, bulk actions."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from openpyxl import load_workbook

from eventsreg.demo import seed_registrations
from eventsreg.events.models import QuestionKind
from eventsreg.extensions import db
from eventsreg.mail.models import EmailKind, OutboxEmail
from eventsreg.organizer.models import ExportRecord
from eventsreg.registrations.models import AttendanceMode, Registration, RegistrationStatus

from .conftest import PASSWORD, choices
from .helpers import registrations
from .test_organizer_registrations import add, forget_queued, names, organizer_of, table

__all__ = ["organizer_of"]  # a fixture, used by name


@pytest.fixture
def app_config():
    # A mail server is configured, so delivered messages reach the `outbox` fixture.
    return {"MAIL_SERVER": "smtp.test"}


def list_url(event) -> str:
    return f"/organizer/events/{event.slug}/registrations"


def bulk(client, event, action, ids, back=""):
    return client.post(
        f"{list_url(event)}/bulk",
        data={"action": action, "ids": [str(i) for i in ids], "back": back},
    )


def flashed(client, response) -> str:
    assert response.status_code == 303, response.status_code
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    return " ".join(unescape(m) for m in re.findall(r'<p class="flash[^"]*">(.*?)</p>', html))


def header_cells(html: str) -> list[str]:
    head = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    cells = re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>", head, re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>|[▲▼]", "", cell)).split()) for cell in cells]


# -- sorting ----------------------------------------------------------------------------------


@pytest.fixture
def three(create_event, organizer_of):
    """Three registrations whose every sortable column orders them differently."""
    event = create_event()
    base = datetime(2022, 12, 1, 9, 0, tzinfo=UTC)
    rows = [
        # last, first, company, email, status, attendance, party, created +h, check-in +h
        ("Bianchi", "Anna", "Zeta Srl", "c@example.com", "confirmed", "online", 1, 1, 3.0),
        ("rossi", "Bruno", "alfa Spa", "a@example.com", "pending", "in_person", 3, 2, None),
        ("Verdi", "Carla", "Beta Snc", "b@example.com", "waitlisted", "not_attending", 0, 0, 2.5),
    ]
    for last, first, company, email, status, mode, party, created, checked in rows:
        registration = add(
            event, email=email, first_name=first, last_name=last, company_name=company
        )
        registration.status = RegistrationStatus(status)
        registration.attendance = AttendanceMode(mode)
        registration.party_size = party
        registration.created_at = base + timedelta(hours=created)
        registration.checked_in_at = base + timedelta(hours=checked) if checked else None
        registration.checked_in_count = 1 if checked else None
    db.session.commit()
    organizer_of(event)
    return event


ANNA, BRUNO, CARLA = "Bianchi Anna", "rossi Bruno", "Verdi Carla"


@pytest.mark.parametrize(
    ("key", "ascending"),
    [
        ("name", [ANNA, BRUNO, CARLA]),
        ("company", [BRUNO, CARLA, ANNA]),
        ("email", [BRUNO, CARLA, ANNA]),
        ("status", [BRUNO, ANNA, CARLA]),  # pending, confirmed, waiting list
        ("attendance", [BRUNO, ANNA, CARLA]),  # in person, online, interest only
        ("party", [CARLA, ANNA, BRUNO]),
        ("created", [CARLA, ANNA, BRUNO]),
        ("checkin", [CARLA, ANNA, BRUNO]),
    ],
)
def test_every_column_sorts_both_ways(client, three, key, ascending):
    assert names(table(client, three, sort=key)) == ascending
    descending = names(table(client, three, sort=f"-{key}"))
    if key == "checkin":  # not checked in: last either way
        assert descending == [ANNA, CARLA, BRUNO]
    else:
        assert descending == ascending[::-1]


def test_the_default_is_newest_first_and_unknown_orders_are_ignored(client, three):
    assert names(table(client, three)) == [BRUNO, ANNA, CARLA]
    assert names(table(client, three, sort="-password")) == [BRUNO, ANNA, CARLA]
    assert names(table(client, three, sort="")) == [BRUNO, ANNA, CARLA]


def test_headers_are_links_that_sort_and_say_how(client, three):
    html = table(client, three, sort="name", status="active", size="25")
    th = re.search(r'<th scope="col" aria-sort="ascending">(.*?)</th>', html, re.S).group(1)
    assert "Nome" in th and "▲" in th
    # Sorted ascending: the same header now reverses it, and the filters come along.
    assert re.search(r'href="[^"]*sort=-name[^"]*"', th)
    assert "status=active" in th and "size=25" in th
    assert html.count("aria-sort=") == 1
    html = table(client, three, sort="-created")
    th = re.search(r'<th scope="col" aria-sort="descending">(.*?)</th>', html, re.S).group(1)
    assert "Iscritta il" in th and "▼" in th and "sort=created" in th
    # The filter form keeps the order when the filters change.
    assert '<input id="sort" name="sort" type="hidden" value="-created">' in html


def test_equal_values_keep_a_stable_order_across_pages(client, create_event, organizer_of):
    event = create_event()
    moment = datetime(2022, 12, 1, 9, 0, tzinfo=UTC)
    for n in range(30):
        add(event, now=moment, email=f"p{n}@example.com", last_name="Uguale", first_name="Pia")
    organizer_of(event)
    ids = [r.id for r in registrations()]
    for sort in ("name", "-name", "created", "-created", "company"):
        seen = []
        for page in (1, 2):
            html = table(client, event, sort=sort, size="25", page=page)
            seen += [int(i) for i in re.findall(r'name="ids" value="(\d+)"', html)]
        expected = sorted(ids, reverse=sort.startswith("-"))
        assert seen == expected, sort


def test_waiting_list_places_count_the_whole_list_whatever_is_shown(
    client, create_event, organizer_of
):
    event = create_event(capacity=1)
    add(event)
    for n, name in enumerate(["Primo", "Secondo", "Terzo"]):
        add(event, email=f"w{n}@example.com", last_name=name)
    organizer_of(event)
    html = table(client, event, q="terzo")
    assert names(html) == ["Terzo Maria"]
    assert "posizione 3" in html
    html = table(client, event, sort="name")
    assert re.findall(r"posizione (\d)", html) == ["1", "2", "3"]  # Primo, Secondo, Terzo


# -- dates, emails, header --------------------------------------------------------------------


def test_dates_are_compact_with_the_full_date_in_a_time_element(client, create_event, organizer_of):
    event = create_event()
    registration = add(event, now=datetime(2022, 12, 1, 16, 55, tzinfo=UTC))
    registration.checked_in_at = datetime(2022, 12, 2, 8, 5, tzinfo=UTC)
    registration.checked_in_count = 1
    db.session.commit()
    organizer_of(event)
    html = table(client, event)
    assert (
        '<time datetime="2022-12-01T17:55+01:00" title="giovedì 1 dicembre 2022, 17:55">'
        "01/12/22 17:55</time>"
    ) in html
    assert '<time datetime="2022-12-02T09:05+01:00" title="venerdì 2 dicembre 2022, 09:05">' in html
    assert ">02/12/22 09:05</time>" in html


def test_emails_wrap_at_the_at_sign_and_dots_only(client, create_event, organizer_of):
    event = create_event()
    add(event, email="maria.rossi@officine.example.com")
    organizer_of(event)
    html = table(client, event)
    assert '<td class="email">maria<wbr>.rossi@<wbr>officine<wbr>.example<wbr>.com</td>' in html
    css = client.get("/static/css/site.css").get_data(as_text=True)
    assert "break-all" not in css
    assert re.search(r"\.registrations-table thead th \{[^}]*position: sticky", css)


# -- columns ----------------------------------------------------------------------------------


@pytest.fixture
def answered(create_event, add_question, register, organizer_of):
    event = create_event()
    area = add_question(
        event, "area", QuestionKind.choice, label="Area", choices=choices("olivetti", "pierina")
    )
    topics = add_question(
        event,
        "temi",
        QuestionKind.multichoice,
        label="Temi",
        choices=choices("incentivi", "impianti"),
    )
    register(event, **{area.field_name: "pierina", topics.field_name: ["incentivi", "impianti"]})
    organizer_of(event)
    return event, area, topics


def test_the_default_columns(client, answered):
    event, _area, _topics = answered
    assert header_cells(table(client, event)) == [
        "Selezione Seleziona tutte le iscrizioni di questa pagina",
        "Nome",
        "Azienda o ente",
        "Email",
        "Stato",
        "Partecipazione",
        "Persone",
        "Iscritta il",
        "Ingresso",
    ]


def test_chosen_columns_show_answers_and_are_remembered_for_the_event(
    client, answered, create_event
):
    event, area, topics = answered
    html = table(client, event, cols="1", col=["phone", f"a{area.id}", f"a{topics.id}", "nope"])
    assert header_cells(html)[1:] == ["Nome", "Telefono", "Area", "Temi"]
    row = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    assert "+39 0373 123456" in row
    assert '<td class="answer">Pierina</td>' in row
    assert "Incentivi" in row and "Impianti" in row
    assert "maria.rossi" not in row  # the email column is off
    # The choice is remembered in the session: the next visit (and its links) shows it.
    again = table(client, event, sort="name")
    assert header_cells(again)[1:] == ["Nome", "Telefono", "Area", "Temi"]
    assert 'id="col-phone" checked' in again and 'id="col-email" checked' not in again
    # ... for this event only.
    other = create_event()
    other.managers.extend(event.managers)
    db.session.commit()
    add(other)
    assert "Telefono" not in header_cells(table(client, other))
    # Nothing ticked: the name alone.
    assert header_cells(table(client, event, cols="1"))[1:] == ["Nome"]


def test_the_column_form_keeps_filters_order_and_size(client, answered):
    event, area, _topics = answered
    html = table(client, event, sort="-name", size="100", **{area.field_name: "pierina"})
    chooser = re.search(r'<details class="column-chooser">(.*?)</details>', html, re.S).group(1)
    assert '<input type="hidden" name="sort" value="-name">' in chooser
    assert '<input type="hidden" name="size" value="100">' in chooser
    assert f'<input type="hidden" name="{area.field_name}" value="pierina">' in chooser


def test_question_columns_read_their_answers_in_one_query(client, create_event, organizer_of):
    from eventsreg.demo import seed_demo

    event = seed_demo()
    seed_registrations(event, 120)
    organizer_of(event)
    question_columns = [f"a{q.id}" for q in event.questions[:5]]
    statements = []

    def count(*_args):
        statements.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        table(client, event, cols="1", col=question_columns, size="25")
        small = len(statements)
        statements.clear()
        table(client, event, size="200")
        big = len(statements)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    # As many queries for 200 rows with five answer columns as for 25: no query per row.
    assert big <= small, (small, big)


# -- pages ------------------------------------------------------------------------------------


def test_pages_show_a_window_not_every_number(client, create_event, organizer_of):
    event = create_event(capacity=None)
    seed_registrations(event, 290)
    organizer_of(event)
    html = table(client, event, size="25", page=6, status="active")
    nav = re.search(r'<nav class="list-pages"[^>]*>(.*?)</nav>', html, re.S).group(1)
    pages = [int(n) for n in re.findall(r"\bpage=(\d+)", nav)]
    # First, previous, 4–8 around the current one, next, last.
    assert pages == [1, 5, 4, 5, 6, 7, 8, 7, 12]
    assert 'aria-current="page"' in nav and nav.count("…") == 2
    assert all("status=active" in href for href in re.findall(r'href="([^"]+)"', nav))
    assert "Pagina 6 di 12" in html
    assert len(names(html)) == 25


@pytest.mark.parametrize(("size", "rows"), [("25", 25), ("100", 100), ("200", 130), ("7", 50)])
def test_page_size_choice(client, create_event, organizer_of, size, rows):
    event = create_event(capacity=None)
    seed_registrations(event, 130)
    organizer_of(event)
    assert len(names(table(client, event, size=size))) == rows


# -- bulk actions -----------------------------------------------------------------------------


def test_approve_a_selection_through_the_seat_rules_and_emails(
    client, create_event, organizer_of, outbox
):
    event = create_event(capacity=2)
    confirmed = add(event, email="gia@example.com")
    event.requires_approval = True
    db.session.commit()
    pending = [add(event, email=f"p{n}@example.com") for n in range(3)]
    forget_queued(outbox)
    organizer_of(event)
    back = "status=active&sort=name&size=25&page=1&slug=other"
    response = bulk(client, event, "approve", [confirmed.id, *(r.id for r in pending)], back)
    assert response.status_code == 303
    assert response.headers["Location"] == (
        f"{list_url(event)}?status=active&sort=name&size=25&page=1"
    )
    assert [r.status for r in registrations()] == [
        RegistrationStatus.confirmed,
        RegistrationStatus.confirmed,  # the last seat, to the oldest
        RegistrationStatus.waitlisted,
        RegistrationStatus.waitlisted,
    ]
    assert sorted(address for m in outbox for _name, address in m.recipients) == [
        f"p{n}@example.com" for n in range(3)
    ]
    assert all(m.subject == "Iscrizione accettata: Incontro di prova" for m in outbox)
    assert flashed(client, response) == (
        "3 iscrizioni approvate; 2 sono in lista d'attesa perché i posti sono esauriti; "
        "1 non era in attesa di approvazione. Ogni persona riceve un'email."
    )


def test_reject_a_selection_with_the_single_rejections_email(
    client, create_event, organizer_of, outbox
):
    event = create_event(requires_approval=True)
    first, second, third = (add(event, email=f"p{n}@example.com") for n in range(3))
    forget_queued(outbox)
    organizer_of(event)
    response = bulk(client, event, "reject", [first.id, third.id])
    assert [r.status for r in registrations()] == [
        RegistrationStatus.rejected,
        RegistrationStatus.pending,
        RegistrationStatus.rejected,
    ]
    assert [m.subject for m in outbox] == ["Iscrizione non accettata: Incontro di prova"] * 2
    assert flashed(client, response) == (
        "2 iscrizioni non accettate. Ogni persona riceve un'email."
    )
    # Again: nothing left to decide, nothing sent.
    response = bulk(client, event, "reject", [first.id, third.id])
    assert flashed(client, response) == (
        "0 iscrizioni non accettate; 2 non erano in attesa di approvazione."
    )
    assert len(outbox) == 2


def test_check_in_a_selection_records_whole_parties(client, create_event, organizer_of):
    event = create_event()
    party = add(event, email="gruppo@example.com", party_size=3)
    partly = add(event, email="parte@example.com", party_size=2)
    partly.checked_in_at, partly.checked_in_count = datetime.now(UTC), 1
    done = add(event, email="fatto@example.com")
    done.checked_in_at, done.checked_in_count = datetime.now(UTC), 1
    interest = add(
        event,
        email="interesse@example.com",
        attendance=AttendanceMode.not_attending,
        party_size=0,
    )
    db.session.commit()
    organizer_of(event)
    response = bulk(client, event, "checkin", [party.id, partly.id, done.id, interest.id])
    after = {r.email: r for r in registrations()}
    assert after["gruppo@example.com"].checked_in_count == 3
    assert after["gruppo@example.com"].checked_in_at is not None
    assert after["parte@example.com"].checked_in_count == 2  # the rest of the party arrived
    assert after["interesse@example.com"].checked_in_at is None
    assert flashed(client, response) == (
        "2 ingressi registrati; 1 era già registrato; "
        "1 non è confermata per partecipare, quindi non è stata toccata."
    )


def test_write_to_a_selection_through_the_messages_page(client, create_event, organizer_of):
    event = create_event()
    chosen = [add(event, email=f"p{n}@example.com") for n in range(3)]
    organizer_of(event)
    response = bulk(client, event, "message", [chosen[0].id, chosen[2].id])
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location == (
        f"/organizer/events/{event.slug}/messages?ids={chosen[0].id},{chosen[2].id}"
    )
    page = client.get(location).get_data(as_text=True)
    assert "Solo le 2 iscrizioni selezionate nell'elenco" in unescape(page)
    assert f'name="ids" type="hidden" value="{chosen[0].id},{chosen[2].id}"' in page
    data = {"ids": f"{chosen[0].id},{chosen[2].id}", "subject": "Ciao", "body": "Testo"}
    preview = client.post(f"/organizer/events/{event.slug}/messages", data=data)
    assert "Il messaggio andrà a 2 destinatari" in unescape(preview.get_data(as_text=True))
    sent = client.post(f"/organizer/events/{event.slug}/messages", data={**data, "send": "1"})
    assert sent.status_code == 303
    messages = db.session.scalars(
        sa.select(OutboxEmail).where(OutboxEmail.kind == EmailKind.message)
    ).all()
    assert sorted(m.to_address for m in messages) == ["p0@example.com", "p2@example.com"]


def test_a_message_limited_to_ids_of_nothing_goes_to_nobody(client, create_event, organizer_of):
    event = create_event()
    add(event)
    organizer_of(event)
    data = {"ids": "abc", "subject": "Ciao", "body": "Testo", "send": "1"}
    response = client.post(f"/organizer/events/{event.slug}/messages", data=data)
    assert response.status_code == 400
    assert db.session.query(OutboxEmail).filter_by(kind=EmailKind.message).count() == 0


@pytest.mark.parametrize("action", ["export_csv", "export_csv_comma", "export_xlsx"])
def test_export_a_selection_only_and_log_it(client, create_event, organizer_of, action):
    event = create_event()
    people = [add(event, email=f"p{n}@example.com", last_name=f"P{n}") for n in range(4)]
    organizer = organizer_of(event)
    response = bulk(client, event, action, [people[3].id, people[1].id])
    assert response.status_code == 200
    assert "attachment;" in response.headers["Content-Disposition"]
    if action == "export_xlsx":
        sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    else:
        text = response.data.decode("utf-8-sig")
        delimiter = "," if action == "export_csv_comma" else ";"
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert rows[0][0] == "ID"
    assert [int(row[0]) for row in rows[1:]] == [people[1].id, people[3].id]
    [entry] = db.session.scalars(sa.select(ExportRecord)).all()
    assert entry.event_id == event.id and entry.organizer_id == organizer.id
    assert entry.file_format == ("xlsx" if action == "export_xlsx" else "csv")
    assert entry.filters == f"selezione di 2: {people[1].id}, {people[3].id}"


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True, "MAIL_SERVER": "smtp.test"}])
def test_bulk_actions_need_the_csrf_token(client, create_event, create_organizer):
    event = create_event(requires_approval=True)
    registration = add(event)
    organizer = create_organizer(events=[event])
    login = client.get("/organizer/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    client.post(
        "/organizer/login",
        data={"email": organizer.email, "password": PASSWORD, "csrf_token": token},
    )
    response = bulk(client, event, "approve", [registration.id])
    assert response.status_code == 400
    assert registrations()[0].status is RegistrationStatus.pending
    # The list's own form carries the token, and with it the action goes through.
    html = table(client, event)
    form = re.search(r'<form method="post" action="[^"]+/bulk".*?</form>', html, re.S).group(0)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    response = client.post(
        f"{list_url(event)}/bulk",
        data={"action": "approve", "ids": str(registration.id), "csrf_token": token},
    )
    assert response.status_code == 303
    assert registrations()[0].status is RegistrationStatus.confirmed


def test_another_organisers_registrations_cannot_be_acted_on(
    client, create_event, create_organizer, sign_in, outbox
):
    mine, theirs = create_event(), create_event(requires_approval=True)
    their_registration = add(theirs, email="loro@example.com")
    forget_queued(outbox)
    sign_in(create_organizer(events=[mine]))
    for action in ("approve", "reject", "checkin", "message", "export_csv"):
        response = bulk(client, mine, action, [their_registration.id])
        assert "Nessuna iscrizione selezionata" in flashed(client, response), action
        assert bulk(client, theirs, action, [their_registration.id]).status_code == 404
    after = registrations()[0]
    assert after.status is RegistrationStatus.pending and after.checked_in_at is None
    assert outbox == []
    assert db.session.scalars(sa.select(ExportRecord)).all() == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "approve"}, "Nessuna iscrizione selezionata"),
        ({"action": "approve", "ids": ["abc", "-1", "0", "1e3", "²"]}, "Nessuna iscrizione"),
        ({"action": "checkin", "ids": "9" * 40}, "Nessuna iscrizione selezionata"),
        ({"action": "checkin", "ids": "999999999999999999"}, "Nessuna iscrizione selezionata"),
        ({"action": "checkin", "ids": str(2**31)}, "Nessuna iscrizione selezionata"),
        ({"action": "drop table", "ids": "1"}, "Scegli che cosa fare"),
        ({"ids": "1"}, "Scegli che cosa fare"),
    ],
)
def test_a_hostile_or_empty_selection_is_told_and_changes_nothing(
    client, create_event, organizer_of, data, message
):
    event = create_event(requires_approval=True)
    add(event)
    organizer_of(event)
    response = client.post(
        f"{list_url(event)}/bulk", data={**data, "back": "https://evil.example/?q=%00"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].startswith(list_url(event))
    assert message in flashed(client, response)
    assert registrations()[0].status is RegistrationStatus.pending


def test_the_list_offers_the_bulk_form_with_a_checkbox_per_row(client, three):
    html = table(client, three, sort="name", page="1")
    form = re.search(r'<form method="post" action="([^"]+/bulk)"[^>]*>(.*?)</form>', html, re.S)
    assert form.group(1) == f"{list_url(three)}/bulk"
    body = form.group(2)
    assert len(re.findall(r'type="checkbox" name="ids"', body)) == 3
    assert re.search(r'<label for="select-\d+" class="visually-hidden">Seleziona Bianchi', body)
    assert 'data-select-all="ids" hidden' in body
    assert '<option value="approve">' in body
    assert 'name="back" type="hidden" value="sort=name&amp;page=1"' in body


def test_counts_of_thousands_are_written_with_the_languages_separator(
    client, create_event, organizer_of
):
    """At scale the organiser reads 1.700 (Italian) and 1,700 (English), as the other
    numbers of the pages are written, never 1700: the list's count and pages, the pager,
    the waiting list's places, the dashboard's figures and sentences."""
    event = create_event(capacity=10)
    seeded = seed_registrations(event, 1700)
    organizer_of(event)
    active = db.session.scalar(
        sa.select(sa.func.count()).where(
            Registration.event_id == event.id,
            Registration.status.in_([RegistrationStatus.confirmed, RegistrationStatus.waitlisted]),
        )
    )
    waitlisted = db.session.scalar(
        sa.select(sa.func.count()).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.waitlisted
        )
    )
    assert seeded == 1700 and active >= 1000 and waitlisted >= 1000

    def italian(n: int) -> str:
        return f"{n:,}".replace(",", ".")

    html = table(client, event, size="25")
    assert f"{italian(seeded)} iscrizioni in tutto." in html
    pages = -(-seeded // 25)
    assert f"Pagina 1 di {pages}." in html and f"Ultima ({pages})" in html
    html = table(client, event, size="25", sort="-created", status="waitlisted")
    assert re.search(r"posizione 1\.\d{3}", html)
    dashboard = client.get(f"/organizer/events/{event.slug}/").get_data(as_text=True)
    assert f"da {italian(active)} iscrizioni attive." in dashboard
    assert re.search(rf'<span class="figure-value">{re.escape(italian(seeded))}</span>', dashboard)

    client.get("/lang/en")
    html = table(client, event, size="25")
    assert f"{seeded:,} registrations in total." in html
    dashboard = client.get(f"/organizer/events/{event.slug}/").get_data(as_text=True)
    assert f"{active:,} active registrations" in dashboard
    assert f"Page 1 of {pages}." in html


def test_what_a_bulk_action_did_is_counted_with_the_languages_separator(app):
    from eventsreg.organizer.registration_bulk import Outcome, summary

    outcome = Outcome(done=1264, waitlisted=1001, skipped=2)
    with app.test_request_context():
        with force_locale("it"):
            assert summary("approve", outcome) == (
                "1.264 iscrizioni approvate; 1.001 sono in lista d'attesa perché i posti sono "
                "esauriti; 2 non erano in attesa di approvazione. Ogni persona riceve un'email."
            )
        with force_locale("en"):
            assert summary("checkin", Outcome(done=1500, already=1)).startswith("1,500 ")
