"""The organiser's pages of a large event, timed in a process of its own.

``python -m bench.organizer_pages ROUNDS`` builds the app from the ``EVENTSREG_*``
environment (a database with the demo event seeded large, see ``bench/fixtures.py``),
signs an administrator in through the real form and GETs, through Flask's test client:
the dashboard, the registrations list (first page; filtered and sorted, a later page; five
question columns) and the energy-community panel. Each page is timed three ways:

- ``first``: the first GET after the process started (nothing kept in memory: every
  registration and answer of the event is read);
- ``changed``: the first GET after a registration changed (one registration withdrawn
  through the ORM, as an organiser's action does; then again after it was put back: the
  slower of the two): what is kept is brought up to date with what changed;
- ``median_ms``: the median of ROUNDS further GETs.

A page that takes longer than ``SLOW_SECONDS`` the first time is repeated twice only. It prints
one JSON line: per page those times, the statements run, the bytes; and the event's
registrations and answers.

``python -m bench.organizer_pages ROUNDS PAGES warmed`` first does what a gunicorn worker
does once started (:func:`eventsreg.organizer.warming.warm`, timed), then measures only
``first``: the first view of each page a worker gives after its warm-up.
"""

import json
import resource
import statistics
import sys
import time

from .list_page import large_demo, matched_count, signed_in_client

#: A page slower than this is measured once, not ROUNDS times.
SLOW_SECONDS = 10.0


def main(argv: list[str]) -> int:
    rounds = int(argv[0]) if argv else 5
    only = set(argv[1].split(",")) if len(argv) > 1 and argv[1] != "all" else None
    warmed = "warmed" in argv[2:]
    import sqlalchemy as sa

    from eventsreg import create_app
    from eventsreg.extensions import db
    from eventsreg.organizer import warming
    from eventsreg.registrations.models import Registration, RegistrationStatus

    email = "bench-organizer@example.org"
    app = create_app()
    with app.app_context():
        sample = large_demo(email)
        event, registrations, answers = sample.event, sample.registrations, sample.answers
        choice, columns = sample.choice, sample.columns
        choice_filter = {choice.field_name: choice.choices[0]["value"]}
        slug, event_id = event.slug, event.id
        touched, touched_status = db.session.execute(
            sa.select(Registration.id, Registration.status)
            .where(Registration.event_id == event_id, Registration.is_active)
            .order_by(Registration.id.desc())
            .limit(1)
        ).one()
        db.session.remove()

    base = f"/organizer/events/{slug}"
    pages = {
        "dashboard": (f"{base}/", {}),
        "list_first": (f"{base}/registrations", {}),
        "list_filtered": (
            f"{base}/registrations",
            {
                "status": "active",
                "attendance": "in_person",
                **choice_filter,
                "sort": "name",
                "page": "3",
            },
        ),
        "list_columns": (
            f"{base}/registrations",
            {"cols": "1", "col": ["email", "status", "created", *columns]},
        ),
        "energy": (f"{base}/energy", {}),
    }
    if only:
        pages = {name: page for name, page in pages.items() if name in only}

    client = signed_in_client(app, email)
    if client is None:
        return 1

    statements = []

    def count(*_args):
        statements.append(1)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)

    def get(name: str, path: str, args: dict) -> tuple[float, bytes]:
        statements.clear()
        started = time.perf_counter()
        response = client.get(path, query_string=args)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{name} answered {response.status_code}")
        return elapsed, response.data

    def change_a_registration(status) -> None:
        # What an organiser's action does: the registration saved through the ORM (its
        # updated_at moves), withdrawn or put back.
        with app.app_context():
            registration = db.session.get(Registration, touched)
            registration.status = status
            db.session.commit()
            db.session.remove()

    result: dict = {"registrations": registrations, "answers": answers}
    if warmed:
        app.config["SUMMARIES_WARMED_FROM"] = 1
        started = time.perf_counter()
        result["warmed_events"] = warming.warm(app)
        result["warm_up_s"] = time.perf_counter() - started
    for name, (path, args) in pages.items():
        first, body = get(name, path, args)
        page = {"first_ms": first, "statements": len(statements), "bytes": len(body)}
        if warmed:  # only the first views are asked of this run
            result[name] = page
            continue
        slow = first >= SLOW_SECONDS * 1000
        # After a registration was withdrawn, and after it was put back: the slower.
        change_a_registration(RegistrationStatus.cancelled)
        withdrawn, body = get(name, path, args)
        change_a_registration(touched_status)
        restored, body = get(name, path, args)
        page["changed_ms"] = max(withdrawn, restored)
        page["changed_statements"] = len(statements)
        times = [get(name, path, args)[0] for _ in range(2 if slow else rounds)]
        page["median_ms"] = statistics.median(times)
        page["max_ms"] = max(times)
        page["statements"] = len(statements)
        if slow:
            page["note"] = f"first view slower than {SLOW_SECONDS:g} s: 2 repeats"
        page["rows"] = body.count(b'name="ids"')
        page["matched"] = matched_count(body)
        result[name] = page
    # What keeping the event's registrations costs: the process's peak memory.
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))
    return 0


#: The pages whose first view a worker's warm-up prepares (eventsreg/organizer/warming.py).
WARMED = ("dashboard", "energy")

#: The pages measured: (figure name, key in this module's output).
PAGES = (
    ("Organiser: dashboard", "dashboard"),
    ("Organiser: registrations list, first page", "list_first"),
    ("Organiser: registrations list, filtered and sorted page", "list_filtered"),
    ("Organiser: registrations list, 5 question columns", "list_columns"),
    ("Organiser: energy-community panel", "energy"),
)


def organizer_figures(settings, workdir, figures: list) -> None:
    """The organiser's pages of the demo event with ``settings.organizer_registrations``
    registrations of 18 answers or more, in a process of their own (SQLite)."""
    from .run import SECRET, Figure, log, seed_large_demo
    from .servers import app_env, python_module

    size = min(100_000, max(settings.sizes))
    url = seed_large_demo(
        "organiser pages", workdir / "organizer.sqlite", size, settings.list_answers, workdir
    )
    rounds = max(3, settings.rounds * 2)
    log("organiser pages: GETs of each page…")
    env = app_env(
        SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=SECRET, RATELIMIT_ENABLED=False, LOG_LEVEL="WARNING"
    )
    out = python_module("bench.organizer_pages", [str(rounds)], env, workdir / "organizer.log")
    result = json.loads(out.strip().splitlines()[-1])
    log("organiser pages: the first views after a worker's warm-up…")
    out = python_module(
        "bench.organizer_pages", ["1", ",".join(WARMED), "warmed"], env, workdir / "organizer.log"
    )
    warmed = json.loads(out.strip().splitlines()[-1])
    section = f"Organiser pages ({result['registrations']:,} registrations, in process)"
    per_row = result["answers"] / max(result["registrations"], 1)
    for name, key in PAGES:
        page = result[key]
        # The goal is for every view: repeated, after a registration changed, and the first
        # of a worker (after its warm-up for the pages that sum up the whole event).
        after_warm_up = warmed[key]["first_ms"] if key in WARMED else page["first_ms"]
        slowest = max(page["median_ms"], page["changed_ms"], after_warm_up)
        figure = Figure(
            section, name, "ms", page["median_ms"], None, "", None, goal="≤ 1000 ms",
            passed=slowest <= 1000,
        )  # fmt: skip
        if key in WARMED:
            figure.notes.append(
                f"first view of a worker {after_warm_up:.0f} ms after its warm-up "
                f"({warmed['warm_up_s']:.1f} s in the background), "
                f"{page['first_ms']:.0f} ms without it"
            )
        else:
            figure.notes.append(f"first view of a worker {page['first_ms']:.0f} ms")
        figure.notes.append(
            f"after a registration "
            f"changed {page['changed_ms']:.0f} ms ({page['changed_statements']} statements); "
            f"repeated {page['statements']} statements; "
            f"{page['bytes']:,} B; {per_row:.1f} answers a registration"
        )
        if page.get("matched") is not None:
            figure.notes.append(f"{page['rows']} rows of {page['matched']:,} matching")
        if page.get("note"):
            figure.notes.append(page["note"])
        if key == "dashboard":
            figure.notes.append(
                f"peak memory of the process {result['peak_rss_mib']:.0f} MiB, "
                f"{warmed['peak_rss_mib']:.0f} MiB with the warm-up"
            )
        figures.append(figure)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
