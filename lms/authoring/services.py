"""Authoring services: drafts, checks and publishing of courses and lessons edited in the browser.

A draft holds the editor's fields and never changes what learners see. Publishing checks the
document with the importer's rules (`lms.authoring.validation`) and the editor's limits, then
makes it a new version through `lms.content.store.publish` (origin ``editor``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from lms.authoring.form_states import CourseState, LessonState, locale_label, locales_for, merge
from lms.authoring.models import ContentDraft
from lms.authoring.validation import (
    Problems,
    StoredContext,
    check_course,
    check_lesson,
    stored_context,
)
from lms.content import store
from lms.content.checks import ID_RE
from lms.content.forms import markdown_problem
from lms.content.markdown import MarkdownError, render_markdown
from lms.content.model import DEFAULT_LANGUAGE, Course, Lesson, Text
from lms.content.models import ContentItem, ContentVersion
from lms.extensions import db
from lms.people.models import User
from lms.timeutil import utcnow

EDITABLE_KINDS = ("course", "lesson")
# A draft's last editor, by name only: their roles are not needed.
_WITH_EDITOR = joinedload(ContentDraft.updated_by).lazyload(User.role_rows)
LISTED_KINDS = ("course", "lesson", "quiz", "scenario", "path")


def preview_html(source: str) -> str:
    """The sanitized HTML a learner would see for Markdown `source`; raises MarkdownError when
    the renderer refuses it."""
    return render_markdown(source)


def _render_problems(
    problems: Problems, obj: Lesson | Course, field: str, label: Callable[[str], str]
) -> None:
    """A problem on `field`-<locale> for each Markdown field of `obj` the renderer refuses (the
    editor's Markdown fields are the lesson body and the course summary); `label` names the
    field in a language."""
    for problem in store.try_render_places(obj)[1]:
        message = markdown_problem(problem.error, label(locale_label(problem.locale)))
        problems.add(f"{field}-{problem.locale}", str(message))


# --- drafts -------------------------------------------------------------------------------------


def find_draft(kind: str, slug: str) -> ContentDraft | None:
    return db.session.scalar(
        sa.select(ContentDraft)
        .options(_WITH_EDITOR)
        .where(ContentDraft.kind == kind, ContentDraft.slug == slug)
    )


def drafts_of(kind: str | None = None) -> list[ContentDraft]:
    """The drafts (of one kind, or all), latest first, with who saved them last."""
    statement = sa.select(ContentDraft).options(_WITH_EDITOR)
    if kind is not None:
        statement = statement.where(ContentDraft.kind == kind)
    return list(
        db.session.scalars(statement.order_by(ContentDraft.updated_at.desc(), ContentDraft.id))
    )


#: What can be duplicated, and the editor page of each (endpoint, its id argument).
DUPLICABLE = {
    "lesson": ("authoring.lesson_edit", "lesson_id"),
    "scenario": ("scenario_editor.edit", "scenario_id"),
    "quiz": ("quiz_editor.edit", "quiz_id"),
}


#: The editor page of a draft of each kind.
DRAFT_EDITORS = {
    **DUPLICABLE,
    "course": ("authoring.course_edit", "course_id"),
    "path": ("path_editor.edit", "path_id"),
}


def duplicate(
    kind: str, slug: str, new_slug: str, *, actor: User
) -> tuple[ContentDraft | None, str]:
    """A new draft with a copy of the content (its draft, else its live version) under
    `new_slug`; or, with nothing written, what is wrong with the new id."""
    if not ID_RE.match(new_slug or ""):
        return None, _("Ids use lowercase letters, digits and '-' (for example: price-basics).")
    if id_taken(kind, new_slug):
        return None, _("The id %(id)s is used already: choose another one.", id=new_slug)
    draft = find_draft(kind, slug)
    version = store.current_version(kind, slug)
    if draft is None and version is None:
        return None, _("There is nothing to duplicate.")
    document = copy.deepcopy(draft.document if draft is not None else version.document)
    document["id"] = new_slug
    created = save_draft(kind, new_slug, document, actor=actor, base_version=None, revision=0)
    return created, ""


class DraftConflict(Exception):
    """Another trainer saved the draft since this editor's page was loaded; nothing was written."""

    def __init__(self, draft: ContentDraft) -> None:
        super().__init__(f"draft {draft.kind} {draft.slug} is at revision {draft.revision}")
        self.draft = draft


def save_draft(
    kind: str,
    slug: str,
    document: dict[str, Any],
    *,
    actor: User,
    base_version: ContentVersion | None,
    revision: int | None = None,
) -> ContentDraft:
    """Create or replace the draft of (kind, slug); learners never see it. With `revision` (the
    draft revision the editor started from; 0 for no draft), a draft saved by someone else in
    between raises DraftConflict before anything is written."""
    draft = db.session.scalar(
        sa.select(ContentDraft)
        .where(ContentDraft.kind == kind, ContentDraft.slug == slug)
        .with_for_update()
    )
    if revision is not None and (draft.revision if draft is not None else 0) != revision:
        if draft is not None:
            raise DraftConflict(draft)
    now = utcnow()
    if draft is None:
        draft = ContentDraft(
            kind=kind,
            slug=slug,
            document=document,
            base_version_id=base_version.id if base_version else None,
            updated_by_id=actor.id,
            created_at=now,
            updated_at=now,
        )
        try:
            with db.session.begin_nested():
                db.session.add(draft)
        except IntegrityError:
            return save_draft(kind, slug, document, actor=actor, base_version=base_version)
        return draft
    draft.document = document
    draft.updated_by_id = actor.id
    draft.updated_at = now
    draft.revision = (draft.revision or 1) + 1
    db.session.flush()
    return draft


@dataclass(frozen=True)
class Conflict:
    """Someone else saved what a trainer is editing since the trainer's page was loaded."""

    name: str | None
    saved_at: datetime


def find_conflict(
    kind: str, slug: str, *, revision: int | None, version: int | None
) -> Conflict | None:
    """Whether the draft of (kind, slug) or its live version changed since an editor page was
    loaded with draft `revision` (0: no draft) and live version number `version` (0: none);
    None for a value the form did not send. Reads only."""
    draft = find_draft(kind, slug)
    if revision is not None and draft is not None and draft.revision != revision:
        return Conflict(draft.updated_by.name if draft.updated_by else None, draft.updated_at)
    live = store.current_version(kind, slug)
    if version is not None and live is not None and live.number != version:
        author = db.session.get(User, live.created_by_id) if live.created_by_id else None
        return Conflict(author.name if author else None, live.created_at)
    return None


def id_taken(kind: str, slug: str) -> bool:
    """Whether an id is used by stored content (live or retired) or by a draft."""
    stored = db.session.scalar(
        sa.select(ContentItem.id).where(ContentItem.kind == kind, ContentItem.slug == slug)
    )
    return stored is not None or find_draft(kind, slug) is not None


def discard_draft(kind: str, slug: str) -> bool:
    """Delete the draft of (kind, slug); returns whether there was one."""
    result = db.session.execute(
        sa.delete(ContentDraft).where(ContentDraft.kind == kind, ContentDraft.slug == slug)
    )
    db.session.flush()
    return bool(result.rowcount)


def draft_lessons_of(course_id: str, context: StoredContext) -> dict[str, LessonState]:
    """Lessons of a course that exist only as drafts (never published, or retired)."""
    drafts = db.session.scalars(
        sa.select(ContentDraft).where(ContentDraft.kind == "lesson").order_by(ContentDraft.slug)
    )
    found = {}
    for draft in drafts:
        state = LessonState.from_document(draft.document)
        if state.course == course_id and draft.slug not in context.lesson_courses:
            found[draft.slug] = state
    return found


# --- what an editor page shows ------------------------------------------------------------------


@dataclass
class Editing:
    """An editor page's starting point: the live version (if any) and the draft (if any)."""

    version: ContentVersion | None
    draft: ContentDraft | None

    @property
    def exists(self) -> bool:
        return self.version is not None or self.draft is not None

    @property
    def draft_is_stale(self) -> bool:
        """A version was published after the draft was started."""
        return (
            self.draft is not None
            and self.version is not None
            and self.draft.base_version_id != self.version.id
        )


def editing(kind: str, slug: str) -> Editing:
    return Editing(store.current_version(kind, slug), find_draft(kind, slug))


def course_language(course_id: str) -> str | None:
    """The language of a live course, else of a course draft, else None (also for a text that
    cannot be a course id, which is never looked up)."""
    if not ID_RE.fullmatch(course_id):
        return None
    version = store.current_version("course", course_id)
    if version is not None:
        return version.document.get("language", DEFAULT_LANGUAGE)
    draft = find_draft("course", course_id)
    if draft is not None:
        language = draft.document.get("language")
        return language if isinstance(language, str) else DEFAULT_LANGUAGE
    return None


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    note: str = ""


def course_choices(locale: str) -> list[Choice]:
    """Courses a lesson can belong to: live ones and those that are drafts only."""
    choices = []
    for slug, version in store.current_versions("course").items():
        title = Text(dict(version.document.get("title") or {}))
        choices.append(Choice(slug, title.get(locale, version.document.get("language"))))
    live = {choice.value for choice in choices}
    for draft in db.session.scalars(
        sa.select(ContentDraft).where(ContentDraft.kind == "course").order_by(ContentDraft.slug)
    ):
        if draft.slug not in live:
            state = CourseState.from_document(draft.document)
            title = state.titles.get(locale) or state.titles.get(state.language) or draft.slug
            choices.append(Choice(draft.slug, title, _("draft")))
    choices.sort(key=lambda choice: choice.label.casefold())
    return choices


def item_choices(course_id: str, locale: str, context: StoredContext) -> list[Choice]:
    """What a course can list: its own lessons and quizzes (live, or lesson drafts) and every
    live drill. Values are ``kind:id``."""
    choices: list[Choice] = []
    lessons = [slug for slug, course in context.lesson_courses.items() if course == course_id]
    quizzes = [slug for slug, course in context.quiz_courses.items() if course == course_id]
    for kind, slugs in (("lesson", lessons), ("quiz", quizzes), ("scenario", context.scenario_ids)):
        if not slugs:
            continue
        for slug, version in sorted(store.current_versions(kind, sorted(slugs)).items()):
            title = Text(dict(version.document.get("title") or {}))
            choices.append(
                Choice(f"{kind}:{slug}", title.get(locale, version.document.get("language")))
            )
    if course_id:
        for slug, state in draft_lessons_of(course_id, context).items():
            title = state.titles.get(locale) or next(iter(state.titles.values()), slug)
            choices.append(Choice(f"lesson:{slug}", title, _("draft")))
    return choices


def item_titles(refs: set[tuple[str, str]], locale: str) -> dict[tuple[str, str], str]:
    """Titles of listed items (live or draft lessons), for the course editor."""
    by_kind: dict[str, list[str]] = {}
    for kind, slug in refs:
        if kind in ("lesson", "quiz", "scenario"):
            by_kind.setdefault(kind, []).append(slug)
    titles: dict[tuple[str, str], str] = {}
    for kind, slugs in sorted(by_kind.items()):
        for slug, version in store.current_versions(kind, slugs).items():
            title = Text(dict(version.document.get("title") or {}))
            titles[(kind, slug)] = title.get(locale, version.document.get("language"))
    lesson_slugs = [slug for slug in by_kind.get("lesson", ()) if ("lesson", slug) not in titles]
    if lesson_slugs:
        for draft in db.session.scalars(
            sa.select(ContentDraft).where(
                ContentDraft.kind == "lesson", ContentDraft.slug.in_(lesson_slugs)
            )
        ):
            state = LessonState.from_document(draft.document)
            title = state.titles.get(locale) or next(iter(state.titles.values()), draft.slug)
            titles[("lesson", draft.slug)] = title
    return titles


# --- checking -----------------------------------------------------------------------------------


def check_lesson_state(
    state: LessonState,
    *,
    is_new: bool,
    previous_course: str | None,
    context: StoredContext | None = None,
) -> tuple[Lesson | None, Problems]:
    """Check a lesson for publishing: the editor's limits, the importer's rules in the context
    of what is stored, and that its course is published and does not lose a listed lesson."""
    context = context or stored_context()
    language = course_language(state.course) or DEFAULT_LANGUAGE
    locales = locales_for(language)
    problems = state.limits(locales, is_new=is_new)
    if not state.course:
        problems.add("course", _("Choose the course this lesson belongs to."))
    elif state.course not in context.course_ids:
        if find_draft("course", state.course) is not None:
            problems.add(
                "course",
                _(
                    "The course %(course)s is not published yet. Publish the course: it "
                    "publishes its new lessons with it.",
                    course=state.course,
                ),
            )
        else:
            problems.add("course", _("There is no course %(course)s.", course=state.course))
    if previous_course and state.course != previous_course:
        listing = store.current_version("course", previous_course)
        if listing is not None:
            course = store.load(listing)
            if isinstance(course, Course) and any(
                item.kind == "lesson" and item.ref == state.id for item in course.items
            ):
                problems.add(
                    "course",
                    _(
                        "The course %(course)s lists this lesson. Remove it from that course "
                        "before moving the lesson.",
                        course=previous_course,
                    ),
                )
    if is_new and find_draft("lesson", state.id) is not None:
        problems.add("id", _("A lesson with this id already exists."))
    lesson, rule_problems = check_lesson(
        state.files(language), state.id, state.course, context, is_new=is_new
    )
    problems = merge(problems, rule_problems)
    if lesson is not None and not problems:
        _render_problems(
            problems,
            lesson,
            "body",
            lambda language: _("The body (%(language)s)", language=language),
        )
    return (None if problems else lesson), problems


def check_course_state(
    state: CourseState,
    *,
    is_new: bool,
    context: StoredContext | None = None,
) -> tuple[Course | None, dict[str, Lesson], Problems]:
    """Check a course for publishing, with the lesson drafts it lists (published with it)."""
    context = context or stored_context()
    problems = state.limits(is_new=is_new)
    if is_new and find_draft("course", state.id) is not None:
        problems.add("id", _("A course with this id already exists."))
    drafts = draft_lessons_of(state.id, context) if state.id else {}
    course, rule_problems = check_course(
        state.to_document(), context, is_new=is_new, draft_lessons=drafts
    )
    problems = merge(problems, rule_problems)
    languages = {
        context.lesson_languages.get(slug)
        for slug, course_id in context.lesson_courses.items()
        if course_id == state.id
    } - {None, state.language}
    if languages:
        problems.add(
            "language",
            _(
                "The lessons of this course are written in %(languages)s first; keep that "
                "language for the course.",
                languages=", ".join(sorted(str(language) for language in languages)),
            ),
        )
    lessons: dict[str, Lesson] = {}
    for index, module in enumerate(state.modules):
        for position, (kind, ref) in enumerate(module.items):
            if kind != "lesson" or ref not in drafts:
                continue
            lesson, lesson_problems = check_lesson(
                drafts[ref].files(state.language), ref, state.id, context, is_new=True
            )
            if lesson is None or lesson_problems:
                problems.add(
                    f"module-{index}-item-{position}",
                    _(
                        "This lesson is a draft with problems; fix them in its editor, then "
                        "publish the course."
                    ),
                )
            else:
                lessons[ref] = lesson
    if course is not None and not problems:
        _render_problems(
            problems,
            course,
            "summary",
            lambda language: _("The summary (%(language)s)", language=language),
        )
        for index, module in enumerate(state.modules):
            for position, (kind, ref) in enumerate(module.items):
                if kind == "lesson" and ref in lessons and store.try_render_places(lessons[ref])[1]:
                    problems.add(
                        f"module-{index}-item-{position}",
                        _(
                            "This lesson is a draft with problems; fix them in its editor, "
                            "then publish the course."
                        ),
                    )
    if problems:
        return None, {}, problems
    return course, lessons, problems


# --- publishing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """What publishing came to: the result, or why nothing was published (then nothing of it
    is kept)."""

    result: store.PublishResult | None
    problem: str = ""


def _publishing(write: Callable[[], store.PublishResult]) -> Published:
    """Run the writes of one publication in a savepoint: a refusal part-way (the renderer at
    its time limit) undoes what was written before it and is returned, not raised."""
    try:
        with db.session.begin_nested():
            return Published(write())
    except MarkdownError as error:
        return Published(None, str(markdown_problem(error, _("The text"))))


def _publish_lesson(lesson: Lesson, actor: User) -> store.PublishResult:
    result = store.publish(lesson, actor=actor, origin="editor")
    discard_draft("lesson", lesson.id)
    return result


def publish_lesson(lesson: Lesson, *, actor: User) -> Published:
    """Publish a checked lesson as a new version and drop its draft."""
    return _publishing(lambda: _publish_lesson(lesson, actor))


def publish_course(course: Course, lessons: dict[str, Lesson], *, actor: User) -> Published:
    """Publish a checked course and the draft lessons it lists, and drop their drafts; all of
    it or, when one of them is refused, none of it."""

    def write() -> store.PublishResult:
        for lesson in lessons.values():
            _publish_lesson(lesson, actor)
        result = store.publish(course, actor=actor, origin="editor")
        discard_draft("course", course.id)
        return result

    return _publishing(write)


# --- the index ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexRow:
    kind: str
    slug: str
    title: str
    course: str | None
    number: int | None
    published_at: datetime | None
    published_by: str | None
    origin: str | None
    retired: bool
    draft: ContentDraft | None

    @property
    def editable(self) -> bool:
        return self.kind in EDITABLE_KINDS and not self.retired


def kind_counts() -> dict[str, int]:
    rows = db.session.execute(
        sa.select(ContentItem.kind, sa.func.count())
        .where(ContentItem.kind.in_(LISTED_KINDS))
        .group_by(ContentItem.kind)
    )
    counts = dict.fromkeys(LISTED_KINDS, 0)
    counts.update({kind: count for kind, count in rows})
    drafts_only = db.session.execute(
        sa.select(ContentDraft.kind, sa.func.count())
        .outerjoin(
            ContentItem,
            sa.and_(ContentItem.kind == ContentDraft.kind, ContentItem.slug == ContentDraft.slug),
        )
        .where(ContentItem.id.is_(None))
        .group_by(ContentDraft.kind)
    )
    for kind, count in drafts_only:
        counts[kind] = counts.get(kind, 0) + count
    return counts


def index_rows(kind: str, locale: str) -> list[IndexRow]:
    """Every stored item of `kind` and every draft of a new one, with version, status and the
    last change; three queries whatever the number of items."""
    rows = db.session.execute(
        sa.select(
            ContentItem.slug,
            ContentItem.retired_at,
            ContentVersion.number,
            ContentVersion.created_at,
            ContentVersion.origin,
            ContentVersion.document["title"],
            ContentVersion.document["language"].as_string(),
            ContentVersion.document["course"].as_string(),
            User.name,
        )
        .outerjoin(ContentVersion, ContentItem.current_version_id == ContentVersion.id)
        .outerjoin(User, ContentVersion.created_by_id == User.id)
        .where(ContentItem.kind == kind)
    ).all()
    drafts = {}
    if kind in EDITABLE_KINDS:
        drafts = {
            draft.slug: draft
            for draft in db.session.scalars(
                sa.select(ContentDraft).options(_WITH_EDITOR).where(ContentDraft.kind == kind)
            )
        }
    result = []
    for slug, retired_at, number, created_at, origin, title, language, course, name in rows:
        text = Text(dict(title)) if isinstance(title, dict) else Text({})
        result.append(
            IndexRow(
                kind=kind,
                slug=slug,
                title=text.get(locale, language) or slug,
                course=course,
                number=number,
                published_at=created_at,
                published_by=name,
                origin=origin,
                retired=retired_at is not None,
                draft=drafts.pop(slug, None),
            )
        )
    for slug, draft in drafts.items():
        document = draft.document
        title = ""
        if kind == "course":
            state = CourseState.from_document(document)
            title = state.titles.get(locale) or next(iter(state.titles.values()), "")
            course = None
        else:
            lesson_state = LessonState.from_document(document)
            title = lesson_state.titles.get(locale) or next(iter(lesson_state.titles.values()), "")
            course = lesson_state.course
        result.append(
            IndexRow(kind, slug, title or slug, course, None, None, None, None, False, draft)
        )
    result.sort(key=lambda row: (row.retired, (row.course or ""), row.title.casefold(), row.slug))
    return result
