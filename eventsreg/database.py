"""Database behaviour shared by every engine: engine options, SQLite settings and write
locks.

SQLite and PostgreSQL run the same code. Where they differ, it is handled here:

- SQLite connections turn foreign keys on (off by default), wait on locks instead of
  failing at once, and use the write-ahead log so that readers never block the writer.
  A write that counts before it writes (seats) begins with BEGIN IMMEDIATE, taking the
  database's write lock first: two registrations counting the same seats never interleave.
- On PostgreSQL the same guarantee comes from SELECT … FOR UPDATE on the event row.
"""

import json
import sqlite3
from collections.abc import Callable
from contextlib import suppress
from functools import cache, lru_cache

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import make_transient_to_detached

from .extensions import db


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, connection_record):
    """Foreign keys on, a wait on locks, and readers that do not block the writer.

    https://www.sqlite.org/foreignkeys.html#fk_enable, https://www.sqlite.org/wal.html
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        # Every commit reaches the disk before it is answered (the default, said here
        # because it is a choice: NORMAL would skip that fsync under WAL, and a power cut
        # could then undo registrations already confirmed and emailed; see README.md).
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()


def engine_defaults(config) -> None:
    """Complete *config*'s engine options for its database.

    A pooled connection to a database server is pinged before each use: a server that
    restarted or dropped an idle connection costs a reconnect, not a failed request. A
    SQLite file cannot drop a connection, so its checkouts are not pinged (one statement
    less per request).
    """
    defaults = {}
    if not config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        defaults["pool_pre_ping"] = True
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {**defaults, **config["SQLALCHEMY_ENGINE_OPTIONS"]}


def lock_row(obj, version: str) -> None:
    """Start a write transaction that holds the row of the loaded model instance *obj*
    until commit.

    PostgreSQL locks the row (SELECT … FOR UPDATE). SQLite has no row locks: a
    transaction begins that takes the database's write lock (reads run without one;
    anything written before is committed first).

    What was loaded before the lock may have changed while we waited for it (a second
    click on "withdraw"): everything the session holds is read again when next used.
    *obj* too, unless its column *version* (a value every change of the row moves) still
    says what was loaded: then its columns are the row as it is, and reading them again
    would only repeat work (a registration's event, on every registration); the rows it
    refers to (its loaded relationships) are read again all the same.
    """
    session = db.session()
    if session.get_bind().dialect.name == "sqlite":
        connection = session.connection()
        if connection.connection.dbapi_connection.in_transaction:
            # The driver opens a transaction at the first write (reads run without one).
            # Callers lock before writing, so this is rare; what was written is committed
            # first, without expiring anything (what needs it is expired below).
            expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
            try:
                session.commit()
            finally:
                session.expire_on_commit = expire_on_commit
            connection = session.connection()
        # With no transaction open in the driver, ours begins holding the write lock.
        run(connection, "BEGIN IMMEDIATE", ())
    model = type(obj)
    loaded = obj.__dict__.get(version)
    # A column read on the session's connection: the ORM's layer around a statement
    # would only add work (this runs on every registration). What the session holds
    # unwritten is written first, as the session would, before anything is expired.
    session.flush()
    [current] = read_row(_lock_statement(model, version), {"row_id": obj.id})
    unchanged = loaded is not None and current == loaded
    for held in list(session.identity_map.values()):
        if held is not obj or not unchanged:
            session.expire(held)
            continue
        related = [key for key in sa.inspect(model).relationships.keys() if key in held.__dict__]
        if related:
            session.expire(held, related)


@cache
def _lock_statement(model, version: str) -> sa.Select:
    # Built once per model (every registration takes the lock).
    return (
        sa.select(getattr(model, version))
        .where(model.id == sa.bindparam("row_id"))
        .with_for_update()
    )


def after_bulk_load(*models) -> None:
    """Tell PostgreSQL's planner what a bulk load just wrote to *models*' tables.

    Statistics of a table come from ANALYZE, which autovacuum runs only on its next round
    (up to a minute later); until then the planner plans for the table as it was. Right
    after a load of thousands of rows into an empty table, it took the seats' index to find
    a registration by its address, reading the whole event's registrations each time.
    PostgreSQL's manual asks for ANALYZE after a bulk load ("Populating a Database: Run
    ANALYZE Afterwards", https://www.postgresql.org/docs/15/populate.html, checked
    2026-12-03). SQLite keeps no statistics unless asked to, and its planner does
    without: nothing is done there.
    """
    session = db.session()
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        return
    tables = ", ".join(
        dialect.identifier_preparer.format_table(model.__table__) for model in models
    )
    session.execute(sa.text(f"ANALYZE {tables}"))
    session.commit()


def changed_parents(session, child_type, parent: str, parent_type, foreign_key: str) -> list:
    """The parents (``child.<parent>``) of the *child_type* objects that the flush under way
    adds, changes or removes: for a before_flush listener that moves the parent's version
    when a child changes. A child taken off its parent's list has lost the relationship but
    not its *foreign_key*, which finds the parent; parents being deleted are left out."""
    parents: dict[int, object] = {}
    for child in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(child, child_type):
            continue
        if child in session.dirty and not session.is_modified(child):
            continue
        found = getattr(child, parent)
        if found is None and (parent_id := getattr(child, foreign_key)) is not None:
            found = session.get(parent_type, parent_id)
        if found is not None and found not in session.deleted:
            parents[id(found)] = found
    return list(parents.values())


#: Table → what is called after :func:`insert_new` wrote a row to it (see ``on_insert``).
_INSERT_HOOKS: dict[sa.Table, list[Callable[[], None]]] = {}


def on_insert(table: sa.Table, hook: Callable[[], None]) -> None:
    """Have *hook* called each time :func:`insert_new` writes a row to *table*: those rows
    are written on the session's connection, which the session's own listeners (of its
    flushes and statements) do not see."""
    _INSERT_HOOKS.setdefault(table, []).append(hook)


def insert_new(obj) -> None:
    """INSERT the new (transient) model instance *obj* in one statement and put it in the
    session as if it had been read: no unit of work for a row written on a hot path.

    Every column not set on *obj* takes its default (a value or a function of nothing)
    or NULL, set on *obj* too, so that nothing of it is read back; its primary key comes
    from RETURNING. Its relationships are left unloaded: link it by foreign key columns,
    not by relationship. What the session holds unwritten is flushed first, so that rows
    are written in the order they were made (the row may refer to them). The statement
    runs on the session's connection, in its transaction, its values converted by their
    columns' types and given to the driver (:func:`_driver_insert`); what watches the
    table is told by ``on_insert``.
    """
    db.session.flush()
    table, key, columns, names = _insert_plan(type(obj))
    given = obj.__dict__
    values = {}
    # Read and written in the instance's dict, without the ORM's layer on each attribute:
    # nothing of a new object's changes is to be recorded, since it is made persistent
    # below as if it had been read (make_transient_to_detached).
    for attr_key, column_key, default, is_callable in columns:
        if attr_key not in given:
            given[attr_key] = default(None) if is_callable else default
        values[column_key] = given[attr_key]
    connection = db.session.connection()
    sql, order, converters, named = _driver_insert(connection.dialect, table, names, key)
    row = _converted(tuple([values[name] for name in order]), converters)
    parameters = dict(zip(order, row, strict=True)) if named else row
    [given[key]] = run(connection, sql, parameters)
    make_transient_to_detached(obj)
    db.session.add(obj)
    for hook in _INSERT_HOOKS.get(table, ()):
        hook()


@cache
def _insert_plan(model) -> tuple:
    """How *model*'s rows are inserted, worked out once: its table, the primary key's
    attribute, per other column its attribute, column, default and whether that is a
    function (of no context), and those columns' names."""
    mapper = sa.inspect(model)
    [primary] = mapper.primary_key
    table = mapper.local_table
    columns = []
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        if column.primary_key:
            continue
        default = column.default
        value = None if default is None else default.arg
        columns.append((attr.key, column.key, value, default is not None and default.is_callable))
    key = mapper.get_property_by_column(primary).key
    assert key == primary.key, (key, primary.key)
    return table, key, tuple(columns), tuple(column_key for _, column_key, _, _ in columns)


def insert_rows(table: sa.Table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """INSERT *rows* (tuples of values for *columns*) into *table* in one statement on the
    session's connection, in its transaction, each value stored as an INSERT through
    SQLAlchemy stores it. Nothing is read back, and what watches the table is not told.

    On SQLite the statement runs once per row (``executemany``, in the driver's C code),
    the values converted as :func:`_driver_insert` converts them. On PostgreSQL psycopg
    would send one execution per row, each row's parameters and results handled in
    Python: the rows go instead as one JSON document, made into rows by the server in
    one execution (:func:`_recordset_insert`).
    """
    if not rows:
        return
    connection = db.session.connection()
    dialect = connection.dialect
    if dialect.name == "postgresql":
        sql, serialize, as_text = _recordset_insert(dialect, table, columns)
        document = [dict(zip(columns, row, strict=True)) for row in rows]
        for name in as_text:
            for record in document:
                record[name] = serialize(record[name])
        run(connection, sql, (serialize(document),))
        return
    sql, order, converters, named = _driver_insert(dialect, table, columns, None)
    if order != columns:
        rows = [tuple([row[columns.index(name)] for name in order]) for row in rows]
    if converters:
        rows = [_converted(row, converters) for row in rows]
    if named:
        rows = [dict(zip(order, row, strict=True)) for row in rows]
    run(connection, sql, rows, many=True)


@lru_cache(maxsize=64)
def _recordset_insert(dialect, table: sa.Table, columns: tuple[str, ...]) -> tuple:
    """An INSERT into *table* of the rows of one JSON document (a list of objects keyed
    by *columns*), for PostgreSQL: its SQL, the serializer of the document (SQLAlchemy's
    for JSON columns) and the JSON columns, whose values go in the document as the text
    that serializer writes for them. One statement, the same text whatever the number
    of rows: prepared once by the driver.

    json_to_recordset() gives each object as a row, in order, each value read as the type
    declared for it (https://www.postgresql.org/docs/15/functions-json.html, checked on
    2026-12-03). A JSON column's value is read as text, then cast: the server keeps the
    text as written, which is what SQLAlchemy stores (read as ``json`` straight from the
    document, a string would lose its escapes). A Python None is SQL NULL. Only columns
    whose values JSON gives exactly are taken: whole numbers, text, true/false and JSON.
    """
    quote = dialect.identifier_preparer.quote
    declared, selected, as_text = [], [], []
    for name in columns:
        type_ = table.c[name].type
        column_type = type_.compile(dialect=dialect)
        if isinstance(type_, sa.JSON):
            as_text.append(name)
            declared.append(f"{quote(name)} TEXT")
            selected.append(f"CAST({quote(name)} AS {column_type})")
        elif type_.python_type in (int, str, bool):
            declared.append(f"{quote(name)} {column_type}")
            selected.append(quote(name))
        else:
            raise TypeError(f"{table.name}.{name}: {type_!r} is not written through JSON")
    sql = (
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "
        f"({', '.join(quote(name) for name in columns)}) SELECT {', '.join(selected)} "
        f"FROM json_to_recordset(%s::json) AS rows ({', '.join(declared)})"
    )
    return sql, dialect._json_serializer or json.dumps, tuple(as_text)


def _converted(row: tuple, converters: tuple) -> tuple:
    """*row* with the values at the converters' positions converted."""
    if not converters:
        return row
    values = list(row)
    for index, convert in converters:
        values[index] = convert(values[index])
    return tuple(values)


@lru_cache(maxsize=256)
def _driver_insert(dialect, table: sa.Table, columns: tuple[str, ...], returning: str | None):
    """An INSERT of *columns* into *table* for *dialect*, compiled once, run with the
    driver's own parameters: the values go to the database driver as they are, each
    converted by its column's type as SQLAlchemy would (a JSON value serialised, an
    enum's name, a time in UTC): the same stored bytes as an INSERT through SQLAlchemy,
    without its work on each statement's parameters, about half of what writing a row
    cost on a registration (bench/fixes.md).

    Returns the SQL (RETURNING the column *returning*, if given), the columns in the
    order the driver takes them, the columns whose values are converted (position,
    conversion), and whether the parameters are named.
    """
    statement = sa.insert(table).values({name: sa.bindparam(name) for name in columns})
    # inline: no RETURNING of new ids nobody reads.
    statement = statement.returning(table.c[returning]) if returning else statement.inline()
    compiled = statement.compile(dialect=dialect)
    order = tuple(compiled.positiontup) if compiled.positional else columns
    assert sorted(order) == sorted(columns), (order, columns)
    converters = tuple(
        (index, convert)
        for index, name in enumerate(order)
        if (convert := _to_driver(table.c[name].type, dialect)) is not None
    )
    return str(compiled), order, converters, not compiled.positional


def _to_driver(type_, dialect):
    """How SQLAlchemy converts a value of *type_* for *dialect*'s driver (None: as it is)."""
    return type_.dialect_impl(dialect).bind_processor(dialect)


def run(connection: sa.Connection, sql: str, parameters, *, many: bool = False) -> tuple | None:
    """Run *sql* with the driver's own *parameters* (a list of them when *many*) on
    *connection*, in its transaction; the first row it returns, None without one.

    The statement goes to the driver's cursor directly: SQLAlchemy's work around a
    statement (an execution context, a result object) was about 20 microseconds on
    SQLite and 70 on PostgreSQL for each of the seven statements of a registration, a
    twentieth of its time (bench/fixes.md). What SQLAlchemy does that matters here is
    done all the same: a driver's error is raised as SQLAlchemy raises it (an
    IntegrityError, say), and a connection found broken is dropped from the pool. When
    anything listens to the connection's statements (a test counting them, say), the
    statement runs through SQLAlchemy instead, so that the listeners see it.
    """
    if connection._has_events or connection.engine._has_events:
        result = connection.exec_driver_sql(sql, parameters)
        row = result.first() if result.returns_rows else None
        return None if row is None else tuple(row)
    cursor = None
    try:
        cursor = connection.connection.dbapi_connection.cursor()
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        row = cursor.fetchone() if cursor.description is not None else None
        cursor.close()
        return row
    except BaseException as error:
        if cursor is not None:
            with suppress(Exception):
                cursor.close()
        # As SQLAlchemy handles what a statement raised: a driver's error wrapped, the
        # connection invalidated if it is broken (or the process is interrupted), raised.
        connection._handle_dbapi_exception(error, sql, parameters, cursor, None)


def read_row(statement: sa.Select, parameters: dict) -> tuple | None:
    """The first row of *statement* (built once, its variable parameters named by
    ``bindparam``) with *parameters*, on the session's connection, in its transaction; None
    when there is none.

    Run as :func:`_driver_insert` runs an INSERT: compiled once, given to the driver with
    the driver's own parameters, and each column of the row converted by its type as
    SQLAlchemy would (a time in UTC); without SQLAlchemy's work around a statement, for
    the few reads every registration makes (its event's version, the lock, the seats).
    """
    connection = db.session.connection()
    sql, order, constants, results = _driver_select(connection.dialect, statement)
    values = {**constants, **parameters}
    row = run(
        connection, sql, tuple([values[name] for name in order]) if order is not None else values
    )
    if row is None:
        return None
    return tuple(
        [
            value if convert is None else convert(value)
            for convert, value in zip(results, row, strict=True)
        ]
    )


@lru_cache(maxsize=256)
def _driver_select(dialect, statement: sa.Select) -> tuple:
    """:func:`read_row`'s plan of *statement* for *dialect*: its SQL, the order of its
    parameters (None when they are named), the values of those fixed in the statement
    (converted), and the conversion of each column of a row."""
    compiled = statement.compile(dialect=dialect)
    constants = {}
    for name, bind in compiled.binds.items():
        if not bind.required:
            convert = _to_driver(bind.type, dialect)
            value = bind.effective_value
            constants[name] = value if convert is None else convert(value)
    results = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None)
        for column in statement.selected_columns
    )
    order = tuple(compiled.positiontup) if compiled.positional else None
    return str(compiled), order, constants, results
