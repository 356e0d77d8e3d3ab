"""Backups that run while people work, and restores that refuse to destroy data by accident.

SQLite: the online backup API copies the whole database in one step inside a read
transaction. In WAL mode readers never block writers, so the copy is a consistent snapshot of
the moment the step began and writers carry on meanwhile. A stepwise copy (a few pages at a time)
would restart every time another connection writes, and might never finish under load.

PostgreSQL: ``pg_dump --format=custom``, which reads everything inside one repeatable-read
snapshot, and ``pg_restore`` in a single transaction.

Both write the backup to a temporary file beside the target, check it, and only then move it
into place (mode 0600), so a failed backup never leaves a truncated file under the final name.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from lms.database import create_private_file

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why, for a person."""


@dataclass
class RestoreReport:
    """What a restore put in place: rows per table of the restored database."""

    row_counts: dict[str, int] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.row_counts.values())


def backend_of(database_url: str) -> str:
    name = make_url(database_url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {name}")
    return name


# --- backup ---------------------------------------------------------------------------------


def backup_database(database_url: str, target: Path, *, overwrite: bool = False) -> Path:
    """Write a consistent copy of the database at `database_url` to `target`."""
    target = Path(target)
    if target.exists() and not overwrite:
        raise BackupError(f"{target} exists; choose another name or pass --force to replace it")
    if target.is_dir():
        raise BackupError(f"{target} is a folder; give a file name for the backup")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    with _temporary_beside(target) as partial:
        if backend_of(database_url) == "sqlite":
            _sqlite_backup(_sqlite_path(database_url), partial)
            _check_sqlite_file(partial)
        else:
            _pg_dump(make_url(database_url), partial)
            _check_pg_dump_file(partial)
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    return target


def _sqlite_backup(source_path: Path, destination: Path) -> None:
    if not source_path.is_file():
        raise BackupError(f"the database file {source_path} does not exist")
    with (
        closing(sqlite3.connect(source_path, timeout=30)) as source,
        closing(sqlite3.connect(destination)) as copy,
    ):
        source.backup(copy, pages=-1)
        # The copy keeps the source's WAL mode; one self-contained file is easier to move around.
        copy.execute("PRAGMA journal_mode = DELETE")


def _pg_dump(url: URL, destination: Path) -> None:
    command = ["pg_dump", "--format=custom", "--no-owner", f"--file={destination}"]
    _run_pg_tool(command, url)


# --- restore --------------------------------------------------------------------------------


def restore_database(database_url: str, source: Path, *, force: bool = False) -> RestoreReport:
    """Replace the database at `database_url` by the backup at `source`.

    Refuses a target that holds any table unless `force`; checks the backup's integrity before
    anything is changed; returns the row counts of the restored database."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source}: no such backup file")
    if backend_of(database_url) == "sqlite":
        _check_sqlite_file(source)
        create_private_file(_sqlite_path(database_url))
    else:
        _check_pg_dump_file(source)
    engine = sa.create_engine(database_url)
    try:
        existing = sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if existing and not force:
        raise BackupError(
            f"the database is not empty ({len(existing)} tables); pass --force to replace it"
        )
    if backend_of(database_url) == "sqlite":
        _sqlite_restore(source, _sqlite_path(database_url))
    else:
        _pg_restore(source, make_url(database_url), clean=bool(existing))
    return RestoreReport(row_counts=row_counts(database_url))


def _sqlite_restore(source: Path, target_path: Path) -> None:
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup,
        closing(sqlite3.connect(target_path, timeout=30)) as target,
    ):
        # The backup API replaces the target's pages under its write lock, so readers of a
        # live target see either the old database or the restored one, never a mixture.
        backup.backup(target, pages=-1)
        result = target.execute("PRAGMA integrity_check").fetchone()
    if not result or result[0] != "ok":
        raise BackupError(f"the restored database failed its integrity check: {result}")


def _pg_restore(source: Path, url: URL, *, clean: bool) -> None:
    command = ["pg_restore", "--no-owner", "--single-transaction", "--exit-on-error"]
    if clean:
        command += ["--clean", "--if-exists"]
    command.append(str(source))
    _run_pg_tool(command, url, database_option=True)


def row_counts(database_url: str) -> dict[str, int]:
    """Rows per table, in table-name order."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            names = sorted(sa.inspect(connection).get_table_names())
            preparer = engine.dialect.identifier_preparer
            return {
                name: connection.execute(
                    sa.text(f"SELECT count(*) FROM {preparer.quote(name)}")
                ).scalar_one()
                for name in names
            }
    finally:
        engine.dispose()


# --- checks ---------------------------------------------------------------------------------


def _check_sqlite_file(path: Path) -> None:
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(f"{path} is not a SQLite backup")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            result = connection.execute("PRAGMA integrity_check").fetchone()
            has_schema = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is damaged: {error}") from None
    if not result or result[0] != "ok":
        raise BackupError(f"{path} failed its integrity check: {result[0] if result else '?'}")
    if not has_schema:
        raise BackupError(f"{path} is a SQLite file but not a backup of this application")


def _check_pg_dump_file(path: Path) -> None:
    with path.open("rb") as handle:
        if handle.read(len(PG_DUMP_MAGIC)) != PG_DUMP_MAGIC:
            raise BackupError(f"{path} is not a pg_dump custom-format backup")
    listing = _run(["pg_restore", "--list", str(path)], env=None)
    if "alembic_version" not in listing:
        raise BackupError(f"{path} is a pg_dump file but not a backup of this application")


# --- helpers --------------------------------------------------------------------------------


def _sqlite_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


@contextmanager
def _temporary_beside(target: Path) -> Iterator[Path]:
    # mkstemp creates the file with mode 0600; the tools write into it and keep that mode.
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
    finally:
        partial.unlink(missing_ok=True)


def _libpq_environment(url: URL) -> dict[str, str]:
    """The connection settings of `url` as libpq variables (keeps the password off the
    command line, where `ps` would show it)."""
    env = dict(os.environ)
    for variable, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value is not None:
            env[variable] = str(value)
    return env


def _run_pg_tool(command: list[str], url: URL, *, database_option: bool = False) -> None:
    if database_option:
        command = [*command[:-1], f"--dbname={url.database}", command[-1]]
    _run(command, env=_libpq_environment(url))


def _run(command: list[str], *, env: dict[str, str] | None) -> str:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (it comes with the PostgreSQL client)")
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip().splitlines()
        raise BackupError(f"{command[0]} failed: {detail[-1] if detail else 'no message'}")
    return completed.stdout
