"""Every page of the route table, in English and in Chinese, for every kind of user: no 500.

The pages come from `app.url_map`, so a new page is covered as soon as it exists. Its URL is
built from SAMPLE_ARGS (argument name -> a key of the seeded world's ids); a page whose argument
has no sample fails the test until one is added here (or the page is excluded, with a reason).
Each page must open (status below 400) for at least one kind of user in both languages, so the
samples stay real; anything may answer 403 or redirect, nothing may answer 5xx."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest
from flask import url_for

from lms.audit.services import record
from lms.content.model import Path, PathItem, Phase, Text
from lms.content.store import current_version, publish
from lms.extensions import db as _db
from lms.onboarding.calendar import new_feed, token_of
from lms.onboarding.services import enroll, sign_off
from lms.people.models import Role
from lms.quizzes.services import start_attempt, submit_attempt
from lms.scenarios import services as drills
from lms.timeutil import today, utcnow
from tests.courses.factory import world_course
from tests.helpers import login_as
from tests.quizzes.helpers import quiz_world
from tests.scenarios.helpers import drill_world

ROLES = ("anonymous", "learner", "manager", "trainer", "admin")
LANGUAGES = {"en": ("en", 'lang="en"'), "zh_CN": ("zh-CN,zh;q=0.9", 'lang="zh-CN"')}

# URL argument -> key of World.ids
SAMPLE_ARGS = {
    "course_id": "course",
    "lesson_id": "lesson",
    "quiz_id": "quiz",
    "attempt_id": "attempt",
    "scenario_id": "drill",
    "run_id": "run",
    "node_id": "node",
    "reply_id": "reply",
    "user_id": "hire",
    "item_id": "checkin",
    "token": "calendar_token",
    "filename": "static_file",
    "name": "report_name",
    "fmt": "report_format",
    "path_id": "path",
    "phase_id": "phase",
    "question_id": "question",
}
# endpoint -> {argument: key of World.ids} where the general sample does not fit
SAMPLE_OVERRIDES = {
    "quizzes.attempt": {"attempt_id": "open_attempt"},
}
# endpoint -> why it is not rendered here
EXCLUDED: dict[str, str] = {}

WORLD_PATH = Path(
    id="world-path",
    title=Text({"en": "New rep", "zh-CN": "新销售"}),
    phases=(
        Phase(
            id="first-30",
            title=Text({"en": "Days 1-30", "zh-CN": "第1-30天"}),
            until_day=30,
            targets={"objection-handling": 50},
            goals=Text({"en": "Know the **basics**.", "zh-CN": "掌握**基础**。"}),
            items=(
                PathItem("course", "course", ref="world-course", due_day=7),
                PathItem("quiz", "quiz", ref="tiny-quiz", due_day=10, min_score=80),
                PathItem("drill", "scenario", ref="tiny", due_day=14),
                PathItem(
                    "shadow",
                    "task",
                    title=Text({"en": "Shadow calls", "zh-CN": "陪同拜访"}),
                    due_day=5,
                ),
                PathItem(
                    "crm", "task", title=Text({"en": "Log calls", "zh-CN": "记录电话"}), due_day=9
                ),
                PathItem(
                    "review-30",
                    "checkin",
                    title=Text({"en": "Day-30 check-in", "zh-CN": "第30天阶段面谈"}),
                    day=30,
                ),
            ),
        ),
        Phase(
            id="days-31-60",
            title=Text({"en": "Days 31-60", "zh-CN": "第31-60天"}),
            until_day=60,
            targets={"objection-handling": 70},
            items=(PathItem("pitch", "task", title=Text({"en": "Pitch"}), due_day=45),),
        ),
    ),
)


@dataclass
class World:
    users: dict[str, object]
    ids: dict[str, object]


@pytest.fixture
def world(app, db, make_user) -> World:
    """One user per role and a bit of everything: a course and lesson, a quiz with an open and a
    submitted attempt, a drill with an open run, a finished run and a reply waiting for review,
    an onboarding path with the hire enrolled, a sign-off, notifications, a calendar address
    and audit events."""
    manager = make_user("manager@example.com", name="Morgan Lee", roles={Role.MANAGER})
    start = today() - timedelta(days=11)
    hire = make_user("learner@example.com", name="Lena Park", manager=manager, start_date=start)
    users = {
        "learner": hire,
        "manager": manager,
        "trainer": make_user("trainer@example.com", roles={Role.TRAINER}),
        "admin": make_user("admin@example.com", roles={Role.ADMIN}),
    }
    ids: dict[str, object] = {"hire": hire.id, "node": "pick", "static_file": "css/app.css"}
    ids.update(drill_world(hire))
    ids.update(world_course())
    ids.update(quiz_world(hire))

    submitted = ids["attempt"]
    submit_attempt(submitted, now=utcnow())
    ids["open_attempt"] = start_attempt(hire.id, "tiny-quiz", now=utcnow()).id

    colleague = make_user(manager=manager)
    run, _ = drills.start_run(colleague, current_version("scenario", "tiny"), now=utcnow())
    drills.take_step(
        run.id, node_id="ask", position=0, form={"reply": "A fair reply."}, now=utcnow()
    )
    drills.take_step(run.id, node_id="pick", position=1, form={"choice": "0"}, now=utcnow())

    publish(WORLD_PATH, actor=None)
    enroll(hire, "world-path", actor=manager, now=datetime.combine(start, time(9)))
    sign_off(hire, "shadow", actor=manager, comment="Well **done**.", ratings={})
    ids["checkin"] = "review-30"
    ids["report_name"] = "skills"
    ids["report_format"] = "csv"
    ids["path"], ids["phase"], ids["question"] = "world-path", "first-30", "q1"
    ids["calendar_token"] = token_of(new_feed(hire))
    record(
        "user.roles_changed", actor=users["admin"], subject=manager, before=[], after=["manager"]
    )
    db.session.commit()
    return World(users=users, ids=ids)


def page_rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if "GET" in rule.methods),
        key=lambda rule: rule.endpoint,
    )


def test_every_page_has_samples_and_the_table_is_current(app):
    missing = []
    for rule in page_rules(app):
        if rule.endpoint in EXCLUDED:
            continue
        overrides = SAMPLE_OVERRIDES.get(rule.endpoint, {})
        for argument in sorted(rule.arguments):
            if argument not in SAMPLE_ARGS and argument not in overrides:
                missing.append(f"{rule.endpoint} ({rule.rule}): no sample for <{argument}>")
    assert not missing, (
        "add a sample to SAMPLE_ARGS in tests/test_every_page.py (or exclude the page with a "
        "reason):\n" + "\n".join(missing)
    )
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    stale = sorted((set(EXCLUDED) | set(SAMPLE_OVERRIDES)) - endpoints)
    assert not stale, f"EXCLUDED or SAMPLE_OVERRIDES name endpoints that do not exist: {stale}"


def _url_of(app, rule, world: World) -> str:
    overrides = SAMPLE_OVERRIDES.get(rule.endpoint, {})
    values = {
        argument: world.ids[overrides.get(argument, SAMPLE_ARGS.get(argument, ""))]
        for argument in rule.arguments
    }
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def test_every_page_renders_in_both_languages_without_a_500(app, world):
    clients = {}
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            user = world.users[role]
            _db.session.refresh(user)
            login_as(client, user)
        clients[role] = client

    failures, unopened, pages = [], [], 0
    for rule in page_rules(app):
        if rule.endpoint in EXCLUDED:
            continue
        url = _url_of(app, rule, world)
        opened = dict.fromkeys(LANGUAGES, False)
        for language, (accept, marker) in LANGUAGES.items():
            for role, client in clients.items():
                response = client.get(url, headers={"Accept-Language": accept})
                status = response.status_code
                body = response.get_data(as_text=True) if status == 200 else ""
                response.close()
                pages += 1
                if status >= 500:
                    failures.append(f"GET {url} as {role} in {language}: {status}")
                elif status < 400:
                    opened[language] = True
                if "<html" in body and marker not in body:
                    failures.append(f"GET {url} as {role} in {language}: not in {language}")
        if not all(opened.values()):
            unopened.append(f"{rule.endpoint} ({url}): opened in {opened}")
    assert not failures, "\n".join(failures)
    assert not unopened, (
        "nobody could open these pages with the sample arguments; fix SAMPLE_ARGS or the "
        "world fixture:\n" + "\n".join(unopened)
    )
    assert pages >= 40 * len(ROLES) * len(LANGUAGES)
