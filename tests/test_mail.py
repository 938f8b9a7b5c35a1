"""Email: what each change sends, the outbox, and delivery through a real SMTP server."""

import email
import email.policy
import logging
import re
import socket
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import icalendar
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from eventsreg import create_app
from eventsreg.dbtypes import utcnow
from eventsreg.events.services import cancel_event, change_event
from eventsreg.extensions import db
from eventsreg.mail import delivery
from eventsreg.mail.delivery import deliver_pending, retry_delay
from eventsreg.mail.models import EmailKind, OutboxEmail, OutboxStatus
from eventsreg.mail.outbox import write
from eventsreg.registrations import emails
from eventsreg.registrations.models import AttendanceMode, RegistrationStatus

from .conftest import PASSWORD, form_data
from .helpers import (
    edit_data,
    error_for,
    manage_token,
    personal_token,
    registrations,
    stored_bytes,
)

SENDER = "Consorzio <eventi@consorzio.example>"
BASE_URL = "http://127.0.0.1:5000"
ROME = ZoneInfo("Europe/Rome")
PLACE = "Sala riunioni, Via del Commercio 29, Crema"
MARIA = "maria.rossi@example.com"
XSS = "<script>alert(1)</script>"

GIORNI = ["lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"]
MESI = ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
        "settembre", "ottobre", "novembre", "dicembre"]  # fmt: skip
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip

#: The app sends through a real SMTP server on this machine (port: the smtp_port fixture).
LOOPBACK_SMTP = {"MAIL_SUPPRESS_SEND": False, "MAIL_SERVER": "127.0.0.1"}


@pytest.fixture
def app_config(request) -> dict:
    """A mail server is configured (flask-mail suppresses sending under TESTING)."""
    config = {"MAIL_SERVER": "smtp.test", "MAIL_DEFAULT_SENDER": SENDER}
    config.update(getattr(request, "param", {}))
    if config["MAIL_SERVER"] == LOOPBACK_SMTP["MAIL_SERVER"]:
        config["MAIL_PORT"] = request.getfixturevalue("smtp_port")
    return config


def configured(label: str, **settings):
    """Run the test with *settings* added to this module's configuration."""
    return pytest.mark.parametrize("app_config", [settings], ids=[label], indirect=True)


@pytest.fixture
def smtp_port() -> int:
    """A local port nobody listens on (until the test starts a server there)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """aiosmtpd handler keeping what it receives."""

    def __init__(self):
        self.messages: list[bytes] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(smtp_port):
    """Starts a real SMTP server on smtp_port when called; stopped after the test."""
    controllers = []

    def start() -> Inbox:
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        controllers.append(controller)
        return inbox

    yield start
    for controller in controllers:
        controller.stop()


# Reading messages ----------------------------------------------------------------------


def parse(message) -> EmailMessage:
    """A sent flask-mail Message, or raw bytes from the SMTP server, as an email message."""
    raw = message if isinstance(message, bytes) else message.as_bytes()
    return email.message_from_bytes(raw, policy=email.policy.default)


def parsed(outbox) -> list[EmailMessage]:
    return [parse(message) for message in outbox]


def recipient(message: EmailMessage) -> str:
    [address] = message["To"].addresses
    return address.addr_spec


def sent_to(outbox, address: str) -> list[EmailMessage]:
    return [message for message in parsed(outbox) if recipient(message) == address]


def alternatives(message: EmailMessage) -> dict[str, EmailMessage]:
    [alternative] = [p for p in message.walk() if p.get_content_type() == "multipart/alternative"]
    return {part.get_content_type(): part for part in alternative.iter_parts()}


def body(message: EmailMessage, subtype: str = "plain") -> str:
    return alternatives(message)[f"text/{subtype}"].get_content()


def invitation(message: EmailMessage) -> icalendar.Calendar | None:
    """The calendar carried as the text/calendar alternative, if any."""
    part = alternatives(message).get("text/calendar")
    return None if part is None else icalendar.Calendar.from_ical(part.get_content())


def vevent(calendar: icalendar.Calendar) -> icalendar.Event:
    [event] = calendar.walk("VEVENT")
    return event


def has_no_calendar(message: EmailMessage) -> bool:
    return "text/calendar" not in alternatives(message) and not list(message.iter_attachments())


def assert_invitation(message: EmailMessage, method: str) -> icalendar.Event:
    """Checks the calendar alternative and the .ics attachment agree on *method*."""
    part = alternatives(message)["text/calendar"]
    assert part.get_param("method") == method
    calendar = invitation(message)
    assert str(calendar["METHOD"]) == method
    [attachment] = [a for a in message.iter_attachments() if a.get_filename() == "invito.ics"]
    assert attachment.get_filename() == "invito.ics"
    assert attachment.get_param("method") == method
    assert icalendar.Calendar.from_ical(attachment.get_content()) == calendar
    return vevent(calendar)


def italian_date(moment: datetime) -> str:
    local = moment.astimezone(ROME)
    return f"{GIORNI[local.weekday()]} {local.day} {MESI[local.month - 1]} {local.year}"


def next_tuesday_at_five() -> datetime:
    """17:00 in Rome on a Tuesday at least a week away, in UTC."""
    day = datetime.now(ROME).date() + timedelta(days=8)
    day += timedelta(days=(1 - day.weekday()) % 7)
    return datetime.combine(day, time(17, 0), tzinfo=ROME).astimezone(UTC)


# Reading the database ------------------------------------------------------------------


def outbox_rows(**filters) -> list[OutboxEmail]:
    db.session.expire_all()
    query = sa.select(OutboxEmail).filter_by(**filters).order_by(OutboxEmail.id)
    # As the registrant will read them: written from their drafts.
    return [write(email) for email in db.session.scalars(query)]


@contextmanager
def committed_writes(engine):
    """Lists, for each committed transaction, the (verb, table) of each write in it."""
    committed: list[list[tuple[str, str]]] = []
    pending: list[tuple[str, str]] = []
    write = re.compile(r"\s*(INSERT INTO|UPDATE|DELETE FROM)\s+\"?(\w+)", re.I)

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        if match := write.match(statement):
            pending.append((match.group(1).split()[0].upper(), match.group(2)))

    def on_commit(conn):
        committed.append(list(pending))
        pending.clear()

    def on_rollback(conn):
        pending.clear()

    listeners = [
        ("before_cursor_execute", on_execute),
        ("commit", on_commit),
        ("rollback", on_rollback),
    ]
    for name, listener in listeners:
        sa.event.listen(engine, name, listener)
    try:
        yield committed
    finally:
        for name, listener in listeners:
            sa.event.remove(engine, name, listener)


# Confirmation --------------------------------------------------------------------------


def test_registration_queues_one_email_in_its_commit_and_sends_it_after_the_response(
    client, register, create_event, outbox
):
    event = create_event(starts_at=next_tuesday_at_five())
    with committed_writes(db.engine) as commits:
        response = register(event, company_name=XSS)
    assert response.status_code == 303
    [registration_commit] = [c for c in commits if ("INSERT", "registrations") in c]
    assert registration_commit.count(("INSERT", "outbox_emails")) == 1
    assert sum(c.count(("INSERT", "outbox_emails")) for c in commits) == 1
    [row] = outbox_rows()
    assert row.status is OutboxStatus.sent
    assert row.kind is EmailKind.confirmation

    [message] = parsed(outbox)
    assert message["Subject"] == "Iscrizione confermata: Incontro di prova"
    assert message["From"] == SENDER
    assert recipient(message) == MARIA
    assert message["Reply-To"] == event.contact_email == "eventi@example.org"
    assert message["Message-ID"].endswith("@127.0.0.1>")
    assert message.get_content_type() == "multipart/mixed"
    assert list(alternatives(message)) == ["text/plain", "text/html", "text/calendar"]
    invite = assert_invitation(message, "REQUEST")
    assert str(invite["ATTENDEE"]) == f"mailto:{MARIA}"
    assert str(invite["ORGANIZER"]) == f"mailto:{event.contact_email}"

    token = personal_token(client, response)
    text, html = body(message), body(message, "html")
    for content in (text, html):
        assert f"{italian_date(event.starts_at)}, 17:00–18:30" in content
        assert PLACE in content
        assert f"{BASE_URL}/events/{event.slug}/" in content
        assert f"{BASE_URL}/r/{token}" in content
    assert client.get(f"/r/{manage_token(text)}").status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # An in-person attendee gets the check-in QR code, inline, for the door.
    [qr] = [a for a in message.walk() if a.get_content_type() == "image/png"]
    assert qr["Content-ID"] == "<checkin-qr>" and 'src="cid:checkin-qr"' in html
    assert qr.get_payload(decode=True).startswith(b"\x89PNG")
    assert "<script" not in html


def test_email_is_written_in_the_language_the_registrant_used(
    client, register, create_event, outbox
):
    event = create_event(starts_at=next_tuesday_at_five())
    client.get("/lang/en")
    assert register(event).status_code == 303
    [registration] = registrations()
    assert registration.locale == "en"
    local = event.starts_at.astimezone(ROME)
    english = f"Tuesday {local.day} {MONTHS[local.month - 1]} {local.year}, 17:00–18:30"
    [message] = parsed(outbox)
    assert english in body(message)
    assert english in body(message, "html")
    assert "martedì" not in body(message)


def test_waitlisted_registrant_is_told_so_and_gets_no_invitation(register, create_event, outbox):
    event = create_event(capacity=1)
    register(event, email="primo@example.com")
    register(event)
    assert [r.status for r in registrations()] == [
        RegistrationStatus.confirmed,
        RegistrationStatus.waitlisted,
    ]
    [message] = sent_to(outbox, MARIA)
    assert message["Subject"] == "In lista d'attesa: Incontro di prova"
    assert has_no_calendar(message)
    assert "lista d'attesa" in body(message)


def test_expression_of_interest_is_acknowledged_without_invitation(register, create_event, outbox):
    event = create_event()
    register(event, attendance="not_attending", party_size="")
    [message] = parsed(outbox)
    assert message["Subject"] == "Manifestazione di interesse ricevuta: Incontro di prova"
    assert has_no_calendar(message)


# Withdrawal, promotion and changes -----------------------------------------------------


def test_withdrawal_sends_a_cancel_that_outranks_the_invitation(
    client, register, create_event, outbox
):
    event = create_event()
    token = personal_token(client, register(event))
    request = assert_invitation(parsed(outbox)[0], "REQUEST")

    assert client.post(f"/r/{token}/withdraw").status_code == 303
    [_, message] = parsed(outbox)
    assert message["Subject"] == "Iscrizione ritirata: Incontro di prova"
    cancel = assert_invitation(message, "CANCEL")
    assert str(cancel["UID"]) == str(request["UID"])
    assert cancel.decoded("SEQUENCE") > request.decoded("SEQUENCE")
    # One attendee leaves, the event goes on (RFC 5546, 3.2.5): no STATUS, and never
    # CONFIRMED; the registrant is named as the attendee whose copy goes.
    assert "STATUS" not in cancel
    assert str(cancel["ATTENDEE"]) == f"mailto:{MARIA}"


def test_withdrawal_from_the_waitlist_has_no_calendar_part(client, register, create_event, outbox):
    event = create_event(capacity=1)
    register(event, email="primo@example.com")
    token = personal_token(client, register(event))
    assert client.post(f"/r/{token}/withdraw").status_code == 303
    [_, message] = sent_to(outbox, MARIA)
    assert message["Subject"] == "Iscrizione ritirata: Incontro di prova"
    assert has_no_calendar(message)
    assert len(sent_to(outbox, "primo@example.com")) == 1


def test_promoted_registrant_gets_the_seat_with_an_invitation(
    client, register, create_event, outbox
):
    event = create_event(capacity=1)
    token = personal_token(client, register(event, email="primo@example.com"))
    register(event)
    assert client.post(f"/r/{token}/withdraw").status_code == 303
    [_, promotion] = sent_to(outbox, MARIA)
    assert promotion["Subject"] == "Si è liberato un posto: Incontro di prova"
    invite = assert_invitation(promotion, "REQUEST")
    assert str(invite["ATTENDEE"]) == f"mailto:{MARIA}"
    assert registrations()[1].status is RegistrationStatus.confirmed


def test_self_service_change_sends_a_new_invitation_and_cancel_when_no_longer_attending(
    client, register, create_event, outbox
):
    event = create_event()
    token = personal_token(client, register(event))
    first = assert_invitation(parsed(outbox)[0], "REQUEST")

    assert client.post(f"/r/{token}", data=edit_data(first_name="Marta")).status_code == 303
    changed = parsed(outbox)[1]
    assert changed["Subject"] == "Iscrizione modificata: Incontro di prova"
    request = assert_invitation(changed, "REQUEST")
    assert "Marta" in body(changed)

    response = client.post(f"/r/{token}", data=edit_data(attendance="not_attending", party_size=""))
    assert response.status_code == 303
    not_attending = parsed(outbox)[2]
    assert not_attending["Subject"] == "Iscrizione modificata: Incontro di prova"
    cancel = assert_invitation(not_attending, "CANCEL")
    assert str(cancel["UID"]) == str(request["UID"]) == str(first["UID"])
    assert cancel.decoded("SEQUENCE") > request.decoded("SEQUENCE")
    assert len(outbox) == 3


def test_switching_to_online_sends_an_invitation_with_the_meeting_link_that_outranks_the_room(
    client, register, create_event, outbox
):
    event = create_event(online_url="https://meet.example.org/cer")
    token = personal_token(client, register(event))
    room = assert_invitation(parsed(outbox)[0], "REQUEST")
    assert "meet.example.org" not in str(room["LOCATION"])

    response = client.post(f"/r/{token}", data=edit_data(attendance="online", party_size="1"))
    assert response.status_code == 303
    online = assert_invitation(parsed(outbox)[1], "REQUEST")
    assert str(online["LOCATION"]) == "https://meet.example.org/cer"
    assert "https://meet.example.org/cer" in str(online["DESCRIPTION"])
    assert online.decoded("SEQUENCE") > room.decoded("SEQUENCE")
    assert str(online["STATUS"]) == "CONFIRMED"

    client.post(f"/r/{token}", data=edit_data(attendance="in_person", party_size="1"))
    back = assert_invitation(parsed(outbox)[2], "REQUEST")
    assert str(back["LOCATION"]) == str(room["LOCATION"])
    assert back.decoded("SEQUENCE") > online.decoded("SEQUENCE")


def test_attending_again_after_a_cancel_sends_an_invitation_that_outranks_it(
    client, register, create_event, outbox
):
    event = create_event()
    token = personal_token(client, register(event))
    client.post(f"/r/{token}", data=edit_data(attendance="not_attending", party_size=""))
    client.post(f"/r/{token}", data=edit_data(attendance="in_person", party_size="1"))
    _, cancelled, attending = parsed(outbox)
    cancel = assert_invitation(cancelled, "CANCEL")
    request = assert_invitation(attending, "REQUEST")
    assert str(request["UID"]) == str(cancel["UID"])
    assert request.decoded("SEQUENCE") > cancel.decoded("SEQUENCE")


# Changes made by the organisers --------------------------------------------------------


@pytest.fixture
def attendee_and_interested(register, create_event, outbox):
    """An event with an attending registrant (MARIA) and an interest-only one."""
    event = create_event()
    register(event)
    register(event, email="interesse@example.com", attendance="not_attending", party_size="")
    original = assert_invitation(sent_to(outbox, MARIA)[0], "REQUEST")
    return event, original


def test_moving_the_event_sends_attendees_an_updated_invitation_and_others_a_notice(
    attendee_and_interested, outbox
):
    event, original = attendee_and_interested
    new_start = event.starts_at + timedelta(days=1, hours=2)
    assert change_event(event, starts_at=new_start, ends_at=new_start + timedelta(hours=2))
    assert len(deliver_pending().sent) == 2

    [_, update] = sent_to(outbox, MARIA)
    assert update["Subject"] == "Evento modificato: Incontro di prova"
    invite = assert_invitation(update, "REQUEST")
    assert str(invite["UID"]) == str(original["UID"])
    assert invite.decoded("SEQUENCE") > original.decoded("SEQUENCE")
    assert invite.decoded("DTSTART") == new_start
    assert italian_date(new_start) in body(update)

    [_, notice] = sent_to(outbox, "interesse@example.com")
    assert notice["Subject"] == "Evento modificato: Incontro di prova"
    assert has_no_calendar(notice)


def test_cancelled_event_cancels_attendees_calendar_entries(attendee_and_interested, outbox):
    event, original = attendee_and_interested
    cancel_event(event)
    assert len(deliver_pending().sent) == 2

    [_, cancelled] = sent_to(outbox, MARIA)
    assert cancelled["Subject"] == "Evento annullato: Incontro di prova"
    cancel = assert_invitation(cancelled, "CANCEL")
    assert str(cancel["STATUS"]) == "CANCELLED"
    assert str(cancel["UID"]) == str(original["UID"])
    assert cancel.decoded("SEQUENCE") > original.decoded("SEQUENCE")

    [_, notice] = sent_to(outbox, "interesse@example.com")
    assert notice["Subject"] == "Evento annullato: Incontro di prova"
    assert has_no_calendar(notice)


# Personal link -------------------------------------------------------------------------


def test_link_request_answers_the_same_for_registered_and_unknown_addresses(
    client, register, create_event, outbox
):
    event = create_event()
    register(event)
    known = client.post(f"/events/{event.slug}/link", data={"email": MARIA})
    unknown = client.post(f"/events/{event.slug}/link", data={"email": "nessuno@example.com"})
    assert known.status_code == unknown.status_code == 200
    known_html = known.get_data(as_text=True)
    assert MARIA in known_html
    assert known_html.replace(MARIA, "@") == unknown.get_data(as_text=True).replace(
        "nessuno@example.com", "@"
    )
    assert [m["Subject"] for m in parsed(outbox)] == [
        "Iscrizione confermata: Incontro di prova",
        "Il link personale: Incontro di prova",
    ]


def test_requested_link_is_a_new_one_the_old_keeps_working_and_none_within_the_interval(
    client, register, create_event, outbox
):
    event = create_event()
    old = personal_token(client, register(event))
    response = client.post(f"/events/{event.slug}/link", data={"email": "Maria.Rossi@Example.com"})
    assert response.status_code == 200
    [_, message] = parsed(outbox)
    assert message["Subject"] == "Il link personale: Incontro di prova"
    assert recipient(message) == MARIA
    new = manage_token(body(message))
    assert f"{BASE_URL}/r/{new}" in body(message, "html")
    assert client.get(f"/r/{new}").status_code == 200
    assert client.get(f"/r/{old}").status_code == 200  # a link someone holds keeps working

    again = client.post(f"/events/{event.slug}/link", data={"email": MARIA})
    assert again.status_code == 200
    assert len(outbox) == 2
    assert client.get(f"/r/{new}").status_code == 200


def test_back_and_send_again_keeps_the_link_and_sends_nothing(
    client, register, create_event, outbox
):
    """Register, press Back, send the same form: the same page comes back with the same
    link, which keeps working; no email about a request nobody made."""
    event = create_event()
    first = register(event)
    token = personal_token(client, first)
    again = register(event)
    assert again.status_code == 303
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Questa iscrizione era già stata inviata: non è cambiato nulla." in page
    assert f"/r/{token}" in page
    assert client.get(f"/r/{token}").status_code == 200
    assert len(registrations()) == 1
    assert [m["Subject"] for m in parsed(outbox)] == ["Iscrizione confermata: Incontro di prova"]


def test_the_same_address_from_another_device_gets_a_new_link_and_the_old_one_still_works(
    app, client, register, create_event, outbox
):
    event = create_event()
    token = personal_token(client, register(event))
    other_device = app.test_client()
    response = other_device.post(f"/events/{event.slug}/register", data=form_data())
    assert response.status_code == 400
    message_next_to_field = error_for(response.get_data(as_text=True), "email")
    assert "già iscritto" in message_next_to_field
    assert "anche i link ricevuti prima continuano a funzionare" in message_next_to_field
    assert len(registrations()) == 1
    [_, message] = parsed(outbox)
    assert message["Subject"] == "Il link personale: Incontro di prova"
    text = body(message)
    assert "è stato inviato di nuovo con questo indirizzo email" in text
    assert "hai chiesto" not in text
    assert other_device.get(f"/r/{manage_token(text)}").status_code == 200
    assert client.get(f"/r/{token}").status_code == 200


def test_a_revoked_link_and_the_earlier_ones_stop_together(
    app, client, register, create_event, create_organizer, outbox
):
    event = create_event()
    first = personal_token(client, register(event))
    client.post(f"/events/{event.slug}/link", data={"email": MARIA})
    second = manage_token(body(parsed(outbox)[-1]))
    organiser = app.test_client()
    organiser.post("/organizer/login", data={"email": create_organizer(events=[event]).email,
                                             "password": PASSWORD})  # fmt: skip
    [registration] = registrations()
    organiser.post(
        f"/organizer/events/{event.slug}/registrations/{registration.id}/revoke-link",
        data={"send_new": "y"},
    )
    for old in (first, second):
        dead = client.get(f"/r/{old}")
        assert dead.status_code == 404
        assert "Questo link non funziona" in dead.get_data(as_text=True)
        assert f"/events/{event.slug}/link" in dead.get_data(as_text=True)
    revoked = parsed(outbox)[-1]
    assert "hanno disattivato i link personali inviati in precedenza" in body(revoked)
    assert client.get(f"/r/{manage_token(body(revoked))}").status_code == 200


# Reminders -----------------------------------------------------------------------------


def test_reminders_go_once_to_confirmed_attendees_of_events_starting_tomorrow_in_rome(
    client, register, create_event, runner
):
    tomorrow = datetime.now(ROME).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, time(10, 0), tzinfo=ROME).astimezone(UTC)
    event = create_event(starts_at=start, capacity=1, online_url="https://meet.example/abc")
    # Already the day after tomorrow in Rome, though still tomorrow in UTC.
    after_midnight = datetime.combine(tomorrow + timedelta(days=1), time(0, 30), tzinfo=ROME)
    later = create_event(starts_at=after_midnight.astimezone(UTC))
    next_week = create_event()

    register(event, email="presenza@example.com")
    register(event, email="online@example.com", attendance="online")
    register(event, email="attesa@example.com")
    register(event, email="interesse@example.com", attendance="not_attending", party_size="")
    token = personal_token(client, register(event, email="ritirato@example.com"))
    client.post(f"/r/{token}/withdraw")
    register(later, email="dopodomani@example.com")
    register(next_week, email="settimana@example.com")
    statuses = {r.email: (r.status, r.attendance) for r in registrations()}
    assert statuses["attesa@example.com"][0] is RegistrationStatus.waitlisted
    assert statuses["ritirato@example.com"][0] is RegistrationStatus.cancelled
    assert statuses["interesse@example.com"][1] is AttendanceMode.not_attending

    result = runner.invoke(args=["mail", "reminders"])
    assert result.exit_code == 0, result.output
    assert "2 reminders queued." in result.output
    reminders = outbox_rows(kind=EmailKind.reminder)
    assert sorted(r.to_address for r in reminders) == ["online@example.com", "presenza@example.com"]
    assert {r.subject for r in reminders} == {"Promemoria: Incontro di prova"}

    again = runner.invoke(args=["mail", "reminders"])
    assert again.exit_code == 0
    assert "0 reminders queued." in again.output
    assert len(outbox_rows(kind=EmailKind.reminder)) == 2


# The outbox and its delivery -----------------------------------------------------------


@configured("queued-only", MAIL_DELIVER_AFTER_REQUEST=False)
def test_personal_token_is_sealed_while_queued_and_forgotten_once_sent(
    client, register, create_event, outbox
):
    event = create_event()
    token = personal_token(client, register(event))
    [row] = outbox_rows()
    assert row.status is OutboxStatus.queued
    assert row.secret and token not in row.secret
    assert token not in row.text_body and token not in row.html_body
    stored = stored_bytes()
    assert row.secret.encode() in stored  # the file does hold the queued row
    assert token.encode() not in stored

    assert deliver_pending().sent == [row.id]
    [message] = parsed(outbox)
    assert f"{BASE_URL}/r/{token}" in body(message)
    [row] = outbox_rows()
    assert row.status is OutboxStatus.sent
    assert row.secret is None
    assert token.encode() not in stored_bytes()


@configured("queued-only", MAIL_DELIVER_AFTER_REQUEST=False)
def test_claim_left_by_a_dead_worker_is_taken_over_within_a_minute(register, create_event, outbox):
    event = create_event()
    register(event, email="abbandonata@example.com")
    register(event, email="in-corso@example.com")
    abandoned, in_progress = outbox_rows()
    now = utcnow()
    abandoned.status = in_progress.status = OutboxStatus.sending
    abandoned.claimed_at = now - timedelta(seconds=61)
    in_progress.claimed_at = now - timedelta(seconds=30)
    abandoned.claim_token = in_progress.claim_token = "worker-that-died"
    db.session.commit()

    assert deliver_pending(now=now).sent == [abandoned.id]
    assert [recipient(m) for m in parsed(outbox)] == ["abbandonata@example.com"]
    assert [r.status for r in outbox_rows()] == [OutboxStatus.sent, OutboxStatus.sending]


@configured("queued-only", MAIL_DELIVER_AFTER_REQUEST=False)
def test_a_worker_whose_claim_was_taken_over_does_not_send_the_message_again(
    register, create_event, outbox
):
    """A slow worker and the one that took its claim over never both send a message."""
    event = create_event()
    register(event)
    now = utcnow()
    slow = delivery._claim(now, 10, "slow-worker")
    assert [e.status for e in slow] == [OutboxStatus.sending]

    # A minute later the claim looks abandoned: another worker takes it over and sends it.
    later = now + timedelta(seconds=61)
    assert len(deliver_pending(now=later).sent) == 1
    # The slow worker comes back to its list: the claim is no longer its own.
    assert delivery.send_claimed(slow, "slow-worker", later).sent == []
    assert len(parsed(outbox)) == 1
    [row] = outbox_rows()
    assert row.status is OutboxStatus.sent and row.attempts == 1


@configured("queued-only", MAIL_DELIVER_AFTER_REQUEST=False)
def test_mail_deliver_reclaim_takes_over_a_fresh_claim_at_once(
    register, create_event, outbox, runner
):
    event = create_event()
    register(event)
    [row] = outbox_rows()
    row.status, row.claimed_at, row.claim_token = OutboxStatus.sending, utcnow(), "killed"
    db.session.commit()

    result = runner.invoke(args=["mail", "deliver"])
    assert result.exit_code == 0, result.output
    assert outbox == []  # claimed seconds ago: left to its worker
    result = runner.invoke(args=["mail", "deliver", "--reclaim"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    assert len(outbox) == 1


@configured("loopback-smtp", MAIL_DELIVER_AFTER_REQUEST=False, **LOOPBACK_SMTP)
def test_deliver_pending_sends_through_a_real_smtp_server_exactly_once(
    register, create_event, smtp_server
):
    inbox = smtp_server()
    event = create_event()
    assert register(event).status_code == 303
    assert inbox.messages == []

    report = deliver_pending()
    [row] = outbox_rows()
    assert report.sent == [row.id]
    assert row.status is OutboxStatus.sent and row.attempts == 1
    [raw] = inbox.messages
    assert inbox.recipients == [[MARIA]]
    message = parse(raw)
    assert message["Subject"] == "Iscrizione confermata: Incontro di prova"
    assert message["Message-ID"] == row.message_id
    assert list(alternatives(message)) == ["text/plain", "text/html", "text/calendar"]
    assert_invitation(message, "REQUEST")

    assert deliver_pending().sent == []
    assert len(inbox.messages) == 1


def test_retry_delay_grows_exponentially_up_to_the_cap(app):
    assert retry_delay(1) < retry_delay(2) < retry_delay(3)
    assert retry_delay(2) == 2 * retry_delay(1)
    cap = timedelta(seconds=app.config["MAIL_RETRY_MAX_SECONDS"])
    assert retry_delay(30) == retry_delay(1000) == cap


@configured("mail-server-down", **LOOPBACK_SMTP)
def test_registration_survives_a_mail_server_that_is_down_and_is_delivered_later(
    register, create_event, smtp_server
):
    event = create_event()
    before = utcnow()
    response = register(event)
    after = utcnow()
    assert response.status_code == 303
    assert len(registrations()) == 1
    [row] = outbox_rows()
    assert row.status is OutboxStatus.queued
    assert row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error
    assert before + retry_delay(1) <= row.next_attempt_at <= after + retry_delay(1)
    assert deliver_pending().retried == []  # not due yet: no new attempt

    inbox = smtp_server()
    report = deliver_pending(now=row.next_attempt_at + timedelta(seconds=1))
    assert report.sent == [row.id]
    [raw] = inbox.messages
    assert parse(raw)["Subject"] == "Iscrizione confermata: Incontro di prova"
    [row] = outbox_rows()
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.sent, 2, "")

    assert deliver_pending(now=row.next_attempt_at + timedelta(days=1)).sent == []
    assert len(inbox.messages) == 1


@configured("mail-server-down", MAIL_MAX_ATTEMPTS=2, **LOOPBACK_SMTP)
def test_message_failing_every_attempt_is_failed_listed_and_can_be_queued_again(
    register, create_event, runner, smtp_server
):
    event = create_event()
    register(event)
    [row] = outbox_rows()
    assert deliver_pending(now=row.next_attempt_at + timedelta(seconds=1)).failed == [row.id]
    [row] = outbox_rows()
    assert (row.status, row.attempts) == (OutboxStatus.failed, 2)
    assert "ConnectionRefusedError" in row.last_error

    inbox = smtp_server()
    assert deliver_pending(now=utcnow() + timedelta(days=1)).sent == []  # failed is final
    listing = runner.invoke(args=["mail", "outbox", "--status", "failed"])
    assert listing.exit_code == 0
    assert re.search(rf"^\s*{row.id}\s+failed\s+confirmation\s+{MARIA}", listing.output, re.M)
    assert "ConnectionRefusedError" in listing.output
    assert runner.invoke(args=["mail", "outbox", "--status", "queued"]).output == ""

    result = runner.invoke(args=["mail", "retry", str(row.id)])
    assert result.exit_code == 0, result.output
    [row] = outbox_rows()
    assert (row.status, row.attempts) == (OutboxStatus.queued, 0)
    assert runner.invoke(args=["mail", "retry", str(row.id)]).exit_code != 0  # not failed now

    result = runner.invoke(args=["mail", "deliver"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    assert len(inbox.messages) == 1
    [row] = outbox_rows()
    assert row.status is OutboxStatus.sent


@configured("no-mail-server", MAIL_SERVER=None)
def test_without_a_mail_server_the_message_is_logged_once_and_kept(
    app, client, register, create_event, outbox, caplog
):
    caplog.set_level(logging.INFO, logger=app.logger.name)
    event = create_event()
    token = personal_token(client, register(event))

    [logged] = [r for r in caplog.records if "No mail server configured" in r.getMessage()]
    text = logged.getMessage()
    assert f"To: {MARIA}" in text
    assert "Subject: Iscrizione confermata: Incontro di prova" in text
    assert f"{BASE_URL}/r/{token}" in text
    [row] = outbox_rows()
    assert row.status is OutboxStatus.queued
    assert row.logged_at is not None and row.sent_at is None and row.attempts == 0
    assert row.secret is not None

    assert deliver_pending().logged == []
    assert len([r for r in caplog.records if "No mail server configured" in r.getMessage()]) == 1
    assert outbox == []

    # Restarted with a mail server, the same database and secret key: the message goes out.
    later = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            # A second process, as after a restart: its connections close when released.
            "SQLALCHEMY_ENGINE_OPTIONS": {
                **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
                "poolclass": sa.pool.NullPool,
            },
            "MAIL_SERVER": "smtp.test",
            "MAIL_DEFAULT_SENDER": SENDER,
        }
    )
    with later.app_context():
        assert deliver_pending().sent == [row.id]
        [message] = parsed(outbox)
        db.session.remove()
        db.engine.dispose()
    assert f"{BASE_URL}/r/{token}" in body(message)
    assert outbox_rows()[0].status is OutboxStatus.sent


@configured("delivered-by-the-worker", MAIL_DELIVER_AFTER_REQUEST=False)
def test_a_draft_that_cannot_be_written_is_retried_with_its_reason_and_blocks_no_other(
    register, create_event, outbox, caplog
):
    """A registration's email is written at delivery from the draft in its row; a draft
    its writer fails on (a defect) is a failed attempt like a refused send: the reason is
    kept for the organisers, the message is tried again later, the others go out."""
    event = create_event()
    register(event, email="prima@example.com")
    register(event, email="seconda@example.com")
    broken, fine = db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.id))
    assert broken.draft is not None and broken.text_body == ""
    draft = {**broken.draft, "kind": "no-such-kind"}
    db.session.execute(
        sa.update(OutboxEmail).where(OutboxEmail.id == broken.id).values(draft=draft)
    )
    db.session.commit()

    report = deliver_pending()

    assert (report.sent, report.retried) == ([fine.id], [broken.id])
    assert [recipient(message) for message in parsed(outbox)] == ["seconda@example.com"]
    db.session.expire_all()
    broken = db.session.get(OutboxEmail, broken.id)
    assert (broken.status, broken.attempts) == (OutboxStatus.queued, 1)
    assert broken.last_error.startswith("UnwritableDraft: ValueError")
    assert broken.draft == draft and broken.text_body == ""
    assert "could not be written" in caplog.text


@pytest.mark.parametrize("reason", ["requested", "registered_again", "revoked"])
def test_the_link_email_leaves_a_blank_line_between_why_and_the_event(
    register, create_event, reason
):
    """The text part of the personal-link email, whatever the reason: the paragraph saying
    why it was sent, a blank line, then the event (they ran together before)."""
    event = create_event()
    register(event)
    registration = event.registrations[0]
    text = write(emails.queue_link(registration, "token", reason)).text_body
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == f"Gentile {registration.full_name},"
    assert paragraphs[2].startswith(f"{event.title}\nQuando: ")
