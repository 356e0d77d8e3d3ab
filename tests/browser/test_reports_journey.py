"""A manager on a phone: lands on /team, sees the quadrants, opens a hire, the team's skills
and a skill history; no page scrolls sideways at 390 px (the wide tables scroll inside
themselves); the same in Chinese."""

from __future__ import annotations

import re

import pytest

from lms.demo import DEMO_PASSWORD
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

PHONE = 390


WIDEST = """() => [...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => !e.closest('.table-wrap'))
  .slice(0, 6)
  .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def page_width(page) -> int:
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE:
        print(page.url, width, page.evaluate(WIDEST))
    return width


def assert_four_quadrants(page, server) -> None:
    """Each demo team shows a hire in every quadrant on first start."""
    page.goto(server("/team"))
    counts = [int(n) for n in page.locator(".quadrant__counts strong").all_inner_texts()]
    assert len(counts) == 5
    assert all(count >= 1 for count in counts[:4]), counts


def check_pages(page, server, screenshot, suffix: str) -> None:
    assert page.url.endswith("/team"), "a manager lands on the team page"
    assert page_width(page) <= PHONE, "/team"
    screenshot(page, f"team{suffix}")
    href = page.locator(".quadrant-table tbody a").first.get_attribute("href")
    user_id = re.search(r"/team/(\d+)", href).group(1)
    widths = []
    for path, name in (
        (f"/team/{user_id}", "member"),
        ("/team/skills", "skills-heatmap"),
        ("/skills", "my-skills"),
        (f"/skills/{user_id}", "hire-skills"),
        (f"/team/{user_id}/progress", "hire-progress"),
        ("/team/cohorts", "cohorts"),
    ):
        page.goto(server(path))
        screenshot(page, f"{name}{suffix}")
        widths.append((path, page_width(page)))
    assert all(width <= PHONE for _, width in widths), widths
    assert page.locator("table.cohorts tbody tr").count() >= 1, "the demo has weekly snapshots"


def test_manager_on_a_phone(demo_server, new_page, screenshot):
    server = demo_server
    page = new_page(width=PHONE, height=844)
    log_in(page, server, "manager@example.com", DEMO_PASSWORD)
    check_pages(page, server, screenshot, "")
    assert_four_quadrants(page, server)


def test_manager_on_a_phone_in_chinese(demo_server, new_page, screenshot):
    server = demo_server
    page = new_page(width=PHONE, height=844, locale="zh-CN")
    log_in(page, server, "manager2@example.com", DEMO_PASSWORD)
    check_pages(page, server, screenshot, "-zh")
    assert_four_quadrants(page, server)
    assert "做不到，还是不愿做？" in page.content()
