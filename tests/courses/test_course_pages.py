"""The learner's course pages: catalogue, outline, lesson, completion, retirement, languages."""

from __future__ import annotations

import re

import sqlalchemy as sa

from lms.content import store
from lms.content.models import ContentItem
from lms.courses.models import LessonCompletion
from lms.progress import ItemProgress
from tests.courses import factory
from tests.helpers import login_as


def completions(db, user):
    return db.session.scalars(
        sa.select(LessonCompletion).where(LessonCompletion.user_id == user.id)
    ).all()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- catalogue ----------------------------------------------------------------------------------


def test_catalogue_lists_live_courses_with_progress(client, db, make_user):
    factory.publish_course("alpha", 4, title="Alpha selling")
    factory.publish_course("beta", 2, title="Beta habits")
    factory.publish_course("gone", 1, title="Gone course")
    store.retire("course", "gone")
    user = make_user()
    login_as(client, user)
    client.post("/courses/alpha/lessons/alpha-l1/done")
    client.post("/courses/alpha/lessons/alpha-l2/done")

    page = client.get("/courses").get_data(as_text=True)

    assert "Alpha selling" in page and "Beta habits" in page
    assert "Gone course" not in page
    assert page.index("Alpha selling") < page.index("Beta habits")
    assert '<progress max="4" value="2"' in page
    assert "2 of 4 done" in text_of(page)
    assert "4 lessons" in text_of(page)
    assert "0 of 2 done" in text_of(page)


def test_catalogue_marks_a_finished_course(client, make_user):
    factory.publish_course("alpha", 1)
    user = make_user()
    login_as(client, user)
    client.post("/courses/alpha/lessons/alpha-l1/done")
    page = client.get("/courses").get_data(as_text=True)
    assert "Completed" in page


def test_catalogue_in_chinese(client, make_user):
    made = factory.course(
        "alpha", [[("lesson", "alpha-l1")]], title="Alpha selling", zh_title="阿尔法销售"
    )
    factory.publish(factory.lesson("alpha-l1", "alpha"), made)
    login_as(client, make_user(locale="zh_CN"))
    page = client.get("/courses").get_data(as_text=True)
    assert "阿尔法销售" in page
    assert "Alpha selling" not in page


def test_catalogue_without_courses(client, make_user):
    login_as(client, make_user())
    response = client.get("/courses")
    assert response.status_code == 200
    assert "No courses yet" in response.get_data(as_text=True)


# --- course outline -----------------------------------------------------------------------------


def test_course_outline_shows_every_item_with_its_status(client, make_user, fake_scores):
    factory.publish(
        factory.lesson("read-me", "alpha", title="Read me"),
        factory.lesson("later", "alpha", title="Later"),
        factory.quiz("alpha-check", "alpha", title="Alpha check"),
        factory.scenario("price-drill", title="Price drill"),
        factory.scenario("second-drill", title="Second drill"),
    )
    factory.publish(
        factory.course(
            "alpha",
            [
                [("lesson", "read-me"), ("lesson", "later")],
                [
                    ("quiz", "alpha-check"),
                    ("scenario", "price-drill"),
                    ("scenario", "second-drill"),
                ],
            ],
            title="Alpha selling",
            summary="Learn **alpha**.",
        )
    )
    user = make_user()
    fake_scores[(user.id, "alpha-check")] = ItemProgress(
        started=True, done=True, best_score=90.0, attempts=2
    )
    fake_scores[(user.id, "price-drill")] = ItemProgress(
        started=True, done=False, best_score=40.0, attempts=1
    )
    login_as(client, user)
    client.post("/courses/alpha/lessons/read-me/done")

    page = client.get("/courses/alpha").get_data(as_text=True)
    text = text_of(page)

    assert "<strong>alpha</strong>" in page
    assert "Module 1" in text and "Module 2" in text
    assert "Lesson Read me Read Lesson Later Not read yet" in text
    assert "Quiz Alpha check Passed Best 90%" in text
    assert "Drill Price drill Not passed yet Best 40%" in text
    assert "Drill Second drill Not started" in text
    assert "2 of 5 done" in text
    assert 'href="/courses/alpha/lessons/read-me"' in page
    assert 'href="/quizzes/alpha-check"' in page
    assert 'href="/scenarios/price-drill"' in page


def test_course_is_done_when_every_item_is_done(client, db, make_user, fake_scores):
    from lms.progress import progress_of

    factory.publish(factory.quiz("alpha-check", "alpha"), factory.scenario("price-drill"))
    factory.publish_course("alpha", 2, extra=[("quiz", "alpha-check"), ("scenario", "price-drill")])
    user = make_user()
    login_as(client, user)
    client.post("/courses/alpha/lessons/alpha-l1/done")
    client.post("/courses/alpha/lessons/alpha-l2/done")
    fake_scores[(user.id, "alpha-check")] = ItemProgress(started=True, done=True)
    assert progress_of("course", [user.id], ["alpha"])[(user.id, "alpha")].done is False

    fake_scores[(user.id, "price-drill")] = ItemProgress(started=True, done=True)
    state = progress_of("course", [user.id], ["alpha"])[(user.id, "alpha")]
    assert state.done is True and state.started is True
    assert state.done_at is not None

    store.retire("quiz", "alpha-check")
    del fake_scores[(user.id, "alpha-check")]
    assert progress_of("course", [user.id], ["alpha"])[(user.id, "alpha")].done is True


def test_an_item_no_longer_offered_is_shown_but_not_counted(client, make_user):
    factory.publish_course("alpha", 3)
    store.retire("lesson", "alpha-l2")
    login_as(client, make_user())
    page = client.get("/courses/alpha").get_data(as_text=True)
    text = text_of(page)
    assert "No longer offered" in text
    assert "0 of 2 done" in text
    assert 'href="/courses/alpha/lessons/alpha-l2"' not in page


def test_unknown_course_is_404(client, make_user):
    login_as(client, make_user())
    assert client.get("/courses/nope").status_code == 404
    assert client.get("/courses/nope/lessons/nope").status_code == 404


# --- lessons ------------------------------------------------------------------------------------


def test_lesson_page_shows_the_stored_html_and_reading_aids(client, make_user):
    factory.publish_framework()
    factory.publish(
        factory.lesson(
            "plan-your-day",
            "alpha",
            title="Plan your day",
            body="## Before the day\n\nWrite **three** items.\n",
            skills=("planning", "time-management"),
            minutes=8,
        ),
        factory.quiz("alpha-check", "alpha", title="Alpha check"),
        factory.lesson("intro", "alpha", title="Intro"),
    )
    factory.publish(
        factory.course(
            "alpha",
            [[("lesson", "intro"), ("lesson", "plan-your-day"), ("quiz", "alpha-check")]],
            title="Alpha selling",
        )
    )
    login_as(client, make_user())

    page = client.get("/courses/alpha/lessons/plan-your-day").get_data(as_text=True)
    text = text_of(page)

    assert "<h1>Plan your day</h1>" in page
    assert '<h2 id="before-the-day">Before the day</h2>' in page
    assert "<strong>three</strong>" in page
    assert "8 minutes to read" in text
    assert "Item 2 of 3" in text
    assert "Planning" in text and "Time management" in text
    assert re.search(r'rel="prev" href="/courses/alpha/lessons/intro".*?Intro', page, re.S)
    assert re.search(r'rel="next" href="/quizzes/alpha-check".*?Alpha check', page, re.S)
    assert "Mark as done" in page
    assert 'href="/courses/alpha"' in page


def test_reading_time_is_estimated_from_the_words_when_minutes_are_missing(client, make_user):
    words = " ".join(["word"] * 450)
    factory.publish(factory.lesson("long", "alpha", body=words, minutes=None))
    factory.publish(factory.course("alpha", [[("lesson", "long")]]))
    login_as(client, make_user())
    text = text_of(client.get("/courses/alpha/lessons/long").get_data(as_text=True))
    assert "About 3 minutes to read" in text


def test_estimate_counts_words_and_chinese_characters():
    from lms.courses.services import estimate_minutes

    assert estimate_minutes("") == 1
    assert estimate_minutes(" ".join(["plan"] * 200)) == 1
    assert estimate_minutes(" ".join(["plan"] * 201)) == 2
    assert estimate_minutes("计" * 800) == 2
    assert estimate_minutes("计" * 801) == 3
    assert estimate_minutes("**Bold** [a link](https://example.com) and don't") <= 1


def test_lesson_in_the_readers_language_with_fallback(client, make_user):
    factory.publish(
        factory.lesson(
            "both",
            "alpha",
            title="In English",
            body="English text.\n",
            zh_title="中文标题",
            zh_body="中文正文。\n",
        ),
        factory.lesson("english-only", "alpha", title="Only English", body="Just English.\n"),
    )
    factory.publish(factory.course("alpha", [[("lesson", "both"), ("lesson", "english-only")]]))
    login_as(client, make_user(locale="zh_CN"))

    page = client.get("/courses/alpha/lessons/both").get_data(as_text=True)
    assert '<article class="lesson" lang="zh-CN">' in page
    assert "中文标题" in page and "中文正文。" in page
    assert "English text." not in page

    page = client.get("/courses/alpha/lessons/english-only").get_data(as_text=True)
    assert '<article class="lesson" lang="en">' in page
    assert "Just English." in page
    assert "flash--info" in page


def test_english_reader_gets_english(client, make_user):
    factory.publish(factory.lesson("both", "alpha", body="English text.\n", zh_body="中文正文。\n"))
    factory.publish(factory.course("alpha", [[("lesson", "both")]]))
    login_as(client, make_user(locale="en"))
    page = client.get("/courses/alpha/lessons/both").get_data(as_text=True)
    assert "English text." in page and "中文正文" not in page
    assert "flash--info" not in page


def test_lesson_of_another_course_is_404(client, make_user):
    factory.publish_course("alpha", 1)
    factory.publish_course("beta", 1)
    login_as(client, make_user())
    assert client.get("/courses/beta/lessons/alpha-l1").status_code == 404
    assert client.post("/courses/beta/lessons/alpha-l1/done").status_code == 404


def test_stored_html_is_what_the_page_shows_and_it_is_sanitized(client, make_user):
    hostile = (
        "Hi <script>alert(1)</script> [x](javascript:alert(2)) "
        '<img src=x onerror="alert(3)"> <a href="JaVaScRiPt:alert(4)">y</a>\n'
    )
    factory.publish(factory.lesson("evil", "alpha", title="<b>Title</b>", body=hostile))
    factory.publish(factory.course("alpha", [[("lesson", "evil")]]))
    login_as(client, make_user())
    page = client.get("/courses/alpha/lessons/evil").get_data(as_text=True)
    body = page.split('class="prose lesson__body">', 1)[1].split("</div>", 1)[0]
    assert "<script" not in body and "onerror" not in body
    assert "javascript:" not in body.lower()
    assert "&lt;b&gt;Title&lt;/b&gt;" in page


# --- completion ---------------------------------------------------------------------------------


def test_mark_as_done_is_idempotent_and_can_be_undone(client, db, make_user):
    factory.publish_course("alpha", 2)
    user = make_user()
    login_as(client, user)

    response = client.post("/courses/alpha/lessons/alpha-l1/done")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/courses/alpha/lessons/alpha-l1")
    first = completions(db, user)
    assert len(first) == 1
    completed_at = first[0].completed_at
    version = store.current_version("lesson", "alpha-l1")
    assert first[0].version_id == version.id

    assert client.post("/courses/alpha/lessons/alpha-l1/done").status_code == 302
    again = completions(db, user)
    assert len(again) == 1 and again[0].completed_at == completed_at

    page = client.get("/courses/alpha/lessons/alpha-l1").get_data(as_text=True)
    assert "You marked this lesson as done" in page and "Undo" in page

    assert client.post("/courses/alpha/lessons/alpha-l1/undo").status_code == 302
    assert completions(db, user) == []
    assert client.post("/courses/alpha/lessons/alpha-l1/undo").status_code == 302
    assert "Mark as done" in client.get("/courses/alpha/lessons/alpha-l1").get_data(as_text=True)


def test_completion_keeps_the_version_read_and_survives_a_new_version(client, db, make_user):
    factory.publish_course("alpha", 1)
    user = make_user()
    login_as(client, user)
    client.post("/courses/alpha/lessons/alpha-l1/done")
    first_version = store.current_version("lesson", "alpha-l1")
    factory.publish(factory.lesson("alpha-l1", "alpha", body="A new text.\n"))
    assert store.current_version("lesson", "alpha-l1").number == 2
    (row,) = completions(db, user)
    assert row.version_id == first_version.id
    assert "Completed" in client.get("/courses").get_data(as_text=True)


def test_marking_is_per_learner(client, app, db, make_user):
    factory.publish_course("alpha", 1)
    first, second = make_user(), make_user()
    login_as(client, first)
    client.post("/courses/alpha/lessons/alpha-l1/done")
    other = app.test_client()
    login_as(other, second)
    assert "Mark as done" in other.get("/courses/alpha/lessons/alpha-l1").get_data(as_text=True)
    assert len(completions(db, first)) == 1 and completions(db, second) == []


def test_the_database_refuses_a_second_completion(db, make_user):
    import pytest
    from sqlalchemy.exc import IntegrityError

    factory.publish_course("alpha", 1)
    user = make_user()
    item = db.session.scalar(sa.select(ContentItem).where(ContentItem.slug == "alpha-l1"))
    db.session.add(LessonCompletion(user_id=user.id, lesson_item_id=item.id))
    db.session.commit()
    db.session.add(LessonCompletion(user_id=user.id, lesson_item_id=item.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_complete_lesson_service_returns_the_first_completion(db, make_user):
    from lms.courses.services import complete_lesson

    factory.publish_course("alpha", 1)
    user = make_user()
    version = store.current_version("lesson", "alpha-l1")
    first = complete_lesson(user, version)
    second = complete_lesson(user, version)
    assert first is second
    db.session.commit()


def test_marking_needs_a_post(client, make_user):
    factory.publish_course("alpha", 1)
    login_as(client, make_user())
    assert client.get("/courses/alpha/lessons/alpha-l1/done").status_code == 405


# --- retirement ---------------------------------------------------------------------------------


def test_a_retired_lesson_is_404_for_new_readers_and_history_stays(client, app, db, make_user):
    factory.publish_course("alpha", 2)
    reader, newcomer = make_user(), make_user()
    login_as(client, reader)
    client.post("/courses/alpha/lessons/alpha-l1/done")
    store.retire("lesson", "alpha-l1")
    db.session.commit()

    page = client.get("/courses/alpha/lessons/alpha-l1")
    assert page.status_code == 200
    assert "has been retired" in page.get_data(as_text=True)
    assert "Mark as done" not in page.get_data(as_text=True)
    assert client.post("/courses/alpha/lessons/alpha-l1/done").status_code == 404
    assert client.post("/courses/alpha/lessons/alpha-l1/undo").status_code == 404
    assert len(completions(db, reader)) == 1

    other = app.test_client()
    login_as(other, newcomer)
    assert other.get("/courses/alpha/lessons/alpha-l1").status_code == 404
    assert other.post("/courses/alpha/lessons/alpha-l1/done").status_code == 404


def test_a_retired_course_is_404_for_new_readers(client, app, db, make_user):
    factory.publish_course("alpha", 2)
    reader, newcomer = make_user(), make_user()
    login_as(client, reader)
    client.post("/courses/alpha/lessons/alpha-l1/done")
    store.retire("course", "alpha")
    db.session.commit()

    assert "Course alpha" not in client.get("/courses").get_data(as_text=True)
    page = client.get("/courses/alpha")
    assert page.status_code == 200
    assert "has been retired" in page.get_data(as_text=True)
    assert client.get("/courses/alpha/lessons/alpha-l1").status_code == 200
    assert client.get("/courses/alpha/lessons/alpha-l2").status_code == 404

    other = app.test_client()
    login_as(other, newcomer)
    assert other.get("/courses/alpha").status_code == 404
    assert other.get("/courses/alpha/lessons/alpha-l1").status_code == 404
