"""Data for the benchmarks, written into the database the ``EVENTSREG_*`` environment names.

``python -m bench.fixtures feed N`` adds N published events (the calendar feed's);
``python -m bench.fixtures exports 1000,10000`` adds one event per size with exactly
eight questions of mixed kinds and that many registrations (``demo.seed_registrations``);
``python -m bench.fixtures form`` prints the demo event's question fields as JSON;
``upgrade`` migrates the database and ``demo N`` seeds the demo with N registrations;
``answers N`` then gives each of the demo event's registrations N answers (the registrations
list's figure: a full questionnaire on every row).
Several steps run in one process, in order (``upgrade demo 1000 feed 30 form``: one
start-up of the app instead of four); the last step's JSON line is printed for the harness.
"""

import json
import random
import sys
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_migrate import upgrade

from eventsreg import create_app
from eventsreg.database import after_bulk_load
from eventsreg.demo import DEMO_SLUG, seed_demo, seed_registrations
from eventsreg.events.models import Event, EventStatus, QuestionKind
from eventsreg.extensions import db
from eventsreg.questions.kinds import kind_of
from eventsreg.questions.library import Option, Questionnaire, Template, add_questionnaire
from eventsreg.questions.models import Answer
from eventsreg.registrations.models import Registration

#: The export event's eight questions, of mixed kinds.
EXPORT_QUESTIONS = Questionnaire(
    key="bench_exports",
    title="Esportazioni",
    description="",
    questions=(
        Template("role", QuestionKind.choice, "Che ruolo avresti nella comunità?",
                 "What role would you have in the community?", required=True,
                 options=(Option("consumer", "Consumatore", "Consumer"),
                          Option("producer", "Produttore", "Producer"),
                          Option("prosumer", "Entrambi", "Both"))),
        Template("topics", QuestionKind.multichoice, "Quali temi ti interessano?",
                 "Which topics interest you?",
                 options=(Option("incentivi", "Incentivi", "Incentives"),
                          Option("impianti", "Impianti", "Plants"),
                          Option("governance", "Statuto", "Statute"),
                          Option("fiscale", "Aspetti fiscali", "Tax"))),
        Template("has_pv", QuestionKind.yesno, "Hai già un impianto fotovoltaico?",
                 "Do you already have a photovoltaic plant?"),
        Template("annual_kwh", QuestionKind.number, "Consumo annuo di energia elettrica",
                 "Annual electricity consumption",
                 settings={"unit": "kWh", "min": 0, "max": 1_000_000, "integer": True}),
        Template("roof_m2", QuestionKind.number, "Superficie di tetto disponibile",
                 "Roof area available", settings={"unit": "m²", "min": 0, "max": 100_000}),
        Template("since", QuestionKind.date, "Da quando siete nella sede attuale?",
                 "Since when have you been at your current premises?"),
        Template("pods", QuestionKind.pod, "Codici POD", "POD codes"),
        Template("notes", QuestionKind.textarea, "Note", "Notes", settings={"max_length": 2000}),
    ),
)  # fmt: skip


def export_slug(size: int) -> str:
    return f"bench-export-{size}"


def _event(slug: str, title: str, start: datetime, **extra) -> Event:
    return Event(
        slug=slug,
        title=title,
        status=EventStatus.published,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        timezone="Europe/Rome",
        venue_name="Sala conferenze di Consorzio.IT",
        venue_address="Via del Commercio 29, 26013 Crema (CR)",
        contact_email="eventi@consorzio.example.org",
        organizers="Consorzio.IT",
        **extra,
    )


def add_export_events(sizes: list[int]) -> dict:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    out = {}
    for size in sizes:
        event = _event(
            export_slug(size), f"Esportazione di {size} iscrizioni", start, capacity=None
        )
        event.online_url = "https://meet.example.org/bench"
        add_questionnaire(event, EXPORT_QUESTIONS)
        db.session.add(event)
        db.session.commit()
        seed_registrations(event, size, seed=size)
        out[size] = {"slug": event.slug, "event_id": event.id, "questions": len(event.questions)}
    return out


def add_feed_events(count: int) -> dict:
    """*count* published events over the two years around now (all inside the feed)."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    rows = []
    for n in range(count):
        start = now - timedelta(days=300) + timedelta(hours=17 * n)
        rows.append(
            {
                "slug": f"incontro-{n + 1}",
                "title": f"Incontro numero {n + 1} sulle comunità energetiche",
                "summary": "" if n % 2 else f"Incontro {n + 1}: incentivi, impianti, adesioni.",
                "description": f"Incontro **{n + 1}**.\n\n- primo punto\n- secondo punto\n",
                "organizers": "Consorzio.IT\nREI – Reindustria Innovazione",
                "status": EventStatus.published,
                "starts_at": start,
                "ends_at": start + timedelta(hours=2),
                "timezone": "Europe/Rome",
                "venue_name": "Sala conferenze",
                "venue_address": "Via del Commercio 29, 26013 Crema (CR)",
                "online_url": "",
                "capacity": 50,
                "max_party_size": 5,
                "is_registration_closed": False,
                "requires_approval": False,
                "contact_email": "eventi@consorzio.example.org",
                "privacy_notice": "",
                "privacy_notice_version": 1,
                "ical_sequence": 0,
                "created_at": now,
                "updated_at": now,
            }
        )
    db.session.execute(sa.insert(Event.__table__), rows)
    db.session.commit()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    return {"added": count, "events": total}


def demo_form() -> dict:
    """The demo event's question fields by code, for building valid submissions."""
    event = db.session.scalar(sa.select(Event).where(Event.slug == DEMO_SLUG))
    return {"slug": event.slug, "fields": {q.code: q.field_name for q in event.questions}}


def seed(registrations: int) -> dict:
    """The demo events, with *registrations* registrations on the demo event."""
    event = seed_demo()
    seed_registrations(event, registrations)
    return {"slug": event.slug, "registrations": registrations}


def fill_answers(per_registration: int) -> dict:
    """Give every registration of the demo event *per_registration* answers (at most one per
    question): the seeded ones, then plausible answers to the questions it skipped."""
    event = db.session.scalar(sa.select(Event).where(Event.slug == DEMO_SLUG))
    questions = sorted(event.questions, key=lambda q: (q.position, q.id))
    rng = random.Random(per_registration)
    given: dict[int, set[int]] = {}
    rows = db.session.execute(
        sa.select(Answer.registration_id, Answer.question_id)
        .join(Registration, Registration.id == Answer.registration_id)
        .where(Registration.event_id == event.id)
    )
    for registration_id, question_id in rows:
        given.setdefault(registration_id, set()).add(question_id)
    ids = db.session.scalars(sa.select(Registration.id).where(Registration.event_id == event.id))
    added = []
    for registration_id in ids:
        answered = given.get(registration_id, set())
        missing = [q for q in questions if q.id not in answered]
        for question in missing[: max(per_registration - len(answered), 0)]:
            value = kind_of(question).example(question, rng)
            if value in ("", [], None):
                value = "—"
            added.append(
                {"registration_id": registration_id, "question_id": question.id, "value": value}
            )
    for start in range(0, len(added), 5000):
        db.session.execute(sa.insert(Answer.__table__), added[start : start + 5000])
    db.session.commit()
    after_bulk_load(Answer)
    total = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Answer)
        .join(Registration, Registration.id == Answer.registration_id)
        .where(Registration.event_id == event.id)
    )
    return {"answers": total, "added": len(added)}


#: Step name → (arguments it takes, what it does with them).
STEPS = {
    "upgrade": (0, lambda: upgrade() or {"upgraded": True}),
    "demo": (1, lambda n: seed(int(n))),
    "feed": (1, lambda n: add_feed_events(int(n))),
    "exports": (1, lambda sizes: add_export_events([int(s) for s in sizes.split(",")])),
    "answers": (1, lambda n: fill_answers(int(n))),
    "form": (0, demo_form),
}


def main(argv: list[str]) -> int:
    app = create_app()
    result = None
    with app.app_context():
        while argv:
            name, argv = argv[0], argv[1:]
            if name not in STEPS:
                print(f"unknown fixture {name!r}", file=sys.stderr)
                return 2
            count, step = STEPS[name]
            result, argv = step(*argv[:count]), argv[count:]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
