"""Scoring a drill exactly as content-format.md defines it, with nothing but the scenario graph.

The maxima are computed once per scenario version by dynamic programming over the DAG in reverse
topological order (O(nodes × choices × skills)), never by enumerating paths: a drill with a
handful of choices per node already has hundreds of start-to-end paths.

- For each skill, the largest total of that skill's points on any path from `start` to an end.
  The best paths of different skills may differ; each skill gets its own maximum.
- Overall, the largest total of all points (all skills together) on any path.
- A run's evidence for a skill is its points on the path taken divided by that skill's maximum,
  floored at 0 and capped at 1; a skill whose maximum is 0 or less gets no evidence.
- The score is the path's total divided by the overall maximum, in percent, floored at 0. A drill
  whose overall maximum is 0 or less has nothing to earn and scores 100: its ending decides.
- A run passes when its score reaches `pass_score` and it did not end at a `fail` end.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lms.content.model import Scenario
from lms.scenarios.kinds import Edge, kind_of

# When several paths reach the same total, the best path shown prefers the better ending.
END_RANK = {"success": 2, "partial": 1, "fail": 0}


@dataclass(frozen=True)
class Maxima:
    per_skill: dict[str, float]
    total: float
    #: A path reaching `total`: (node id, choice index or None) for each answered node, then
    #: (end node id, None).
    best_path: tuple[tuple[str, int | None], ...]
    path_count: int

    def as_json(self) -> dict:
        return {
            "per_skill": self.per_skill,
            "total": self.total,
            "best_path": [list(step) for step in self.best_path],
            "path_count": self.path_count,
        }

    @classmethod
    def from_json(cls, data: Mapping) -> Maxima:
        return cls(
            per_skill={skill: float(value) for skill, value in data["per_skill"].items()},
            total=float(data["total"]),
            best_path=tuple((node, choice) for node, choice in data["best_path"]),
            path_count=int(data["path_count"]),
        )


@dataclass(frozen=True)
class Outcome:
    points: dict[str, float]  # per skill, on the path taken
    total: float
    score: float  # percent, 0..100
    evidence: dict[str, float]  # per skill, 0..1
    end: str
    passed: bool


def scenario_skills(scenario: Scenario) -> list[str]:
    """The drill's skills, then any skill that only appears in points (kept in a stable order)."""
    skills = list(scenario.skills)
    for node in scenario.nodes.values():
        for edge in kind_of(node).edges(node):
            for skill in edge.points:
                if skill not in skills:
                    skills.append(skill)
    return skills


def topological_order(scenario: Scenario) -> list[str]:
    """Nodes reachable from start, every node before its successors (iterative DFS)."""
    order: list[str] = []
    seen: set[str] = {scenario.start}
    stack = [(scenario.start, iter(_successors(scenario, scenario.start)))]
    while stack:
        node_id, children = stack[-1]
        for child in children:
            if child not in seen and child in scenario.nodes:
                seen.add(child)
                stack.append((child, iter(_successors(scenario, child))))
                break
        else:
            stack.pop()
            order.append(node_id)
    order.reverse()
    return order


def _successors(scenario: Scenario, node_id: str) -> list[str]:
    node = scenario.nodes[node_id]
    return [edge.next for edge in kind_of(node).edges(node)]


def compute_maxima(scenario: Scenario) -> Maxima:
    """Per-skill and overall maxima over every start-to-end path, and one best path."""
    skills = scenario_skills(scenario)
    order = topological_order(scenario)
    # For each node: the best per-skill totals from here to an end, the best overall total with
    # the rank of its ending and its length, the edge that starts it, and the number of paths.
    best_skill: dict[str, dict[str, float]] = {}
    best_total: dict[str, tuple[float, int, int]] = {}
    best_edge: dict[str, Edge | None] = {}
    paths: dict[str, int] = {}
    for node_id in reversed(order):
        node = scenario.nodes[node_id]
        edges = [edge for edge in kind_of(node).edges(node) if edge.next in best_total]
        if not edges:
            best_skill[node_id] = dict.fromkeys(skills, 0.0)
            best_total[node_id] = (0.0, END_RANK.get(node.end or "", 0), 0)
            best_edge[node_id] = None
            paths[node_id] = 1
            continue
        best_skill[node_id] = {
            skill: max(
                float(edge.points.get(skill, 0)) + best_skill[edge.next][skill] for edge in edges
            )
            for skill in skills
        }
        chosen = None
        chosen_key: tuple[float, int, int] | None = None
        for edge in edges:
            total, rank, length = best_total[edge.next]
            key = (float(sum(edge.points.values())) + total, rank, -(length + 1))
            if chosen_key is None or key > chosen_key:
                chosen, chosen_key = edge, key
        assert chosen is not None and chosen_key is not None
        best_total[node_id] = (chosen_key[0], chosen_key[1], -chosen_key[2])
        best_edge[node_id] = chosen
        paths[node_id] = sum(paths[edge.next] for edge in edges)

    best_path: list[tuple[str, int | None]] = []
    node_id: str | None = scenario.start
    while node_id is not None:
        edge = best_edge[node_id]
        best_path.append((node_id, edge.choice if edge else None))
        node_id = edge.next if edge else None
    return Maxima(
        per_skill=best_skill[scenario.start],
        total=best_total[scenario.start][0],
        best_path=tuple(best_path),
        path_count=paths[scenario.start],
    )


def path_points(points: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """Points per skill summed over the steps of a path."""
    totals: dict[str, float] = {}
    for step_points in points:
        for skill, value in step_points.items():
            totals[skill] = totals.get(skill, 0.0) + float(value)
    return totals


def score_run(maxima: Maxima, points: Mapping[str, float], end: str, pass_score: float) -> Outcome:
    """The outcome of a run that took a path with `points` per skill and stopped at `end`."""
    total = float(sum(points.values()))
    if maxima.total > 0:
        score = max(0.0, total * 100.0 / maxima.total)
    else:
        score = 100.0
    evidence = {
        skill: min(1.0, max(0.0, float(points.get(skill, 0.0)) / maximum))
        for skill, maximum in maxima.per_skill.items()
        if maximum > 0
    }
    passed = score >= float(pass_score) and end != "fail"
    return Outcome(dict(points), total, score, evidence, end, passed)
