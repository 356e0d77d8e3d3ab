"""Managers reach the full picture: /team and /team/<user_id> link a hire's skills page, a hire
who is not enrolled still shows their mastery, and recommendations and "not assessed" rows stay
with the skills the hire's path trains unless the hire asks to see all."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from lms.content.model import Lesson, Path, Phase, Text
from lms.content.store import publish
from lms.onboarding.services import enroll
from lms.people.models import Role
from lms.skills.evidence import record_evidence
from lms.skills.services import recommend_next, shown_rows, skill_overview
from lms.timeutil import today, utcnow
from tests.helpers import login_as

PATH = Path(
    id="rep",
    title=Text({"en": "New rep"}),
    phases=(
        Phase(
            id="first-30",
            title=Text({"en": "Days 1-30"}),
            until_day=30,
            targets={"goal-setting": 60},
        ),
        Phase(
            id="days-31-60",
            title=Text({"en": "Days 31-60"}),
            until_day=60,
            targets={"planning": 50},
        ),
    ),
)


@pytest.fixture
def world(db, framework, make_user):
    manager = make_user("boss@example.com", name="Morgan Lee", roles={Role.MANAGER})
    rep = make_user("rep@example.com", name="Rita Rep", manager=manager)
    loner = make_user("loner@example.com", name="Leo Loner", manager=manager)
    publish(PATH, actor=None)
    for slug, skill in (("goals", "goal-setting"), ("objections", "objection-handling")):
        publish(
            Lesson(slug, "basics", Text({"en": f"Lesson {slug}"}), Text({"en": "x"}), (skill,)),
            actor=None,
        )
    enroll(rep, "rep", actor=None, start_date=today() - timedelta(days=13))
    for hire in (rep, loner):
        for day in range(2):
            record_evidence(
                hire.id,
                {"goal-setting": 0.4},
                source_kind="review",
                source_id="notes",
                at=utcnow() - timedelta(days=2 - day),
            )
    db.session.commit()
    return manager, rep, loner


def test_skills_outside_the_path_without_evidence_are_left_out_unless_asked(client, world):
    _, rep, _ = world
    rows = skill_overview(rep.id)
    assert {row.id: row.in_scope for row in rows} == {
        "goal-setting": True,
        "planning": True,  # a later phase of the path trains it
        "objection-handling": False,
    }
    assert [row.id for row in shown_rows(rows)] == ["goal-setting", "planning"]
    assert len(shown_rows(rows, show_all=True)) == 3
    assert [r.slug for r in recommend_next(rep.id, 5)] == ["goals"]
    assert {r.slug for r in recommend_next(rep.id, 5, show_all=True)} == {"goals", "objections"}

    login_as(client, rep)
    page = client.get("/skills").get_data(as_text=True)
    assert 'id="skill-objection-handling"' not in page and "Lesson objections" not in page
    assert 'href="?all=1"' in page
    everything = client.get("/skills?all=1").get_data(as_text=True)
    assert 'id="skill-objection-handling"' in everything and "Lesson objections" in everything
    home = client.get("/learn").get_data(as_text=True)
    assert "Lesson goals" in home and "Lesson objections" not in home


def test_a_hire_without_a_path_sees_every_skill(client, world):
    _, _, loner = world
    assert [row.id for row in shown_rows(skill_overview(loner.id))] == [
        "goal-setting",
        "planning",
        "objection-handling",
    ]


def test_the_team_pages_link_each_hires_skills(client, world):
    manager, rep, loner = world
    login_as(client, manager)
    overview = client.get("/team").get_data(as_text=True)
    assert f'href="/skills/{rep.id}"' in overview and f'href="/skills/{loner.id}"' in overview
    member = client.get(f"/team/{rep.id}").get_data(as_text=True)
    assert f'<a href="/skills/{rep.id}" id="skills-link">' in member
    assert client.get(f"/skills/{rep.id}").status_code == 200


def test_a_hire_with_no_enrollment_still_shows_their_mastery(client, world):
    manager, _, loner = world
    login_as(client, manager)
    page = client.get(f"/team/{loner.id}").get_data(as_text=True)
    assert "Not enrolled" in page
    row = re.search(r'<tr id="skill-goal-setting">(.*?)</tr>', page, re.S).group(1)
    assert "<td>40</td>" in row and "<td>2</td>" in row
    assert 'id="skill-planning"' not in page  # no evidence
    assert f'href="/skills/{loner.id}"' in page
