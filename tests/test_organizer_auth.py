"""Organiser sign-in, roles and the gate in front of every organiser page."""

import re

import pytest
import sqlalchemy as sa

from eventsreg.config import defaults
from eventsreg.extensions import db
from eventsreg.organizer.models import Organizer

from .conftest import PASSWORD


def test_every_organizer_page_requires_sign_in(app, client, create_event):
    event = create_event()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/organizer/") or rule.endpoint == "organizer.login":
            continue
        values = {
            "slug": event.slug,
            "organizer_id": 1,
            "email_id": 1,
            "action": "publish",
            "registration_id": 1,
            "token": "x" * 43,
            "question_id": 1,
            "table": "pods",
            "ext": "csv",
        }
        url = rule.build({arg: values[arg] for arg in rule.arguments})[1]
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        assert response.status_code == 302, url
        assert "/organizer/login" in response.headers["Location"], url


def test_sign_in_with_the_right_password_opens_the_event_list(
    client, create_organizer, create_event, sign_in
):
    event = create_event(title="Evento di Maria")
    organizer = create_organizer(events=[event])
    sign_in(organizer)
    html = client.get("/organizer/").get_data(as_text=True)
    assert "Evento di Maria" in html
    assert db.session.get(Organizer, organizer.id).last_login_at is not None


@pytest.mark.parametrize("email", ["organizzatrice@example.org", "nessuno@example.org"])
def test_wrong_credentials_get_one_message_that_reveals_nothing(client, create_organizer, email):
    create_organizer()
    response = client.post("/organizer/login", data={"email": email, "password": "sbagliata!!"})
    assert response.status_code == 400
    assert "Email o password non corretti" in response.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}], ids=["limits-on"])
def test_failed_sign_ins_are_rate_limited(app, client, create_organizer):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    organizer = create_organizer()
    for _ in range(3):
        assert (
            client.post(
                "/organizer/login", data={"email": organizer.email, "password": "no"}
            ).status_code
            == 400
        )
    blocked = client.post("/organizer/login", data={"email": organizer.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Troppe richieste" in blocked.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}], ids=["limits-on"])
def test_successful_sign_ins_do_not_use_up_the_limit(app, client, create_organizer, sign_in):
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    organizer = create_organizer()
    for _ in range(4):
        sign_in(organizer)
        client.post("/organizer/logout")


def test_disabled_account_cannot_sign_in_and_is_signed_out(client, create_organizer, sign_in):
    organizer = create_organizer()
    sign_in(organizer)
    organizer.is_enabled = False
    db.session.commit()
    assert client.get("/organizer/").status_code == 302
    response = client.post(
        "/organizer/login", data={"email": organizer.email, "password": PASSWORD}
    )
    assert response.status_code == 400


def test_sign_out_ends_the_session(client, create_organizer, sign_in):
    sign_in(create_organizer())
    assert client.post("/organizer/logout").status_code == 303
    assert client.get("/organizer/").status_code == 302


def test_password_change_requires_the_current_one_and_signs_out_other_sessions(
    app, client, create_organizer, sign_in
):
    organizer = create_organizer()
    other = app.test_client()
    other.post("/organizer/login", data={"email": organizer.email, "password": PASSWORD})
    assert other.get("/organizer/").status_code == 200
    sign_in(organizer)
    wrong = client.post(
        "/organizer/password",
        data={
            "current_password": "sbagliata",
            "new_password": "nuova-password-1",
            "confirm": "nuova-password-1",
        },
    )
    assert "non è corretta" in wrong.get_data(as_text=True)
    short = client.post(
        "/organizer/password",
        data={"current_password": PASSWORD, "new_password": "corta", "confirm": "corta"},
    )
    assert "almeno 10 caratteri" in short.get_data(as_text=True)
    ok = client.post(
        "/organizer/password",
        data={
            "current_password": PASSWORD,
            "new_password": "nuova-password-1",
            "confirm": "nuova-password-1",
        },
    )
    assert ok.status_code == 303
    assert client.get("/organizer/").status_code == 200  # this session goes on
    assert other.get("/organizer/").status_code == 302  # the other one is over
    assert db.session.get(Organizer, organizer.id).check_password("nuova-password-1")


def test_organizer_sees_only_the_events_they_manage(
    client, create_organizer, create_event, sign_in
):
    mine, theirs = create_event(title="Il mio evento"), create_event(title="Evento di altri")
    sign_in(create_organizer(events=[mine]))
    html = client.get("/organizer/").get_data(as_text=True)
    assert "Il mio evento" in html and "Evento di altri" not in html
    assert client.get(f"/organizer/events/{theirs.slug}/").status_code == 404
    assert client.get(f"/organizer/events/{theirs.slug}/edit").status_code == 404
    assert client.post(f"/organizer/events/{theirs.slug}/publish").status_code == 404


def test_administrator_sees_every_event_and_manages_accounts(
    client, create_organizer, create_event, sign_in
):
    create_event(title="Evento qualsiasi")
    sign_in(create_organizer(is_admin=True))
    assert "Evento qualsiasi" in client.get("/organizer/").get_data(as_text=True)
    response = client.post(
        "/organizer/accounts",
        data={"email": "Nuovo@Comune.example", "name": "Nuovo", "password": "password-lunga-1"},
    )
    assert response.status_code == 303
    assert db.session.scalar(sa.select(Organizer).where(Organizer.email == "nuovo@comune.example"))


def test_non_administrators_cannot_manage_accounts(client, create_organizer, sign_in):
    sign_in(create_organizer())
    assert client.get("/organizer/accounts").status_code == 403
    assert (
        client.post(
            "/organizer/accounts", data={"email": "x@y.it", "password": "password-lunga-1"}
        ).status_code
        == 403
    )


def test_administrator_assigns_events_to_an_organizer(
    client, create_organizer, create_event, sign_in
):
    event = create_event()
    admin = create_organizer("admin@example.org", is_admin=True)
    colleague = create_organizer("collega@example.org")
    sign_in(admin)
    response = client.post(
        f"/organizer/accounts/{colleague.id}", data={"is_enabled": "y", "events": [str(event.id)]}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert colleague.can_manage(event)


def test_cli_creates_an_organizer_with_a_hashed_password(runner):
    result = runner.invoke(
        args=[
            "organizer",
            "create",
            "Capo@Example.org",
            "--password",
            "password-lunga-1",
            "--admin",
        ]
    )
    assert result.exit_code == 0, result.output
    organizer = db.session.scalar(sa.select(Organizer).where(Organizer.email == "capo@example.org"))
    assert organizer.is_admin
    assert "password-lunga-1" not in organizer.password_hash
    assert organizer.check_password("password-lunga-1")


def test_cli_prompts_for_the_password_when_not_given(runner):
    result = runner.invoke(
        args=["organizer", "create", "a@example.org"], input="password-lunga-1\npassword-lunga-1\n"
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["organizer", "create", "a@example.org", "--password", "corta"], "at least"),
        (
            ["organizer", "create", "non-una-email", "--password", "password-lunga-1"],
            "not an email",
        ),
    ],
)
def test_cli_refuses_bad_accounts(runner, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output


def test_cli_refuses_a_duplicate_email(runner, create_organizer):
    create_organizer("dup@example.org")
    result = runner.invoke(
        args=["organizer", "create", "DUP@example.org", "--password", "password-lunga-1"]
    )
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_session_cookie_is_http_only_and_same_site(client, create_organizer, sign_in):
    response = sign_in(create_organizer())
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert re.search(r"SameSite=Lax", cookie)


def test_organizer_pages_are_not_cached(client, create_organizer, sign_in):
    sign_in(create_organizer())
    assert client.get("/organizer/").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("app_config", [{"PASSWORD_HASH_METHOD": "scrypt"}], ids=["default"])
def test_passwords_are_hashed_with_scrypt_outside_the_test_suite(app, create_organizer, sign_in):
    assert defaults(app.instance_path)["PASSWORD_HASH_METHOD"] == "scrypt"
    organizer = create_organizer()
    assert organizer.password_hash.startswith("scrypt:")
    sign_in(organizer)
