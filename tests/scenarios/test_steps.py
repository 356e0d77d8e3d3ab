"""Nothing lost, nothing counted twice: stale, replayed, out-of-order, concurrent steps."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from lms.extensions import db as _db
from lms.scenarios import services
from lms.scenarios.models import OpenReply, RunStatus, ScenarioRun, ScenarioStep
from lms.skills.models import Evidence
from lms.timeutil import utcnow
from tests.helpers import login_as


@pytest.fixture
def hire(make_user):
    return make_user("hire@example.com", name="Hana Hire")


@pytest.fixture
def play(client, hire, lab, player):
    login_as(client, hire)
    game = player(client, "lab")
    game.start()
    return game


def step_count(db, run_id):
    return db.session.scalar(
        sa.select(sa.func.count(ScenarioStep.id)).where(ScenarioStep.run_id == run_id)
    )


def test_a_replayed_step_is_refused_and_counts_once(db, play):
    play.choose(0)
    response = play.answer(node="opening", step=0, choice=0)  # the same POST again
    assert response.status_code == 302
    page = play.page()
    assert "That answer was already saved; it counts once." in page
    assert play.state() == ("pitch", 1)
    assert step_count(db, play.run_id) == 1
    assert db.session.get(ScenarioRun, play.run_id).points == {
        "objection-handling": 2.0,
        "needs-discovery": -1.0,
    }


def test_a_stale_page_gets_409_with_the_current_state_over_fetch(db, play):
    play.choose(0)
    response = play.answer(node="opening", step=0, choice=1, json=True)  # another tab's page
    assert response.status_code == 409
    body = response.get_json()
    assert "out of date" in body["message"]
    assert body["state"] == {"node": "pitch", "step": 1, "finished": False}
    assert 'data-node="pitch" data-step="1"' in body["html"]
    assert step_count(db, play.run_id) == 1


def test_a_replay_over_fetch_is_409_too(db, play):
    assert play.answer(choice=0, json=True).status_code == 200
    response = play.answer(node="opening", step=0, choice=0, json=True)
    assert response.status_code == 409
    assert "already saved" in response.get_json()["message"]
    assert step_count(db, play.run_id) == 1


@pytest.mark.parametrize(
    "node, step, expected",
    [
        ("pitch", 1, "does not fit"),  # a node the run has not reached
        ("opening", 5, "does not fit"),  # a step counter from the future
        ("opening", "", "does not fit"),  # no counter at all
        ("nowhere", 0, "does not fit"),  # an unknown node
        ("opening", "-1", "does not fit"),
        ("opening", "9" * 40, "does not fit"),
        ("opening", "²", "does not fit"),
        ("opening", "٠", "does not fit"),
    ],
)
def test_out_of_order_and_hostile_steps_are_refused(db, play, node, step, expected):
    response = play.answer(node=node, step=step, choice=0, json=True)
    assert response.status_code == 409
    assert expected in response.get_json()["message"]
    assert step_count(db, play.run_id) == 0
    assert play.state() == ("opening", 0)


@pytest.mark.parametrize(
    "choice", ["", "3", "-1", "x", "99999999999999999999", "0 OR 1", "²", "٠", "０"]
)
def test_a_missing_or_unknown_choice_is_a_clear_error(db, play, choice):
    response = play.answer(choice=choice, json=True)
    assert response.status_code == 422
    assert response.get_json()["message"] == "Pick one of the replies."
    assert step_count(db, play.run_id) == 0


def test_a_reply_over_the_limit_is_refused_and_a_hostile_one_is_stored_as_text(db, play):
    play.choose(1, 0)
    response = play.answer(reply="x" * 2001, json=True)
    assert response.status_code == 422
    assert "2000 characters at most (it has 2001)" in response.get_json()["message"]
    before = step_count(db, play.run_id)
    with_nul = play.answer(reply="A reply long enough \x00 with a NUL", json=True)
    assert with_nul.status_code == 400 and "NUL character" in with_nul.get_json()["message"]
    assert step_count(db, play.run_id) == before
    hostile = "<script>alert(1)</script> and **bold** \x07 words"
    play.write(hostile)
    reply = db.session.scalar(sa.select(ScenarioStep.reply).where(ScenarioStep.kind == "open"))
    assert reply == "<script>alert(1)</script> and **bold**  words"
    page = play.page()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_steps_after_the_end_are_refused(db, play):
    play.choose(0, 0)
    response = play.answer(node="won", step=2, choice=0, json=True)
    assert response.status_code == 409
    assert "already ended" in response.get_json()["message"]
    evidence = db.session.scalar(sa.select(sa.func.count(Evidence.id)))
    assert evidence == 3


def test_another_learner_cannot_answer_or_read_a_run(client, make_user, play):
    play.choose(0)
    login_as(client, make_user("other@example.com"))
    assert client.get(play.url).status_code == 403
    response = client.post(play.url + "/steps", data={"node": "pitch", "step": "1", "choice": "0"})
    assert response.status_code == 403
    assert client.get(f"/scenarios/other-drill/runs/{play.run_id}").status_code == 404


def test_one_open_run_per_learner_and_version(db, client, play):
    again = client.post("/scenarios/lab/start")
    assert again.headers["Location"].endswith(f"/runs/{play.run_id}")
    count = db.session.scalar(
        sa.select(sa.func.count(ScenarioRun.id)).where(ScenarioRun.status == RunStatus.OPEN)
    )
    assert count == 1
    run = db.session.get(ScenarioRun, play.run_id)
    duplicate = ScenarioRun(
        user_id=run.user_id,
        item_id=run.item_id,
        version_id=run.version_id,
        status=RunStatus.OPEN,
        current_node="opening",
        started_at=utcnow(),
        updated_at=utcnow(),
    )
    db.session.add(duplicate)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_database_refuses_a_second_step_at_one_position(db, play):
    play.choose(0)
    db.session.add(
        ScenarioStep(
            run_id=play.run_id,
            position=0,
            node_id="opening",
            kind="choice",
            choice_index=1,
            points={},
            created_at=utcnow(),
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_start_over_abandons_the_open_run(db, client, play):
    play.choose(0)
    response = client.post("/scenarios/lab/start", data={"restart": "1"})
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert new_id != play.run_id
    assert db.session.get(ScenarioRun, play.run_id).status == RunStatus.ABANDONED
    assert db.session.get(ScenarioRun, new_id).current_node == "opening"
    old = client.get(play.url).get_data(as_text=True)
    assert "left unfinished" in old


def test_the_reply_draft_is_kept_and_refused_when_stale(db, play):
    play.choose(1, 0)
    url = play.url + "/draft"
    response = play.client.post(
        url,
        data={"node": "reflect", "step": "2", "reply": "I would start by"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200 and response.get_json()["length"] == 16
    assert "I would start by</textarea>" in play.page()
    stale = play.client.post(
        url,
        data={"node": "probe", "step": "1", "reply": "old tab"},
        headers={"Accept": "application/json"},
    )
    assert stale.status_code == 409
    assert db.session.get(ScenarioRun, play.run_id).draft_text == "I would start by"
    plain = play.client.post(url, data={"node": "reflect", "step": "2", "reply": "Without JS"})
    assert plain.status_code == 302
    assert "Your draft is saved." in play.page()
    play.write("Without JS, the reply is sent in full.")
    run = db.session.get(ScenarioRun, play.run_id)
    assert run.draft_text is None and run.status == RunStatus.FINISHED


def test_concurrent_identical_steps_count_once(app, db, hire, lab):
    run, _ = services.start_run(hire, lab, now=utcnow())
    run_id = run.id
    db.session.commit()
    db.session.close()  # the test holds no transaction while the threads write
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def answer():
        with app.app_context():
            barrier.wait()
            try:
                services.take_step(
                    run_id, node_id="opening", position=0, form={"choice": "0"}, now=utcnow()
                )
                _db.session.commit()
                outcomes.append("saved")
            except services.StepRefused as refused:
                _db.session.rollback()
                outcomes.append(refused.reason)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=answer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["replayed", "replayed", "replayed", "saved"]
    db.session.expire_all()
    assert step_count(db, run_id) == 1
    assert db.session.get(ScenarioRun, run_id).step_count == 1


def test_concurrent_finishing_steps_record_evidence_once(app, db, hire, lab):
    run, _ = services.start_run(hire, lab, now=utcnow())
    run_id = run.id
    services.take_step(run_id, node_id="opening", position=0, form={"choice": "0"}, now=utcnow())
    db.session.commit()
    db.session.close()
    barrier = threading.Barrier(3)
    outcomes: list[str] = []

    def finish(choice: str):
        with app.app_context():
            barrier.wait()
            try:
                services.take_step(
                    run_id, node_id="pitch", position=1, form={"choice": choice}, now=utcnow()
                )
                _db.session.commit()
                outcomes.append("saved")
            except services.StepRefused as refused:
                _db.session.rollback()
                outcomes.append(refused.reason)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=finish, args=(c,)) for c in ("0", "0", "0")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("saved") == 1
    db.session.expire_all()
    assert step_count(db, run_id) == 2
    evidence = db.session.scalar(
        sa.select(sa.func.count(Evidence.id)).where(Evidence.source_kind == "scenario")
    )
    assert evidence == 3
    assert sorted(outcomes) == ["closed", "closed", "saved"]
    assert db.session.get(ScenarioRun, run_id).status == RunStatus.FINISHED
    assert db.session.scalar(sa.select(sa.func.count(OpenReply.id))) == 0
