"""Checking what a trainer typed with the importer's own rules.

The editor's fields are turned into the documents the importer reads from files (a course.yaml
mapping; a lesson's front matter and body, plus one front matter and body per translation) and
checked by `lms.content.checking.check_document` against what is stored. The places of the
errors (`modules[0].items[2].lesson`) are mapped back to form fields (`module-0-item-2`). No
rule is written twice: this module only adapts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from lms.authoring.messages import CHOICE, FieldLabels, field_labels, field_message
from lms.content import validators as v
from lms.content.checking import StoredContext, check_document, stored_context
from lms.content.checks import FileContext
from lms.content.errors import ValidationError
from lms.content.model import Course, Lesson, Text
from lms.core.forms import GENERAL, Problems

__all__ = [
    "GENERAL",
    "LessonFiles",
    "Problems",
    "StoredContext",
    "check_course",
    "check_lesson",
    "field_of",
    "stored_context",
]


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


# --- how the forms label their fields -----------------------------------------------------------

_SHARED_LABELS = (
    (r"id", lambda: _("Id")),
    (r"title-(?P<locale>[A-Za-z0-9-]+)", lambda: _("Title")),
    (r"skills", lambda: _("Skills")),
)

COURSE_LABELS = field_labels(
    *_SHARED_LABELS,
    (r"language", lambda: _("Main language"), CHOICE),
    (r"summary-(?P<locale>[A-Za-z0-9-]+)", lambda: _("Summary (Markdown)")),
    (r"modules", lambda: _("Modules")),
    (r"module-(?P<m>\d+)(-items)?", lambda m: _("Module %(number)d", number=m)),
    (
        r"module-(?P<m>\d+)-title-(?P<locale>[A-Za-z0-9-]+)",
        lambda m: _("Module %(number)d: %(field)s", number=m, field=_("Title")),
    ),
    (
        r"module-(?P<m>\d+)-item-(?P<i>\d+)",
        lambda m, i: _("Module %(number)d, item %(item)d", number=m, item=i),
    ),
)

LESSON_LABELS = field_labels(
    *_SHARED_LABELS,
    (r"course", lambda: _("Course"), CHOICE),
    (r"body-(?P<locale>[A-Za-z0-9-]+)", lambda: _("Text (Markdown)")),
    (r"minutes", lambda: _("Minutes to read")),
)

_MISSING = re.compile(r"^required key '(?P<key>[a-z_]+)' is missing")


def _collect(
    errors: list[ValidationError],
    problems: Problems,
    patterns,
    main_by_file: dict[str, str],
    labels: FieldLabels,
    whole: str,
) -> None:
    """The importer's errors as problems of the form's fields, in the trainer's words; `whole`
    names what the form edits, for a problem of no single field."""
    for error in errors:
        main = main_by_file.get(error.file)
        place = error.place
        missing = _MISSING.match(error.message)
        if missing:
            place = f"{place}.{missing.group('key')}" if place else missing.group("key")
        name = GENERAL if main is None else field_of(place, patterns, main)
        problems.add(name, field_message(error.message, name, labels, whole))


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
    checked = check_document(
        "course", document, context, slug=slug, is_new=is_new, extra_lessons=draft_lessons
    )
    problems = Problems()
    language = document.get("language") if isinstance(document.get("language"), str) else "en"
    _collect(
        checked.errors,
        problems,
        _COURSE_PLACES,
        {checked.file: language},
        COURSE_LABELS,
        _("this course"),
    )
    return (None if problems else checked.obj), problems


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
    checked = check_document(
        "lesson",
        files.front,
        context,
        slug=lesson_id,
        course_id=course_id,
        is_new=is_new,
        body=files.body,
        language=files.language,
        variants=files.variants,
    )
    folder = f"courses/{course_id}"
    main_by_file = {checked.file: files.language}
    main_by_file.update({f"{folder}/{lesson_id}.{locale}.md": locale for locale in files.variants})
    problems = Problems()
    _collect(
        checked.errors, problems, _LESSON_PLACES, main_by_file, LESSON_LABELS, _("this lesson")
    )
    lesson = checked.obj
    if problems or lesson is None:
        return None, problems
    titles = dict(lesson.title.values)
    bodies = dict(lesson.body.values)
    for locale, (front, body) in sorted(files.variants.items()):
        ctx = FileContext(f"{folder}/{lesson_id}.{locale}.md", [], language=locale)
        variant = v.check_lesson_variant(ctx, front, body, lesson_id, locale)
        if variant is not None:
            title, variant_body = variant
            if title is not None:
                titles[locale] = title
            bodies[locale] = variant_body
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
