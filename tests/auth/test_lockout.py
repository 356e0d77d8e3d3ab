"""Failed sign-ins pause one (account, client address) pair, answer exactly like a wrong password
and are told to the owner, never to whoever typed the address."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import abort

from lms.audit.models import AuditEvent
from lms.auth import throttle
from lms.auth.models import LoginThrottle
from lms.auth.services import LoginOutcome, authenticate
from lms.notifications.models import Notification
from lms.notifications.services import message_of
from lms.people.services import set_password
from lms.timeutil import utcnow
from tests.helpers import TEST_PASSWORD

ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"
WRONG = "wrong password here"


def sign_in(client, email, password=TEST_PASSWORD, address=ATTACKER):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def fail_times(client, email, times, address=ATTACKER):
    for _ in range(times):
        sign_in(client, email, WRONG, address)


def page_without_token(response) -> str:
    """The page, with the signed (time-stamped) CSRF tokens blanked out."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))


def test_a_paused_account_answers_exactly_like_a_wrong_password(app, db, make_user):
    make_user("lena@example.com")
    make_user("omar@example.com")
    client = app.test_client()
    fail_times(client, "lena@example.com", 5)
    paused_right = sign_in(client, "lena@example.com", TEST_PASSWORD)
    paused_wrong = sign_in(client, "lena@example.com", WRONG)
    plain_wrong = sign_in(client, "omar@example.com", WRONG)
    unknown = sign_in(client, "nobody@example.com", WRONG)
    answers = {
        (r.status_code, page_without_token(r).replace(email, "EMAIL"))
        for r, email in [
            (paused_right, "lena@example.com"),
            (paused_wrong, "lena@example.com"),
            (plain_wrong, "omar@example.com"),
            (unknown, "nobody@example.com"),
        ]
    }
    assert len(answers) == 1, "the four answers must be identical"
    status, page = answers.pop()
    assert status == 200
    assert "Wrong e-mail or password." in page
    assert "locked" not in page.lower() and "paused" not in page.lower()
    assert client.get("/learn").status_code == 302  # the right password did not sign in


def test_the_pause_spends_a_password_hash_like_a_real_check(app, db, make_user, monkeypatch):
    user = make_user("lena@example.com")
    for _ in range(5):
        authenticate("lena@example.com", WRONG, address=ATTACKER)
    db.session.commit()
    checked = []
    import lms.auth.services as services

    real = services.verify_password
    monkeypatch.setattr(services, "verify_password", lambda h, p: checked.append(h) or real(h, p))
    result = authenticate("lena@example.com", TEST_PASSWORD, address=ATTACKER)
    assert result.outcome is LoginOutcome.BAD_CREDENTIALS
    assert checked == [None]  # the dummy hash, never the real one while paused
    assert user.password_hash not in checked


def test_the_owner_signs_in_from_another_address_while_the_attacker_is_paused(app, db, make_user):
    make_user("lena@example.com")
    attacker, owner = app.test_client(), app.test_client()
    fail_times(attacker, "lena@example.com", 12)
    response = sign_in(owner, "lena@example.com", TEST_PASSWORD, OWNER)
    assert response.status_code == 302 and response.headers["Location"] == "/learn"
    assert owner.get("/learn").status_code == 200
    # The attacker's address stays paused, even with the right password.
    assert "Wrong e-mail or password." in page_without_token(
        sign_in(attacker, "lena@example.com", TEST_PASSWORD)
    )


def test_the_owner_is_told_in_app_and_the_event_is_audited(app, db, make_user):
    user = make_user("lena@example.com")
    client = app.test_client()
    fail_times(client, "lena@example.com", 5)
    notices = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id)
    ).all()
    assert [n.kind for n in notices] == ["sign_in_paused"]
    assert notices[0].params["address"] == ATTACKER
    text = message_of(notices[0], "en")
    assert ATTACKER in text and "change your password" in text
    assert "203.0.113.66" in message_of(notices[0], "zh_CN")
    locked = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "login.locked")
    ).one()
    assert locked.subject_id == user.id and locked.details["address"] == ATTACKER
    # More failures the same day from the same address do not flood the owner.
    throttle_row = db.session.scalars(sa.select(LoginThrottle)).one()
    throttle_row.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    fail_times(client, "lena@example.com", 1)
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 1


def test_pauses_double_and_are_capped(app, db, make_user):
    app.config.update(LOGIN_MAX_FAILURES=3, LOGIN_LOCK_MINUTES=10, LOGIN_LOCK_MAX_MINUTES=60)
    assert throttle.lock_duration(2) == timedelta(0)
    assert throttle.lock_duration(3) == timedelta(minutes=10)
    assert throttle.lock_duration(4) == timedelta(minutes=20)
    assert throttle.lock_duration(5) == timedelta(minutes=40)
    assert throttle.lock_duration(6) == timedelta(minutes=60)
    assert throttle.lock_duration(10_000) == timedelta(minutes=60)
    app.config["LOGIN_MAX_FAILURES"] = 0
    assert throttle.lock_duration(10_000) == timedelta(0)


def test_after_the_pause_one_more_failure_pauses_again_for_longer(app, db, make_user):
    user = make_user("lena@example.com")
    now = utcnow()
    for _ in range(5):
        authenticate("lena@example.com", WRONG, address=ATTACKER, now=now)
    first = throttle.locked_until(user, ATTACKER, now)
    assert first is not None and first - now == timedelta(minutes=15)
    later = first + timedelta(seconds=1)
    assert throttle.locked_until(user, ATTACKER, later) is None
    assert authenticate("lena@example.com", WRONG, address=ATTACKER, now=later).outcome is (
        LoginOutcome.BAD_CREDENTIALS
    )
    second = throttle.locked_until(user, ATTACKER, later)
    assert second - later == timedelta(minutes=30)


def test_a_pause_ends_and_a_success_forgets_the_failures(app, db, make_user):
    make_user("lena@example.com")
    now = utcnow()
    for _ in range(4):
        authenticate("lena@example.com", WRONG, address=ATTACKER, now=now)
    result = authenticate("lena@example.com", TEST_PASSWORD, address=ATTACKER, now=now)
    assert result.outcome is LoginOutcome.OK
    assert db.session.scalars(sa.select(LoginThrottle)).all() == []


def test_failures_are_forgotten_after_a_day(app, db, make_user):
    user = make_user("lena@example.com")
    then = utcnow() - timedelta(days=2)
    for _ in range(4):
        authenticate("lena@example.com", WRONG, address=ATTACKER, now=then)
    authenticate("lena@example.com", WRONG, address=ATTACKER)
    row = db.session.scalars(sa.select(LoginThrottle)).one()
    assert row.failures == 1 and throttle.locked_until(user, ATTACKER, utcnow()) is None


def test_a_password_reset_lifts_every_pause(app, db, make_user):
    user = make_user("lena@example.com")
    for _ in range(5):
        authenticate("lena@example.com", WRONG, address=ATTACKER)
    set_password(user, "a brand new phrase", actor=None)
    assert db.session.scalars(sa.select(LoginThrottle)).all() == []


@pytest.mark.parametrize("address", ["10.0.0.1", "2001:db8::1"])
def test_pairs_are_counted_separately(app, db, make_user, address):
    user = make_user("lena@example.com")
    other = make_user("omar@example.com")
    for _ in range(5):
        authenticate("lena@example.com", WRONG, address=address)
    now = utcnow()
    assert throttle.locked_until(user, address, now) is not None
    assert throttle.locked_until(user, OWNER, now) is None
    assert throttle.locked_until(other, address, now) is None


def _failing_page(how: str):
    def render(template, **context):
        if how == "refused":
            abort(400)
        raise RuntimeError("the page failed after the check")

    return render


@pytest.mark.parametrize(("how", "status"), [("refused", 400), ("crashed", 500)])
def test_a_failed_sign_in_is_counted_even_when_its_answer_is_an_error(
    app, db, make_user, monkeypatch, how, status
):
    """The request rolls back after an error answer; the failure and its audit record are kept
    on rollback, so no answer a client can provoke lets it dodge the pause."""
    lena_id = make_user("lena@example.com").id
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    with monkeypatch.context() as patched:
        patched.setattr("lms.auth.views.render_template", _failing_page(how))
        for _ in range(5):
            assert sign_in(client, "lena@example.com", WRONG).status_code == status
    db.session.remove()
    row = db.session.scalars(sa.select(LoginThrottle).where(LoginThrottle.user_id == lena_id)).one()
    assert row.failures == 5 and row.locked_until is not None
    failed = db.session.scalars(
        sa.select(AuditEvent.details).where(
            AuditEvent.action == "login.failed", AuditEvent.subject_id == lena_id
        )
    ).all()
    assert [details["reason"] for details in failed] == ["password"] * 5
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "login.locked")
        )
        == 1
    )
    # the pause holds: the right password from that address does not sign in
    assert sign_in(client, "lena@example.com", TEST_PASSWORD).status_code == 200
    assert client.get("/learn").status_code == 302
