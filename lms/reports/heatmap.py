"""The team's skills side by side: hires x skills, each cell the hire's mastery against the
target of the hire's current phase (see docs/reports.md)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from lms.onboarding.pages import FILTERS, TeamRow
from lms.skills.mastery import NOT_ASSESSED, MasteryState, mastery_by_user
from lms.skills.models import Skill
from lms.skills.rounding import shown
from lms.skills.services import live_skills

NEAR_POINTS = 10  # within this many points below target: "near"

# Colour class, symbol and words of each band: the symbol and the words carry the meaning for
# readers who cannot tell the colours apart.
BANDS = {
    "met": ("✓", _l("at or above target")),
    "near": ("–", _l("up to 10 points below target")),
    "below": ("✗", _l("more than 10 points below target")),
    "none": ("·", _l("no target in this phase")),
    "unknown": ("?", _l("not enough evidence")),
}


@dataclass(frozen=True)
class Cell:
    skill_id: str
    state: MasteryState
    target: float | None

    @property
    def value(self) -> float | None:
        return self.state.value

    @property
    def band(self) -> str:
        """The verdict on the number shown (lms.skills.rounding), as on /skills and /onboarding:
        a mastery of 79.7 shows 79 and is below a target of 80 there and here alike."""
        if self.state.value is None:
            return "unknown"
        if self.target is None:
            return "none"
        number = shown(self.state.value, self.target)
        if number >= self.target:
            return "met"
        if number >= self.target - NEAR_POINTS:
            return "near"
        return "below"

    @property
    def symbol(self) -> str:
        return BANDS[self.band][0]


@dataclass(frozen=True)
class HeatRow:
    row: TeamRow
    cells: dict[str, Cell]

    @property
    def person(self):
        return self.row.person

    @property
    def phase_id(self) -> str | None:
        status = self.row.status
        return status.current.id if status is not None and status.current is not None else None


@dataclass(frozen=True)
class Heatmap:
    skills: list[Skill]
    rows: list[HeatRow]
    median: dict[str, float | None]
    phases: list[tuple[str, str]]  # (phase id, title) of the team's current phases
    counts: dict[str, int]


def median_of(values: Sequence[float | None]) -> float | None:
    shown = [value for value in values if value is not None]
    return statistics.median(shown) if shown else None


def targets_of(row: TeamRow) -> dict[str, float]:
    status = row.status
    if status is None or status.current is None:
        return {}
    return {target.skill_id: target.target for target in status.current.targets}


def build_heatmap(
    team_rows: Sequence[TeamRow],
    *,
    phase: str = "",
    sort: str = "",
    reverse: bool = False,
    counts: dict[str, int] | None = None,
) -> Heatmap:
    """The heatmap of some hires (with their statuses): live skills and one mastery query.
    `sort` is a skill id (lowest first, hires without a value last; `reverse`: highest first);
    anything else keeps the given order."""
    skills = live_skills()
    skill_ids = [skill.id for skill in skills]
    states = mastery_by_user([row.person.id for row in team_rows])
    phases: dict[str, str] = {}
    rows = []
    for row in team_rows:
        targets = targets_of(row)
        own = states.get(row.person.id, {})
        cells = {
            skill_id: Cell(skill_id, own.get(skill_id, NOT_ASSESSED), targets.get(skill_id))
            for skill_id in skill_ids
        }
        if row.status is not None and row.status.current is not None:
            phases.setdefault(row.status.current.id, row.status.current.title_text)
        rows.append(HeatRow(row, cells))
    if phase:
        rows = [row for row in rows if row.phase_id == phase]
    if sort in skill_ids:

        def key(row: HeatRow):
            value = row.cells[sort].value
            if value is None:
                return (1, 0.0, row.person.name)
            return (0, -value if reverse else value, row.person.name)

        rows.sort(key=key)
    median = {
        skill_id: median_of([row.cells[skill_id].value for row in rows]) for skill_id in skill_ids
    }
    return Heatmap(
        skills=skills,
        rows=rows,
        median=median,
        phases=sorted(phases.items(), key=lambda pair: pair[1]),
        counts=counts or {},
    )


def team_heatmap(
    manager_id: int,
    on: date,
    *,
    phase: str = "",
    status_filter: str = "all",
    sort: str = "",
    reverse: bool = False,
) -> Heatmap:
    """The heatmap of a manager's team, filtered by phase and status (see `build_heatmap`)."""
    from lms.reports.scope import health_key, team_rows

    rows = team_rows(manager_id, on)
    counts = {name: 0 for name in FILTERS}
    counts["all"] = len(rows)
    for row in rows:
        counts[health_key(row)] += 1
    if status_filter in FILTERS and status_filter != "all":
        rows = [row for row in rows if health_key(row) == status_filter]
    return build_heatmap(rows, phase=phase, sort=sort, reverse=reverse, counts=counts)
