"""What the organiser's summaries of a large event cost to build, kept per process and
brought up to date with what changed.

The dashboard and the energy-community panel sum up every active registration of an event
with its answers: at 100,000 registrations reading them is seconds of work, while an
organiser looks at the same numbers again and again and registrations arrive one at a
time. Each process keeps, per event, the registrations read (a
:class:`~eventsreg.registrations.company_table.CompanyTable`) and what is summed up from
them by company (:class:`Tally`, given by the caller), with the version they were read at:
over the event's registrations, their number, the newest ``updated_at`` and the highest
id, read in one aggregate query on every request. When it moved, only the registrations
changed since are read and summed again (a changed answer moves its registration's
``updated_at``: see :mod:`eventsreg.registrations.companies`). The results
built from a tally (the dashboard, per language) are kept until the next change.

The registrations read do not depend on the event: when it changes (its texts, the
energy assumptions), they stay, and the tally is summed again from them only if what it
depends on changed (its questions, its time zone).
"""

import contextlib
import gc
import threading
from collections.abc import Callable
from typing import Protocol, TypeVar

import sqlalchemy as sa
from flask import current_app
from flask_babel import get_locale

from ..events.models import Event
from ..extensions import db
from ..registrations.company_table import CompanyTable, RowChange
from ..registrations.models import Registration

T = TypeVar("T")

#: Events whose registrations a process keeps at most.
MAX_EVENTS = 4
_EXTENSION = "eventsreg.organizer_summaries"


class Tally(Protocol):
    """What is summed up from a table's registrations and follows its changes."""

    def rebuild(self) -> None: ...

    def apply(self, changes: list[RowChange]) -> None: ...


#: Threads inside :func:`_no_collection` (a request and the warm-up may overlap), and
#: whether the collector was on before the first of them: the last one out puts it back.
_uncollected = {"threads": 0, "was_on": False}
_collector_switch = threading.Lock()
#: Guards each process's kept events (the dictionary, not the events: each has its lock).
_memory_lock = threading.Lock()


@contextlib.contextmanager
def _no_collection():
    """Work that may make millions of long-lived objects (a large event's answers), none
    of them garbage: the garbage collector's full passes would walk all of them again and
    again. Yields a function to call, inside, once the event was read whole: what exists
    then is left out of the collector's later passes (``gc.freeze``), which would
    otherwise walk millions of objects, a second or more each, at any allocation that
    triggers one; frozen before the collector is on again, or its first pass would walk
    them all once. Rows and answers hold no reference cycles: reference counting frees
    them when they are dropped. The collector is on again only when no thread is inside."""
    with _collector_switch:
        if not _uncollected["threads"]:
            _uncollected["was_on"] = gc.isenabled()
            gc.disable()
        _uncollected["threads"] += 1
    try:
        yield gc.freeze
    finally:
        with _collector_switch:
            _uncollected["threads"] -= 1
            if not _uncollected["threads"] and _uncollected["was_on"]:
                gc.enable()


def data_version(event: Event) -> tuple:
    """What changes whenever anything the event's summaries show changes."""
    count, changed, highest = db.session.execute(
        sa.select(
            sa.func.count(), sa.func.max(Registration.updated_at), sa.func.max(Registration.id)
        ).where(Registration.event_id == event.id)
    ).one()
    return event.updated_at, count, str(changed), highest


class Kept:
    """One event's registrations, their tally and the results built from them."""

    def __init__(self, event: Event, tally: Callable[[CompanyTable], Tally], signature):
        self.table = CompanyTable(event.id)
        self.signature = signature
        self.tally = tally(self.table)
        self.version: tuple | None = None
        self.results: dict[tuple, object] = {}
        self.lock = threading.RLock()

    def bring_up_to(self, version: tuple) -> None:
        if version == self.version:
            return
        with _no_collection() as keep_out_of_collection:
            changes = self.table.update(db.session.connection(), version[1])
            if changes is None:
                self.tally.rebuild()
                keep_out_of_collection()
            else:
                self.tally.apply(changes)
        self.version = version
        self.results = {}

    def result(self, name: str, build: Callable[[], T]) -> T:
        """The result of *build* (``name`` says which, per language) at this version."""
        key = (name, str(get_locale()))
        if key not in self.results:
            self.results[key] = build()
        return self.results[key]  # type: ignore[return-value]


def kept(event: Event, tally: Callable[[CompanyTable], Tally], signature) -> Kept:
    """*event*'s kept registrations and tally. The registrations are kept whatever happens
    to the event; the tally is made again by *tally* when *signature* (what it depends on
    of the event: its questions, its time zone) changed. Use it under its ``lock``."""
    with _memory_lock:
        memory: dict[int, Kept] = current_app.extensions.setdefault(_EXTENSION, {})
        found = memory.get(event.id)
        if found is None:
            if len(memory) >= MAX_EVENTS:
                memory.pop(next(iter(memory)))
            found = memory[event.id] = Kept(event, tally, signature)
            return found
    if found.signature != signature:
        with found.lock, _no_collection() as keep_out_of_collection:
            if found.signature != signature:  # not done meanwhile by another thread
                found.signature, found.tally = signature, tally(found.table)
                found.results = {}
                keep_out_of_collection()
    return found


def summary(event: Event, tally: Callable[[CompanyTable], Tally], signature, name: str, build):
    """The result of ``build(kept)`` for *event*, built again only after the event or its
    registrations changed (the tally following the registrations first)."""
    found = kept(event, tally, signature)
    version = data_version(event)
    with found.lock:
        found.bring_up_to(version)
        return found.result(name, lambda: build(found))
