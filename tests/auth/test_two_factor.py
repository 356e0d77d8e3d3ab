"""Two-factor sign-in: enrolment, the code step of a sign-in, recovery codes, the admin's reset
and the rule that admins must have a second factor."""

import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from lms.audit.models import AuditEvent
from lms.auth import two_factor
from lms.auth.models import LoginThrottle, RecoveryCode, TwoFactor
from lms.timeutil import utcnow
from tests.helpers import TEST_PASSWORD, TEST_TOTP_SECRET, login_as, login_with_password


def current_code(secret: str = TEST_TOTP_SECRET) -> str:
    return pyotp.TOTP(secret).now()


def wrong_code(secret: str = TEST_TOTP_SECRET) -> str:
    """A 6-digit code that no step near now accepts."""
    totp = pyotp.TOTP(secret)
    counter = int(time.time()) // 30
    near = {totp.generate_otp(step) for step in range(counter - 2, counter + 3)}
    return next(code for code in (f"{n:06d}" for n in range(1_000_000)) if code not in near)


def actions(db) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def enter_code(client, code):
    return client.post("/login/code", data={"code": code})


# --- enrolment -------------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_the_key_and_needs_a_right_code(client, db, make_user):
    user = make_user("lena@example.com")
    login_as(client, user)
    page = client.get("/account/security").get_data(as_text=True)
    assert "Set up two-factor sign-in" in page
    started = client.post("/account/security/enrol/start")
    assert started.headers["Location"] == "/account/security/enrol"
    response = client.get("/account/security/enrol")
    page = response.get_data(as_text=True)
    secret = two_factor.pending_secret(user)
    assert secret is not None
    assert two_factor.format_secret(secret) in page
    qr = re.search(r'<figure class="qr-code".*?</figure>', page, re.DOTALL).group(0)
    assert "<svg" in qr and "<path" in qr and "style" not in qr and "script" not in qr
    assert response.headers["Cache-Control"] == "no-store"
    # The secret is stored encrypted.
    stored = db.session.get(TwoFactor, user.id)
    assert secret not in stored.secret_encrypted and stored.enabled_at is None

    wrong = client.post("/account/security/enrol", data={"code": wrong_code(secret)})
    assert "Wrong code." in wrong.get_data(as_text=True)
    assert not two_factor.is_enabled(user)

    done = client.post("/account/security/enrol", data={"code": current_code(secret)})
    page = done.get_data(as_text=True)
    codes = re.findall(r"<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>", page)
    assert len(set(codes)) == 10
    assert done.headers["Cache-Control"] == "no-store"
    db.session.expire_all()
    assert two_factor.is_enabled(user)
    assert "two_factor.enabled" in actions(db)
    stored = list(db.session.scalars(sa.select(RecoveryCode.code_hash)))
    assert len(set(stored)) == 10
    assert not any(
        code in value or code.replace("-", "") in value for code in codes for value in stored
    )
    security = client.get("/account/security").get_data(as_text=True)
    assert "10 unused recovery codes left." in security


def test_enrolment_pages_are_in_chinese(client, make_user):
    user = make_user("lena@example.com", locale="zh_CN")
    login_as(client, user)
    assert "两步验证" in client.get("/account/security").get_data(as_text=True)
    client.post("/account/security/enrol/start")
    assert "两步验证" in client.get("/account/security/enrol").get_data(as_text=True)


# --- signing in with a code ------------------------------------------------------------------


def test_sign_in_asks_for_the_code_after_the_password(client, db, make_user):
    make_user("lena@example.com", two_factor=True)
    response = login_with_password(client, "lena@example.com")
    assert response.headers["Location"] == "/login/code"
    assert client.get("/learn").status_code == 302  # not signed in yet
    assert "login.succeeded" not in actions(db)
    wrong = enter_code(client, wrong_code())
    assert wrong.status_code == 200 and "Wrong code." in wrong.get_data(as_text=True)
    assert client.get("/learn").status_code == 302
    ok = enter_code(client, current_code())
    assert ok.status_code == 302 and ok.headers["Location"] == "/learn"
    assert client.get("/learn").status_code == 200
    succeeded = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "login.succeeded")
    ).one()
    assert succeeded.details == {"method": "totp"}


def test_a_code_cannot_be_used_twice(app, make_user):
    make_user("lena@example.com", two_factor=True)
    code = current_code()
    first, second = app.test_client(), app.test_client()
    login_with_password(first, "lena@example.com")
    assert enter_code(first, code).status_code == 302
    login_with_password(second, "lena@example.com")
    assert "Wrong code." in enter_code(second, code).get_data(as_text=True)
    assert second.get("/learn").status_code == 302


def test_the_code_step_needs_the_password_step_first(client, make_user):
    make_user("lena@example.com", two_factor=True)
    response = enter_code(client, current_code())
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/learn").status_code == 302


def test_the_password_step_expires(client, make_user):
    make_user("lena@example.com", two_factor=True)
    login_with_password(client, "lena@example.com")
    with client.session_transaction() as session:
        pending = dict(session["two_factor_pending"])
        pending["since"] -= 3600
        session["two_factor_pending"] = pending
    response = enter_code(client, current_code())
    assert response.headers["Location"] == "/login"
    assert client.get("/learn").status_code == 302


def test_wrong_codes_pause_the_address_like_wrong_passwords(app, db, make_user):
    user = make_user("lena@example.com", two_factor=True)
    client = app.test_client()
    login_with_password(client, "lena@example.com")
    for _ in range(5):
        enter_code(client, wrong_code())
    row = db.session.scalars(sa.select(LoginThrottle)).one()
    assert row.user_id == user.id and row.locked_until > utcnow()
    assert "Wrong code." in enter_code(client, current_code()).get_data(as_text=True)
    assert client.get("/learn").status_code == 302
    # A right password does not reset the count while the code is missing.
    login_with_password(app.test_client(), "lena@example.com")
    assert db.session.scalars(sa.select(LoginThrottle)).one().failures == 5


def test_a_recovery_code_works_once(app, db, make_user):
    user = make_user("lena@example.com", two_factor=True)
    codes = two_factor.regenerate_recovery_codes(user, now=utcnow())
    db.session.commit()
    first = app.test_client()
    login_with_password(first, "lena@example.com")
    assert enter_code(first, codes[3].upper()).status_code == 302
    assert first.get("/learn").status_code == 200
    assert "two_factor.recovery_code_used" in actions(db)
    assert two_factor.recovery_codes_left(user) == 9
    again = app.test_client()
    login_with_password(again, "lena@example.com")
    assert "Wrong code." in enter_code(again, codes[3]).get_data(as_text=True)
    assert again.get("/learn").status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, db, make_user):
    user = make_user("lena@example.com", two_factor=True)
    old = two_factor.regenerate_recovery_codes(user, now=utcnow())
    db.session.commit()
    login_as(client, user)
    refused = client.post("/account/security/recovery-codes", data={"code": wrong_code()})
    assert refused.status_code == 302
    page = client.post("/account/security/recovery-codes", data={"code": current_code()}).get_data(
        as_text=True
    )
    new = re.findall(r"<code>([a-z0-9-]{14})</code>", page)
    assert len(new) == 10 and not set(new) & set(old)
    assert two_factor.verify(user, old[0], now=utcnow()) is None
    assert two_factor.verify(user, new[0], now=utcnow()) == "recovery_code"


def test_a_learner_may_turn_it_off_with_a_code_but_an_admin_may_not(app, db, make_user):
    learner = make_user("lena@example.com", two_factor=True)
    client = app.test_client()
    login_as(client, learner)
    client.post("/account/security/disable", data={"code": current_code()})
    assert not two_factor.is_enabled(learner)
    assert "two_factor.disabled" in actions(db)
    admin = make_user("alex@example.com", roles={"admin"})
    admin_client = app.test_client()
    login_as(admin_client, admin)
    page = admin_client.post(
        "/account/security/disable", data={"code": current_code()}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Admins must keep two-factor sign-in on." in page
    assert two_factor.is_enabled(admin)


# --- admins ----------------------------------------------------------------------------------


def test_an_admin_without_a_second_factor_cannot_reach_admin_pages(client, db, make_user):
    admin = make_user("alex@example.com", roles={"admin"}, two_factor=False)
    response = login_with_password(client, "alex@example.com")
    assert response.status_code == 302
    for url in ("/admin", "/admin/users", "/admin/audit", "/learn"):
        blocked = client.get(url)
        assert blocked.status_code == 302, url
        assert blocked.headers["Location"] == "/account/security", url
    assert client.get("/admin", headers={"Accept": "application/json"}).status_code == 403
    assert client.post(f"/admin/users/{admin.id}/active", data={"active": "0"}).status_code == 302
    page = client.get("/account/security").get_data(as_text=True)
    assert "set up two-factor sign-in to continue" in page
    client.post("/account/security/enrol/start")
    secret = two_factor.pending_secret(admin)
    client.post("/account/security/enrol", data={"code": current_code(secret)})
    assert client.get("/admin").status_code == 200


def test_an_admin_with_a_second_factor_signs_in_with_it(client, make_user):
    make_user("alex@example.com", roles={"admin"})
    assert login_with_password(client, "alex@example.com").headers["Location"] == "/login/code"
    assert enter_code(client, current_code()).status_code == 302
    assert client.get("/admin").status_code == 200


def test_an_admin_resets_another_persons_second_factor_audited(app, db, make_user):
    admin = make_user("alex@example.com", roles={"admin"})
    lena = make_user("lena@example.com", two_factor=True)
    lena_client = app.test_client()
    login_as(lena_client, lena)
    assert lena_client.get("/learn").status_code == 200
    client = app.test_client()
    login_as(client, admin)
    assert "Reset second factor" in client.get(f"/admin/users/{lena.id}").get_data(as_text=True)
    response = client.post(f"/admin/users/{lena.id}/two-factor/reset", follow_redirects=True)
    assert "has been removed" in response.get_data(as_text=True)
    assert db.session.get(TwoFactor, lena.id) is None
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "two_factor.reset")
    ).one()
    assert (event.actor_id, event.subject_id) == (admin.id, lena.id)
    assert lena_client.get("/learn").status_code == 302  # her sessions ended
    # She signs in with the password alone now.
    assert login_with_password(app.test_client(), "lena@example.com").headers["Location"] == (
        "/learn"
    )
    # An admin cannot reset their own.
    own = client.post(f"/admin/users/{admin.id}/two-factor/reset", follow_redirects=True)
    assert "ask another admin" in own.get_data(as_text=True)
    assert two_factor.is_enabled(admin)


def test_a_learner_cannot_reset_anyone(client, make_user):
    lena = make_user("lena@example.com", two_factor=True)
    login_as(client, make_user("omar@example.com"))
    assert client.post(f"/admin/users/{lena.id}/two-factor/reset").status_code == 403
    assert two_factor.is_enabled(lena)


@pytest.mark.parametrize(
    "code", ["", "１２３４５６", "12345", "x" * 70, "\x00" * 6, "abcd-efgh-ijkl"]
)
def test_hostile_codes_are_refused_cleanly(client, make_user, code):
    make_user("lena@example.com", two_factor=True)
    login_with_password(client, "lena@example.com")
    response = enter_code(client, code)
    # NUL characters are refused for the whole request (400); other bad codes are a form error
    assert response.status_code == (400 if "\x00" in code else 200)
    assert client.get("/learn").status_code == 302


def test_the_secret_never_reaches_the_audit_log(client, db, make_user):
    user = make_user("lena@example.com")
    login_as(client, user)
    client.post("/account/security/enrol/start")
    secret = two_factor.pending_secret(user)
    client.post("/account/security/enrol", data={"code": current_code(secret)})
    details = " ".join(str(e.details) for e in db.session.scalars(sa.select(AuditEvent)))
    assert secret not in details and TEST_PASSWORD not in details


def test_an_admin_made_by_the_command_is_sent_to_enrol_at_first_sign_in(app, client, runner):
    result = runner.invoke(
        args=[
            "lms",
            "create-user",
            "boss@example.com",
            "--name",
            "Bo Boss",
            "--password",
            "violet-harbour-engine-42",
            "--role",
            "admin",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "two-factor sign-in" in result.output
    login_with_password(client, "boss@example.com", "violet-harbour-engine-42")
    assert client.get("/admin").headers["Location"] == "/account/security"


def test_the_command_refuses_a_common_password(runner):
    result = runner.invoke(
        args=["lms", "create-user", "boss@example.com", "--name", "Bo", "--password", "Sales2026!"]
    )
    assert result.exit_code != 0
    assert "too common" in result.output
