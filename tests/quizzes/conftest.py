"""Fixtures of the quiz tests: a framework and quizzes published through the content store."""

from __future__ import annotations

import pytest

from lms.content.model import Choice, Question, Quiz, Text
from lms.content.store import publish
from tests.skills.conftest import small_framework


def t(en: str, zh: str | None = None) -> Text:
    return Text({"en": en, "zh-CN": zh}) if zh else Text({"en": en})


def choices(*spec: tuple[str, bool]) -> tuple[Choice, ...]:
    return tuple(
        Choice(t(text), correct, t(f"Feedback on {text}") if correct else None)
        for text, correct in spec
    )


def sample_questions() -> tuple[Question, ...]:
    return (
        Question(
            "q1",
            "single",
            t("Which goal is **SMART**?", "哪个目标是 **SMART** 的？"),
            {"goal-setting": 1},
            t("Only one has a number and a date.", "只有一个有数字和日期。"),
            choices(
                ("Grow sales", False), ("Sign 20 customers by June", True), ("Try hard", False)
            ),
        ),
        Question(
            "q2",
            "multiple",
            t("Which belong in a plan?"),
            {"planning": 1, "goal-setting": 0.5},
            t("Steps, owners and dates."),
            choices(("Steps", True), ("Owners", True), ("Dates", True), ("Hopes", False)),
        ),
        Question(
            "q3",
            "true-false",
            t("A plan is reviewed weekly."),
            {"planning": 2},
            t("Weekly reviews keep it alive."),
            answer=True,
        ),
        Question(
            "q4",
            "single",
            t("First step with a price objection?"),
            {"objection-handling": 1},
            None,
            choices(("Discount", False), ("Acknowledge", True)),
        ),
    )


def make_quiz(
    slug: str = "basics",
    *,
    questions: tuple[Question, ...] | None = None,
    pass_score: float = 75,
    max_attempts: int = 0,
    shuffle: bool = False,
    draw: int | None = None,
    time_limit_minutes: int | None = None,
    title: str = "Basics check",
) -> Quiz:
    return Quiz(
        slug,
        "basics-course",
        Text({"en": title, "zh-CN": "基础测验"}),
        pass_score,
        questions or sample_questions(),
        "en",
        max_attempts,
        shuffle,
        draw,
        time_limit_minutes,
    )


@pytest.fixture
def framework(db):
    publish(small_framework(), actor=None)
    db.session.commit()


@pytest.fixture
def publish_quiz(db, framework):
    def _publish(quiz: Quiz | None = None, **kwargs):
        result = publish(quiz or make_quiz(**kwargs), actor=None)
        db.session.commit()
        return result.version

    return _publish
