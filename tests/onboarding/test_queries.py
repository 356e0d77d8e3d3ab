"""/team and /team/<id> run the same number of queries for a team of 5 and of 200."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from lms.content.model import Path, PathItem, Phase, Text
from lms.content.store import publish
from lms.onboarding.pages import team_view
from lms.onboarding.services import GoalInput, enroll, hold_checkin, sign_off
from lms.onboarding.status import due_date
from lms.people.models import Role, User
from lms.reports.scope import people_for
from lms.timeutil import today
from tests.helpers import TEST_PASSWORD, login_as
from tests.onboarding.paths import FRAMEWORK, TASK_PATH

FULL_PATH = Path(
    id="full",
    title=Text({"en": "Full path"}),
    phases=(
        Phase(
            id=TASK_PATH.phases[0].id,
            title=TASK_PATH.phases[0].title,
            until_day=30,
            targets=TASK_PATH.phases[0].targets,
            items=(
                PathItem("basics", "course", ref="basics", due_day=7),
                PathItem("check", "quiz", ref="check", due_day=10, min_score=80),
                PathItem("drill", "scenario", ref="drill", due_day=14),
                *TASK_PATH.phases[0].items,
            ),
        ),
        TASK_PATH.phases[1],
    ),
)


def add_hires(db, manager, count: int, offset: int) -> list[User]:
    hires = []
    for number in range(offset, offset + count):
        day = 5 + (number * 7) % 80
        hire = User(
            email=f"hire{number}@example.com",
            name=f"Hire {number:03d}",
            password_hash=TEST_PASSWORD,
            manager_id=manager.id,
            start_date=today() - timedelta(days=day - 1),
        )
        db.session.add(hire)
        hires.append(hire)
    db.session.flush()
    for hire in hires:
        start = hire.start_date
        enroll(hire, "full", actor=manager, now=datetime.combine(start, time(9)))
        if (hire.id % 3) == 0:
            ratings = {"goal-setting": "meets", "planning": "above"}
            for item_id in ("shadow", "crm"):
                moment = datetime.combine(start, time(12))
                sign_off(hire, item_id, actor=manager, ratings=ratings, now=moment)
        if (today() - start).days >= 30 and hire.id % 2 == 0:
            hold_checkin(
                hire,
                "review-30",
                actor=manager,
                goals=[GoalInput("Book first meetings", "5", "meetings", due_date(start, 40))],
                now=datetime.combine(due_date(start, 30), time(10)),
            )
    db.session.commit()
    return hires


def count_page(client, queries, url: str) -> tuple[int, str]:
    with queries() as statements:
        response = client.get(url)
        body = response.get_data(as_text=True)
        response.close()
    assert response.status_code == 200, url
    return len(statements), body


def test_team_pages_run_a_fixed_number_of_queries(app, db, client, make_user, queries):
    publish(FRAMEWORK, actor=None)
    publish(FULL_PATH, actor=None)
    manager = make_user(roles={Role.MANAGER})
    db.session.commit()
    first = add_hires(db, manager, 5, 0)
    coached = next(hire for hire in first if hire.id % 3 == 0)
    login_as(client, manager)
    client.get("/team").close()

    few_team, body = count_page(client, queries, "/team")
    assert body.count('<tr class="team-row') == 5
    few_member, body = count_page(client, queries, f"/team/{coached.id}")
    assert "Signed off by" in body
    few_sorted, _ = count_page(client, queries, "/team?sort=activity&status=at_risk")

    add_hires(db, manager, 195, 5)
    many_team, body = count_page(client, queries, "/team")
    assert body.count('<tr class="team-row') == 50  # the first page of 200
    assert "Page 1 of 4 (200 people)" in body
    last_page, body = count_page(client, queries, "/team?page=4")
    assert body.count('<tr class="team-row') == 50
    many_member, _ = count_page(client, queries, f"/team/{coached.id}")
    many_sorted, _ = count_page(client, queries, "/team?sort=activity&status=at_risk")

    assert many_team == few_team
    assert many_member == few_member
    assert many_sorted == few_sorted
    assert last_page == many_team
    assert few_team <= 12 and few_member <= 21


def test_a_director_sees_teams_worst_first_and_one_team_at_a_time(
    app, db, client, make_user, queries
):
    publish(FRAMEWORK, actor=None)
    publish(FULL_PATH, actor=None)
    director = make_user(name="Dana Director", roles={Role.MANAGER})
    leads = [
        make_user(name=f"Lead {letter}", roles={Role.MANAGER}, manager=director) for letter in "ABC"
    ]
    db.session.commit()
    add_hires(db, leads[0], 4, 0)
    add_hires(db, leads[1], 60, 100)
    add_hires(db, leads[2], 2, 300)
    login_as(client, director)
    client.get("/team").close()

    count, body = count_page(client, queries, "/team")
    assert "4 teams, the most behind first" in body  # the leads are the director's own team
    assert f"team={leads[1].id}" in body and "Team of Dana Director" in body
    assert "Page 1 of 2 (69 people)" in body  # 3 leads and 66 hires
    groups = team_view(director.id, today()).groups
    assert [group.worst_first for group in groups] == sorted(group.worst_first for group in groups)
    assert {group.manager.id: group.size for group in groups} == {
        director.id: 3,
        leads[0].id: 4,
        leads[1].id: 60,
        leads[2].id: 2,
    }

    exported = people_for(director, today())  # exports and reports take every row, not a page
    assert exported is not None and len(exported.rows) == 69

    one_team, body = count_page(client, queries, f"/team?team={leads[1].id}")
    assert body.count('<tr class="team-row') == 50 and "Page 1 of 2 (60 people)" in body
    assert one_team == count <= 12
    assert client.get("/team?page=x&team=-1").status_code == 200
