"""What the onboarding and team pages show, gathered in a bounded number of queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.orm import defer, joinedload, lazyload

from lms.auth.permissions import team_member_ids_query
from lms.content.models import ContentVersion
from lms.extensions import db
from lms.notifications.kinds import reader_content_locale
from lms.onboarding import standing
from lms.onboarding.models import CheckIn, CheckInGoal, Enrollment, HireSummary, SignOff
from lms.onboarding.services import (
    checkins_of,
    newer_version_number,
)
from lms.onboarding.status import Health, HireStatus, ItemStatus, load_statuses, skill_names
from lms.people.models import User

ITEM_ENDPOINTS = {
    "course": ("courses.detail", "course_id"),
    "lesson": ("courses.lesson_by_id", "lesson_id"),
    "quiz": ("quizzes.intro", "quiz_id"),
    "scenario": ("scenarios.briefing", "scenario_id"),
}


def item_url(item: ItemStatus) -> str | None:
    """The page of a course, lesson, quiz or drill item, when that page exists."""
    found = ITEM_ENDPOINTS.get(item.kind)
    if found is None or found[0] not in current_app.view_functions:
        return None
    endpoint, argument = found
    return url_for(endpoint, **{argument: item.item.ref})


def signoffs_of(user_ids: Iterable[int]) -> dict[int, list[SignOff]]:
    """Every sign-off (in force and withdrawn) of the given people, newest first, one query."""
    ids = sorted(set(user_ids))
    result: dict[int, list[SignOff]] = {user_id: [] for user_id in ids}
    if not ids:
        return result
    rows = db.session.scalars(
        sa.select(SignOff)
        .where(SignOff.user_id.in_(ids))
        .options(
            joinedload(SignOff.signed_by).lazyload(User.role_rows),
            joinedload(SignOff.undone_by).lazyload(User.role_rows),
        )
        .order_by(SignOff.signed_at.desc(), SignOff.id.desc())
    )
    for signoff in rows:
        result[signoff.user_id].append(signoff)
    return result


@dataclass
class HirePage:
    """One hire's path as the hire and their manager see it."""

    person: User
    enrollment: Enrollment
    status: HireStatus
    signoffs: list[SignOff]
    checkins: list[CheckIn]
    newer_version: int | None = None

    @property
    def version(self):
        return self.enrollment.path_version

    def signoff(self, item_id: str) -> SignOff | None:
        for signoff in self.signoffs:
            if (
                signoff.item_id == item_id
                and signoff.path_slug == self.status.path.id
                and not signoff.is_undone
            ):
                return signoff
        return None

    def withdrawn(self, item_id: str) -> list[SignOff]:
        return [
            signoff
            for signoff in self.signoffs
            if signoff.item_id == item_id
            and signoff.path_slug == self.status.path.id
            and signoff.is_undone
        ]

    def checkin(self, item_id: str) -> CheckIn | None:
        for checkin in self.checkins:
            if checkin.item_id == item_id and checkin.path_slug == self.status.path.id:
                return checkin
        return None

    @property
    def open_goals(self) -> list[CheckInGoal]:
        return [
            goal
            for checkin in self.checkins
            if checkin.path_slug == self.status.path.id
            for goal in checkin.goals
            if goal.outcome is None
        ]

    def reviewed_goals(self, checkin: CheckIn) -> list[CheckInGoal]:
        """Goals of earlier check-ins whose outcome was recorded at `checkin`."""
        return [
            goal
            for earlier in self.checkins
            for goal in earlier.goals
            if goal.reviewed_in_id == checkin.id
        ]

    @property
    def recent_activity(self) -> list[tuple[datetime, ItemStatus]]:
        found = [
            (item.progress.last_activity_at, item)
            for item in self.status.items
            if item.progress.last_activity_at is not None
        ]
        found.sort(key=lambda pair: pair[0], reverse=True)
        return found[:8]


def hire_status(person_id: int, on: date) -> tuple[Enrollment, HireStatus] | None:
    """The hire's active enrollment and status on `on`: the engine's evaluation of their stored
    inputs (no activity table read; the path decoded at most once), or from the raw records when
    nothing is stored yet. None when they are not enrolled."""
    found = db.session.execute(
        sa.select(Enrollment, HireSummary, ContentVersion.content_hash)
        .join(ContentVersion, ContentVersion.id == Enrollment.path_version_id)
        .outerjoin(
            HireSummary,
            sa.and_(
                HireSummary.user_id == Enrollment.user_id,
                HireSummary.enrollment_id == Enrollment.id,
            ),
        )
        .where(Enrollment.user_id == person_id, Enrollment.ended_at.is_(None))
        .options(joinedload(Enrollment.path_item))
    ).first()
    if found is None:
        return None
    enrollment, row, digest = found
    if row is None or row.path_version_id != enrollment.path_version_id:
        return enrollment, load_statuses([enrollment], on)[person_id]
    version_id = enrollment.path_version_id
    path = standing.paths_by_version([version_id], {version_id: digest})[version_id]
    skills = {skill for phase in path.phases for skill in phase.targets}
    status = standing.status_from_row(
        row,
        path,
        on,
        titles=standing.titles_for(path),
        names=skill_names(skills) if skills else {},
    )
    status.extra["enrollment"] = enrollment
    return enrollment, status


def hire_page(person: User, on: date, *, signoffs: bool = True) -> HirePage | None:
    """The hire's path page data, or None when they are not enrolled (without sign-offs when
    `signoffs` is false: the home page does not show them)."""
    found = hire_status(person.id, on)
    if found is None:
        return None
    enrollment, status = found
    return HirePage(
        person=person,
        enrollment=enrollment,
        status=status,
        signoffs=signoffs_of([person.id])[person.id] if signoffs else [],
        checkins=checkins_of([person.id])[person.id],
        newer_version=newer_version_number(enrollment),
    )


# --- the team ----------------------------------------------------------------------------------


@dataclass
class TeamRow:
    person: User
    status: standing.Standing | None

    @property
    def health(self) -> Health | None:
        return None if self.status is None else self.status.health

    @property
    def health_rank(self) -> int:
        return -1 if self.status is None else self.status.health.rank

    @property
    def overdue_count(self) -> int:
        return 0 if self.status is None else self.status.overdue_count

    @property
    def below_count(self) -> int:
        return 0 if self.status is None else self.status.below_count

    @property
    def percent(self) -> int:
        return 0 if self.status is None else self.status.percent

    @property
    def day(self) -> int | None:
        return None if self.status is None else self.status.day

    @property
    def last_activity(self) -> datetime | None:
        values = [self.person.last_login_at]
        if self.status is not None:
            values.append(self.status.last_activity_at)
        present = [value for value in values if value is not None]
        return max(present, default=None)


# Each sort's natural order: the rows that need attention first.
SORTS = {
    "status": lambda row: (-row.health_rank, -row.overdue_count, -row.below_count, row.person.name),
    "name": lambda row: (row.person.name.lower(), row.person.id),
    "day": lambda row: (-(row.day if row.day is not None else -(10**6)), row.person.name),
    "progress": lambda row: (row.percent, row.person.name),
    "overdue": lambda row: (-row.overdue_count, row.person.name),
    "below": lambda row: (-row.below_count, row.person.name),
    "activity": lambda row: (
        (row.last_activity or datetime.min).isoformat(),
        row.person.name,
    ),
}
FILTERS = ("all", "behind", "at_risk", "on_track", "not_enrolled")


PAGE_SIZE = 50


@dataclass
class TeamGroup:
    """A first-line manager's team within a larger organisation, with its status counts."""

    manager: User | None
    counts: dict[str, int]

    @property
    def size(self) -> int:
        return sum(self.counts.values())

    @property
    def worst_first(self) -> tuple:
        return (
            -self.counts.get("behind", 0),
            -self.counts.get("at_risk", 0),
            self.manager.name if self.manager else "",
        )


@dataclass
class TeamView:
    rows: list[TeamRow]  # the page shown
    total: int
    counts: dict[str, int] = field(default_factory=dict)
    matching: int = 0  # rows after filters, over every page
    page: int = 1
    pages: int = 1
    groups: list[TeamGroup] = field(default_factory=list)  # only when there are several teams


def team_members(manager_id: int) -> list[User]:
    return [member for member, _, _ in team_members_with_rows(manager_id)]


def team_members_with_rows(manager_id: int) -> list[tuple[User, HireSummary | None, str | None]]:
    """The manager's people with their stored status rows (without the engine's inputs) and the
    content hash of their path version, in one query."""
    return [
        tuple(found)  # type: ignore[misc]
        for found in db.session.execute(
            sa.select(User, HireSummary, ContentVersion.content_hash)
            .outerjoin(HireSummary, HireSummary.user_id == User.id)
            .outerjoin(ContentVersion, ContentVersion.id == HireSummary.path_version_id)
            .options(
                lazyload(User.role_rows),
                joinedload(User.manager).lazyload(User.role_rows),
                defer(HireSummary.inputs),
            )
            .where(User.id.in_(team_member_ids_query(manager_id)), User.active.is_(True))
            .order_by(User.name, User.id)
        )
    ]


def stored_rows(statement: sa.Select, on: date) -> list[TeamRow]:
    """Rows of people (a `select(User)` with its filters and order) with their stored statuses,
    in one query plus those of `standing.standings`: no activity table read."""
    found = db.session.execute(
        statement.add_columns(HireSummary, ContentVersion.content_hash)
        .outerjoin(HireSummary, HireSummary.user_id == User.id)
        .outerjoin(ContentVersion, ContentVersion.id == HireSummary.path_version_id)
        .options(defer(HireSummary.inputs))
    ).all()
    stored = [row for _, row, _ in found if row is not None]
    hashes = {row.path_version_id: digest for _, row, digest in found if row is not None}
    statuses = standing.standings(stored, on, reader_content_locale(), hashes)
    return [TeamRow(person, statuses.get(person.id)) for person, _, _ in found]


def _status_key(row: TeamRow) -> str:
    return row.health.value if row.health else "not_enrolled"


def team_view(
    manager_id: int,
    on: date,
    *,
    sort: str = "status",
    reverse: bool = False,
    status_filter: str = "all",
    query: str = "",
    page: int = 1,
    team: int | None = None,
    page_size: int | None = PAGE_SIZE,
) -> TeamView:
    """The manager's team with each hire's status, sorted (each sort's natural order puts who
    needs attention first; `reverse` flips it), filtered (by status, name, and first-line
    manager `team`) and cut in pages of `page_size`; a fixed number of queries however large
    the team (`page_size` None: one page). With several teams below, `groups` counts each one's
    statuses, worst first."""
    found = team_members_with_rows(manager_id)
    members = [member for member, _, _ in found]
    stored = [row for _, row, _ in found if row is not None]
    hashes = {row.path_version_id: digest for _, row, digest in found if row is not None}
    statuses = standing.standings(stored, on, reader_content_locale(), hashes)
    rows = [TeamRow(member, statuses.get(member.id)) for member in members]
    counts = {name: 0 for name in FILTERS}
    counts["all"] = len(rows)
    by_team: dict[int | None, TeamGroup] = {}
    for row in rows:
        key = _status_key(row)
        counts[key] += 1
        group = by_team.setdefault(
            row.person.manager_id, TeamGroup(row.person.manager, {name: 0 for name in FILTERS[1:]})
        )
        group.counts[key] += 1
    groups = sorted(by_team.values(), key=lambda group: group.worst_first)
    if team is not None:
        rows = [row for row in rows if row.person.manager_id == team]
    if status_filter in FILTERS and status_filter != "all":
        rows = [row for row in rows if _status_key(row) == status_filter]
    needle = query.strip().lower()
    if needle:
        rows = [
            row
            for row in rows
            if needle in row.person.name.lower() or needle in row.person.email.lower()
        ]
    rows.sort(key=SORTS.get(sort, SORTS["status"]), reverse=reverse)
    size = page_size or max(1, len(rows))  # None: every row on one page
    pages = max(1, -(-len(rows) // size))
    page = min(max(1, page), pages)
    return TeamView(
        rows=rows[(page - 1) * size : page * size],
        total=len(members),
        counts=counts,
        matching=len(rows),
        page=page,
        pages=pages,
        groups=groups if len(groups) > 1 else [],
    )


def people_by_id(user_ids: Sequence[int]) -> dict[int, User]:
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
