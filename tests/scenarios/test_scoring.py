"""Scoring exactly as content-format.md says, on a drill scored by hand (see conftest.LAB)."""

from __future__ import annotations

import pytest

from lms.content.documents import from_document
from lms.scenarios.scoring import compute_maxima, path_points, score_run
from tests.scenarios.conftest import lab_document

OH, ND, CL, PR = "objection-handling", "needs-discovery", "closing", "presenting"


@pytest.fixture(scope="module")
def lab():
    return from_document("scenario", lab_document())


@pytest.fixture(scope="module")
def maxima(lab):
    return compute_maxima(lab)


def points_of(lab, path):
    """Points along a path given as (node, choice index) pairs."""
    collected = []
    for node_id, index in path:
        node = lab.nodes[node_id]
        if index is not None:
            collected.append(node.choices[index].points)
    return path_points(collected)


def test_maxima_per_skill_come_from_different_paths(maxima):
    assert maxima.per_skill == {OH: 3.0, ND: 3.0, CL: 3.0, PR: 0.0}
    assert maxima.total == 4.0
    assert maxima.path_count == 6


def test_the_best_path_prefers_a_success_ending_and_fewer_steps_among_equal_totals(maxima):
    assert maxima.best_path == (("opening", 0), ("pitch", 0), ("won", None))


@pytest.mark.parametrize(
    "path, end, expected_points, score, evidence, passed",
    [
        # P1: oh 2, nd -1 (floored to 0), cl 3 of 3
        (
            [("opening", 0), ("pitch", 0)],
            "success",
            {OH: 2, ND: -1, CL: 3},
            100.0,
            {OH: 2 / 3, ND: 0.0, CL: 1.0},
            True,
        ),
        # P2: through the open node; 2 of 4 points is 50 %, below the pass score of 70
        (
            [("opening", 0), ("pitch", 1), ("reflect", None)],
            "success",
            {OH: 3, ND: -1},
            50.0,
            {OH: 1.0, ND: 0.0, CL: 0.0},
            False,
        ),
        # P3: a skill only on some paths (closing) gets 0 here, not nothing
        (
            [("opening", 1), ("probe", 0), ("reflect", None)],
            "success",
            {ND: 3, OH: 1},
            100.0,
            {OH: 1 / 3, ND: 1.0, CL: 0.0},
            True,
        ),
        # P4: a negative total scores 0, never below
        (
            [("opening", 1), ("probe", 1)],
            "partial",
            {ND: -1},
            0.0,
            {OH: 0.0, ND: 0.0, CL: 0.0},
            False,
        ),
        # P5
        ([("opening", 2)], "fail", {OH: -2}, 0.0, {OH: 0.0, ND: 0.0, CL: 0.0}, False),
        # P6: full marks but a fail ending does not pass
        (
            [("opening", 1), ("probe", 2)],
            "fail",
            {ND: 3, OH: 1},
            100.0,
            {OH: 1 / 3, ND: 1.0, CL: 0.0},
            False,
        ),
    ],
)
def test_runs_score_by_hand(lab, maxima, path, end, expected_points, score, evidence, passed):
    points = points_of(lab, path)
    assert points == {skill: float(value) for skill, value in expected_points.items()}
    outcome = score_run(maxima, points, end, lab.pass_score)
    assert outcome.score == pytest.approx(score)
    assert outcome.evidence == pytest.approx(evidence)
    assert PR not in outcome.evidence  # a skill whose maximum is 0 gets no evidence
    assert outcome.passed is passed
    assert outcome.end == end


def test_pass_score_is_reached_exactly(maxima):
    outcome = score_run(maxima, {OH: 2.8}, "partial", 70)
    assert outcome.score == pytest.approx(70.0)
    assert outcome.passed is True
    assert score_run(maxima, {OH: 2.79}, "partial", 70).passed is False


def test_a_drill_with_nothing_to_earn_is_decided_by_its_ending():
    doc = lab_document()
    for node in doc["nodes"].values():
        for choice in node.get("choices", ()):
            choice["points"] = {OH: -1}
    scenario = from_document("scenario", doc)
    maxima = compute_maxima(scenario)
    assert maxima.total == -1.0  # the shortest way through costs least
    assert maxima.per_skill[OH] == -1.0
    outcome = score_run(maxima, {OH: -2}, "success", 70)
    assert outcome.score == 100.0 and outcome.passed and outcome.evidence == {}
    assert score_run(maxima, {OH: -1}, "fail", 70).passed is False


def wide_scenario(layers: int, width: int) -> dict:
    """A drill of `layers` choice nodes with `width` choices each, all leading on: width**layers
    paths, far too many to enumerate."""
    nodes = {}
    for layer in range(layers):
        nodes[f"n{layer}"] = {
            "say": f"Layer {layer}",
            "choices": [
                {
                    "text": f"Choice {c}",
                    "next": f"n{layer + 1}" if layer + 1 < layers else "end",
                    "points": {OH: c - 1, ND: (width - c) % 3},
                }
                for c in range(width)
            ],
        }
    nodes["end"] = {"say": "Done", "end": "success"}
    return lab_document(nodes=nodes, start="n0", skills=[OH, ND])


def test_maxima_on_a_graph_with_astronomically_many_paths():
    scenario = from_document("scenario", wide_scenario(layers=40, width=6))
    maxima = compute_maxima(scenario)
    assert maxima.path_count == 6**40
    # Each layer: oh at most 4 (c=5), nd at most 2 (c=0 or 3); total at most max(c-1+(6-c)%3)
    assert maxima.per_skill == {OH: 160.0, ND: 80.0}
    best_per_layer = max(c - 1 + (6 - c) % 3 for c in range(6))
    assert maxima.total == 40.0 * best_per_layer
    assert len(maxima.best_path) == 41


def test_maxima_survive_json(maxima):
    from lms.scenarios.scoring import Maxima

    assert Maxima.from_json(maxima.as_json()) == maxima
