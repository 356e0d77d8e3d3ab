"""The shipped onboarding paths teach before they test: every skill that a quiz or drill item
tests is taught first, by a lesson item or a course item of the same path that is tagged with
that skill and due no later than the quiz or drill."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.content.loader import load_tree
from lms.content.model import ContentTree, PathItem, Phase

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tree() -> ContentTree:
    result = load_tree([ROOT / "courses", ROOT / "scenarios"])
    assert result.ok, "\n".join(str(error) for error in result.errors)
    return result.tree


def due(item: PathItem, phase: Phase) -> int:
    return item.day or item.due_day or phase.until_day


def skills_taught(tree: ContentTree, item: PathItem) -> set[str]:
    """The skills a lesson or course item teaches: the lesson's tags; the course's tags and the
    tags of every lesson in it."""
    if item.kind == "lesson":
        return set(tree.lessons[item.ref].skills)
    if item.kind == "course":
        course = tree.courses[item.ref]
        lessons = (tree.lessons[part.ref] for part in course.items if part.kind == "lesson")
        return set(course.skills).union(*(lesson.skills for lesson in lessons))
    return set()


def skills_tested(tree: ContentTree, item: PathItem) -> set[str]:
    """The skills a quiz item (every question of its pool) or a drill item tests."""
    if item.kind == "quiz":
        return {skill for question in tree.quizzes[item.ref].questions for skill in question.skills}
    if item.kind == "scenario":
        return set(tree.scenarios[item.ref].skills)
    return set()


def untaught(tree: ContentTree, path_id: str) -> list[str]:
    path = tree.paths[path_id]
    dated = [(due(item, phase), item) for phase in path.phases for item in phase.items]
    problems = []
    for day, item in dated:
        taught = set().union(*(skills_taught(tree, other) for when, other in dated if when <= day))
        missing = skills_tested(tree, item) - taught
        if missing:
            problems.append(f"{path_id}.{item.id} (day {day}) tests {sorted(missing)} untaught")
    return problems


@pytest.mark.parametrize("path_id", ["new-sales-rep", "new-sales-manager"])
def test_every_tested_skill_is_taught_first(tree, path_id):
    assert path_id in tree.paths
    assert untaught(tree, path_id) == []


def test_every_quiz_and_drill_of_the_paths_is_checked(tree):
    """The rule has something to check: both paths test skills, and both name single lessons."""
    for path in tree.paths.values():
        kinds = [item.kind for item in path.items]
        assert {"quiz", "scenario", "lesson"} <= set(kinds), path.id
        assert all(
            skills_tested(tree, item) for item in path.items if item.kind in ("quiz", "scenario")
        )


def test_the_rule_catches_a_quiz_before_its_lessons(tree):
    """Moving the time-management quiz to day 2, before any time-management lesson, breaks it."""
    from dataclasses import replace

    rep = tree.paths["new-sales-rep"]
    first = rep.phases[0]
    moved = tuple(
        replace(item, due_day=2) if item.id == "time-priorities-check" else item
        for item in first.items
    )
    broken = replace(rep, phases=(replace(first, items=moved), *rep.phases[1:]))
    paths = {**tree.paths, "new-sales-rep": broken}
    problems = untaught(replace(tree, paths=paths), "new-sales-rep")
    assert problems and problems[0].startswith("new-sales-rep.time-priorities-check (day 2)")
    assert "time-management" in problems[0]


@pytest.mark.parametrize("course_id", ["running-the-team", "winning-the-right-deals"])
def test_the_new_courses_have_bilingual_lessons_of_the_right_length(tree, course_id):
    lessons = tree.lessons_of(course_id)
    assert len(lessons) >= 3
    for lesson in lessons:
        words = len(lesson.body.values["en"].split())
        assert 400 <= words <= 900, f"{lesson.id}: {words} words"
        assert "Try it today" in lesson.body.values["en"], lesson.id
        assert "今天就试试" in lesson.body.values["zh-CN"], lesson.id
