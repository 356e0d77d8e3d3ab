"""A long attempt never fails on an expired CSRF token or session."""

from __future__ import annotations

import re

import pytest
from itsdangerous import timed

from lms.quizzes.models import QuizAnswer, QuizAttempt
from tests.helpers import csrf_token_from, login_as


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_a_token_from_the_start_of_a_long_attempt_still_works(
    app, client, db, publish_quiz, make_user, monkeypatch
):
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None
    publish_quiz()
    learner = make_user()
    login_as(client, learner)
    intro = client.get("/quizzes/basics")
    response = client.post("/quizzes/basics/start", data={"csrf_token": csrf_token_from(intro)})
    attempt_url = response.headers["Location"]
    page = client.get(attempt_url)
    token = csrf_token_from(page)
    action = re.search(r'action="([^"]+/answers)"', page.get_data(as_text=True)).group(1)
    # twenty hours later, on the same page (the signed token carries its time of signing)
    later = timed.time.time() + 20 * 3600
    monkeypatch.setattr(timed.TimestampSigner, "get_timestamp", lambda self: int(later))
    response = client.post(
        action, data={"csrf_token": token, "question": "q1", "answer": "1", "position": "1"}
    )
    assert response.status_code == 302 and "?q=2" in response.headers["Location"]
    response = client.post(
        action,
        data={"question": "q2", "answer": ["0"]},
        headers={"X-Requested-With": "fetch", "X-CSRFToken": token},
    )
    assert response.status_code == 200 and response.get_json() == {"saved": True}
    assert db.session.query(QuizAnswer).count() == 2
    # without a token nothing is saved, with a clear error
    response = client.post(action, data={"question": "q3", "answer": "0"})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    attempt = db.session.query(QuizAttempt).one()
    submit = client.post(
        f"/quizzes/basics/attempts/{attempt.id}/submit", data={"csrf_token": token}
    )
    assert submit.status_code == 302 and submit.headers["Location"].endswith("/result")


def test_the_session_cookie_outlives_a_long_attempt(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"].days >= 1
    assert app.config["SESSION_REFRESH_EACH_REQUEST"] is True
