"""The demo: hires enrolled on the new-rep path with a history that makes /team tell a story.

Quizzes and drills get their history from their own demo steps, which follow `demo_plan`; here a
stand-in provider reports the planned passes, so the story can be checked on its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms import progress
from lms.content.importer import import_content
from lms.demo import DEMO_STEPS, DemoContext, create_people
from lms.onboarding.demo import demo_plan, enroll_hires, onboarding_history
from lms.onboarding.pages import hire_status, team_view
from lms.onboarding.status import Health, ItemState
from lms.timeutil import today
from tests.helpers import login_as

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo(app, db, monkeypatch):
    context = DemoContext(today=today())
    create_people(context)
    db.session.commit()
    report = import_content([ROOT / "courses", ROOT / "scenarios"])
    assert not report.errors
    db.session.commit()
    enroll_hires(context)
    db.session.commit()
    passed = {
        (planned.user.id, planned.item.ref): planned.when
        for planned in demo_plan(context, kinds=("quiz", "scenario"))
        if planned.done
    }

    def planned_passes(user_ids, slugs):
        return {
            (user_id, slug): progress.ItemProgress(
                started=True,
                done=True,
                best_score=90.0,
                attempts=1,
                done_at=when,
                last_activity_at=when,
            )
            for (user_id, slug), when in passed.items()
            if user_id in user_ids and slug in slugs
        }

    monkeypatch.setitem(progress._PROVIDERS, "quiz", planned_passes)
    monkeypatch.setitem(progress._PROVIDERS, "scenario", planned_passes)
    onboarding_history(context)
    db.session.commit()
    return context


def statuses(demo, manager_email):
    manager = demo.people[manager_email]
    rows = team_view(manager.id, demo.today).rows
    found = {row.person.email: hire_status(row.person.id, demo.today) for row in rows}
    for row in rows:  # the list shows what the stored rows say
        if found[row.person.email] is not None:
            assert row.status.health == found[row.person.email][1].health
    return {email: pair[1] for email, pair in found.items() if pair is not None}


def test_the_demo_team_tells_a_story(demo):
    first = statuses(demo, "manager@example.com")
    assert set(first) == {
        "learner@example.com",
        "sam.ortiz@example.com",
        "priya.nair@example.com",
        "tom.becker@example.com",
        "ana.silva@example.com",
    }
    assert {email: status.day for email, status in first.items()} == {
        "sam.ortiz@example.com": 5,
        "learner@example.com": 14,
        "priya.nair@example.com": 25,
        "tom.becker@example.com": 40,
        "ana.silva@example.com": 58,
    }
    health = {email: status.health for email, status in first.items()}
    assert health["sam.ortiz@example.com"] == Health.ON_TRACK
    assert health["learner@example.com"] == Health.AT_RISK
    assert health["priya.nair@example.com"] == Health.AT_RISK
    assert health["tom.becker@example.com"] == Health.ON_TRACK
    priya = first["priya.nair@example.com"]
    assert [reason.item.id for reason in priya.reasons if reason.item] == ["shadow-discovery-calls"]
    assert priya.item("checkin-30").state == ItemState.NOT_STARTED
    tom = first["tom.becker@example.com"]
    assert tom.item("checkin-30").state == ItemState.DONE
    second = statuses(demo, "manager2@example.com")
    omar = second["omar.haddad@example.com"]
    assert omar.health == Health.BEHIND
    assert {item.id for item in omar.overdue} == {
        "daily-plans-week",
        "crm-same-day-week",
        "checkin-30",
    }
    assert second["zhang.wei@example.com"].item("checkin-60").state == ItemState.DONE
    assert second["chen.jie@example.com"].health == Health.AT_RISK
    assert "9 hires enrolled on new-sales-rep" in demo.log
    assert any(line.startswith("onboarding history:") for line in demo.log)


def test_the_demo_pages_render(client, demo):
    login_as(client, demo.people["manager@example.com"])
    team = client.get("/team").get_data(as_text=True)
    assert team.index("Priya Nair") < team.index("Sam Ortiz")
    assert "is 4 days overdue" in team
    priya = demo.people["priya.nair@example.com"]
    page = client.get(f"/team/{priya.id}").get_data(as_text=True)
    assert "Hold this check-in" in page and "Sign off this task" in page
    tom = demo.people["tom.becker@example.com"]
    assert "Book first meetings with new clinic customers" in client.get(
        f"/team/{tom.id}"
    ).get_data(as_text=True)
    login_as(client, demo.people["zhang.wei@example.com"])
    mine = client.get("/onboarding").get_data(as_text=True)
    assert "约到新诊所客户的首次拜访" in mine and "达成" in mine
    assert client.get("/learn").status_code == 200


def test_the_steps_are_registered_in_order():
    enroll_at = DEMO_STEPS.index("lms.onboarding.demo:enroll_hires")
    history_at = DEMO_STEPS.index("lms.onboarding.demo:onboarding_history")
    # The onboarding history comes after every other onboarding step; only the daily plans,
    # which read what it did, and the reports' weekly rollup of it all follow it.
    assert DEMO_STEPS[history_at + 1 :] == (
        "lms.planning.demo:planning_history",
        "lms.reports.demo:weekly_snapshots",
    )
    assert enroll_at < history_at
