"""Playing a drill through the pages, as a browser without JavaScript and with it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.scenarios.models import OpenReply, RunStatus, ScenarioRun, ScenarioStep
from lms.skills.models import Evidence
from tests.helpers import login_as

OH, ND, CL = "objection-handling", "needs-discovery", "closing"


@pytest.fixture
def hire(make_user):
    return make_user("hire@example.com", name="Hana Hire")


@pytest.fixture
def play(client, hire, lab, player):
    login_as(client, hire)
    game = player(client, "lab")
    game.start()
    return game


def evidence_of(db, user, kind="scenario"):
    rows = db.session.scalars(
        sa.select(Evidence).where(Evidence.user_id == user.id, Evidence.source_kind == kind)
    ).all()
    return {row.skill_id: row.value for row in rows}


def test_a_run_to_success_scores_and_records_evidence(db, play, hire):
    assert play.state() == ("opening", 0)
    play.choose(0)
    page = play.page()
    assert "Good <strong>start</strong>." in page  # the feedback, stored as HTML
    assert play.state() == ("pitch", 1)
    play.choose(0)
    run = db.session.get(ScenarioRun, play.run_id)
    assert run.status == RunStatus.FINISHED
    assert (run.score, run.passed, run.end_kind, run.total_points) == (100.0, True, "success", 4.0)
    assert run.points == {OH: 2.0, ND: -1.0, CL: 3.0}
    assert evidence_of(db, hire) == pytest.approx({OH: 2 / 3, ND: 0.0, CL: 1.0})
    page = play.page()
    assert "Success" in page and "100%" in page and "Try again" in page


def test_the_open_node_keeps_the_reply_for_review(db, play, hire):
    play.choose(1, 0)
    assert play.state() == ("reflect", 2)
    response = play.answer(reply="too short")
    assert response.status_code == 302
    assert "Write at least 10 characters." in play.page()
    assert play.state() == ("reflect", 2)
    play.write("I hear you. What would make this an easy yes for your boss?")
    run = db.session.get(ScenarioRun, play.run_id)
    assert run.status == RunStatus.FINISHED and run.score == 100.0 and run.passed
    reply = db.session.scalar(sa.select(OpenReply).where(OpenReply.run_id == run.id))
    assert reply.status == "pending" and reply.node_id == "reflect"
    assert reply.step.reply.startswith("I hear you.")
    assert evidence_of(db, hire, "review") == {}
    assert "Waiting for review" in play.page()


def test_a_fail_ending_with_full_points_does_not_pass(db, play):
    play.choose(1, 2)
    run = db.session.get(ScenarioRun, play.run_id)
    assert (run.score, run.passed, run.end_kind) == (100.0, False, "fail")
    assert "the customer walked away" in play.page()


def test_steps_with_javascript_answer_json_with_the_fragment(db, play):
    response = play.answer(choice=0, json=True)
    assert response.status_code == 200
    body = response.get_json()
    assert body["state"] == {"node": "pitch", "step": 1, "finished": False}
    assert 'data-node="pitch" data-step="1"' in body["html"]
    assert "<html" not in body["html"]


def test_resume_after_a_restart_continues_where_it_stood(app, db, client, hire, play):
    play.choose(0)
    db.session.remove()
    db.engine.dispose()  # every connection gone, as after a server restart
    page = client.get("/scenarios/lab")
    assert "Resume" in page.get_data(as_text=True)
    response = client.post("/scenarios/lab/start")
    assert response.headers["Location"].endswith(f"/runs/{play.run_id}")
    assert play.state() == ("pitch", 1)
    assert db.session.scalar(sa.select(sa.func.count(ScenarioStep.id))) == 1


def test_a_failed_run_links_lessons_for_its_weakest_skills(db, play):
    from lms.content.model import Lesson, Text
    from lms.content.store import publish

    publish(
        Lesson(
            "handle-objections",
            "sales",
            Text({"en": "Handling objections"}),
            Text({"en": "Body."}),
            ("objection-handling",),
        ),
        actor=None,
    )
    publish(
        Lesson("cold-calls", "sales", Text({"en": "Cold calls"}), Text({"en": "Body."})),
        actor=None,
    )
    db.session.commit()
    play.choose(2)  # "Argue": the customer walks away
    page = play.page()
    assert "Not passed yet" in page
    section = page[page.index('id="review-next"') :]
    assert 'href="/courses/sales/lessons/handle-objections"' in section
    assert "Cold calls" not in section


def test_a_passed_run_links_nothing_to_review(db, play):
    play.choose(0, 0)
    assert 'id="review-next"' not in play.page()
