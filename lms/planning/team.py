"""What the manager's team pages take from planning: the plan-completion column of /team and the
planning section of /team/<user_id>. Both read the daily rollup only."""

from __future__ import annotations

from collections.abc import Sequence

from lms.people.models import User
from lms.planning.measures import TARGETS, recent_completion_by_user
from lms.planning.pages import member_planning
from lms.planning.services import REASONS
from lms.timeutil import utcnow

COLUMN_DAYS = 7


def plan_completion_column(people: Sequence[User]) -> dict[int, float | None]:
    """Each person's plan completion over the last 7 days of their own calendar, one query: the
    same value as the week on their member page."""
    return recent_completion_by_user(people, utcnow(), COLUMN_DAYS)


def member_context(person: User) -> dict:
    return {
        "planning": member_planning(person, utcnow()),
        "planning_targets": TARGETS,
        "planning_reasons": REASONS,
    }
