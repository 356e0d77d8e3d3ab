"""Open drill replies of one hire waiting for review, when the drills feature is installed."""

from __future__ import annotations

from lms.auth.permissions import can_review_reply
from lms.extensions import db


def open_replies_of(reviewer, person, limit: int = 10) -> list:
    """The hire's pending open replies, oldest first, if `reviewer` may review them."""
    try:
        from lms.scenarios.models import OpenReply
        from lms.scenarios.services import pending_replies_query
    except ImportError:  # pragma: no cover - drills not installed
        return []
    if not can_review_reply(reviewer, person):
        return []
    statement = (
        pending_replies_query(team_of=None).where(OpenReply.user_id == person.id).limit(limit)
    )
    return list(db.session.scalars(statement).unique())
