"""Course pages and the course progress provider run a bounded number of queries."""

from __future__ import annotations

from lms.content import store
from lms.courses.services import complete_lesson
from lms.progress import progress_of
from tests.courses import factory
from tests.helpers import login_as


def _complete(db, user, lesson_ids):
    for lesson_id in lesson_ids:
        complete_lesson(user, store.current_version("lesson", lesson_id))
    db.session.commit()


def test_course_page_costs_the_same_for_3_and_30_lessons(client, db, make_user, page_queries):
    _small, small_lessons = factory.publish_course("small", 3)
    _large, large_lessons = factory.publish_course("large", 30)
    user = make_user()
    _complete(db, user, [small_lessons[0].id, large_lessons[0].id])
    login_as(client, user)

    small_count, small_page = page_queries(client, "/courses/small")
    large_count, large_page = page_queries(client, "/courses/large")

    assert "1 of 3 done" in small_page and "1 of 30 done" in large_page
    assert small_count == large_count
    assert large_count <= 10


def test_lesson_page_costs_the_same_in_small_and_large_courses(client, db, make_user, page_queries):
    factory.publish_course("small", 3)
    factory.publish_course("large", 30)
    login_as(client, make_user())
    small_count, _page = page_queries(client, "/courses/small/lessons/small-l2")
    large_count, _page = page_queries(client, "/courses/large/lessons/large-l15")
    assert small_count == large_count
    assert large_count <= 10


def test_catalogue_costs_the_same_for_1_and_50_completions(
    client, app, db, make_user, page_queries
):
    lessons = []
    for number in range(5):
        _course, made = factory.publish_course(f"course-{number}", 10)
        lessons += [lesson.id for lesson in made]
    few, many = make_user(), make_user()
    _complete(db, few, lessons[:1])
    _complete(db, many, lessons)

    login_as(client, few)
    few_count, few_page = page_queries(client, "/courses")
    other = app.test_client()
    login_as(other, many)
    many_count, many_page = page_queries(other, "/courses")

    assert "1 of 10 done" in few_page
    assert many_page.count("Completed") == 5
    assert few_count == many_count
    assert many_count <= 10

    few_course, _page = page_queries(client, "/courses/course-0")
    many_course, _page = page_queries(other, "/courses/course-0")
    assert few_course == many_course


def test_course_progress_for_many_learners_is_bounded(db, make_user, queries):
    factory.publish_course("alpha", 10)
    factory.publish_course("beta", 10)
    one = [make_user()]
    many = [make_user() for _ in range(30)]
    for user in many:
        _complete(db, user, [f"alpha-l{n}" for n in range(1, 11)])

    one_ids = [user.id for user in one]
    many_ids = [user.id for user in many]
    with queries() as few_statements:
        progress_of("course", one_ids, ["alpha", "beta"])
    with queries() as many_statements:
        result = progress_of("course", many_ids, ["alpha", "beta"])

    assert all(result[(user_id, "alpha")].done for user_id in many_ids)
    assert not any(result[(user_id, "beta")].started for user_id in many_ids)
    assert len(few_statements) == len(many_statements) <= 5
