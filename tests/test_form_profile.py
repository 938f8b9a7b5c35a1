"""An event's form profile: who registers, which standard fields are asked, which ways to
take part are offered. The form, the pages, the dashboard and the exports follow it."""

import csv
import io
import re

import pytest

from eventsreg.events.models import Event, FieldUse, Registrants
from eventsreg.extensions import db
from eventsreg.registrations.models import AttendanceMode

from .conftest import PASSWORD
from .helpers import error_for, registrations
from .test_event_editor import editor_data

BOM = "\ufeff"


def person(**overrides) -> dict:
    """A private person's submission: no company, no VAT number."""
    data = {
        "first_name": "Lucia",
        "last_name": "Ferrari",
        "email": "lucia.ferrari@example.com",
        "attendance": "in_person",
        "party_size": "2",
        "privacy_consent": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def assembly(client, create_organizer, sign_in):
    """A residents' assembly made in the editor: private persons, 30 seats in the hall, no
    online option, no interest-only answer, no phone; with an English title."""
    organizer = create_organizer()
    sign_in(organizer)
    response = client.post(
        "/organizer/events/new",
        data=editor_data(
            title="Assemblea dei residenti",
            title_en="Residents' meeting",
            summary="Il nuovo parco di quartiere.",
            summary_en="The new neighbourhood park.",
            capacity="30",
            registrants="people",
            organisation_field="hidden",
            tax_id_field="optional",
            phone_field="hidden",
            allows_online=None,
            allows_interest_only=None,
            online_url="https://meet.example.org/assemblea",
        ),
    )
    assert response.status_code == 303, error_for(response.get_data(as_text=True), "title")
    event = db.session.query(Event).filter_by(title="Assemblea dei residenti").one()
    client.post(f"/organizer/events/{event.slug}/publish")
    client.post("/organizer/logout")
    db.session.refresh(event)
    assert event.is_published
    assert (event.registrants, event.organisation_field, event.tax_id_field) == (
        Registrants.people,
        FieldUse.hidden,
        FieldUse.optional,
    )
    return event, organizer


def test_a_residents_meeting_asks_nothing_about_companies(client, assembly):
    event, _organizer = assembly
    html = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert 'name="company_name"' not in html and 'name="vat_number"' not in html
    assert 'name="phone"' not in html
    assert "Azienda o ente" not in html
    # A private person's tax code, optional, with the person's data.
    assert 'name="tax_code"' in html and "Codice fiscale" in html
    # Only the ways to take part the meeting offers.
    assert 'value="in_person"' in html
    assert 'value="online"' not in html and 'value="not_attending"' not in html


@pytest.mark.parametrize("lang", ["it", "en"])
def test_a_person_registers_for_the_meeting_in_either_language(client, assembly, lang):
    event, _organizer = assembly
    client.get(f"/lang/{lang}")
    page = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    title = "Residents&#39; meeting" if lang == "en" else "Assemblea dei residenti"
    assert title in page
    response = client.post(f"/events/{event.slug}/register", data=person())
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    [registration] = registrations()
    assert registration.company_name == "" and registration.vat_number == ""
    assert registration.attendance is AttendanceMode.in_person and registration.party_size == 2
    assert registration.locale == lang
    confirmation = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Azienda" not in confirmation and "Company" not in confirmation


def test_a_required_tax_code_is_said_to_be_required(client, assembly):
    event, _organizer = assembly
    event.tax_id_field = FieldUse.required
    db.session.commit()
    html = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert re.search(r'<label for="tax_code">Codice fiscale <span class="req">', html)
    response = client.post(f"/events/{event.slug}/register", data=person())
    assert response.status_code == 400
    assert "codice fiscale" in error_for(response.get_data(as_text=True), "tax_code")
    assert registrations() == []


def test_a_full_meeting_without_online_does_not_offer_online(client, create_event):
    event = create_event(
        capacity=0,
        registrants=Registrants.people,
        organisation_field=FieldUse.hidden,
        allows_online=False,
        allows_interest_only=False,
        online_url="https://meet.example.org/x",
    )
    html = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert "lista d'attesa" in html
    assert "online" not in html.split('class="availability', 1)[1].split("</section>", 1)[0]


def test_the_dashboard_and_the_exports_speak_of_people(client, assembly, sign_in):
    event, organizer = assembly
    client.post(f"/events/{event.slug}/register", data=person())
    client.post("/organizer/login", data={"email": organizer.email, "password": PASSWORD})
    dashboard = client.get(f"/organizer/events/{event.slug}/").get_data(as_text=True)
    assert "1 persone da 1 iscrizioni attive" in dashboard and "aziend" not in dashboard.lower()
    body = client.get(f"/organizer/events/{event.slug}/registrations.csv").get_data(as_text=True)
    header = next(csv.reader(io.StringIO(body.removeprefix(BOM)), delimiter=";"))
    assert "Azienda" not in header and "Partita IVA" not in header and "Telefono" not in header
    assert "Codice fiscale" in header and "Persone" in header


def test_forms_of_events_with_other_profiles_served_in_turn_keep_their_own_fields(
    client, create_event
):
    """The registration form's fields are copied from ones kept per process: what a form
    changes on its own (a label, a required mark, the ways to take part, a value typed,
    an error) is never what the next form of another event shows."""
    both = create_event(
        registrants=Registrants.both, tax_id_field=FieldUse.required, allows_online=False
    )
    people = create_event(
        registrants=Registrants.people,
        organisation_field=FieldUse.hidden,
        tax_id_field=FieldUse.required,
    )
    companies = create_event(
        tax_id_field=FieldUse.optional,
        allows_online=True,
        online_url="https://meet.example.org/incontro",
    )

    def form(event) -> str:
        return client.get(f"/events/{event.slug}/register").get_data(as_text=True)

    for _ in range(2):
        html = form(both)
        assert "se partecipi per un&#39;organizzazione" in html
        assert re.search(r'<label for="vat_number">[^<]*<span class="req">', html)
        assert 'value="online"' not in html
        assert re.search(r'<label for="tax_code">Codice fiscale <span class="req">', form(people))
        html = form(companies)
        assert not re.search(r'<label for="tax_code">[^<]*<span class="req">', html)
        assert "se partecipi per un&#39;organizzazione" not in html
        assert not re.search(r'<label for="vat_number">[^<]*<span class="req">', html)
        assert "Facoltativa" in html and 'value="online"' in html

    refused = client.post(
        f"/events/{both.slug}/register", data=person(first_name="Zenobia", vat_number="98765")
    )
    refused_html = refused.get_data(as_text=True)
    assert (
        refused.status_code == 400 and "Zenobia" in refused_html and "aria-invalid" in refused_html
    )
    html = form(companies)
    assert "Zenobia" not in html and "98765" not in html and "aria-invalid" not in html
