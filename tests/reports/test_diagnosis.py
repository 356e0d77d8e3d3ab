"""The quadrant on a table of designed hires: high/low ability x high/low willingness, and too
little evidence for either."""

from __future__ import annotations

import pytest

from lms.content.model import Text
from lms.onboarding.status import TargetStatus
from lms.people.models import User
from lms.planning.measures import Willingness
from lms.reports.diagnosis import (
    Quadrant,
    ability_from,
    ability_score,
    classify,
    diagnose,
)
from lms.skills.mastery import MasteryState


def target(skill: str, goal: float, value: float | None, count: int = 3) -> TargetStatus:
    state = MasteryState(
        value=value, count=count if value is not None else 1, trend=None, last_at=None
    )
    return TargetStatus(skill, Text({"en": skill.title()}), goal, state)


def will(score: int, **parts: float) -> Willingness:
    parts = parts or {"completion": 1.0, "reviews": 1.0}
    return Willingness(score, parts, {name: 1 / len(parts) for name in parts}, 10)


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([(50, 50.0), (40, 40.0)], 100),  # both at target
        ([(50, 25.0), (40, 40.0)], 75),  # (0.5 + 1) / 2
        ([(50, 80.0), (40, 20.0)], 75),  # above target counts as 1
        ([(50, 30.0), (40, None)], 60),  # one of two assessed is enough (half)
        ([(50, None), (40, None)], None),  # nothing assessed
        ([(50, 30.0), (40, None), (60, None)], None),  # 1 of 3 < half
        ([], None),  # no targets: no ability
    ],
)
def test_ability_from_targets(pairs, expected):
    assert ability_from(pairs) == expected


@pytest.mark.parametrize(
    ("ability", "willingness", "quadrant"),
    [
        (90, 85, Quadrant.ON_TRACK),
        (80, 55, Quadrant.ON_TRACK),  # the cut-offs are inclusive
        (79, 85, Quadrant.CANNOT),
        (95, 54, Quadrant.WILL_NOT),
        (40, 30, Quadrant.BOTH),
        (None, 90, Quadrant.NOT_ENOUGH),
        (90, None, Quadrant.NOT_ENOUGH),
        (None, None, Quadrant.NOT_ENOUGH),
    ],
)
def test_classify(ability, willingness, quadrant):
    assert classify(ability, willingness) is quadrant


class Status:
    """The part of a hire's status the diagnosis reads: the current phase's targets."""

    def __init__(self, targets):
        self.current = type("Phase", (), {"targets": tuple(targets)})()


DESIGNED = [
    # name, targets, willingness, quadrant, action contains
    (
        "able and willing",
        [target("goal", 50, 60.0), target("plan", 40, 45.0)],
        will(90),
        Quadrant.ON_TRACK,
        "Keep going",
    ),
    (
        "cannot",
        [target("goal", 50, 20.0), target("plan", 40, 38.0)],
        will(88),
        Quadrant.CANNOT,
        "Train: train Goal",
    ),
    (
        "will not",
        [target("goal", 50, 55.0), target("plan", 40, 41.0)],
        will(40, completion=0.4, reviews=0.9, timeliness=0.5),
        Quadrant.WILL_NOT,
        "Coach the behaviour: finishing the daily plan",
    ),
    (
        "both",
        [target("goal", 50, 10.0), target("plan", 40, 12.0)],
        will(20, completion=0.2, reviews=0.1),
        Quadrant.BOTH,
        "Intervene now",
    ),
    (
        "too little evidence",
        [target("goal", 50, None), target("plan", 40, None)],
        will(90),
        Quadrant.NOT_ENOUGH,
        "Wait for more evidence",
    ),
    (
        "new hire without willingness",
        [target("goal", 50, 60.0)],
        None,
        Quadrant.NOT_ENOUGH,
        "Wait for more evidence",
    ),
]


@pytest.mark.parametrize(("name", "targets", "willingness", "quadrant", "action"), DESIGNED)
def test_designed_hires(app, name, targets, willingness, quadrant, action):
    person = User(id=1, name=name, email="x@example.com")
    diagnosis = diagnose(person, Status(targets), willingness)
    assert diagnosis.quadrant is quadrant
    assert action in diagnosis.action()
    assert diagnosis.ability == ability_score(targets)
    reasons = " ".join(diagnosis.reasons())
    if diagnosis.ability is not None:
        assert f"Ability {diagnosis.ability} (80 needed)" in reasons
    if willingness is not None:
        assert f"Willingness {willingness.score} (55 needed)" in reasons


def test_the_numbers_behind_a_cannot(app):
    targets = [target("goal", 50, 20.0), target("plan", 40, 38.0)]
    diagnosis = diagnose(User(id=2, name="Ann", email="a@example.com"), Status(targets), will(88))
    # ability = (20/50 + 38/40) / 2 = (0.4 + 0.95) / 2 = 0.675
    assert diagnosis.ability == 68
    assert [gap.skill_id for gap in diagnosis.gaps] == ["goal", "plan"]  # largest gap first
    assert "Goal is at 20 against a target of 50." in diagnosis.reasons()
    assert diagnosis.action("“Setting goals”") == "Train: train Goal with “Setting goals”."


def test_the_behaviour_to_coach_is_the_weakest_part(app):
    targets = [target("goal", 50, 55.0)]
    scores = will(45, completion=0.9, reviews=0.3, timeliness=0.5)
    diagnosis = diagnose(User(id=3, name="Bo", email="b@example.com"), Status(targets), scores)
    assert diagnosis.quadrant is Quadrant.WILL_NOT
    assert diagnosis.weak_parts == [("reviews", 0.3), ("timeliness", 0.5)]
    assert "reviewing every day" in diagnosis.action()
    assert "Daily reviews kept: 30% of its target." in diagnosis.reasons()
