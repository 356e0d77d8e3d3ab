"""One commit per request: what a view changes is kept after a response below 400 and dropped
after an error response or an exception, without the view committing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.audit.models import AuditEvent
from lms.audit.services import record
from lms.core import transaction
from lms.extensions import db
from lms.people.models import User


@pytest.fixture
def rename_route(app):
    @app.post("/_test/rename/<int:user_id>/<int:status>")
    def _rename(user_id: int, status: int):
        user = db.session.get(User, user_id)
        user.name = "Renamed"
        if status == 599:
            raise RuntimeError("a failure after a write")
        return "done", status

    return app


@pytest.mark.parametrize(("status", "kept"), [(200, True), (303, True), (400, False), (409, False)])
def test_the_request_commits_below_400_and_rolls_back_otherwise(
    rename_route, client, make_user, status, kept
):
    user_id = make_user("rita@example.com", name="Rita").id
    db.session.commit()
    response = client.post(f"/_test/rename/{user_id}/{status}")
    assert response.status_code == status
    db.session.remove()
    assert db.session.get(User, user_id).name == ("Renamed" if kept else "Rita")


def test_an_exception_after_a_write_keeps_nothing(rename_route, client, make_user, app):
    user_id = make_user("rita@example.com", name="Rita").id
    db.session.commit()
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.post(f"/_test/rename/{user_id}/599")
    assert response.status_code == 500
    db.session.remove()
    assert db.session.get(User, user_id).name == "Rita"


# --- what a view may do instead of committing -------------------------------------------------


@pytest.fixture
def kept_route(app):
    """Renames the person (an ordinary write) and adds an audit event kept on rollback, then
    answers with `status`, raises (599), or discards its changes and redirects (303)."""

    @app.post("/_test/kept/<int:user_id>/<int:status>")
    def _kept(user_id: int, status: int):
        db.session.get(User, user_id).name = "Renamed"

        def write():
            record("test.kept", actor=None, subject=db.session.get(User, user_id))

        write()
        transaction.keep_on_rollback(write)
        if status == 599:
            raise RuntimeError("a failure after a write")
        if status == 303:
            transaction.discard_changes()
        return "done", status

    return app


def kept_events(user_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "test.kept", AuditEvent.subject_id == user_id)
    )


@pytest.mark.parametrize(
    ("status", "renamed"), [(200, True), (303, False), (400, False), (429, False), (599, False)]
)
def test_a_kept_write_stands_once_whatever_the_answer_and_nothing_else_does(
    kept_route, client, make_user, app, status, renamed
):
    user_id = make_user("rita@example.com", name="Rita").id
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.post(f"/_test/kept/{user_id}/{status}")
    assert response.status_code == (500 if status == 599 else status)
    db.session.remove()
    assert db.session.get(User, user_id).name == ("Renamed" if renamed else "Rita")
    assert kept_events(user_id) == 1


def test_a_kept_write_also_stands_when_the_exception_propagates(kept_route, client, make_user, app):
    user_id = make_user("rita@example.com", name="Rita").id
    app.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(RuntimeError):
        client.post(f"/_test/kept/{user_id}/599")
    db.session.remove()
    assert db.session.get(User, user_id).name == "Rita"
    assert kept_events(user_id) == 1


def test_outside_a_request_the_caller_commits(app, make_user):
    user_id = make_user("rita@example.com", name="Rita").id
    db.session.get(User, user_id).name = "Renamed"
    transaction.keep_on_rollback(lambda: pytest.fail("nothing is replayed outside a request"))
    transaction.discard_changes()
    assert db.session.get(User, user_id).name == "Rita"
    assert not transaction.is_discarded()


# --- no module but the allowed ones commits -----------------------------------------------------

LMS = Path(__file__).resolve().parent.parent / "lms"

#: Modules that may end a transaction themselves, each with its reason. Everything else (views,
#: services, pages) leaves it to the request (`lms.core.transaction`) or to its caller.
MAY_END_TRANSACTIONS = {
    "core/transaction.py": "the request handler: it is the one commit of a request",
    "app_setup.py": "the error page rolls back a broken session before rendering",
    "cli.py": "commands run outside a request",
    "content/commands.py": "the import command runs outside a request",
    "reports/commands.py": "a command run outside a request",
    "demo.py": "the demo command runs outside a request",
    "planning/reminders.py": "a background job, one transaction per batch",
    "onboarding/reminders.py": "a background job, one transaction per batch",
    "onboarding/standing.py": "recompute-status rebuilds in batches, a short transaction each",
    "skills/mastery.py": "recompute-mastery works in batches of learners, a short transaction "
    "each, so that a learner's write waits for one batch at most",
    "notifications/email.py": "the e-mail job commits per message so one failure loses no other",
}


def transaction_ends(path: Path) -> list[str]:
    """`db.session.commit()` / `db.session.rollback()` calls in a module, as `name:line`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"commit", "rollback"}
            and ast.unparse(node.func.value) == "db.session"
        ):
            found.append(f"{node.func.attr}:{node.lineno}")
    return found


def test_only_the_allowed_modules_commit_or_roll_back():
    offenders = {}
    for path in sorted(LMS.rglob("*.py")):
        name = path.relative_to(LMS).as_posix()
        if name.startswith("migrations/") or name in MAY_END_TRANSACTIONS:
            continue
        if calls := transaction_ends(path):
            offenders[name] = calls
    assert offenders == {}, (
        "views and services leave the commit to the request (lms.core.transaction: "
        "discard_changes, keep_on_rollback); a justified exception goes in MAY_END_TRANSACTIONS"
    )


def test_the_scan_finds_a_commit_and_the_allow_list_names_real_modules(tmp_path):
    module = tmp_path / "views.py"
    module.write_text("def save():\n    thing()\n    db.session.commit()\n", encoding="utf-8")
    assert transaction_ends(module) == ["commit:3"]
    assert all((LMS / name).is_file() for name in MAY_END_TRANSACTIONS)
    assert all(reason.strip() for reason in MAY_END_TRANSACTIONS.values())
