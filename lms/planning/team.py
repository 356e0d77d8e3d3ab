"""What the manager's team pages take from planning: the plan-completion column of /team and the
planning section of /team/<user_id>. Both read the daily rollup only."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from lms.people.models import User
from lms.planning import clock
from lms.planning.measures import TARGETS, completion_by_user
from lms.planning.pages import member_planning
from lms.planning.services import REASONS
from lms.timeutil import utcnow

COLUMN_DAYS = 7


def plan_completion_column(people: Sequence[User]) -> dict[int, float | None]:
    """Each person's plan completion over the last 7 days (their own calendar), one query.
    The window is taken in the company's default time zone, so a team spread over time zones
    shares one window."""
    today = clock.local_day(None, utcnow())
    first = today - timedelta(days=COLUMN_DAYS - 1)
    return completion_by_user([person.id for person in people], first, today)


def member_context(person: User) -> dict:
    return {
        "planning": member_planning(person, utcnow()),
        "planning_targets": TARGETS,
        "planning_reasons": REASONS,
    }
