"""The counts in the staff header: replies waiting for review, check-ins due this week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import g

from lms.auth.permissions import Permission, has_permission, team_member_ids_query
from lms.extensions import db
from lms.onboarding.models import HireSummary


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
    from the stored statuses (`lms.onboarding.standing` keeps each hire's open check-ins): one
    query that reads only that part of each stored row."""
    if not has_permission(user, Permission.VIEW_TEAM):
        return 0
    monday = on - timedelta(days=on.weekday())
    first, last = monday.isoformat(), (monday + timedelta(days=6)).isoformat()
    dues = db.session.scalars(
        sa.select(HireSummary.summary["open_checkins"]).where(
            HireSummary.user_id.in_(team_member_ids_query(user.id))
        )
    )
    return sum(1 for found in dues for due in found or () if first <= due <= last)


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
