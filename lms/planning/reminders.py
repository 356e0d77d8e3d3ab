"""The planning part of the daily run of `lms remind`: refresh the execution rollup of every
active hire's yesterday and today, and nudge (in-app, and so in the daily e-mail digest)

- **no plan yet**: on a working day, from 10:00 to 17:00 in the hire's time zone, when today has
  no plan (a run outside those hours leaves it to the next run);
- **review due**: when yesterday's plan is not reviewed and noon (the deadline) has not passed,
  or from 17:00 when today's plan is not reviewed.

Each nudge has a key per hire and day, so the run can be repeated (hourly, say, to land close to
10:00 in every time zone) without sending anything twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.extensions import db
from lms.notifications.kinds import Params, day, register_kind
from lms.notifications.services import notify_once
from lms.onboarding.models import Enrollment
from lms.people.models import User
from lms.planning import clock
from lms.planning.measures import refresh_days
from lms.planning.models import DayPlan

BATCH = 500


@register_kind("plan_missing")
def _plan_missing(p: Params) -> str:
    return _(
        "You have not planned today (%(date)s) yet: two minutes now save the day.",
        date=day(p.get("day")),
    )


@register_kind("review_due")
def _review_due(p: Params) -> str:
    return _(
        "Review your plan of %(date)s: what got done, what moved and why.", date=day(p.get("day"))
    )


@dataclass
class PlanningRun:
    refreshed: int = 0
    nudges: int = 0


def active_hires() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Enrollment, Enrollment.user_id == User.id)
            .where(Enrollment.ended_at.is_(None), User.active.is_(True))
            .order_by(User.id)
        )
    )


def nudges_for(user: User, plans: dict, now: datetime) -> list[tuple[str, str, str, object]]:
    """(kind, key, link, day) of the nudges a hire is due at `now` (see the module's rules)."""
    local = clock.local_now(user, now)
    today = local.date()
    found = []
    plan = plans.get((user.id, today))
    if clock.is_working_day(today) and clock.PLAN_BY <= local.time() < clock.REVIEW_FROM:
        if plan is None or plan.planned_at is None:
            found.append(("plan_missing", f"plan-missing:{today}", "/plan", today))
    yesterday = plans.get((user.id, today - timedelta(days=1)))
    if yesterday is not None and yesterday.planned_at and yesterday.reviewed_at is None:
        if now <= clock.review_deadline(user, yesterday.day):
            link = f"/plan/review?day={yesterday.day.isoformat()}"
            found.append(("review_due", f"review-due:{yesterday.day}", link, yesterday.day))
    if plan is not None and plan.planned_at and plan.reviewed_at is None:
        if local.time() >= clock.REVIEW_FROM:
            found.append(("review_due", f"review-due:{today}", "/plan/review", today))
    return found


def run_planning(now: datetime) -> PlanningRun:
    """Refresh the rollup of every active hire's yesterday and today and create the nudges due;
    commits per batch."""
    report = PlanningRun()
    hires = active_hires()
    for start in range(0, len(hires), BATCH):
        batch = hires[start : start + BATCH]
        days = {}
        for user in batch:
            today = clock.local_day(user, now)
            days[user.id] = {today, today - timedelta(days=1)}
        report.refreshed += refresh_days(days, now)
        first = min(d for ds in days.values() for d in ds)
        plans = {
            (plan.user_id, plan.day): plan
            for plan in db.session.scalars(
                sa.select(DayPlan).where(
                    DayPlan.user_id.in_([user.id for user in batch]), DayPlan.day >= first
                )
            )
        }
        for user in batch:
            for kind, key, link, on in nudges_for(user, plans, now):
                report.nudges += bool(notify_once(user.id, kind, key, link=link, now=now, day=on))
        db.session.commit()
    return report
