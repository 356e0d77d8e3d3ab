"""The manager's onboarding journey: /team, an at-risk hire, a sign-off, the day-30 check-in with
two SMART goals; then the hire sees them on /onboarding."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from lms import demo as demo_module
from lms.demo import DEMO_PASSWORD
from lms.extensions import db
from lms.timeutil import today
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CONTENT_STEP = "tests.browser.test_onboarding_journey:import_demo_content"


def import_demo_content(context) -> None:
    """Stand-in for the content step of `lms demo` when it is not registered."""
    from lms.content.importer import import_content

    report = import_content([ROOT / "courses", ROOT / "scenarios"])
    assert not report.errors, report.errors[:3]


@pytest.fixture
def onboarding_server(live_server, monkeypatch):
    steps = list(demo_module.DEMO_STEPS)
    if not any(step.startswith("lms.content") for step in steps):
        steps.insert(steps.index("lms.demo:create_people") + 1, CONTENT_STEP)
    monkeypatch.setattr(demo_module, "DEMO_STEPS", tuple(steps))
    with live_server.app.app_context():
        demo_module.build_demo()
        db.session.remove()
    return live_server


def test_a_manager_signs_off_and_holds_the_30_day_check_in(onboarding_server, new_page, screenshot):
    server = onboarding_server
    page = new_page()
    log_in(page, server, "manager@example.com", DEMO_PASSWORD)
    page.goto(server("/team"))
    rows = page.locator("tr.team-row")
    assert rows.count() == 5
    first = rows.first.inner_text()
    assert "On track" not in first, "hires who need attention come first"
    priya_row = page.locator("tr.team-row", has_text="Priya Nair")
    assert "At risk" in priya_row.inner_text() or "Behind" in priya_row.inner_text()
    screenshot(page, "team")

    priya_row.get_by_role("link", name="Priya Nair").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Priya Nair"
    assert "Why Priya Nair is not on track" in page.content()
    task = page.locator("#item-shadow-discovery-calls")
    form = task.locator("details.signoff-form")
    if form.get_attribute("open") is None:
        form.locator("summary").click()
    task.get_by_label("Comment (Markdown; the hire sees it)").fill(
        "Three calls shadowed; your **notes** on the decision process were sharp."
    )
    task.locator("select").first.select_option("meets")
    task.get_by_role("button", name="Sign off", exact=True).click()
    page.wait_for_load_state()
    assert "Signed off. Priya Nair has been told." in page.content()
    assert "Signed off by Morgan Lee" in page.locator("#item-shadow-discovery-calls").inner_text()
    screenshot(page, "signed-off")

    page.locator("#item-checkin-30").get_by_role("link", name="Hold this check-in").click()
    page.wait_for_load_state()
    start = today() - timedelta(days=24)
    deadline_1 = (start + timedelta(days=44)).isoformat()
    deadline_2 = (start + timedelta(days=59)).isoformat()
    page.get_by_label("What went well").fill("Calls logged the same day, good questions.")
    page.get_by_label("What did not go well").fill("Field task signed off late.")
    page.locator("#goal-0-text").fill("Too short")
    page.get_by_role("button", name="Save the check-in").click()
    page.wait_for_load_state()
    body = page.content()
    assert "Specific: say what will be done" in body and "Measurable: give the number" in body
    screenshot(page, "check-in-explains")
    page.locator("#goal-0-text").fill("Book first meetings with new clinic customers")
    page.locator("#goal-0-target").fill("8")
    page.locator("#goal-0-unit").fill("meetings")
    page.locator("#goal-0-deadline").fill(deadline_1)
    page.locator("#goal-1-text").fill("Send a written follow-up within 24 hours of each meeting")
    page.locator("#goal-1-target").fill("95")
    page.locator("#goal-1-unit").fill("%")
    page.locator("#goal-1-deadline").fill(deadline_2)
    page.locator("#action-0-text").fill("Join the Tuesday pipeline review")
    page.get_by_role("button", name="Save the check-in").click()
    page.wait_for_load_state()
    assert "Check-in saved. Priya Nair sees the goals and actions." in page.content()
    screenshot(page, "check-in-held")

    hire = new_page()
    log_in(hire, server, "priya.nair@example.com", DEMO_PASSWORD)
    hire.goto(server("/onboarding"))
    goals = hire.locator("section[aria-labelledby=goals]").inner_text()
    assert "Book first meetings with new clinic customers" in goals
    assert "Send a written follow-up within 24 hours of each meeting" in goals
    assert "Target: 8 meetings" in goals
    assert "Signed off by Morgan Lee" in hire.locator("#item-shadow-discovery-calls").inner_text()
    screenshot(hire, "hire-sees-goals")
    hire.goto(server("/learn"))
    feedback = hire.locator("section[aria-labelledby=feedback]").inner_text()
    assert "Morgan Lee recorded your Day-30 check-in with 2 goals for the next phase." in feedback
    assert "Morgan Lee signed off “Shadow three discovery calls”." in feedback
    screenshot(hire, "hire-home")
