"""Rate limits on the public POSTs: registration and "send my link again".

Sign-in failures are limited too; tests/test_organizer_auth.py proves it. With
EVENTSREG_TEST_REDIS_URL set, the counters are also tested in a real Redis shared by two
app instances, as several gunicorn workers share it in production.
"""

import os
import secrets

import pytest
import redis
import sqlalchemy as sa
from limits import parse_many

from eventsreg import create_app
from eventsreg.extensions import db
from eventsreg.mail.models import EmailKind, OutboxEmail

from .conftest import form_data
from .helpers import registrations

REDIS_URL = os.environ.get("EVENTSREG_TEST_REDIS_URL")

OFFICE = "203.0.113.10"
ELSEWHERE = "198.51.100.20"


@pytest.fixture
def app_config() -> dict:
    # The shipped limits, switched on (the suite's base configuration turns them off).
    return {"RATELIMIT_ENABLED": True}


def allowed(app, key: str) -> int:
    """How many requests the tightest window of the limit *key* lets through."""
    return min(item.amount for item in parse_many(app.config[key]))


def post_registration(client, event, n: int, address: str = OFFICE, **overrides):
    return client.post(
        f"/events/{event.slug}/register",
        data=form_data(email=f"persona{n}@example.com", **overrides),
        environ_base={"REMOTE_ADDR": address},
    )


def post_link_request(client, event, email: str, address: str = OFFICE):
    return client.post(
        f"/events/{event.slug}/link", data={"email": email}, environ_base={"REMOTE_ADDR": address}
    )


def assert_refused(response):
    assert response.status_code == 429
    assert "Troppe richieste" in response.get_data(as_text=True)
    retry_after = int(response.headers["Retry-After"])
    assert retry_after > 0


def test_shipped_limits_let_an_office_register_together(app):
    # Ten colleagues behind one address, one minute: the reasoning in config.py.
    assert allowed(app, "REGISTRATION_RATE_LIMIT") >= 10
    assert allowed(app, "LINK_RATE_LIMIT") >= 3


def test_registrations_beyond_the_limit_get_the_italian_429_and_store_nothing(
    app, client, create_event
):
    event = create_event()
    limit = allowed(app, "REGISTRATION_RATE_LIMIT")
    for n in range(limit):
        assert post_registration(client, event, n).status_code == 303
    refused = post_registration(client, event, limit)
    assert_refused(refused)
    assert "text/html" in refused.content_type
    emails = [r.email for r in registrations()]
    assert len(emails) == limit
    assert f"persona{limit}@example.com" not in emails


def test_showing_the_form_is_never_limited_and_never_counted(app, client, create_event):
    event = create_event()
    limit = allowed(app, "REGISTRATION_RATE_LIMIT")
    url = f"/events/{event.slug}/register"
    for _ in range(limit + 5):
        assert client.get(url, environ_base={"REMOTE_ADDR": OFFICE}).status_code == 200
    for n in range(limit):
        assert post_registration(client, event, n).status_code == 303
    assert_refused(post_registration(client, event, limit))
    page = client.get(url, environ_base={"REMOTE_ADDR": OFFICE})
    assert page.status_code == 200
    assert 'name="first_name"' in page.get_data(as_text=True)


def test_colleagues_fixing_their_forms_do_not_use_up_the_registrations(app, client, create_event):
    """Ten people in one office, each sending the form twice with a mistake before getting
    it right: refused submissions are counted apart from accepted registrations."""
    event = create_event()
    limit = allowed(app, "REGISTRATION_RATE_LIMIT")
    for n in range(limit):
        for _mistake in range(2):
            assert post_registration(client, event, n, privacy_consent=None).status_code == 400
        assert post_registration(client, event, n).status_code == 303
    assert len(registrations()) == limit
    assert_refused(post_registration(client, event, limit))  # the accepted ones' limit


def test_refused_submissions_have_a_generous_limit_of_their_own(app, client, create_event):
    event = create_event()
    refused = allowed(app, "REGISTRATION_INVALID_RATE_LIMIT")
    assert refused >= 5 * allowed(app, "REGISTRATION_RATE_LIMIT")
    for n in range(refused):
        assert post_registration(client, event, n, privacy_consent=None).status_code == 400
    assert_refused(post_registration(client, event, refused))
    assert registrations() == []


def test_the_limit_counts_one_address_across_all_events(app, client, create_event):
    first, second = create_event(), create_event()
    limit = allowed(app, "REGISTRATION_RATE_LIMIT")
    for n in range(limit):
        assert post_registration(client, first, n).status_code == 303
    assert_refused(post_registration(client, second, limit))


def test_limits_are_per_client_address(app, client, create_event):
    event = create_event()
    limit = allowed(app, "REGISTRATION_RATE_LIMIT")
    for n in range(limit):
        assert post_registration(client, event, n).status_code == 303
    assert_refused(post_registration(client, event, limit))
    assert post_registration(client, event, limit, address=ELSEWHERE).status_code == 303
    assert_refused(post_registration(client, event, limit + 1))
    emails = {r.email for r in registrations()}
    assert f"persona{limit}@example.com" in emails
    assert f"persona{limit + 1}@example.com" not in emails


def test_link_requests_beyond_the_limit_are_refused_and_send_nothing(app, client, create_event):
    event = create_event()
    limit = allowed(app, "LINK_RATE_LIMIT")
    for n in range(limit + 1):
        assert post_registration(client, event, n, address=ELSEWHERE).status_code == 303
    for n in range(limit):
        response = post_link_request(client, event, f"persona{n}@example.com")
        assert response.status_code == 200
        assert "Controllare la casella email" in response.get_data(as_text=True)
    assert_refused(post_link_request(client, event, f"persona{limit}@example.com"))
    links = db.session.scalars(
        sa.select(OutboxEmail.to_address).where(OutboxEmail.kind == EmailKind.link)
    ).all()
    assert sorted(links) == sorted(f"persona{n}@example.com" for n in range(limit))
    # The page itself still shows, and another address may still ask.
    assert client.get(f"/events/{event.slug}/link").status_code == 200
    other = post_link_request(client, event, f"persona{limit}@example.com", address=ELSEWHERE)
    assert other.status_code == 200


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": False}], ids=["limits-off"])
def test_ratelimit_enabled_false_turns_the_limits_off(app, client, create_event):
    event = create_event()
    limit = allowed(app, "REGISTRATION_RATE_LIMIT")
    for n in range(limit + 3):
        assert post_registration(client, event, n).status_code == 303


def second_instance(app, extra: dict):
    """Another app instance on the same database, as a second worker would be."""
    keys = ("TESTING", "SECRET_KEY", "WTF_CSRF_ENABLED", "SQLALCHEMY_DATABASE_URI")
    config = {key: app.config[key] for key in keys}
    config["SQLALCHEMY_ENGINE_OPTIONS"] = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    return create_app({**config, **extra})


def dispose(other_app):
    with other_app.app_context():
        db.engine.dispose()


def test_with_memory_storage_each_instance_counts_on_its_own(app, client, create_event, app_config):
    # Why several workers need Redis: a new instance starts from zero. This also shows
    # that the Redis test below can only pass through Redis.
    event = create_event()
    limit = allowed(app, "REGISTRATION_RATE_LIMIT")
    for n in range(limit):
        assert post_registration(client, event, n).status_code == 303
    other = second_instance(app, app_config)
    try:
        assert post_registration(other.test_client(), event, limit).status_code == 303
    finally:
        dispose(other)


@pytest.mark.skipif(
    not REDIS_URL, reason="EVENTSREG_TEST_REDIS_URL is not set: no Redis to test shared limits"
)
class TestRedisStorage:
    @pytest.fixture
    def prefix(self):
        """A key prefix of this test's own, so that runs never collide; its keys go after."""
        prefix = f"eventsreg-test-{os.getpid()}-{secrets.token_hex(4)}"
        yield prefix
        server = redis.Redis.from_url(REDIS_URL)
        try:
            for key in server.scan_iter(match=f"*{prefix}*"):
                server.delete(key)
        finally:
            server.close()

    @pytest.fixture
    def app_config(self, prefix) -> dict:
        return {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "RATELIMIT_KEY_PREFIX": prefix,
        }

    def redis_keys(self, prefix: str) -> list[str]:
        server = redis.Redis.from_url(REDIS_URL, decode_responses=True)
        try:
            return list(server.scan_iter(match=f"*{prefix}*"))
        finally:
            server.close()

    def test_counters_are_kept_in_redis_under_the_configured_prefix(
        self, app, client, create_event, prefix
    ):
        event = create_event()
        limit = allowed(app, "REGISTRATION_RATE_LIMIT")
        for n in range(limit):
            assert post_registration(client, event, n).status_code == 303
        assert_refused(post_registration(client, event, limit))
        keys = self.redis_keys(prefix)
        assert keys and all(OFFICE in key and "registrations.register" in key for key in keys)

    def test_two_app_instances_share_one_limit(self, app, client, create_event, app_config, prefix):
        event = create_event()
        limit = allowed(app, "REGISTRATION_RATE_LIMIT")
        used_on_first = limit - 2
        for n in range(used_on_first):
            assert post_registration(client, event, n).status_code == 303
        # Built after those hits, with a storage connection of its own: it can only know
        # of them through Redis (with memory storage it would start from zero, see above).
        other = second_instance(app, app_config)
        try:
            second_client = other.test_client()
            for n in range(used_on_first, limit):
                assert post_registration(second_client, event, n).status_code == 303
            assert_refused(post_registration(second_client, event, limit))
            assert_refused(post_registration(client, event, limit + 1))
            assert (
                post_registration(second_client, event, limit, address=ELSEWHERE).status_code == 303
            )
        finally:
            dispose(other)
        assert len(registrations()) == limit + 1
