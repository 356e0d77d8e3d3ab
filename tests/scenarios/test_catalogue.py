"""The catalogue, the briefing and drill progress: right values, bounded queries."""

from __future__ import annotations

import pytest

from lms.progress import NOT_STARTED, progress_of
from lms.scenarios import services
from lms.scenarios.scoring import compute_maxima
from lms.timeutil import utcnow
from tests.helpers import login_as
from tests.scenarios.conftest import lab_document

SHIPPED = ("price-too-high", "need-to-think-about-it", "bad-timing", "first-discovery-call")


@pytest.fixture
def hire(make_user):
    return make_user("hire@example.com", name="Hana Hire")


def finish(hire, version, choices, now=None):
    """Play a run of the lab drill by choice indexes (an open node gets a written reply)."""
    run, _ = services.start_run(hire, version, now=now or utcnow())
    scenario = services.scenario_of(version)
    for choice in choices:
        node = scenario.nodes[run.current_node]
        form = {"reply": "A reply long enough."} if node.kind == "open" else {"choice": str(choice)}
        services.take_step(
            run.id, node_id=node.id, position=run.step_count, form=form, now=now or utcnow()
        )
    return run


def test_the_catalogue_shows_skills_difficulty_best_score_and_attempts(db, client, hire, lab):
    finish(hire, lab, [0, 1, None])  # 50 %
    finish(hire, lab, [0, 0])  # 100 %
    db.session.commit()
    login_as(client, hire)
    page = client.get("/scenarios").get_data(as_text=True)
    assert "Lab drill" in page and "Intermediate" in page
    assert "Objection handling" in page and "Closing" in page
    assert "Best score 100%" in page and "2 attempts" in page and "Passed" in page
    assert "A drill for <strong>tests</strong>." in page


def test_the_catalogue_in_chinese(client, make_user, lab):
    login_as(client, make_user(locale="zh_CN"))
    page = client.get("/scenarios").get_data(as_text=True)
    assert "实验演练" in page and "测试用的演练。" in page and "异议处理" in page


def test_filter_by_skill(client, hire, lab, publish):
    publish(
        lab_document(
            id="other",
            title="Other drill",
            skills=[
                "objection-handling",
                "needs-discovery",
                "closing",
                "presenting",
                "prospecting",
            ],
        )
    )
    login_as(client, hire)
    page = client.get("/scenarios?skill=prospecting").get_data(as_text=True)
    assert "Other drill" in page and "Lab drill" not in page
    page = client.get("/scenarios?skill=no-such-skill").get_data(as_text=True)
    assert "No drill practises this skill yet." in page
    page = client.get("/scenarios?skill=" + "x" * 5000).get_data(as_text=True)
    assert "No drill practises this skill yet." in page


def test_recommended_for_my_gaps_puts_the_largest_gap_first(db, client, hire, lab, publish):
    from lms.skills.targets import register_target_source, unregister_target_source

    publish(
        lab_document(
            id="discovery",
            title="Discovery drill",
            skills=["needs-discovery", "objection-handling", "closing", "presenting"],
        )
    )
    publish(
        lab_document(
            id="closing-only",
            title="Closing drill",
            skills=["closing", "objection-handling", "needs-discovery", "presenting"],
        )
    )

    def targets(user_ids, on):
        return {user_id: {"prospecting": 60, "time-management": 50} for user_id in user_ids}

    login_as(client, hire)
    page = client.get("/scenarios?recommended=1").get_data(as_text=True)
    assert "sets no skill targets yet" in page
    register_target_source(targets)
    try:
        page = client.get("/scenarios?recommended=1").get_data(as_text=True)
        assert "No drill practises a skill below your targets." in page
    finally:
        unregister_target_source(targets)

    def gap_targets(user_ids, on):
        return {user_id: {"presenting": 80} for user_id in user_ids}

    register_target_source(gap_targets)
    try:
        page = client.get("/scenarios?recommended=1").get_data(as_text=True)
        assert "skill-badge--gap" in page
        assert page.index("Closing drill") > 0 and "Lab drill" in page
    finally:
        unregister_target_source(gap_targets)


def test_catalogue_queries_do_not_grow_with_drills_or_runs(db, client, hire, shipped, queries, lab):
    login_as(client, hire)
    client.get("/scenarios")
    with queries() as few:
        client.get("/scenarios").close()
    shipped(*SHIPPED)
    for _ in range(3):
        finish(hire, lab, [0, 0])
    db.session.commit()
    client.get("/scenarios")
    with queries() as many:
        response = client.get("/scenarios?recommended=1")
        page = response.get_data(as_text=True)
    assert len(many) <= len(few) + 2  # the gap lookup: targets and mastery
    assert "sets no skill targets yet" in page
    with queries() as many:
        page = client.get("/scenarios").get_data(as_text=True)
    assert len(many) == len(few) <= 8
    assert page.count('class="card drill-card"') == 5
    assert "Objection: &#34;Your price is way too high&#34;" in page and "3 attempts" in page


def test_player_queries_do_not_grow_with_the_run(
    db, client, hire, shipped, shipped_tree, queries, player
):
    """Along the drill's best path: the same queries after one answer as after several, and
    only a couple more on the ending."""
    shipped("price-too-high")
    best = compute_maxima(shipped_tree.scenarios["price-too-high"]).best_path
    choices = [choice for _node, choice in best[:-1]]
    assert choices.index(None) >= 3, "the best path writes a reply after some choices"
    login_as(client, hire)
    game = player(client, "price-too-high")
    game.start()
    game.choose(choices[0])
    game.page()
    with queries() as first:
        game.page()
    for choice in choices[1 : choices.index(None)]:
        game.choose(choice)
    game.page()
    with queries() as later:
        game.page()
    assert len(later) == len(first) <= 10
    game.write(
        "Two units, WMS integration and five years of service: 1.8 million a year in errors."
    )
    for choice in choices[choices.index(None) + 1 :]:
        game.choose(choice)
    game.page()
    with queries() as finished:
        page = game.page()
    assert "Success" in page
    assert len(finished) <= len(first) + 2


def test_the_briefing_shows_the_persona_and_the_record(db, client, hire, lab):
    finish(hire, lab, [1, 2])  # full points, fail ending
    db.session.commit()
    login_as(client, hire)
    page = client.get("/scenarios/lab").get_data(as_text=True)
    assert "Pat Buyer" in page and "You call <strong>Pat</strong>." in page
    assert "70%" in page and "Best score 100%" in page and "Passed" not in page
    assert client.get("/scenarios/nope").status_code == 404
    assert client.get("/scenarios/" + "%00" * 3).status_code == 404


def test_progress_provider_for_many_users_and_drills(db, make_user, lab, publish, queries):
    other = publish(lab_document(id="other", title="Other"))
    hires = [make_user() for _ in range(6)]
    early = utcnow()
    finish(hires[0], lab, [1, 2], now=early)  # full points, fail end
    finish(hires[0], lab, [0, 0])  # passed
    finish(hires[1], lab, [0, 1, None])  # 50 %, not passed
    services.start_run(hires[2], other, now=early)  # open only
    ids = [h.id for h in hires]
    db.session.commit()
    with queries() as statements:
        found = progress_of("scenario", ids, ["lab", "other", "missing"])
    assert len(statements) == 1
    first = found[(ids[0], "lab")]
    assert (first.started, first.done, first.best_score, first.attempts) == (True, True, 100.0, 2)
    assert first.done_at is not None and first.last_activity_at >= early
    second = found[(ids[1], "lab")]
    assert (second.done, second.best_score, second.attempts) == (False, 50.0, 1)
    third = found[(ids[2], "other")]
    assert (third.started, third.done, third.attempts, third.best_score) == (True, False, 0, None)
    assert found[(ids[3], "lab")] == NOT_STARTED
