"""The learner's home (/learn): what is overdue and due this week, the next best activity for
the largest skill gap, feedback received, and the next check-in."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from lms.notifications.kinds import feedback_kinds, reader_content_locale
from lms.notifications.services import message_of, recent
from lms.onboarding.pages import hire_page
from lms.timeutil import today

DUE_SOON_DAYS = 7
SCORED = ("quiz", "scenario")


def _recommendations(user_id: int, on) -> list:
    try:
        from lms.skills.services import recommend_next
    except ImportError:  # pragma: no cover - skills engine not installed
        return []
    return recommend_next(user_id, 3, on=on)


def failed_overdue(status) -> list:
    """Overdue quizzes and drills the hire has tried and not passed: they lead "next best
    activity", before any skill recommendation."""
    if status is None:
        return []
    return [item for item in status.overdue if item.kind in SCORED and item.progress.attempts > 0]


def render_learner_home():
    on = today()
    page = hire_page(current_user, on, signoffs=False)
    return render_template(
        "onboarding/learn.html",
        page=page,
        status=page.status if page else None,
        due_soon=page.status.due_within(DUE_SOON_DAYS) if page else [],
        recommendations=_recommendations(current_user.id, on),
        retry=failed_overdue(page.status if page else None),
        feedback=recent(current_user.id, kinds=feedback_kinds(), limit=5),
        message_of=message_of,
        locale=reader_content_locale(),
        on=on,
        plan_card=_plan_card(),
    )


def _plan_card():
    from lms.planning.pages import today_card
    from lms.timeutil import utcnow

    return today_card(current_user, utcnow())
