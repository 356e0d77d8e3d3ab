"""Engine set-up that keeps writes safe on SQLite and PostgreSQL.

SQLite: WAL, foreign keys on, a busy timeout, and every transaction that may write starts with
``BEGIN IMMEDIATE``. With pysqlite's default deferred transactions, concurrent read-then-write
requests silently lose updates or fail with "database is locked"; taking the write lock up front
makes such requests wait for each other instead. Read-only requests (GET, HEAD, OPTIONS) keep a
plain deferred ``BEGIN`` so that readers never queue behind writers.

PostgreSQL: read-then-write code uses ``SELECT ... FOR UPDATE`` or atomic ``UPDATE``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from flask import has_request_context, request
from sqlalchemy import Engine, event

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SQLITE_BUSY_TIMEOUT_MS = 15_000


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _begin_statement() -> str:
    if has_request_context() and request.method in READ_ONLY_METHODS:
        return "BEGIN"
    return "BEGIN IMMEDIATE"


def create_private_file(path: str | os.PathLike) -> None:
    """Create `path` empty with mode 0600 unless it exists. SQLite gives a database's -wal and
    -shm files the mode of the database file, so creating it first keeps all three private."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def create_private_sqlite_file(engine: Engine) -> None:
    """Before SQLite creates a database file with the process's umask (often world-readable),
    create it readable by its owner only."""
    database = engine.url.database
    if database in (None, "", ":memory:") or database.startswith("file:"):
        return
    if Path(database).parent.is_dir():
        create_private_file(database)


def configure_engine(engine: Engine) -> None:
    """Install the connection and transaction hooks for the engine's dialect."""
    if not is_sqlite(engine):
        return
    create_private_sqlite_file(engine)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself instead of pysqlite.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql(_begin_statement())


@contextlib.contextmanager
def count_queries(engine: Engine) -> Iterator[list[str]]:
    """Collect the SQL statements run on `engine` inside the block (tests, benchmarks)."""
    statements: list[str] = []

    def _record(_conn, _cursor, statement, _params, _context, _executemany) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", _record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _record)
