"""Versioned storage of content objects: publish, look up, retire, re-render.

Every writer of content (the importer, the web editor) goes through `publish`; every reader gets
objects through `current_version` / `load`. A publish whose content hash equals the current
version's changes nothing, so re-importing unchanged files rewrites and re-renders nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from lms.content import markdown as renderer
from lms.content.documents import content_hash, from_document, kind_of, to_document
from lms.content.kinds import node_kind, question_kind
from lms.content.model import Course, Framework, Lesson, Path, Quiz, Scenario, Text
from lms.content.models import ContentItem, ContentSkillTag, ContentVersion
from lms.content.rendered import RENDERED_COLUMNS, RenderedColumn
from lms.extensions import db
from lms.people.models import User
from lms.progress import content_published
from lms.skills.models import Skill
from lms.timeutil import utcnow

ContentObject = Framework | Course | Lesson | Quiz | Scenario | Path


class Change(enum.StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    RETIRED = "retired"


@dataclass(frozen=True)
class PublishResult:
    item: ContentItem
    version: ContentVersion
    change: Change


@dataclass(frozen=True)
class ItemState:
    """What an import needs to know of a stored item, without loading its document."""

    item_id: int
    slug: str
    content_hash: str | None
    is_retired: bool


# --- Markdown places ----------------------------------------------------------------------------


def markdown_places(obj: ContentObject) -> Iterator[tuple[str, Text]]:
    """Every Markdown field of `obj` with its place name (the key of `ContentVersion.rendered`)."""
    if isinstance(obj, Framework):
        for skill in obj.skills:
            if skill.description:
                yield f"skills.{skill.id}.description", skill.description
    elif isinstance(obj, Course):
        if obj.summary:
            yield "summary", obj.summary
    elif isinstance(obj, Lesson):
        yield "body", obj.body
    elif isinstance(obj, Quiz):
        for question in obj.questions:
            yield from question_kind(question).markdown_places(question)
    elif isinstance(obj, Scenario):
        if obj.summary:
            yield "summary", obj.summary
        if obj.persona and obj.persona.context:
            yield "persona.context", obj.persona.context
        for node in obj.nodes.values():
            yield from node_kind(node).markdown_places(node)
    elif isinstance(obj, Path):
        for phase in obj.phases:
            if phase.goals:
                yield f"phases.{phase.id}.goals", phase.goals
            for item in phase.items:
                if item.description:
                    yield f"phases.{phase.id}.items.{item.id}.description", item.description


def render_places(obj: ContentObject) -> dict[str, dict[str, str]]:
    """The HTML of every Markdown field of `obj`; raises the first `MarkdownError`."""
    return {place: renderer.render_text_map(text.values) for place, text in markdown_places(obj)}


@dataclass(frozen=True)
class RenderProblem:
    """A Markdown field of an object that the renderer refuses."""

    place: str
    locale: str
    error: renderer.MarkdownError

    @property
    def where(self) -> str:
        """The place with its locale: ``body (zh-CN)``."""
        return f"{self.place} ({self.locale})"


def try_render_places(
    obj: ContentObject,
) -> tuple[dict[str, dict[str, str]], list[RenderProblem]]:
    """Like `render_places`, but every refused field becomes a `RenderProblem`."""
    rendered: dict[str, dict[str, str]] = {}
    problems: list[RenderProblem] = []
    for place, text in markdown_places(obj):
        html: dict[str, str] = {}
        for locale, source in text.values.items():
            try:
                html[locale] = renderer.render_markdown(source)
            except renderer.MarkdownError as error:
                problems.append(RenderProblem(place, locale, error))
        rendered[place] = html
    return rendered, problems


def skill_weights(obj: ContentObject) -> dict[str, float]:
    """The skills an object works on, with summed weights (used for recommendations)."""
    weights: dict[str, float] = {}
    if isinstance(obj, Quiz):
        for question in obj.questions:
            for skill, weight in question.skills.items():
                weights[skill] = weights.get(skill, 0.0) + float(weight)
    elif isinstance(obj, Scenario | Lesson | Course):
        for skill in obj.skills:
            weights[skill] = weights.get(skill, 0.0) + 1.0
    return weights


# --- reading ------------------------------------------------------------------------------------


def find_item(kind: str, slug: str) -> ContentItem | None:
    return db.session.scalar(
        sa.select(ContentItem).where(ContentItem.kind == kind, ContentItem.slug == slug)
    )


def current_version(
    kind: str, slug: str, *, include_retired: bool = False
) -> ContentVersion | None:
    """The current version of a content object, or None if unknown (or retired)."""
    statement = (
        sa.select(ContentVersion)
        .join(ContentVersion.item)
        .where(
            ContentItem.current_version_id == ContentVersion.id,
            ContentItem.kind == kind,
            ContentItem.slug == slug,
        )
        .options(contains_eager(ContentVersion.item))
    )
    if not include_retired:
        statement = statement.where(ContentItem.retired_at.is_(None))
    return db.session.scalar(statement)


def current_versions(
    kind: str, slugs: Iterable[str] | None = None, *, include_retired: bool = False
) -> dict[str, ContentVersion]:
    """Current versions of every live object of `kind` (or of the given slugs), by slug, in one
    query; each version's item is loaded with it (so `load` needs no further query)."""
    statement = (
        sa.select(ContentVersion)
        .join(ContentVersion.item)
        .where(ContentItem.current_version_id == ContentVersion.id, ContentItem.kind == kind)
        .options(contains_eager(ContentVersion.item))
        .order_by(ContentItem.slug)
    )
    if not include_retired:
        statement = statement.where(ContentItem.retired_at.is_(None))
    if slugs is not None:
        statement = statement.where(ContentItem.slug.in_(list(slugs)))
    return {version.item.slug: version for version in db.session.scalars(statement)}


def refs_condition(refs: Iterable[tuple[str, str]]) -> sa.ColumnElement[bool] | None:
    """A WHERE clause on ContentItem matching any of the (kind, slug) pairs; None for none."""
    by_kind: dict[str, set[str]] = {}
    for kind, slug in refs:
        by_kind.setdefault(kind, set()).add(slug)
    if not by_kind:
        return None
    return sa.or_(
        *(
            sa.and_(ContentItem.kind == kind, ContentItem.slug.in_(sorted(slugs)))
            for kind, slugs in sorted(by_kind.items())
        )
    )


def item_states(kind: str, *, lock: bool = False) -> dict[str, ItemState]:
    """Every stored item of `kind` (live and retired) with its current hash, by slug, in one
    query that reads no document. `lock` takes the rows for update (PostgreSQL)."""
    statement = (
        sa.select(
            ContentItem.id, ContentItem.slug, ContentVersion.content_hash, ContentItem.retired_at
        )
        .outerjoin(ContentVersion, ContentItem.current_version_id == ContentVersion.id)
        .where(ContentItem.kind == kind)
    )
    if lock:
        statement = statement.with_for_update(of=ContentItem)
    return {
        slug: ItemState(item_id, slug, digest, retired_at is not None)
        for item_id, slug, digest, retired_at in db.session.execute(statement)
    }


_LOADED: dict[tuple[str, int, str], ContentObject] = {}
_LOADED_LIMIT = 4096


def cached(kind: str, version_id: int, digest: str) -> ContentObject | None:
    """The object of a version already parsed in this process, without reading its row."""
    return _LOADED.get((kind, version_id, digest))


def listed_fields(obj: ContentObject) -> dict:
    """The columns of a version that lists read instead of its document."""
    title = getattr(obj, "title", None)
    return {
        "title": dict(title.values) if isinstance(title, Text) else None,
        "language": getattr(obj, "language", None),
        "course": obj.course_id if isinstance(obj, Lesson) else None,
    }


def load(version: ContentVersion) -> ContentObject:
    """The content object of a version. Versions never change, so parses are cached."""
    kind = version.item.kind
    key = (kind, version.id, version.content_hash)
    obj = _LOADED.get(key)
    if obj is None:
        if len(_LOADED) >= _LOADED_LIMIT:
            _LOADED.clear()
        obj = _LOADED[key] = from_document(kind, version.document)
    return obj


# --- writing ------------------------------------------------------------------------------------


def _lock_item(kind: str, slug: str) -> ContentItem | None:
    return db.session.scalar(
        sa.select(ContentItem)
        .where(ContentItem.kind == kind, ContentItem.slug == slug)
        .with_for_update()
    )


def publish(
    obj: ContentObject,
    *,
    actor: User | None,
    origin: str = "import",
    rendered: dict[str, dict[str, str]] | None = None,
) -> PublishResult:
    """Make `obj` the current version of its item and return what changed.

    Unchanged content writes nothing. A retired item whose current version has the same content
    comes back without a new version; anything else becomes a new, immutable version.
    `rendered` is the HTML of `obj` when the caller has rendered it already (else it is rendered
    here, and a refused field raises `MarkdownError`)."""
    kind = kind_of(obj)
    slug = obj.id
    digest = content_hash(obj)
    item = _lock_item(kind, slug)
    change = Change.CHANGED
    if item is None:
        item = ContentItem(kind=kind, slug=slug)
        db.session.add(item)
        db.session.flush()
        change = Change.ADDED
    elif item.retired_at is not None:
        change = Change.ADDED
    current = item.current_version
    if current is not None and current.content_hash == digest:
        if item.retired_at is None:
            return PublishResult(item, current, Change.UNCHANGED)
        item.retired_at = None
        _sync_side_tables(item, obj)
        db.session.flush()
        return PublishResult(item, current, Change.ADDED)
    number = (
        db.session.scalar(
            sa.select(sa.func.max(ContentVersion.number)).where(ContentVersion.item_id == item.id)
        )
        or 0
    ) + 1
    version = ContentVersion(
        item_id=item.id,
        number=number,
        content_hash=digest,
        document=to_document(obj),
        rendered=rendered if rendered is not None else render_places(obj),
        renderer_version=renderer.RENDERER_VERSION,
        origin=origin,
        created_by_id=actor.id if actor else None,
        **listed_fields(obj),
    )
    version.item = item
    db.session.add(version)
    db.session.flush()
    item.current_version = version
    item.retired_at = None
    _sync_side_tables(item, obj)
    db.session.flush()
    if current is not None:
        content_published(kind, slug)  # progress may read the current version
    return PublishResult(item, version, change)


def _sync_side_tables(item: ContentItem, obj: ContentObject) -> None:
    if isinstance(obj, Framework):
        version = item.current_version
        _sync_skills(obj, version.rendered if version is not None else None)
        return
    db.session.execute(sa.delete(ContentSkillTag).where(ContentSkillTag.item_id == item.id))
    for skill_id, weight in sorted(skill_weights(obj).items()):
        db.session.add(ContentSkillTag(item_id=item.id, skill_id=skill_id, weight=weight))


def _sync_skills(framework: Framework, rendered: dict[str, dict[str, str]] | None = None) -> None:
    existing = {skill.id: skill for skill in db.session.scalars(sa.select(Skill))}
    if rendered is None:
        rendered = render_places(framework)
    for position, skill in enumerate(framework.skills):
        row = existing.pop(skill.id, None) or Skill(id=skill.id)
        row.framework = framework.id
        row.position = position
        row.group = skill.group
        row.name = dict(skill.name.values)
        row.description_html = rendered.get(f"skills.{skill.id}.description", {})
        row.language = framework.language
        row.retired_at = None
        db.session.add(row)
    now = utcnow()
    for row in existing.values():
        if row.retired_at is None:
            row.retired_at = now


def retire(kind: str, slug: str) -> bool:
    """Hide an object from new work; its versions and everything done on them stay."""
    item = _lock_item(kind, slug)
    if item is None or item.retired_at is not None:
        return False
    item.retired_at = utcnow()
    db.session.execute(sa.delete(ContentSkillTag).where(ContentSkillTag.item_id == item.id))
    db.session.flush()
    return True


RERENDER_BATCH = 200


@dataclass
class RerenderReport:
    """What `rerender` did or, with `check`, found: `rendered` versions written (or that would
    be), `differing` versions whose stored HTML is not what the renderer makes now (with the
    places that differ), `refused` versions with a field the renderer now refuses (left as
    they are)."""

    checked: int = 0
    rendered: int = 0
    differing: list[tuple[ContentVersion, list[str]]] = field(default_factory=list)
    refused: list[tuple[ContentVersion, list[RenderProblem]]] = field(default_factory=list)
    # rows of the registered columns (`lms.content.rendered`), with `force` or `check`
    rows_checked: int = 0
    rows_differing: list[tuple[str, int]] = field(default_factory=list)
    rows_refused: list[tuple[str, int, renderer.MarkdownError]] = field(default_factory=list)


def _differing_places(stored: dict | None, fresh: dict[str, dict[str, str]]) -> list[str]:
    stored = stored or {}
    places = sorted(set(stored) | set(fresh))
    out: list[str] = []
    for place in places:
        old, new = stored.get(place) or {}, fresh.get(place) or {}
        for locale in sorted(set(old) | set(new)):
            if old.get(locale) != new.get(locale):
                out.append(f"{place} ({locale})")
    return out


def rerender(*, force: bool = False, check: bool = False) -> RerenderReport:
    """Render the Markdown of content versions again. By default only versions made with
    another renderer version are re-rendered; `force` re-renders every version (and so repairs
    stored HTML that differs from a fresh render); `check` renders every version, writes
    nothing and reports the versions whose stored HTML differs. Rendered HTML is derived data,
    so this does not break the immutability of versions. The stored skills follow the current
    framework version. A version with a field the renderer refuses keeps its HTML and is
    reported."""
    statement = sa.select(ContentVersion.id).order_by(ContentVersion.id)
    if not force and not check:
        statement = statement.where(ContentVersion.renderer_version != renderer.RENDERER_VERSION)
    ids = list(db.session.scalars(statement))
    report = RerenderReport()
    for start in range(0, len(ids), RERENDER_BATCH):
        batch = ids[start : start + RERENDER_BATCH]
        versions = db.session.scalars(
            sa.select(ContentVersion)
            .join(ContentVersion.item)
            .where(ContentVersion.id.in_(batch))
            .options(contains_eager(ContentVersion.item))
            .order_by(ContentVersion.id)
        )
        for version in versions:
            report.checked += 1
            obj = load(version)
            fresh, problems = try_render_places(obj)
            if problems:
                report.refused.append((version, problems))
                continue
            differing = _differing_places(version.rendered, fresh)
            if differing:
                report.differing.append((version, differing))
            if check:
                continue
            version.rendered = fresh
            version.renderer_version = renderer.RENDERER_VERSION
            report.rendered += 1
            item = version.item
            if (
                isinstance(obj, Framework)
                and item.current_version_id == version.id
                and item.retired_at is None
            ):
                _sync_skills(obj, version.rendered)
        db.session.flush()
    if force or check:
        for column in RENDERED_COLUMNS:
            _rerender_rows(column, report, check=check)
    return report


def _rerender_rows(column: RenderedColumn, report: RerenderReport, *, check: bool) -> None:
    """Render the Markdown of every row of a registered column again; write the HTML that
    differs unless `check`."""
    model = column.model
    source, html = getattr(model, column.source), getattr(model, column.html)
    last = 0
    while True:
        rows = db.session.execute(
            sa.select(model.id, source, html)
            .where(model.id > last, html.is_not(None))
            .order_by(model.id)
            .limit(RERENDER_BATCH)
        ).all()
        if not rows:
            return
        for row_id, text, stored in rows:
            report.rows_checked += 1
            try:
                fresh = renderer.render_markdown(text or "")
            except renderer.MarkdownError as error:
                report.rows_refused.append((column.label, row_id, error))
                continue
            if fresh == stored:
                continue
            report.rows_differing.append((column.label, row_id))
            if not check:
                db.session.execute(
                    sa.update(model).where(model.id == row_id).values({column.html: fresh})
                )
        last = rows[-1][0]
