"""Nothing hostile runs on the way out: pages, CSV, XLSX, calendars and email.

Registrants write markup, spreadsheet formulas and calendar or header injections into
valid registrations; organisers write hostile Markdown into event texts. What the
service gives back escapes, neutralises or encloses all of it.
"""

import csv
import io
import itertools
from email import message_from_bytes, policy

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from eventsreg.events.models import QuestionKind
from eventsreg.exports import _FORMULA_START, _NUMBER_LIKE

from .conftest import PASSWORD, form_data
from .hostile import (
    FORMULAS,
    INJECTIONS,
    MARKDOWN,
    MARKUP,
    assert_nothing_executable,
    hostile_settings,
    short_text,
)

BOM = "\ufeff".encode()

#: Values a registrant may well write: markup, formulas, injections, maybe padded.
payload = st.sampled_from(MARKUP + FORMULAS + INJECTIONS)
field_value = st.one_of(payload, st.builds(lambda a, p: a + p, short_text, payload))


@pytest.fixture
def app_config():
    return {"MAIL_SERVER": "smtp.test", "MAIL_DEFAULT_SENDER": "eventi@example.org"}


@pytest.fixture
def event(app, client, create_event, add_question, create_organizer):
    event = create_event(
        slug="ostile",
        title="Incontro <script>alert(1)</script> =1+1",
        venue_name="Sala\r\nBEGIN:VEVENT\r\nSUMMARY:x",
        description="Testo [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
        online_url="https://meet.example/x",
    )
    add_question(event, "note", QuestionKind.text)
    add_question(event, "lunghe", QuestionKind.textarea)
    organizer = create_organizer("gestore@example.org", events=[event])
    response = client.post(
        "/organizer/login", data={"email": organizer.email, "password": PASSWORD}
    )
    assert response.status_code == 303
    return event


def safe_cell(text: str) -> bool:
    """The export's own rule: text starting like a formula must be neutralised (quote) or be
    plainly a number or phone number."""
    return not text.startswith(_FORMULA_START) or bool(_NUMBER_LIKE.fullmatch(text))


def one_vevent(body: bytes) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(body)
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert len(events) == 1, [c.name for c in calendar.walk()]
    assert [c.name for c in calendar.subcomponents] == ["VEVENT"] or all(
        c.name in {"VEVENT", "VTIMEZONE"} for c in calendar.subcomponents
    )
    (vevent,) = events
    assert all(not key.startswith("X-INJ") and key != "BEGIN" for key in vevent)
    return vevent


def vevents(body: bytes) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    for component in calendar.walk():
        assert component.name in {"VCALENDAR", "VEVENT", "VTIMEZONE", "STANDARD", "DAYLIGHT"}
    return [c for c in calendar.walk() if c.name == "VEVENT"]


serial = itertools.count()


#: Names, line breaks included (a one-line field turns them into spaces).
name_value = st.one_of(
    st.sampled_from(MARKUP + FORMULAS),
    st.builds(lambda a, p: a + p, short_text, st.sampled_from(MARKUP + FORMULAS)),
)


@hostile_settings(max_examples=25)
@given(
    first=name_value,
    last=name_value,
    company=field_value,
    note=field_value,
    notes=field_value,
)
def test_hostile_registrations_come_out_inert(
    app, client, event, outbox, first, last, company, note, notes
):
    questions = {q.code: q.field_name for q in event.questions}
    email = f"ostile{next(serial)}@example.com"
    sent = [first, last, company, note, notes]
    outbox.clear()
    response = client.post(
        f"/events/{event.slug}/register",
        data=form_data(
            first_name=first,
            last_name=last,
            company_name=company,
            email=email,
            **{questions["note"]: note, questions["lunghe"]: notes},
        ),
    )
    assert response.status_code < 500
    if response.status_code != 303:
        assert_nothing_executable(response.get_data(as_text=True), sent)
        return
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert_nothing_executable(page, sent)

    # The confirmation email: no injected header, escaped HTML, one event in the invitation.
    [message] = outbox
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert {address for _name, address in message.send_to} == {email}
    assert "\n" not in str(parsed["Subject"]) and "\r" not in str(parsed["Subject"])
    assert parsed["Bcc"] is None and parsed["Cc"] is None
    assert parsed.get_all("To") and len(parsed.get_all("To")) == 1
    html = parsed.get_body(("html",)).get_content()
    assert_nothing_executable(html, sent)
    invitations = [
        part.get_payload(decode=True)
        for part in parsed.walk()
        if part.get_content_type() == "text/calendar"
    ]
    for invitation in invitations:
        one_vevent(invitation)

    # The organiser's pages.
    [row] = [r for r in _registrations(event) if r.email == email]
    base = f"/organizer/events/{event.slug}"
    for url in (
        f"{base}/registrations",
        f"{base}/registrations/{row.id}",
        f"{base}/",
        f"{base}/checkin",
        f"{base}/checkin/print",
        f"{base}/checkin/{row.id}",
        f"{base}/registrations?q={email}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_nothing_executable(response.get_data(as_text=True), sent)

    # The CSV and the XLSX: no cell runs as a formula.
    for query, delimiter in (("", ";"), ("?sep=comma", ",")):
        body = client.get(f"{base}/registrations.csv{query}").data
        assert body.startswith(BOM)
        text = body[len(BOM) :].decode("utf-8")
        for cells in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            for cell in cells:
                assert safe_cell(cell), cell
    workbook = load_workbook(io.BytesIO(client.get(f"{base}/registrations.xlsx").data))
    for sheet in workbook.worksheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                assert cell.data_type != "f", cell.value
                if isinstance(cell.value, str):
                    assert safe_cell(cell.value), cell.value


def _registrations(event):
    from .helpers import registrations

    return [r for r in registrations() if r.event_id == event.id]


@hostile_settings(max_examples=25)
@given(
    title=field_value,
    summary=field_value,
    description=st.one_of(
        st.sampled_from(MARKDOWN + MARKUP),
        st.lists(st.sampled_from(MARKDOWN + MARKUP + INJECTIONS), min_size=2, max_size=5).map(
            "\n\n".join
        ),
    ),
    venue=field_value,
    organizers=field_value,
)
def test_hostile_event_texts_come_out_inert(
    app, client, event, outbox, title, summary, description, venue, organizers
):
    sent = [title, summary, description, venue, organizers]
    edit = f"/organizer/events/{event.slug}/edit"
    form = {
        "title": title,
        "slug": event.slug,
        "summary": summary,
        "description": description,
        "organizers": organizers,
        "timezone": "Europe/Rome",
        "starts_at": "2031-03-01T17:00",
        "ends_at": "2031-03-01T19:00",
        "venue_name": venue,
        "venue_address": venue,
        "capacity": "",
        "max_party_size": "5",
        "contact_email": "eventi@example.org",
        "privacy_notice": description,
        "registrants": "organisations",
        "organisation_field": "required",
        "tax_id_field": "required",
        "phone_field": "optional",
        "allows_in_person": "y",
        "allows_interest_only": "y",
    }
    # The organiser's preview renders the Markdown without saving it.
    preview = client.post(edit, data={**form, "preview": "1"})
    assert preview.status_code < 500
    assert_nothing_executable(preview.get_data(as_text=True), sent)
    response = client.post(edit, data=form)
    assert response.status_code < 500
    if response.status_code != 303:
        assert_nothing_executable(response.get_data(as_text=True), sent)
        return

    for url in (
        "/",
        f"/events/{event.slug}/",
        f"/events/{event.slug}/register",
        f"/events/{event.slug}/privacy",
        f"/organizer/events/{event.slug}/",
        "/organizer/",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert_nothing_executable(page.get_data(as_text=True), sent)

    ics = client.get(f"/events/{event.slug}/event.ics")
    assert ics.status_code == 200
    vevent = one_vevent(ics.data)
    assert "BEGIN" not in {k.upper() for k in vevent}
    feed = client.get("/calendar.ics")
    assert feed.status_code == 200
    assert len(vevents(feed.data)) == 1

    # The confirmation of a new registration carries the event's texts.
    outbox.clear()
    email = f"evento{next(serial)}@example.com"
    response = client.post(f"/events/{event.slug}/register", data=form_data(email=email))
    if response.status_code == 303:
        for message in outbox:
            parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
            assert "\n" not in str(parsed["Subject"])
            assert parsed["Bcc"] is None
            assert_nothing_executable(parsed.get_body(("html",)).get_content(), sent)
            for part in parsed.walk():
                if part.get_content_type() == "text/calendar":
                    one_vevent(part.get_payload(decode=True))


def test_a_line_break_in_a_name_does_not_stop_the_confirmation(client, event, outbox):
    response = client.post(
        f"/events/{event.slug}/register",
        data=form_data(first_name="Maria\r\nBcc: x@example.org", email="acapo@example.com"),
    )
    assert response.status_code in (303, 400)
    if response.status_code == 303:
        assert len(outbox) == 1
