"""A trainer edits a lesson in the browser, previews it, publishes it; a learner reads the new
text in English and in Chinese."""

from pathlib import Path

import pytest

from lms.extensions import db
from lms.people.models import Role
from tests.browser.conftest import log_in

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "journey-password-1234"

pytestmark = pytest.mark.browser

COURSE = "time-management"
LESSON = "daily-plan-and-review-loop"
NEW_EN = "Edited in the browser: write the plan before you open e-mail."
NEW_ZH = "在浏览器里改过的一句：先写计划，再打开邮箱。"


@pytest.fixture
def curriculum_server(live_server):
    """The live app with the shipped curriculum imported, a trainer and a learner."""
    from lms.content.importer import import_content
    from lms.people.services import AccountData, create_user

    with live_server.app.app_context():
        report = import_content([ROOT / "courses", ROOT / "scenarios"])
        assert report.ok, [str(error) for error in report.errors]
        for email, roles in (
            ("trainer@example.com", {Role.TRAINER}),
            ("learner@example.com", set()),
        ):
            create_user(
                AccountData(email=email, name=email.split("@")[0].title(), roles=frozenset(roles)),
                actor=None,
                password=PASSWORD,
            )
        db.session.commit()
        db.session.remove()
    return live_server


def test_trainer_edits_previews_and_publishes_a_lesson(curriculum_server, new_page, screenshot):
    server = curriculum_server
    trainer = new_page()
    log_in(trainer, server, "trainer@example.com", PASSWORD)
    trainer.goto(server("/author?kind=lesson"))
    trainer.locator(f'a[href="/author/lessons/{LESSON}"]').click()
    trainer.wait_for_load_state()
    assert "Published version 1" in trainer.locator("main").inner_text()

    english = trainer.locator("#f-body-en")
    english.fill(f"{NEW_EN}\n\n" + english.input_value())
    chinese = trainer.locator("#f-body-zh-CN")
    chinese.fill(f"{NEW_ZH}\n\n" + chinese.input_value())
    trainer.locator("#p-body-en p", has_text=NEW_EN).wait_for()
    trainer.locator("#p-body-zh-CN p", has_text=NEW_ZH).wait_for()
    screenshot(trainer, "editor-live-preview")

    trainer.get_by_role("button", name="Preview", exact=True).click()
    trainer.wait_for_load_state()
    assert NEW_EN in trainer.locator("#p-body-en").inner_text()
    assert trainer.locator("#f-body-en").input_value().startswith(NEW_EN)

    trainer.get_by_role("button", name="Publish", exact=True).click()
    trainer.wait_for_load_state()
    assert "Published as version 2" in trainer.locator(".flashes").inner_text()
    screenshot(trainer, "editor-published")

    learner = new_page()
    log_in(learner, server, "learner@example.com", PASSWORD)
    learner.goto(server(f"/courses/{COURSE}/lessons/{LESSON}"))
    assert NEW_EN in learner.locator(".lesson__body").inner_text()
    screenshot(learner, "learner-en")

    learner.get_by_role("button", name="简体中文").click()
    learner.wait_for_load_state()
    body = learner.locator(".lesson__body")
    assert NEW_ZH in body.inner_text()
    assert learner.locator("article.lesson").get_attribute("lang") == "zh-CN"
    screenshot(learner, "learner-zh")

    phone = new_page(width=390, height=844, locale="zh-CN")
    log_in(phone, server, "learner@example.com", PASSWORD)
    phone.goto(server(f"/courses/{COURSE}/lessons/{LESSON}"))
    assert NEW_ZH in phone.locator(".lesson__body").inner_text()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the lesson page scrolls sideways on a phone ({width}px)"
    screenshot(phone, "learner-zh-phone")
