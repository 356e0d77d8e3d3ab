"""The graph of a drill: every node placed once, by depth, edges labelled with their points, and
drafts the validator refuses drawn without failing."""

from __future__ import annotations

from lms.scenarios.graph import NODE_HEIGHT, NODE_WIDTH, layout
from tests.scenarios.conftest import lab_document


def test_nodes_are_laid_out_by_depth_without_overlap():
    graph = layout(lab_document(), locale="en")
    by_id = {node.id: node for node in graph.nodes}
    assert set(by_id) == set(lab_document()["nodes"])
    assert by_id["opening"].x < by_id["pitch"].x == by_id["probe"].x < by_id["reflect"].x
    assert by_id["reflect"].x < by_id["won-late"].x  # the longest way in decides the column
    assert by_id["opening"].is_start and by_id["opening"].css == "graph-node--choice"
    assert by_id["walked-out"].css == "graph-node--fail"
    assert by_id["reflect"].css == "graph-node--open"
    boxes = [(n.x, n.y) for n in graph.nodes]
    for i, (x1, y1) in enumerate(boxes):
        for x2, y2 in boxes[i + 1 :]:
            assert abs(x1 - x2) >= NODE_WIDTH or abs(y1 - y2) >= NODE_HEIGHT
    assert all(
        0 <= n.x <= graph.width - NODE_WIDTH and 0 <= n.y <= graph.height for n in graph.nodes
    )


def test_edges_carry_their_points_and_labels_do_not_collide():
    graph = layout(lab_document(), locale="en")
    labels = {(e.source, e.target): (e.label, e.tone) for e in graph.edges}
    assert labels[("opening", "pitch")] == ("+1", "good")
    assert labels[("opening", "lost")] == ("-2", "poor")
    assert labels[("reflect", "won-late")] == ("", "neutral")
    opening = sorted(e.label_y for e in graph.edges if e.source == "opening")
    assert all(b - a >= 14 for a, b in zip(opening, opening[1:], strict=False))


def test_a_broken_draft_is_drawn_anyway():
    doc = lab_document()
    doc["nodes"]["probe"]["choices"][0]["next"] = "opening"  # a cycle
    doc["nodes"]["pitch"]["choices"][0]["next"] = "nowhere"  # a dangling edge
    doc["nodes"]["island"] = {"say": "Nobody gets here", "end": "success"}
    doc["nodes"]["odd"] = "not a node"
    graph = layout(doc, locale="zh-CN")
    by_id = {node.id: node for node in graph.nodes}
    assert by_id["island"].is_unreachable and by_id["odd"].kind == "unknown"
    dangling = [e for e in graph.edges if e.tone == "dangling"]
    assert [e.label for e in dangling] == ["→ nowhere"]
    assert len(graph.nodes) == len(doc["nodes"])


def test_fifteen_nodes_stay_readable():
    nodes = {}
    for layer in range(5):
        for index in range(3):
            node_id = f"n{layer}-{index}"
            if layer == 4:
                nodes[node_id] = {"say": "Bye", "end": "success"}
            else:
                nodes[node_id] = {
                    "say": "Hello",
                    "choices": [
                        {
                            "text": "A",
                            "next": f"n{layer + 1}-{(index + k) % 3}",
                            "points": {"closing": k},
                        }
                        for k in range(3)
                    ],
                }
    doc = lab_document(nodes=nodes, start="n0-0")
    graph = layout(doc, locale="en")
    assert len(graph.nodes) == 15
    assert sorted(n.id for n in graph.nodes if n.is_unreachable) == ["n0-1", "n0-2"]
    assert graph.width < 1400 and graph.height < 320
