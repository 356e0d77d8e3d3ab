"""A hire uses every attempt at a required quiz without passing; the page says why and who can
help, the manager sees "Attempts used up", grants one more with a reason, the hire passes and the
status clears."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from lms.auth.passwords import hash_password
from lms.content.model import Path, PathItem, Phase, Text
from lms.content.store import publish
from lms.extensions import db
from lms.onboarding.services import enroll
from lms.people.models import Role, User
from lms.quizzes.services import start_attempt, submit_attempt
from lms.timeutil import today, utcnow
from tests.browser.conftest import log_in
from tests.quizzes.conftest import make_quiz
from tests.skills.conftest import small_framework

pytestmark = pytest.mark.browser

PASSWORD = "a long and patient retake password"
PATH = Path(
    id="rep",
    title=Text({"en": "New rep"}),
    phases=(
        Phase(
            id="first-30",
            title=Text({"en": "Days 1-30"}),
            until_day=30,
            items=(PathItem("check", "quiz", ref="basics", due_day=10),),
        ),
    ),
)


@pytest.fixture
def retake_server(live_server):
    with live_server.app.app_context():
        publish(small_framework(), actor=None)
        publish(make_quiz(pass_score=75, max_attempts=2), actor=None)
        publish(PATH, actor=None)
        manager = User(
            email="boss@example.com", name="Morgan Lee", password_hash=hash_password(PASSWORD)
        )
        manager.set_roles({Role.MANAGER})
        db.session.add(manager)
        db.session.flush()
        hire = User(
            email="hire@example.com",
            name="Lena Park",
            manager_id=manager.id,
            password_hash=hash_password(PASSWORD),
        )
        db.session.add(hire)
        db.session.flush()
        enroll(hire, "rep", actor=None, start_date=today() - timedelta(days=14))
        first = start_attempt(hire.id, "basics", now=utcnow())  # the first try, failed
        submit_attempt(first.id, now=utcnow())
        db.session.commit()
        db.session.remove()
    return live_server


def submit_empty_attempt(page, server) -> None:
    page.goto(server("/quizzes/basics"))
    page.get_by_role("button", name="Start a new attempt").click()
    page.goto(page.url.split("?")[0] + "/review")
    page.get_by_role("button", name="Submit my answers").click()
    page.wait_for_url(re.compile(r"/result$"))


def test_attempts_used_up_then_granted_then_passed(retake_server, page, new_page, screenshot):
    log_in(page, retake_server, "hire@example.com", PASSWORD)
    submit_empty_attempt(page, retake_server)
    main = page.locator("main").inner_text()
    assert "Not passed" in main and "What to review before the next try" in main
    page.goto(retake_server("/quizzes/basics"))
    used_up = page.locator("#attempts-used-up").inner_text()
    assert "You have used every attempt this quiz allows, without passing yet." in used_up
    assert "Your manager Morgan Lee or a trainer can grant you more attempts" in used_up
    assert page.get_by_role("button", name="Start a new attempt").count() == 0
    screenshot(page, "hire-used-up")

    boss = new_page()
    log_in(boss, retake_server, "boss@example.com", PASSWORD)
    boss.goto(retake_server("/team"))
    assert "Attempts used up: “Basics check”" in boss.locator("main").inner_text()
    boss.get_by_role("link", name="Lena Park").first.click()
    boss.get_by_role("link", name="Grant more attempts").click()
    boss.get_by_label("Extra attempts").fill("1")
    boss.get_by_label("Reason (the hire will read it)").fill("Read the planning notes first.")
    boss.get_by_role("button", name="Grant").click()
    boss.wait_for_url(re.compile(r"/team/\d+$"))
    assert (
        "Lena Park can take the quiz again and has been told." in boss.locator("main").inner_text()
    )
    assert "Attempts used up" not in boss.locator("section[aria-labelledby=why]").inner_text()

    page.goto(retake_server("/quizzes/basics"))
    assert "Read the planning notes first." in page.locator("main").inner_text()
    page.get_by_role("button", name="Start a new attempt").click()
    for _ in range(4):
        text = page.locator("main").inner_text()
        if "Which goal is" in text:
            page.get_by_label("Sign 20 customers by June").check()
        elif "Which belong in a plan?" in text:
            for label in ("Steps", "Owners", "Dates"):
                page.get_by_label(label).check()
        elif "A plan is reviewed weekly." in text:
            page.get_by_label("True", exact=True).check()
        else:
            page.get_by_label("Acknowledge").check()
        page.locator("button[name=go][value=next], button[name=go][value=review]").click()
    page.get_by_role("button", name="Submit my answers").click()
    page.wait_for_url(re.compile(r"/result$"))
    assert "Passed" in page.locator("main").inner_text()
    screenshot(page, "hire-passed")

    boss.goto(retake_server("/team"))
    row = boss.locator("main").inner_text()
    assert "Attempts used up" not in row
    boss.get_by_role("link", name="Lena Park").first.click()
    assert "On track" in boss.locator("section[aria-labelledby=why]").inner_text()
