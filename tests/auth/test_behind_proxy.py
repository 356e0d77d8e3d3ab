import pytest


@pytest.fixture
def app_config():
    return {"BEHIND_HTTPS_PROXY": True}


def test_behind_https_proxy_cookies_are_secure_and_hsts_is_sent(client):
    response = client.get(
        "/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    )
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = client.get_cookie("lms_session")
    assert cookie.secure
