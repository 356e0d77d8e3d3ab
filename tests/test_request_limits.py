"""A form over the limit gets our 413 page, whichever release of Werkzeug parses forms (3.1.9
stopped applying the form memory limit to url-encoded bodies)."""

from __future__ import annotations

import pytest

OVER = 600_000  # Flask's form memory limit is 500,000 bytes


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_a_urlencoded_form_over_the_limit_gets_our_413(client, language):
    response = client.post(
        "/language",
        data={"locale": "en", "next": "/", "padding": "x" * OVER},
        headers={"Accept-Language": language},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert ("Upload too large" if language == "en" else 'lang="zh-CN"') in page


def test_a_urlencoded_form_over_the_limit_gets_json_when_asked(client):
    response = client.post(
        "/language",
        data={"locale": "en", "padding": "x" * OVER},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 413
    assert response.get_json()["error"] == "Upload too large"


def test_a_form_under_the_limit_is_read(client):
    response = client.post("/language", data={"locale": "zh_CN", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
