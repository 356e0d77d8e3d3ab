"""The audit log as people read it: actions and details in their language, never codes or
Python values."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lms.audit.display import ACTIONS, DETAILS
from lms.audit.services import record
from lms.content.store import Change
from lms.people.models import Role
from tests.helpers import login_as

LMS = Path(__file__).resolve().parents[2] / "lms"


def recorded_calls() -> list[tuple[str, set[str], str]]:
    """(action, detail keys, where) of every `record(...)` call in the code."""
    found = []
    for path in sorted(LMS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "record"):
                continue
            if not node.args:
                continue
            first = node.args[0]
            branches = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
            keys = {k.arg for k in node.keywords if k.arg not in (None, "actor", "subject")}
            if any(k.arg is None for k in node.keywords):  # **{change.value: ...}
                keys |= {change.value for change in Change}
            where = f"{path.relative_to(LMS.parent)}:{node.lineno}"
            for branch in branches:
                assert isinstance(branch, ast.Constant), f"{where}: name the action literally"
                found.append((branch.value, keys, where))
    return found


def test_every_recorded_action_and_detail_has_a_label():
    calls = recorded_calls()
    assert len(calls) >= 15
    for action, keys, where in calls:
        assert action in ACTIONS, f"{where}: add {action!r} to lms.audit.display.ACTIONS"
        missing = keys - set(DETAILS)
        assert not missing, f"{where}: add {sorted(missing)} to lms.audit.display.DETAILS"


@pytest.fixture
def events(db, make_user):
    admin = make_user("admin@example.com", roles={Role.ADMIN})
    rep = make_user("rep@example.com", name="Rep")
    record("user.roles_changed", actor=admin, subject=rep, before=["manager"], after=[])
    record(
        "user.updated",
        actor=admin,
        subject=rep,
        changes={"start_date": ["2026-03-02", "2026-03-09"], "locale": [None, "zh_CN"]},
    )
    record("login.failed", actor=None, email="who@example.com", reason="unknown")
    record("login.locked", actor=None, subject=rep, until="2026-03-02T09:15:00")
    record("content.import", actor=admin, folders=["courses"], added=3, changed=0)
    db.session.commit()
    return admin


def test_the_audit_page_in_english(client, events):
    login_as(client, events)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Roles changed" in page and "<b>Before</b> Manager" in page
    assert "<b>After</b> learner only" in page
    assert "Start date: Mar 2, 2026 → Mar 9, 2026" in page
    assert "Language: — → 简体中文" in page
    assert "Sign-in refused" in page and "<b>Reason</b> no account with this e-mail address" in page
    assert "<b>Locked until</b> 3/2/26" in page
    assert "Content imported" in page and "<b>Added</b> 3" in page
    for raw in ("user.roles_changed", "['manager']", "{'", "start_date", "login.failed</td>"):
        assert raw not in page.split("<table")[1], raw


def test_the_audit_page_in_chinese(client, db, events):
    events.locale = "zh_CN"
    db.session.commit()
    login_as(client, events)
    page = client.get("/admin/audit").get_data(as_text=True)
    table = page.split("<table")[1]
    assert "修改角色" in table and "<b>修改前</b> 主管" in table and "<b>修改后</b> 仅学员" in table
    assert "入职日期：2026年3月2日 → 2026年3月9日" in table
    assert "登录被拒绝" in table and "<b>原因</b> 该邮箱没有账号" in table
    assert "导入内容" in table and "<b>新增</b> 3" in table
    assert '<option value="user.roles_changed" >修改角色</option>' in page
    for raw in ("user.roles_changed", "['manager']", "{'", "start_date", "Roles changed"):
        assert raw not in table, raw
    home = client.get("/admin").get_data(as_text=True)
    assert "修改角色" in home and "user.roles_changed" not in home


def test_paths_and_items_are_shown_by_their_titles(client, db, make_user):
    from lms.onboarding.services import enroll, sign_off
    from tests.onboarding.paths import publish_path

    admin = make_user(roles={Role.ADMIN}, locale="zh_CN")
    manager = make_user(roles={Role.MANAGER})
    hire = make_user(manager=manager)
    publish_path()
    enroll(hire, "rep", actor=manager)
    sign_off(hire, "crm", actor=manager, ratings={"goal-setting": "meets"})
    db.session.commit()
    login_as(client, admin)
    table = client.get("/admin/audit").get_data(as_text=True).split("<table")[1]
    assert "<b>入职路径</b> 新销售" in table and "<b>事项</b> Log calls the same day" in table
    assert "<b>技能评价</b> 目标设定 80%" in table
    assert "<b>入职路径</b> rep" not in table
