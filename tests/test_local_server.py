"""The server ``make run`` starts (gunicorn, as in production): the emails a request queued
go out right after its response, even when the browser resets the connection once it has
the response, as Chromium does. Werkzeug's development server, which ``make run`` used
before, then skipped closing the response, and with it the delivery: an organiser's
message stayed in the outbox until the next request that queued an email."""

import os
import socket
import struct
import subprocess
import time
import urllib.parse

from eventsreg import create_app
from eventsreg.extensions import db

from .conftest import TEST_CONFIG, form_data
from .servers import HOST, ROOT, gunicorn, log_tail, server_env, smtp_server
from .test_concurrency import publish_event

#: Seconds the email gets to arrive after the response.
DELIVERY_TIMEOUT = 20


def published_event(url: str) -> str:
    """A database at *url* with one published event; its slug."""
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        slug = publish_event(capacity=None).slug
        db.session.remove()
        db.engine.dispose()
    return slug


def post_and_reset(base_url: str, path: str, data: dict) -> bytes:
    """POST *data* on a socket of its own, read the whole response, then reset the
    connection (SO_LINGER 0: what a browser does with a connection it no longer wants)."""
    host, port = urllib.parse.urlsplit(base_url).netloc.split(":")
    body = urllib.parse.urlencode(data).encode()
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(request)
        response = b""
        while b"\r\n\r\n" not in response:
            response += sock.recv(65536)
        head, _, rest = response.partition(b"\r\n\r\n")
        length = int(
            next(
                line.split(b":", 1)[1]
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
        )
        while len(rest) < length:
            rest += sock.recv(65536)
        # Something more on the wire that the server has not read, then a reset.
        sock.sendall(b"GET / HTTP/1.1\r\n")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    return head


def test_the_confirmation_goes_out_after_a_response_the_browser_cut_short(tmp_path):
    url = f"sqlite:///{tmp_path / 'served.sqlite'}"
    slug = published_event(url)
    with smtp_server() as (inbox, port):
        env = server_env(
            SQLALCHEMY_DATABASE_URI=url,
            SECRET_KEY="test-secret",
            WTF_CSRF_ENABLED=False,
            RATELIMIT_ENABLED=False,
            MAIL_SERVER=HOST,
            MAIL_PORT=port,
        )
        log = tmp_path / "server.log"
        with gunicorn(env, log, workers=1) as base_url:
            head = post_and_reset(base_url, f"/events/{slug}/register", form_data())
            assert head.startswith(b"HTTP/1.1 303"), head
            deadline = time.monotonic() + DELIVERY_TIMEOUT
            while not inbox.messages and time.monotonic() < deadline:
                time.sleep(0.1)
            assert len(inbox.messages) == 1, log_tail(log)


def test_make_run_serves_with_gunicorn():
    # What the test above relies on: `make run` starts gunicorn, not the development server.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    dry_run = subprocess.run(
        ["make", "--no-print-directory", "-n", "run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    serving = [line for line in dry_run.stdout.splitlines() if line.endswith(" app:app")]
    assert len(serving) == 1 and "/gunicorn " in serving[0], dry_run.stdout
