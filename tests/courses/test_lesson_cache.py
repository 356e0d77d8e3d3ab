"""Lesson pages come from a cache of rendered fragments keyed by the content, and revalidate with
ETag / Last-Modified: a new version is served at once in every language, a 304 costs no render."""

from __future__ import annotations

import uuid

import pytest

from lms.content import store
from tests.courses import factory
from tests.helpers import login_as, skip_or_fail

URL = "/courses/alpha/lessons/both"


def publish_lesson(english: str, chinese: str) -> None:
    factory.publish(
        factory.lesson(
            "both",
            "alpha",
            title="Both languages",
            body=english,
            zh_title="两种语言",
            zh_body=chinese,
        )
    )


def setup_course() -> None:
    publish_lesson("First English text.\n", "第一版中文。\n")
    factory.publish(factory.course("alpha", [[("lesson", "both")]]))


def test_a_new_version_is_served_at_once_in_both_languages(client, db, make_user):
    setup_course()
    english, chinese = make_user(locale="en"), make_user(locale="zh_CN")
    login_as(client, english)
    assert "First English text." in client.get(URL).get_data(as_text=True)
    login_as(client, chinese)
    assert "第一版中文。" in client.get(URL).get_data(as_text=True)
    assert "第一版中文。" in client.get(URL).get_data(as_text=True)  # from the cache

    publish_lesson("Second English text.\n", "第二版中文。\n")
    db.session.commit()

    page = client.get(URL).get_data(as_text=True)
    assert "第二版中文。" in page and "第一版中文。" not in page
    login_as(client, english)
    page = client.get(URL).get_data(as_text=True)
    assert "Second English text." in page and "First English text." not in page


def test_a_retired_lesson_leaves_the_cache_at_once(client, db, make_user):
    setup_course()
    login_as(client, make_user())
    assert client.get(URL).status_code == 200
    store.retire("lesson", "both")
    db.session.commit()
    assert client.get(URL).status_code == 404


def test_etag_and_last_modified_give_304_until_something_changes(client, db, make_user):
    setup_course()
    login_as(client, make_user())
    first = client.get(URL)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    assert "no-cache" in first.headers["Cache-Control"]
    assert "private" in first.headers["Cache-Control"]

    again = client.get(URL, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag

    client.post(URL + "/done")  # the reader's own completion changes the page
    after = client.get(URL, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert "Mark as done" not in after.get_data(as_text=True)
    assert after.headers["ETag"] != etag

    newer = after.headers["ETag"]
    assert client.get(URL, headers={"If-None-Match": newer}).status_code == 304
    publish_lesson("Edited text.\n", "修改后的中文。\n")
    db.session.commit()
    changed = client.get(URL, headers={"If-None-Match": newer})
    assert changed.status_code == 200 and "Edited text." in changed.get_data(as_text=True)


def test_another_reader_does_not_get_a_304_for_someone_elses_page(client, make_user):
    setup_course()
    login_as(client, make_user())
    etag = client.get(URL).headers["ETag"]
    login_as(client, make_user())
    assert client.get(URL, headers={"If-None-Match": etag}).status_code == 200


def test_a_lesson_read_costs_a_fixed_few_queries(client, make_user, queries):
    setup_course()
    login_as(client, make_user())
    client.get(URL)
    with queries() as statements:
        assert client.get(URL).status_code == 200
    assert len(statements) <= 5


class TestInRedis:
    """With LMS_CACHE_URL the fragments live in Redis, shared by every worker."""

    @pytest.fixture
    def app_config(self):
        import redis

        try:
            redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
        except redis.exceptions.ConnectionError:
            skip_or_fail("Redis is not running on 127.0.0.1:6379")
        return {"CACHE_URL": f"redis://127.0.0.1:6379/15?client_name=t{uuid.uuid4().hex[:8]}"}

    def test_fragments_are_stored_in_redis_and_follow_new_versions(
        self, app, client, db, make_user
    ):
        import redis

        setup_course()
        login_as(client, make_user(locale="zh_CN"))
        assert "第一版中文。" in client.get(URL).get_data(as_text=True)
        connection = redis.Redis(host="127.0.0.1", port=6379, db=15)
        keys = connection.keys("lms:fragment:lesson:*")
        try:
            assert keys
            publish_lesson("Second English text.\n", "第二版中文。\n")
            db.session.commit()
            assert "第二版中文。" in client.get(URL).get_data(as_text=True)
        finally:
            connection.delete(*connection.keys("lms:fragment:*"))
