"""The order of a drill's replies gives nothing away: each run shows them in its own order (the
same on a reload), the page posts positions rather than the file's indices, and strategies that
do not read the customer ("always the first reply", "always the longest reply") played through
the real player do no better than chance."""

from __future__ import annotations

import math
import random
import re
from fractions import Fraction

import pytest
from markupsafe import escape

from lms.content.model import Scenario
from lms.scenarios import services
from lms.scenarios.models import ScenarioRun
from lms.scenarios.ordering import choice_index, choice_order
from lms.scenarios.scoring import compute_maxima, path_points, score_run
from tests.helpers import login_as
from tests.scenarios.conftest import lab_document
from tests.scenarios.test_shipped import SHIPPED

RUNS = 20
BUTTON_RE = re.compile(r'<button type="submit" name="choice" value="(\d+)" class="choice">')
WRITTEN = "I hear you. Could you tell me more about what matters most to you here?"


@pytest.fixture
def seeds(monkeypatch):
    """Runs get seeds from a fixed sequence, so every order below is reproducible."""
    rng = random.Random(20261205)
    monkeypatch.setattr(services, "new_seed", lambda: rng.randrange(2**31))


def shown_values(html: str) -> list[str]:
    return BUTTON_RE.findall(html)


def best_choice(scenario: Scenario, node_id: str) -> int:
    """The reply of `node_id` on the path with the most points."""
    maxima = compute_maxima(scenario)
    return dict(maxima.best_path)[node_id]


@pytest.mark.parametrize("slug", SHIPPED)
def test_the_best_reply_moves_between_runs_and_stays_put_on_reload(
    db, client, make_user, shipped, shipped_tree, player, seeds, slug
):
    shipped(slug)
    scenario = shipped_tree.scenarios[slug]
    start = scenario.nodes[scenario.start]
    best = best_choice(scenario, scenario.start)
    login_as(client, make_user())
    positions = []
    for _ in range(RUNS):
        game = player(client, slug)
        game.start()
        html = game.page()
        # The form posts positions 0..n-1 in page order: nothing of the file's order.
        assert shown_values(html) == [str(i) for i in range(len(start.choices))]
        assert shown_values(game.page()) == shown_values(html)  # a reload: the same order
        order = game.order(scenario.start)
        texts = [start.choices[i].text.get("en") for i in order]
        found = [html.index(str(escape(text))) for text in texts]
        assert found == sorted(found), "the page shows the replies in the run's order"
        positions.append(order.index(best))
        client.post(f"/scenarios/{slug}/runs/{game.run_id}/abandon")
    counts = [positions.count(p) for p in range(len(start.choices))]
    assert all(count > 0 for count in counts), (slug, counts)
    assert max(counts) <= RUNS * 0.6, (slug, counts)


def test_a_pinned_node_keeps_the_file_order(db, publish):
    document = lab_document()
    document["nodes"]["opening"]["fixed_order"] = True
    version = publish(document)
    scenario = services.scenario_of(version)
    for seed in range(10):
        assert choice_order(seed, scenario.nodes["opening"]) == [0, 1, 2]
    assert {tuple(choice_order(seed, scenario.nodes["pitch"])) for seed in range(10)} == {
        (0, 1),
        (1, 0),
    }


def test_a_shown_position_maps_back_to_the_file_and_nonsense_is_left_for_refusal(lab):
    scenario = services.scenario_of(lab)
    node = scenario.nodes["opening"]
    order = choice_order(7, node)
    assert [choice_index(7, node, str(shown)) for shown in range(3)] == [str(i) for i in order]
    for hostile in ["", "3", "-1", "x", "9" * 30]:
        assert choice_index(7, node, hostile) == hostile.strip()


def test_a_run_started_before_seeds_existed_uses_its_id(db, make_user, lab):
    run, _ = services.start_run(make_user(), lab, now=services.utcnow())
    run.order_seed = None
    db.session.flush()
    assert run.seed == run.id


# --- strategies that do not read the customer -------------------------------------------------


def chance_of_passing(scenario: Scenario) -> Fraction:
    """The exact probability that picking replies uniformly at random passes the drill."""
    maxima = compute_maxima(scenario)

    def walk(node_id: str, points: list[dict]) -> Fraction:
        node = scenario.nodes[node_id]
        if node.kind == "end":
            outcome = score_run(maxima, path_points(points), node.end, scenario.pass_score)
            return Fraction(int(outcome.passed))
        if node.kind == "open":
            return walk(node.next, points)
        share = Fraction(1, len(node.choices))
        return sum(
            (share * walk(choice.next, points + [choice.points]) for choice in node.choices),
            Fraction(0),
        )

    return walk(scenario.start, [])


def play_through_the_pages(client, player, scenario: Scenario, pick) -> ScenarioRun:
    """One run played as a browser without JavaScript: `pick(texts)` chooses a shown position."""
    game = player(client, scenario.id)
    game.start()
    for _ in range(len(scenario.nodes)):
        html = game.page()
        node_id, step = game.state()
        node = scenario.nodes[node_id]
        if node.kind == "end":
            break
        if node.kind == "open":
            game.answer(node=node_id, step=step, reply=WRITTEN)
            continue
        order = game.order(node_id)
        assert len(shown_values(html)) == len(order)
        texts = [node.choices[i].text.get("en") for i in order]
        shown = pick(texts)
        response = game.answer(node=node_id, step=step, choice=str(shown))
        assert response.status_code == 302
    return game.run_id


def always_first(texts: list[str]) -> int:
    return 0


def always_longest(texts: list[str]) -> int:
    return max(range(len(texts)), key=lambda i: len(texts[i]))


def upper_bound(runs: int, p: float) -> float:
    """A generous bound on the passes of `runs` random runs that pass with probability p:
    the mean plus four standard deviations, plus one."""
    return runs * p + 4 * math.sqrt(runs * p * (1 - p)) + 1


def test_always_the_first_reply_does_no_better_than_chance(
    db, client, make_user, shipped, shipped_tree, player, seeds
):
    shipped(*SHIPPED)
    login_as(client, make_user())
    runs_per_drill = 10
    passes: dict[str, int] = {}
    expected = 0.0
    for slug in SHIPPED:
        scenario = shipped_tree.scenarios[slug]
        passes[slug] = 0
        for _ in range(runs_per_drill):
            run_id = play_through_the_pages(client, player, scenario, always_first)
            run = db.session.get(ScenarioRun, run_id)
            db.session.refresh(run)
            assert run.is_finished, slug
            passes[slug] += int(run.passed)
        chance = float(chance_of_passing(scenario))
        expected += chance
        assert passes[slug] <= upper_bound(runs_per_drill, chance), (slug, passes[slug], chance)
    total = sum(passes.values())
    runs = runs_per_drill * len(SHIPPED)
    assert total <= upper_bound(runs, expected / len(SHIPPED)), passes
    # Before replies were shuffled the first reply was always the best: every run passed.
    assert total < runs


def test_always_the_longest_reply_passes_no_drill(
    db, client, make_user, shipped, shipped_tree, player, seeds
):
    shipped(*SHIPPED)
    login_as(client, make_user())
    passed = []
    for slug in SHIPPED:
        run_id = play_through_the_pages(
            client, player, shipped_tree.scenarios[slug], always_longest
        )
        run = db.session.get(ScenarioRun, run_id)
        db.session.refresh(run)
        assert run.is_finished, slug
        if run.passed:
            passed.append(slug)
    assert passed == []
