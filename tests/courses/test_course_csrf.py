"""Completion forms carry the CSRF token; a POST without it changes nothing."""

from __future__ import annotations

import pytest

from tests.courses import factory
from tests.helpers import csrf_token_from, login_as


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_mark_as_done_needs_the_token(client, db, make_user):
    from tests.courses.test_course_pages import completions

    factory.publish_course("alpha", 1)
    user = make_user()
    login_as(client, user)
    assert client.post("/courses/alpha/lessons/alpha-l1/done").status_code == 400
    assert completions(db, user) == []

    token = csrf_token_from(client.get("/courses/alpha/lessons/alpha-l1"))
    response = client.post("/courses/alpha/lessons/alpha-l1/done", data={"csrf_token": token})
    assert response.status_code == 302
    assert len(completions(db, user)) == 1
