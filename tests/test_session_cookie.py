"""The session cookie (eventsreg/session_cookie.py): signed as Flask signs it, written
without compression, read whether compressed or not, and signed again with a new key."""

import json

from flask.sessions import SecureCookieSessionInterface
from itsdangerous.encoding import base64_decode

from eventsreg.registrations import services


def _session_value(response) -> str:
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    return cookie.split(";", 1)[0].removeprefix("session=")


def test_a_registration_writes_a_signed_uncompressed_cookie_that_leads_to_the_link(
    client, create_event, register
):
    event = create_event(capacity=None)
    response = register(event)
    assert response.status_code == 303

    value = _session_value(response)
    # A compressed payload starts with "."; this one is the signed JSON itself.
    assert not value.startswith(".")
    payload, _timestamp, _signature = value.split(".")
    tokens = json.loads(base64_decode(payload))["registration_tokens"]
    assert services.find_by_token(tokens[str(event.id)]).event_id == event.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"/r/{tokens[str(event.id)]}" in page


def test_a_cookie_compressed_by_flasks_own_interface_is_still_read(app, client):
    flasks = SecureCookieSessionInterface().get_signing_serializer(app)
    # Long enough for zlib to make it shorter, as Flask then writes it.
    value = flasks.dumps({"lang": "en", "note": "abc" * 100})
    assert value.startswith(".")
    client.set_cookie("session", value)

    page = client.get("/").get_data(as_text=True)

    assert '<html lang="en"' in page


def test_a_cookie_signed_with_the_previous_key_is_read_and_signed_again_with_the_new_one(
    app, client
):
    client.get("/lang/en")
    app.config["SECRET_KEY_FALLBACKS"] = [app.secret_key]
    app.secret_key = app.config["SECRET_KEY"] = "a-new-secret-key"

    client.get("/lang/en")
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)

    # The cookie written now (the client keeps it) is signed with the new key alone.
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)
