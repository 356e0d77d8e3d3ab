import pytest

from lms.audit.models import AuditEvent
from lms.people.models import User
from tests.helpers import TEST_PASSWORD, csrf_token_from, login_as, login_with_password


def actions(db):
    return [
        event.action for event in db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))
    ]


def test_login_with_case_insensitive_email_and_audit(client, db, make_user):
    user = make_user("lena@example.com")
    response = login_with_password(client, "  LENA@Example.COM ")
    assert response.status_code == 302 and response.headers["Location"] == "/learn"
    assert client.get("/learn").status_code == 200
    assert actions(db) == ["login.succeeded"]
    assert db.session.get(User, user.id).last_login_at is not None


def test_wrong_password_is_refused_with_a_clear_message(client, db, make_user):
    make_user("lena@example.com")
    response = login_with_password(client, "lena@example.com", "wrong password here")
    assert response.status_code == 200
    assert "Wrong e-mail or password." in response.get_data(as_text=True)
    assert client.get("/learn").status_code == 302
    assert actions(db) == ["login.failed"]


def test_unknown_email_gets_the_same_message(client, db):
    response = login_with_password(client, "nobody@example.com")
    assert "Wrong e-mail or password." in response.get_data(as_text=True)
    event = db.session.scalars(db.select(AuditEvent)).one()
    assert event.details == {"email": "nobody@example.com", "reason": "unknown"}


def test_deactivated_user_cannot_log_in(client, make_user):
    make_user("gone@example.com", active=False)
    response = login_with_password(client, "gone@example.com")
    assert "deactivated" in response.get_data(as_text=True)
    assert client.get("/learn").status_code == 302


def test_user_without_password_cannot_log_in(client, db, make_user):
    user = make_user("new@example.com")
    user.password_hash = None
    db.session.commit()
    assert "Wrong e-mail or password." in login_with_password(client, "new@example.com").get_data(
        as_text=True
    )


def test_logout_ends_every_session_of_the_user(app, make_user):
    make_user("lena@example.com")
    laptop, phone = app.test_client(), app.test_client()
    login_with_password(laptop, "lena@example.com")
    login_with_password(phone, "lena@example.com")
    assert phone.get("/learn").status_code == 200
    assert laptop.post("/logout").status_code == 302
    assert laptop.get("/learn").status_code == 302
    assert phone.get("/learn").status_code == 302


def test_remember_me_cookie_survives_the_session_but_not_a_logout(app, make_user):
    make_user("lena@example.com")
    client = app.test_client()
    login_with_password(client, "lena@example.com", remember="y")
    remember = client.get_cookie("lms_remember")
    assert remember is not None and remember.http_only
    other = app.test_client()
    other.set_cookie("lms_remember", remember.value)
    assert other.get("/learn").status_code == 200
    client.post("/logout")
    stale = app.test_client()
    stale.set_cookie("lms_remember", remember.value)
    assert stale.get("/learn").status_code == 302


def test_password_change_needs_the_current_password_and_ends_other_sessions(app, db, make_user):
    make_user("lena@example.com")
    laptop, phone = app.test_client(), app.test_client()
    login_with_password(laptop, "lena@example.com")
    login_with_password(phone, "lena@example.com")
    wrong = laptop.post(
        "/account/password",
        data={
            "current_password": "nope nope",
            "new_password": "a brand new phrase",
            "confirm": "a brand new phrase",
        },
    )
    assert "The current password is wrong." in wrong.get_data(as_text=True)
    weak = laptop.post(
        "/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": "password1",
            "confirm": "password1",
        },
    )
    assert "too common" in weak.get_data(as_text=True)
    ok = laptop.post(
        "/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": "a brand new phrase",
            "confirm": "a brand new phrase",
        },
    )
    assert ok.status_code == 302
    assert laptop.get("/learn").status_code == 200
    assert phone.get("/learn").status_code == 302
    assert "user.password_changed" in actions(db)
    assert (
        login_with_password(app.test_client(), "lena@example.com", "a brand new phrase").status_code
        == 302
    )


def test_deactivation_ends_the_session(app, db, client, make_user):
    user = make_user("lena@example.com")
    admin = make_user(roles={"admin"})
    login_with_password(client, "lena@example.com")
    admin_client = app.test_client()
    login_as(admin_client, admin)
    admin_client.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    assert client.get("/learn").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "/%0d%0aSet-Cookie:x=y",
        " //evil.example",
        "evil.example",
    ],
)
def test_login_never_redirects_off_site(client, make_user, target):
    make_user("lena@example.com")
    response = client.post(
        "/login?next=" + target,
        data={"email": "lena@example.com", "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/learn" or (location.startswith("/") and not location.startswith("//"))
    assert "evil" not in location


def test_login_follows_a_local_next(client, make_user):
    make_user("lena@example.com")
    response = client.post(
        "/login?next=/admin/users%3Fq%3Dx",
        data={"email": "lena@example.com", "password": TEST_PASSWORD},
    )
    assert response.headers["Location"] == "/admin/users?q=x"


def test_anonymous_user_is_sent_to_login_with_next(client):
    response = client.get("/admin/users?q=a")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("field", ["email", "password"])
def test_huge_login_input_is_refused_cleanly(client, field):
    data = {"email": "a@example.com", "password": "x" * 10}
    data[field] = "x" * 100_000
    response = client.post("/login", data=data)
    assert response.status_code == 200
    assert "field--invalid" in response.get_data(as_text=True)


def test_login_page_has_csrf_token_and_no_store(app):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.get("/login")
    assert csrf_token_from(response)
    assert response.headers["Cache-Control"] == "no-store"
