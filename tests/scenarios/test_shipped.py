"""Every shipped drill, played through the pages along its best path, in English and in Chinese:
it ends well, scores 100 and passes; its texts exist in both languages."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.scenarios.models import ScenarioRun
from lms.scenarios.scoring import compute_maxima
from tests.helpers import login_as
from tests.scenarios.conftest import ROOT

SHIPPED = sorted(path.stem for path in (ROOT / "scenarios").glob("*.yaml"))


def test_there_are_shipped_drills():
    assert len(SHIPPED) >= 10


@pytest.mark.parametrize("slug", SHIPPED)
def test_every_shipped_drill_is_bilingual_and_has_up_to_a_few_hundred_paths(shipped_tree, slug):
    scenario = shipped_tree.scenarios[slug]
    for node in scenario.nodes.values():
        assert {"en", "zh-CN"} <= set(node.say.locales), node.id
        for choice in node.choices:
            assert {"en", "zh-CN"} <= set(choice.text.locales), node.id
    maxima = compute_maxima(scenario)
    assert 2 <= maxima.path_count <= 1000
    assert maxima.total > 0


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_every_shipped_drill_plays_to_full_marks_along_its_best_path(
    db, client, make_user, shipped, shipped_tree, player, locale
):
    shipped(*SHIPPED)
    hire = make_user(locale=locale)
    login_as(client, hire)
    reply = (
        "我先确认一下您的顾虑，再说说我们能为您做什么。"
        if locale == "zh_CN"
        else ("Let me check I understood your concern, then tell you what we can do about it.")
    )
    for slug in SHIPPED:
        scenario = shipped_tree.scenarios[slug]
        maxima = compute_maxima(scenario)
        game = player(client, slug)
        game.start()
        for node_id, choice in maxima.best_path[:-1]:
            assert game.state()[0] == node_id
            if choice is None:
                game.write(reply)
            else:
                game.choose(choice)
        page = game.page()
        run = db.session.get(ScenarioRun, game.run_id)
        assert (run.status, run.score, run.passed, run.end_kind) == (
            "finished",
            100.0,
            True,
            "success",
        ), slug
        assert ("成功" if locale == "zh_CN" else "Success") in page
    assert db.session.scalar(sa.select(sa.func.count(ScenarioRun.id))) == len(SHIPPED)
