"""Checking what a trainer typed with the importer's own rules.

The editor's fields are turned into the documents the importer reads from files (a course.yaml
mapping; a lesson's front matter and body, plus one front matter and body per translation), checked
by `lms.content.validators`, and their references (skills, lessons, quizzes, scenarios) resolved by
the loader against what is stored. The places of the errors (`modules[0].items[2].lesson`) are
mapped back to form fields (`module-0-item-2`). No rule is written twice: this module only adapts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from lms.content import store
from lms.content import validators as v
from lms.content.checks import FileContext
from lms.content.errors import ValidationError
from lms.content.loader import _TreeLoader
from lms.content.model import Course, Framework, Lesson, Text
from lms.content.models import ContentItem, ContentVersion
from lms.extensions import db

GENERAL = "__all__"


@dataclass
class Problems:
    """Errors by form field; `GENERAL` holds those that belong to no single field."""

    by_field: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        messages = self.by_field.setdefault(name, [])
        if message not in messages:
            messages.append(message)

    def get(self, name: str) -> list[str]:
        return self.by_field.get(name, [])

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def __len__(self) -> int:
        return len(self.by_field)

    @property
    def general(self) -> list[str]:
        return self.by_field.get(GENERAL, [])


@dataclass(frozen=True)
class StoredContext:
    """What references in an edited document are resolved against: the stored skills and the
    live lessons, quizzes, scenarios and courses (plus draft lessons a course may list)."""

    skill_ids: frozenset[str]
    lesson_courses: dict[str, str]  # live lesson -> its course
    lesson_languages: dict[str, str]
    quiz_courses: dict[str, str]
    scenario_ids: frozenset[str]
    course_ids: frozenset[str]
    taken: frozenset[tuple[str, str]]  # every stored (kind, slug), live or retired


def stored_context() -> StoredContext:
    """Read the context from the database: a handful of queries that load no lesson body."""
    framework_versions = store.current_versions("framework")
    skills: frozenset[str] = frozenset()
    for version in framework_versions.values():
        framework = store.load(version)
        if isinstance(framework, Framework):
            skills = framework.skill_ids
    rows = db.session.execute(
        sa.select(
            ContentItem.kind,
            ContentItem.slug,
            ContentItem.retired_at,
            ContentVersion.document["course"].as_string(),
            ContentVersion.document["language"].as_string(),
        ).outerjoin(ContentVersion, ContentItem.current_version_id == ContentVersion.id)
    ).all()
    live = [row for row in rows if row.retired_at is None]
    return StoredContext(
        skill_ids=skills,
        lesson_courses={row[1]: row[3] for row in live if row[0] == "lesson"},
        lesson_languages={row[1]: row[4] for row in live if row[0] == "lesson"},
        quiz_courses={row[1]: row[3] for row in live if row[0] == "quiz"},
        scenario_ids=frozenset(row[1] for row in live if row[0] == "scenario"),
        course_ids=frozenset(row[1] for row in live if row[0] == "course"),
        taken=frozenset((row[0], row[1]) for row in rows),
    )


def _loader(context: StoredContext, extra_lessons: Iterable[tuple[str, str]] = ()) -> _TreeLoader:
    loader = _TreeLoader()
    loader.skill_ids = frozenset(context.skill_ids)
    loader.lesson_files = {(course, lesson) for lesson, course in context.lesson_courses.items()}
    loader.lesson_files |= set(extra_lessons)
    loader.quiz_files = {(course, quiz) for quiz, course in context.quiz_courses.items()}
    loader.quiz_ids = set(context.quiz_courses)
    loader.scenario_ids = set(context.scenario_ids)
    loader.course_ids = set(context.course_ids)
    return loader


# --- mapping places to fields -------------------------------------------------------------------

_COURSE_PLACES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), name)
    for pattern, name in (
        (r"^id$", "id"),
        (r"^language$", "language"),
        (r"^(?P<key>title|summary)$", "{key}-{main}"),
        (r"^(?P<key>title|summary)\.(?P<locale>[A-Za-z0-9-]+)$", "{key}-{locale}"),
        (r"^skills(\[\d+\])?$", "skills"),
        (r"^modules$", "modules"),
        (r"^modules\[(?P<m>\d+)\]$", "module-{m}"),
        (r"^modules\[(?P<m>\d+)\]\.title$", "module-{m}-title-{main}"),
        (r"^modules\[(?P<m>\d+)\]\.title\.(?P<locale>[A-Za-z0-9-]+)$", "module-{m}-title-{locale}"),
        (r"^modules\[(?P<m>\d+)\]\.items$", "module-{m}-items"),
        (r"^modules\[(?P<m>\d+)\]\.items\[(?P<i>\d+)\]", "module-{m}-item-{i}"),
    )
)

_LESSON_PLACES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), name)
    for pattern, name in (
        (r"^id$", "id"),
        (r"^title$", "title-{main}"),
        (r"^title\.(?P<locale>[A-Za-z0-9-]+)$", "title-{locale}"),
        (r"^body$", "body-{main}"),
        (r"^skills(\[\d+\])?$", "skills"),
        (r"^minutes$", "minutes"),
    )
)


def field_of(place: str, patterns, main: str) -> str:
    """The form field of a place in a document, or `GENERAL`."""
    for pattern, name in patterns:
        match = pattern.match(place)
        if match:
            return name.format(main=main, **match.groupdict())
    return GENERAL


def _collect(
    errors: list[ValidationError], problems: Problems, patterns, main_by_file: dict[str, str]
) -> None:
    for error in errors:
        main = main_by_file.get(error.file)
        if main is None:
            problems.add(GENERAL, str(error))
            continue
        name = field_of(error.place, patterns, main)
        if name == GENERAL and error.place:
            problems.add(name, f"{error.place}: {error.message}")
        else:
            problems.add(name, error.message)


# --- courses ------------------------------------------------------------------------------------


def check_course(
    document: dict[str, Any],
    context: StoredContext,
    *,
    is_new: bool,
    draft_lessons: Iterable[str] = (),
) -> tuple[Course | None, Problems]:
    """Check a course document (the course.yaml mapping). `draft_lessons` are lessons of this
    course that exist only as drafts and will be published with it."""
    slug = document.get("id") if isinstance(document.get("id"), str) else ""
    loader = _loader(context, ((slug, lesson) for lesson in draft_lessons))
    file = f"courses/{slug}/course.yaml"
    ctx = FileContext(file, loader.errors)
    course = v.check_course(ctx, document, slug, loader.refs)
    if is_new and course is not None and ("course", course.id) in context.taken:
        loader.owners[("course", course.id)] = (
            file if course.id in context.course_ids else "a retired course"
        )
        loader.claim("course", course.id, ctx)
    loader.resolve_references()
    problems = Problems()
    language = document.get("language") if isinstance(document.get("language"), str) else "en"
    _collect(loader.errors, problems, _COURSE_PLACES, {file: language})
    return (None if problems else course), problems


# --- lessons ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LessonFiles:
    """A lesson as the importer reads it: the plain file's front matter and body (in the
    course's language) and one (front matter, body) per translation."""

    front: dict[str, Any]
    body: str
    language: str
    variants: dict[str, tuple[dict[str, Any], str]]


def check_lesson(
    files: LessonFiles,
    lesson_id: str,
    course_id: str,
    context: StoredContext,
    *,
    is_new: bool,
) -> tuple[Lesson | None, Problems]:
    """Check a lesson as its files would be checked on import, in the context of what is
    stored; on success return the lesson with its translations merged."""
    loader = _loader(context)
    folder = f"courses/{course_id}"
    plain_file = f"{folder}/{lesson_id}.md"
    ctx = FileContext(plain_file, loader.errors, language=files.language)
    lesson = v.check_lesson(ctx, files.front, files.body, lesson_id, course_id, loader.refs)
    if is_new and lesson is not None and ("lesson", lesson.id) in context.taken:
        other_course = context.lesson_courses.get(lesson.id)
        loader.owners[("lesson", lesson.id)] = (
            f"courses/{other_course}/{lesson.id}.md" if other_course else "a retired lesson"
        )
        loader.claim("lesson", lesson.id, ctx)
    main_by_file = {plain_file: files.language}
    titles = dict(lesson.title.values) if lesson else {}
    bodies = dict(lesson.body.values) if lesson else {}
    for locale, (front, body) in sorted(files.variants.items()):
        variant_file = f"{folder}/{lesson_id}.{locale}.md"
        main_by_file[variant_file] = locale
        variant_ctx = FileContext(variant_file, loader.errors, language=locale)
        checked = v.check_lesson_variant(variant_ctx, front, body, lesson_id, locale)
        if checked is not None:
            title, variant_body = checked
            if title is not None:
                titles[locale] = title
            bodies[locale] = variant_body
    loader.resolve_references()
    problems = Problems()
    _collect(loader.errors, problems, _LESSON_PLACES, main_by_file)
    if problems or lesson is None:
        return None, problems
    return (
        Lesson(
            lesson.id,
            lesson.course_id,
            Text(titles),
            Text(bodies),
            lesson.skills,
            lesson.minutes,
            lesson.language,
        ),
        problems,
    )
