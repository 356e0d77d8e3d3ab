"""The demo's quiz history: through the services, back-dated, consistent with the onboarding
plan, so that /skills is alive on first start."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.content.importer import import_content
from lms.demo import DEMO_STEPS, DemoContext, create_people
from lms.quizzes.demo import quiz_history
from lms.quizzes.models import QuizAttempt
from lms.skills.mastery import mastery_of, recompute_all
from lms.skills.models import Evidence, Mastery
from lms.timeutil import today, utcnow
from tests.helpers import login_as

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def people(app, db):
    context = DemoContext(today=today())
    create_people(context)
    db.session.commit()
    report = import_content([ROOT / "courses", ROOT / "scenarios"])
    assert not report.errors
    db.session.commit()
    return context


def _snapshot(db):
    return sorted(
        (m.user_id, m.skill_id, m.level, m.count, m.last_at)
        for m in db.session.scalars(sa.select(Mastery).where(Mastery.count > 0))
    )


def _check_history(db, context):
    attempts = db.session.scalars(sa.select(QuizAttempt)).all()
    assert attempts
    assert all(a.submitted_at is not None and a.submitted_at < utcnow() for a in attempts)
    assert all(a.started_at.date() >= context.people_by_id[a.user_id].start_date for a in attempts)
    assert {a.user_id for a in attempts} <= {
        u.id for u in context.people.values() if u.manager_id is not None
    }
    learner = context.people["learner@example.com"]
    assert any(a.user_id == learner.id for a in attempts)
    assert any(state.value is not None for state in mastery_of(learner.id).values())
    before = _snapshot(db)
    assert recompute_all().changed == 0
    assert _snapshot(db) == before
    return attempts


def test_without_enrollments_hires_follow_the_path_schedule(app, db, people):
    quiz_history(people)
    db.session.commit()
    people.people_by_id = {u.id: u for u in people.people.values()}
    attempts = _check_history(db, people)
    newest = people.people["sam.ortiz@example.com"]  # day 5: nothing due yet
    assert not [a for a in attempts if a.user_id == newest.id]
    assert "quiz attempts by the hires" in people.log[-1]


def test_with_enrollments_the_history_follows_the_onboarding_plan(app, db, people):
    from lms.onboarding.demo import demo_plan, enroll_hires

    enroll_hires(people)
    db.session.commit()
    quiz_history(people)
    db.session.commit()
    people.people_by_id = {u.id: u for u in people.people.values()}
    attempts = _check_history(db, people)
    passed = {}
    for attempt in attempts:
        if attempt.is_passed:
            key = (attempt.user_id, attempt.item.slug)
            passed[key] = min(passed.get(key, attempt.submitted_at), attempt.submitted_at)
    for planned in demo_plan(people, kinds=("quiz",)):
        key = (planned.user.id, planned.item.ref)
        if planned.done:
            assert key in passed and passed[key] <= planned.when, key
        else:
            assert key not in passed, key


def test_the_demo_step_comes_after_enrollment_and_before_the_onboarding_history():
    at = DEMO_STEPS.index("lms.quizzes.demo:quiz_history")
    if "lms.onboarding.demo:enroll_hires" in DEMO_STEPS:
        assert DEMO_STEPS.index("lms.onboarding.demo:enroll_hires") < at
    if "lms.onboarding.demo:onboarding_history" in DEMO_STEPS:
        assert at < DEMO_STEPS.index("lms.onboarding.demo:onboarding_history")
    content = [step for step in DEMO_STEPS if step.startswith("lms.content.")]
    assert all(DEMO_STEPS.index(step) < at for step in content)


def test_skills_is_alive_for_the_demo_learner(client, db, people):
    quiz_history(people)
    db.session.commit()
    learner = people.people["learner@example.com"]
    login_as(client, learner)
    page = client.get("/skills").get_data(as_text=True)
    assert 'class="skill-value"' in page
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(Evidence).where(Evidence.user_id == learner.id)
    )


def test_no_quizzes_no_history(app, db):
    context = DemoContext(today=today())
    create_people(context)
    quiz_history(context)
    assert context.log[-1] == "quizzes: none stored, no quiz history"
