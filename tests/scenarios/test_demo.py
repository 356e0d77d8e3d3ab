"""`lms demo` gives the hires a drill history through the services, consistent with their
onboarding plan, with written replies waiting for the demo manager."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from lms.content.importer import import_content
from lms.demo import build_demo
from lms.people.models import User
from lms.progress import progress_of
from lms.scenarios.models import OpenReply, ScenarioRun
from lms.skills.models import Evidence
from tests.helpers import login_as
from tests.scenarios.conftest import ROOT


@pytest.fixture
def demo(app, db):
    report = import_content([ROOT / "courses", ROOT / "scenarios"])
    assert report.ok
    db.session.commit()
    return build_demo()


def test_the_demo_manager_has_replies_from_every_hire_to_review(db, client, demo):
    manager = db.session.scalar(sa.select(User).where(User.email == "manager@example.com"))
    team = [user for user in demo.people.values() if user.manager_id == manager.id]
    pending = set(
        db.session.scalars(sa.select(OpenReply.user_id).where(OpenReply.status == "pending"))
    )
    assert {user.id for user in team} <= pending
    login_as(client, manager)
    page = client.get("/reviews").get_data(as_text=True)
    for user in team:
        assert user.name in page
    reply = db.session.scalar(
        sa.select(OpenReply).where(OpenReply.status == "pending").order_by(OpenReply.id)
    )
    if reply.user.manager_id == manager.id:
        assert client.get(f"/reviews/{reply.id}").status_code == 200


def test_history_is_back_dated_and_follows_the_plan(db, demo):
    from lms.onboarding.demo import demo_plan

    now = datetime.combine(demo.today, datetime.min.time())
    started = db.session.scalars(sa.select(ScenarioRun.started_at)).all()
    assert len(started) >= 20 and all(moment < now for moment in started)
    finished = db.session.scalar(
        sa.select(sa.func.count(ScenarioRun.id)).where(ScenarioRun.status == "finished")
    )
    evidence = db.session.scalar(
        sa.select(sa.func.count(Evidence.id)).where(Evidence.source_kind == "scenario")
    )
    assert finished and evidence >= finished
    assert db.session.scalar(
        sa.select(sa.func.count(Evidence.id)).where(Evidence.source_kind == "review")
    )
    planned = [p for p in demo_plan(demo, kinds=("scenario",)) if p.item.ref]
    progress = progress_of("scenario", {p.user.id for p in planned}, {p.item.ref for p in planned})
    for entry in planned:
        state = progress[(entry.user.id, entry.item.ref)]
        assert state.done == entry.done, (entry.user.email, entry.item.ref)
        if entry.done:
            assert state.done_at <= entry.when
