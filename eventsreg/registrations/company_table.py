"""An event's active registrations with their answers, kept in memory and brought up to
date by reading only the registrations that changed since.

The organiser's summaries of a large event (100,000 registrations, 18 answers each) read
every active registration with its answers: seconds of work. Read once per process, the
table is then kept current by reading, on each request that finds the registrations
changed, only the rows whose ``updated_at`` is recent (an index on ``(event_id,
updated_at)``), with their answers. Every change to a registration moves its
``updated_at`` (a changed answer too: see :mod:`.companies`); a registration deleted
changes the number of the event's registrations, which is checked after each update:
when the table does not hold exactly the registrations the database holds, it is read
whole again.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..questions.models import Answer
from .companies import ROW_COLUMNS, Company, RegistrationRow, add_answers, registration_row
from .models import Registration

#: How far before the newest change already read the next read starts. A registration's
#: ``updated_at`` is set when it is flushed, and its transaction may commit after a
#: later-stamped one that was already read; rows read again unchanged are skipped.
LOOK_BACK = timedelta(minutes=5)
#: Registrations whose answers are read in one statement.
CHUNK = 500


@dataclass
class RowChange:
    """One registration as the table held it and as it holds it now (None: not active)."""

    before: RegistrationRow | None
    after: RegistrationRow | None
    #: When the registration was made, if it is new to the table…
    appeared: datetime | None = None
    #: …or if it was deleted.
    vanished: datetime | None = None


class CompanyTable:
    """The active registrations of one event, by id and by company."""

    def __init__(self, event_id: int):
        self.event_id = event_id
        #: Active registrations by id.
        self.rows: dict[int, RegistrationRow] = {}
        #: Every registration of the event (active or not): id → (``updated_at`` read,
        #: ``created_at``).
        self.stamps: dict[int, tuple[datetime, datetime]] = {}
        #: The active registrations' ids by company key.
        self.companies: dict[str, set[int]] = {}
        #: The newest ``updated_at`` read.
        self.newest: datetime | None = None
        #: Each distinct answer text decoded once.
        self._decoded: dict[str, object] = {}

    def company(self, key: str) -> Company | None:
        """The company's active registrations, latest first (None: it has none)."""
        ids = self.companies.get(key)
        if not ids:
            return None
        rows = sorted((self.rows[i] for i in ids), key=lambda r: (r.created_at, r.id))
        return Company(rows[::-1])

    def _query(self):
        return sa.select(
            *ROW_COLUMNS, Registration.updated_at, Registration.is_active.label("active")
        ).where(Registration.event_id == self.event_id)

    def load(self, connection) -> None:
        """Read the event's registrations and answers whole."""
        self.rows, self.stamps, self.companies, self.newest = {}, {}, {}, None
        self._decoded = {}
        for values in connection.execute(self._query().order_by(Registration.id)):
            self._read(values)
        answers = (
            sa.select(Answer.registration_id, Answer.question_id, sa.cast(Answer.value, sa.Text))
            .join(Registration, Registration.id == Answer.registration_id)
            .where(Registration.event_id == self.event_id, Registration.is_active)
        )
        add_answers(self.rows, connection.execute(answers), self._decoded)

    def update(self, connection, registrations: int) -> list[RowChange] | None:
        """Read what changed since the last read: the registrations that changed, or None
        when the table was read whole. *registrations*: the number of the event's
        registrations in the database, read before; when the table holds more, some were
        deleted, and the event's ids are read to find them."""
        if self.newest is None:
            self.load(connection)
            return None
        query = self._query().where(Registration.updated_at >= self.newest - LOOK_BACK)
        changes: dict[int, RowChange] = {}
        for values in connection.execute(query):
            id_, stamp = values[0], values[-2]
            known = self.stamps.get(id_)
            if known is not None and known[0] == stamp:
                continue  # read before, unchanged since
            before = self.rows.get(id_)
            if before is not None:
                self._forget(before)
            after = self._read(values)
            changes[id_] = RowChange(before, after, appeared=None if known else values[1])
        if len(self.stamps) < registrations:
            # One changed long before the newest change (written with an old time): the
            # table cannot say which, and is read whole.
            self.load(connection)
            return None
        if len(self.stamps) > registrations:
            # Some deleted (or made after the number was read: then nothing is found).
            self._find_deleted(connection, changes)
        fresh = {id_: change.after for id_, change in changes.items() if change.after}
        ids = list(fresh)
        for start in range(0, len(ids), CHUNK):
            answers = sa.select(
                Answer.registration_id, Answer.question_id, sa.cast(Answer.value, sa.Text)
            ).where(Answer.registration_id.in_(ids[start : start + CHUNK]))
            add_answers(fresh, connection.execute(answers), self._decoded)
        return list(changes.values())

    def _find_deleted(self, connection, changes: dict[int, RowChange]) -> None:
        present = set(
            connection.execute(
                sa.select(Registration.id).where(Registration.event_id == self.event_id)
            ).scalars()
        )
        for id_ in [id_ for id_ in self.stamps if id_ not in present]:
            _stamp, created = self.stamps.pop(id_)
            row = self.rows.get(id_)
            if row is not None:
                self._forget(row)
            change = changes.pop(id_, None)
            if change is not None and change.appeared:
                continue  # new and gone since: nothing was counted
            changes[id_] = RowChange(change.before if change else row, None, vanished=created)

    def _read(self, values) -> RegistrationRow | None:
        """Take in one registration's row (answers read apart); the row if active."""
        *columns, stamp, active = values
        id_ = columns[0]
        self.stamps[id_] = (stamp, columns[1])
        if self.newest is None or stamp > self.newest:
            self.newest = stamp
        if not active:
            return None
        row = self.rows[id_] = registration_row(columns)
        self.companies.setdefault(row.company_key, set()).add(id_)
        return row

    def _forget(self, row: RegistrationRow) -> None:
        del self.rows[row.id]
        ids = self.companies[row.company_key]
        ids.discard(row.id)
        if not ids:
            del self.companies[row.company_key]
