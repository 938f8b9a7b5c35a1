"""``make bench``: eventsreg's speed and memory, each figure next to a bare-stack baseline.

Every figure is measured against its baseline in the same run, in alternating rounds
(app, baseline, app, baseline…), and the medians are compared, so that the ratio holds
on a noisy machine. Everything runs on 127.0.0.1 in a temporary folder, started and
stopped here. See bench/README.md for the figures and the knobs.
"""

import argparse
import json
import os
import platform
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import load
from .cpu import process_tree_cpu
from .fixtures import EXPORT_QUESTIONS
from .instructions import instruction_figures
from .organizer_pages import organizer_figures
from .rush import rush_figures
from .servers import ROOT, Gunicorn, app_env, python_module

DEFAULT_SIZES = (1_000, 10_000, 100_000)
#: The groups of figures ``--only`` picks from.
GROUPS = ("web", "post", "exports", "list", "organizer", "rush", "instructions")
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SECRET = "bench-secret-key-not-for-production"

#: A complete, valid answer set for the demo event's questions (codes → raw form values):
#: a small company in Ex Olivetti joining as a consumer, as in tests/test_demo_event.py.
DEMO_ANSWERS = {
    "interest": "yes",
    "member_kind": "company",
    "staff": "10_49",
    "turnover": "le10",
    "ateco": "256200",
    "ateco_edition": "2025",
    "area": "ex_olivetti",
    "role": "prosumer",
    "annual_kwh": "120.000",
    "has_pv": "yes",
    "pv_existing_kwp": "49,5",
    "pv_existing_year": "2019",
    "pv_existing_period": "before",
    "pv_existing_substation": "AC001E00045",
    "net_metering": "no",
    "pv_planned_kwp": "200",
    "pv_planned_substation": "AC001E00045",
    "roof_area_m2": "1.800",
    "asbestos": "no",
    "invest": "evaluate",
    "supply_points": "it001e12345678; AC001E00045; 80.000\nIT 002 E 87654321; AC001E00046",
    "notes": "Vorremmo capire come si ripartisce l'incentivo.",
    "non_binding": "y",
}


@dataclass
class Figure:
    """One line of the results table."""

    section: str
    name: str
    unit: str
    app: float | None
    baseline: float | None
    baseline_name: str
    #: app / baseline for throughputs, app time / baseline time for exports.
    ratio: float | None
    goal: str = ""
    passed: bool | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Settings:
    sizes: list[int]
    seconds: float
    rounds: int
    clients: int
    feed_events: int
    postgres: str | None
    xlsx_max: int
    output: Path
    web_registrations: int
    #: Which groups of figures to measure: "web" (page, POST, feed), "post" (the POST
    #: alone), "exports", "list".
    only: tuple[str, ...] = GROUPS
    #: gunicorn workers per server, app and baselines alike.
    workers: int = 2
    #: Registrations of the demo event behind the organiser's registrations list.
    list_registrations: int = 10_000
    #: Answers each of them has (the demo's seeded ones, topped up).
    list_answers: int = 18

    @property
    def web_section(self) -> str:
        return f"Web (gunicorn -w {self.workers})"


# -- helpers ---------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


_T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _T0:5.1f} s] {message}", file=sys.stderr, flush=True)


def postgres_url(requested: str | None) -> str | None:
    """The PostgreSQL server to use, if one answers (None: skip the PostgreSQL figure)."""
    url = requested or os.environ.get("EVENTSREG_TEST_DATABASE_URL") or POSTGRES_URL
    try:
        import psycopg

        plain = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, connect_timeout=2) as connection:
            connection.execute("SELECT 1")
    except Exception:  # any failure: no server to measure on
        return None
    return url


def with_schema(url: str, schema: str) -> str:
    import sqlalchemy as sa

    return (
        sa.engine.make_url(url)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )


def pg_execute(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        connection.execute(sql)


def alternate(app_run, baseline_run, rounds: int) -> tuple[list, list]:
    """Run app, baseline, app, baseline… *rounds* times each; their results in order."""
    app_results, baseline_results = [], []
    for _ in range(rounds):
        app_results.append(app_run())
        baseline_results.append(baseline_run())
    return app_results, baseline_results


def check_load(name: str, result: load.LoadResult) -> None:
    if result.errors:
        log(f"  {name}: {result.errors} errors, first: {result.first_error}")


def throughput_figure(section, name, goal_ratio, app_results, base_results, baseline_name):
    app_rps = median([r.throughput for r in app_results])
    base_rps = median([r.throughput for r in base_results])
    ratio = app_rps / base_rps if base_rps else None
    figure = Figure(
        section,
        name,
        "req/s",
        app_rps,
        base_rps,
        baseline_name,
        ratio,
        goal=f"≥ {goal_ratio}" if goal_ratio else "",
        passed=(ratio is not None and ratio >= goal_ratio) if goal_ratio else None,
    )
    app_p99 = median([r.percentile(99) for r in app_results])
    base_p99 = median([r.percentile(99) for r in base_results])
    errors = sum(r.errors for r in app_results) + sum(r.errors for r in base_results)
    client = max(r.client_cpu_share for r in app_results + base_results)
    figure.notes.append(f"p99 {app_p99:.1f} ms vs {base_p99:.1f} ms")
    figure.notes.append(f"p50 {median([r.percentile(50) for r in app_results]):.1f} ms")
    figure.notes.append(f"client CPU ≤ {client:.0%}")
    if errors:
        figure.notes.append(f"{errors} errors")
        figure.passed = False
    return figure


# -- web figures -----------------------------------------------------------------------------


def form_body(fields: dict[str, str], csrf: str, email: str, number: int = 0) -> bytes:
    """A complete, valid registration of the demo event. Its figures and its note vary
    with *number*, as different companies' do, so that nothing a server keeps between
    requests answers them all from one first reading (its choices recur, as in life)."""
    data = {
        "csrf_token": csrf,
        "first_name": "Giulia",
        "last_name": "Bertolotti",
        "email": email,
        "phone": "+39 0373 123456",
        "company_name": "Officine Cremasche Srl",
        "vat_number": "00743110157",
        "tax_code": "",
        "attendance": "in_person",
        "party_size": "1",
        "privacy_consent": "y",
    }
    for code, value in {**DEMO_ANSWERS, **_varied_answers(number)}.items():
        data[fields[code]] = value
    return urllib.parse.urlencode(data).encode()


def _varied_answers(number: int) -> dict[str, str]:
    thousands = f"{number % 1000:03d}"
    return {
        "annual_kwh": f"{50 + number % 950}.{thousands}",
        "pv_existing_kwp": f"{10 + number % 90},{number % 10}",
        "pv_planned_kwp": str(100 + number % 400),
        "roof_area_m2": f"{1 + number % 9}.{thousands}",
        "supply_points": f"it001e12345678; AC001E00045; {60 + number % 40}.{thousands}\n"
        "IT 002 E 87654321; AC001E00046",
        "notes": f"Vorremmo capire come si ripartisce l'incentivo (rif. {number}).",
    }


def post_factory(path: str, sessions: list[tuple[str, str]], fields: dict, tag: str):
    """POST complete, valid registration forms with unique emails, one session per client."""

    def factory(client: int, counter: int):
        cookie, csrf = sessions[client % len(sessions)]
        email = f"giulia.bertolotti.{tag}.{client}.{counter}@officinecremasche.example.it"
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if cookie:
            headers["Cookie"] = cookie
        return "POST", path, headers, form_body(fields, csrf, email, counter)

    return factory


@dataclass
class PostTarget:
    """One side of the registration figures: a server, the form's path and field names."""

    name: str
    server: Gunicorn
    path: str
    fields: dict
    sessions: list[tuple[str, str]] = field(default_factory=list)
    results: list = field(default_factory=list)
    #: Server CPU milliseconds per answered request, one value per round.
    cpu_ms: list[float] = field(default_factory=list)


def _post_round(target: PostTarget, settings: Settings, tag: str) -> None:
    if not target.sessions:
        # A session cookie and CSRF token per client, as a browser has from the form.
        target.sessions = [
            load.session_for_form(target.server.url, target.path) for _ in range(settings.clients)
        ]
    factory = post_factory(target.path, target.sessions, target.fields, tag)
    cpu_before = process_tree_cpu(target.server.process.pid)
    result = load.run_load(
        target.server.url,
        factory,
        seconds=settings.seconds,
        clients=settings.clients,
        expected=(303,),
    )
    cpu_after = process_tree_cpu(target.server.process.pid)
    check_load(target.name, result)
    target.results.append(result)
    if cpu_before is not None and cpu_after is not None and result.requests:
        target.cpu_ms.append((cpu_after - cpu_before) * 1000 / result.requests)


def measure_posts(
    settings: Settings,
    database: str,
    waitlist: PostTarget,
    confirmed: PostTarget,
    bare: PostTarget,
    fair: PostTarget,
) -> list[Figure]:
    """The registration POST on *database*: the demo event (its seats taken, so the
    waiting-list path) and a copy without a capacity (confirmed, the invitation attached),
    each against the fair baseline, and the demo against the bare one-INSERT baseline; in
    alternating rounds (waiting list, fair, confirmed, bare…)."""
    order = (waitlist, fair, confirmed, bare)
    for n in range(settings.rounds):
        for target in order:
            _post_round(target, settings, f"{target.name[0]}{n}{secrets.token_hex(3)}")
    section = settings.web_section
    fair_name = "fair baseline: bare Flask + Flask-WTF, same form and validators, one transaction"
    figures = []
    for label, target in (("waiting list", waitlist), ("confirmed, invitation", confirmed)):
        figure = throughput_figure(
            section,
            f"Registration POST ({label}), {database}, vs fair baseline",
            0.5,
            target.results,
            fair.results,
            fair_name,
        )
        figure.notes.insert(0, _cpu_note(target, fair))
        figure.notes.append(_rounds_note(target, fair))
        figures.append(figure)
    figure = throughput_figure(
        section,
        f"Registration POST, {database}",
        None,
        waitlist.results,
        bare.results,
        "bare Flask, one INSERT per POST",
    )
    figure.notes.insert(0, _cpu_note(waitlist, bare))
    figures.append(figure)
    return figures


def _rounds_note(app: PostTarget, baseline: PostTarget) -> str:
    """Each round's ratio (the app's round against the baseline's round of the same
    pass): how far apart the rounds are says how much the machine moved meanwhile."""
    ratios = [
        a.throughput / b.throughput
        for a, b in zip(app.results, baseline.results, strict=True)
        if b.throughput
    ]
    if not ratios:
        return "rounds: none answered"
    listed = ", ".join(f"{ratio:.2f}" for ratio in ratios)
    return f"rounds {listed} (their median {median(ratios):.2f})"


def _cpu_note(app: PostTarget, baseline: PostTarget) -> str:
    if not app.cpu_ms or not baseline.cpu_ms:
        return "server CPU not measured (no /proc)"
    return (
        f"server CPU {median(app.cpu_ms):.1f} ms per registration vs "
        f"{median(baseline.cpu_ms):.1f} ms"
    )


def sequential(url: str, path: str, count: int, headers: dict | None = None):
    """*count* GETs one after the other: (statuses, latencies in ms, last body)."""
    parts = urllib.parse.urlsplit(url)
    statuses, times, body = [], [], b""
    for _ in range(count):
        status, _headers, body, seconds = load.raw_request(
            parts.hostname, parts.port, "GET", path, headers or {}, b""
        )
        statuses.append(status)
        times.append(seconds * 1000)
    return statuses, times, body


def prepare_database(
    url: str, workdir: Path, seed_registrations: int, feed_events: int = 0
) -> dict:
    """Migrate, seed the demo (and the feed's events): one process for all of it."""
    env = app_env(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=SECRET)
    steps = ["upgrade", "demo", str(seed_registrations)]
    if feed_events:
        steps += ["feed", str(feed_events)]
    return json.loads(python_module("bench.fixtures", [*steps, "form"], env, workdir / "setup.log"))


def server_env(url: str) -> dict[str, str]:
    # Rate limits off: one client address sends everything (the limits would answer 429).
    # Delivery after the response off: a production setup runs `flask mail deliver --loop`
    # as its own process; the email is still composed and queued inside the request.
    return app_env(
        SQLALCHEMY_DATABASE_URI=url,
        SECRET_KEY=SECRET,
        RATELIMIT_ENABLED=False,
        MAIL_DELIVER_AFTER_REQUEST=False,
        LOG_LEVEL="WARNING",
    )


def web_figures(settings: Settings, workdir: Path, figures: list[Figure]) -> None:
    db_path = workdir / "web.sqlite"
    url = f"sqlite:///{db_path}"
    log("preparing the web database (migrations, demo, feed events)…")
    form = prepare_database(url, workdir, settings.web_registrations, settings.feed_events)

    servers: list[Gunicorn] = []
    try:
        app = Gunicorn(
            "app", "app:app", server_env(url), workdir / "app.log", workers=settings.workers
        )
        servers.append(app)
        for server in servers:
            server.wait_healthy()

        # The feed, cold: the first request after the workers started.
        feed_cold = sequential(app.url, "/calendar.ics", 1)
        page_path = f"/events/{form['slug']}/"
        statuses, _times, page = sequential(app.url, page_path, 1)
        if statuses != [200]:
            raise RuntimeError(f"event page answered {statuses}")
        page_env = {**app_env(), "BENCH_PAGE_BYTES": str(len(page))}
        page_base = Gunicorn(
            "baseline-page",
            "bench.baseline_page:app",
            page_env,
            workdir / "baseline-page.log",
            workers=settings.workers,
        )
        servers.append(page_base)
        page_base.wait_healthy()
        _statuses, _times, base_page = sequential(page_base.url, "/page", 1)

        # 1. The event page, then the same page rendered on every request (the page
        # memory off): what a visitor gets when the page changed a moment ago.
        log("event page GET…")
        figure = _page_figure("Event page GET", 0.8, app.url, page_path, page_base, settings)
        figure.notes.append(f"{len(page):,} B vs {len(base_page):,} B")
        figures.append(figure)
        log("event page GET, rendered on every request…")
        fresh = Gunicorn(
            "app-render-always",
            "app:app",
            {**server_env(url), "EVENTSREG_EVENT_PAGE_CACHE_SECONDS": "0"},
            workdir / "app-render-always.log",
            workers=settings.workers,
        )
        servers.append(fresh)
        fresh.wait_healthy()
        figure = _page_figure(
            "Event page GET, rendered on every request",
            0.8,
            fresh.url,
            page_path,
            page_base,
            settings,
        )
        figure.notes.append(
            "EVENT_PAGE_CACHE_SECONDS=0: the event and its seats read and the page rendered "
            "on every request (the event's own parts kept per version)"
        )
        figures.append(figure)
        fresh.stop()
        servers.remove(fresh)

        # 2. The calendar feed. (The registration POST: post_figures.)
        log("calendar feed…")
        figures.extend(_feed_figures(app, page_base, feed_cold, settings))
    finally:
        for server in servers:
            server.stop()


def post_figures(settings: Settings, workdir: Path, figures: list[Figure]) -> None:
    """The registration POST on SQLite and PostgreSQL, against both baselines."""
    db_path = workdir / "post.sqlite"
    figures.extend(_post_database("SQLite", f"sqlite:///{db_path}", None, settings, workdir))
    figures[-3].notes.append(_registration_mix(db_path, "comunita-%"))
    figures[-2].notes.append(_registration_mix(db_path, "bench-%"))
    pg = settings.postgres
    if not pg:
        figures.append(
            Figure(
                settings.web_section,
                "Registration POST, PostgreSQL",
                "req/s",
                None,
                None,
                "bare Flask, one INSERT per POST",
                None,
                goal="≥ 0.5",
                notes=["skipped: BENCH_POSTGRES=0, or no PostgreSQL server answered"],
            )
        )
        return
    schema = f"bench_{os.getpid()}_{secrets.token_hex(3)}"
    pg_execute(pg, f'CREATE SCHEMA "{schema}"')
    try:
        figures.extend(
            _post_database("PostgreSQL", with_schema(pg, schema), schema, settings, workdir)
        )
    finally:
        try:
            pg_execute(pg, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        except Exception as error:  # report, never hide the run's own outcome
            log(f"could not drop schema {schema}: {error}")


def _post_database(
    database: str, url: str, schema: str | None, settings: Settings, workdir: Path
) -> list[Figure]:
    """Prepare *database* (the demo, its copy with seats for all, the baselines' tables),
    start the app and both baselines, and measure."""
    log(f"registration POST ({database}): preparing…")
    suffix = "-pg" if schema else ""
    form = prepare_database(url, workdir, settings.web_registrations)
    env = app_env(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=SECRET)
    confirmed = json.loads(
        python_module(
            "bench.post_fixtures",
            ["confirmed", str(settings.web_registrations)],
            env,
            workdir / "setup.log",
        )
        .strip()
        .splitlines()[-1]
    )
    if schema:
        base_target = settings.postgres
        base_env = {**app_env(), "BENCH_BASELINE_DB": base_target, "BENCH_BASELINE_SCHEMA": schema}
    else:
        base_target = str(workdir / "baseline.sqlite")
        fair_target = str(workdir / "fair.sqlite")
        base_env = {**app_env(), "BENCH_BASELINE_DB": base_target}
    _create_tables("baseline_post", base_target, schema)
    fair_env = {**base_env, "BENCH_FAIR_FIELDS": json.dumps(form["fields"])}
    if not schema:
        fair_env["BENCH_BASELINE_DB"] = fair_target
    _create_tables("baseline_fair_post", fair_env["BENCH_BASELINE_DB"], schema)
    servers: list[Gunicorn] = []
    try:
        for name, target, server_environment in (
            ("app", "app:app", server_env(url)),
            ("baseline-post", "bench.baseline_post:app", base_env),
            ("baseline-fair-post", "bench.baseline_fair_post:app", fair_env),
        ):
            servers.append(
                Gunicorn(
                    name + suffix,
                    target,
                    server_environment,
                    workdir / f"{name}{suffix}.log",
                    workers=settings.workers,
                )
            )
        for server in servers:
            server.wait_healthy()
        app, bare, fair = servers
        log(f"registration POST ({database})…")
        return measure_posts(
            settings,
            database,
            PostTarget("waitlist", app, f"/events/{form['slug']}/register", form["fields"]),
            PostTarget(
                "confirmed", app, f"/events/{confirmed['slug']}/register", confirmed["fields"]
            ),
            PostTarget("bare", bare, "/register", form["fields"], sessions=[("", "x")]),
            PostTarget("fair", fair, "/register", form["fields"]),
        )
    finally:
        for server in servers:
            server.stop()


def _page_figure(name, goal, app_url, page_path, page_base, settings: Settings) -> Figure:
    """The app's event page against the bare page, warmed up, in alternating rounds."""
    warm = min(settings.seconds, 1.0)
    load.run_load(app_url, load.get(page_path), seconds=warm, clients=settings.clients)
    load.run_load(page_base.url, load.get("/page"), seconds=warm, clients=settings.clients)
    app_results, base_results = alternate(
        lambda: _load(app_url, page_path, settings),
        lambda: _load(page_base.url, "/page", settings),
        settings.rounds,
    )
    return throughput_figure(
        settings.web_section,
        name,
        goal,
        app_results,
        base_results,
        "bare Flask + Jinja page of the same size",
    )


def _load(url: str, path: str, settings: Settings, headers: dict | None = None, expected=(200,)):
    result = load.run_load(
        url,
        load.get(path, headers),
        seconds=settings.seconds,
        clients=settings.clients,
        expected=expected,
    )
    check_load(f"{url}{path}", result)
    return result


def _registration_mix(db_path: Path, slugs: str = "comunita-%") -> str:
    with sqlite3.connect(db_path) as connection:
        rows = dict(
            connection.execute(
                "SELECT r.status, count(*) FROM registrations r JOIN events e "
                "ON e.id = r.event_id WHERE e.slug LIKE ? GROUP BY r.status",
                (slugs,),
            ).fetchall()
        )
    return ", ".join(f"{status} {count:,}" for status, count in sorted(rows.items()))


def _create_tables(module_name: str, target: str, schema: str | None) -> None:
    """A baseline's tables (``bench.<module_name>.create_tables``), created once before its
    workers start; the module reads where from the environment, as its workers do."""
    env_before = dict(os.environ)
    os.environ["BENCH_BASELINE_DB"] = target
    if schema:
        os.environ["BENCH_BASELINE_SCHEMA"] = schema
    try:
        import importlib

        module = importlib.reload(importlib.import_module(f"bench.{module_name}"))
        module.create_tables()
        module.connection().close()
    finally:
        os.environ.clear()
        os.environ.update(env_before)


def _feed_figures(app: Gunicorn, page_base: Gunicorn, cold, settings: Settings) -> list[Figure]:
    section = "Calendar feed"
    cold_statuses, cold_times, body = cold
    statuses, full_times, body = sequential(
        app.url, "/calendar.ics", 10 if settings.rounds > 1 else 3
    )
    events = body.count(b"BEGIN:VEVENT")
    parts = urllib.parse.urlsplit(app.url)
    _status, headers, _body, _seconds = load.raw_request(
        parts.hostname, parts.port, "GET", "/calendar.ics", {}, b""
    )
    etag = headers.get("etag", [""])[0]
    conditional = {"If-None-Match": etag}
    cond_statuses, cond_times, _ = sequential(app.url, "/calendar.ics", 20, conditional)
    full = Figure(
        section,
        f"/calendar.ics full GET ({events:,} events)",
        "ms",
        median(full_times),
        None,
        "",
        None,
        notes=[f"cold (first request) {cold_times[0]:.0f} ms", f"{len(body):,} B"],
    )
    if set(cold_statuses + statuses) != {200}:
        full.notes.append(f"statuses {sorted(set(cold_statuses + statuses))}")
    app_results, base_results = alternate(
        lambda: _load(app.url, "/calendar.ics", settings, conditional, (304,)),
        lambda: _load(
            page_base.url, "/etag", settings, {"If-None-Match": f'"{_base_etag()}"'}, (304,)
        ),
        settings.rounds,
    )
    cond = throughput_figure(
        section,
        "/calendar.ics conditional GET → 304",
        None,
        app_results,
        base_results,
        "bare Flask answering 304 to If-None-Match",
    )
    cond.notes.insert(
        0, f"one 304: {median(cond_times):.1f} ms vs full {median(full_times):.0f} ms"
    )
    built = _builds_on_304(settings)
    cond.goal = "304, calendar not built"
    cond.passed = (
        set(cond_statuses) == {304} and built == 0 and not any(r.errors for r in app_results)
    )
    cond.notes.append(f"calendar built {built}× in 20 conditional GETs")
    return [full, cond]


def _base_etag() -> str:
    from .baseline_page import ETAG

    return ETAG


def _builds_on_304(settings: Settings) -> int:
    """Times the calendar is built while answering conditional GETs (in-process, counted)."""
    out = python_module(
        "bench.feed_check", [str(min(settings.feed_events, 1000))], app_env(), Path(os.devnull)
    )
    return int(json.loads(out)["built"])


# -- exports ---------------------------------------------------------------------------------


def _export_query(event_id: int, question_ids: list[int]) -> str:
    joins = " ".join(
        f"LEFT JOIN answers a{n} ON a{n}.registration_id = r.id AND a{n}.question_id = {qid}"
        for n, qid in enumerate(question_ids)
    )
    values = ", ".join(f"a{n}.value" for n in range(len(question_ids)))
    return (
        "SELECT r.id, r.created_at, r.status, r.attendance, r.party_size, r.first_name, "
        "r.last_name, r.email, r.phone, r.company_name, r.vat_number, r.tax_code, r.locale, "
        "r.privacy_consent_at, r.privacy_notice_version, r.marketing_consent_at, "
        f"r.checked_in_at, {values} FROM registrations r {joins} "
        f"WHERE r.event_id = {event_id} ORDER BY r.created_at, r.id;"
    )


PEAK = ROOT / "bench" / "peak.py"


def _timed_process(args: list[str], env: dict, stdout) -> tuple[float, float, bytes]:
    """Run *args* through bench/peak.py: (wall seconds, peak RSS MiB, stdout if piped)."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-I", "-S", str(PEAK), *args],
        cwd=ROOT,
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        check=False,
        timeout=900,
    )
    seconds = time.perf_counter() - started
    errors = result.stderr.decode(errors="replace")
    if result.returncode:
        raise RuntimeError(f"{args[:3]} failed: {errors[-2000:]}")
    peak_kib = int(errors.rsplit("peak-rss-kib ", 1)[1].split()[0])
    return seconds, peak_kib / 1024, result.stdout or b""


def export_figures(settings: Settings, workdir: Path, figures: list[Figure]) -> None:
    db_path = workdir / "exports.sqlite"
    url = f"sqlite:///{db_path}"
    env = app_env(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=SECRET)
    logfile = workdir / "setup.log"
    log(f"seeding exports: {', '.join(f'{s:,}' for s in settings.sizes)} registrations…")
    started = time.perf_counter()
    sizes = ",".join(map(str, settings.sizes))
    events = json.loads(
        python_module("bench.fixtures", ["upgrade", "exports", sizes], env, logfile)
    )
    seeded = time.perf_counter() - started
    sqlite_cli = shutil.which("sqlite3")
    with sqlite3.connect(db_path) as connection:
        qids = {
            size: [
                row[0]
                for row in connection.execute(
                    "SELECT id FROM questions WHERE event_id = ? ORDER BY position, id",
                    (info["event_id"],),
                )
            ]
            for size, info in ((int(k), v) for k, v in events.items())
        }
    section = f"Exports ({len(EXPORT_QUESTIONS.questions)} questions)"
    peaks: dict[int, float] = {}
    for size in settings.sizes:
        info = events[str(size)]
        query = _export_query(info["event_id"], qids[size])
        rounds = settings.rounds if size <= 10_000 else max(1, min(settings.rounds, 2))
        app_times, app_peaks, app_deltas, base_times, base_peaks = [], [], [], [], []
        for _ in range(rounds):
            out = workdir / f"export-{size}.csv"
            result = _run_export(info["slug"], "csv", out, env)
            app_times.append(result["seconds"])
            app_peaks.append(result["rss_peak_mib"])
            app_deltas.append(result["rss_peak_mib"] - result["rss_before_mib"])
            seconds, peak = _baseline_export(sqlite_cli, db_path, query, workdir / "base.csv")
            base_times.append(seconds)
            base_peaks.append(peak)
        peaks[size] = median(app_deltas)
        baseline_name = "sqlite3 -csv (CLI)" if sqlite_cli else "Python sqlite3 + csv (no CLI)"
        figure = Figure(
            section,
            f"CSV export, {size:,} registrations",
            "s",
            median(app_times),
            median(base_times),
            baseline_name,
            median(app_times) / median(base_times),
            goal="≤ 3" if size == max(settings.sizes) else "",
        )
        if figure.goal:
            figure.passed = figure.ratio <= 3
        figure.notes.append(
            f"peak RSS {median(app_peaks):.0f} MiB (+{median(app_deltas):.1f} MiB during the "
            f"export) vs {median(base_peaks):.0f} MiB (through an ~8 MiB launcher)"
        )
        figures.append(figure)
        if size <= settings.xlsx_max:
            result = _run_export(info["slug"], "xlsx", workdir / f"export-{size}.xlsx", env)
            figures.append(
                Figure(
                    section,
                    f"XLSX export, {size:,} registrations",
                    "s",
                    result["seconds"],
                    median(base_times),
                    baseline_name + " (CSV)",
                    result["seconds"] / median(base_times),
                    notes=[
                        f"peak RSS {result['rss_peak_mib']:.0f} MiB "
                        f"(+{result['rss_peak_mib'] - result['rss_before_mib']:.1f} MiB during "
                        f"the export), {result['bytes'] / 1e6:.1f} MB"
                    ],
                )
            )
    smallest, largest = min(settings.sizes), max(settings.sizes)
    growth = peaks[largest] - peaks[smallest]
    figures.append(
        Figure(
            section,
            f"CSV export memory, {largest:,} vs {smallest:,} registrations",
            "MiB",
            peaks[largest],
            peaks[smallest],
            f"the same export of {smallest:,}",
            None,
            goal="growth ≤ 16 MiB",
            passed=growth <= 16,
            notes=[f"RSS growth during the export: {growth:+.1f} MiB", f"seeding {seeded:.0f} s"],
        )
    )


def _run_export(slug: str, file_format: str, out: Path, env: dict) -> dict:
    _seconds, peak, stdout = _timed_process(
        [sys.executable, "-m", "bench.export_one", slug, file_format, str(out)],
        env,
        subprocess.PIPE,
    )
    result = json.loads(stdout.decode().strip().splitlines()[-1])
    result["process_peak_mib"] = peak
    return result


def _baseline_export(sqlite_cli: str | None, db_path: Path, query: str, out: Path):
    with open(out, "wb") as fh:
        if sqlite_cli:
            seconds, peak, _ = _timed_process([sqlite_cli, "-csv", str(db_path), query], {}, fh)
        else:
            script = (
                "import csv, sqlite3, sys\n"
                "c = sqlite3.connect(sys.argv[1])\n"
                "csv.writer(sys.stdout).writerows(c.execute(sys.argv[2]))\n"
            )
            seconds, peak, _ = _timed_process(
                [sys.executable, "-c", script, str(db_path), query], {}, fh
            )
    return seconds, peak


# -- the organiser's registrations list ------------------------------------------------------

#: The list's pages measured: (figure name, key in bench/list_page.py's output).
LIST_PAGES = (
    ("Registrations list, first page", "first"),
    ("Registrations list, filtered and sorted page", "filtered"),
    ("Registrations list, 5 question columns", "columns"),
)


def seed_large_demo(what: str, path: Path, size: int, answers: int, workdir: Path) -> str:
    """A SQLite file at *path* with the demo events, *size* registrations of the demo event
    and *answers* answers each at least; its URL."""
    url = f"sqlite:///{path}"
    log(f"{what}: seeding {size:,} registrations, {answers} answers…")
    python_module(
        "bench.fixtures",
        ["upgrade", "demo", str(size), "answers", str(answers)],
        app_env(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=SECRET),
        workdir / "setup.log",
    )
    return url


def list_figures(settings: Settings, workdir: Path, figures: list[Figure]) -> None:
    """``/organizer/events/<demo>/registrations`` of a large event: median time of a GET."""
    size = settings.list_registrations
    url = seed_large_demo(
        "registrations list", workdir / "list.sqlite", size, settings.list_answers, workdir
    )
    rounds = max(5, settings.rounds * 5)
    log(f"registrations list: {rounds} GETs of each page…")
    env = app_env(
        SQLALCHEMY_DATABASE_URI=url,
        SECRET_KEY=SECRET,
        RATELIMIT_ENABLED=False,
        LOG_LEVEL="WARNING",
    )
    out = python_module("bench.list_page", [str(rounds)], env, workdir / "list.log")
    result = json.loads(out.strip().splitlines()[-1])
    section = f"Registrations list ({result['registrations']:,} registrations, in process)"
    per_row = result["answers"] / max(result["registrations"], 1)
    for name, key in LIST_PAGES:
        page = result[key]
        figure = Figure(
            section,
            name,
            "ms",
            page["median_ms"],
            None,
            "",
            None,
            goal="< 1000 ms",
            passed=page["median_ms"] < 1000 and page["rows"] > 0,
        )
        figure.notes.append(
            f"slowest {page['max_ms']:.0f} ms; {page['rows']} rows of {page['matched']:,} "
            f"matching; {page['bytes']:,} B; {per_row:.1f} answers a registration"
        )
        figures.append(figure)


# -- output ----------------------------------------------------------------------------------


def _number(value: float | None, unit: str) -> str:
    if value is None or value != value:
        return "–"
    if unit == "req/s":
        return f"{value:,.0f} req/s"
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    return f"{value:.1f} {unit}"


def _verdict(figure: Figure) -> str:
    if figure.passed is None:
        return "–" if not figure.goal else "skipped"
    return "pass" if figure.passed else "FAIL"


def table_rows(figures: list[Figure]) -> list[list[str]]:
    return [
        [
            figure.name,
            _number(figure.app, figure.unit),
            _number(figure.baseline, figure.unit),
            figure.baseline_name or "–",
            f"{figure.ratio:.2f}" if figure.ratio is not None else "–",
            figure.goal or "–",
            _verdict(figure),
            "; ".join(figure.notes),
        ]
        for figure in figures
    ]


HEADER = ["figure", "eventsreg", "baseline", "baseline is", "ratio", "goal", "result", "notes"]


def print_table(figures: list[Figure]) -> None:
    rows = [HEADER[:7]] + [row[:7] for row in table_rows(figures)]
    widths = [max(len(row[i]) for row in rows) for i in range(7)]
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if n == 0:
            print("  ".join("-" * width for width in widths))
    print()
    for figure in figures:
        if figure.notes:
            print(f"{figure.name}: {'; '.join(figure.notes)}")


def machine_info(settings: Settings) -> list[str]:
    return [
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
        f"- load: {settings.clients} client processes (raw sockets, a new connection per "
        f"request), {settings.rounds} alternating rounds of {settings.seconds:g} s per side, "
        "medians compared",
        f"- export sizes: {', '.join(f'{s:,}' for s in settings.sizes)}; feed events: "
        f"{settings.feed_events:,}; PostgreSQL: {'yes' if settings.postgres else 'no'}; "
        f"registrations list: {settings.list_registrations:,} registrations",
        *([f"- only the {settings.only[0]} figures (--only)"] if len(settings.only) == 1 else []),
    ]


def write_markdown(figures: list[Figure], settings: Settings, extra: str) -> None:
    lines = ["# Benchmark results", "", "Produced by `make bench` (bench/run.py).", ""]
    lines += machine_info(settings) + [""]
    lines.append(
        "Ratios: throughput app ÷ baseline (higher is better); export time app ÷ "
        "baseline (lower is better); instructions baseline ÷ app (higher is better)."
    )
    lines.append("")
    sections: dict[str, list[Figure]] = {}
    for figure in figures:
        sections.setdefault(figure.section, []).append(figure)
    for section, items in sections.items():
        lines += [f"## {section}", ""]
        lines.append("| " + " | ".join(HEADER) + " |")
        lines.append("|" + "---|" * len(HEADER))
        for row in table_rows(items):
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
        lines.append("")
    if extra:
        lines += [extra.rstrip(), ""]
    settings.output.write_text("\n".join(lines))


def parse_settings(argv: list[str] | None) -> Settings:
    env = os.environ
    quick = env.get("BENCH_QUICK") == "1"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", default=quick)
    parser.add_argument("--sizes", default=env.get("BENCH_SIZES"))
    parser.add_argument("--seconds", type=float, default=env.get("BENCH_SECONDS"))
    parser.add_argument("--rounds", type=int, default=env.get("BENCH_ROUNDS"))
    parser.add_argument("--clients", type=int, default=int(env.get("BENCH_CLIENTS", "4")))
    parser.add_argument(
        "--workers",
        type=int,
        default=int(env.get("BENCH_WORKERS", "2")),
        help="gunicorn workers per server (the smoke test uses 1)",
    )
    parser.add_argument(
        "--feed-events", type=int, default=int(env.get("BENCH_FEED_EVENTS", "1000"))
    )
    parser.add_argument("--xlsx-max", type=int, default=env.get("BENCH_XLSX_MAX"))
    parser.add_argument("--postgres", default=env.get("BENCH_POSTGRES"))
    parser.add_argument(
        "--output", default=env.get("BENCH_OUTPUT", str(ROOT / "bench" / "results.md"))
    )
    parser.add_argument(
        "--only",
        choices=GROUPS,
        default=env.get("BENCH_ONLY") or None,
        help="measure only this group of figures (default: all)",
    )
    args = parser.parse_args(argv)
    if args.only is not None and args.only not in GROUPS:
        parser.error(f"BENCH_ONLY must be one of {', '.join(GROUPS)}")
    sizes = (
        [int(s) for s in args.sizes.split(",")]
        if args.sizes
        else list(DEFAULT_SIZES[:2] if args.quick else DEFAULT_SIZES)
    )
    postgres = None if args.postgres in ("0", "no", "off") else postgres_url(args.postgres)
    return Settings(
        sizes=sorted(sizes),
        seconds=args.seconds or (2.0 if args.quick else 5.0),
        rounds=args.rounds or (2 if args.quick else 3),
        clients=args.clients,
        feed_events=args.feed_events,
        postgres=postgres,
        xlsx_max=args.xlsx_max if args.xlsx_max is not None else max(sizes),
        output=Path(args.output),
        web_registrations=min(1000, max(sizes)),
        only=(args.only,) if args.only else GROUPS,
        workers=args.workers,
        list_registrations=min(10_000, max(sizes)),
    )


FIXES = ROOT / "bench" / "fixes.md"


def main(argv: list[str] | None = None) -> int:
    settings = parse_settings(argv)
    workdir = Path(tempfile.mkdtemp(prefix="eventsreg-bench-"))
    figures: list[Figure] = []
    started = time.perf_counter()
    try:
        if "web" in settings.only:
            web_figures(settings, workdir, figures)
        if "web" in settings.only or "post" in settings.only:
            post_figures(settings, workdir, figures)
        if "exports" in settings.only:
            export_figures(settings, workdir, figures)
        if "list" in settings.only:
            list_figures(settings, workdir, figures)
        if "organizer" in settings.only:
            organizer_figures(settings, workdir, figures)
        if "rush" in settings.only:
            rush_figures(settings, workdir, figures)
        if "instructions" in settings.only:
            instruction_figures(settings, workdir, figures)
    except BaseException:
        log(f"benchmark failed; logs kept in {workdir}")
        raise
    print_table(figures)
    extra = FIXES.read_text() if FIXES.exists() else ""
    write_markdown(figures, settings, extra)
    shutil.rmtree(workdir, ignore_errors=True)
    log(f"done in {time.perf_counter() - started:.0f} s; results in {settings.output}")
    return 0
