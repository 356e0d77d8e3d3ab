"""Open drill replies of one hire waiting for review, when the drills feature is installed; the
skills a hire has evidence for, for a hire who is not on a path."""

from __future__ import annotations

from lms.auth.permissions import can_review_reply
from lms.content.model import Text
from lms.extensions import db
from lms.onboarding.status import content_titles


def open_replies_of(reviewer, person, limit: int = 10) -> list[tuple[object, Text]]:
    """The hire's pending open replies with their drill's title, oldest first, if `reviewer`
    may review them; two queries."""
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
    replies = list(db.session.scalars(statement).unique())
    titles = content_titles(("scenario", reply.run.item.slug) for reply in replies)
    return [
        (reply, titles.get(("scenario", reply.run.item.slug)) or Text({"en": reply.run.item.slug}))
        for reply in replies
    ]


def assessed_skills(user_id: int, on) -> list:
    """The hire's skills with evidence (mastery, or not enough evidence yet), framework order."""
    from lms.skills.services import skill_overview

    return [row for row in skill_overview(user_id, on) if row.state.count > 0]
