"""What the organiser's summaries of a large event cost to build, kept per version of its
registrations.

The dashboard and the energy-community panel sum up every active registration of an event
with its answers: at 100,000 registrations that is seconds of work, while an organiser
looks at the same numbers again and again. Each process keeps the latest result per event
and language, with the version it was built from: the event's ``updated_at`` (which its
questions move too), and, over its registrations, their number, the newest ``updated_at``
and the highest id, read in one aggregate query on every request. Any registration added,
changed or removed moves one of them (a changed answer moves its registration's
``updated_at``: see :mod:`eventsreg.registrations.companies`), so a summary is never
served for data that changed, in this process or another; it is built again on the next
request.
"""

from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app
from flask_babel import get_locale

from ..events.models import Event
from ..extensions import db
from ..registrations.models import Registration

T = TypeVar("T")

#: Results kept per process at most (events × languages × kinds of summary).
MAX_KEPT = 8
_EXTENSION = "eventsreg.organizer_summaries"


def data_version(event: Event) -> tuple:
    """What changes whenever anything the event's summaries show changes."""
    count, changed, highest = db.session.execute(
        sa.select(
            sa.func.count(), sa.func.max(Registration.updated_at), sa.func.max(Registration.id)
        ).where(Registration.event_id == event.id)
    ).one()
    return event.updated_at, count, str(changed), highest


def kept(event: Event, name: str, build: Callable[[], T]) -> T:
    """The result of *build* for *event* (``name`` says which summary), built again only
    when the event's data changed since it was kept."""
    memory = current_app.extensions.setdefault(_EXTENSION, {})
    key = (name, event.id, str(get_locale()))
    version = data_version(event)
    found = memory.get(key)
    if found is not None and found[0] == version:
        return found[1]
    result = build()
    if key not in memory and len(memory) >= MAX_KEPT:
        memory.pop(next(iter(memory)))
    memory[key] = (version, result)
    return result
