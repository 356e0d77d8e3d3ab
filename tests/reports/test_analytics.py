"""The trainer's course funnel and skill distribution against hand computations, and their
query counts at two sizes."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from lms.content import store
from lms.content.model import Path, PathItem, Phase, Text
from lms.content.store import current_versions
from lms.courses.services import complete_lesson
from lms.onboarding.services import enroll
from lms.quizzes.demo import take
from lms.reports import analytics
from lms.reports.models import WeeklySnapshot
from lms.timeutil import utcnow
from tests.courses.factory import publish, publish_course, quiz
from tests.helpers import login_as

START = date(2026, 3, 2)
PATH = Path(
    id="funnel-path",
    title=Text({"en": "Funnel path"}),
    phases=(
        Phase(
            id="first-30",
            title=Text({"en": "Days 1-30"}),
            until_day=30,
            items=(PathItem("basics", "course", ref="basics", due_day=10),),
        ),
    ),
)


def world(db, make_user):
    publish(quiz("basics-quiz", "basics"))
    publish_course("basics", 2, extra=[("quiz", "basics-quiz")], title="Basics")
    store.publish(PATH, actor=None)
    db.session.commit()
    return current_versions("lesson", ["basics-l1", "basics-l2"])


def hire(db, make_user, name: str):
    person = make_user(name=name, start_date=START)
    enroll(person, "funnel-path", actor=None)
    db.session.commit()
    return person


def read(person, version, day: int) -> None:
    complete_lesson(person, version).completed_at = datetime.combine(
        START + timedelta(days=day - 1), time(9)
    )


def test_course_funnel_by_hand(app, db, make_user, company):
    lessons = world(db, make_user)
    fast, slow, started, idle = (hire(db, make_user, n) for n in ("Fast", "Slow", "Half", "Idle"))
    rng = random.Random(1)
    for person, day in ((fast, 6), (slow, 12)):
        read(person, lessons["basics-l1"], day - 1)
        read(person, lessons["basics-l2"], day - 1)
        take(
            person.id,
            "basics-quiz",
            datetime.combine(START + timedelta(days=day - 1), time(10)),
            rng,
            chance=1.0,
            passing=True,
        )
    read(started, lessons["basics-l1"], 3)
    db.session.commit()
    [funnel] = analytics.course_funnels()
    assert funnel.course_id == "basics"
    assert (funnel.enrolled, funnel.started, funnel.completed, funnel.passed) == (4, 3, 2, 2)
    assert funnel.median_days == 9  # median of day 6 and day 12
    login_as(client := app.test_client(), company.trainer)
    text = client.get("/reports/analytics/courses.csv").get_data(as_text=True)
    assert text.startswith("\ufeffCourse,Enrolled,Started,Completed,Passed its quizzes")
    assert "Basics,4,3,2,2,9" in text
    assert "Basics" in client.get("/reports/analytics").get_data(as_text=True)


def test_skill_distribution_by_hand(app, db, make_user, company):
    people = [make_user(name=f"P{n}", start_date=START) for n in range(4)]
    values = [
        ("first-30", {"goal-setting": 35.0}),
        ("first-30", {"goal-setting": 85.0}),
        ("first-30", {}),
        ("days-31-60", {"goal-setting": 60.0}),
    ]
    for person, (phase, mastery) in zip(people, values, strict=True):
        for week, found in ((1, {"goal-setting": 10.0}), (2, mastery)):  # the latest counts
            db.session.add(
                WeeklySnapshot(
                    user_id=person.id,
                    week=week,
                    week_start=START,
                    start_date=START,
                    phase_id=phase,
                    mastery=found,
                    updated_at=utcnow(),
                )
            )
    db.session.commit()
    found = {d.phase_id: d for d in analytics.skill_distribution()}
    first = found["first-30"].counts["goal-setting"]
    assert found["first-30"].hires == 3
    assert (first["0-39"], first["40-59"], first["60-79"], first["80-100"], first["unknown"]) == (
        1,
        0,
        0,
        1,
        1,
    )
    assert found["days-31-60"].counts["goal-setting"]["60-79"] == 1


def test_funnel_queries_do_not_grow(app, db, make_user, company, queries):
    lessons = world(db, make_user)

    def add(count: int) -> None:
        for n in range(count):
            person = hire(db, make_user, f"H{n}")
            read(person, lessons["basics-l1"], 2)
        db.session.commit()

    def measure() -> int:
        with queries() as statements:
            analytics.course_funnels()
        return len(statements)

    add(3)
    few = measure()
    add(30)
    assert measure() == few <= 8
