"""The registration opening rush: many visitors in a minute, each opening the event's page
and its form and registering, on PostgreSQL under ``gunicorn -w 4`` with Redis.

Open loop: visitor *n* arrives at ``n × seconds / visitors`` whatever the server's speed
(a slow server makes visitors overlap, as in life), and goes through the four steps of a
browser: the event page, the form (session cookie and CSRF token), the POST of a complete
valid form (answered 303) and the page it leads to. Every visitor has an address of its
own, given in ``X-Forwarded-For`` as a reverse proxy does (``PROXY_FIX_X_FOR=1``), so the
rate limits stay on, counted in Redis shared by the workers, as in production, and each
visitor registers once: none of them is refused. Latencies are those of each request;
an error is any other status or a failed connection.
"""

import json
import multiprocessing
import os
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from . import load

#: Client processes; each runs its visitors in threads (they mostly wait on the server).
PROCESSES = 2
STEPS = ("page", "form", "post", "after")
REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass
class RushResult:
    visitors: int
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0
    first_error: str = ""
    #: Seconds from the first arrival to the last visitor's last response.
    span: float = 0.0

    def percentile(self, p: float, step: str | None = None) -> float:
        values = sorted(
            v for name, times in self.latencies.items() if step in (None, name) for v in times
        )
        if not values:
            return float("nan")
        return values[min(len(values) - 1, max(0, round(p / 100 * len(values)) - 1))]


def redis_url() -> str | None:
    """Redis to count the rate limits in, if one answers (None: skip the rush)."""
    url = os.environ.get("BENCH_REDIS", REDIS_URL)
    if url in ("0", "no", "off"):
        return None
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception:  # any failure: nothing to count in
        return None
    return url


def sizes(largest_export: int) -> tuple[int, float]:
    """(visitors, seconds): 1,000 in a minute, or a few in two seconds for the smoke run."""
    visitors = int(
        os.environ.get("BENCH_RUSH_VISITORS") or (1000 if largest_export >= 1000 else 20)
    )
    seconds = float(os.environ.get("BENCH_RUSH_SECONDS") or (60 if visitors >= 1000 else 2))
    return visitors, seconds


def _visit(number: int, base: str, slug: str, fields: dict, tag: str, record) -> None:
    from .run import form_body

    parts = urllib.parse.urlsplit(base)
    host, port = parts.hostname, parts.port
    # An address of its own in 10.0.0.0/8, as the proxy in front would pass it on.
    address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
    headers = {"X-Forwarded-For": address}

    def request(step, method, path, extra=None, body=b"", expected=(200,)):
        try:
            status, response_headers, content, elapsed = load.raw_request(
                host, port, method, path, {**headers, **(extra or {})}, body
            )
        except OSError as error:
            record(step, None, repr(error))
            return None
        if status not in expected:
            record(step, None, f"{step} status {status}: {content[:200]!r}")
            return None
        record(step, elapsed * 1000, "")
        return response_headers, content

    if request("page", "GET", f"/events/{slug}/") is None:
        return
    form_path = f"/events/{slug}/register"
    got = request("form", "GET", form_path)
    if got is None:
        return
    response_headers, content = got
    cookie = "; ".join(c.split(";", 1)[0] for c in response_headers.get("set-cookie", []))
    match = load.CSRF_RE.search(content.decode())
    email = f"ospite.{tag}.{number}@impresa{number}.example.it"
    body = form_body(fields, match.group(1) if match else "", email, number)
    posted = request(
        "post",
        "POST",
        form_path,
        {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        body,
        expected=(303,),
    )
    if posted is None:
        return
    # The page it leads to, as a browser follows it (one more redirect at most).
    response_headers = posted[0]
    for _hop in range(2):
        location = response_headers.get("location", [""])[0]
        target = urllib.parse.urlsplit(location)
        path = target.path + (f"?{target.query}" if target.query else "")
        got = request("after", "GET", path, {"Cookie": cookie}, expected=(200, 302, 303))
        if got is None or "location" not in got[0]:
            return
        response_headers = got[0]


def _client(index, base, slug, fields, tag, visitors, seconds, start_at, queue) -> None:
    lock = threading.Lock()
    latencies = {step: [] for step in STEPS}
    errors = [0, ""]

    def record(step, ms, error):
        with lock:
            if ms is None:
                errors[0] += 1
                errors[1] = errors[1] or error
            else:
                latencies[step].append(ms)

    threads = []
    for number in range(index, visitors, PROCESSES):
        arrival = start_at + number * seconds / visitors
        delay = arrival - time.time()
        if delay > 0:
            time.sleep(delay)
        thread = threading.Thread(
            target=_visit, args=(number, base, slug, fields, tag, record), daemon=True
        )
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(timeout=120)
    queue.put((latencies, errors[0], errors[1], time.time()))


def run_rush(base: str, slug: str, fields: dict, visitors: int, seconds: float) -> RushResult:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    start_at = time.time() + 0.5
    tag = secrets.token_hex(3)
    processes = [
        context.Process(
            target=_client,
            args=(n, base, slug, fields, tag, visitors, seconds, start_at, queue),
            daemon=True,
        )
        for n in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    results = [queue.get(timeout=seconds + 300) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    result = RushResult(visitors, seconds, {step: [] for step in STEPS})
    for latencies, errors, first_error, finished in results:
        for step, values in latencies.items():
            result.latencies[step].extend(values)
        result.errors += errors
        result.first_error = result.first_error or first_error
        result.span = max(result.span, finished - start_at)
    return result


def rush_figures(settings, workdir: Path, figures: list) -> None:
    """The rush's figures: p50 and p99 of every request and of the POST, and failures."""
    from .run import (
        Figure,
        log,
        pg_execute,
        prepare_database,
        server_env,
        with_schema,
    )
    from .servers import Gunicorn

    section = "Registration opening rush (PostgreSQL, gunicorn -w 4, Redis)"
    visitors, seconds = sizes(max(settings.sizes))
    name = f"Rush: {visitors:,} visitors in {seconds:g} s, page + form + POST + next page"
    redis = redis_url()
    if not settings.postgres or not redis:
        missing = "PostgreSQL" if not settings.postgres else "Redis"
        figures.append(
            Figure(section, name, "ms", None, None, "", None, goal="all registered, none failed",
                   notes=[f"skipped: no {missing} answered"])
        )  # fmt: skip
        return
    schema = f"bench_rush_{os.getpid()}_{secrets.token_hex(3)}"
    pg_execute(settings.postgres, f'CREATE SCHEMA "{schema}"')
    server = mailer = None
    try:
        url = with_schema(settings.postgres, schema)
        # The moment registration opens: the demo event with none yet, so the first
        # visitors take its 80 seats (an invitation each) and the others wait.
        log("rush: preparing PostgreSQL…")
        form = prepare_database(url, workdir, 0)
        env = {
            **server_env(url),
            # The limits stay on, counted in Redis; each visitor has its own address.
            "EVENTSREG_RATELIMIT_ENABLED": "true",
            "EVENTSREG_RATELIMIT_STORAGE_URI": json.dumps(redis),
            "EVENTSREG_RATELIMIT_KEY_PREFIX": json.dumps(schema),
            "EVENTSREG_PROXY_FIX_X_FOR": "1",
        }
        server = Gunicorn("app-rush", "app:app", env, workdir / "app-rush.log", workers=4)
        server.wait_healthy()
        # The emails are written by the mail worker, as in production, on the same cores
        # (no mail server is configured: it writes each email and logs it).
        mailer = _mail_worker(env, workdir / "mail-rush.log")
        log(f"rush: {visitors:,} visitors over {seconds:g} s…")
        result = run_rush(server.url, form["slug"], form["fields"], visitors, seconds)
        seats = _seats(url, form["slug"])
        emails = _emails_written(url)
    finally:
        if mailer is not None:
            mailer.terminate()
            mailer.wait(timeout=30)
        if server is not None:
            server.stop()
        try:
            pg_execute(settings.postgres, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        except Exception as error:  # report, never hide the run's own outcome
            log(f"could not drop schema {schema}: {error}")
        _forget_limits(redis, schema)
    registered = len(result.latencies["post"])
    every = [v for values in result.latencies.values() for v in values]
    figure = Figure(
        section,
        name,
        "ms",
        result.percentile(50),
        None,
        "",
        None,
        goal="all registered, none failed",
        passed=result.errors == 0 and registered == visitors,
    )
    figure.notes.append(
        f"every request p50 {result.percentile(50):.0f} ms, p99 {result.percentile(99):.0f} ms"
        f" ({len(every):,} requests)"
    )
    for step, label in (("page", "event page"), ("form", "form"), ("post", "POST"),
                        ("after", "next page")):  # fmt: skip
        figure.notes.append(
            f"{label} p50 {result.percentile(50, step):.0f} ms, "
            f"p99 {result.percentile(99, step):.0f} ms"
        )
    figure.notes.append(f"{registered:,} registered, {result.errors} failed requests")
    if result.first_error:
        figure.notes.append(f"first failure: {result.first_error[:160]}")
    figure.notes.append(f"last response {result.span:.1f} s after the first arrival")
    figure.notes.append(seats)
    figure.notes.append(emails)
    figure.notes.append("rate limits on, in Redis, one address a visitor (X-Forwarded-For)")
    figures.append(figure)
    post = Figure(
        section,
        "Rush: registration POST",
        "ms",
        result.percentile(50, "post"),
        None,
        "",
        None,
        notes=[f"p99 {result.percentile(99, 'post'):.0f} ms"],
    )
    figures.append(post)


def _connect(url: str):
    """A plain psycopg connection to the rush's schema (*url*: SQLAlchemy's, with options)."""
    import psycopg
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    options = parsed.query.get("options", "")
    plain = parsed.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    return psycopg.connect(plain, options=options)


def _seats(url: str, slug: str) -> str:
    """Seats taken against the capacity after the rush: never more."""
    with _connect(url) as connection:
        taken, capacity, waiting = connection.execute(
            "SELECT coalesce(sum(r.party_size) FILTER (WHERE r.status = 'confirmed' "
            "AND r.attendance = 'in_person'), 0), e.capacity, "
            "count(*) FILTER (WHERE r.status = 'waitlisted') "
            "FROM events e LEFT JOIN registrations r ON r.event_id = e.id "
            "WHERE e.slug = %s GROUP BY e.capacity",
            (slug,),
        ).fetchone()
    state = "ok" if capacity is None or taken <= capacity else "OVERBOOKED"
    return f"seats {taken} of {capacity} ({state}), {waiting:,} waiting"


def _mail_worker(env: dict, log: Path):
    """``flask mail deliver --loop`` beside the server, a pass every second."""
    import subprocess

    from .servers import BIN, ROOT

    with open(log, "ab") as fh:
        return subprocess.Popen(
            [str(BIN / "flask"), "--app", "app", "mail", "deliver", "--loop", "--interval", "1"],
            cwd=ROOT,
            env=env,
            stdout=fh,
            stderr=fh,
        )


def _emails_written(url: str) -> str:
    """How many of the queued emails the mail worker had written when the rush ended."""
    with _connect(url) as connection:
        written, queued = connection.execute(
            "SELECT count(*) FILTER (WHERE draft IS NULL), count(*) FROM outbox_emails"
        ).fetchone()
    return f"emails written by the mail worker meanwhile: {written:,} of {queued:,}"


def _forget_limits(url: str, prefix: str) -> None:
    try:
        import redis

        client = redis.Redis.from_url(url)
        for key in client.scan_iter(f"*{prefix}*"):
            client.delete(key)
    except Exception:  # counters expire on their own
        pass
