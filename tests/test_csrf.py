"""CSRF protection stays on: every POST route refuses a form without a valid token."""

import re

import pytest

from eventsreg.registrations.models import RegistrationStatus

from .conftest import form_data
from .helpers import manage_token, registrations


@pytest.fixture
def app_config():
    # CSRF is off in the other tests for brevity; here it is on, as in production.
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def csrf_app(app):
    return app


def _csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _register_with_token(client, slug: str) -> str:
    token = _csrf_token(client.get(f"/events/{slug}/register").get_data(as_text=True))
    response = client.post(f"/events/{slug}/register", data=form_data(csrf_token=token))
    assert response.status_code == 303
    return manage_token(client.get(response.headers["Location"]).get_data(as_text=True))


def test_every_post_route_refuses_a_missing_csrf_token(csrf_app, create_event):
    event = create_event()
    client = csrf_app.test_client()
    personal = _register_with_token(client, event.slug)
    values = {
        "slug": event.slug,
        "token": personal,
        "organizer_id": 1,
        "email_id": 1,
        "action": "publish",
        "registration_id": 1,
        "question_id": 1,
    }
    post_rules = [r for r in csrf_app.url_map.iter_rules() if "POST" in r.methods]
    assert {r.endpoint for r in post_rules} >= {
        "registrations.register",
        "registrations.manage",
        "registrations.withdraw",
    }
    other = csrf_app.test_client()  # a different browser: no session, no token
    for rule in post_rules:
        url = rule.build({arg: values[arg] for arg in rule.arguments})[1]
        for client_ in (client, other):
            response = client_.post(url, data=form_data(email="new@example.com", first_name="X"))
            assert response.status_code == 400, url
            assert "Ricaricare la pagina" in response.get_data(as_text=True)
    [registration] = registrations()
    assert registration.first_name == "Maria"
    assert registration.status is RegistrationStatus.confirmed


def test_a_valid_csrf_token_lets_the_form_through(csrf_app, create_event):
    event = create_event()
    client = csrf_app.test_client()
    _register_with_token(client, event.slug)
    assert len(registrations()) == 1


def test_a_token_from_another_session_is_refused(csrf_app, create_event):
    event = create_event()
    alice, mallory = csrf_app.test_client(), csrf_app.test_client()
    stolen = _csrf_token(mallory.get(f"/events/{event.slug}/register").get_data(as_text=True))
    response = alice.post(f"/events/{event.slug}/register", data=form_data(csrf_token=stolen))
    assert response.status_code == 400
    assert registrations() == []
