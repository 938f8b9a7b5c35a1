"""The organiser's summaries of the largest events, built when a server process starts.

A process keeps what it summed up of an event (:mod:`.versions`) and brings it up to date
with what changed, a fraction of a second; but the first summary of a process reads every
registration and answer of the event: about 30 seconds at 100,000 registrations, which the
first organiser to open the dashboard after each start would wait through (once per
worker). :func:`start` does that reading in a thread of its own as soon as a gunicorn
worker has loaded the app (``gunicorn.conf.py``), for the events large enough to need it
(``SUMMARIES_WARMED_FROM`` registrations or more, the most recently active first, as many
as a process keeps): the server answers at once, and an organiser who arrives while an
event is being read waits for that reading instead of starting another one. What it costs
is the memory of those events' summaries from the start (about 700 MiB per worker for an
event of 100,000 registrations, measured in ``bench/fixes.md``).
"""

import logging
import threading
import time

import sqlalchemy as sa
from flask import Flask
from flask_babel import force_locale

from ..energy.estimate import Assumptions
from ..energy.picture import is_energy_event
from ..events.models import Event
from ..extensions import db
from ..registrations.models import Registration
from . import stats, versions

log = logging.getLogger(__name__)


def large_events(least: int) -> list[int]:
    """The events with *least* registrations or more (withdrawn ones included: the
    summaries read them all), the most recently active first, at most as many as a
    process keeps."""
    activity = sa.func.max(Registration.updated_at)
    return list(
        db.session.scalars(
            sa.select(Registration.event_id)
            .group_by(Registration.event_id)
            .having(sa.func.count() >= least)
            .order_by(activity.desc(), Registration.event_id)
            .limit(versions.MAX_EVENTS)
        )
    )


def warm_event(app: Flask, event_id: int) -> None:
    """Build what the dashboard and the energy-community panel of one event show, in each
    language, as their first view would."""
    event = db.session.get(Event, event_id)
    if event is None:  # deleted meanwhile
        return
    for language in app.config["LANGUAGES"]:
        with force_locale(language):
            stats.event_dashboard(event)
            if is_energy_event(event):
                stats.energy_figures(event, Assumptions.from_saved(event.energy_assumptions))


def warm(app: Flask) -> list[int]:
    """Build the summaries of the large events in this process; the events warmed. A
    failure (the database away) is logged: the pages build them on their first view."""
    least = app.config["SUMMARIES_WARMED_FROM"]
    warmed: list[int] = []
    if not least:
        return warmed
    with app.app_context():
        try:
            for event_id in large_events(least):
                started = time.perf_counter()
                warm_event(app, event_id)
                db.session.remove()  # no read transaction held between events
                warmed.append(event_id)
                log.info(
                    "organiser summaries of event %s ready in %.1f s",
                    event_id,
                    time.perf_counter() - started,
                )
        except Exception:
            log.exception("organiser summaries not built ahead: built on their first view")
        finally:
            db.session.remove()
    return warmed


def start(app: Flask) -> threading.Thread | None:
    """:func:`warm` in a daemon thread (it ends with the process); None when turned off."""
    if not app.config["SUMMARIES_WARMED_FROM"]:
        return None
    thread = threading.Thread(target=warm, args=(app,), name="summaries-warm-up", daemon=True)
    thread.start()
    return thread
