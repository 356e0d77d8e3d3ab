"""A person turns on two-factor sign-in in the browser and signs in with it."""

import re

import pyotp
import pytest

from lms.demo import DEMO_PASSWORD
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_a_learner_enrols_and_signs_in_with_a_code(demo_server, new_page, screenshot):
    page = new_page()
    log_in(page, demo_server, "learner@example.com", DEMO_PASSWORD)
    page.goto(demo_server("/account/security"))
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    page.wait_for_load_state()
    assert page.locator("figure.qr-code svg").is_visible()
    key = page.locator("code.secret-key").inner_text().replace(" ", "")
    screenshot(page, "enrol")
    page.get_by_label("6-digit code from the app").fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="Turn on").click()
    page.wait_for_load_state()
    codes = page.locator("ul.recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and all(
        re.fullmatch(r"[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}", c) for c in codes
    )
    screenshot(page, "recovery-codes")
    page.get_by_role("link", name="I have saved them").click()
    page.wait_for_load_state()
    assert "10 unused recovery codes left." in page.locator("main").inner_text()
    screenshot(page, "security")
    page.context.close()

    other = new_page(locale="zh-CN")
    other.goto(demo_server("/login"))
    other.get_by_label(re.compile("E-mail|电子邮件|邮箱")).fill("learner@example.com")
    other.get_by_label(re.compile("^(Password|密码)$")).fill(DEMO_PASSWORD)
    other.locator("main form button[type=submit]").click()
    other.wait_for_load_state()
    assert other.url.endswith("/login/code")
    screenshot(other, "code-step")
    other.locator("main form input[name=code]").fill(codes[0])
    other.locator("main form button[type=submit]").click()
    other.wait_for_load_state()
    assert other.url.endswith("/learn")
