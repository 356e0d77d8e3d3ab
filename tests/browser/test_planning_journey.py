"""A hire plans the day on a phone, reviews it and sees the measures move; the manager sees the
plan-completion column and the hire's planning; the pages in Chinese too."""

from __future__ import annotations

import re

import pytest

from lms.demo import DEMO_PASSWORD
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

PHONE = 390


def completion_on_history(page, server) -> str:
    page.goto(server("/plan/history"))
    return page.locator(".measure").first.locator(".stat__value").inner_text()


def test_plan_review_and_the_managers_column(demo_server, new_page, screenshot):
    server = demo_server
    page = new_page(width=PHONE, height=844)
    log_in(page, server, "learner@example.com", DEMO_PASSWORD)
    before = completion_on_history(page, server)

    page.goto(server("/plan"))
    assert page.locator("h1").inner_text() == "Today's plan"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE, "the plan fits a phone without scrolling sideways"
    if page.locator(".carry-over").count():
        page.locator(".carry-over input[type=checkbox]").evaluate_all(
            "boxes => boxes.forEach(b => b.checked = false)"
        )
    texts = ["Call ten leads from the new list", "Send the proposal to Globex", "Update the CRM"]
    rows = page.locator(".plan-row")
    filled = 0
    for index in range(rows.count()):
        field = page.locator(f"#p-{index}-text")
        if field.input_value() or filled >= len(texts):
            continue
        field.fill(texts[filled])
        filled += 1
    page.get_by_label("Calls").fill("12")
    # Saved as you go: the status says so without leaving the page.
    expect_status = page.locator("[data-autosave-status]")
    expect_status.filter(has_text="Saved.").wait_for()
    screenshot(page, "plan-phone")
    # A refusal of the autosave shows at its field, and goes once the field is right.
    details = page.locator(".plan-row").first.locator("details")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    minutes = page.locator("#p-0-duration")
    minutes.fill("900")
    minutes.dispatch_event("change")
    error = page.locator("#p-0-duration-error")
    error.wait_for(state="visible")
    assert error.inner_text() == "Enter minutes from 1 to 720."
    assert minutes.get_attribute("aria-invalid") == "true"
    assert "p-0-duration-error" in minutes.get_attribute("aria-describedby")
    minutes.fill("60")
    minutes.dispatch_event("change")
    error.wait_for(state="hidden")
    assert minutes.get_attribute("aria-invalid") is None
    expect_status.filter(has_text="Saved.").wait_for()
    page.get_by_role("button", name="Save my plan").click()
    page.wait_for_load_state()
    assert "Your plan is saved." in page.content()

    page.get_by_role("link", name="Review the day").click()
    page.wait_for_load_state()
    for fieldset in page.locator(".review-row").all():
        fieldset.get_by_label("Done").check()
    page.get_by_label("What I learned today").fill("Calling before 10 gets more answers.")
    screenshot(page, "review-phone")
    page.get_by_role("button", name="Save the review").click()
    page.wait_for_load_state()
    assert "Review done." in page.content()
    after = page.locator(".measure").first.locator(".stat__value").inner_text()
    assert re.fullmatch(r"\d+%", after) and after != before
    assert page.locator("svg.plan-chart rect").count() == 30
    screenshot(page, "history-phone")

    page.goto(server("/learn"))
    assert "working day" in page.locator(".today-card").inner_text()
    screenshot(page, "learn-phone")

    manager = new_page()
    log_in(manager, server, "manager@example.com", DEMO_PASSWORD)
    manager.goto(server("/team"))
    assert "Plans kept (7 days)" in manager.locator(".team-table thead").text_content()
    lena = manager.locator("tr.team-row", has_text="Lena Park")
    assert re.search(r"\d+%", lena.locator("td.plan-kept").inner_text())
    screenshot(manager, "team-column")
    lena.get_by_role("link", name="Lena Park").click()
    manager.wait_for_load_state()
    section = manager.locator(".member-planning")
    assert "Daily plans and execution" in section.inner_text()
    section.scroll_into_view_if_needed()
    screenshot(manager, "member-planning")


def test_the_planning_pages_in_chinese(demo_server, new_page, screenshot):
    server = demo_server
    page = new_page(width=PHONE, height=844, locale="zh-CN")
    log_in(page, server, "li.na@example.com", DEMO_PASSWORD)
    for path, name in (("/plan", "plan"), ("/plan/history", "history"), ("/plan/week", "week")):
        page.goto(server(path))
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE, path
        screenshot(page, f"{name}-zh")
    assert "我的执行指标" in page.content() or "周" in page.content()
    page.goto(server("/learn"))
    assert "今天" in page.locator(".today-card").inner_text()
    manager = new_page(locale="zh-CN")
    log_in(manager, server, "manager2@example.com", DEMO_PASSWORD)
    manager.goto(server("/team"))
    assert "计划完成率（7 天）" in manager.locator(".team-table thead").text_content()
    screenshot(manager, "team-zh")
