"""One rounding rule everywhere: the number a page shows is the number its verdict compared.
The edges of the report: mastery 79.65 against a target of 80, a quiz score of 79.63% against a
pass score of 80%, 3 of 7 in a quiz and in a drill."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from lms.content.model import Path, Phase, Text
from lms.content.store import publish
from lms.onboarding.services import enroll
from lms.people.models import Role
from lms.quizzes.models import QuizAttempt
from lms.quizzes.services import start_attempt, submit_attempt
from lms.skills import rounding
from lms.skills.evidence import record_evidence
from lms.timeutil import today, utcnow
from tests.helpers import login_as
from tests.quizzes.conftest import make_quiz


@pytest.mark.parametrize(
    "value, threshold, shown, is_below",
    [
        (79.65, 80, "79", True),
        (79.63, 80, "79", True),
        (79.99999999999999, 80, "80", False),  # float noise does not drop a point
        (80.0, 80, "80", False),
        (100 * 3 / 7, 43, "42", True),  # 3 of 7: 42.86 shows 42, in a quiz and in a drill
        (72.66, 72.5, "72.6", False),  # a threshold with a decimal: one decimal
        (72.46, 72.5, "72.4", True),
    ],
)
def test_shown_numbers_agree_with_the_verdict(value, threshold, shown, is_below):
    assert rounding.text(value, threshold) == shown
    assert rounding.below(value, threshold) is is_below
    assert (float(shown) < threshold) is is_below


def test_a_trend_is_the_difference_of_the_numbers_shown():
    assert rounding.difference(67.79375, 45.125) == 22  # 67 - 45, not 22.7 rounded to 23


PATH = Path(
    id="rep",
    title=Text({"en": "New rep"}),
    phases=(
        Phase(
            id="first-30",
            title=Text({"en": "Days 1-30"}),
            until_day=30,
            targets={"goal-setting": 80},
        ),
    ),
)


@pytest.fixture
def hire_at_79_65(db, framework, make_user):
    manager = make_user("boss@example.com", name="Morgan Lee", roles={Role.MANAGER})
    hire = make_user("hire@example.com", name="Lena Park", manager=manager)
    publish(PATH, actor=None)
    enroll(hire, "rep", actor=None, start_date=today() - timedelta(days=19))
    for day in range(3):
        record_evidence(
            hire.id,
            {"goal-setting": 0.7965},
            source_kind="review",
            source_id="notes",
            at=utcnow() - timedelta(days=3 - day),
        )
    db.session.commit()
    return manager, hire


def test_mastery_79_65_shows_79_and_one_below_a_target_of_80_everywhere(client, hire_at_79_65):
    manager, hire = hire_at_79_65
    login_as(client, hire)
    row = client.get("/skills").get_data(as_text=True)
    row = row[row.index('id="skill-goal-setting"') :]
    row = row[: row.index("</tr>")]
    assert '<span class="skill-value">79</span>' in row
    assert "1 below" in row and "<td>80</td>" in row
    login_as(client, manager)
    for url in ("/team", f"/team/{hire.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "Goal setting is at 79, below the phase&#39;s target of 80." in page, url
        assert "at 80," not in page
    member = client.get(f"/team/{hire.id}").get_data(as_text=True)
    assert re.search(
        r"<td>80</td><td class=\"mastery-cell\">.*?>79</span>.*?<td>3</td>", member, re.S
    )


def test_a_quiz_score_of_79_63_shows_79_and_not_passed(client, db, framework, make_user):
    publish(make_quiz(pass_score=80), actor=None)
    hire = make_user()
    attempt = start_attempt(hire.id, "basics", now=utcnow())
    submit_attempt(attempt.id, now=utcnow())
    db.session.get(QuizAttempt, attempt.id).score = 79.63
    db.session.commit()
    login_as(client, hire)
    result = client.get(f"/quizzes/basics/attempts/{attempt.id}/result").get_data(as_text=True)
    assert '<span class="stat__value">79%</span>' in result
    assert "Not passed" in result and "Pass score 80%" in result
    assert 'stat__value">80%' not in result
    intro = client.get("/quizzes/basics").get_data(as_text=True)
    assert "79%" in intro and "80%</td>" not in intro


def test_three_of_seven_shows_42_in_a_quiz_as_in_a_drill(client, db, framework, make_user):
    publish(make_quiz(pass_score=50), actor=None)
    hire = make_user()
    attempt = start_attempt(hire.id, "basics", now=utcnow())
    submit_attempt(attempt.id, now=utcnow())
    db.session.get(QuizAttempt, attempt.id).score = 300 / 7
    db.session.commit()
    login_as(client, hire)
    result = client.get(f"/quizzes/basics/attempts/{attempt.id}/result").get_data(as_text=True)
    assert '<span class="stat__value">42%</span>' in result
    from flask import render_template_string

    drill = render_template_string(
        '{% from "scenarios/_macros.html" import percent %}{{ percent(value) }}', value=300 / 7
    )
    assert drill.strip() == "42%"
