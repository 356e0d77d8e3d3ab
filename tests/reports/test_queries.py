"""The heatmap and the quadrant of a team, and the trainer's company-wide views, run a fixed
number of queries (at most 8) whatever the number of hires; the pages too."""

from __future__ import annotations

from datetime import timedelta

from lms.onboarding.services import enroll
from lms.people.models import User
from lms.reports import analytics
from lms.reports.diagnosis import diagnose_team
from lms.reports.heatmap import team_heatmap
from lms.reports.scope import team_rows
from lms.reports.snapshots import snapshot_current
from lms.skills.models import Mastery
from lms.timeutil import today, utcnow
from tests.helpers import TEST_PASSWORD, login_as

LIMIT = 8


def add_hires(db, manager, count: int, offset: int) -> None:
    hires = []
    for number in range(offset, offset + count):
        hire = User(
            email=f"hire{number}@example.com",
            name=f"Hire {number:03d}",
            password_hash=TEST_PASSWORD,
            manager_id=manager.id,
            start_date=today() - timedelta(days=(number * 7) % 80),
        )
        db.session.add(hire)
        hires.append(hire)
    db.session.flush()
    for hire in hires:
        enroll(hire, "rep", actor=None)
        db.session.add(Mastery(user_id=hire.id, skill_id="goal-setting", level=0.5, count=3))
    db.session.commit()
    snapshot_current(utcnow(), hires)
    db.session.commit()


def measure(queries, function) -> int:
    with queries() as statements:
        function()
    return len(statements)


def page(client, queries, url: str) -> int:
    with queries() as statements:
        response = client.get(url)
        response.get_data()
        response.close()
    assert response.status_code == 200, url
    return len(statements)


def counts(app, db, client, queries, company) -> dict[str, int]:
    manager = company.manager
    manager_id = manager.id  # loaded before counting
    found = {
        "heatmap": measure(queries, lambda: team_heatmap(manager_id, today())),
        "quadrant": measure(
            queries, lambda: diagnose_team(team_rows(manager_id, today()), utcnow())
        ),
        "funnels": measure(queries, analytics.course_funnels),
        "distribution": measure(queries, analytics.skill_distribution),
    }
    login_as(client, manager)
    for url in ("/team", "/team/skills", "/team/progress", "/team/cohorts"):
        page(client, queries, url)  # warm up
        found[url] = page(client, queries, url)
    login_as(client, company.trainer)
    found["/reports/analytics"] = page(client, queries, "/reports/analytics")
    return found


def test_fixed_number_of_queries_at_two_sizes(app, db, client, queries, company):
    add_hires(db, company.manager, 5, 0)
    few = counts(app, db, client, queries, company)
    add_hires(db, company.manager, 45, 5)  # a team of 50
    many = counts(app, db, client, queries, company)
    assert many == few
    for name in ("heatmap", "quadrant", "funnels", "distribution"):
        assert few[name] <= LIMIT, (name, few[name])
