"""`lms backup PATH` and `lms restore PATH` (registered on the `lms` group in lms/cli.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext


def _fail(line: str) -> None:
    click.echo(f"error: {line}", err=True)
    sys.exit(1)


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Write a consistent copy of the database to PATH while the app keeps running.

    SQLite: a copy of the database file; PostgreSQL: a pg_dump custom-format archive."""
    from lms.backup.services import BackupError, backup_database
    from lms.extensions import db

    db.engine.dispose()  # no pooled connection of this process holds a transaction open
    try:
        written = backup_database(
            current_app.config["SQLALCHEMY_DATABASE_URI"], path, overwrite=force
        )
    except BackupError as error:
        _fail(str(error))
    click.echo(f"backup written: {written} ({written.stat().st_size} bytes)")


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that is not empty.")
@with_appcontext
def restore_command(path: Path, force: bool) -> None:
    """Restore the database from a backup made by `lms backup`; prints the rows per table.

    Stop the app first: a restore replaces everything people wrote since the backup."""
    from lms.backup.services import BackupError, restore_database
    from lms.extensions import db

    db.engine.dispose()
    try:
        report = restore_database(current_app.config["SQLALCHEMY_DATABASE_URI"], path, force=force)
    except BackupError as error:
        _fail(str(error))
    click.echo(f"restored {path}: {report.total_rows} rows in {len(report.row_counts)} tables")
    for table, count in report.row_counts.items():
        click.echo(f"  {table:<32} {count:>9}")


COMMANDS = (backup_command, restore_command)
