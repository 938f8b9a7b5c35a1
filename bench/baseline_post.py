"""Baseline for the registration figure: bare Flask inserting one row per POST.

``BENCH_BASELINE_DB`` is a SQLite file path, or a PostgreSQL URL (``postgresql://…``),
with ``BENCH_BASELINE_SCHEMA`` the schema to write in. One connection per worker process;
each POST reads four form fields, inserts one row, commits, and redirects (303), as the
app does after a registration.
"""

import os
import sqlite3
from datetime import UTC, datetime

from flask import Flask, redirect, request

TARGET = os.environ.get("BENCH_BASELINE_DB", "")
SCHEMA = os.environ.get("BENCH_BASELINE_SCHEMA", "public")

app = Flask(__name__)
_connection = None

CREATE = (
    "CREATE TABLE IF NOT EXISTS bench_rows (id {serial} PRIMARY KEY, first_name TEXT, "
    "last_name TEXT, email TEXT UNIQUE, company_name TEXT, created_at TIMESTAMP)"
)


def connection():
    global _connection
    if _connection is None:
        if TARGET.startswith("postgresql"):
            import psycopg

            url = TARGET.replace("postgresql+psycopg://", "postgresql://")
            _connection = psycopg.connect(url, options=f"-csearch_path={SCHEMA}")
        else:
            _connection = sqlite3.connect(TARGET, timeout=10, isolation_level=None)
            # The same settings as the app's SQLite connections (eventsreg/database.py).
            _connection.execute("PRAGMA journal_mode=WAL")
            _connection.execute("PRAGMA busy_timeout=10000")
            _connection.execute("PRAGMA foreign_keys=ON")
    return _connection


def create_tables() -> None:
    """Create the table (the harness calls it once, before the workers start)."""
    conn = connection()
    if TARGET.startswith("postgresql"):
        conn.execute(CREATE.format(serial="SERIAL"))
        conn.commit()
    else:
        conn.execute(CREATE.format(serial="INTEGER"))


@app.post("/register")
def register():
    form = request.form
    row = (
        form["first_name"],
        form["last_name"],
        form["email"].lower(),
        form["company_name"],
        datetime.now(UTC).replace(tzinfo=None),
    )
    conn = connection()
    if TARGET.startswith("postgresql"):
        conn.execute(
            "INSERT INTO bench_rows (first_name, last_name, email, company_name, created_at) "
            "VALUES (%s, %s, %s, %s, %s)",
            row,
        )
        conn.commit()
    else:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO bench_rows (first_name, last_name, email, company_name, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            row,
        )
        conn.execute("COMMIT")
    return redirect("/registered", code=303)


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
