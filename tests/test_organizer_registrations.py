"""Organisers' registrations pages: table, search, filters, detail, actions, manual entry."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from eventsreg.events.models import EventStatus, QuestionKind
from eventsreg.extensions import db
from eventsreg.mail import delivery
from eventsreg.mail.models import EmailKind, OutboxEmail
from eventsreg.registrations import services
from eventsreg.registrations.models import AttendanceMode, RegistrationStatus

from .conftest import PASSWORD, choices, form_data
from .helpers import error_for, registrations


@pytest.fixture
def app_config():
    # A mail server is configured, so delivered messages reach the `outbox` fixture.
    return {"MAIL_SERVER": "smtp.test"}


def add(event, now=None, **overrides):
    """A registration made through the real service (faster than the form for many)."""
    values = {
        "first_name": "Maria",
        "last_name": "Rossi",
        "email": "maria.rossi@example.com",
        "company_name": "Officine Cremasche Srl",
        "vat_number": "00743110157",
        "attendance": AttendanceMode.in_person,
        "party_size": 1,
        **overrides,
    }
    return services.register(event, services.RegistrationData(**values), now=now).registration


@pytest.fixture
def organizer_of(create_organizer, sign_in):
    """Sign in an organiser who manages *event*."""

    def make(event, email="organizzatrice@example.org"):
        organizer = create_organizer(email, events=[event])
        sign_in(organizer)
        return organizer

    return make


def table(client, event, **args) -> str:
    response = client.get(f"/organizer/events/{event.slug}/registrations", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def names(html: str) -> list[str]:
    """The names in the table's rows, in order."""
    return re.findall(r'<th scope="row"><a href="[^"]+/registrations/\d+">([^<]+)</a>', html)


def forget_queued(outbox) -> None:
    """Deliver what the set-up queued and forget it, so the test sees only what follows."""
    delivery.deliver_pending()
    outbox.clear()


def subjects(outbox) -> list[str]:
    return [message.subject for message in outbox]


def detail_url(event, registration, action: str = "") -> str:
    url = f"/organizer/events/{event.slug}/registrations/{registration.id}"
    return f"{url}/{action}" if action else url


ACTIONS = ("approve", "reject", "confirm", "withdraw")


def every_url(event, registration) -> list[tuple[str, str]]:
    base = f"/organizer/events/{event.slug}"
    return [
        ("GET", f"{base}/registrations"),
        ("GET", detail_url(event, registration)),
        ("GET", f"{base}/registrations/new"),
        ("POST", f"{base}/registrations/new"),
        *(("POST", detail_url(event, registration, action)) for action in ACTIONS),
        ("GET", f"{base}/messages"),
        ("POST", f"{base}/messages"),
    ]


# -- who may see what -----------------------------------------------------------------------


def test_signed_out_visitors_are_sent_to_sign_in_from_every_page(client, create_event):
    event = create_event()
    registration = add(event)
    for method, url in every_url(event, registration):
        response = client.open(url, method=method, data={"confirm": "y"})
        assert response.status_code == 302, url
        assert "/organizer/login" in response.headers["Location"], url
    assert registrations()[0].status is RegistrationStatus.confirmed


def test_another_organisers_event_answers_404_on_every_page(client, create_event, organizer_of):
    mine, theirs = create_event(), create_event()
    registration = add(theirs)
    organizer_of(mine)
    for method, url in every_url(theirs, registration):
        response = client.open(url, method=method, data={"confirm": "y"})
        assert response.status_code == 404, url
    assert registrations()[0].status is RegistrationStatus.confirmed


def test_a_registration_of_another_event_answers_404_under_this_event(
    client, create_event, create_organizer, sign_in
):
    mine, other = create_event(), create_event()
    sign_in(create_organizer(events=[mine, other]))  # manages both events
    registration = add(other)
    assert client.get(detail_url(mine, registration)).status_code == 404
    for action in ACTIONS:
        response = client.post(detail_url(mine, registration, action), data={"confirm": "y"})
        assert response.status_code == 404, action
    assert client.get(detail_url(other, registration)).status_code == 200
    assert registrations()[0].status is RegistrationStatus.confirmed


# -- the table ------------------------------------------------------------------------------


def test_table_shows_status_in_words_waitlist_position_and_local_time(
    client, create_event, organizer_of
):
    event = create_event(capacity=1)
    add(event, now=datetime(2022, 12, 1, 16, 0, tzinfo=UTC))
    add(event, email="luca@example.com", first_name="Luca", last_name="Bianchi", party_size=1)
    add(event, email="anna@example.com", first_name="Anna", last_name="Verdi", party_size=1)
    organizer_of(event)
    html = table(client, event)
    assert "3 iscrizioni in tutto" in html
    assert names(html) == ["Verdi Anna", "Bianchi Luca", "Rossi Maria"]
    assert "Confermata" in html
    assert "In lista d'attesa" in html
    assert "posizione 1" in html and "posizione 2" in html
    assert "giovedì 1 dicembre 2022, 17:00" in html  # 16:00 UTC in Rome
    assert "Officine Cremasche Srl" in html


@pytest.mark.parametrize(
    "query", ["luca", "BIANCHI", "luca bian", "tessitura", "LUCA@EXAMPLE", "01234567897"]
)
def test_search_finds_by_name_email_company_and_vat_ignoring_case(
    client, create_event, organizer_of, query
):
    event = create_event()
    add(event)
    add(
        event,
        email="luca@example.com",
        first_name="Luca",
        last_name="Bianchi",
        company_name="Tessitura Bianchi",
        vat_number="01234567897",
    )
    organizer_of(event)
    html = table(client, event, q=query)
    assert names(html) == ["Bianchi Luca"]
    assert "1 iscrizione corrisponde alla ricerca" in html


def test_search_treats_percent_and_underscore_literally(client, create_event, organizer_of):
    event = create_event()
    add(event)
    organizer_of(event)
    assert names(table(client, event, q="%")) == []
    assert names(table(client, event, q="_")) == []


def test_filters_by_status_including_pending_and_active(client, create_event, organizer_of):
    event = create_event(capacity=1)
    add(event)
    add(event, email="luca@example.com", first_name="Luca", last_name="Bianchi")
    withdrawn = add(event, email="anna@example.com", first_name="Anna", last_name="Verdi")
    services.withdraw(withdrawn)
    event.requires_approval = True
    db.session.commit()
    add(event, email="pino@example.com", first_name="Pino", last_name="Neri")
    organizer_of(event)
    assert names(table(client, event, status="confirmed")) == ["Rossi Maria"]
    assert names(table(client, event, status="waitlisted")) == ["Bianchi Luca"]
    assert names(table(client, event, status="cancelled")) == ["Verdi Anna"]
    assert names(table(client, event, status="pending")) == ["Neri Pino"]
    assert names(table(client, event, status="active")) == [
        "Neri Pino",
        "Bianchi Luca",
        "Rossi Maria",
    ]
    assert len(names(table(client, event, status="nonsense"))) == 4
    html = table(client, event)
    assert "1 iscrizione attende la tua approvazione" in html


def test_filters_by_attendance_and_check_in(client, create_event, organizer_of):
    event = create_event(online_url="https://meet.example.org/x")
    here = add(event)
    add(
        event,
        email="luca@example.com",
        first_name="Luca",
        last_name="Bianchi",
        attendance=AttendanceMode.online,
    )
    add(
        event,
        email="anna@example.com",
        first_name="Anna",
        last_name="Verdi",
        attendance=AttendanceMode.not_attending,
        party_size=0,
    )
    here.checked_in_at = datetime.now(UTC)
    db.session.commit()
    organizer_of(event)
    assert names(table(client, event, attendance="online")) == ["Bianchi Luca"]
    assert names(table(client, event, attendance="not_attending")) == ["Verdi Anna"]
    assert names(table(client, event, checked_in="yes")) == ["Rossi Maria"]
    assert names(table(client, event, checked_in="no")) == ["Verdi Anna", "Bianchi Luca"]
    assert names(table(client, event, attendance="in_person", checked_in="no")) == []


def test_filters_by_the_answer_to_a_choice_or_yes_no_question(
    client, create_event, add_question, register, organizer_of
):
    event = create_event()
    area = add_question(event, "area", QuestionKind.choice, choices=choices("olivetti", "pierina"))
    roof = add_question(event, "tetto", QuestionKind.yesno)
    register(event, **{area.field_name: "olivetti", roof.field_name: "yes"})
    register(
        event,
        email="luca@example.com",
        first_name="Luca",
        last_name="Bianchi",
        **{area.field_name: "pierina", roof.field_name: "yes"},
    )
    register(
        event,
        email="anna@example.com",
        first_name="Anna",
        last_name="Verdi",
        **{area.field_name: "pierina", roof.field_name: "no"},
    )
    organizer_of(event)
    assert names(table(client, event, **{area.field_name: "olivetti"})) == ["Rossi Maria"]
    assert names(table(client, event, **{roof.field_name: "no"})) == ["Verdi Anna"]
    both = table(client, event, **{area.field_name: "pierina", roof.field_name: "yes"})
    assert names(both) == ["Bianchi Luca"]
    html = table(client, event)
    assert f'name="{area.field_name}"' in html and ">Pierina</option>" in html


def test_table_is_paginated_fifty_at_a_time_keeping_the_filters(client, create_event, organizer_of):
    event = create_event()
    start = datetime(2022, 12, 1, 9, 0, tzinfo=UTC)
    for n in range(53):
        add(
            event,
            now=start + timedelta(minutes=n),
            email=f"p{n}@example.com",
            last_name=f"Persona{n:02d}",
        )
    organizer_of(event)
    first = table(client, event, q="persona")
    assert len(names(first)) == 50
    assert "53 iscrizioni corrispondono" in first and "Pagina 1 di 2" in first
    assert "page=2" in first and "q=persona" in first
    second = table(client, event, q="persona", page=2)
    assert names(second) == ["Persona02 Maria", "Persona01 Maria", "Persona00 Maria"]
    assert len(names(table(client, event, page=99))) == 3  # past the end: the last page


def test_table_offers_the_exports_and_the_message_page_with_its_filters(
    client, create_event, organizer_of
):
    event = create_event()
    organizer_of(event)
    html = table(client, event, status="confirmed", q="rossi")
    assert f"/organizer/events/{event.slug}/registrations.xlsx" in html
    assert f"/organizer/events/{event.slug}/messages?status=confirmed" in html


# -- one registration -----------------------------------------------------------------------


def test_detail_shows_data_answers_in_words_consent_and_emails(
    client, create_event, add_question, register, organizer_of
):
    event = create_event(privacy_notice_version=3)
    area = add_question(
        event,
        "area",
        QuestionKind.choice,
        label="Area industriale",
        choices=choices("olivetti", "pierina"),
    )
    kwh = add_question(
        event, "consumo", QuestionKind.number, label="Consumo annuo", settings={"unit": "kWh"}
    )
    register(event, **{area.field_name: "olivetti", kwh.field_name: "12.500"})
    [registration] = registrations()
    organizer_of(event)
    html = client.get(detail_url(event, registration)).get_data(as_text=True)
    assert "Area industriale" in html and "Olivetti" in html
    assert "12.500 kWh" in html
    assert "00743110157" in html and "+39" in html
    assert "versione 3" in html
    assert "Iscrizione confermata: Incontro di prova" in html  # the email sent
    assert "Inviata" in html
    assert "Ritira l'iscrizione" in html


def test_approving_confirms_and_emails_the_person(
    client, create_event, register, organizer_of, outbox
):
    event = create_event(requires_approval=True)
    register(event)
    [registration] = registrations()
    assert registration.status is RegistrationStatus.pending
    organizer_of(event)
    response = client.post(detail_url(event, registration, "approve"))
    assert response.status_code == 303
    assert registrations()[0].status is RegistrationStatus.confirmed
    assert subjects(outbox) == [
        "Iscrizione ricevuta, in attesa di approvazione: Incontro di prova",
        "Iscrizione accettata: Incontro di prova",
    ]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Iscrizione accettata e confermata" in html


def test_approving_when_the_room_is_full_puts_on_the_waiting_list(
    client, create_event, organizer_of
):
    event = create_event(capacity=1)
    add(event)
    event.requires_approval = True
    db.session.commit()
    late = add(event, email="luca@example.com")
    organizer_of(event)
    client.post(detail_url(event, late, "approve"))
    assert registrations()[1].status is RegistrationStatus.waitlisted


def test_rejecting_refuses_and_emails_the_person(
    client, create_event, register, organizer_of, outbox
):
    event = create_event(requires_approval=True)
    register(event)
    [registration] = registrations()
    organizer_of(event)
    assert client.post(detail_url(event, registration, "reject")).status_code == 303
    assert registrations()[0].status is RegistrationStatus.rejected
    assert subjects(outbox)[-1] == "Iscrizione non accettata: Incontro di prova"
    # A decision is taken once: approving afterwards changes nothing and sends nothing.
    client.post(detail_url(event, registration, "approve"))
    assert registrations()[0].status is RegistrationStatus.rejected
    assert len(outbox) == 2


def test_confirming_by_hand_gives_a_later_waitlisted_registration_the_seat(
    client, create_event, organizer_of, outbox
):
    event = create_event(capacity=1)
    add(event)
    add(event, email="luca@example.com")  # waitlisted, first in line
    later = add(event, email="anna@example.com")  # waitlisted, second
    event.capacity = 2  # one seat more, not yet given to anybody
    db.session.commit()
    forget_queued(outbox)
    organizer_of(event)
    response = client.post(detail_url(event, later, "confirm"))
    assert response.status_code == 303
    assert [r.status for r in registrations()] == [
        RegistrationStatus.confirmed,
        RegistrationStatus.waitlisted,
        RegistrationStatus.confirmed,
    ]
    [message] = outbox
    assert message.subject == "Si è liberato un posto: Incontro di prova"
    assert "anna@example.com" in str(message.recipients)


def test_confirming_by_hand_is_refused_when_the_seats_are_not_enough(
    client, create_event, organizer_of, outbox
):
    event = create_event(capacity=3)
    add(event, party_size=2)
    waiting = add(event, email="luca@example.com", party_size=2)
    forget_queued(outbox)
    organizer_of(event)
    response = client.post(detail_url(event, waiting, "confirm"))
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Non ci sono abbastanza posti: ne resta 1, ne servono 2" in html
    assert registrations()[1].status is RegistrationStatus.waitlisted
    assert outbox == []


def test_withdrawing_on_behalf_needs_the_box_ticked(client, create_event, organizer_of, outbox):
    event = create_event()
    registration = add(event)
    forget_queued(outbox)
    organizer_of(event)
    response = client.post(detail_url(event, registration, "withdraw"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Spunta la casella per confermare il ritiro" in error_for(html, "confirm")
    assert registrations()[0].status is RegistrationStatus.confirmed
    assert outbox == []


def test_withdrawing_on_behalf_cancels_promotes_the_waiting_list_and_emails(
    client, create_event, organizer_of, outbox
):
    event = create_event(capacity=1)
    first = add(event)
    add(event, email="luca@example.com", first_name="Luca")
    forget_queued(outbox)
    organizer_of(event)
    response = client.post(detail_url(event, first, "withdraw"), data={"confirm": "y"})
    assert response.status_code == 303
    first_after, second_after = registrations()
    assert first_after.status is RegistrationStatus.cancelled
    assert second_after.status is RegistrationStatus.confirmed
    assert sorted(subjects(outbox)) == [
        "Iscrizione ritirata: Incontro di prova",
        "Si è liberato un posto: Incontro di prova",
    ]
    page = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "1 iscrizione in lista d'attesa ha ricevuto il posto" in page


# -- manual registration --------------------------------------------------------------------


def test_manual_registration_works_while_registration_is_closed(
    client, create_event, add_question, organizer_of, outbox
):
    event = create_event(is_registration_closed=True, requires_approval=True)
    area = add_question(
        event, "area", QuestionKind.choice, is_required=True, choices=choices("olivetti", "pierina")
    )
    organizer = organizer_of(event)
    page = client.get(f"/organizer/events/{event.slug}/registrations/new")
    assert page.status_code == 200
    assert "anche a voce, per telefono" in page.get_data(as_text=True)
    response = client.post(
        f"/organizer/events/{event.slug}/registrations/new",
        data=form_data(**{area.field_name: "pierina"}),
    )
    assert response.status_code == 303
    [registration] = registrations()
    assert registration.registered_by_id == organizer.id
    # The organiser entering it is the approval.
    assert registration.status is RegistrationStatus.confirmed
    assert registration.answers_by_question() == {area.id: "pierina"}
    assert registration.privacy_consent_at is not None
    [message] = outbox
    assert message.subject == "Iscrizione confermata: Incontro di prova"
    assert "/r/" in message.body  # the personal link
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "inserita da organizzatrice" in html


def test_manual_registration_refuses_an_email_already_registered(
    client, create_event, organizer_of, outbox
):
    event = create_event()
    add(event)
    forget_queued(outbox)
    organizer_of(event)
    response = client.post(
        f"/organizer/events/{event.slug}/registrations/new",
        data=form_data(email="Maria.Rossi@example.com", first_name="Altra"),
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "già iscritto a questo evento" in error_for(html, "email")
    assert len(registrations()) == 1
    assert outbox == []


def test_manual_registration_still_counts_the_seats(client, create_event, organizer_of):
    event = create_event(capacity=1)
    add(event)
    organizer_of(event)
    client.post(
        f"/organizer/events/{event.slug}/registrations/new",
        data=form_data(email="luca@example.com"),
    )
    assert registrations()[1].status is RegistrationStatus.waitlisted


def test_manual_registration_needs_the_persons_consent(client, create_event, organizer_of):
    event = create_event()
    organizer_of(event)
    response = client.post(
        f"/organizer/events/{event.slug}/registrations/new",
        data=form_data(privacy_consent=None),
    )
    assert response.status_code == 400
    assert "Serve il consenso" in error_for(response.get_data(as_text=True), "privacy_consent")
    assert registrations() == []


def test_manual_registration_is_refused_for_a_cancelled_event(client, create_event, organizer_of):
    event = create_event(status=EventStatus.cancelled)
    organizer_of(event)
    response = client.post(f"/organizer/events/{event.slug}/registrations/new", data=form_data())
    assert response.status_code == 303
    assert registrations() == []


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_posts_without_a_csrf_token_are_refused(client, create_event, create_organizer):
    event = create_event(requires_approval=True)
    registration = add(event)
    organizer = create_organizer(events=[event])
    login = client.get("/organizer/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    signed_in = client.post(
        "/organizer/login",
        data={"email": organizer.email, "password": PASSWORD, "csrf_token": token},
    )
    assert signed_in.status_code == 303
    for method, url in every_url(event, registration):
        if method == "POST":
            response = client.post(url, data=form_data(confirm="y", subject="x", body="y"))
            assert response.status_code == 400, url
    assert [r.status for r in registrations()] == [RegistrationStatus.pending]
    assert db.session.query(OutboxEmail).filter_by(kind=EmailKind.message).count() == 0
