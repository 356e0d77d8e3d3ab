"""The 30-day chart of /plan/history, computed here and drawn as inline SVG by the template: one
bar per day for plan completion (reviewed days), a mark for days planned but not reviewed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from lms.planning.models import ExecutionDay

WIDTH = 600
HEIGHT = 160
TOP = 10
BOTTOM = 20


@dataclass(frozen=True)
class DayBar:
    day: date
    x: float
    width: float
    y: float
    height: float
    state: str  # reviewed | planned | none | weekend
    value: float | None


def target_y(target: float) -> float:
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - target), 1)


def day_bars(rows: Sequence[ExecutionDay], first: date, last: date) -> list[DayBar]:
    by_day = {row.day: row for row in rows}
    count = (last - first).days + 1
    slot = WIDTH / count
    plot = HEIGHT - TOP - BOTTOM
    bars = []
    for index in range(count):
        day = first + timedelta(days=index)
        row = by_day.get(day)
        value = None
        if row is not None and row.is_reviewed and row.priorities:
            value = row.done_points / row.priorities
            state = "reviewed"
        elif row is not None and row.is_planned:
            state = "planned"
        else:
            state = "weekend" if day.weekday() >= 5 else "none"
        height = plot * value if value is not None else (4 if state == "planned" else 0)
        bars.append(
            DayBar(
                day=day,
                x=round(index * slot + 2, 1),
                width=round(slot - 4, 1),
                y=round(TOP + plot - height, 1),
                height=round(height, 1),
                state=state,
                value=value,
            )
        )
    return bars
