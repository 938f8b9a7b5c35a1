"""A PostgreSQL that stops under load: every page answers the friendly 503 with its request
id while it is down, never a bare 500, and the service recovers by itself when it is back.

The test starts a private PostgreSQL cluster of its own (initdb and pg_ctl on a free port,
in a temporary directory), so the shared server at 5432 is never stopped. Skipped where
PostgreSQL's server programs are not installed.
"""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from eventsreg.extensions import db

from .servers import Browser, csrf_token, free_port, gunicorn, server_env
from .test_concurrency import Backend, in_process_app, publish_event

BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
PG_BIN = Path(BINARIES[-1]) if BINARIES else None
SECRET = "outage-test-secret"
FRIENDLY = "Servizio momentaneamente non disponibile"

pytestmark = [
    pytest.mark.skipif(PG_BIN is None, reason="PostgreSQL's server programs are not installed"),
    pytest.mark.xdist_group("postgresql-outage"),
]


@dataclass
class Cluster:
    url: str
    data: Path
    port: int
    as_owner: list[str]

    def ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.as_owner, str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.ctl("-l", str(self.data / "server.log"), "-w", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        # "fast" ends every session at once: requests in a transaction see AdminShutdown.
        self.ctl("-m", mode, "-w", "stop")


@contextmanager
def private_cluster():
    """A throwaway PostgreSQL cluster; run as the postgres user when the tests run as root
    (PostgreSQL refuses to run as root)."""
    root = tempfile.mkdtemp(prefix="eventsreg-outage-", dir="/tmp")
    data = Path(root) / "data"
    as_owner: list[str] = []
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(root, owner.pw_uid, owner.pw_gid)
        as_owner = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*as_owner, str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
         "--no-sync"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    port = free_port()
    cluster = Cluster(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", data, port,
                      as_owner)  # fmt: skip
    cluster.start()
    try:
        yield cluster
    finally:
        try:
            cluster.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(root, ignore_errors=True)


def visitor(base_url: str, slug: str, until: float, results: list, number: int) -> None:
    """One visitor coming back again and again: the event page, the form, a registration."""
    browser = Browser(base_url, timeout=30)
    attempt = 0
    while time.monotonic() < until:
        attempt += 1
        for path, data in (
            (f"/events/{slug}/", None),
            (f"/events/{slug}/register", None),
            (f"/events/{slug}/register", "post"),
        ):
            try:
                if data is None:
                    status, headers, body = browser.get(path)
                    form_page = body
                else:
                    status, headers, body = browser.post(path, {
                        "csrf_token": csrf_token(form_page),
                        "first_name": "Persona", "last_name": f"{number}-{attempt}",
                        "email": f"v{number}-{attempt}@example.com",
                        "company_name": "Officine Cremasche Srl", "vat_number": "00743110157",
                        "attendance": "in_person", "party_size": "1", "privacy_consent": "y",
                    })  # fmt: skip
            except AssertionError:  # the form page was an error page: no token to send
                break
            except OSError as error:
                results.append((path, "connection", str(error)))
                break
            results.append((path, status, body))
            if status != 200 and data is None:
                break
        time.sleep(0.05)


def test_a_database_stopping_under_load_gets_the_friendly_503_and_the_service_recovers(tmp_path):
    with private_cluster() as cluster:
        backend = Backend("postgresql", {"SQLALCHEMY_DATABASE_URI": cluster.url}, cluster.url,
                          workers=2)  # fmt: skip
        with in_process_app(backend):
            slug = publish_event(capacity=None).slug
            db.session.remove()
            db.engine.dispose()
        env = server_env(
            SQLALCHEMY_DATABASE_URI=cluster.url,
            SECRET_KEY=SECRET,
            MAIL_DELIVER_AFTER_REQUEST=False,
            RATELIMIT_ENABLED=False,
            EVENT_PAGE_CACHE_SECONDS=0,
        )
        with gunicorn(env, tmp_path / "gunicorn.log", workers=2) as base_url:
            results: list = []
            until = time.monotonic() + 14
            threads = [
                threading.Thread(target=visitor, args=(base_url, slug, until, results, n))
                for n in range(6)
            ]
            for thread in threads:
                thread.start()
            time.sleep(3)
            cluster.stop("fast")  # sessions in the middle of their transactions are cut
            time.sleep(5)
            cluster.start()
            for thread in threads:
                thread.join(timeout=90)

            statuses = Counter(status for _path, status, _body in results)
            assert 503 in statuses, statuses  # the outage was seen
            # Never a bare 500 from the server, never a dropped connection.
            unexpected = [s for s in statuses if s == "connection" or s >= 500 and s != 503]
            assert not unexpected, statuses
            for _path, status, body in results:
                if status == 503:
                    assert FRIENDLY in body and "Internal Server Error" not in body
                    assert "riferimento:" in body  # the request id, for the log

            # Back by itself: no restart of the service.
            browser = Browser(base_url)
            deadline = time.monotonic() + 20
            while browser.get(f"/events/{slug}/")[0] != 200 and time.monotonic() < deadline:
                time.sleep(0.5)
            assert browser.get(f"/events/{slug}/")[0] == 200
            status, _headers, form_page = browser.get(f"/events/{slug}/register")
            assert status == 200 and 'name="csrf_token"' in form_page
