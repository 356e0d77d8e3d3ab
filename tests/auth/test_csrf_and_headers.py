import pytest

from tests.helpers import TEST_PASSWORD, csrf_token_from, login_as


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_post_without_csrf_token_is_refused(client, make_user):
    make_user("lena@example.com")
    response = client.post("/login", data={"email": "lena@example.com", "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert client.get("/learn").status_code == 302


def test_post_with_csrf_token_is_accepted(client, make_user):
    make_user("lena@example.com")
    token = csrf_token_from(client.get("/login"))
    response = client.post(
        "/login", data={"email": "lena@example.com", "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_logout_needs_csrf_and_a_get_changes_nothing(client, make_user):
    user = make_user()
    login_as(client, user)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/learn").status_code == 200


def test_admin_state_changes_need_csrf(client, make_user):
    admin = make_user(roles={"admin"})
    target = make_user()
    login_as(client, admin)
    assert client.post(f"/admin/users/{target.id}/active", data={"active": "0"}).status_code == 400


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers


def test_session_cookie_flags(client, make_user):
    client.get("/login")
    cookie = client.get_cookie("lms_session")
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure


def test_no_inline_script_in_pages(client, make_user):
    login_as(client, make_user(roles={"admin", "manager"}))
    for url in ("/login", "/learn", "/admin", "/admin/users", "/team"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and " onclick=" not in html and "style=" not in html
