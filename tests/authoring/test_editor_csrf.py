"""With CSRF protection on (as in production): editor forms need the token, and a long lesson
is read whole although it is larger than the default form limit."""

from __future__ import annotations

import pytest

from lms.content import store
from tests.authoring.pages import lesson_form
from tests.helpers import csrf_token_from


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_publishing_needs_the_token(author, content):
    response = author.post("/author/lessons/plan-your-day", data=lesson_form(body_en="New.\n"))
    assert response.status_code == 400
    assert store.current_version("lesson", "plan-your-day").number == 1


def test_a_long_chinese_lesson_is_published(author, content):
    token = csrf_token_from(author.get("/author/lessons/plan-your-day"))
    body = "先写计划，再打开邮箱。\n" * 15_000  # 165,000 characters, about 1.5 MB as a form
    form = lesson_form(body_zh=body, csrf_token=token)
    response = author.post("/author/lessons/plan-your-day", data=form)
    assert response.status_code == 302
    current = store.current_version("lesson", "plan-your-day")
    assert current.number == 2 and current.document["body"]["zh-CN"] == body


def test_the_preview_takes_the_token_from_a_header(author, content):
    token = csrf_token_from(author.get("/author/lessons/plan-your-day"))
    assert author.post("/author/preview", data={"markdown": "*x*"}).status_code == 400
    response = author.post(
        "/author/preview", data={"markdown": "*x*"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200 and response.get_json()["html"] == "<p><em>x</em></p>"
