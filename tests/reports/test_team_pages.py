"""The quadrant chart and table on /team and the hire's quadrant with its reasons on
/team/<id>."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from lms.planning.models import ExecutionDay
from lms.timeutil import today
from tests.helpers import login_as
from tests.reports.conftest import add_hire, set_mastery


def willing_days(db, hire, days: int = 14, *, done: float = 4.0) -> None:
    """Rollup rows of the last `days` days: four priorities planned and `done` points, reviewed."""
    for back in range(1, days + 1):
        db.session.add(
            ExecutionDay(
                user_id=hire.id,
                day=today() - timedelta(days=back),
                is_planned=True,
                is_reviewed=True,
                priorities=4,
                done_points=done,
                updated_at=datetime.combine(today(), time()),
            )
        )


def test_team_page_shows_the_quadrants(app, db, client, make_user, company):
    able = add_hire(db, make_user, company.manager, "Able Willing", day=25)
    set_mastery(db, able, "goal-setting", 70.0)
    set_mastery(db, able, "planning", 50.0)
    willing_days(db, able)
    cannot = add_hire(db, make_user, company.manager, "Can Not", day=25)
    set_mastery(db, cannot, "goal-setting", 20.0)
    set_mastery(db, cannot, "planning", 10.0)
    willing_days(db, cannot)
    add_hire(db, make_user, company.manager, "New Person", day=2)
    db.session.commit()
    login_as(client, company.manager)
    body = client.get("/team").get_data(as_text=True)
    assert '<svg class="quadrant-chart"' in body
    assert "Able Willing: On track" in body  # the point's title
    assert "Can Not: Cannot: train" in body
    assert "Not enough evidence yet" in body
    assert "Train: train Goal setting" in body
    assert "/reports/export/team.csv" in body

    page = client.get(f"/team/{cannot.id}").get_data(as_text=True)
    assert 'id="diagnosis"' in page
    assert "Cannot: train" in page
    assert "Goal setting is at 20 against a target of 50." in page
    assert "Willingness 100 (55 needed)" in page
    assert "Suggested action:" in page


def test_chinese_team_page(app, db, client, make_user, company):
    add_hire(db, make_user, company.manager, "王小明", day=25)
    login_as(client, company.manager)
    client.post("/language", data={"locale": "zh_CN", "next": "/team"})
    body = client.get("/team").get_data(as_text=True)
    assert "王小明" in body
    assert "证据不足" in body
