"""/skills: mastery, targets, gaps, the chart and what next; a manager's view; bounded queries."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from lms.content.model import Text
from lms.content.store import publish
from lms.people.models import Role
from lms.quizzes.services import save_answers, start_attempt, submit_attempt
from lms.skills.evidence import record_evidence
from lms.skills.services import Reason, needs_of, recommend_next, skill_overview
from lms.skills.targets import (
    GapStatus,
    register_target_source,
    targets_for,
    unregister_target_source,
)
from tests.helpers import login_as
from tests.quizzes.conftest import make_quiz, sample_questions

T0 = datetime(2026, 1, 5, 9, 0)


@pytest.fixture
def targets():
    """Register a target source for the test; `targets[user_id] = {...}` sets a learner's."""
    table: dict[int, dict[str, float]] = {}

    def source(user_ids, on):
        return {user: table[user] for user in user_ids if user in table}

    register_target_source(source)
    yield table
    unregister_target_source(source)


def evidence(user, values, days=0):
    record_evidence(
        user.id, values, source_kind="review", source_id="r", at=T0 + timedelta(days=days)
    )


def test_without_a_target_source_there_are_no_targets(app, framework, make_user):
    user = make_user()
    assert targets_for([user.id], T0.date()) == {}
    rows = skill_overview(user.id, T0.date())
    assert [row.id for row in rows] == list(framework)
    assert all(row.target is None and row.gap is None for row in rows)
    assert {row.gap_status for row in rows} == {GapStatus.NO_TARGET}


def test_gaps_and_not_enough_evidence(app, db, framework, make_user, targets):
    user = make_user()
    targets[user.id] = {"goal-setting": 60, "planning": 50, "objection-handling": 70}
    evidence(user, {"goal-setting": 0.2, "planning": 0.9}, 0)
    evidence(user, {"goal-setting": 0.5}, 1)
    db.session.commit()
    rows = {row.id: row for row in skill_overview(user.id, T0.date())}
    # goal-setting: 0.7 * 0.2 + 0.3 * 0.5 = 0.29 -> 29, gap 60 - 29 = 31
    assert rows["goal-setting"].state.value == pytest.approx(29)
    assert rows["goal-setting"].gap == pytest.approx(31)
    assert rows["goal-setting"].gap_status is GapStatus.BELOW
    # planning has one value: not enough evidence, never a gap of 50
    assert rows["planning"].gap is None
    assert rows["planning"].gap_status is GapStatus.NOT_ENOUGH
    assert rows["objection-handling"].gap_status is GapStatus.NOT_ENOUGH
    evidence(user, {"planning": 0.9}, 2)
    db.session.commit()
    rows = {row.id: row for row in skill_overview(user.id, T0.date())}
    assert rows["planning"].gap == pytest.approx(-40.0)
    assert rows["planning"].gap_status is GapStatus.MET
    needs = needs_of(list(rows.values()))
    assert [(n.skill.id, n.reason) for n in needs] == [
        ("objection-handling", Reason.NOT_ASSESSED),
        ("goal-setting", Reason.BELOW_TARGET),
    ]
    assert needs[0].amount == 35.0 and needs[1].amount == pytest.approx(31)


def test_the_page_shows_every_skill_with_numbers(client, db, framework, make_user, targets):
    user = make_user()
    targets[user.id] = {"goal-setting": 60, "planning": 50}
    evidence(user, {"goal-setting": 0.2, "planning": 0.9}, 0)
    evidence(user, {"goal-setting": 0.5}, 1)
    db.session.commit()
    login_as(client, user)
    page = client.get("/skills").get_data(as_text=True)
    row = re.search(r'<tr id="skill-goal-setting">(.*?)</tr>', page, re.S).group(1)
    assert ">29<" in row  # 0.7 * 0.2 + 0.3 * 0.5, shown rounded down (docs/mastery.md)
    assert ">60<" in row and "31 below" in row
    assert "↑" in row and "+9" in row  # shown 20 -> 29
    assert re.search(r"<td>2</td>", row)
    row = re.search(r'<tr id="skill-planning">(.*?)</tr>', page, re.S).group(1)
    assert "Not enough evidence" in row and "below" not in row
    row = re.search(r'<tr id="skill-objection-handling">(.*?)</tr>', page, re.S).group(1)
    assert "Not assessed" in row
    assert '<svg class="radar"' in page and "radar__target" in page and "radar__current" in page
    assert "Foundations" in page
    client.post("/language", data={"locale": "zh_CN"})
    page = client.get("/skills").get_data(as_text=True)
    assert "证据不足" in page and "尚未评估" in page and "基本功" in page


def test_recommendations_follow_the_largest_gap(client, db, framework, make_user, targets):
    user = make_user()
    targets[user.id] = {"goal-setting": 80, "planning": 50, "objection-handling": 40}
    evidence(user, {"goal-setting": 0.1, "planning": 0.3, "objection-handling": 0.5}, 0)
    evidence(user, {"goal-setting": 0.1, "planning": 0.3, "objection-handling": 0.5}, 1)
    q1, q2, q3, q4 = sample_questions()
    publish(make_quiz("goals-quiz", questions=(q1,), title="Goals quiz"), actor=None)
    publish(make_quiz("plans-quiz", questions=(q3,), title="Plans quiz"), actor=None)
    publish(make_quiz("price-quiz", questions=(q4,), title="Price quiz"), actor=None)
    db.session.commit()
    recs = recommend_next(user.id, 5, on=T0.date())
    # goal-setting gap 70 > planning gap 20; objection handling is at target
    assert [r.slug for r in recs] == ["goals-quiz", "plans-quiz"]
    assert recs[0].need.reason is Reason.BELOW_TARGET and recs[0].score == pytest.approx(70)
    login_as(client, user)
    page = client.get("/skills").get_data(as_text=True)
    assert "Goals quiz" in page and 'href="/quizzes/goals-quiz"' in page
    assert "Goal setting is at 10 against a target of 80." in page
    # passing the quiz takes it off the list
    attempt = start_attempt(user.id, "goals-quiz", now=T0 + timedelta(days=2))
    save_answers(attempt.id, user.id, {"q1": ["1"]}, now=T0 + timedelta(days=2))
    submit_attempt(attempt.id, now=T0 + timedelta(days=2))
    db.session.commit()
    assert [r.slug for r in recommend_next(user.id, 5, on=T0.date())] == ["plans-quiz"]
    assert recommend_next(user.id, 0) == []


def test_without_targets_the_lowest_and_unassessed_skills_come_first(app, db, framework, make_user):
    user = make_user()
    evidence(user, {"goal-setting": 0.9, "planning": 0.4}, 0)
    evidence(user, {"goal-setting": 0.9, "planning": 0.4}, 1)
    q1, q2, q3, q4 = sample_questions()
    publish(make_quiz("goals-quiz", questions=(q1,)), actor=None)
    publish(make_quiz("plans-quiz", questions=(q3,)), actor=None)
    publish(make_quiz("price-quiz", questions=(q4,)), actor=None)
    # q2 tags planning 1 and goal-setting 0.5: its help is 2/3 * 60 + 1/3 * 10
    publish(make_quiz("mixed-quiz", questions=(q2,)), actor=None)
    db.session.commit()
    recs = recommend_next(user.id, 10)
    assert [r.slug for r in recs] == ["price-quiz", "plans-quiz", "mixed-quiz", "goals-quiz"]
    assert recs[0].need.reason is Reason.NOT_ASSESSED
    assert recs[1].need.reason is Reason.LOW_MASTERY
    assert recs[2].score == pytest.approx(2 / 3 * 60 + 1 / 3 * 10)
    assert recs[2].skill.id == "planning"


def test_a_manager_sees_a_team_members_skills(client, db, framework, make_user):
    manager = make_user(roles={Role.MANAGER})
    hire = make_user(manager=manager, name="Hira Hire")
    outsider = make_user()
    trainer = make_user(roles={Role.TRAINER})
    login_as(client, manager)
    page = client.get(f"/skills/{hire.id}").get_data(as_text=True)
    assert "Skills of Hira Hire" in page
    assert client.get(f"/skills/{outsider.id}").status_code == 403
    assert client.get("/skills/999999").status_code == 404
    login_as(client, hire)
    assert client.get(f"/skills/{hire.id}").status_code == 200
    assert client.get(f"/skills/{manager.id}").status_code == 403
    login_as(client, trainer)
    assert client.get(f"/skills/{hire.id}").status_code == 403


def test_the_page_without_a_framework(client, make_user):
    login_as(client, make_user())
    page = client.get("/skills").get_data(as_text=True)
    assert "has not been imported yet" in page


def _fill(user, values: int):
    for n in range(values):
        evidence(user, {("goal-setting", "planning", "objection-handling")[n % 3]: (n % 7) / 7}, n)


@pytest.mark.parametrize("quizzes", [1, 3])
def test_skills_page_queries_do_not_grow_with_evidence(
    client, db, framework, make_user, queries, targets, quizzes
):
    counts = []
    for values in (1, 200):
        user = make_user()
        targets[user.id] = {"goal-setting": 70}
        _fill(user, values)
        for n in range(quizzes):
            publish(make_quiz(f"quiz-{n}"), actor=None)
        db.session.commit()
        login_as(client, user)
        client.get("/skills")  # warm caches of parsed content
        with queries() as statements:
            response = client.get("/skills")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
    assert counts[0] <= 12


def test_a_radar_needs_three_skills(app):
    from lms.skills.charts import radar
    from lms.skills.mastery import NOT_ASSESSED
    from lms.skills.services import SkillRow

    row = SkillRow(
        "a", Text({"en": "A"}), "en", None, NOT_ASSESSED, None, None, GapStatus.NO_TARGET
    )
    assert radar([row, row], "en") is None
    chart = radar([row, row, row, row], "en", size=400, label_room=100)
    assert chart is not None and chart.target is None
    assert len(chart.axes) == 4 and chart.axes[0].anchor == "middle"
    assert (chart.width, chart.height) == (600, 400)
    assert chart.current == " ".join(["300.0,200.0"] * 4)
