"""Drill analytics per version: the numbers, the flags, bounded queries."""

from __future__ import annotations

import pytest

from lms.people.models import Role
from lms.scenarios import services
from lms.scenarios.analytics import report_for
from lms.timeutil import utcnow
from tests.helpers import login_as
from tests.scenarios.conftest import lab_document


def play(user, version, choices, *, abandon=False):
    run, _ = services.start_run(user, version, now=utcnow())
    scenario = services.scenario_of(version)
    for choice in choices:
        node = scenario.nodes[run.current_node]
        form = {"reply": "A reply long enough."} if node.kind == "open" else {"choice": str(choice)}
        services.take_step(
            run.id, node_id=node.id, position=run.step_count, form=form, now=utcnow()
        )
    if abandon:
        services.abandon_run(run.id, now=utcnow())
    return run


@pytest.fixture
def history(db, make_user, lab):
    hires = [make_user() for _ in range(7)]
    for hire in hires[:5]:
        play(hire, lab, [0, 0])  # opening.0 five times: 100 %, success
    play(hires[5], lab, [0], abandon=True)  # left at pitch
    play(hires[6], lab, [1, 1])  # probe.1 -> stalled, 0 %
    play(hires[6], lab, [0])  # open, waiting at pitch
    db.session.commit()
    return hires


def test_runs_completion_pass_rate_and_distribution(app, db, history):
    with app.test_request_context():
        report = report_for("lab", None, "en")
    assert (report.runs, report.finished, report.passed, report.abandoned, report.open) == (
        8,
        6,
        5,
        1,
        1,
    )
    assert report.completion == pytest.approx(6 / 8)
    assert report.pass_rate == pytest.approx(5 / 6)
    assert report.average_score == pytest.approx(500 / 6)
    assert report.buckets == [1, 0, 0, 0, 0, 0, 0, 0, 0, 5]
    assert report.ends == {"success": 5, "partial": 1, "fail": 0}


def test_choices_taken_drop_outs_and_flags(app, db, history):
    with app.test_request_context():
        report = report_for("lab", None, "en")
    nodes = {node.id: node for node in report.nodes}
    opening = nodes["opening"]
    assert [c.taken for c in opening.choices] == [7, 1, 0]
    assert opening.reached == 8 and opening.answered == 8
    assert [c.flag for c in opening.choices] == [None, None, "nobody"]
    pitch = nodes["pitch"]
    assert (pitch.reached, pitch.answered, pitch.stopped, pitch.waiting) == (7, 5, 1, 1)
    assert [c.flag for c in pitch.choices] == ["everybody", "nobody"]
    assert report.flags == 3
    probe = nodes["probe"]
    assert [c.taken for c in probe.choices] == [0, 1, 0]
    assert [c.flag for c in probe.choices] == [None, None, None]  # one answer: too few to flag


def test_the_page_shows_it_with_bounded_queries(db, client, make_user, lab, queries):
    trainer = make_user("trainer@example.com", roles={Role.TRAINER})
    login_as(client, trainer)
    client.get("/author/scenarios/lab/analytics")
    with queries() as empty:
        client.get("/author/scenarios/lab/analytics").close()
    for _ in range(3):
        hires = [make_user() for _ in range(5)]
        for hire in hires:
            play(hire, lab, [0, 0])
    db.session.commit()
    with queries() as busy:
        page = client.get("/author/scenarios/lab/analytics").get_data(as_text=True)
    assert len(busy) == len(empty) <= 12
    assert "Everybody takes this" in page and "Nobody takes this" in page
    assert 'class="histogram"' in page and "15 (100%)" in page


def test_the_page_in_chinese(client, make_user, history):
    """A translated label once held a bare `%`, and the page answered 500 in Chinese only."""
    login_as(client, make_user(roles={Role.TRAINER}, locale="zh_CN"))
    response = client.get("/author/scenarios/lab/analytics")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "已完成的演练按得分分布，每档 10 个百分点" in page and 'class="histogram"' in page


def test_each_version_has_its_own_report(db, client, make_user, lab, publish):
    hire = make_user()
    play(hire, lab, [0, 0])
    db.session.commit()
    publish(lab_document(pass_score=80))
    login_as(client, make_user(roles={Role.TRAINER}))
    current = client.get("/author/scenarios/lab/analytics").get_data(as_text=True)
    assert "Nobody has played this version yet." in current
    first = client.get("/author/scenarios/lab/analytics?version=1").get_data(as_text=True)
    assert "Completed (1 of 1)" in first
    assert client.get("/author/scenarios/lab/analytics?version=9999").status_code == 200
    for bad in ("²", "-1", "99999999999", "9" * 30):
        response = client.get("/author/scenarios/lab/analytics", query_string={"version": bad})
        assert response.status_code == 400 and "“version” must be a whole number" in response.text
    assert client.get("/author/scenarios/nope/analytics").status_code == 404


def test_learners_and_managers_do_not_see_analytics(client, make_user, lab):
    for roles in (set(), {Role.MANAGER}):
        login_as(client, make_user(roles=roles))
        assert client.get("/author/scenarios/lab/analytics").status_code == 403
