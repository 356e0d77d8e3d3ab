"""Checking documents typed in an editor against what is stored, with the importer's own rules.

:func:`check_document` is the one public way for an editor (courses, lessons, quizzes, drills,
paths) to check a document: it runs the same validator the importer runs on a file, resolves the
document's references (skills, lessons, quizzes, drills, courses) against the stored content
(:func:`stored_context`) and returns the built object, or the problems by place. No rule is
written twice, and nothing outside this package needs the loader's internals.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from . import validators as v
from .checks import FileContext
from .errors import ValidationError
from .loader import QUIZ_SUFFIX, _TreeLoader
from .model import Framework


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
    skills_of: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)


def stored_context() -> StoredContext:
    """Read the context from the database: a handful of queries that load no lesson body."""
    from lms.extensions import db

    from . import store
    from .models import ContentItem, ContentSkillTag, ContentVersion

    skills: frozenset[str] = frozenset()
    for version in store.current_versions("framework").values():
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
    tags: dict[tuple[str, str], set[str]] = {}
    for kind, slug, skill in db.session.execute(
        sa.select(ContentItem.kind, ContentItem.slug, ContentSkillTag.skill_id)
        .join(ContentSkillTag, ContentSkillTag.item_id == ContentItem.id)
        .where(ContentItem.retired_at.is_(None))
    ):
        tags.setdefault((kind, slug), set()).add(skill)
    return StoredContext(
        skill_ids=skills,
        lesson_courses={row[1]: row[3] for row in live if row[0] == "lesson"},
        lesson_languages={row[1]: row[4] for row in live if row[0] == "lesson"},
        quiz_courses={row[1]: row[3] for row in live if row[0] == "quiz"},
        scenario_ids=frozenset(row[1] for row in live if row[0] == "scenario"),
        course_ids=frozenset(row[1] for row in live if row[0] == "course"),
        taken=frozenset((row[0], row[1]) for row in rows),
        skills_of={key: frozenset(value) for key, value in tags.items()},
    )


@dataclass
class Checked:
    """The outcome of a check: the object when there is no error, and every error by place."""

    obj: Any
    errors: list[ValidationError]
    file: str

    @property
    def ok(self) -> bool:
        return not self.errors

    def by_place(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for error in self.errors:
            out.setdefault(error.place, []).append(error.message)
        return out


def _loader(context: StoredContext, extra_lessons: Iterable[tuple[str, str]]) -> _TreeLoader:
    loader = _TreeLoader()
    loader.skill_ids = frozenset(context.skill_ids)
    loader.lesson_files = {(course, lesson) for lesson, course in context.lesson_courses.items()}
    loader.lesson_files |= set(extra_lessons)
    loader.quiz_files = {(course, quiz) for quiz, course in context.quiz_courses.items()}
    loader.quiz_ids = set(context.quiz_courses)
    loader.scenario_ids = set(context.scenario_ids)
    loader.course_ids = set(context.course_ids)
    return loader


def _owner(context: StoredContext, kind: str, slug: str, file: str) -> str:
    if kind == "lesson":
        other = context.lesson_courses.get(slug)
        return f"courses/{other}/{slug}.md" if other else "a retired lesson"
    live = {
        "course": context.course_ids,
        "lesson": set(context.lesson_courses),
        "quiz": set(context.quiz_courses),
        "scenario": context.scenario_ids,
    }.get(kind, set())
    return file if slug in live else f"a retired {kind}"


def check_document(
    kind: str,
    document: Mapping[str, Any],
    context: StoredContext,
    *,
    slug: str,
    course_id: str = "",
    is_new: bool = False,
    extra_lessons: Iterable[str] = (),
    variants: Mapping[str, tuple[dict[str, Any], str]] | None = None,
    body: str = "",
    language: str | None = None,
) -> Checked:
    """Check one document of ``kind`` (``course``, ``lesson``, ``quiz``, ``scenario``, ``path``)
    as ``lms import`` checks its file, in the context of what is stored.

    ``slug`` is the id the file name gives; ``course_id`` the folder of a lesson or quiz;
    ``is_new`` refuses an id already taken by stored content; ``extra_lessons`` are draft lessons
    of the course; a lesson's ``document`` is its front matter, with ``body``, ``language`` and its
    translations in ``variants`` (locale -> (front matter, body)). The document is not changed.
    """
    document = copy.deepcopy(dict(document))
    loader = _loader(context, ((course_id or slug, lesson) for lesson in extra_lessons))
    refs = loader.refs
    if kind == "course":
        file = f"courses/{slug}/course.yaml"
        ctx = FileContext(file, loader.errors)
        obj = v.check_course(ctx, document, slug, refs)
    elif kind == "lesson":
        file = f"courses/{course_id}/{slug}.md"
        ctx = FileContext(file, loader.errors, language=language or "en")
        obj = v.check_lesson(ctx, document, body, slug, course_id, refs)
        for locale, (front, variant_body) in sorted((variants or {}).items()):
            variant_ctx = FileContext(
                f"courses/{course_id}/{slug}.{locale}.md", loader.errors, language=locale
            )
            v.check_lesson_variant(variant_ctx, front, variant_body, slug, locale)
    elif kind == "quiz":
        file = f"courses/{course_id}/{slug}{QUIZ_SUFFIX}"
        ctx = FileContext(file, loader.errors)
        obj = v.check_quiz(ctx, document, slug, course_id, refs)
    elif kind == "scenario":
        file = f"scenarios/{slug}.yaml"
        ctx = FileContext(file, loader.errors)
        obj = v.check_scenario(ctx, document, slug, refs)
    elif kind == "path":
        file = f"courses/paths/{slug}.yaml"
        ctx = FileContext(file, loader.errors)
        obj = v.check_path(ctx, document, slug, refs)
    else:
        raise ValueError(f"unknown content kind {kind!r}")
    if is_new and obj is not None and (kind, obj.id) in context.taken:
        loader.owners[(kind, obj.id)] = _owner(context, kind, obj.id, file)
        loader.claim(kind, obj.id, ctx)
    loader.resolve_references()
    errors = list(loader.errors)
    return Checked(None if errors else obj, errors, file)
