"""The shipped curriculum: valid, bilingual, complete, and covering every skill."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from lms.content.loader import load_tree
from lms.content.model import ContentTree, Scenario, Text

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ("en", "zh-CN")
OBJECTION_DRILLS = {
    "price-too-high",
    "happy-with-current-supplier",
    "no-budget-this-year",
    "send-me-information",
    "need-to-think-about-it",
    "bad-timing",
    "not-the-decision-maker",
    "competitor-is-cheaper",
}
TIME_DRILLS = {"urgent-request-wrecks-plan", "everything-is-urgent"}
MANAGER_DRILLS = {
    "activity-dropped-one-on-one",
    "standup-drifts",
    "incentive-conversation",
    "top-seller-games-the-rules",
    "probation-review",
}
DEAL_DRILLS = {
    "procurement-squeeze",
    "discount-walk-away",
    "qualify-or-walk",
    "champion-and-committee",
    "friday-pipeline-review",
}
# Skills measured by recall questions only (what a term or a standard is); no drill scores them.
RECALL_SKILLS = {"execution-knowledge"}
COURSES = {
    "execution-foundations",
    "goals-and-plans",
    "time-management",
    "sales-process",
    "leading-execution",
}


@cache
def tree() -> ContentTree:
    result = load_tree([ROOT / "courses", ROOT / "scenarios"])
    assert result.ok, "\n".join(str(error) for error in result.errors)
    return result.tree


def test_every_shipped_file_validates():
    assert tree().framework is not None


def _texts(obj, place: str = ""):
    """Every Text inside a content object, with its place."""
    if isinstance(obj, Text):
        yield place, obj
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield from _texts(value, f"{place}.{key}")
    elif isinstance(obj, tuple | list):
        for index, value in enumerate(obj):
            yield from _texts(value, f"{place}[{index}]")
    elif hasattr(obj, "__dataclass_fields__"):
        for name in obj.__dataclass_fields__:
            yield from _texts(getattr(obj, name), f"{place}.{name}")


def test_every_text_exists_in_english_and_simplified_chinese():
    content = tree()
    missing = []
    for kind in ("courses", "lessons", "quizzes", "scenarios", "paths"):
        for object_id, obj in getattr(content, kind).items():
            for place, text in _texts(obj):
                for locale in LOCALES:
                    if not text.values.get(locale, "").strip():
                        missing.append(f"{kind}/{object_id}{place}: no {locale}")
    for place, text in _texts(content.framework):
        for locale in LOCALES:
            if not text.values.get(locale, "").strip():
                missing.append(f"skills{place}: no {locale}")
    assert not missing, "\n".join(missing[:30])


def test_chinese_texts_are_chinese():
    han = re.compile(r"[\u4e00-\u9fff]")
    content = tree()
    not_chinese = [
        f"{kind}/{object_id}{place}"
        for kind in ("courses", "lessons", "quizzes", "scenarios", "paths")
        for object_id, obj in getattr(content, kind).items()
        for place, text in _texts(obj)
        if "zh-CN" in text.values
        and not han.search(text.values["zh-CN"])
        and len(text.values["zh-CN"]) > 12
    ]
    assert not not_chinese, not_chinese[:20]


def test_the_skill_framework_has_10_to_20_grouped_skills_with_descriptions():
    framework = tree().framework
    assert 10 <= len(framework.skills) <= 20
    assert all(skill.group and skill.description for skill in framework.skills)
    assert len({skill.group for skill in framework.skills}) >= 4


def test_courses_lessons_and_quizzes_have_the_required_shape():
    content = tree()
    assert COURSES <= set(content.courses)
    for course_id in COURSES:
        lessons = content.lessons_of(course_id)
        quizzes = content.quizzes_of(course_id)
        minimum_lessons = 5 if course_id == "time-management" else 3
        assert minimum_lessons <= len(lessons) <= 6, course_id
        assert len(quizzes) >= (2 if course_id == "time-management" else 1), course_id
        for lesson in lessons:
            words = len(lesson.body.values["en"].split())
            assert 400 <= words <= 900, f"{lesson.id}: {words} words"
        for quiz in quizzes:
            shown = quiz.draw or len(quiz.questions)
            assert 8 <= shown <= 14, quiz.id
            if quiz.draw:
                assert len(quiz.questions) * 2 >= quiz.draw * 3, f"{quiz.id}: pool too small"
            assert {q.kind for q in quiz.questions} == {"single", "multiple", "true-false"}, quiz.id
            for question in quiz.questions:
                assert question.skills and question.explanation, f"{quiz.id}.{question.id}"


def test_every_skill_is_assessed_by_three_quiz_questions_and_a_drill():
    content = tree()
    questions = Counter(
        skill
        for quiz in content.quizzes.values()
        for question in quiz.questions
        for skill in question.skills
    )
    drilled = {
        skill
        for scenario in content.scenarios.values()
        for node in scenario.nodes.values()
        for skill in [*(s for c in node.choices for s in c.points), *(r.skill for r in node.rubric)]
    }
    for skill in content.framework.skill_ids:
        assert questions[skill] >= 3, f"{skill}: {questions[skill]} quiz questions"
        if skill not in RECALL_SKILLS:
            assert skill in drilled, f"{skill}: no drill scores it"


def _reachable_ends(scenario: Scenario) -> set[str]:
    seen, stack, ends = set(), [scenario.start], set()
    while stack:
        node = scenario.nodes[stack.pop()]
        if node.id in seen:
            continue
        seen.add(node.id)
        if node.kind == "end":
            ends.add(node.end)
        stack.extend(node.successors)
    return ends


def test_the_drills_cover_the_required_situations():
    scenarios = tree().scenarios
    assert len(scenarios) >= 12
    assert OBJECTION_DRILLS | TIME_DRILLS | MANAGER_DRILLS | DEAL_DRILLS <= set(scenarios)
    with_open_node = [
        s for s in scenarios.values() if any(n.kind == "open" for n in s.nodes.values())
    ]
    assert len(with_open_node) >= 3


@pytest.mark.parametrize(
    "scenario_id", sorted(OBJECTION_DRILLS | TIME_DRILLS | MANAGER_DRILLS | DEAL_DRILLS)
)
def test_each_drill_is_realistic_and_complete(scenario_id):
    scenario = tree().scenarios[scenario_id]
    assert 8 <= len(scenario.nodes) <= 15
    assert scenario.persona and scenario.persona.context and scenario.persona.role
    ends = _reachable_ends(scenario)
    assert "success" in ends and ends & {"fail", "partial"}
    choices = [c for node in scenario.nodes.values() for c in node.choices]
    assert all(choice.feedback for choice in choices), "every choice has feedback"
    assert all(choice.points for choice in choices), "every choice is scored"
    assert max(len(node.choices) for node in scenario.nodes.values()) >= 3


def test_paths_resolve_and_targets_rise():
    content = tree()
    rep = content.paths["new-sales-rep"]
    assert [phase.until_day for phase in rep.phases] == [30, 60, 90]
    checkins = {item.day for item in rep.items if item.kind == "checkin"}
    assert checkins == {30, 60, 90}
    assert sum(1 for item in rep.items if item.kind == "task") >= 3
    for earlier, later in zip(rep.phases, rep.phases[1:], strict=False):
        for skill, target in earlier.targets.items():
            assert later.targets.get(skill, 0) >= target, f"{skill} falls after {earlier.id}"
    manager = content.paths["new-sales-manager"]
    assert [phase.until_day for phase in manager.phases] == [30, 60, 90]
    assert {item.day for item in manager.items if item.kind == "checkin"} == {30, 60, 90}
    for earlier, later in zip(manager.phases, manager.phases[1:], strict=False):
        for skill, target in earlier.targets.items():
            assert later.targets.get(skill, 0) >= target, f"{skill} falls after {earlier.id}"
    leadership = {s.id for s in content.framework.skills if s.group == "leadership"}
    assert {"coaching", "team-rhythm", "performance-conversations", "hiring"} <= leadership
    assert leadership <= set(manager.phases[-1].targets)
    kinds = {
        "course": content.courses,
        "lesson": content.lessons,
        "quiz": content.quizzes,
        "scenario": content.scenarios,
    }
    for path in content.paths.values():
        for item in path.items:
            if item.kind in kinds:
                assert item.ref in kinds[item.kind], f"{path.id}.{item.id} -> {item.ref}"


def test_the_glossary_fixes_the_terms():
    glossary = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    for skill in tree().framework.skills:
        assert skill.name.values["en"] in glossary and skill.name.values["zh-CN"] in glossary


def _paths_to(scenario: Scenario, end_kind: str) -> list[list[str]]:
    """Every path of node ids from the start to an end node of `end_kind`."""
    found, stack = [], [[scenario.start]]
    while stack:
        path = stack.pop()
        node = scenario.nodes[path[-1]]
        if node.kind == "end":
            if node.end == end_kind:
                found.append(path)
            continue
        stack.extend(path + [successor] for successor in node.successors)
    return found


def test_the_qualification_drill_ends_well_only_when_the_rep_disqualifies():
    scenario = tree().scenarios["qualify-or-walk"]
    successes = _paths_to(scenario, "success")
    assert successes
    assert all("park" in path for path in successes)
