"""How sure a mastery is, and how it got there: per skill, the evidence count, a confidence level
from the spread of the recent evidence, and the mastery after each of the last values (replayed
from the evidence log with the arithmetic of lms.skills.mastery, so the last point is the stored
mastery). See docs/mastery.md, "How sure is a mastery".

    spread     = population standard deviation of the last RECENT values, in points
    confidence = low     fewer than 3 values, or a spread above 25 points
                 medium  fewer than 5 values, or a spread above 12 points
                 high    otherwise
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from lms.extensions import db
from lms.skills.mastery import decay, mastery_weight
from lms.skills.models import Evidence

RECENT = 5
HISTORY = 10
LOW_COUNT, HIGH_COUNT = 3, 5
LOW_SPREAD, HIGH_SPREAD = 25.0, 12.0


@dataclass(frozen=True)
class Confidence:
    count: int
    spread: float | None  # points; None with fewer than two values
    level: str  # low | medium | high


def confidence_of(values: Sequence[float]) -> Confidence:
    """The confidence of a mastery built from `values` (0..1, in time order)."""
    recent = list(values)[-RECENT:]
    spread = statistics.pstdev(recent) * 100.0 if len(recent) >= 2 else None
    count = len(values)
    if count < LOW_COUNT or spread is None or spread > LOW_SPREAD:
        level = "low"
    elif count < HIGH_COUNT or spread > HIGH_SPREAD:
        level = "medium"
    else:
        level = "high"
    return Confidence(count, spread, level)


@dataclass(frozen=True)
class Point:
    at: datetime
    evidence: float  # 0..100, the value recorded
    mastery: float  # 0..100, the mastery after it


@dataclass(frozen=True)
class SkillHistory:
    skill_id: str
    points: list[Point]  # the last HISTORY ones, oldest first
    confidence: Confidence


def histories(
    user_id: int, *, weight: float | None = None, limit: int = HISTORY
) -> dict[str, SkillHistory]:
    """Every skill with evidence of the learner: its last `limit` mastery values with their
    dates, and its confidence; one query."""
    weight = mastery_weight() if weight is None else weight
    rows = db.session.execute(
        sa.select(Evidence.skill_id, Evidence.value, Evidence.at)
        .where(Evidence.user_id == user_id)
        .order_by(Evidence.skill_id, Evidence.at, Evidence.id)
    )
    values: dict[str, list[float]] = {}
    points: dict[str, list[Point]] = {}
    levels: dict[str, float] = {}
    for skill_id, value, at in rows:
        level = decay(levels.get(skill_id), float(value), weight)
        levels[skill_id] = level
        values.setdefault(skill_id, []).append(float(value))
        points.setdefault(skill_id, []).append(Point(at, float(value) * 100.0, level * 100.0))
    return {
        skill_id: SkillHistory(skill_id, found[-limit:], confidence_of(values[skill_id]))
        for skill_id, found in points.items()
    }


# --- a small chart per skill ------------------------------------------------------------------


@dataclass(frozen=True)
class Spark:
    width: int
    height: int
    line: str  # polyline points of the mastery
    dots: list[tuple[float, float, Point]]
    target_y: float | None
    first: Point
    last: Point


def spark(
    history: SkillHistory,
    target: float | None = None,
    *,
    width: int = 260,
    height: int = 72,
    pad: int = 6,
) -> Spark | None:
    """The mastery history drawn as a line over 0..100, or None without points."""
    found = history.points
    if not found:
        return None
    inner_w, inner_h = width - 2 * pad, height - 2 * pad

    def y_of(value: float) -> float:
        return round(pad + inner_h * (1 - max(0.0, min(100.0, value)) / 100.0), 2)

    step = inner_w / (len(found) - 1) if len(found) > 1 else 0.0
    dots = [
        (round(pad + (i * step if len(found) > 1 else inner_w / 2), 2), y_of(p.mastery), p)
        for i, p in enumerate(found)
    ]
    return Spark(
        width=width,
        height=height,
        line=" ".join(f"{x},{y}" for x, y, _p in dots),
        dots=dots,
        target_y=y_of(target) if target is not None else None,
        first=found[0],
        last=found[-1],
    )


def sparks(
    found: Mapping[str, SkillHistory], targets: Mapping[str, float | None]
) -> dict[str, Spark]:
    return {
        skill_id: chart
        for skill_id, history in found.items()
        if (chart := spark(history, targets.get(skill_id))) is not None
    }
