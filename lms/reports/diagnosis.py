"""Ability x willingness: can the hire do the work, and do they do it?

Ability comes from mastery against the targets of the hire's current phase, willingness from
`lms.planning.measures.willingness` (behaviour only). Each hire falls in one of four quadrants,
or "not enough evidence yet" when either score is missing (see docs/reports.md):

    ability      = mean over the phase's target skills with enough evidence of
                   min(1, mastery / target), x 100; missing when fewer than half of those
                   skills (at least one) have enough evidence
    able         = ability >= ABLE_AT           willing = willingness >= WILLING_AT
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.onboarding.status import HireStatus, TargetStatus
from lms.people.models import User
from lms.planning.measures import TARGETS, Willingness, willingness_by_user

ABLE_AT = 80
WILLING_AT = 55
MIN_ASSESSED_SHARE = 0.5
WEAK_PART = 0.7  # a willingness part below this is a behaviour to coach


class Quadrant(enum.StrEnum):
    ON_TRACK = "on_track"
    CANNOT = "cannot"
    WILL_NOT = "will_not"
    BOTH = "both"
    NOT_ENOUGH = "not_enough_evidence"


QUADRANT_LABELS = {
    Quadrant.ON_TRACK: _l("On track"),
    Quadrant.CANNOT: _l("Cannot: train"),
    Quadrant.WILL_NOT: _l("Will not: coach"),
    Quadrant.BOTH: _l("Both: intervene"),
    Quadrant.NOT_ENOUGH: _l("Not enough evidence yet"),
}

PART_LABELS = {
    "completion": _l("plan completion"),
    "reviews": _l("daily reviews kept"),
    "timeliness": _l("timeliness"),
    "resolution": _l("problem resolution"),
}

COACHING = {
    "completion": _l("finishing the daily plan: fewer, realistic priorities, done before new ones"),
    "reviews": _l("reviewing every day: a fixed time for the end-of-day review"),
    "timeliness": _l("starting new work promptly: act on a new item within a day"),
    "resolution": _l("catching up: act on an overdue item the same morning"),
}


def ability_from(pairs: Sequence[tuple[float, float | None]]) -> int | None:
    """The ability score (0-100) from (target, mastery or None) pairs of the phase's target
    skills, or None without enough evidence."""
    assessed = [(target, value) for target, value in pairs if value is not None]
    needed = max(1, math.ceil(len(pairs) * MIN_ASSESSED_SHARE))
    if not pairs or len(assessed) < needed:
        return None
    shares = [min(1.0, value / target) if target > 0 else 1.0 for target, value in assessed]
    return round(100 * sum(shares) / len(shares))


def ability_score(targets: Sequence[TargetStatus]) -> int | None:
    """The ability score of a phase's target statuses (see `ability_from`)."""
    return ability_from([(t.target, t.mastery.value) for t in targets])


def classify(ability: int | None, willingness: int | None) -> Quadrant:
    if ability is None or willingness is None:
        return Quadrant.NOT_ENOUGH
    able, willing = ability >= ABLE_AT, willingness >= WILLING_AT
    if able and willing:
        return Quadrant.ON_TRACK
    if willing:
        return Quadrant.CANNOT
    if able:
        return Quadrant.WILL_NOT
    return Quadrant.BOTH


@dataclass(frozen=True)
class Diagnosis:
    person: User
    status: HireStatus | None
    ability: int | None
    willingness: Willingness | None
    quadrant: Quadrant
    gaps: list[TargetStatus] = field(default_factory=list)  # below target, largest gap first
    weak_parts: list[tuple[str, float]] = field(default_factory=list)  # lowest first

    @property
    def willingness_score(self) -> int | None:
        return None if self.willingness is None else self.willingness.score

    @property
    def label(self) -> str:
        return str(QUADRANT_LABELS[self.quadrant])

    @property
    def train_skill(self) -> TargetStatus | None:
        return self.gaps[0] if self.gaps else None

    @property
    def coach_part(self) -> str | None:
        return self.weak_parts[0][0] if self.weak_parts else None

    def reasons(self) -> list[str]:
        """The numbers that put the hire in the quadrant, in words."""
        lines = []
        if self.ability is None:
            lines.append(
                _("Ability: too few of the phase's target skills have enough evidence yet.")
            )
        else:
            lines.append(
                _(
                    "Ability %(score)d (%(cut)d needed): mastery against the phase's targets.",
                    score=self.ability,
                    cut=ABLE_AT,
                )
            )
            for gap in self.gaps[:3]:
                lines.append(
                    _(
                        "%(skill)s is at %(mastery)d against a target of %(target)d.",
                        skill=gap.name_text,
                        mastery=round(gap.mastery.value or 0),
                        target=round(gap.target),
                    )
                )
        if self.willingness is None:
            lines.append(_("Willingness: fewer than 5 working days to judge from yet."))
        else:
            lines.append(
                _(
                    "Willingness %(score)d (%(cut)d needed) from the last 14 days.",
                    score=self.willingness.score,
                    cut=WILLING_AT,
                )
            )
            for name, value in self.weak_parts[:2]:
                lines.append(
                    _(
                        "%(part)s: %(percent)d%% of its target.",
                        part=str(PART_LABELS[name]).capitalize(),
                        percent=round(100 * value),
                    )
                )
        return lines

    def action(self, lesson: str | None = None) -> str:
        """The suggested action; `lesson` names the lesson or drill to train with, if known."""
        skill = self.train_skill.name_text if self.train_skill else None
        habit = str(COACHING[self.coach_part]) if self.coach_part else None
        train = None
        if skill and lesson:
            train = _("train %(skill)s with %(item)s", skill=skill, item=lesson)
        elif skill:
            train = _("train %(skill)s", skill=skill)
        if self.quadrant is Quadrant.ON_TRACK:
            return _("Keep going: agree a stretch goal at the next check-in.")
        if self.quadrant is Quadrant.CANNOT:
            return _("Train: %(what)s.", what=train or _("practise the phase's skills"))
        if self.quadrant is Quadrant.WILL_NOT:
            return _("Coach the behaviour: %(what)s.", what=habit or _("keeping the daily plan"))
        if self.quadrant is Quadrant.BOTH:
            return _(
                "Intervene now: talk it through, then %(train)s and coach %(habit)s.",
                train=train or _("train the phase's skills"),
                habit=habit or _("the daily plan"),
            )
        return _("Wait for more evidence: quizzes, drills and a week of daily plans.")


def diagnose(person: User, status: HireStatus | None, willingness: Willingness | None) -> Diagnosis:
    targets = list(status.current.targets) if status and status.current else []
    ability = ability_score(targets)
    score = None if willingness is None else willingness.score
    gaps = sorted((t for t in targets if t.is_below), key=lambda t: (-(t.gap or 0.0), t.skill_id))
    weak = []
    if willingness is not None:
        weak = sorted(
            ((name, value) for name, value in willingness.parts.items() if value < WEAK_PART),
            key=lambda pair: (pair[1], pair[0]),
        )
    return Diagnosis(
        person=person,
        status=status,
        ability=ability,
        willingness=willingness,
        quadrant=classify(ability, score),
        gaps=gaps,
        weak_parts=weak,
    )


def diagnose_team(
    rows: Sequence, now: datetime, *, willingness: Mapping[int, Willingness | None] | None = None
) -> list[Diagnosis]:
    """Every row of a team view (person + status) diagnosed; one query for the willingness."""
    people = [row.person for row in rows]
    scores = willingness_by_user(people, now) if willingness is None else willingness
    return [diagnose(row.person, row.status, scores.get(row.person.id)) for row in rows]


def quadrant_counts(diagnoses: Sequence[Diagnosis]) -> dict[Quadrant, int]:
    counts = {quadrant: 0 for quadrant in Quadrant}
    for diagnosis in diagnoses:
        counts[diagnosis.quadrant] += 1
    return counts


@dataclass(frozen=True)
class ChartPoint:
    number: int
    x: float
    y: float
    diagnosis: Diagnosis


CHART_SIZE = 300
CHART_PAD = 30


def chart_points(diagnoses: Sequence[Diagnosis]) -> list[ChartPoint]:
    """Positions of the hires with both scores in the SVG chart (ability across, willingness
    up), numbered as in the table beside it."""
    points = []
    inner = CHART_SIZE - 2 * CHART_PAD
    for number, diagnosis in enumerate(
        (d for d in diagnoses if d.quadrant is not Quadrant.NOT_ENOUGH), start=1
    ):
        x = CHART_PAD + inner * (diagnosis.ability or 0) / 100
        y = CHART_PAD + inner * (1 - (diagnosis.willingness_score or 0) / 100)
        points.append(ChartPoint(number, round(x, 1), round(y, 1), diagnosis))
    return points


def chart_geometry() -> dict:
    inner = CHART_SIZE - 2 * CHART_PAD
    return {
        "size": CHART_SIZE,
        "pad": CHART_PAD,
        "inner": inner,
        "able_x": CHART_PAD + inner * ABLE_AT / 100,
        "willing_y": CHART_PAD + inner * (1 - WILLING_AT / 100),
    }


MEASURE_TARGETS = TARGETS
