"""A learner takes a quiz, reloads in the middle, finishes, sees the result per skill and the
change on /skills."""

from __future__ import annotations

import re

import pytest

from lms.auth.passwords import hash_password
from lms.content.store import publish
from lms.extensions import db
from lms.people.models import User
from lms.skills.evidence import record_evidence
from tests.browser.conftest import log_in
from tests.quizzes.conftest import make_quiz
from tests.skills.conftest import small_framework

pytestmark = pytest.mark.browser

PASSWORD = "a long and quiet quiz password"


@pytest.fixture
def quiz_server(live_server):
    with live_server.app.app_context():
        publish(small_framework(), actor=None)
        publish(make_quiz(pass_score=75), actor=None)
        learner = User(
            email="quizzer@example.com", name="Quinn Quizzer", password_hash=hash_password(PASSWORD)
        )
        db.session.add(learner)
        db.session.flush()
        record_evidence(
            learner.id, {"goal-setting": 0.4}, source_kind="review", source_id="earlier-reply"
        )
        db.session.commit()
        db.session.remove()
    return live_server


def skill_row(page, skill_id: str) -> str:
    return page.locator(f"tr#skill-{skill_id}").inner_text()


def test_take_a_quiz_reload_midway_and_see_skills_change(quiz_server, page, screenshot):
    log_in(page, quiz_server, "quizzer@example.com", PASSWORD)
    page.goto(quiz_server("/skills"))
    assert "Not enough evidence" in skill_row(page, "goal-setting")
    assert "Not assessed" in skill_row(page, "objection-handling")

    page.goto(quiz_server("/quizzes/basics"))
    page.get_by_role("button", name="Start the quiz").click()
    assert "question 1 of 4" in page.locator("main").inner_text().lower()

    # question 1: pick the answer; the script saves it at once
    with page.expect_response(lambda r: r.url.endswith("/answers") and r.status == 200):
        page.get_by_label("Sign 20 customers by June").check()
    assert page.locator("[data-save-status]").inner_text() == "Answer saved."
    page.reload()
    assert page.get_by_label("Sign 20 customers by June").is_checked()
    page.get_by_role("button", name="Save and continue").click()

    # question 2 (multiple): two of the three right options, no wrong one
    page.get_by_label("Steps").check()
    page.get_by_label("Owners").check()
    screenshot(page, "question-2")
    page.get_by_role("button", name="Save and continue").click()
    # question 3, true-false: save without going on, then reload mid-way
    with page.expect_response(lambda r: r.url.endswith("/answers")):
        page.get_by_label("True", exact=True).check()
    page.reload()
    assert page.get_by_label("True", exact=True).is_checked()
    assert "3 of 4 answered" in page.locator("main").inner_text()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Acknowledge").check()
    page.get_by_role("button", name="Save and review").click()

    assert "Review your answers" in page.locator("h1").inner_text()
    page.get_by_role("button", name="Submit my answers").click()
    page.wait_for_url(re.compile(r"/result$"))
    main = page.locator("main").inner_text()
    # (1 + 2/3 + 1 + 1) / 4 = 91.7%, shown rounded down
    assert "91%" in main and "Passed" in main
    assert "Partly correct: 66%" in main
    skills = page.locator(".quiz-skill-results").inner_text()
    assert "Goal setting" in skills and "Planning" in skills and "Objection handling" in skills
    screenshot(page, "result")

    page.get_by_role("link", name="See how this changed your skills").click()
    page.wait_for_url(re.compile(r"/skills$"))
    row = skill_row(page, "goal-setting")
    # goal-setting: 0.4, then (1 + 0.5 * 2/3) / 1.5 = 8/9 -> 0.7 * 0.4 + 0.3 * 8/9 = 54.7
    assert "54" in row and "Not enough evidence" not in row
    assert "Not enough evidence" in skill_row(page, "objection-handling")
    assert page.locator("svg.radar").is_visible()
    screenshot(page, "skills")

    # the back button and a second submit change nothing
    page.go_back()
    page.go_back()
    page.goto(quiz_server("/quizzes/basics"))
    assert "Attempt 1" in page.locator("main").inner_text()
    assert page.locator("table.table tbody tr").count() == 1
