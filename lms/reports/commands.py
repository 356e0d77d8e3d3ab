"""`lms reports rebuild` (registered on the `lms` group in lms/cli.py)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("reports")
def reports_group() -> None:
    """The reports' weekly rollup."""


@reports_group.command("rebuild")
@with_appcontext
def rebuild_command() -> None:
    """Rebuild every hire's weekly snapshots from the evidence log and the execution rollup."""
    from lms.extensions import db
    from lms.reports.snapshots import rebuild
    from lms.timeutil import utcnow

    written = rebuild(utcnow())
    db.session.commit()
    click.echo(f"{written} weekly snapshots written")


COMMANDS = (reports_group,)
