"""A scenario as a picture: nodes laid out left to right by depth, edges labelled, for an SVG
rendered on the server (`templates/scenarios/_graph.svg.html`).

It works on a raw document too (a draft being edited), so it tolerates what the validator
refuses: an edge to an unknown node is drawn as a dangling stub, a cycle does not loop forever,
unreachable nodes get a column of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

NODE_WIDTH = 156
NODE_HEIGHT = 50
COLUMN_GAP = 70
ROW_GAP = 26
MARGIN = 16
LABEL_CHARS = 20


@dataclass
class GraphNode:
    id: str
    kind: str  # choice | open | end | unknown
    end: str | None
    x: float
    y: float
    label: str
    title: str  # full text for the tooltip
    is_start: bool = False
    is_unreachable: bool = False
    href: str | None = None
    note: str = ""

    @property
    def css(self) -> str:
        return (
            f"graph-node--{self.end}"
            if self.kind == "end" and self.end
            else f"graph-node--{self.kind}"
        )


@dataclass
class GraphEdge:
    source: str
    target: str
    path: str
    label: str
    label_x: float
    label_y: float
    title: str
    tone: str  # good | poor | neutral | dangling
    weight: float = 1.0


@dataclass
class Graph:
    width: float
    height: float
    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[GraphEdge] = field(default_factory=list)


def _kind(raw: Any) -> str:
    if not isinstance(raw, Mapping):
        return "unknown"
    if "end" in raw:
        return "end"
    if raw.get("open"):
        return "open"
    if "choices" in raw:
        return "choice"
    return "unknown"


def _edges_of(raw: Any) -> list[tuple[int | None, Any, Mapping]]:
    """(choice index or None, next, points) of every way out of a raw node."""
    if not isinstance(raw, Mapping):
        return []
    if _kind(raw) == "choice" and isinstance(raw.get("choices"), list):
        out = []
        for index, choice in enumerate(raw["choices"]):
            if isinstance(choice, Mapping):
                points = choice.get("points")
                out.append(
                    (index, choice.get("next"), points if isinstance(points, Mapping) else {})
                )
        return out
    if _kind(raw) == "open":
        return [(None, raw.get("next"), {})]
    return []


def _text(value: Any, locale: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and value:
        found = value.get(locale)
        if isinstance(found, str):
            return found
        for item in value.values():
            if isinstance(item, str):
                return item
    return ""


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _points_label(points: Mapping) -> tuple[str, str, float]:
    numbers = [value for value in points.values() if isinstance(value, int | float)]
    total = float(sum(numbers))
    if not numbers:
        return "", "neutral", 0.0
    shown = f"{total:+g}"
    tone = "good" if total > 0 else "poor" if total < 0 else "neutral"
    return shown, tone, total


def _depths(nodes: Mapping[str, Any], start: str | None) -> dict[str, int]:
    """Longest distance from start (relaxed in BFS order, bounded so a cycle terminates)."""
    depth: dict[str, int] = {}
    if start not in nodes:
        return depth
    depth[start] = 0
    limit = len(nodes)
    queue = [start]
    while queue:
        node_id = queue.pop(0)
        for _, target, _ in _edges_of(nodes[node_id]):
            if not isinstance(target, str) or target not in nodes:
                continue
            candidate = depth[node_id] + 1
            if candidate > depth.get(target, -1) and candidate <= limit:
                depth[target] = candidate
                queue.append(target)
    return depth


EdgeLabel = Callable[[str, int | None, Mapping], tuple[str, str, str, float] | None]


def layout(
    document: Mapping[str, Any],
    *,
    locale: str,
    href: Callable[[str], str] | None = None,
    edge_label: EdgeLabel | None = None,
    node_note: Callable[[str], str] | None = None,
) -> Graph:
    """Positions of the nodes and edges of a scenario document.

    `edge_label(node_id, choice, points)` may replace the points label with its own
    (label, tooltip, tone, weight), e.g. how many learners took the edge."""
    raw_nodes = document.get("nodes")
    nodes: dict[str, Any] = raw_nodes if isinstance(raw_nodes, Mapping) else {}
    start = document.get("start") if isinstance(document.get("start"), str) else None
    depth = _depths(nodes, start)
    unreachable_column = (max(depth.values()) + 1) if depth else 0
    columns: dict[int, list[str]] = {}
    for node_id in nodes:
        columns.setdefault(depth.get(node_id, unreachable_column), []).append(node_id)

    row: dict[str, float] = {}
    for column in sorted(columns):
        members = columns[column]
        if column > 0:
            parents: dict[str, list[float]] = {}
            for source, raw in nodes.items():
                if source not in row:
                    continue
                for _, target, _ in _edges_of(raw):
                    if isinstance(target, str) and target in members:
                        parents.setdefault(target, []).append(row[source])
            order = list(nodes)
            members.sort(
                key=lambda n: (
                    sum(parents[n]) / len(parents[n]) if n in parents else float("inf"),
                    order.index(n),
                )
            )
        for index, node_id in enumerate(members):
            row[node_id] = float(index)

    tallest = max((len(members) for members in columns.values()), default=1)
    height = MARGIN * 2 + tallest * NODE_HEIGHT + (tallest - 1) * ROW_GAP
    graph = Graph(
        width=MARGIN * 2 + len(columns) * NODE_WIDTH + max(len(columns) - 1, 0) * COLUMN_GAP,
        height=height,
    )
    position: dict[str, tuple[float, float]] = {}
    for column_index, column in enumerate(sorted(columns)):
        members = columns[column]
        block = len(members) * NODE_HEIGHT + (len(members) - 1) * ROW_GAP
        top = (height - block) / 2
        for index, node_id in enumerate(members):
            x = MARGIN + column_index * (NODE_WIDTH + COLUMN_GAP)
            y = top + index * (NODE_HEIGHT + ROW_GAP)
            position[node_id] = (x, y)
            raw = nodes[node_id]
            kind = _kind(raw)
            say = _text(raw.get("say"), locale) if isinstance(raw, Mapping) else ""
            graph.nodes.append(
                GraphNode(
                    id=node_id,
                    kind=kind,
                    end=raw.get("end")
                    if kind == "end" and isinstance(raw.get("end"), str)
                    else None,
                    x=x,
                    y=y,
                    label=_short(str(node_id)),
                    title=f"{node_id}: {say}" if say else str(node_id),
                    is_start=node_id == start,
                    is_unreachable=node_id not in depth,
                    href=href(node_id) if href else None,
                    note=node_note(node_id) if node_note else "",
                )
            )

    for source, raw in nodes.items():
        edges = _edges_of(raw)
        by_target: dict[Any, int] = {}
        for _, target, _ in edges:
            by_target[target] = by_target.get(target, 0) + 1
        seen: dict[Any, int] = {}
        placed: list[GraphEdge] = []
        sx, sy = position[source]
        x1, y1 = sx + NODE_WIDTH, sy + NODE_HEIGHT / 2
        for choice, target, points in edges:
            nth = seen.get(target, 0)
            seen[target] = nth + 1
            spread = (nth - (by_target[target] - 1) / 2) * 14
            custom = edge_label(source, choice, points) if edge_label else None
            if custom is not None:
                label, title, tone, weight = custom
            else:
                label, tone, _ = _points_label(points)
                title = ", ".join(
                    f"{skill} {value:+g}"
                    for skill, value in points.items()
                    if isinstance(value, int | float)
                )
                weight = 1.0
            if choice is not None:
                title = f"{source} → {target} (#{choice + 1})" + (f": {title}" if title else "")
            if isinstance(target, str) and target in position:
                tx, ty = position[target]
                x2, y2 = tx, ty + NODE_HEIGHT / 2
                if x2 <= x1:  # a back edge (only in an invalid graph): loop under the nodes
                    low = max(y1, y2) + NODE_HEIGHT
                    path = (
                        f"M{x1:.1f},{y1:.1f} C{x1 + 40:.1f},{low:.1f} "
                        f"{x2 - 40:.1f},{low:.1f} {x2:.1f},{y2:.1f}"
                    )
                    lx, ly = (x1 + x2) / 2, low - 6
                else:
                    bend = (x2 - x1) / 2
                    path = (
                        f"M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} "
                        f"{x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
                    )
                    # Labels sit in the gap right after the source, never under another node.
                    lx = x1 + COLUMN_GAP / 2
                    ly = _bezier_y_at(lx, (x1, y1), (x1 + bend, y1), (x2 - bend, y2), (x2, y2))
                    ly += spread
            else:
                path = f"M{x1:.1f},{y1:.1f} l{COLUMN_GAP / 2:.1f},0"
                lx, ly = x1 + COLUMN_GAP / 2 + 4, y1 + spread
                tone = "dangling"
                label = f"→ {_short(str(target), 12)}" if target else "→ ?"
            placed.append(
                GraphEdge(source, str(target), path, label, lx, ly + 4, title, tone, weight)
            )
        _spread_labels([edge for edge in placed if edge.label])
        graph.edges.extend(placed)
    return graph


def _bezier_y_at(x: float, *points: tuple[float, float]) -> float:
    """The y of a cubic Bezier curve (x monotonic in t) where it crosses `x`, by bisection."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points

    def at(t: float) -> tuple[float, float]:
        u = 1 - t
        return (
            u**3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t**3 * x3,
            u**3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t**3 * y3,
        )

    low, high = 0.0, 1.0
    for _ in range(30):
        middle = (low + high) / 2
        if at(middle)[0] < x:
            low = middle
        else:
            high = middle
    return at((low + high) / 2)[1]


LABEL_SPACING = 14


def _spread_labels(edges: list[GraphEdge]) -> None:
    """Labels of one node's edges at least LABEL_SPACING apart, in the order of their curves."""
    edges.sort(key=lambda edge: edge.label_y)
    for before, after in zip(edges, edges[1:], strict=False):
        if after.label_y - before.label_y < LABEL_SPACING:
            after.label_y = before.label_y + LABEL_SPACING
