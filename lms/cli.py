"""The `lms` command: `lms init`, `lms create-user`, `lms demo`, `lms serve`, `lms i18n ...`.

The same commands are reachable as `flask --app wsgi lms ...`. Every command exits non-zero with
one readable line per problem."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext

lms_group = AppGroup("lms", help="Manage the sales onboarding platform.")


def fail(*lines: str) -> None:
    for line in lines:
        click.echo(f"error: {line}", err=True)
    sys.exit(1)


def upgrade_database() -> None:
    """Create the schema or bring it to the newest migration."""
    from flask_migrate import upgrade

    from lms import MIGRATIONS_DIR

    upgrade(directory=str(MIGRATIONS_DIR))


@lms_group.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database."""
    from sqlalchemy.exc import OperationalError

    try:
        upgrade_database()
    except OperationalError as error:
        fail(f"cannot reach the database: {error.orig}")
    click.echo(f"database ready: {_safe_url(current_app.config['SQLALCHEMY_DATABASE_URI'])}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@lms_group.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="Display name.")
@click.option("--password", required=True, help="Initial password (the password rules apply).")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(["trainer", "manager", "admin"]),
    help="A role on top of learning; repeat for several.",
)
@click.option("--manager", "manager_email", default=None, help="E-mail of the person's manager.")
@click.option("--start-date", default=None, help="Start date, YYYY-MM-DD.")
@with_appcontext
def create_user_command(
    email: str,
    name: str,
    password: str,
    roles: tuple[str, ...],
    manager_email: str | None,
    start_date: str | None,
) -> None:
    """Create an account."""
    from lms.extensions import db
    from lms.people.services import AccountData, PeopleError, create_user, find_user_by_email

    manager = None
    if manager_email:
        manager = find_user_by_email(manager_email)
        if manager is None:
            fail(f"--manager: no person with e-mail {manager_email}")
    start = None
    if start_date:
        try:
            start = date.fromisoformat(start_date)
        except ValueError:
            fail(f"--start-date: {start_date!r} is not a date like 2026-03-31")
    try:
        user = create_user(
            AccountData(
                email=email, name=name, roles=frozenset(roles), manager=manager, start_date=start
            ),
            actor=None,
            password=password,
        )
    except PeopleError as error:
        db.session.rollback()
        fail(f"{error.field or 'account'}: {error}")
    db.session.commit()
    roles_text = ", ".join(sorted(user.roles)) or "learner"
    click.echo(f"created {user.email} ({roles_text})")
    if "admin" in user.roles:
        click.echo("admins set up two-factor sign-in (an authenticator app) at their first sign-in")


DEMO_PORT = 5000


@lms_group.command("demo")
@click.option("--serve", is_flag=True, help="Serve the demo on 127.0.0.1 afterwards.")
@click.option(
    "--port",
    default=None,
    type=click.IntRange(1, 65535),
    help="Serve the demo on this port (implies --serve; default 5000).",
)
@click.option(
    "--database",
    default=None,
    help="Database URL for the demo (default: a fresh SQLite file instance/demo.db).",
)
def demo_command(serve: bool, port: int | None, database: str | None) -> None:
    """Build a fresh demo company (and serve it)."""
    serve = serve or port is not None
    port = port or DEMO_PORT
    from lms import create_app
    from lms.demo import DEMO_ADMIN_TOTP_SECRET, DEMO_PASSWORD, DEMO_PEOPLE, build_demo

    if database is None:
        instance = Path(current_app.instance_path)
        instance.mkdir(mode=0o700, parents=True, exist_ok=True)
        db_file = instance / "demo.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db_file) + suffix).unlink(missing_ok=True)
        database = f"sqlite:///{db_file}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": database})
    with app.app_context():
        from lms.extensions import db

        if database.startswith("postgresql"):
            db.drop_all()
            db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
            db.session.commit()
        upgrade_database()
        context = build_demo()
    click.echo(f"Demo database: {_safe_url(database)}")
    for line in context.log:
        click.echo(f"  {line}")
    click.echo(f"Accounts (password for all: {DEMO_PASSWORD}):")
    for person in DEMO_PEOPLE:
        roles = ", ".join(sorted(person.roles)) or "new hire"
        click.echo(f"  {person.email:<28} {roles}")
    click.echo(
        "Admins sign in with a second factor: add the key "
        f"{DEMO_ADMIN_TOTP_SECRET} to an authenticator app (time-based, 6 digits) for "
        "admin@example.com."
    )
    if serve:
        from lms.serve import run_gunicorn

        click.echo(f"Serving on http://127.0.0.1:{port}/  (Ctrl+C to stop)")
        run_gunicorn(app, f"127.0.0.1:{port}", workers=2, access_log=False)


@lms_group.command("serve")
@click.option("--bind", default="127.0.0.1:8000", show_default=True, help="host:port to listen on.")
@click.option("--workers", default=None, type=click.IntRange(1, 64), help="Default: 2 x CPUs + 1.")
def serve_command(bind: str, workers: int | None) -> None:
    """Run the production server (gunicorn)."""
    from lms.serve import default_workers, run_gunicorn

    run_gunicorn(current_app._get_current_object(), bind, workers or default_workers())


@lms_group.command("recompute-mastery")
@with_appcontext
def recompute_mastery_command() -> None:
    """Rebuild every learner's mastery from the evidence log."""
    from sqlalchemy.exc import OperationalError

    from lms.extensions import db
    from lms.skills.mastery import recompute_all

    try:
        result = recompute_all()
        db.session.commit()
    except OperationalError as error:
        db.session.rollback()
        fail(f"cannot reach the database: {error.orig}")
    click.echo(
        f"mastery recomputed: {result.pairs} learner-skill pairs, {result.changed} changed, "
        f"{result.removed} without evidence removed"
    )


@lms_group.command("recompute-status")
@click.option("--date", "on", default=None, help="The day to compute for (default: today).")
@click.option("--check", is_flag=True, help="Change nothing; fail when a stored status differs.")
@with_appcontext
def recompute_status_command(on: str | None, check: bool) -> None:
    """Rebuild every hire's stored status from the raw records (short batches)."""
    from lms.extensions import db
    from lms.onboarding.standing import recompute
    from lms.timeutil import today

    try:
        day = date.fromisoformat(on) if on else today()
    except ValueError:
        fail(f"--date: {on!r} is not a date like 2026-03-31")
    result = recompute(day, commit=not check)
    if check:
        db.session.rollback()
        if result.changed:
            fail(f"{result.changed} of {result.hires} stored statuses differ from a recompute")
    click.echo(f"statuses recomputed: {result.hires} hires, {result.changed} changed")


@lms_group.command("remind")
@click.option("--date", "on", default=None, help="Run as of this day, YYYY-MM-DD (default: today).")
@with_appcontext
def remind_command(on: str | None) -> None:
    """Due-date reminders and e-mail digests; run once a day (cron or a systemd timer)."""
    from datetime import datetime

    from lms.onboarding.reminders import run_reminders
    from lms.timeutil import utcnow

    now = utcnow()
    if on:
        try:
            now = datetime.combine(date.fromisoformat(on), now.time())
        except ValueError:
            fail(f"--date: {on!r} is not a date like 2026-03-31")
    report = run_reminders(now)
    click.echo(
        f"{report.reminders} reminders, {report.manager_digests} manager digests, "
        f"{report.daily_digests} daily digests"
    )
    click.echo(f"{report.statuses} stored statuses changed with the day")
    for line in report.lines:
        click.echo(line)
    if report.email is not None:
        click.echo(f"{report.email.sent} e-mails sent")
        if report.email.failed:
            fail(*(f"not sent, retried on the next run: {line}" for line in report.email.failed))


@lms_group.group("i18n")
def i18n_group() -> None:
    """Translation catalogues: extract, update, compile, check."""


PACKAGE_OPTION = click.option(
    "--package", default=None, help="Only this package's catalogue (e.g. quizzes, or lms)."
)


@i18n_group.command("update")
@PACKAGE_OPTION
def i18n_update(package: str | None) -> None:
    """Extract messages and merge them into the catalogues (new ones are left empty)."""
    from lms.i18n_tools import update_catalogues

    for line in update_catalogues(package):
        click.echo(line)


@i18n_group.command("compile")
@PACKAGE_OPTION
def i18n_compile(package: str | None) -> None:
    """Compile the .po catalogues to .mo."""
    from lms.i18n_tools import compile_catalogues

    for line in compile_catalogues(package):
        click.echo(line)


@i18n_group.command("check")
def i18n_check() -> None:
    """Fail when a catalogue misses a message, has a fuzzy one, a translation whose placeholders
    differ from its source, or does not compile."""
    from lms.i18n_tools import catalogue_problems

    problems = catalogue_problems()
    if problems:
        fail(*problems)
    click.echo("catalogues complete")


from lms.backup.commands import COMMANDS as BACKUP_COMMANDS  # noqa: E402
from lms.content.commands import COMMANDS as CONTENT_COMMANDS  # noqa: E402
from lms.reports.commands import COMMANDS as REPORT_COMMANDS  # noqa: E402

for _command in (*CONTENT_COMMANDS, *BACKUP_COMMANDS, *REPORT_COMMANDS):
    lms_group.add_command(_command)


class _ConsoleScript(FlaskGroup):
    """`lms ...`: the commands of the `lms` group at the top level (Flask would also list the
    group itself, as `lms lms ...`, since the app registers it for `flask lms ...`)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in super().list_commands(ctx) if name != lms_group.name]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return None if name == lms_group.name else super().get_command(ctx, name)


def main() -> None:
    cli = _ConsoleScript(
        name="lms",
        help=lms_group.help,
        create_app=_create_app_for_cli,
        add_default_commands=False,
        add_version_option=False,
        load_dotenv=False,
        set_debug_flag=False,
    )
    for name, command in lms_group.commands.items():
        cli.add_command(command, name)
    cli.main(prog_name="lms")


def _create_app_for_cli():
    from lms import create_app
    from lms.config import ConfigError

    try:
        return create_app()
    except ConfigError as error:
        fail(str(error))
