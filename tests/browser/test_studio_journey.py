"""A trainer writes a five-question quiz with a pool, a new drill, adds both to the rep path and
publishes it; a hire enrolled after publishing sees both on their onboarding page."""

from pathlib import Path

import pytest

from lms.extensions import db
from lms.people.models import Role
from tests.browser.conftest import log_in

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "journey-password-1234"
QUIZ_TITLE = "Pool check written in the browser"
DRILL_TITLE = "Gatekeeper drill written in the browser"

pytestmark = pytest.mark.browser


@pytest.fixture
def studio_server(live_server):
    from lms.content.importer import import_content
    from lms.people.services import AccountData, create_user

    with live_server.app.app_context():
        report = import_content([ROOT / "courses", ROOT / "scenarios"])
        assert report.ok, [str(error) for error in report.errors]
        for email, roles in (("trainer@example.com", {Role.TRAINER}), ("hire@example.com", set())):
            create_user(
                AccountData(email=email, name=email.split("@")[0].title(), roles=frozenset(roles)),
                actor=None,
                password=PASSWORD,
            )
        db.session.commit()
        db.session.remove()
    return live_server


def add_question(page, server, kind: str, fields: dict, checks=()):
    page.goto(server("/author/quizzes/pool-check"))
    page.locator("#f-new-kind").select_option(kind)
    page.get_by_role("button", name="Add a question").click()
    page.wait_for_load_state()
    for selector, value in fields.items():
        page.locator(selector).fill(value)
    for selector in checks:
        page.locator(selector).check()
    page.get_by_role("button", name="Save the question").click()
    page.wait_for_load_state()


def test_trainer_builds_a_quiz_and_a_drill_into_the_path_and_a_new_hire_sees_them(
    studio_server, new_page
):
    server = studio_server
    trainer = new_page()
    log_in(trainer, server, "trainer@example.com", PASSWORD)

    # the quiz: five questions of four kinds, a pool of five drawing three
    trainer.goto(server("/author/quizzes"))
    trainer.locator("#f-id").fill("pool-check")
    trainer.locator("#f-course").select_option("execution-foundations")
    trainer.locator("#f-title-en").fill(QUIZ_TITLE)
    trainer.get_by_role("button", name="Create the quiz").click()
    trainer.wait_for_load_state()
    for number in (1, 2):
        add_question(
            trainer,
            server,
            "single",
            {
                "#f-prompt-en": f"Single question {number}?",
                "#f-skills": "planning: 1",
                "#f-choice-0-text-en": "Right",
                "#f-choice-1-text-en": "Wrong",
            },
            checks=["input[name=choice-0-correct]"],
        )
    add_question(
        trainer,
        server,
        "multiple",
        {
            "#f-prompt-en": "Which are plans?",
            "#f-skills": "planning: 1",
            "#f-choice-0-text-en": "A dated list",
            "#f-choice-1-text-en": "A calendar block",
            "#f-choice-2-text-en": "A wish",
        },
        checks=["input[name=choice-0-correct]", "input[name=choice-1-correct]"],
    )
    add_question(
        trainer,
        server,
        "true-false",
        {"#f-prompt-en": "A plan has dates.", "#f-skills": "planning"},
        checks=["input[name=answer][value=true]"],
    )
    add_question(
        trainer,
        server,
        "ordering",
        {
            "#f-prompt-en": "Order the day.",
            "#f-skills": "planning: 1",
            "#f-step-0-en": "Plan",
            "#f-step-1-en": "Do",
            "#f-step-2-en": "Review",
        },
    )
    trainer.goto(server("/author/quizzes/pool-check"))
    trainer.locator("#f-draw").fill("3")
    trainer.get_by_role("button", name="Save the settings").click()
    trainer.wait_for_load_state()
    assert "Each attempt draws 3 of the 5 questions." in trainer.locator("main").inner_text()
    assert "The draft passes every check" in trainer.locator("main").inner_text()
    trainer.get_by_role("button", name="Publish as a new version").click()
    trainer.wait_for_load_state()
    assert "Published as version 1" in trainer.locator(".flashes").inner_text()

    # the drill: the skeleton, its skill, its texts and a success end
    trainer.goto(server("/author/scenarios"))
    trainer.locator("input#new-id").fill("gatekeeper")
    trainer.locator("input#new-title").fill(DRILL_TITLE)
    trainer.get_by_role("button", name="Create the draft").click()
    trainer.wait_for_load_state()
    trainer.locator("input[name=skills][value=objection-handling]").check()
    trainer.get_by_role("button", name="Save the settings").click()
    trainer.wait_for_load_state()
    trainer.goto(server("/author/scenarios/gatekeeper/nodes/opening"))
    trainer.locator("#say-en").fill("Who is calling, and why?")
    trainer.locator("#choice-0-text-en").fill("Lin from Acme, about the renewal Mr Wang asked for.")
    trainer.get_by_role("button", name="Save the node").click()
    trainer.wait_for_load_state()
    trainer.goto(server("/author/scenarios/gatekeeper/nodes/won"))
    trainer.locator("#say-en").fill("Putting you through now.")
    trainer.locator("#end").select_option("success")
    trainer.get_by_role("button", name="Save the node").click()
    trainer.wait_for_load_state()
    trainer.goto(server("/author/scenarios/gatekeeper"))
    trainer.get_by_role("button", name="Publish as a new version").click()
    trainer.wait_for_load_state()
    assert "Published" in trainer.locator(".flashes").inner_text()

    # both into the rep path's first phase, then publish the path
    for kind, item_id, ref in (
        ("quiz", "pool-check", "pool-check"),
        ("scenario", "gate", "gatekeeper"),
    ):
        trainer.goto(server("/author/paths/new-sales-rep"))
        trainer.locator("#f-kind-0").select_option(kind)
        trainer.locator("#phase-first-30").get_by_role("button", name="Add").click()
        trainer.wait_for_load_state()
        trainer.locator("#f-id").fill(item_id)
        trainer.locator("#f-ref").select_option(ref)
        trainer.locator("#f-due_day").fill("25")
        trainer.get_by_role("button", name="Save the item").click()
        trainer.wait_for_load_state()
    assert "The path passes every check." in trainer.locator("main").inner_text()
    trainer.get_by_role("button", name="Publish as a new version").click()
    trainer.wait_for_load_state()
    assert "Published as version 2" in trainer.locator(".flashes").inner_text()

    # a hire enrolled after publishing sees both
    from lms.onboarding.services import enroll
    from lms.people.models import User

    with server.app.app_context():
        hire = db.session.scalar(db.select(User).where(User.email == "hire@example.com"))
        enroll(hire, "new-sales-rep", actor=None)
        db.session.commit()
        db.session.remove()
    learner = new_page()
    log_in(learner, server, "hire@example.com", PASSWORD)
    learner.goto(server("/onboarding"))
    text = learner.locator("main").inner_text()
    assert QUIZ_TITLE in text
    assert DRILL_TITLE in text
