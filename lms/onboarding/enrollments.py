"""Onboarding enrollments: enrolling hires on the current version of a path (pinned), moving
them to a newer version, finding path items, and the skill-target source (the targets of the phase
a hire is in). Services take explicit arguments, flush, audit what managers do, and return the
object; the caller commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from lms.audit.services import record
from lms.content.model import Path, PathItem, Phase, Text
from lms.content.models import ContentItem, ContentVersion
from lms.content.store import current_version, current_versions, load
from lms.extensions import db
from lms.notifications.services import notify
from lms.onboarding.models import (
    Enrollment,
)
from lms.onboarding.status import (
    enrollments_query,
    path_of,
    phase_on,
)
from lms.people.models import User
from lms.progress import ItemProgress, changes_progress
from lms.skills.targets import register_scope_source, register_target_source
from lms.timeutil import utcnow

MAX_COMMENT = 4000
MAX_REASON = 1000
MAX_NOTES = 8000
MAX_GOALS = 5
MAX_ACTIONS = 8
MIN_GOAL_TEXT = 10
AFTER_LAST_PHASE_DAYS = 90
SIGNOFF_RATINGS = {"below": 0.5, "meets": 0.8, "above": 1.0}


class OnboardingError(ValueError):
    """A change the onboarding rules refuse; `field` names the form field at fault."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


# --- enrollments -------------------------------------------------------------------------------


def active_enrollment(user_id: int, *, lock: bool = False) -> Enrollment | None:
    statement = enrollments_query().where(Enrollment.user_id == user_id)
    if lock:
        statement = statement.with_for_update(of=Enrollment)
    return db.session.scalar(statement)


def active_enrollments(user_ids: Iterable[int]) -> list[Enrollment]:
    """Active enrollments of the given people, with their path versions, in one query."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    return list(db.session.scalars(enrollments_query().where(Enrollment.user_id.in_(ids))).unique())


def live_paths() -> dict[str, Path]:
    """Every live path by id (for the enrollment forms)."""
    return {slug: load(version) for slug, version in current_versions("path").items()}  # type: ignore[misc]


def live_path_titles() -> list[tuple[str, Text, str]]:
    """(id, title, language) of every live path, from the title columns (no document read)."""
    rows = db.session.execute(
        sa.select(ContentItem.slug, ContentVersion.title, ContentVersion.language)
        .join(ContentItem, ContentItem.current_version_id == ContentVersion.id)
        .where(ContentItem.kind == "path", ContentItem.retired_at.is_(None))
        .order_by(ContentItem.slug)
    )
    return [
        (slug, Text.of(title or {}, language or "en"), language or "en")
        for slug, title, language in rows
    ]


def _path_version(path_slug: str):
    version = current_version("path", path_slug)
    if version is None:
        raise OnboardingError(_l("There is no onboarding path “%(path)s”.", path=path_slug), "path")
    return version


def enroll(
    user: User,
    path_slug: str,
    *,
    actor: User | None,
    start_date: date | None = None,
    replace: bool = False,
    now: datetime | None = None,
) -> Enrollment:
    """Enroll `user` on the current version of a path, pinned, starting on `start_date` (default:
    the person's start date, else today). An active enrollment on another path is ended only when
    `replace` is true; one on the same path is an error."""
    now = now or utcnow()
    version = _path_version(path_slug)
    if not user.active:
        raise OnboardingError(_l("%(name)s is deactivated.", name=user.name), "user")
    start = start_date or user.start_date or now.date()
    existing = active_enrollment(user.id, lock=True)
    if existing is not None:
        if existing.path_item_id == version.item_id:
            raise OnboardingError(
                _l("%(name)s is already enrolled on this path.", name=user.name), "path"
            )
        if not replace:
            raise OnboardingError(
                _l(
                    "%(name)s is enrolled on another path; choose to replace it.",
                    name=user.name,
                ),
                "replace",
            )
        existing.ended_at = now
        db.session.flush()
    enrollment = Enrollment(
        user_id=user.id,
        path_item_id=version.item_id,
        path_version_id=version.id,
        start_date=start,
        enrolled_by_id=actor.id if actor else None,
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(enrollment)
            db.session.flush()
    except sa.exc.IntegrityError:
        raise OnboardingError(
            _l("%(name)s was enrolled by someone else just now.", name=user.name), "path"
        ) from None
    path = load(version)
    record(
        "onboarding.enrolled",
        actor=actor,
        subject=user,
        path=path_slug,
        version=version.number,
        start=start.isoformat(),
        replaced=existing.id if existing is not None else None,
    )
    notify(user.id, "enrolled", link="/onboarding", now=now, path=path.title, start=start)
    return enrollment


@dataclass
class EnrollResult:
    enrolled: list[Enrollment] = field(default_factory=list)
    skipped: list[tuple[User, str]] = field(default_factory=list)


def enroll_many(
    users: Sequence[User],
    path_slug: str,
    *,
    actor: User | None,
    start_date: date | None = None,
    replace: bool = False,
    now: datetime | None = None,
) -> EnrollResult:
    """Enroll several people at once; those who cannot be enrolled are listed with the reason,
    the others are enrolled."""
    _path_version(path_slug)
    result = EnrollResult()
    for user in users:
        try:
            with db.session.begin_nested():
                result.enrolled.append(
                    enroll(
                        user,
                        path_slug,
                        actor=actor,
                        start_date=start_date,
                        replace=replace,
                        now=now,
                    )
                )
        except OnboardingError as error:
            result.skipped.append((user, f"{user.name}: {error}"))
    return result


def upgrade_enrollment(
    enrollment: Enrollment, *, actor: User | None, now: datetime | None = None
) -> Enrollment:
    """Move an enrollment to the newest version of its path. Sign-offs, check-ins and content
    progress belong to the hire and the item ids, so everything done stays done."""
    version = _path_version(enrollment.path_item.slug)
    if version.id == enrollment.path_version_id:
        raise OnboardingError(_l("This enrollment is already on the newest version."), "path")
    old = enrollment.path_version
    enrollment.path_version_id = version.id
    enrollment.path_version = version
    db.session.flush()
    record(
        "onboarding.upgraded",
        actor=actor,
        subject=enrollment.user,
        path=enrollment.path_item.slug,
        from_version=old.number if old else None,
        to_version=version.number,
    )
    notify(
        enrollment.user_id, "path_upgraded", link="/onboarding", now=now, path=load(version).title
    )
    return enrollment


def newer_version_number(enrollment: Enrollment) -> int | None:
    """The number of a newer current version of the enrollment's path, if there is one."""
    item = enrollment.path_item
    if item.current_version_id in (None, enrollment.path_version_id) or item.retired_at:
        return None
    return item.current_version.number if item.current_version else None


# --- finding items -----------------------------------------------------------------------------


def find_item(path: Path, item_id: str) -> tuple[Phase, PathItem] | None:
    for phase in path.phases:
        for item in phase.items:
            if item.id == item_id:
                return phase, item
    return None


def _item_of(
    enrollment: Enrollment | None, item_id: str, kind: str
) -> tuple[Path, Phase, PathItem]:
    if enrollment is None:
        raise OnboardingError(_l("This person is not enrolled on an onboarding path."), "item")
    path = path_of(enrollment)
    found = find_item(path, item_id)
    if found is None or found[1].kind != kind:
        raise OnboardingError(_l("There is no such item on this person's path."), "item")
    return path, found[0], found[1]


# --- progress helpers and targets ---------------------------------------------------------------


def _split_slugs(slugs: Sequence[str]) -> tuple[set[str], set[str]]:
    wanted = set(slugs)
    paths = {slug.partition("/")[0] for slug in wanted}
    return wanted, paths


def _done_when(rows, wanted: set[str]) -> dict[tuple[int, str], ItemProgress]:
    """Progress of (user, `<path>/<item>`) from rows of (user id, path, item, done at)."""
    found = {}
    for user_id, path_slug, item_id, done_at in rows:
        slug = f"{path_slug}/{item_id}"
        if slug in wanted:
            found[(user_id, slug)] = ItemProgress(
                started=True, done=True, done_at=done_at, last_activity_at=done_at
            )
    return found


def enrolled_paths(user_ids: Iterable[int]) -> dict[int, tuple[date, Path]]:
    """Each enrolled hire's start date and path, by user id: one query that reads no document
    (paths parsed before in this process are reused, see `standing.paths_by_version`). A page
    asks for this several times (targets, scope), so a GET request keeps the answer."""
    from flask import g, has_request_context, request

    from lms.onboarding.standing import paths_by_version

    ids = tuple(sorted(set(user_ids)))
    if not ids:
        return {}
    memo = None
    if has_request_context() and request.method == "GET":
        memo = g.setdefault("enrolled_paths", {})
        if ids in memo:
            return memo[ids]
    rows = db.session.execute(
        sa.select(
            Enrollment.user_id,
            Enrollment.start_date,
            Enrollment.path_version_id,
            ContentVersion.content_hash,
        )
        .join(ContentVersion, ContentVersion.id == Enrollment.path_version_id)
        .where(Enrollment.user_id.in_(ids), Enrollment.ended_at.is_(None))
    ).all()
    paths = paths_by_version(
        (row.path_version_id for row in rows),
        {row.path_version_id: row.content_hash for row in rows},
    )
    found = {
        row.user_id: (row.start_date, paths[row.path_version_id])
        for row in rows
        if row.path_version_id in paths
    }
    if memo is not None:
        memo[ids] = found
    return found


@register_target_source
def phase_targets(user_ids: Sequence[int], on: date) -> dict[int, dict[str, float]]:
    """The skill targets of the phase each enrolled hire is in on `on` (the last phase's after
    the path ends; none before the start)."""
    result: dict[int, dict[str, float]] = {}
    for user_id, (start, path) in enrolled_paths(user_ids).items():
        phase = phase_on(path, start, on)
        if phase is not None and phase.targets:
            result[user_id] = {skill: float(v) for skill, v in phase.targets.items()}
    return result


@register_scope_source
def path_skills(user_ids: Sequence[int]) -> dict[int, set[str]]:
    """The skills any phase of each enrolled hire's path targets."""
    return {
        user_id: {skill for phase in path.phases for skill in phase.targets}
        for user_id, (_start, path) in enrolled_paths(user_ids).items()
    }


changes_progress(Enrollment)
