"""Courses and lessons for learners: what is live, progress, completions and reading time.

Registers the progress providers of `lesson` (read or not) and `course` (done when every item
that is still offered is done, each item's status coming from the provider of its kind).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lms.content import store
from lms.content.model import Course, Lesson, Text
from lms.content.models import ContentItem, ContentVersion
from lms.courses.models import LessonCompletion
from lms.extensions import db
from lms.people.models import User
from lms.progress import (
    NOT_STARTED,
    ItemProgress,
    changes_progress,
    mark_changed,
    progress_by_kind,
    provides,
)
from lms.skills.models import Skill

WORDS_PER_MINUTE = 200
CJK_CHARACTERS_PER_MINUTE = 400

_WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")

Ref = tuple[str, str]  # (kind, slug)


# --- live content ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    """A current version and the content object it holds."""

    version: ContentVersion
    obj: object


def current_objects(
    kind: str, slugs: Iterable[str] | None = None, *, include_retired: bool = False
) -> dict[str, Loaded]:
    """Current versions of `kind` (live only, unless `include_retired`) with their objects,
    by slug; one query."""
    versions = store.current_versions(kind, slugs, include_retired=include_retired)
    return {slug: Loaded(version, store.load(version)) for slug, version in versions.items()}


def retirement_of(refs: Iterable[Ref]) -> dict[Ref, bool]:
    """For each (kind, slug) that exists with a current version: whether it is retired.
    Unknown refs are left out. One query."""
    condition = store.refs_condition(refs)
    if condition is None:
        return {}
    rows = db.session.execute(
        sa.select(ContentItem.kind, ContentItem.slug, ContentItem.retired_at).where(
            ContentItem.current_version_id.is_not(None), condition
        )
    )
    return {(kind, slug): retired_at is not None for kind, slug, retired_at in rows}


# --- progress -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseProgress:
    """Progress of one learner on one course: how many of its offered items are done."""

    total: int
    done: int
    started: bool = False
    done_at: datetime | None = None
    last_activity_at: datetime | None = None

    @property
    def is_done(self) -> bool:
        return self.total > 0 and self.done >= self.total

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def as_item_progress(self) -> ItemProgress:
        return ItemProgress(
            started=self.started,
            done=self.is_done,
            done_at=self.done_at if self.is_done else None,
            last_activity_at=self.last_activity_at,
        )


def offered_items(course: Course, retired: Mapping[Ref, bool], course_retired: bool) -> list[Ref]:
    """The items of a course that count: live ones; in a retired course, every one that exists."""
    refs = []
    for item in course.items:
        ref = (item.kind, item.ref)
        if ref in retired and (course_retired or not retired[ref]):
            refs.append(ref)
    return refs


def course_progress(
    user_ids: Sequence[int],
    courses: Mapping[str, Course],
    retired_courses: Iterable[str] = (),
) -> dict[tuple[int, str], CourseProgress]:
    """Progress of every user on every course, in a bounded number of queries (one for the
    items' state, one per item kind)."""
    retired_set = set(retired_courses)
    all_refs = {(item.kind, item.ref) for course in courses.values() for item in course.items}
    retired = retirement_of(all_refs)
    offered = {
        slug: offered_items(course, retired, slug in retired_set)
        for slug, course in courses.items()
    }
    progress = progress_by_kind(user_ids, {ref for refs in offered.values() for ref in refs})
    result: dict[tuple[int, str], CourseProgress] = {}
    for user_id in user_ids:
        for slug, refs in offered.items():
            states = [progress[kind].get((user_id, ref), NOT_STARTED) for kind, ref in refs]
            done = [state for state in states if state.done]
            done_times = [state.done_at for state in done if state.done_at]
            activity = [state.last_activity_at for state in states if state.last_activity_at]
            result[(user_id, slug)] = CourseProgress(
                total=len(refs),
                done=len(done),
                started=any(state.started or state.done for state in states),
                done_at=max(done_times) if done_times and len(done) == len(refs) else None,
                last_activity_at=max(activity) if activity else None,
            )
    return result


changes_progress(LessonCompletion)


@provides("course")
def course_progress_provider(
    user_ids: Sequence[int], slugs: Sequence[str]
) -> dict[tuple[int, str], ItemProgress]:
    """Progress provider of `course`: done when every offered item is done."""
    loaded = current_objects("course", slugs, include_retired=True)
    retired = retirement_of(("course", slug) for slug in loaded)
    courses = {slug: entry.obj for slug, entry in loaded.items()}
    found = course_progress(
        user_ids, courses, [slug for slug in courses if retired.get(("course", slug))]
    )
    return {key: value.as_item_progress() for key, value in found.items()}


@provides("lesson")
def lesson_progress_provider(
    user_ids: Sequence[int], slugs: Sequence[str]
) -> dict[tuple[int, str], ItemProgress]:
    """Progress provider of `lesson`: done once the learner marked it as read."""
    rows = db.session.execute(
        sa.select(LessonCompletion.user_id, ContentItem.slug, LessonCompletion.completed_at)
        .join(ContentItem, ContentItem.id == LessonCompletion.lesson_item_id)
        .where(
            ContentItem.kind == "lesson",
            ContentItem.slug.in_(list(slugs)),
            LessonCompletion.user_id.in_(list(user_ids)),
        )
    )
    return {
        (user_id, slug): ItemProgress(
            started=True, done=True, done_at=completed_at, last_activity_at=completed_at
        )
        for user_id, slug, completed_at in rows
    }


# --- completions ----------------------------------------------------------------------------------


def find_completion(user: User, item: ContentItem) -> LessonCompletion | None:
    return db.session.scalar(
        sa.select(LessonCompletion).where(
            LessonCompletion.user_id == user.id, LessonCompletion.lesson_item_id == item.id
        )
    )


def complete_lesson(user: User, version: ContentVersion) -> LessonCompletion:
    """Record that `user` read the lesson of `version`. Idempotent: a second call (or a
    concurrent one) returns the first completion unchanged."""
    item = version.item
    existing = find_completion(user, item)
    if existing is not None:
        return existing
    completion = LessonCompletion(user_id=user.id, lesson_item_id=item.id, version_id=version.id)
    try:
        with db.session.begin_nested():
            db.session.add(completion)
    except IntegrityError:
        existing = find_completion(user, item)
        if existing is None:  # pragma: no cover - the conflicting row vanished
            raise
        return existing
    return completion


def undo_completion(user: User, item: ContentItem) -> bool:
    """Forget that `user` read the lesson; returns whether there was a completion."""
    result = db.session.execute(
        sa.delete(LessonCompletion).where(
            LessonCompletion.user_id == user.id, LessonCompletion.lesson_item_id == item.id
        )
    )
    db.session.flush()
    if result.rowcount:
        mark_changed([user.id])  # a bulk delete: the watch of changes_progress cannot see it
    return bool(result.rowcount)


# --- reading --------------------------------------------------------------------------------------


def chosen_locale(text: Text, locale: str, fallback: str) -> str | None:
    """The locale of `text` that a reader in `locale` gets (see `Text.get`)."""
    wanted = text.get(locale, fallback)
    for key, value in text.items():
        if value == wanted:
            return key
    return None


def estimate_minutes(source: str) -> int:
    """Reading time of Markdown source: words at 200 a minute, CJK characters at 400."""
    cjk = len(_CJK_RE.findall(source))
    words = len(_WORD_RE.findall(_CJK_RE.sub(" ", source)))
    return max(1, math.ceil(words / WORDS_PER_MINUTE + cjk / CJK_CHARACTERS_PER_MINUTE))


def reading_minutes(lesson: Lesson, locale: str) -> tuple[int, bool]:
    """Minutes to read the lesson in `locale` and whether that is an estimate."""
    if lesson.minutes:
        return lesson.minutes, False
    return estimate_minutes(lesson.body.get(locale, lesson.language)), True


def skill_names(skill_ids: Iterable[str], locale: str) -> list[tuple[str, str]]:
    """(id, name in `locale`) of the given skills, in the framework's order; one query."""
    ids = list(dict.fromkeys(skill_ids))
    if not ids:
        return []
    skills = db.session.scalars(
        sa.select(Skill).where(Skill.id.in_(ids)).order_by(Skill.position, Skill.id)
    )
    return [(skill.id, skill.title(locale)) for skill in skills]


def title_in(obj: object, locale: str) -> str:
    title = getattr(obj, "title", None)
    return title.get(locale, getattr(obj, "language", None)) if title else ""


# --- pages ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseCard:
    slug: str
    title: str
    summary_html: str
    counts: dict[str, int]  # kind -> offered items
    progress: CourseProgress


def catalogue(user: User, locale: str) -> list[CourseCard]:
    """Every live course with the user's progress, by title; a bounded number of queries."""
    loaded = current_objects("course")
    courses = {slug: entry.obj for slug, entry in loaded.items()}
    progress = course_progress([user.id], courses)
    retired = retirement_of({(i.kind, i.ref) for c in courses.values() for i in c.items})
    cards = []
    for slug, entry in loaded.items():
        course = entry.obj
        counts: dict[str, int] = {}
        for kind, _ref in offered_items(course, retired, False):
            counts[kind] = counts.get(kind, 0) + 1
        cards.append(
            CourseCard(
                slug=slug,
                title=title_in(course, locale),
                summary_html=entry.version.html("summary", locale, course.language),
                counts=counts,
                progress=progress[(user.id, slug)],
            )
        )
    cards.sort(key=lambda card: (card.title.casefold(), card.slug))
    return cards


@dataclass(frozen=True)
class OutlineItem:
    kind: str
    ref: str
    title: str
    offered: bool
    progress: ItemProgress
    pass_score: float | None = None


@dataclass(frozen=True)
class OutlineModule:
    title: str
    items: tuple[OutlineItem, ...]

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.offered and item.progress.done)

    @property
    def total(self) -> int:
        return sum(1 for item in self.items if item.offered)


@dataclass(frozen=True)
class CourseOutline:
    slug: str
    course: Course
    version: ContentVersion
    title: str
    summary_html: str
    retired: bool
    modules: tuple[OutlineModule, ...]
    progress: CourseProgress
    skills: list[tuple[str, str]]


def load_course(course_id: str) -> tuple[Loaded, bool] | None:
    """The current course (even retired) and whether it is retired, or None if unknown."""
    version = store.current_version("course", course_id, include_retired=True)
    if version is None:
        return None
    return Loaded(version, store.load(version)), version.item.is_retired


def course_outline(course_id: str, user: User, locale: str) -> CourseOutline | None:
    """A course's modules and items with the user's status on each. None when the course is
    unknown, or retired and the user never started it."""
    found = load_course(course_id)
    if found is None:
        return None
    entry, is_retired = found
    course: Course = entry.obj  # type: ignore[assignment]
    refs = [(item.kind, item.ref) for item in course.items]
    retired = retirement_of(refs)
    offered = set(offered_items(course, retired, is_retired))
    progress = progress_by_kind([user.id], offered)
    objects: dict[Ref, object] = {}
    by_kind: dict[str, list[str]] = {}
    for kind, ref in refs:
        by_kind.setdefault(kind, []).append(ref)
    for kind, slugs in sorted(by_kind.items()):
        for slug, loaded in current_objects(kind, slugs, include_retired=True).items():
            objects[(kind, slug)] = loaded.obj
    modules = []
    for module in course.modules:
        items = []
        for item in module.items:
            ref = (item.kind, item.ref)
            obj = objects.get(ref)
            state = progress.get(item.kind, {}).get((user.id, item.ref), NOT_STARTED)
            items.append(
                OutlineItem(
                    kind=item.kind,
                    ref=item.ref,
                    title=title_in(obj, locale) if obj is not None else item.ref,
                    offered=ref in offered,
                    progress=state if ref in offered else NOT_STARTED,
                    pass_score=getattr(obj, "pass_score", None),
                )
            )
        modules.append(OutlineModule(module.title.get(locale, course.language), tuple(items)))
    done = [item for module in modules for item in module.items if item.offered]
    summary = CourseProgress(
        total=len(done),
        done=sum(1 for item in done if item.progress.done),
        started=any(item.progress.started or item.progress.done for item in done),
    )
    if is_retired and not summary.started:
        return None
    return CourseOutline(
        slug=course_id,
        course=course,
        version=entry.version,
        title=title_in(course, locale),
        summary_html=entry.version.html("summary", locale, course.language),
        retired=is_retired,
        modules=tuple(modules),
        progress=summary,
        skills=skill_names(course.skills, locale),
    )


@dataclass(frozen=True)
class Neighbour:
    kind: str
    ref: str
    title: str


@dataclass(frozen=True)
class LessonView:
    course_id: str
    course_title: str
    lesson: Lesson
    version_id: int
    item_id: int
    modified_at: datetime  # when the version shown was made
    retired: bool
    locale: str  # the locale the body is shown in
    title: str
    title_locale: str
    body_html: str
    minutes: int
    minutes_estimated: bool
    skills: list[tuple[str, str]]
    completion: LessonCompletion | None
    previous: Neighbour | None
    next: Neighbour | None
    position: int  # 1-based among the course's offered items, 0 if not listed
    total: int


def _neighbours(
    course: Course, lesson_id: str, offered: set[Ref], locale: str
) -> tuple[Neighbour | None, Neighbour | None, int, int]:
    refs = [(item.kind, item.ref) for item in course.items if (item.kind, item.ref) in offered]
    here = ("lesson", lesson_id)
    if here not in refs:
        return None, None, 0, len(refs)
    index = refs.index(here)
    previous_ref = refs[index - 1] if index > 0 else None
    next_ref = refs[index + 1] if index + 1 < len(refs) else None
    wanted = [ref for ref in (previous_ref, next_ref) if ref is not None]
    by_kind: dict[str, list[str]] = {}
    for kind, slug in wanted:
        by_kind.setdefault(kind, []).append(slug)
    titles: dict[Ref, str] = {}
    for kind, slugs in sorted(by_kind.items()):
        for slug, loaded in current_objects(kind, slugs, include_retired=True).items():
            titles[(kind, slug)] = title_in(loaded.obj, locale)

    def neighbour(ref: Ref | None) -> Neighbour | None:
        if ref is None:
            return None
        return Neighbour(ref[0], ref[1], titles.get(ref, ref[1]))

    return neighbour(previous_ref), neighbour(next_ref), index + 1, len(refs)


def course_of_lesson(lesson_id: str) -> str | None:
    """The id of the course a stored lesson belongs to (retired or not), or None."""
    version = store.current_version("lesson", lesson_id, include_retired=True)
    if version is None:
        return None
    lesson: Lesson = store.load(version)  # type: ignore[assignment]
    return lesson.course_id


def lesson_view(course_id: str, lesson_id: str, user: User, locale: str) -> LessonView | None:
    """A lesson of a course for `user` in `locale` (falling back as texts do), or None when
    there is no such lesson in that course, or when it (or its course) is retired and the user
    never read it. What does not depend on the reader comes from the fragment cache (keyed by
    the content stamp), so a lesson read costs the stamp and the completion: two queries."""
    from lms.courses.fragments import cached, content_stamp

    key = f"lesson:{content_stamp()}:{course_id}:{lesson_id}:{locale}"
    shown = cached(key, lambda: _lesson_fragment(course_id, lesson_id, locale))
    if shown is None:
        return None
    completion = db.session.scalar(
        sa.select(LessonCompletion).where(
            LessonCompletion.user_id == user.id,
            LessonCompletion.lesson_item_id == shown["item_id"],
        )
    )
    if shown["retired"] and completion is None:
        return None
    return LessonView(**shown, completion=completion)


def _lesson_fragment(course_id: str, lesson_id: str, locale: str) -> dict | None:
    """Everything of a lesson page that does not depend on the reader (plain, picklable)."""
    version = store.current_version("lesson", lesson_id, include_retired=True)
    if version is None:
        return None
    lesson: Lesson = store.load(version)  # type: ignore[assignment]
    if lesson.course_id != course_id:
        return None
    found = load_course(course_id)
    if found is None:
        return None
    course_entry, course_retired = found
    course: Course = course_entry.obj  # type: ignore[assignment]
    item = version.item
    refs = [(entry.kind, entry.ref) for entry in course.items]
    offered = set(offered_items(course, retirement_of(refs), course_retired))
    previous, following, position, total = _neighbours(course, lesson_id, offered, locale)
    shown = chosen_locale(lesson.body, locale, lesson.language) or lesson.language
    minutes, estimated = reading_minutes(lesson, shown)
    return {
        "course_id": course_id,
        "course_title": title_in(course, locale),
        "lesson": lesson,
        "version_id": version.id,
        "item_id": item.id,
        "modified_at": version.created_at,
        "retired": item.is_retired or course_retired,
        "locale": shown,
        "title": lesson.title.get(locale, lesson.language),
        "title_locale": chosen_locale(lesson.title, locale, lesson.language) or shown,
        "body_html": version.html("body", shown, lesson.language),
        "minutes": minutes,
        "minutes_estimated": estimated,
        "skills": skill_names(lesson.skills, locale),
        "previous": previous,
        "next": following,
        "position": position,
        "total": total,
    }


def live_lesson_version(course_id: str, lesson_id: str) -> ContentVersion | None:
    """The current version of a live lesson of a live course, for new completions."""
    version = store.current_version("lesson", lesson_id)
    if version is None or version.document.get("course") != course_id:
        return None
    if store.current_version("course", course_id) is None:
        return None
    return version
