"""Real servers for the concurrency tests: gunicorn, flask commands, an SMTP server.

Everything listens on 127.0.0.1 only, every wait is bounded, and every process started
here is stopped by the context manager that started it (terminate, then kill).
"""

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from http.cookiejar import CookieJar
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"

#: Seconds a server gets to answer its health check (a worker imports the app in ~2 s,
#: many more on a loaded machine), and a process to exit when asked.
START_TIMEOUT = 45
STOP_TIMEOUT = 10


def free_port() -> int:
    """A loopback port nobody listened on a moment ago (for servers that bind themselves)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_env(**config) -> dict[str, str]:
    """This process's environment with the app configured by ``EVENTSREG_<KEY>`` only.

    Values are JSON, as the app parses them: strings stay strings, ``False`` is false.
    Configuration inherited from the caller's environment is dropped so that only
    *config* (and the built-in defaults) apply.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("EVENTSREG_") and key not in {"DATABASE_URL", "FLASK_APP"}
    }
    env.update({f"EVENTSREG_{key}": json.dumps(value) for key, value in config.items()})
    env["PYTHONUNBUFFERED"] = "1"
    return env


def log_tail(path: Path, lines: int = 40) -> str:
    """The end of a server's log, for assertion messages."""
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def stop_process(process: subprocess.Popen) -> None:
    """Ask *process* (leader of its own session) to stop; kill its group if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            # The group is the one this process leads (start_new_session): its own workers.
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)


@contextmanager
def gunicorn(env: dict[str, str], log_path: Path, *, workers: int) -> Iterator[str]:
    """Serve ``app:app`` with gunicorn on a loopback port; yields the base URL.

    The test binds the listening socket and hands it over (``fd://``), so no other
    program can take the port between choosing and binding it.
    """
    listener = socket.socket()
    listener.bind((HOST, 0))
    listener.listen(128)
    base_url = f"http://{HOST}:{listener.getsockname()[1]}"
    command = [
        str(BIN / "gunicorn"),
        f"--workers={workers}",
        f"--bind=fd://{listener.fileno()}",
        "--graceful-timeout=5",
        # The default control socket is one path per user: parallel runs would share it.
        "--no-control-socket",
        "app:app",
    ]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=[listener.fileno()],
            start_new_session=True,
        )
    # gunicorn owns the socket now; ours is only a duplicate.
    listener.close()
    try:
        _wait_healthy(base_url, process, log_path)
        yield base_url
    finally:
        stop_process(process)


def _wait_healthy(base_url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    last = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"gunicorn exited with {process.returncode}:\n{log_tail(log_path)}"
            )
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
                last = f"status {response.status}"
        except (OSError, urllib.error.URLError) as error:
            last = repr(error)
        time.sleep(0.1)
    raise AssertionError(
        f"gunicorn not healthy in {START_TIMEOUT}s ({last}):\n{log_tail(log_path)}"
    )


def start_flask(args: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """Start ``flask --app app <args>`` from the repository root, output to *log_path*."""
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [str(BIN / "flask"), "--app", "app", *args],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


class Inbox:
    """aiosmtpd handler keeping every message it accepts, raw, in arrival order.

    With *clients* > 1 the first messages wait (a bounded while) until that many
    connections have something to send, so that competing senders overlap instead of
    the quickest one finishing alone.
    """

    def __init__(self, clients: int = 1):
        self.messages: list[bytes] = []
        self.clients = clients
        self.peers: set = set()
        self.all_connected = asyncio.Event()

    async def handle_DATA(self, server, session, envelope):
        self.peers.add(session.peer)
        if len(self.peers) >= self.clients:
            self.all_connected.set()
        try:
            await asyncio.wait_for(self.all_connected.wait(), timeout=START_TIMEOUT)
        except TimeoutError:
            pass  # go on with those that came: every message is still checked
        self.messages.append(envelope.content)
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        return [message_from_bytes(raw)["Message-ID"] for raw in self.messages]


@contextmanager
def smtp_server(clients: int = 1) -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on a loopback port; yields its inbox and port."""
    inbox = Inbox(clients)
    port = free_port()
    controller = Controller(inbox, hostname=HOST, port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


class NoRaise(urllib.request.HTTPErrorProcessor):
    """Hand every response back as it is: no exception for 4xx/5xx, no redirect followed."""

    def http_response(self, request, response):
        return response

    https_response = http_response


class Browser:
    """One visitor: its own cookie jar (session, CSRF), plain urllib, no JavaScript."""

    def __init__(self, base_url: str, timeout: float = 60):
        self.base_url = base_url
        self.timeout = timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRaise()
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        """GET *path*, or POST *data* as a form; returns status, headers and body."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body)
        with self.opener.open(request, timeout=self.timeout) as response:
            return response.status, dict(response.headers), response.read().decode()

    def get(self, path: str) -> tuple[int, dict, str]:
        return self.request(path)

    def post(self, path: str, data: dict) -> tuple[int, dict, str]:
        return self.request(path, data)


def csrf_token(html: str) -> str:
    """The CSRF token of the (first) form on a page."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def path_of(location: str) -> str:
    """The path (and query) of a redirect's Location, absolute or not."""
    parts = urllib.parse.urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")
