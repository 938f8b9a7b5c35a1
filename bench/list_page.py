"""The organiser's registrations list of a large event, timed in a process of its own.

``python -m bench.list_page ROUNDS`` builds the app from the ``EVENTSREG_*`` environment
(a database with the demo event seeded, see ``bench/fixtures.py``), signs an administrator
in through the real form (CSRF token and all) and GETs three pages of
``/organizer/events/<demo>/registrations`` through Flask's test client, ROUNDS times each
after a warm-up: the first page, a filtered and sorted page further on, and a page with
five question columns. It prints one JSON line: the median and slowest milliseconds of
each, the rows matched, and the registrations and answers of the event.
"""

import json
import re
import statistics
import sys
import time
from dataclasses import dataclass

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PASSWORD = "bench-password-not-for-production"


@dataclass
class LargeDemo:
    """The demo event of a seeded benchmark database, as the organiser pages see it."""

    event: object
    registrations: int
    answers: int
    #: A choice question to filter by (its first option), and five answer columns.
    choice: object
    columns: list[str]


def matched_count(body: bytes) -> int | None:
    """The registrations a list page says it matches ("19.361 iscrizioni corrispondono"),
    written as Italian writes counts."""
    found = re.search(rb"(\d[\d.]*) iscrizion[ei] (?:in tutto|corrispond)", body)
    return int(found.group(1).replace(b".", b"")) if found else None


def large_demo(email: str) -> LargeDemo:
    """In an app context: the demo event, its registrations and answers counted, a choice
    question and five answer columns; *email* made an administrator (PASSWORD)."""
    import sqlalchemy as sa

    from eventsreg.demo import DEMO_SLUG
    from eventsreg.events.models import Event
    from eventsreg.extensions import db
    from eventsreg.organizer.services import create_organizer, find_by_email
    from eventsreg.questions.kinds import kind_of
    from eventsreg.questions.models import Answer
    from eventsreg.registrations.models import Registration

    event = db.session.scalar(sa.select(Event).where(Event.slug == DEMO_SLUG))
    registrations = db.session.scalar(
        sa.select(sa.func.count()).where(Registration.event_id == event.id)
    )
    answers = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Answer)
        .join(Registration, Registration.id == Answer.registration_id)
        .where(Registration.event_id == event.id)
    )
    questions = sorted(event.questions, key=lambda q: (q.position, q.id))
    choice = next(q for q in questions if kind_of(q).filterable and q.choices)
    if find_by_email(email) is None:
        create_organizer(email, PASSWORD, is_admin=True)
    return LargeDemo(event, registrations, answers, choice, [f"a{q.id}" for q in questions[:5]])


def signed_in_client(app, email: str):
    """A test client of *app* signed in as *email* through the real form (None, with the
    reason on stderr, when the sign-in is refused)."""
    client = app.test_client()
    login = client.get("/organizer/login").get_data(as_text=True)
    token = CSRF_RE.search(login).group(1)
    answered = client.post(
        "/organizer/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    if answered.status_code != 303:
        print(f"sign-in answered {answered.status_code}", file=sys.stderr)
        return None
    return client


def main(argv: list[str]) -> int:
    rounds = int(argv[0]) if argv else 15
    from eventsreg import create_app

    email = "bench-list@example.org"
    app = create_app()
    with app.app_context():
        sample = large_demo(email)
        event, registrations, answers = sample.event, sample.registrations, sample.answers
        choice, columns = sample.choice, sample.columns
        filter_value = choice.choices[0]["value"]
        slug = event.slug

    base = f"/organizer/events/{slug}/registrations"
    pages = {
        "first": (base, {}),
        "filtered": (
            base,
            {
                "status": "active",
                "attendance": "in_person",
                choice.field_name: filter_value,
                "sort": "name",
                "page": "3",
            },
        ),
        "columns": (base, {"cols": "1", "col": ["email", "status", "created", *columns]}),
    }

    client = signed_in_client(app, email)
    if client is None:
        return 1

    result: dict = {"registrations": registrations, "answers": answers}
    for name, (path, args) in pages.items():
        times = []
        body = b""
        for n in range(rounds + 2):
            started = time.perf_counter()
            response = client.get(path, query_string=args)
            body = response.data
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                print(f"{name} answered {response.status_code}", file=sys.stderr)
                return 1
            if n >= 2:  # the first two warm up (templates, caches)
                times.append(elapsed)
        result[name] = {
            "median_ms": statistics.median(times),
            "max_ms": max(times),
            "rows": body.count(b'name="ids"'),
            "matched": matched_count(body),
            "bytes": len(body),
        }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
