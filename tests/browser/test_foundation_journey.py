"""Each demo account logs in, in each language, and sees its role's navigation."""

import re

import pytest

from lms.demo import DEMO_PASSWORD
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

ACCOUNTS = {
    "admin@example.com": {"Admin"},
    "trainer@example.com": set(),
    "manager@example.com": {"Team"},
    "learner@example.com": {"Home"},
}
# Where each account lands after logging in.
LANDING = {
    "admin@example.com": "/admin",
    "trainer@example.com": "/author",
    "manager@example.com": "/team",
    "learner@example.com": "/learn",
}
CHINESE = {"Admin": "管理", "Team": "团队", "Home": "首页"}
ALL_ROLE_LINKS = {"Admin", "Team"}


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_each_demo_account_logs_in_and_sees_its_navigation(
    demo_server, new_page, screenshot, locale
):
    for email, expected in ACCOUNTS.items():
        page = new_page(locale="zh-CN" if locale == "zh_CN" else "en-US")
        log_in(page, demo_server, email, DEMO_PASSWORD)
        assert page.url.endswith(LANDING[email]), f"{email} landed on {page.url}"
        nav = page.locator("nav.main-nav").inner_text()
        for label in expected:
            shown = CHINESE[label] if locale == "zh_CN" else label
            assert shown in nav, f"{email} should see {shown} in {nav!r}"
        for label in ALL_ROLE_LINKS - expected:
            shown = CHINESE[label] if locale == "zh_CN" else label
            assert not re.search(rf"(^|\n){shown}($|\n)", nav), f"{email} must not see {shown}"
        screenshot(page, f"{email.split('@')[0]}-{locale}")
        page.context.close()


def test_language_switcher_works_before_login(live_server, page, screenshot):
    page.goto(live_server("/login"))
    assert page.locator("h2#login-title").inner_text() == "Log in"
    page.get_by_role("button", name="简体中文").click()
    assert page.locator("h2#login-title").inner_text() == "登录"
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    screenshot(page, "login-zh")


def test_phone_layout_has_a_menu_button(demo_server, new_page, screenshot):
    page = new_page(width=390, height=844)
    log_in(page, demo_server, "manager@example.com", DEMO_PASSWORD)
    assert not page.locator("nav.main-nav").is_visible()
    page.locator("label.nav-toggle__button").click()
    assert page.locator("nav.main-nav").is_visible()
    screenshot(page, "manager-phone-menu")
