"""`lms backup` and `lms restore`: a consistent copy taken while people write, restored whole."""

from __future__ import annotations

import os
import shutil
import stat
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms import create_app
from lms.backup.services import BackupError, backup_database, restore_database, row_counts
from lms.cli import upgrade_database
from lms.extensions import db
from tests.conftest import make_config, temporary_postgres_database
from tests.helpers import DEFAULT_POSTGRES_URL, skip_or_fail

WRITERS = 4


def _migrated(url: str, instance: Path) -> None:
    app = create_app(make_config(url, instance))
    with app.app_context():
        upgrade_database()
        db.engine.dispose()


def _writer(url: str, stop: threading.Event, committed: list[tuple[int, float]], errors: list):
    """Insert audit events one transaction at a time; record each id once its commit returned."""
    engine = sa.create_engine(url, connect_args={"timeout": 30} if url.startswith("sqlite") else {})
    if url.startswith("sqlite"):
        from lms.database import configure_engine

        configure_engine(engine)
    try:
        while not stop.is_set():
            with engine.begin() as connection:
                new_id = connection.execute(
                    sa.text(
                        "INSERT INTO audit_events (created_at, action, details) "
                        "VALUES (CURRENT_TIMESTAMP, 'backup-test', '{}') RETURNING id"
                    )
                ).scalar_one()
            committed.append((new_id, time.monotonic()))
    except Exception as error:  # pragma: no cover - reported by the test
        errors.append(error)
    finally:
        engine.dispose()


def _backup_under_load(url: str, target: Path) -> tuple[set[int], set[int], float]:
    """Back up while WRITERS threads insert rows. Returns the ids committed before the backup
    started, all ids committed by the end, and how long the backup took."""
    stop = threading.Event()
    committed: list[tuple[int, float]] = []
    errors: list[Exception] = []
    threads = [
        threading.Thread(target=_writer, args=(url, stop, committed, errors))
        for _ in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    while len(committed) < 200 and not errors:
        time.sleep(0.01)
    started = time.monotonic()
    before = {row_id for row_id, at in list(committed) if at < started}
    try:
        backup_database(url, target)
    finally:
        took = time.monotonic() - started
        time.sleep(0.1)  # writers keep going after the backup
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert not errors, errors
    return before, {row_id for row_id, _ in committed}, took


def _restored_ids(url: str) -> set[int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return set(
                connection.execute(
                    sa.text("SELECT id FROM audit_events WHERE action = 'backup-test'")
                ).scalars()
            )
    finally:
        engine.dispose()


def _check_round_trip(source_url: str, restore_url: str, tmp_path: Path) -> None:
    _migrated(source_url, tmp_path / "instance")
    target = tmp_path / "nightly.dump"
    before, everything, _took = _backup_under_load(source_url, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".nightly.dump.*")), "no partial file is left behind"

    report = restore_database(restore_url, target)
    restored = _restored_ids(restore_url)
    assert before <= restored, "every row committed before the backup began is restored"
    assert restored <= everything, "nothing is restored that was never committed"
    assert len(before) >= 200
    assert report.row_counts["audit_events"] == len(restored)
    assert report.row_counts["alembic_version"] == 1
    assert report.total_rows == sum(row_counts(restore_url).values())


def test_sqlite_backup_under_concurrent_writes_restores_every_committed_row(tmp_path):
    source = f"sqlite:///{tmp_path / 'live.db'}"
    _check_round_trip(source, f"sqlite:///{tmp_path / 'restored.db'}", tmp_path)
    assert stat.S_IMODE((tmp_path / "restored.db").stat().st_mode) == 0o600


@pytest.mark.postgres
def test_postgresql_backup_under_concurrent_writes_restores_every_committed_row(tmp_path):
    if shutil.which("pg_dump") is None:
        skip_or_fail("pg_dump is not installed")
    admin = os.environ.get("LMS_TEST_DATABASE_URL") or DEFAULT_POSTGRES_URL
    with (
        temporary_postgres_database(admin) as source,
        temporary_postgres_database(admin) as restored,
    ):
        _check_round_trip(source, restored, tmp_path)


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(tmp_path):
    live = f"sqlite:///{tmp_path / 'live.db'}"
    _migrated(live, tmp_path / "instance")
    backup_database(live, tmp_path / "copy.db")
    other = f"sqlite:///{tmp_path / 'other.db'}"
    _migrated(other, tmp_path / "instance")
    engine = sa.create_engine(other)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO audit_events (created_at, action, details) "
                "VALUES (CURRENT_TIMESTAMP, 'kept', '{}')"
            )
        )
    engine.dispose()

    with pytest.raises(BackupError, match="not empty"):
        restore_database(other, tmp_path / "copy.db")
    assert row_counts(other)["audit_events"] == 1, "a refused restore changes nothing"

    report = restore_database(other, tmp_path / "copy.db", force=True)
    assert report.row_counts["audit_events"] == 0


def test_a_backup_does_not_overwrite_a_file_unless_forced(tmp_path):
    live = f"sqlite:///{tmp_path / 'live.db'}"
    _migrated(live, tmp_path / "instance")
    existing = tmp_path / "copy.db"
    existing.write_text("yesterday's backup")
    with pytest.raises(BackupError, match="exists"):
        backup_database(live, existing)
    assert existing.read_text() == "yesterday's backup"
    backup_database(live, existing, overwrite=True)
    assert existing.read_bytes().startswith(b"SQLite format 3")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a SQLite backup"),
        (b"not a database at all" * 100, "not a SQLite backup"),
        (b"SQLite format 3\x00" + b"\xff" * 5000, "damaged|integrity"),
    ],
)
def test_restore_refuses_a_file_that_is_not_a_sound_backup(tmp_path, content, message):
    bad = tmp_path / "bad.db"
    bad.write_bytes(content)
    target = tmp_path / "target.db"
    with pytest.raises(BackupError, match=message):
        restore_database(f"sqlite:///{target}", bad)
    assert not target.exists() or target.stat().st_size == 0


def test_restore_refuses_a_sqlite_file_of_another_application(tmp_path):
    foreign = tmp_path / "foreign.db"
    engine = sa.create_engine(f"sqlite:///{foreign}")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE notes (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    with pytest.raises(BackupError, match="not a backup of this application"):
        restore_database(f"sqlite:///{tmp_path / 'target.db'}", foreign)


def test_the_commands_report_in_one_line_and_print_row_counts(tmp_path, monkeypatch):
    from tests.test_commands import lms

    env = {key: value for key, value in os.environ.items() if not key.startswith("LMS_")}
    env.update(
        LMS_INSTANCE_PATH=str(tmp_path / "instance"),
        LMS_SECRET_KEY="k" * 48,
        LMS_DATABASE_URL=f"sqlite:///{tmp_path / 'lms.db'}",
    )
    assert lms("init", env=env).returncode == 0
    made = lms("backup", str(tmp_path / "b.db"), env=env)
    assert made.returncode == 0, made.stderr
    assert "backup written" in made.stdout

    again = lms("backup", str(tmp_path / "b.db"), env=env)
    assert again.returncode == 1
    assert again.stderr.startswith("error: ") and "--force" in again.stderr
    assert "Traceback" not in again.stderr

    refused = lms("restore", str(tmp_path / "b.db"), env=env)
    assert refused.returncode == 1 and "not empty" in refused.stderr

    missing = lms("restore", str(tmp_path / "nope.db"), env=env)
    assert missing.returncode == 1 and "no such backup file" in missing.stderr

    env["LMS_DATABASE_URL"] = f"sqlite:///{tmp_path / 'fresh.db'}"
    restored = lms("restore", str(tmp_path / "b.db"), env=env)
    assert restored.returncode == 0, restored.stderr
    assert "alembic_version" in restored.stdout and "users" in restored.stdout


def test_sqlite_files_the_app_creates_are_private(tmp_path):
    app = create_app(make_config(f"sqlite:///{tmp_path / 'new.db'}", tmp_path / "instance"))
    with app.app_context():
        upgrade_database()
        db.engine.dispose()
    for path in tmp_path.glob("new.db*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
