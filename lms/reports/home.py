"""The counts in the staff header: replies waiting for review, check-ins due this week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import g

from lms.auth.permissions import Permission, has_permission, team_member_ids_query
from lms.content.models import ContentVersion
from lms.extensions import db
from lms.onboarding.models import HireSummary
from lms.onboarding.standing import paths_by_version
from lms.onboarding.status import ItemState, due_date, item_day


@dataclass(frozen=True)
class StaffCounts:
    replies: int
    checkins: int

    @property
    def any(self) -> bool:
        return bool(self.replies or self.checkins)


def pending_reply_count(user) -> int:
    """Open drill replies waiting for this user's review: a trainer's everyone's, a manager's
    their team's; one query."""
    if not has_permission(user, Permission.REVIEW_REPLIES):
        return 0
    try:
        from lms.scenarios.models import OpenReply, ReplyStatus
    except ImportError:  # pragma: no cover - drills not installed
        return 0
    statement = sa.select(sa.func.count(OpenReply.id)).where(
        OpenReply.status == ReplyStatus.PENDING, OpenReply.user_id != user.id
    )
    if not has_permission(user, Permission.REVIEW_ANY_REPLY):
        statement = statement.where(OpenReply.user_id.in_(team_member_ids_query(user.id)))
    return int(db.session.scalar(statement) or 0)


def checkins_due_this_week(user, on: date) -> int:
    """Check-ins of the manager's team due from Monday to Sunday of this week and not held yet,
    from the stored statuses (`lms.onboarding.standing`): one query, no path document read per
    hire."""
    if not has_permission(user, Permission.VIEW_TEAM):
        return 0
    rows = db.session.execute(
        sa.select(
            HireSummary.path_version_id,
            HireSummary.start_date,
            HireSummary.summary,
            ContentVersion.content_hash,
        )
        .join(ContentVersion, ContentVersion.id == HireSummary.path_version_id)
        .where(HireSummary.user_id.in_(team_member_ids_query(user.id)))
    ).all()
    if not rows:
        return 0
    paths = paths_by_version(
        (row.path_version_id for row in rows),
        {row.path_version_id: row.content_hash for row in rows},
    )
    monday = on - timedelta(days=on.weekday())
    sunday = monday + timedelta(days=6)
    due = 0
    for version_id, start, summary, _digest in rows:
        path = paths.get(version_id)
        if path is None:
            continue
        states = (summary or {}).get("items") or {}
        for phase in path.phases:
            for item in phase.items:
                if item.kind != "checkin":
                    continue
                if not monday <= due_date(start, item_day(item, phase)) <= sunday:
                    continue
                if (states.get(item.id) or [None])[0] != ItemState.DONE.value:
                    due += 1
    return due


def staff_counts(user, on: date) -> StaffCounts | None:
    """The header's counts, computed once per request; None for people without a staff role."""
    if not (
        has_permission(user, Permission.VIEW_TEAM)
        or has_permission(user, Permission.REVIEW_REPLIES)
    ):
        return None
    cached = g.get("_staff_counts")
    if cached is None:
        cached = StaffCounts(pending_reply_count(user), checkins_due_this_week(user, on))
        g._staff_counts = cached
    return cached
