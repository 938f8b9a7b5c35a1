"""Profile one figure in process with pyinstrument: ``python -m bench.profile WHAT [N]``.

WHAT is ``page`` (the event page), ``post`` (registration POSTs), ``write`` (writing
the confirmations of N registration POSTs at delivery, from their drafts), ``feed`` (full
/calendar.ics), ``feed304`` (conditional GETs) or ``csv`` / ``xlsx`` (an export of N
registrations). It builds a temporary database as the harness does, runs the requests
through the Flask test client (CSRF on, rate limits off, no delivery after the response)
and prints pyinstrument's report; ``--html FILE`` writes the HTML one as well.
"""

import argparse
import os
import re
import tempfile
from pathlib import Path

import sqlalchemy as sa
from pyinstrument import Profiler

from eventsreg import create_app, exports
from eventsreg.demo import DEMO_SLUG, seed_demo, seed_registrations
from eventsreg.events.models import Event
from eventsreg.extensions import db
from eventsreg.mail.models import OutboxEmail
from eventsreg.mail.outbox import write

from .fixtures import add_export_events, add_feed_events, export_slug
from .run import DEMO_ANSWERS, form_body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["page", "post", "write", "feed", "feed304", "csv", "xlsx"])
    parser.add_argument("n", type=int, nargs="?", default=200)
    parser.add_argument("--html")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SECRET_KEY": "profile",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'profile.sqlite'}",
                "RATELIMIT_ENABLED": False,
                "MAIL_DELIVER_AFTER_REQUEST": False,
            }
        )
        with app.app_context():
            db.create_all()
            event = seed_demo()
            seed_registrations(event, 1000)
            if args.what.startswith("feed"):
                add_feed_events(1000)
            if args.what in ("csv", "xlsx"):
                add_export_events([args.n])
            fields = {q.code: q.field_name for q in event.questions}
            db.session.remove()
        client = app.test_client()
        profiler = Profiler(interval=0.0005)
        if args.what == "page":
            client.get(f"/events/{DEMO_SLUG}/")
            profiler.start()
            for _ in range(args.n):
                client.get(f"/events/{DEMO_SLUG}/")
        elif args.what in ("post", "write"):
            page = client.get(f"/events/{DEMO_SLUG}/register").get_data(as_text=True)
            csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            assert set(DEMO_ANSWERS) <= set(fields)
            profiler.start()
            for n in range(args.n):
                response = client.post(
                    f"/events/{DEMO_SLUG}/register",
                    data=form_body(fields, csrf, f"profilo.{n}@example.it", n),
                    content_type="application/x-www-form-urlencoded",
                )
                assert response.status_code == 303, response.status_code
            if args.what == "write":
                profiler.stop()
                profiler = Profiler(interval=0.0005)
                with app.app_context():
                    rows = list(db.session.scalars(sa.select(OutboxEmail)))
                    profiler.start()
                    for row in rows:
                        write(row)
        elif args.what in ("feed", "feed304"):
            etag = client.get("/calendar.ics").headers["ETag"]
            headers = {"If-None-Match": etag} if args.what == "feed304" else {}
            profiler.start()
            for _ in range(20 if args.what == "feed" else args.n):
                client.get("/calendar.ics", headers=headers)
        else:
            with app.app_context():
                event = db.session.query(Event).filter_by(slug=export_slug(args.n)).one()
                profiler.start()
                if args.what == "csv":
                    for _chunk in exports.csv_chunks(event, ";"):
                        pass
                else:
                    for _chunk in exports.xlsx_chunks(event):
                        pass
        profiler.stop()
        with app.app_context():
            db.engine.dispose()
    show_all = os.environ.get("PROFILE_ALL") == "1"
    print(profiler.output_text(unicode=True, color=False, show_all=show_all))
    if args.html:
        Path(args.html).write_text(profiler.output_html())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
