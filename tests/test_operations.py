"""Running in production: request ids, a down database, a reverse proxy."""

import logging

from flask import request

from eventsreg import create_app
from eventsreg.logs import FORMAT, RequestIdFilter


def _app(tmp_path, **config):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'ops.sqlite'}",
            **config,
        }
    )


def test_every_response_carries_a_request_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first.headers["X-Request-ID"]) == 32
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_a_sane_request_id_from_the_proxy_is_kept_and_a_hostile_one_replaced(client):
    kept = client.get("/healthz", headers={"X-Request-ID": "proxy-1234abcd"})
    assert kept.headers["X-Request-ID"] == "proxy-1234abcd"
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert replaced.headers["X-Request-ID"] != "<script>alert(1)</script>"
    assert len(replaced.headers["X-Request-ID"]) == 32


def test_error_pages_show_the_request_id_to_quote(client):
    response = client.get("/nessuna-pagina", headers={"X-Request-ID": "abcdef123456"})
    assert response.status_code == 404
    assert "abcdef123456" in response.get_data(as_text=True)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


def test_log_lines_of_a_request_carry_its_id(app, client):
    @app.get("/_log-something")
    def log_something():
        app.logger.warning("something happened")
        return "ok"

    # The same filter and format as the production handler.
    handler = _Collect()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter(FORMAT))
    app.logger.addHandler(handler)
    try:
        client.get("/_log-something", headers={"X-Request-ID": "req-0000-1111"})
    finally:
        app.logger.removeHandler(handler)
    assert any("[req-0000-1111]" in line and "something happened" in line for line in handler.lines)


def test_unreachable_database_gives_a_friendly_503_page_and_healthz_503(tmp_path):
    # Port 9 on this machine has no PostgreSQL: the connection is refused at once.
    app = _app(tmp_path, SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:9/none")
    client = app.test_client()
    page = client.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "60"
    assert "Servizio momentaneamente non disponibile" in html
    assert "Traceback" not in html and "psycopg" not in html and "127.0.0.1:9" not in html
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json() == {"status": "error", "database": "unreachable"}


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(tmp_path):
    app = _app(tmp_path, PROXY_FIX_X_FOR=1)

    @app.get("/_whoami")
    def whoami():
        return request.remote_addr

    response = app.test_client().get(
        "/_whoami",
        headers={"X-Forwarded-For": "203.0.113.7"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    assert response.get_data(as_text=True) == "203.0.113.7"


def test_without_a_proxy_x_forwarded_for_is_ignored(tmp_path):
    app = _app(tmp_path)

    @app.get("/_whoami")
    def whoami():
        return request.remote_addr

    response = app.test_client().get(
        "/_whoami",
        headers={"X-Forwarded-For": "203.0.113.7"},
        environ_base={"REMOTE_ADDR": "198.51.100.9"},
    )
    assert response.get_data(as_text=True) == "198.51.100.9"
