"""Every form of the service, public and organisers', under hostile input.

For each POST route the test reads the form from its page (fields, options, prefilled
values), then posts bodies built from it with Hypothesis: fields with good values,
hostile values, raw bytes that are not UTF-8, several values, missing or unknown fields.
Properties: never a server error; a refused submission (4xx) changes no row of any
table; nothing sent comes back as markup that runs.
"""

import itertools
import json
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventsreg.events.models import EventStatus, QuestionKind
from eventsreg.extensions import db
from eventsreg.questions.library import ENERGY_COMMUNITY, add_questionnaire

from .conftest import PASSWORD, choices, form_data
from .helpers import personal_token
from .hostile import (
    assert_nothing_executable,
    changes,
    encode_body,
    form_bodies,
    hostile_settings,
    hostile_value,
    snapshot,
    strings_in,
)

FORM = "application/x-www-form-urlencoded"

#: Good values of text answers, by question kind (choices come from the page).
GOOD_ANSWERS = {
    QuestionKind.text: "Officina",
    QuestionKind.textarea: "Una nota\nsu due righe",
    QuestionKind.number: "12.500",
    QuestionKind.date: "2024-05-01",
    QuestionKind.email: "amministrazione@pec.example.it",
    QuestionKind.phone: "+39 0373 123456",
    QuestionKind.url: "https://www.azienda.example.it",
    QuestionKind.vat: "00743110157",
    QuestionKind.ateco: "25.62.00",
    QuestionKind.pod: "IT001E12345678",
    QuestionKind.substation: "AC001E12345",
    QuestionKind.supply_points: "IT001E12345678; AC001E00045; 120.000\nIT002E87654321",
}


class _FormReader(HTMLParser):
    """The POST forms of a page: action → {field name: list of possible good values}."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: dict[str, dict[str, list]] = {}
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = self.forms.setdefault(a.get("action") or "", {})
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name and name != "csrf_token":
            kind = (a.get("type") or "text").lower()
            values = self._form.setdefault(name, [])
            if kind in {"checkbox", "radio", "submit", "hidden"}:
                values.append(a.get("value") or "y")
            elif not values:
                values.append(a.get("value") or "")
        elif tag == "select" and name:
            self._select = self._form.setdefault(name, [])
        elif tag == "option" and self._select is not None:
            self._select.append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self._form[name] = [""]
        elif tag == "button" and name:
            self._form.setdefault(name, []).append(a.get("value") or "")

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def page_form(client, url: str) -> dict[str, list]:
    """The fields of the POST form on *url*'s page that posts to *url* (none if no page)."""
    response = client.get(url)
    if response.status_code != 200:
        return {}
    reader = _FormReader()
    reader.feed(response.get_data(as_text=True))
    path = urlsplit(url).path
    for action, fields in reader.forms.items():
        if action in ("", url) or urlsplit(action).path == path:
            return fields
    return {}


def good_strategies(fields: dict[str, list], overrides: dict) -> dict:
    """Field name → strategy of a good value: the override, else one the page offers."""
    strategies = {}
    for name, values in fields.items():
        if name in overrides:
            strategies[name] = st.just(overrides[name])
        elif len(values) > 1:
            strategies[name] = st.sampled_from(values)
        else:
            strategies[name] = st.just(values[0] if values else "")
    for name, value in overrides.items():
        strategies.setdefault(name, st.just(value))
    return strategies


# --- the world every form is tried in ---------------------------------------------------


class World:
    """An event with every kind of question, a registration, two organisers, an email."""

    def __init__(self, app, client, create_event, add_question, create_organizer):
        self.app, self.client = app, client
        event = create_event(slug="hostile", max_party_size=4, online_url="https://meet.example")
        self.event = event
        parent = None
        for kind in QuestionKind:
            options = {}
            if kind in (QuestionKind.choice, QuestionKind.multichoice):
                options["choices"] = choices("nord", "sud", "<b>est</b>")
            if kind is QuestionKind.number:
                options["settings"] = {"unit": "kWh", "min": 0, "max": 10**9}
            question = add_question(event, f"q_{kind.value}", kind, is_required=False, **options)
            if kind is QuestionKind.yesno:
                parent = question
        add_question(
            event,
            "q_conditional",
            QuestionKind.text,
            is_required=False,
            condition_question=parent,
            condition_values=["yes"],
        )
        response = client.post(f"/events/{event.slug}/register", data=form_data())
        self.token = personal_token(client, response)
        self.admin = create_organizer("admin@example.org", is_admin=True, events=[event])
        self.other = create_organizer("altra@example.org")
        draft = create_event(slug="bozza", status=EventStatus.draft)
        self.admin.events.append(draft)
        # An event asking the energy-community questionnaire, for its panel.
        energy = create_event(slug="energia")
        add_questionnaire(energy, ENERGY_COMMUNITY)
        self.admin.events.append(energy)
        db.session.commit()
        from eventsreg.mail.models import OutboxEmail, OutboxStatus

        email = db.session.get(OutboxEmail, 1)
        if email is not None:
            email.status = OutboxStatus.failed
            db.session.commit()
        self.answers = {q.field_name: GOOD_ANSWERS.get(q.kind) for q in event.questions}

    def sign_in(self) -> None:
        """Make sure the client is signed in as the administrator (examples may sign out)."""
        response = self.client.get("/organizer/")
        if response.status_code == 200:
            return
        response = self.client.post(
            "/organizer/login", data={"email": self.admin.email, "password": PASSWORD}
        )
        assert response.status_code == 303

    def sign_out(self) -> None:
        self.client.post("/organizer/logout")


@pytest.fixture
def world(app, client, create_event, add_question, create_organizer):
    return World(app, client, create_event, add_question, create_organizer)


def _url(world: World, endpoint: str, **args) -> str:
    from flask import url_for

    values = {
        "slug": world.event.slug,
        "token": world.token,
        "organizer_id": world.other.id,
        "email_id": 1,
        "registration_id": 1,
        "question_id": 1,
    }
    values.update(args)
    rule = next(r for r in world.app.url_map.iter_rules() if r.endpoint == endpoint)
    with world.app.test_request_context():
        return url_for(endpoint, **{k: values[k] for k in rule.arguments})


def _registration_fields(world):
    return {**form_data(email="nuova@example.com"), **{k: v for k, v in world.answers.items() if v}}


#: POST endpoint → (signed in?, URL arguments, good values beyond those the page offers).
CASES = {
    "registrations.register": (False, {}, _registration_fields),
    "registrations.manage": (
        False,
        {},
        lambda w: {
            **form_data(email=None, privacy_consent=None),
            **{k: v for k, v in w.answers.items() if v},
        },
    ),
    "registrations.withdraw": (False, {}, lambda w: {"confirm": "y"}),
    "registrations.stop_attending": (False, {}, lambda w: {}),
    "registrations.register_again": (False, {}, lambda w: {}),
    "privacy.erase": (False, {}, lambda w: {}),
    "registrations.request_link": (False, {}, lambda w: {"email": "maria.rossi@example.com"}),
    "site.accessibility": (
        False,
        {},
        lambda w: {"page": "/events/hostile/", "description": "Il contrasto è basso."},
    ),
    "organizer.login": (False, {}, lambda w: {"email": "admin@example.org", "password": "no"}),
    "organizer.logout": (True, {}, lambda w: {}),
    "organizer.password": (
        True,
        {},
        lambda w: {"current_password": PASSWORD, "new_password": PASSWORD, "confirm": PASSWORD},
    ),
    "organizer.accounts": (
        True,
        {},
        lambda w: {"email": "nuovo@comune.example", "name": "Nuovo", "password": PASSWORD},
    ),
    "organizer.account_edit": (True, {}, lambda w: {"name": "Altra"}),
    "organizer.event_new": (
        True,
        {},
        lambda w: {
            "title": "Incontro",
            "contact_email": "eventi@example.org",
            "starts_at": "2031-03-01T17:00",
            "ends_at": "2031-03-01T19:00",
            "timezone": "Europe/Rome",
        },
    ),
    "organizer.event_edit": (True, {}, lambda w: {}),
    "organizer.event_action": (
        True,
        {"action": "close"},
        lambda w: {"confirm": "yes"},
    ),
    "organizer.question_new": (
        True,
        {},
        lambda w: {"label": "Domanda", "kind": "choice", "choices": "a\nb"},
    ),
    "organizer.question_edit": (True, {}, lambda w: {}),
    "organizer.question_move": (True, {}, lambda w: {"direction": "down"}),
    "organizer.question_remove": (True, {}, lambda w: {}),
    "organizer.question_restore": (True, {}, lambda w: {}),
    "organizer.questionnaire_insert": (
        True,
        {},
        lambda w: {"questionnaire": "energy_community"},
    ),
    "organizer.registrations_bulk": (
        True,
        {},
        lambda w: {"action": "checkin", "ids": "1", "back": "sort=name&page=1"},
    ),
    "organizer.registration_new": (
        True,
        {},
        lambda w: {**_registration_fields(w), "email": "manuale@example.com"},
    ),
    "organizer.registration_approve": (True, {}, lambda w: {}),
    "organizer.registration_reject": (True, {}, lambda w: {"reason": "No"}),
    "organizer.registration_confirm": (True, {}, lambda w: {}),
    "organizer.registration_withdraw": (True, {}, lambda w: {"reason": "No"}),
    "organizer.registration_revoke_link": (True, {}, lambda w: {"send_new": "y"}),
    "organizer.checkin_toggle": (True, {}, lambda w: {"present": "y"}),
    "organizer.messages": (
        True,
        {},
        lambda w: {"subject": "Promemoria {azienda}", "body": "Ciao **{nome}**", "preview": "1"},
    ),
    "organizer.outbox_retry": (True, {}, lambda w: {}),
    "organizer.energy": (True, {"slug": "energia"}, lambda w: {}),
}

#: Pages whose form a POST-only route belongs to (to read its fields from).
FORM_PAGES = {
    "registrations.stop_attending": "registrations.manage",
    "registrations.register_again": "registrations.manage",
    "organizer.event_action": "organizer.event_edit",
    "organizer.question_move": "organizer.questions",
    "organizer.question_remove": "organizer.questions",
    "organizer.question_restore": "organizer.questions",
    "organizer.questionnaire_insert": "organizer.questions",
    "organizer.registrations_bulk": "organizer.registrations",
    "organizer.registration_approve": "organizer.registration_detail",
    "organizer.registration_reject": "organizer.registration_detail",
    "organizer.registration_confirm": "organizer.registration_detail",
    "organizer.registration_withdraw": "organizer.registration_detail",
    "organizer.registration_revoke_link": "organizer.registration_detail",
    "organizer.checkin_toggle": "organizer.checkin",
    "organizer.outbox_retry": "organizer.outbox",
}


def test_every_post_route_has_a_hostile_test(app):
    posts = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods}
    assert posts == set(CASES), "a POST route without a hostile test, or a stale one"


#: The event editor's forms, which once failed on a POST with no form fields at all.
EVENT_EDITOR = {"organizer.event_new", "organizer.event_edit"}

#: The public form's answer to an address already registered: it sends that address its
#: personal link again (a new token, one email queued) and shows the form with an error.
ALREADY_REGISTERED = "già iscritto a questo evento. Ti abbiamo inviato"


def _check(world: World, url: str, body: dict) -> None:
    before = snapshot()
    response = world.client.post(url, data=encode_body(body), content_type=FORM)
    assert response.status_code < 500, (url, body)
    if 400 <= response.status_code < 500 and ALREADY_REGISTERED not in response.get_data(
        as_text=True
    ):
        changed = changes(before, snapshot())
        assert not changed, f"{url} refused the form ({response.status_code}) but stored {changed}"
    if response.mimetype == "text/html":
        assert_nothing_executable(response.get_data(as_text=True), strings_in(body))


@pytest.mark.parametrize("endpoint", sorted(CASES))
def test_hostile_form_bodies_never_break_a_form(world, endpoint):
    signed_in, args, good = CASES[endpoint]
    if signed_in:
        world.sign_in()
    url = _url(world, endpoint, **args)
    page_endpoint = FORM_PAGES.get(endpoint)
    fields = page_form(world.client, _url(world, page_endpoint) if page_endpoint else url)
    # A POST-only route's form may be one of several on the page: its own action wins.
    if page_endpoint:
        reader = _FormReader()
        reader.feed(world.client.get(_url(world, page_endpoint)).get_data(as_text=True))
        fields = next(
            (f for a, f in reader.forms.items() if urlsplit(a).path == urlsplit(url).path), {}
        )
    strategies = good_strategies(fields, good(world))

    @hostile_settings(max_examples=15)
    @given(body=form_bodies(strategies))
    def check(body):
        if signed_in:
            world.sign_in()
        _check(world, url, body)

    check()


@pytest.mark.parametrize(
    "action", ["publish", "unpublish", "close", "reopen", "cancel", "duplicate", "<x>", "..%2f"]
)
def test_hostile_event_actions(world, action):
    world.sign_in()
    url = _url(world, "organizer.event_action", action=action, slug="bozza")

    @hostile_settings(max_examples=8)
    @given(body=form_bodies({"confirm": st.just("yes")}))
    def check(body):
        world.sign_in()
        _check(world, url, body)

    check()


serial = itertools.count()


@hostile_settings(max_examples=40)
@given(data=st.data())
def test_hostile_registrations_on_a_fresh_form_each_time(world, data):
    """The public form, whole, with only one field hostile at a time: the likeliest way a
    hostile value reaches the database, the confirmation page and the mail."""
    fields = _registration_fields(world)
    name = data.draw(st.sampled_from(sorted(fields)), label="field")
    value = data.draw(hostile_value, label="value")
    body = {**fields, "email": f"h{next(serial)}@example.com", name: value}
    url = _url(world, "registrations.register")
    _check(world, url, body)


def test_invalid_utf8_raw_bodies(world):
    world.sign_in()
    bodies = [
        b"first_name=%FF%FE&last_name=%C3&email=a%40b.it",
        b"\xff\xfe\x00\x00",
        b"=&=&&&=%",
        b"email=" + b"%00" * 1000,
        b"a" * 100_000,
        b"%zz=%zz",
    ]
    for endpoint, (_signed_in, args, _good) in sorted(CASES.items()):
        if endpoint == "organizer.logout":
            continue
        url = _url(world, endpoint, **args)
        for body in bodies:
            world.sign_in()
            before = snapshot()
            response = world.client.post(url, data=body, content_type=FORM)
            assert response.status_code < 500, (url, body[:40])
            if 400 <= response.status_code < 500:
                assert not changes(before, snapshot()), url
        for content_type in ("multipart/form-data", "text/plain; charset=x"):
            response = world.client.post(url, data=b"\xff{", content_type=content_type)
            assert response.status_code < 500, (url, content_type)


@pytest.mark.parametrize("endpoint", sorted(EVENT_EDITOR))
@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"", FORM), (b"\xff\xfe\x00\x00", FORM), (b"\xff{", "text/plain; charset=x")],
)
def test_a_post_without_fields_is_refused_by_the_event_editor(world, endpoint, body, content_type):
    world.sign_in()
    before = snapshot()
    response = world.client.post(_url(world, endpoint), data=body, content_type=content_type)
    assert response.status_code == 400
    assert not changes(before, snapshot())


#: JSON bodies a script may send to a form: Flask-WTF reads a JSON body as the form data.
JSON_BODIES = [b"[1]", b'"x"', b"{}", b'{"email": 1, "title": null, "description": {"a": [1]}}']


def test_json_bodies_are_refused_by_every_form(world):
    broken = []
    for endpoint, (_signed_in, args, good) in sorted(CASES.items()):
        url = _url(world, endpoint, **args)
        names = [*good(world), "email", "title", "subject", "body"]
        for body in [*JSON_BODIES, json.dumps(dict.fromkeys(names, 1)).encode()]:
            world.sign_in()
            try:
                status = world.client.post(url, data=body, content_type="application/json")
            except Exception as error:  # the test client re-raises the view's exception
                broken.append((endpoint, body[:30], type(error).__name__))
            else:
                if status.status_code >= 500:
                    broken.append((endpoint, body[:30], status.status_code))
    assert not broken, broken
