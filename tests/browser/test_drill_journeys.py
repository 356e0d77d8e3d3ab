"""Drills in a browser: a hire plays shipped drills to a success and to a fail ending (in English
on a desktop, in Chinese on a phone); a manager reviews a written reply; a trainer adds a node in
the editor and publishes."""

from __future__ import annotations

import pytest

from lms.auth.passwords import hash_password
from lms.content import store
from lms.content.documents import from_document
from lms.content.importer import import_content
from lms.extensions import db
from lms.people.models import Role, User
from lms.scenarios import services
from lms.scenarios.kinds import kind_of
from lms.scenarios.scoring import compute_maxima
from lms.timeutil import utcnow
from tests.browser.conftest import log_in
from tests.scenarios.conftest import ROOT
from tests.scenarios.helpers import TINY_DRILL, tiny_framework

pytestmark = pytest.mark.browser

PASSWORD = "a calm and patient drill password"
SUCCESS_DRILL = "price-too-high"
FAIL_DRILL = "need-to-think-about-it"
REPLY = {
    "en": "Two units with WMS integration and five years of service, against errors that cost "
    "you 1.8 million a year. Shall we take twenty minutes with Mr. Fang on Thursday?",
    "zh-CN": "两台设备，含 WMS 对接和五年维保；而拣错货一年就要损失约 180 万。"
    "周四我们一起跟方总谈二十分钟，好吗？",
}


def add_user(email: str, name: str, *, roles=(), manager=None, locale=None) -> User:
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(PASSWORD),
        manager_id=manager.id if manager else None,
        locale=locale,
    )
    user.set_roles(set(roles))
    db.session.add(user)
    db.session.flush()
    return user


@pytest.fixture
def drills_server(live_server):
    with live_server.app.app_context():
        report = import_content([ROOT / "courses", ROOT / "scenarios"])
        assert report.ok
        manager = add_user("boss@example.com", "Mara Boss", roles={Role.MANAGER})
        add_user("hire@example.com", "Hugo Hire", manager=manager)
        add_user("hire.zh@example.com", "何新", manager=manager, locale="zh_CN")
        db.session.commit()
        db.session.remove()
    return live_server


def path_to(scenario, end_kind: str) -> list[tuple[str, int | None]]:
    """A start-to-end path: the best one for a success, else the first depth-first path that
    ends at an `end_kind` end."""
    if end_kind == "success":
        return list(compute_maxima(scenario).best_path[:-1])
    stack = [(scenario.start, [])]
    while stack:
        node_id, path = stack.pop()
        node = scenario.nodes[node_id]
        if kind_of(node).is_end:
            if node.end == end_kind:
                return path
            continue
        for edge in kind_of(node).edges(node):
            stack.append((edge.next, path + [(node_id, edge.choice)]))
    raise AssertionError(f"{scenario.id} has no {end_kind} end")


def play(page, server, slug: str, end_kind: str, locale: str, screenshot, name: str):
    with server.app.app_context():
        scenario = services.scenario_of(store.current_version("scenario", slug))
        db.session.remove()
    path = path_to(scenario, end_kind)
    page.goto(server(f"/scenarios/{slug}"))
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_selector('#now[data-step="0"]')
    for position, (node_id, choice) in enumerate(path):
        node = scenario.nodes[node_id]
        assert page.locator("#now").get_attribute("data-node") == node_id
        if choice is None:
            # typed text is kept as a draft while typing, and survives a reload
            with page.expect_response(lambda r: r.url.endswith("/draft") and r.ok):
                page.locator("#reply").fill(REPLY[locale][:40])
            page.reload()
            assert page.locator("#reply").input_value() == REPLY[locale][:40].strip()
            assert page.locator("[data-draft-status]").inner_text().strip()
            page.locator("#reply").fill(REPLY[locale])
            page.locator("form.open-reply button.button--primary").click()
        else:
            # each run shows the replies in its own order: find the reply by its text
            text = node.choices[choice].text.get(locale)
            buttons = page.locator("button.choice")
            texts = [buttons.nth(i).inner_text().strip() for i in range(buttons.count())]
            assert sorted(texts) == sorted(c.text.get(locale) for c in node.choices)
            buttons.nth(texts.index(text)).click()
        page.wait_for_selector(f'#now[data-step="{position + 1}"]')
        if position == 1:
            screenshot(page, f"{name}-playing")
    page.wait_for_selector(".drill-result")
    screenshot(page, f"{name}-end")
    return page.locator(".drill-result").inner_text()


@pytest.mark.parametrize(
    "email, locale, width, texts",
    [
        ("hire@example.com", "en", 1280, ("Success", "Passed", "Lost the customer", "Not passed")),
        ("hire.zh@example.com", "zh-CN", 390, ("成功", "已通过", "丢了客户", "尚未通过")),
    ],
)
def test_a_hire_plays_drills_to_success_and_to_failure(
    drills_server, new_page, screenshot, email, locale, width, texts
):
    success, passed, lost, not_passed = texts
    page = new_page(width=width, height=900, locale="zh-CN" if locale == "zh-CN" else "en-US")
    log_in(page, drills_server, email, PASSWORD)
    page.goto(drills_server("/scenarios"))
    screenshot(page, f"catalogue-{locale}-{width}")
    result = play(
        page, drills_server, SUCCESS_DRILL, "success", locale, screenshot, f"success-{width}"
    )
    assert success in result and passed in result and "100%" in result
    page.reload()  # nothing lost: the finished run reads the same after a reload
    assert success in page.locator(".drill-result").inner_text()
    page.set_viewport_size({"width": 1670 - width, "height": 900})
    screenshot(page, f"success-end-other-width-{1670 - width}")
    page.set_viewport_size({"width": width, "height": 900})
    result = play(page, drills_server, FAIL_DRILL, "fail", locale, screenshot, f"fail-{width}")
    assert lost in result and not_passed in result
    page.goto(drills_server("/scenarios"))
    catalogue = page.locator("main").inner_text()
    assert passed in catalogue


@pytest.fixture
def review_server(live_server):
    with live_server.app.app_context():
        store.publish(tiny_framework(), actor=None)
        version = store.publish(from_document("scenario", TINY_DRILL), actor=None).version
        manager = add_user("boss@example.com", "Mara Boss", roles={Role.MANAGER})
        hire = add_user("hire@example.com", "Hugo Hire", manager=manager)
        run, _ = services.start_run(hire, version, now=utcnow())
        services.take_step(
            run.id,
            node_id="ask",
            position=0,
            form={"reply": "It gives you back an hour a day, starting this week."},
            now=utcnow(),
        )
        db.session.commit()
        db.session.remove()
    return live_server


def test_a_manager_reviews_a_written_reply_and_the_hire_sees_it(
    review_server, new_page, screenshot
):
    page = new_page()
    log_in(page, review_server, "boss@example.com", PASSWORD)
    page.goto(review_server("/reviews"))
    assert "Hugo Hire" in page.locator("main").inner_text()
    page.get_by_role("link", name="Review Hugo Hire").click()
    assert "It gives you back an hour a day" in page.locator("main").inner_text()
    page.get_by_label("Met", exact=True).check()
    page.get_by_label("Comment", exact=True).fill("Good: a **clear** benefit.")
    screenshot(page, "review-form")
    page.get_by_role("button", name="Save review").click()
    assert "Review saved. Hugo Hire will be notified." in page.locator(".flashes").inner_text()
    assert "Nothing to review" in page.locator("main").inner_text()
    page.context.close()

    page = new_page()
    log_in(page, review_server, "hire@example.com", PASSWORD)
    page.goto(review_server("/notifications"))
    note = page.locator(
        "li.notification", has_text="Mara Boss reviewed your reply in “Tiny drill”."
    )
    note.get_by_role("button", name="Open").click()
    review = page.locator(".chat__review").inner_text()
    assert "Reviewed by Mara Boss" in review and "Met" in review
    assert page.locator(".chat__review strong").inner_text() == "clear"
    screenshot(page, "reviewed-reply")


@pytest.fixture
def editor_server(live_server):
    with live_server.app.app_context():
        store.publish(tiny_framework(), actor=None)
        store.publish(from_document("scenario", TINY_DRILL), actor=None)
        add_user("trainer@example.com", "Tara Trainer", roles={Role.TRAINER})
        db.session.commit()
        db.session.remove()
    return live_server


def test_a_trainer_adds_a_node_and_publishes(editor_server, page, screenshot):
    log_in(page, editor_server, "trainer@example.com", PASSWORD)
    page.goto(editor_server("/author?kind=scenario"))
    page.get_by_role("link", name="Edit").first.click()
    assert page.url.endswith("/author/scenarios/tiny")
    page.get_by_label("Node id").fill("clarify")
    page.get_by_label("Kind", exact=True).select_option("choice")
    page.get_by_role("button", name="Add the node").click()
    assert page.url.endswith("/nodes/clarify#fields") or "/nodes/clarify" in page.url

    page.locator("#say-en").fill("What exactly would it cost me?")
    page.locator("#choice-0-text-en").fill("About one hour of your team's time, once.")
    page.locator("#choice-0-next").select_option("done")
    page.locator("#choice-0-points-objection-handling").fill("2")
    page.locator("#choice-0-points-objection-handling").blur()
    page.get_by_role("button", name="Save the node").click()
    assert "Saved in the draft." in page.locator(".flashes").inner_text()
    # nothing leads to the new node yet: the importer's rule says so, in the trainer's words
    summary = page.locator("[data-check-summary]").inner_text()
    assert "Lead a reply to node clarify, or delete it: no conversation reaches it." in summary
    page.goto(editor_server("/author/scenarios/tiny/nodes/pick"))
    page.locator("#choice-1-next").select_option("clarify")
    # live check: the same rules, shown while typing
    page.locator("#choice-1-points-objection-handling").fill("lots")
    page.wait_for_selector('[data-errors-for="choice-1-points-objection-handling"]:not([hidden])')
    assert (
        page.locator('[data-errors-for="choice-1-points-objection-handling"]').inner_text()
        == "Enter a whole number for reply 2: Points for objection-handling."
    )
    page.locator("#choice-1-points-objection-handling").fill("")
    page.get_by_role("button", name="Save the node").click()
    summary = page.locator("#check-summary").inner_text()
    assert "passes every check" in summary
    screenshot(page, "editor-ready")
    assert page.locator(".graph__svg .graph-node").count() == 4

    page.get_by_role("button", name="Publish as a new version").click()
    assert "Published as version 2." in page.locator(".flashes").inner_text()
    page.goto(editor_server("/scenarios/tiny"))
    page.locator("main form button[type=submit]").last.click()
    page.locator("#reply").fill("It saves you an hour every single day.")
    page.locator("form.open-reply button.button--primary").click()
    page.wait_for_selector('#now[data-step="1"]')
    page.locator("button.choice", has_text="Shrug").click()  # choice 1, now leading to clarify
    page.wait_for_selector('#now[data-node="clarify"]')
    assert "What exactly would it cost me?" in page.locator("#now").inner_text()
