"""A radar chart of target against current mastery, computed here and drawn as inline SVG by the
template (no script, no external library). Values are on the 0..100 scale."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from lms.skills.services import SkillRow

RINGS = (25, 50, 75, 100)


@dataclass(frozen=True)
class Axis:
    label: str
    x: float  # end of the axis line
    y: float
    label_x: float
    label_y: float
    anchor: str  # start | middle | end
    is_assessed: bool


@dataclass(frozen=True)
class Radar:
    width: int
    height: int
    center_x: float
    center_y: float
    axes: list[Axis]
    rings: list[str]  # polygon points per ring
    current: str  # polygon points
    target: str | None
    current_points: list[tuple[float, float]]


def _point(
    center: tuple[float, float], radius: float, angle: float, value: float
) -> tuple[float, float]:
    r = radius * max(0.0, min(100.0, value)) / 100.0
    return (round(center[0] + r * math.cos(angle), 2), round(center[1] + r * math.sin(angle), 2))


def _points(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x},{y}" for x, y in points)


def radar(
    rows: Sequence[SkillRow], locale: str, *, size: int = 400, label_room: int = 140
) -> Radar | None:
    """The chart of `rows`, or None for fewer than three skills (the table says it all).
    `label_room` is the space left and right of the circle for the skill names."""
    if len(rows) < 3:
        return None
    width = size + 2 * label_room
    center = (width / 2, size / 2)
    radius = size / 2 - 40
    count = len(rows)
    angles = [-math.pi / 2 + 2 * math.pi * i / count for i in range(count)]
    axes = []
    current = []
    target = []
    for row, angle in zip(rows, angles, strict=True):
        end = _point(center, radius, angle, 100)
        lx, ly = _point(center, radius + 16, angle, 100)
        cos = math.cos(angle)
        anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
        axes.append(
            Axis(row.title(locale), end[0], end[1], lx, ly, anchor, row.state.value is not None)
        )
        current.append(_point(center, radius, angle, row.state.value or 0.0))
        target.append(_point(center, radius, angle, row.target or 0.0))
    rings = [_points([_point(center, radius, angle, ring) for angle in angles]) for ring in RINGS]
    has_targets = any(row.target is not None for row in rows)
    return Radar(
        width=width,
        height=size,
        center_x=center[0],
        center_y=center[1],
        axes=axes,
        rings=rings,
        current=_points(current),
        target=_points(target) if has_targets else None,
        current_points=current,
    )
