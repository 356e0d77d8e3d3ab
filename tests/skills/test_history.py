"""How sure a mastery is and how it got there: evidence count, confidence, and the mastery
history chart of /skills/<user_id>."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from lms.people.models import Role
from lms.skills.evidence import record_evidence
from lms.skills.history import confidence_of, histories
from lms.skills.mastery import mastery_of
from tests.helpers import login_as

T0 = datetime(2026, 3, 2, 9, 0)
VALUES = [0.2, 0.4, 0.5, 0.9, 0.6, 0.7, 0.8, 0.75, 0.8, 0.85, 0.8, 0.9]


@pytest.mark.parametrize(
    "values, level, spread",
    [
        ([0.5], "low", None),
        ([0.5, 0.9], "low", 20.0),  # fewer than 3 values
        ([0.8, 0.8, 0.8], "medium", 0.0),  # fewer than 5 values
        ([0.8] * 5, "high", 0.0),
        ([0.8, 0.85, 0.75, 0.8, 0.8], "high", pytest.approx(3.162, abs=1e-3)),
        ([0.8, 0.6, 1.0, 0.6, 1.0], "medium", pytest.approx(17.889, abs=1e-3)),
        ([1.0, 0.2, 1.0, 0.2, 1.0], "low", pytest.approx(39.192, abs=1e-3)),
        ([0.0] * 10 + [0.8] * 5, "high", 0.0),  # only the last five count for the spread
    ],
)
def test_confidence_from_count_and_spread(values, level, spread):
    found = confidence_of(values)
    assert (found.count, found.level) == (len(values), level)
    assert found.spread == spread


@pytest.fixture
def history(db, framework, make_user):
    manager = make_user("boss@example.com", name="Morgan Lee", roles={Role.MANAGER})
    hire = make_user("hire@example.com", name="Lena Park", manager=manager)
    for day, value in enumerate(VALUES):
        record_evidence(
            hire.id,
            {"goal-setting": value},
            source_kind="review",
            source_id="notes",
            at=T0 + timedelta(days=day),
        )
    record_evidence(hire.id, {"planning": 0.5}, source_kind="review", source_id="x", at=T0)
    db.session.commit()
    return manager, hire


def test_the_history_replays_the_log_and_ends_at_the_stored_mastery(app, history):
    _, hire = history
    found = histories(hire.id)
    goal = found["goal-setting"]
    assert len(goal.points) == 10  # the last ten of twelve
    assert goal.points[0].at == T0 + timedelta(days=2)
    assert goal.points[-1].at == T0 + timedelta(days=11)
    assert [p.evidence for p in goal.points] == pytest.approx([v * 100 for v in VALUES[2:]])
    assert goal.points[-1].mastery == pytest.approx(mastery_of(hire.id)["goal-setting"].value)
    assert goal.confidence.count == 12 and goal.confidence.level == "high"
    assert found["planning"].confidence.level == "low"


def test_the_managers_view_of_a_hires_skills_shows_confidence_and_the_history(client, history):
    manager, hire = history
    login_as(client, manager)
    page = client.get(f"/skills/{hire.id}").get_data(as_text=True)
    row = re.search(r'<tr id="skill-goal-setting">(.*?)</tr>', page, re.S).group(1)
    assert "<td>12</td>" in row and "confidence--high" in row
    planning = re.search(r'<tr id="skill-planning">(.*?)</tr>', page, re.S).group(1)
    assert "confidence--low" in planning and "<td>1</td>" in planning
    chart = re.search(
        r'<figure class="card skill-history__item" id="history-goal-setting">(.*?)</figure>',
        page,
        re.S,
    ).group(1)
    assert chart.count("<circle") == 10
    assert "12 results" in chart
    stored = mastery_of(hire.id)["goal-setting"].value
    rows = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td><td>(\d+)</td></tr>", chart)
    assert len(rows) == 10
    assert rows[0][1] == "50" and rows[-1][1] == "90"
    assert rows[-1][2] == str(int(stored))  # the last point is the mastery the table shows
    assert "Mar 4, 2026" in chart and "Mar 13, 2026" in chart
    assert 'id="history-objection-handling"' not in page  # no evidence, no chart


def test_someone_outside_the_team_cannot_see_the_history(client, history, make_user):
    _, hire = history
    login_as(client, make_user("other@example.com", roles={Role.MANAGER}))
    assert client.get(f"/skills/{hire.id}").status_code == 403
