"""`lms import`, `lms export` and `lms rerender` (registered on the `lms` group in lms/cli.py).

Each exits 0 on success and 1 with one readable line per problem otherwise."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

DEFAULT_ROOTS = ("courses", "scenarios")


def _fail(*lines: str) -> None:
    for line in lines:
        click.echo(f"error: {line}", err=True)
    sys.exit(1)


def _database_errors():
    import sqlalchemy as sa

    return (sa.exc.OperationalError, sa.exc.IntegrityError, sa.exc.ProgrammingError)


@click.command("import")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--dry-run", is_flag=True, help="Validate and show what would change; change nothing."
)
@click.option("-v", "--verbose", is_flag=True, help="List unchanged objects too.")
@with_appcontext
def import_command(paths: tuple[Path, ...], dry_run: bool, verbose: bool) -> None:
    """Validate content files and store them, all or nothing.

    PATHS are folders holding courses/ and/or scenarios/, or those folders themselves
    (default: courses/ and scenarios/ of the current folder). Only the kinds of the folders
    given are added, changed or retired."""
    from lms.content.importer import import_content
    from lms.extensions import db

    roots = list(paths)
    if not roots:
        defaults = [Path(name) for name in DEFAULT_ROOTS]
        roots = [root for root in defaults if root.exists()] or defaults
    try:
        report = import_content(roots, actor=None, apply=not dry_run)
    except _database_errors() as error:
        db.session.rollback()
        _fail(f"the database refused the import, nothing was changed: {error.orig}")
    if not report.ok:
        db.session.rollback()
        for error in report.errors:
            click.echo(str(error), err=True)
        files = len({error.file for error in report.errors})
        _fail(f"{len(report.errors)} problem(s) in {files} file(s): nothing was imported")
    if dry_run:
        db.session.rollback()
    else:
        try:
            db.session.commit()
        except _database_errors() as error:
            db.session.rollback()
            _fail(f"the database refused the import, nothing was changed: {error.orig}")
    for line in report.lines(verbose=verbose):
        click.echo(line)


@click.command("export")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--replace",
    is_flag=True,
    help="Replace DIRECTORY/courses and DIRECTORY/scenarios if they hold files.",
)
@with_appcontext
def export_command(directory: Path, replace: bool) -> None:
    """Write the current version of all live content to DIRECTORY/courses and
    DIRECTORY/scenarios, in the file format `lms import` reads."""
    from lms.content.exporter import ExportError, export_content

    try:
        result = export_content(directory, replace=replace)
    except ExportError as error:
        _fail(str(error))
    from lms.content.importer import describe_counts

    click.echo(f"exported to {result.directory}: {describe_counts(result.counts)}")


@click.command("rerender")
@click.option("--force", is_flag=True, help="Re-render every version, not only outdated ones.")
@click.option(
    "--check",
    is_flag=True,
    help="Change nothing; list the versions whose stored HTML differs from a fresh render.",
)
@with_appcontext
def rerender_command(force: bool, check: bool) -> None:
    """Render the Markdown of content versions again with the current renderer (after the
    allow-list or the Markdown extensions changed). `--check` finds stored HTML that differs
    from a fresh render, in content and in comments and notes (exit 1 if any); `--force`
    repairs it."""
    from lms.content.markdown import RENDERER_VERSION
    from lms.content.store import rerender
    from lms.extensions import db

    report = rerender(force=force, check=check)
    for version, places in report.differing:
        click.echo(
            f"differs: {version.item.kind} {version.item.slug} version {version.number}: "
            + ", ".join(places)
        )
    for version, problems in report.refused:
        for problem in problems:
            click.echo(
                f"error: {version.item.kind} {version.item.slug} version {version.number}: "
                f"{problem.where}: {problem.error}",
                err=True,
            )
    for label, row_id in report.rows_differing:
        click.echo(f"differs: {label} {row_id}")
    for label, row_id, error in report.rows_refused:
        click.echo(f"error: {label} {row_id}: {error}", err=True)
    refused = len(report.refused) + len(report.rows_refused)
    if check:
        db.session.rollback()
        click.echo(
            f"checked {report.checked} version(s): {len(report.differing)} differ from a fresh "
            f"render, {len(report.refused)} cannot be rendered"
        )
        click.echo(
            f"checked {report.rows_checked} comment(s) and note(s): "
            f"{len(report.rows_differing)} differ from a fresh render, "
            f"{len(report.rows_refused)} cannot be rendered"
        )
        if report.differing or report.rows_differing:
            click.echo("`lms rerender --force` writes the fresh HTML.")
        if report.differing or report.rows_differing or refused:
            sys.exit(1)
        return
    db.session.commit()
    click.echo(f"re-rendered {report.rendered} version(s) with renderer version {RENDERER_VERSION}")
    if force:
        click.echo(f"repaired {len(report.rows_differing)} comment(s) and note(s)")
    if refused:
        _fail(f"{refused} version(s) or comment(s) kept their HTML: the renderer refuses them")


COMMANDS = (import_command, export_command, rerender_command)
