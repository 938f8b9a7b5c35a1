"""A new event without a blank page: from a previous edition, from an event type; its
privacy notice written from the data controller's settings; the time-zone picker.

Each test reads the editor's form from the page and sends it back as a browser would,
changing only what an organiser would type."""

from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from eventsreg.events.models import Event, EventStatus, FieldUse, Meaning, QuestionKind, Registrants
from eventsreg.extensions import db
from eventsreg.questions.library import ENERGY_COMMUNITY

from .helpers import error_for

CONTROLLER = {
    "DATA_CONTROLLER_NAME": "Comune di Esempio",
    "DATA_CONTROLLER_ADDRESS": "Piazza del Municipio 1, 26013 Crema (CR)",
    "DATA_CONTROLLER_CONTACT": "protocollo@pec.comune.example",
    "DPO_CONTACT": "dpo@comune.example",
}


@pytest.fixture
def app_config():
    return dict(CONTROLLER)


class EditorForm(HTMLParser):
    """The fields of a page's POST form as a browser sends them, and the time-zone select's
    groups and options."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, str] = {}
        self.zone_groups: list[str] = []
        self.zone_options: list[tuple[str, str, bool]] = []
        self._in_form = False
        self._select: str | None = None
        self._selected: str | None = None
        self._first: str | None = None
        self._option: list | None = None
        self._textarea: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method") == "post" and not a.get("action"):
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields[a["name"]] = a.get("value", "on")
            elif kind != "submit":
                self.fields[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields[self._textarea] = ""
        elif tag == "select":
            self._select, self._selected, self._first = a["name"], None, None
        elif tag == "optgroup" and self._select == "timezone":
            self.zone_groups.append(a["label"])
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = a["value"]
            if "selected" in a:
                self._selected = a["value"]
            self._option = [a["value"], "", "selected" in a]

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "textarea" and self._textarea:
            # As a browser, drop the newline right after <textarea>.
            text = self.fields[self._textarea]
            self.fields[self._textarea] = text.removeprefix("\r\n").removeprefix("\n")
            self._textarea = None
        elif tag == "option" and self._option is not None:
            if self._select == "timezone":
                self.zone_options.append(tuple(self._option))
            self._option = None
        elif tag == "select" and self._select:
            self.fields[self._select] = self._selected or self._first or ""
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data
        elif self._option is not None:
            self._option[1] += data


def editor(client, url: str) -> EditorForm:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return EditorForm(response.get_data(as_text=True))


def _events() -> list[Event]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Event).order_by(Event.id)))


WHEN = {"starts_at": "2031-03-11T17:00", "ends_at": "2031-03-11T18:30"}


@pytest.fixture
def organizer(create_organizer, sign_in):
    organizer = create_organizer()
    sign_in(organizer)
    return organizer


@pytest.fixture
def edition(organizer, create_event, add_question, register):
    """Last year's residents' meeting: a profile far from the defaults, English texts, two
    questions (one asked only after a given answer) and a registration."""
    event = create_event(
        slug="assemblea-di-quartiere",
        title="Assemblea di quartiere",
        summary="Il nuovo parco.",
        description="Parliamo del **parco**.",
        organizers="Comune di Crema",
        timezone="Europe/London",
        venue_name="Sala civica",
        venue_address="Via Roma 1, Crema",
        venue_notes="Ingresso dal cortile.",
        online_url="https://meet.example.org/quartiere",
        capacity=40,
        max_party_size=4,
        requires_approval=True,
        contact_email="quartieri@example.org",
        privacy_notice="**Titolare**: Comune di Crema.",
        translations={
            "en": {
                "title": "Neighbourhood meeting",
                "summary": "The new park.",
                "privacy_notice": "**Controller**: Comune di Crema.",
            }
        },
        registrants=Registrants.people,
        organisation_field=FieldUse.hidden,
        tax_id_field=FieldUse.optional,
        phone_field=FieldUse.hidden,
        asks_party_size=True,
        allows_in_person=True,
        allows_online=False,
        allows_interest_only=False,
    )
    organizer.events.append(event)
    db.session.commit()
    role = add_question(
        event,
        "ruolo",
        QuestionKind.choice,
        label="Ruolo",
        help_text="Come partecipa.",
        is_required=True,
        choices=[
            {"value": "residente", "label": "Residente", "label_en": "Resident"},
            {"value": "commerciante", "label": "Commerciante", "label_en": "Shopkeeper"},
        ],
        translations={"en": {"label": "Role", "help_text": "How you take part."}},
    )
    add_question(
        event,
        "consumo",
        QuestionKind.number,
        label="Consumo annuo",
        settings={"unit": "kWh"},
        condition_question=role,
        condition_values=["commerciante"],
        meaning=Meaning.annual_consumption_kwh,
        translations={"en": {"label": "Annual consumption"}},
    )
    answers = {role.field_name: "residente"}
    response = register(event, company_name=None, vat_number=None, phone=None, **answers)
    assert response.status_code == 303
    return event


# -- from a previous edition -----------------------------------------------------------------


def test_a_new_edition_copies_profile_texts_and_questions_but_no_dates_or_registrations(
    client, organizer, edition
):
    url = f"/organizer/events/new?from={edition.slug}"
    page = editor(client, url)
    form = page.fields
    # The address and the dates are the new edition's to choose.
    assert [form[n] for n in ("slug", "starts_at", "ends_at", "registration_closes_at")] == [""] * 4
    assert form["title"] == "Assemblea di quartiere" and form["title_en"] == "Neighbourhood meeting"
    assert form["privacy_notice"] == "**Titolare**: Comune di Crema."
    response = client.post(url, data={**form, **WHEN})
    assert response.status_code == 303, error_for(response.get_data(as_text=True), "slug")

    source, copy = _events()
    assert copy.slug == "assemblea-di-quartiere-2"  # the title's address, numbered
    assert copy.status is EventStatus.draft and copy.ical_sequence == 0
    assert copy.registrations == [] and len(source.registrations) == 1
    assert organizer.can_manage(copy)
    same = (
        "title summary description organizers timezone venue_name venue_address venue_notes "
        "online_url capacity max_party_size requires_approval contact_email privacy_notice "
        "translations registrants organisation_field tax_id_field phone_field asks_party_size "
        "allows_in_person allows_online allows_interest_only"
    ).split()
    assert {n: getattr(copy, n) for n in same} == {n: getattr(source, n) for n in same}

    role, consumption = copy.questions
    assert role.id != source.questions[0].id
    assert (role.code, role.kind, role.is_required, role.help_text) == (
        "ruolo",
        QuestionKind.choice,
        True,
        "Come partecipa.",
    )
    assert role.choices == source.questions[0].choices
    assert role.translations == {"en": {"label": "Role", "help_text": "How you take part."}}
    assert consumption.condition_question is role
    assert consumption.condition_values == ["commerciante"]
    assert consumption.meaning is Meaning.annual_consumption_kwh
    assert consumption.settings == {"unit": "kWh"}
    assert consumption.text("label", "en") == "Annual consumption"


def test_the_events_list_offers_a_new_edition_of_each_event(client, organizer, edition):
    html = client.get("/organizer/").get_data(as_text=True)
    assert f'href="/organizer/events/new?from={edition.slug}"' in html


def test_another_organisers_event_cannot_be_copied(
    client, organizer, edition, create_event, create_organizer
):
    theirs = create_event(slug="evento-riservato", title="Evento riservato")
    create_organizer("altra@example.org", events=[theirs])
    page = client.get("/organizer/events/new").get_data(as_text=True)
    assert 'value="assemblea-di-quartiere"' in page and "evento-riservato" not in page

    for method in (client.get, client.post):
        response = method("/organizer/events/new?from=evento-riservato", data={**WHEN})
        assert response.status_code == 303
        assert response.headers["Location"].endswith("/organizer/events/new")
    html = client.get("/organizer/events/new").get_data(as_text=True)
    assert "non esiste o non è tra quelli che gestisci" in html
    assert "Evento riservato" not in html
    assert len(_events()) == 2


def test_an_administrator_may_start_from_any_event(client, create_organizer, create_event, sign_in):
    create_event(slug="di-qualcuno", title="Evento di qualcuno")
    sign_in(create_organizer("admin@example.org", is_admin=True))
    form = editor(client, "/organizer/events/new?from=di-qualcuno").fields
    assert form["title"] == "Evento di qualcuno"


# -- from an event type ----------------------------------------------------------------------


def _create_from_type(client, key: str, **typed) -> Event:
    url = f"/organizer/events/new?type={key}"
    form = editor(client, url).fields
    data = {**form, "title": f"Prova {key}", "contact_email": "eventi@example.org", **WHEN}
    response = client.post(url, data={**data, **typed})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return _events()[-1]


def test_a_residents_meeting_asks_no_company_no_vat_and_no_interest(client, organizer):
    event = _create_from_type(client, "residents_meeting", venue_name="Sala civica")
    assert event.registrants is Registrants.people
    assert (event.organisation_field, event.tax_id_field) == (FieldUse.hidden, FieldUse.hidden)
    assert not event.allows_interest_only and not event.allows_online and event.allows_in_person
    assert event.questions == []
    assert "manifestazione di interesse" not in event.privacy_notice
    client.post(f"/organizer/events/{event.slug}/publish")
    html = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert 'name="company_name"' not in html and 'name="vat_number"' not in html
    assert 'value="not_attending"' not in html


def test_a_company_meeting_asks_company_and_vat_and_takes_interest(client, organizer):
    event = _create_from_type(client, "company_meeting", venue_name="Sala conferenze")
    assert event.registrants is Registrants.organisations
    assert (event.organisation_field, event.tax_id_field) == (FieldUse.required,) * 2
    assert event.allows_interest_only
    assert "[argomento]" in event.summary
    assert "manifestazione di interesse" in event.privacy_notice


def test_an_energy_community_gets_the_energy_questionnaire(client, organizer):
    event = _create_from_type(client, "energy_community", venue_name="Sala conferenze")
    codes = [q.code for q in event.questions]
    assert codes == [template.code for template in ENERGY_COMMUNITY.questions]
    by_code = {q.code: q for q in event.questions}
    assert by_code["interest"].meaning is Meaning.interest
    assert by_code["member_kind"].condition_question is by_code["interest"]
    assert by_code["interest"].text("label", "en") == "Interest in joining the Energy Community"
    assert event.allows_interest_only and event.registrants is Registrants.organisations


def test_a_webinar_is_online_only(client, organizer):
    event = _create_from_type(client, "webinar", online_url="https://meet.example.org/webinar")
    assert (event.allows_in_person, event.allows_online, event.allows_interest_only) == (
        False,
        True,
        False,
    )
    assert not event.asks_party_size and event.tax_id_field is FieldUse.hidden
    client.post(f"/organizer/events/{event.slug}/publish")
    html = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert 'value="in_person"' not in html and 'name="vat_number"' not in html


@pytest.mark.parametrize(
    "query",
    [
        "type=nope",
        "type=",
        "type=%3Cscript%3Ealert(1)%3C/script%3E",
        "from=",
        "from=999",
        "from=%00",
        "from=" + "a" * 5000,
        "from=%3Cscript%3E",
        "from=Assemblea%20di%20quartiere",
    ],
)
def test_a_start_that_names_nothing_gets_a_message_not_an_error(client, organizer, query):
    for method in (client.get, client.post):
        response = method(f"/organizer/events/new?{query}", data={"title": "x", **WHEN})
        assert response.status_code == 303, query
    html = client.get("/organizer/events/new").get_data(as_text=True)
    assert "flash-error" in html
    assert "<script>alert(1)" not in html
    assert _events() == []


# -- the privacy notice ----------------------------------------------------------------------


def test_the_privacy_notice_names_the_configured_controller(app, client, organizer):
    app.config["PRIVACY_RETENTION_MONTHS"] = 6
    page = editor(client, "/organizer/events/new")
    notice, notice_en = page.fields["privacy_notice"], page.fields["privacy_notice_en"]
    for value in CONTROLLER.values():
        assert value in notice and value in notice_en
    assert "6 mesi dopo la fine dell'evento" in notice and "6 months" in notice_en
    assert "Garante per la protezione dei dati personali" in notice
    assert "manifestazione di interesse" in notice
    assert "[da completare]" not in notice
    html = client.get("/organizer/events/new").get_data(as_text=True)
    assert "privacy-settings-missing" not in html


def test_missing_controller_settings_are_marked_and_named(app, client, organizer):
    app.config["DPO_CONTACT"] = None
    app.config["DATA_CONTROLLER_ADDRESS"] = ""
    response = client.get("/organizer/events/new")
    html = response.get_data(as_text=True)
    page = EditorForm(html)
    notice = page.fields["privacy_notice"]
    assert notice.count("[da completare]") == 2 and "Comune di Esempio" in notice
    assert "[to be completed]" in page.fields["privacy_notice_en"]
    assert "EVENTSREG_DPO_CONTACT" in html and "EVENTSREG_DATA_CONTROLLER_ADDRESS" in html
    assert "EVENTSREG_DATA_CONTROLLER_NAME" not in html
    # Saved as it is, the notice would publish the gaps.
    data = {**page.fields, "title": "Incontro", "contact_email": "e@example.org", **WHEN}
    response = client.post("/organizer/events/new", data=data)
    assert response.status_code == 400
    assert "[da completare]" in error_for(response.get_data(as_text=True), "privacy_notice")
    assert _events() == []


def test_a_new_edition_keeps_its_own_notice_and_names_no_settings(app, client, edition):
    app.config["DPO_CONTACT"] = None
    html = client.get(f"/organizer/events/new?from={edition.slug}").get_data(as_text=True)
    assert "privacy-settings-missing" not in html and "[da completare]" not in html


def test_the_suggested_english_notice_is_kept_only_with_english_texts(client, organizer):
    form = editor(client, "/organizer/events/new").fields
    base = {**form, "contact_email": "e@example.org", **WHEN}
    # A browser sends a textarea back with CRLF line endings.
    crlf = form["privacy_notice_en"].replace("\n", "\r\n")
    client.post("/organizer/events/new", data={**base, "title": "Solo italiano",
                                               "privacy_notice_en": crlf})  # fmt: skip
    client.post("/organizer/events/new", data={**base, "title": "Bilingue", "title_en": "Both"})
    italian, bilingual = _events()
    assert italian.translation("privacy_notice", "en") == ""
    assert "Comune di Esempio" in bilingual.translation("privacy_notice", "en")


# -- the time-zone picker --------------------------------------------------------------------


def test_the_time_zone_picker_starts_with_rome_and_groups_the_common_zones(client, organizer):
    page = editor(client, "/organizer/events/new")
    assert page.zone_groups == ["Più usati", "Tutti i fusi orari"]
    first_value, first_label, selected = page.zone_options[0]
    assert first_value == "Europe/Rome" and selected and "Italia" in first_label
    values = [value for value, _label, _selected in page.zone_options]
    assert len(values) == len(set(values)) > 400
    assert values.index("UTC") < values.index("Africa/Abidjan")


@pytest.mark.parametrize("zone", ["CET", "America/Argentina/Ushuaia"])
def test_an_event_keeps_a_zone_the_short_list_leaves_out(client, organizer, create_event, zone):
    event = create_event(slug="lontano", timezone=zone, privacy_notice="Titolare: noi.")
    organizer.events.append(event)
    db.session.commit()
    page = editor(client, "/organizer/events/lontano/edit")
    assert [value for value, _label, selected in page.zone_options if selected] == [zone]
    assert page.fields["timezone"] == zone
    response = client.post("/organizer/events/lontano/edit", data=page.fields)
    assert response.status_code == 303
    assert _events()[0].timezone == zone
