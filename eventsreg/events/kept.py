"""What is derived from an event version, kept between requests, per process.

An event's row, its questions, its registration form and what its emails say change only
when an organiser changes the event: they are the same for every visitor until then. This
module keeps them per process, keyed by the event's version, ``(id, updated_at)``: any
change to the event moves ``updated_at`` (``models.moved_version``), and so does any change
to one of its questions. What is kept belongs to no database session and is never
written; a commit elsewhere does not expire it.
"""

import copy
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from ..dbtypes import snapshot
from ..extensions import db
from .models import Event, EventSnapshot

#: Versions kept per process (several events, their latest versions, each kind of value).
MAX_VERSIONS = 64
_EXTENSION = "eventsreg.kept_per_event_version"


def version(event: Event) -> tuple:
    """What identifies the state of *event* and its questions."""
    return event.id, event.updated_at


def kept(kind: str, key: tuple, build):
    """The value this process keeps for (*kind*, *key*), built by *build()* the first time.

    A small per-application memory for what is derived from an event version: when full,
    it starts again (old versions are never asked for again).
    """
    memory = current_app.extensions.setdefault(_EXTENSION, {})
    full_key = (kind, *key)
    value = memory.get(full_key)
    if value is None:
        if len(memory) >= MAX_VERSIONS:
            memory.clear()
        value = memory[full_key] = build()
    return value


def kept_already(kind: str, key: tuple):
    """What :func:`kept` holds for (*kind*, *key*), or None: nothing is built."""
    return current_app.extensions.get(_EXTENSION, {}).get((kind, *key))


def stored_snapshot(event: Event) -> int | None:
    """The id of the stored copy of *event*'s columns at its version (``EventSnapshot``):
    the one this process knows, else one stored now in the caller's transaction (known to
    the process once that commits: a registration refused leaves nothing behind). None
    for an event with changes not yet written (it has no version yet)."""
    if sa.inspect(event).modified:
        return None
    key = version(event)
    known = kept_already(_SNAPSHOT, key)
    if known is not None:
        return known
    session = db.session()
    # Stored already in this transaction (every registrant's email of an event moved).
    written = session.info.setdefault(_SNAPSHOTS_WRITTEN, {})
    if key not in written:
        written[key] = _store_snapshot(session.connection(), event)
    return written[key]


_SNAPSHOT = "event_snapshot_id"
#: Session info key: the snapshots stored in its transaction, by event version.
_SNAPSHOTS_WRITTEN = "eventsreg.snapshots_written"


def _store_snapshot(connection, event: Event) -> int:
    row = {"event_id": event.id, "version": event.updated_at, "columns": snapshot(event)}
    dialect = {"sqlite": sqlite, "postgresql": postgresql}[connection.dialect.name]
    connection.execute(
        dialect.insert(EventSnapshot.__table__)
        .values(row)
        .on_conflict_do_nothing(index_elements=["event_id", "version"])
    )
    return connection.execute(
        sa.select(EventSnapshot.id).where(
            EventSnapshot.event_id == event.id, EventSnapshot.version == event.updated_at
        )
    ).scalar_one()


@sa.event.listens_for(Session, "after_commit")
def _snapshots_known_once_committed(session: Session) -> None:
    written = session.info.pop(_SNAPSHOTS_WRITTEN, None)
    if written and has_app_context():
        for key, stored in written.items():
            kept(_SNAPSHOT, key, lambda stored=stored: stored)


@sa.event.listens_for(Session, "after_rollback")
def _snapshots_undone(session: Session) -> None:
    session.info.pop(_SNAPSHOTS_WRITTEN, None)


def event_at(event_id: int, updated_at: datetime) -> Event:
    """The event *event_id* as it is at its version *updated_at* (just read from its row),
    in the session as if the ORM had read it: its columns are copied from those kept for
    that version, its relationships load when used. The ORM's reading of a row of 36
    columns is most of what a registration form's request spends on its event; the row
    itself is read once per version.

    An event the session holds already is that one, its columns brought to that version.
    """
    session = db.session()
    columns = kept("event_row", (event_id, updated_at), lambda: _row(event_id))
    if columns is None or columns["updated_at"] != updated_at:
        # Changed (or deleted) between the two reads: the ORM reads it as it is now.
        return session.get(Event, event_id, populate_existing=True)
    held = session.identity_map.get(sa.inspect(Event).identity_key_from_primary_key((event_id,)))
    if held is not None:
        # Brought to the version read unless it holds changes of its own (not written yet:
        # the row is still the version it was read at).
        if held.__dict__.get("updated_at") != updated_at and not sa.inspect(held).modified:
            for key, value in _own_copy(columns).items():
                set_committed_value(held, key, value)
        return held
    event = sa.inspect(Event).class_manager.new_instance()
    event.__dict__.update(_own_copy(columns))
    make_transient_to_detached(event)
    session.add(event)
    return event


def _row(event_id: int) -> dict | None:
    """Every column of event *event_id* by attribute name, as the ORM would set them."""
    attrs = sa.inspect(Event).column_attrs
    row = db.session.connection().execute(_row_statement(), {"event_id": event_id}).one_or_none()
    if row is None:
        return None
    return {attr.key: value for attr, value in zip(attrs, row, strict=True)}


@cache
def _row_statement() -> sa.Select:
    # Built once: the columns in the mapper's order.
    columns = [attr.columns[0] for attr in sa.inspect(Event).column_attrs]
    return sa.select(*columns).where(Event.id == sa.bindparam("event_id"))


def _own_copy(columns: dict) -> dict:
    """*columns* for one request: values that can be changed in place are its own."""
    return {**columns, **{key: copy.deepcopy(columns[key]) for key in _mutable_columns()}}


@cache
def _mutable_columns() -> tuple[str, ...]:
    """The attributes whose values are containers (JSON): copied for each request."""
    return tuple(
        attr.key
        for attr in sa.inspect(Event).column_attrs
        if isinstance(attr.columns[0].type, sa.JSON)
    )
