"""A request that fails after a service has written keeps nothing of it, whatever the view
answers: a page with the error (200 or 400), a redirect with a flashed message, or a crash.
The services are replaced by ones that write and then fail, so the test holds for any write a
real service might do before it refuses."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.audit.models import AuditEvent
from lms.audit.services import record
from lms.extensions import db
from lms.onboarding.enrollments import OnboardingError
from lms.people.models import User
from lms.people.services import PeopleError
from lms.planning.services import PlanningError
from tests.helpers import TEST_PASSWORD, login_as


def write_then_fail(victim_id: int, error: Exception, calls: list):
    """A stand-in service: renames the victim and audits it (flushed), then fails."""

    def service(*args, **kwargs):
        calls.append(args)
        victim = db.session.get(User, victim_id)
        victim.name = "Half-done"
        record("test.half_done", actor=None, subject=victim)
        db.session.flush()
        raise error

    return service


# (role of the acting user, service to replace, the failure, method, url, form, answer status)
CASES = {
    "admin adds a person": (
        "admin",
        "lms.people.views.create_user",
        PeopleError("This e-mail address is taken.", "email"),
        "/admin/users/new",
        {"email": "new.hire@example.com", "name": "New Hire", "roles": "trainer"},
        200,
    ),
    "own password change": (
        "learner",
        "lms.auth.views.set_password",
        PeopleError("Choose another password.", "password"),
        "/account/password",
        {
            "current_password": TEST_PASSWORD,
            "new_password": "a much longer new passphrase 42",
            "confirm": "a much longer new passphrase 42",
        },
        200,
    ),
    "manager signs off a task": (
        "manager",
        "lms.team.views.sign_off",
        OnboardingError("This task cannot be signed off."),
        "/team/{hire}/signoffs",
        {"item_id": "field-call", "comment": "Good call"},
        400,
    ),
    "hire saves the plan": (
        "learner",
        "lms.planning.views.save_plan",
        PlanningError("Give the priority a text.", "p-0-text"),
        "/plan",
        {"p-0-text": "Call five prospects"},
        400,
    ),
    "hire marks notifications read": (
        "learner",
        "lms.notifications.views.mark_all_read",
        RuntimeError("the database went away"),
        "/notifications/read-all",
        {},
        500,
    ),
    "hire asks for a calendar address": (
        "learner",
        "lms.onboarding.calendar.new_feed",
        RuntimeError("the database went away"),
        "/onboarding/calendar",
        {},
        500,
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_failure_after_a_write_keeps_nothing(app, client, make_user, monkeypatch, case):
    role, target, error, url, form, status = CASES[case]
    manager = make_user("mia@example.com", name="Mia", roles=("manager",))
    hire = make_user("hugo@example.com", name="Hugo", manager=manager)
    admin = make_user("ada@example.com", name="Ada", roles=("admin",))
    victim = make_user("vera@example.com", name="Vera")
    actor = {"admin": admin, "manager": manager, "learner": hire}[role]
    victim_id, hire_id = victim.id, hire.id
    app.config["PROPAGATE_EXCEPTIONS"] = False
    login_as(client, actor)
    calls = []
    monkeypatch.setattr(target, write_then_fail(victim_id, error, calls))
    response = client.post(url.format(hire=hire_id), data=form)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert len(calls) == 1
    db.session.remove()
    assert db.session.get(User, victim_id).name == "Vera"
    assert not db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "test.half_done")
    )
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(User).where(User.email == "new.hire@example.com")
        )
        == 0
    )


def test_the_same_write_is_kept_when_the_service_succeeds(app, client, make_user, monkeypatch):
    """The control: without the failure, the request's one commit keeps the write."""
    hire = make_user("hugo@example.com", name="Hugo")
    hire_id = hire.id

    def service(*args, **kwargs):
        db.session.get(User, hire_id).name = "Hugo Done"
        db.session.flush()

    login_as(client, hire)
    monkeypatch.setattr("lms.notifications.views.mark_all_read", service)
    assert client.post("/notifications/read-all").status_code == 302
    db.session.remove()
    assert db.session.get(User, hire_id).name == "Hugo Done"
