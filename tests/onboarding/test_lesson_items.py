"""A path item may name one lesson: it is done when the hire has read that lesson, it is
overdue like any other item, and its link leads to the lesson in its course."""

from __future__ import annotations

from datetime import datetime, time

from lms.content.model import Path, PathItem, Phase, Text
from lms.content.store import current_version
from lms.courses.services import complete_lesson
from lms.onboarding.services import active_enrollment, enroll
from lms.onboarding.status import ItemState, due_date, load_statuses
from tests.courses.factory import publish_course
from tests.helpers import login_as
from tests.onboarding.conftest import START
from tests.onboarding.paths import publish_path

LESSON_PATH = Path(
    id="rep",
    title=Text({"en": "New rep"}),
    phases=(
        Phase(
            id="first-30",
            title=Text({"en": "Days 1-30"}),
            until_day=30,
            items=(
                PathItem("read-first", "lesson", ref="basics-l1", due_day=5),
                PathItem("basics", "course", ref="basics", due_day=20),
            ),
        ),
    ),
)


def on_day(day: int) -> datetime:
    return datetime.combine(due_date(START, day), time(10))


def status_on(hire, day: int):
    return load_statuses([active_enrollment(hire.id)], due_date(START, day))[hire.id]


def setup_path(db, team):
    publish_course("basics", 2)
    publish_path(LESSON_PATH)
    enroll(team.hire, "rep", actor=team.manager, now=on_day(1))
    db.session.commit()


def test_a_lesson_item_is_done_when_the_lesson_is_read(db, team):
    setup_path(db, team)
    assert status_on(team.hire, 4).item("read-first").state is ItemState.NOT_STARTED
    assert status_on(team.hire, 6).item("read-first").state is ItemState.OVERDUE

    completion = complete_lesson(team.hire, current_version("lesson", "basics-l1"))
    completion.completed_at = on_day(3)
    db.session.commit()

    early = status_on(team.hire, 4)
    assert early.item("read-first").state is ItemState.DONE
    assert early.item("read-first").done_at == on_day(3)
    assert early.item("read-first").title.get("en") == "Lesson basics-l1"
    # one lesson of two read: the course is started, not done
    assert early.item("basics").state is ItemState.IN_PROGRESS
    assert status_on(team.hire, 6).item("read-first").state is ItemState.DONE


def test_reading_it_late_is_done_late(db, team):
    setup_path(db, team)
    complete_lesson(team.hire, current_version("lesson", "basics-l1")).completed_at = on_day(8)
    db.session.commit()
    item = status_on(team.hire, 9).item("read-first")
    assert item.state is ItemState.DONE and item.done_late


def test_the_item_links_to_the_lesson_in_its_course(client, db, team):
    setup_path(db, team)
    login_as(client, team.hire)
    page = client.get("/onboarding").get_data(as_text=True)
    assert 'href="/lessons/basics-l1"' in page
    response = client.get("/lessons/basics-l1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/courses/basics/lessons/basics-l1")
    assert client.get("/lessons/no-such-lesson").status_code == 404
    assert client.get("/lessons/" + "x" * 5000).status_code == 404
