"""Does a conditional GET of /calendar.ics build the calendar? Counted, in process.

``python -m bench.feed_check N`` makes a temporary database with N published events,
GETs the feed once, then sends 20 conditional GETs with its ETag, counting the calls to
``calendar.build_calendar`` made while answering them. Prints {"built": n, "statuses": …}.
"""

import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

from eventsreg import calendar, create_app
from eventsreg.extensions import db

from .fixtures import add_feed_events


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv else 1000
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SECRET_KEY": "feed-check",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'feed.sqlite'}",
                "RATELIMIT_ENABLED": False,
            }
        )
        builds = Counter()
        original = calendar.build_calendar

        def counting(*args, **kwargs):
            builds["n"] += 1
            return original(*args, **kwargs)

        with app.app_context():
            db.create_all()
            add_feed_events(count)
            db.session.remove()
        client = app.test_client()
        first = client.get("/calendar.ics")
        etag = first.headers["ETag"]
        calendar.build_calendar = counting
        try:
            statuses = Counter(
                client.get("/calendar.ics", headers={"If-None-Match": etag}).status_code
                for _ in range(20)
            )
        finally:
            calendar.build_calendar = original
        with app.app_context():
            db.engine.dispose()
    print(
        json.dumps({"built": builds["n"], "statuses": dict(statuses), "first": first.status_code})
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
