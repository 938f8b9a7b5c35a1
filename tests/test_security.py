"""Security headers, cookies, personal-link tokens, and who may open which page."""

import hashlib
import logging
import re

import pytest
import sqlalchemy as sa

from eventsreg import create_app
from eventsreg.extensions import db
from eventsreg.logs import RedactingFilter, gunicorn_logger_class, redact
from eventsreg.mail.models import OutboxEmail
from eventsreg.mail.outbox import write
from eventsreg.registrations import checkin
from eventsreg.registrations.models import Registration
from eventsreg.tokens import find

from .conftest import PASSWORD, form_data
from .helpers import personal_token, registrations

# -- headers -----------------------------------------------------------------------------


def _policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


def _public_urls(event) -> list[str]:
    return [
        "/",
        f"/events/{event.slug}/",
        f"/events/{event.slug}/register",
        f"/events/{event.slug}/event.ics",
        f"/events/{event.slug}/privacy",
        f"/events/{event.slug}/link",
        "/calendar.ics",
        "/accessibilita",
        "/healthz",
        "/organizer/login",
        "/static/css/site.css",
        "/no-such-page",
        "/r/" + "x" * 43,
    ]


def test_every_response_carries_the_security_headers(client, create_event):
    event = create_event()
    for url in _public_urls(event):
        response = client.get(url)
        policy = _policy(response)
        assert policy["script-src"] == ["'self'"], url
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"], url
        assert policy["frame-ancestors"] == ["'none'"], url
        assert policy["object-src"] == ["'none'"], url
        assert policy["base-uri"] == ["'none'"], url
        assert policy["form-action"] == ["'self'"], url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["X-Frame-Options"] == "DENY", url
        # Each once (a response may set several cookies).
        names = [name.lower() for name, _value in response.headers if name != "Set-Cookie"]
        assert len(names) == len(set(names)), url
        assert response.headers["Referrer-Policy"] in (
            "strict-origin-when-cross-origin",
            "no-referrer",
        ), url


def test_pages_use_no_inline_script_style_or_handler(client, create_event, register):
    # What the policy forbids must not be needed: the pages load their script and style
    # from /static only.
    event = create_event()
    token = personal_token(client, register(event))
    for url in _public_urls(event) + [f"/r/{token}", f"/r/{token}/withdraw"]:
        html = client.get(url).get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert re.search(r'src="/static/', tag), (url, tag)
        assert "<style" not in html, url
        assert not re.search(r"\son[a-z]+\s*=", html), url
        assert not re.search(r'\sstyle\s*=\s*"', html), url


def test_pages_with_personal_data_send_no_referrer_and_are_not_stored(
    client, create_event, register, create_organizer, sign_in
):
    event = create_event()
    token = personal_token(client, register(event))
    response = client.get(f"/r/{token}")
    # Once: the security headers added to every response keep the page's own.
    assert response.headers.getlist("Referrer-Policy") == ["no-referrer"]
    assert response.headers["Cache-Control"] == "no-store"
    sign_in(create_organizer(events=[event]))
    response = client.get(f"/organizer/events/{event.slug}/registrations?q=Rossi")
    assert response.headers.getlist("Referrer-Policy") == ["no-referrer"]
    assert response.headers["Cache-Control"] == "no-store"


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    response = client.get("/", base_url="https://eventi.example.org")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize("app_config", [{"HSTS_MAX_AGE": 0}], ids=["hsts-off"])
def test_hsts_can_be_turned_off(client):
    response = client.get("/", base_url="https://eventi.example.org")
    assert "Strict-Transport-Security" not in response.headers


def _session_cookie(client, response) -> str:
    cookies = [v for v in response.headers.getlist("Set-Cookie") if v.startswith("session=")]
    assert cookies, "no session cookie"
    return cookies[0]


def _app_with_base_url(tmp_path, base_url: str):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'cookies.sqlite'}",
            "BASE_URL": base_url,
        }
    )


@pytest.mark.parametrize(
    "base_url, secure",
    [("https://eventi.example.org", True), ("http://127.0.0.1:5000", False)],
    ids=["production-https", "local-http"],
)
def test_session_cookie_is_secure_when_the_site_is_served_over_https(tmp_path, base_url, secure):
    app = _app_with_base_url(tmp_path, base_url)
    assert app.config["SESSION_COOKIE_SECURE"] is secure
    assert app.config["REMEMBER_COOKIE_SECURE"] is secure
    with app.app_context():
        db.create_all()
    client = app.test_client()
    # The language switch writes the session.
    response = client.get("/lang/en", base_url=base_url)
    cookie = _session_cookie(client, response)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert ("Secure" in cookie) is secure


# -- tokens --------------------------------------------------------------------------------


def test_personal_tokens_are_long_random_and_stored_only_as_hashes(client, create_event, register):
    event = create_event()
    tokens = [
        personal_token(client, register(event, email=f"persona{i}@example.com")) for i in range(5)
    ]
    assert len(set(tokens)) == 5
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 256 bits
    stored = {r.token_hash for r in registrations()}
    assert stored == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    assert not any(token in hash_ for token in tokens for hash_ in stored)


def test_a_token_that_differs_by_one_character_opens_nothing(client, create_event, register):
    event = create_event()
    token = personal_token(client, register(event))
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    for path in ("/r/{}", "/r/{}/withdraw"):
        assert client.get(path.format(changed)).status_code == 404
        assert client.post(path.format(changed), data={"confirm": "y"}).status_code == 404
    assert client.get("/r/" + token + "x" * 100).status_code == 404
    assert registrations()[0].is_active


def test_lookup_confirms_the_stored_hash_in_constant_time(
    client, create_event, register, monkeypatch
):
    # The database finds the row by its hash's unique index; the match is then confirmed
    # with hmac.compare_digest, which does not stop at the first differing character.
    import hmac

    event = create_event()
    token = personal_token(client, register(event))
    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    found = find(Registration, Registration.token_hash, token)
    assert found is not None
    assert calls == [(found.token_hash, hashlib.sha256(token.encode()).hexdigest())]
    assert find(Registration, Registration.token_hash, "") is None
    assert find(Registration, Registration.token_hash, "x" * 101) is None


def _registered(client, event, email="maria.rossi@example.com"):
    token = personal_token(
        client, client.post(f"/events/{event.slug}/register", data=form_data(email=email))
    )
    registration = db.session.scalar(sa.select(Registration).where(Registration.email == email))
    return registration, token


def test_an_organiser_revokes_a_personal_link_and_sends_a_new_one(
    client, create_event, create_organizer, sign_in
):
    event = create_event()
    registration, token = _registered(client, event)
    checkin_token = checkin.checkin_token_for(token)
    organizer = create_organizer(events=[event])
    sign_in(organizer)
    assert client.get(f"/organizer/checkin/{checkin_token}").status_code == 302
    queued = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail))

    response = client.post(
        f"/organizer/events/{event.slug}/registrations/{registration.id}/revoke-link",
        data={"send_new": "1"},
    )
    assert response.status_code == 303
    assert client.get(f"/r/{token}").status_code == 404
    assert client.get(f"/organizer/checkin/{checkin_token}").status_code == 404
    emails = [
        write(email)
        for email in db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.id))
    ]
    assert len(emails) == queued + 1
    assert emails[-1].to_address == "maria.rossi@example.com"
    # The new link works, and so does its QR code.
    from eventsreg.mail.sealing import reveal

    new_token = re.search(
        r"/r/([A-Za-z0-9_-]{43})", reveal(emails[-1].text_body, emails[-1].secret)
    )
    assert new_token
    client.post("/organizer/logout")
    assert client.get(f"/r/{new_token.group(1)}").status_code == 200


def test_revoking_without_a_new_link_sends_nothing(client, create_event, create_organizer, sign_in):
    event = create_event()
    registration, token = _registered(client, event)
    sign_in(create_organizer(events=[event]))
    before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail))
    client.post(f"/organizer/events/{event.slug}/registrations/{registration.id}/revoke-link")
    assert client.get(f"/r/{token}").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == before
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).checkin_token_hash is None


# -- access: signed out, wrong token, another event's ids ---------------------------------


@pytest.fixture
def two_events(client, create_event, create_organizer, add_question):
    """Event A managed by Anna, event B by someone else; one registration and question each."""
    from eventsreg.events.models import QuestionKind

    mine, theirs = create_event(title="Evento A"), create_event(title="Evento B")
    for event in (mine, theirs):
        add_question(event, "note", QuestionKind.text)
    reg_a, token_a = _registered(client, mine, "a@example.com")
    reg_b, token_b = _registered(client, theirs, "b@example.com")
    anna = create_organizer("anna@example.org", events=[mine])
    create_organizer("bruno@example.org", events=[theirs])
    admin = create_organizer("admin@example.org", is_admin=True)
    return {
        "mine": mine,
        "theirs": theirs,
        "reg_a": reg_a,
        "reg_b": reg_b,
        "token_b": token_b,
        "anna": anna,
        "admin": admin,
    }


def _organizer_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/organizer/")
        and rule.endpoint not in ("organizer.login", "organizer.logout")
    ]


def _snapshot():
    db.session.expire_all()
    return [
        (r.id, r.status, r.checked_in_at, r.token_hash, r.first_name)
        for r in db.session.scalars(sa.select(Registration).order_by(Registration.id))
    ]


def test_an_organiser_cannot_reach_another_events_pages_or_its_ids(
    app, client, two_events, sign_in
):
    sign_in(two_events["anna"])
    mine, theirs = two_events["mine"], two_events["theirs"]
    reg_b = two_events["reg_b"]
    question_b = theirs.questions[0]
    other_email = db.session.scalar(
        sa.select(OutboxEmail).where(OutboxEmail.to_address == "b@example.com")
    )
    before = _snapshot()
    checked = 0
    for rule in _organizer_rules(app):
        args = set(rule.arguments)
        if not args & {"slug", "registration_id", "question_id", "email_id", "token"}:
            continue
        method = "GET" if "GET" in rule.methods else "POST"
        attempts = []
        if "slug" in args:
            # Another event's slug, with its own ids.
            attempts.append(
                {
                    "slug": theirs.slug,
                    "registration_id": reg_b.id,
                    "question_id": question_b.id,
                    "action": "publish",
                    "table": "pods",
                    "ext": "csv",
                }
            )
            if args & {"registration_id", "question_id"}:
                # My event's slug with another event's ids.
                attempts.append(
                    {
                        "slug": mine.slug,
                        "registration_id": reg_b.id,
                        "question_id": question_b.id,
                        "action": "publish",
                    }
                )
        if "email_id" in args:
            attempts.append({"email_id": other_email.id})
        if "token" in args:
            attempts.append({"token": checkin.checkin_token_for(two_events["token_b"])})
        for values in attempts:
            url = rule.build({arg: values[arg] for arg in rule.arguments})[1]
            response = client.open(url, method=method, data={"confirm": "yes", "send_new": "1"})
            assert response.status_code == 404, (method, url, response.status_code)
            checked += 1
    assert checked >= 30
    assert _snapshot() == before


def test_administration_pages_are_for_administrators_only(app, client, two_events, sign_in):
    sign_in(two_events["anna"])
    for rule in _organizer_rules(app):
        if not rule.endpoint.startswith("organizer.account"):
            continue
        values = {"organizer_id": two_events["admin"].id}
        url = rule.build({arg: values[arg] for arg in rule.arguments})[1]
        method = "GET" if "GET" in rule.methods else "POST"
        assert client.open(url, method=method).status_code == 403, url


def test_self_service_urls_with_a_wrong_or_revoked_token_answer_404(
    app, client, two_events, sign_in
):
    token_b = two_events["token_b"]
    rules = [r for r in app.url_map.iter_rules() if "token" in r.arguments]
    self_service = [r for r in rules if not r.rule.startswith("/organizer/")]
    assert len(self_service) >= 2
    # Revoke B's link.
    sign_in(two_events["admin"])
    theirs, reg_b = two_events["theirs"], two_events["reg_b"]
    client.post(f"/organizer/events/{theirs.slug}/registrations/{reg_b.id}/revoke-link")
    client.post("/organizer/logout")
    before = _snapshot()
    for rule in self_service:
        for token in ("x" * 43, "", token_b, token_b[:20], "%00", "../" * 5):
            if not token:
                continue
            url = rule.build({"token": token})[1]
            for method in [m for m in ("GET", "POST") if m in rule.methods]:
                response = client.open(url, method=method, data={"confirm": "y"})
                assert response.status_code == 404, (method, url, response.status_code)
    assert _snapshot() == before


# -- logs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, expected",
    [
        ('"GET /r/AbC_-123xyz HTTP/1.1" 200', '"GET /r/[redacted] HTTP/1.1" 200'),
        ("/r/AbC/withdraw?x=1", "/r/[redacted]/withdraw?x=1"),
        ("/organizer/checkin/QrCode123", "/organizer/checkin/[redacted]"),
        ("/organizer/events/e/registrations?q=Rossi&page=2", None),
        ("/events/e/register", "/events/e/register"),
    ],
)
def test_request_lines_lose_tokens_and_searched_names(line, expected):
    if expected is None:
        assert "Rossi" not in redact(line) and "page=2" in redact(line)
    else:
        assert redact(line) == expected


def test_the_development_servers_request_log_is_redacted():
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '%s - - "%s" %s',
        ("127.0.0.1", "GET /r/Tok3n HTTP/1.1", "200"),
        None,
    )
    assert RedactingFilter().filter(record)
    assert "Tok3n" not in record.getMessage()


def test_gunicorns_access_log_is_redacted():
    from datetime import timedelta

    from gunicorn.config import Config

    logger = gunicorn_logger_class()(Config())

    class Response:
        status = "200 OK"
        headers = []
        sent = 10

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/r/Tok3nSecret?q=1",
        "PATH_INFO": "/r/Tok3nSecret",
        "QUERY_STRING": "q=Rossi",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://eventi.example.org/r/Tok3nSecret",
    }
    atoms = logger.atoms(Response(), [], environ, timedelta(seconds=0))
    assert "Tok3nSecret" not in repr(atoms)


def test_sign_in_failures_do_not_log_the_password(client, create_organizer, caplog):
    organizer = create_organizer()
    with caplog.at_level(logging.DEBUG):
        client.post(
            "/organizer/login", data={"email": organizer.email, "password": "sbagliata-123"}
        )
        client.post("/organizer/login", data={"email": organizer.email, "password": PASSWORD})
    assert "sbagliata-123" not in caplog.text
    assert PASSWORD not in caplog.text


def test_an_organisers_session_ends_after_eight_idle_hours(client, create_organizer):
    from datetime import UTC, datetime, timedelta
    from email.utils import parsedate_to_datetime

    organizer = create_organizer()
    response = client.post(
        "/organizer/login",
        data={"email": organizer.email, "password": PASSWORD, "remember": "y"},
    )
    assert response.status_code == 303
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    now = datetime.now(UTC)

    def expires(cookie: str) -> datetime:
        return parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))

    assert abs(expires(cookies["session"]) - (now + timedelta(hours=8))) < timedelta(minutes=5)
    remembered = expires(cookies["remember_token"])
    assert remembered - now <= timedelta(days=14, minutes=5)
    assert "HttpOnly" in cookies["remember_token"]
