"""Paths used by the onboarding tests, and a helper that publishes them."""

from __future__ import annotations

from lms.content.model import Framework, Path, PathItem, Phase, Skill, Text
from lms.content.store import publish

RULES_PATH = Path(
    id="rep",
    title=Text({"en": "New rep", "zh-CN": "新销售"}),
    phases=(
        Phase(
            id="first-30",
            title=Text({"en": "Days 1-30"}),
            until_day=30,
            targets={"goal-setting": 50},
            items=(
                PathItem("basics", "course", ref="basics", due_day=7),
                PathItem("check", "quiz", ref="check", due_day=10, min_score=80),
                PathItem("drill", "scenario", ref="drill", due_day=14),
                PathItem("shadow", "task", title=Text({"en": "Shadow calls"}), due_day=21),
                PathItem("review-30", "checkin", title=Text({"en": "Day-30 check-in"}), day=30),
            ),
        ),
        Phase(
            id="days-31-60",
            title=Text({"en": "Days 31-60"}),
            until_day=60,
            targets={"goal-setting": 65},
            items=(
                PathItem("pitch", "task", title=Text({"en": "Pitch"}), due_day=45),
                PathItem("review-60", "checkin", title=Text({"en": "Day-60 check-in"}), day=60),
            ),
        ),
    ),
)

FRAMEWORK = Framework(
    id="sales-execution",
    title=Text({"en": "Sales execution"}),
    skills=(
        Skill("goal-setting", Text({"en": "Goal setting", "zh-CN": "目标设定"})),
        Skill("planning", Text({"en": "Planning", "zh-CN": "计划制定"})),
    ),
)

TASK_PATH = Path(
    id="rep",
    title=Text({"en": "New rep", "zh-CN": "新销售"}),
    phases=(
        Phase(
            id="first-30",
            title=Text({"en": "Days 1-30", "zh-CN": "第1-30天"}),
            until_day=30,
            targets={"goal-setting": 50, "planning": 40},
            goals=Text({"en": "Know the **basics**."}),
            items=(
                PathItem(
                    "shadow",
                    "task",
                    title=Text({"en": "Shadow three calls", "zh-CN": "陪同三次拜访"}),
                    description=Text({"en": "Sit in on **three** calls."}),
                    due_day=10,
                ),
                PathItem("crm", "task", title=Text({"en": "Log calls the same day"}), due_day=20),
                PathItem(
                    "review-30",
                    "checkin",
                    title=Text({"en": "Day-30 check-in", "zh-CN": "第30天阶段面谈"}),
                    day=30,
                ),
            ),
        ),
        Phase(
            id="days-31-60",
            title=Text({"en": "Days 31-60"}),
            until_day=60,
            targets={"goal-setting": 65, "planning": 55},
            items=(
                PathItem("pitch", "task", title=Text({"en": "Give the pitch"}), due_day=45),
                PathItem("review-60", "checkin", title=Text({"en": "Day-60 check-in"}), day=60),
            ),
        ),
    ),
)


def publish_path(path: Path = TASK_PATH, *, framework: bool = True):
    """Store the framework and `path` as current content; return the path's version."""
    if framework:
        publish(FRAMEWORK, actor=None)
    return publish(path, actor=None).version
