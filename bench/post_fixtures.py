"""The registration figure's second event: the demo's form with seats for everyone.

``python -m bench.post_fixtures confirmed N`` copies the demo event (texts, venue, form
profile, the same questionnaire) to an event without a capacity and gives it N seeded
registrations, so that every in-person registration is confirmed and its confirmation
carries the calendar invitation. It prints the new event's slug and question fields as JSON.
"""

import json
import sys

import sqlalchemy as sa

from eventsreg import create_app
from eventsreg.demo import DEMO_SLUG, seed_registrations
from eventsreg.events.models import Event
from eventsreg.extensions import db
from eventsreg.questions.library import ENERGY_COMMUNITY, sync_questionnaire

CONFIRMED_SLUG = "bench-iscrizioni-confermate"
#: Columns not copied from the demo event.
SKIPPED = {"id", "slug", "capacity", "created_at", "updated_at"}


def confirmed_event(registrations: int) -> dict:
    demo = db.session.scalar(sa.select(Event).where(Event.slug == DEMO_SLUG))
    event = db.session.scalar(sa.select(Event).where(Event.slug == CONFIRMED_SLUG))
    if event is None:
        event = Event(slug=CONFIRMED_SLUG)
        for column in Event.__table__.columns:
            if column.key not in SKIPPED:
                setattr(event, column.key, getattr(demo, column.key))
        event.capacity = None
        db.session.add(event)
        sync_questionnaire(event, ENERGY_COMMUNITY)
        db.session.commit()
        seed_registrations(event, registrations, seed=7)
    return {"slug": event.slug, "fields": {q.code: q.field_name for q in event.questions}}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "confirmed":
        print("usage: python -m bench.post_fixtures confirmed N", file=sys.stderr)
        return 2
    app = create_app()
    with app.app_context():
        result = confirmed_event(int(argv[1]))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
