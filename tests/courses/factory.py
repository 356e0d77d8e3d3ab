"""Small courses and lessons for tests, built with the content model and published through the
store, as the importer and the editor do."""

from __future__ import annotations

from lms.content import store
from lms.content.model import (
    Course,
    CourseItem,
    Framework,
    Lesson,
    Module,
    Node,
    Question,
    Quiz,
    Scenario,
    ScenarioChoice,
    Skill,
    Text,
)

SKILLS = (
    Skill("planning", Text({"en": "Planning", "zh-CN": "计划制定"})),
    Skill("closing", Text({"en": "Closing", "zh-CN": "促成签约"})),
    Skill("time-management", Text({"en": "Time management", "zh-CN": "时间管理"})),
)
FRAMEWORK = Framework("sales-execution", Text({"en": "Sales execution skills"}), SKILLS)


def publish_framework() -> Framework:
    store.publish(FRAMEWORK, actor=None)
    return FRAMEWORK


def lesson(
    lesson_id: str,
    course_id: str,
    *,
    title: str | None = None,
    body: str | None = None,
    zh_title: str | None = None,
    zh_body: str | None = None,
    skills: tuple[str, ...] = (),
    minutes: int | None = 5,
    language: str = "en",
) -> Lesson:
    titles = {language: title or f"Lesson {lesson_id}"}
    bodies = {language: body or f"The text of **{lesson_id}**.\n"}
    if zh_body is not None:
        bodies["zh-CN"] = zh_body
        titles["zh-CN"] = zh_title or f"课 {lesson_id}"
    return Lesson(lesson_id, course_id, Text(titles), Text(bodies), skills, minutes, language)


def course(
    course_id: str,
    modules: list[list[tuple[str, str]]],
    *,
    title: str | None = None,
    zh_title: str | None = None,
    summary: str | None = None,
    skills: tuple[str, ...] = (),
    language: str = "en",
) -> Course:
    titles = {language: title or f"Course {course_id}"}
    if zh_title:
        titles["zh-CN"] = zh_title
    return Course(
        course_id,
        Text(titles),
        tuple(
            Module(
                Text({language: f"Module {index + 1}", "zh-CN": f"模块 {index + 1}"}),
                tuple(CourseItem(kind, ref) for kind, ref in items),
            )
            for index, items in enumerate(modules)
        ),
        Text({language: summary}) if summary else None,
        language,
        skills,
    )


def publish(*objects) -> list[store.PublishResult]:
    """Publish the objects (and the test skill framework, so that their skills exist)."""
    publish_framework()
    return [store.publish(obj, actor=None) for obj in objects]


def publish_course(
    course_id: str, lesson_count: int, *, extra: list[tuple[str, str]] = (), **course_args
) -> tuple[Course, list[Lesson]]:
    """A course of `lesson_count` lessons (`<course_id>-l1` ...) in one module, plus `extra`
    items (quizzes, drills) at the end; everything published."""
    lessons = [lesson(f"{course_id}-l{n}", course_id) for n in range(1, lesson_count + 1)]
    items = [("lesson", item.id) for item in lessons] + list(extra)
    made = course(course_id, [items], **course_args)
    publish(*lessons, made)
    return made, lessons


def quiz(quiz_id: str, course_id: str, *, title: str | None = None, pass_score: int = 80) -> Quiz:
    question = Question(
        "q1", "true-false", Text({"en": "Plans need dates."}), {"planning": 1}, answer=True
    )
    return Quiz(
        quiz_id, course_id, Text({"en": title or f"Quiz {quiz_id}"}), pass_score, (question,)
    )


def scenario(scenario_id: str, *, title: str | None = None, pass_score: int = 70) -> Scenario:
    nodes = {
        "opening": Node(
            "opening",
            "choice",
            Text({"en": "Too expensive."}),
            choices=(ScenarioChoice(Text({"en": "Tell me more."}), "won"),),
        ),
        "won": Node("won", "end", Text({"en": "Deal."}), end="success"),
    }
    return Scenario(
        scenario_id, Text({"en": title or f"Drill {scenario_id}"}), pass_score, "opening", nodes
    )


def world_course() -> dict[str, str]:
    """A course with one lesson, for the authorization matrix: ids by name."""
    made = course("world-course", [[("lesson", "world-lesson")]])
    for obj in (lesson("world-lesson", "world-course", minutes=2), made):
        store.publish(obj, actor=None)
    return {"course": "world-course", "lesson": "world-lesson"}
