"""The team's skills heatmap against hand computations, its filters, sorting and page."""

from __future__ import annotations

from lms.content.model import Text
from lms.onboarding.status import TargetStatus
from lms.reports.heatmap import team_heatmap
from lms.timeutil import today
from tests.helpers import login_as
from tests.reports.conftest import add_hire, set_mastery


def build(db, make_user, company):
    ann = add_hire(db, make_user, company.manager, "Ann")
    bob = add_hire(db, make_user, company.manager, "Bob")
    chen = add_hire(db, make_user, company.manager, "陈静", day=40)  # days 31-60: 65 / 55
    set_mastery(db, ann, "goal-setting", 60.0)
    set_mastery(db, ann, "planning", 35.0)
    set_mastery(db, bob, "goal-setting", 30.0)
    set_mastery(db, bob, "planning", 90.0, count=1)  # not enough evidence: not shown
    set_mastery(db, chen, "goal-setting", 50.0)
    set_mastery(db, chen, "planning", 45.0)
    db.session.commit()
    return ann, bob, chen


def test_cells_bands_and_median_by_hand(app, db, make_user, company):
    ann, bob, chen = build(db, make_user, company)
    heatmap = team_heatmap(company.manager.id, today())
    assert [skill.id for skill in heatmap.skills] == ["goal-setting", "planning"]
    rows = {row.person.name: row for row in heatmap.rows}
    assert set(rows) == {"Ann", "Bob", "陈静"}  # not the other manager's hire
    cell = rows["Ann"].cells
    assert (cell["goal-setting"].value, cell["goal-setting"].target) == (60.0, 50.0)
    assert cell["goal-setting"].band == "met" and cell["goal-setting"].symbol == "✓"
    assert cell["planning"].band == "near"  # 35 against 40: within 10 points
    assert rows["Bob"].cells["goal-setting"].band == "below"  # 30 against 50
    assert rows["Bob"].cells["planning"].value is None
    assert rows["Bob"].cells["planning"].band == "unknown"
    assert rows["陈静"].cells["goal-setting"].target == 65.0  # the hire's own phase
    assert rows["陈静"].cells["goal-setting"].band == "below"  # 50 against 65
    # medians: goal-setting of [60, 30, 50] = 50; planning of [35, 45] = 40 (Bob not shown)
    assert heatmap.median == {"goal-setting": 50.0, "planning": 40.0}


def test_sort_by_a_skill_and_filter_by_phase(app, db, make_user, company):
    build(db, make_user, company)
    lowest = team_heatmap(company.manager.id, today(), sort="planning")
    assert [row.person.name for row in lowest.rows] == ["Ann", "陈静", "Bob"]  # no value last
    highest = team_heatmap(company.manager.id, today(), sort="planning", reverse=True)
    assert [row.person.name for row in highest.rows] == ["陈静", "Ann", "Bob"]
    second = team_heatmap(company.manager.id, today(), phase="days-31-60")
    assert [row.person.name for row in second.rows] == ["陈静"]
    assert second.median == {"goal-setting": 50.0, "planning": 45.0}
    assert [pid for pid, _title in second.phases] == ["first-30", "days-31-60"]  # by title


def test_heatmap_page(app, db, client, make_user, company):
    ann, _bob, _chen = build(db, make_user, company)
    login_as(client, company.manager)
    body = client.get("/team/skills?sort=nope&status=bogus&phase=x").get_data(True)
    assert "No one matches." in body  # unknown phase: nobody, not an error
    response = client.get("/team/skills?sort=goal-setting")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"/skills/{ann.id}#skill-goal-setting" in body
    assert "✓</span> 60" in body and "at or above target" in body
    assert 'class="table-wrap table-wrap--scroll"' in body
    assert "Median" in body
    learner = client.get("/team/skills")
    assert learner.status_code == 200
    login_as(client, company.learner)
    assert client.get("/team/skills").status_code == 403


def test_a_cell_shows_and_judges_the_number_every_page_shows(app, db, client, make_user, company):
    """Mastery 49.7 against a target of 50 is 49 and below on /skills and in the hire's status;
    the heatmap once rounded it to 50 (ordinary rounding) next to a "near" verdict."""
    hire = add_hire(db, make_user, company.manager, "Dana")
    set_mastery(db, hire, "goal-setting", 49.7)
    set_mastery(db, hire, "planning", 40.0)
    db.session.commit()
    heatmap = team_heatmap(company.manager.id, today())
    (row,) = [row for row in heatmap.rows if row.person.id == hire.id]
    verdicts = {
        skill: TargetStatus(skill, Text({"en": skill}), cell.target, cell.state).is_below
        for skill, cell in row.cells.items()
    }
    assert verdicts == {"goal-setting": True, "planning": False}  # the status's own verdict
    assert row.cells["goal-setting"].band == "near"
    assert row.cells["planning"].band == "met"  # exactly on target
    login_as(client, company.manager)
    body = client.get("/team/skills").get_data(True)
    assert ' 49<span class="heat__target">/50</span>' in body
    assert ' 50<span class="heat__target">/50</span>' not in body
    assert ' 40<span class="heat__target">/40</span>' in body
    skills = client.get(f"/skills/{hire.id}").get_data(True)
    assert '<span class="skill-value">49</span>' in skills
