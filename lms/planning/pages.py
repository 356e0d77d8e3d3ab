"""What the planning pages, the /learn card and the team pages show, in a bounded number of
queries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from lms.people.models import User
from lms.planning import clock
from lms.planning.charts import DayBar, day_bars
from lms.planning.measures import (
    TARGETS,
    Measures,
    Willingness,
    last_days,
    measures_of,
    review_streak,
    rollups,
    willingness,
)
from lms.planning.models import DayPlan, WeeklyReview
from lms.planning.services import latest_weekly_review, plan_for, plans_between, review_window

HISTORY_DAYS = 30


@dataclass
class TodayCard:
    day: date
    plan: DayPlan | None
    review_day: date | None  # a day whose review is due now
    streak: int

    @property
    def is_planned(self) -> bool:
        return self.plan is not None and self.plan.planned_at is not None

    @property
    def done(self) -> int:
        return sum(1 for p in self.plan.priorities if p.outcome == "done") if self.plan else 0


def today_card(user: User, now: datetime) -> TodayCard:
    today = clock.local_day(user, now)
    plan = plan_for(user.id, today)
    review_day = None
    yesterday = plan_for(user.id, today - timedelta(days=1))
    if yesterday and yesterday.planned_at and yesterday.reviewed_at is None:
        if review_window(user, yesterday.day, now) == "open":
            review_day = yesterday.day
    if review_day is None and plan and plan.planned_at and plan.reviewed_at is None:
        if clock.local_now(user, now).time() >= clock.REVIEW_FROM:
            review_day = today
    rows = rollups([user.id], today - timedelta(days=90), today)[user.id]
    return TodayCard(today, plan, review_day, review_streak(rows, today))


@dataclass
class WeekRow:
    first: date
    measures: Measures


@dataclass
class History:
    today: date
    days: Measures
    weeks: list[WeekRow]
    bars: list[DayBar]
    streak: int
    willingness: Willingness | None
    targets: dict


def history(user: User, now: datetime) -> History:
    today = clock.local_day(user, now)
    first = today - timedelta(days=HISTORY_DAYS - 1)
    week_first = clock.week_start(today) - timedelta(days=21)
    rows = rollups([user.id], min(first, week_first) - timedelta(days=90), today)[user.id]
    recent = [row for row in rows if row.day >= first]
    weeks = []
    for index in range(4):
        start = week_first + timedelta(days=7 * index)
        week_rows = [row for row in rows if start <= row.day < start + timedelta(days=7)]
        weeks.append(WeekRow(start, measures_of(week_rows, 7)))
    return History(
        today=today,
        days=measures_of(recent, HISTORY_DAYS),
        weeks=list(reversed(weeks)),
        bars=day_bars(recent, first, today),
        streak=review_streak(rows, today),
        willingness=willingness(user, now),
        targets=TARGETS,
    )


@dataclass
class MemberPlanning:
    week: Measures
    month: Measures
    review: WeeklyReview | None
    reasons: list[tuple[str, int]]
    slipped: list
    willingness: Willingness | None
    today: date


def member_planning(person: User, now: datetime) -> MemberPlanning:
    """What a manager sees of a hire's planning: the measures of the last 7 and 30 days, the
    latest weekly review and why priorities slipped in the last two weeks."""
    today = clock.local_day(person, now)
    rows = rollups([person.id], today - timedelta(days=29), today)[person.id]
    plans = plans_between(person.id, today - timedelta(days=13), today)
    slipped = [
        (plan.day, priority)
        for plan in reversed(plans)
        for priority in plan.priorities
        if priority.outcome in ("moved", "dropped", "partly") and priority.reason
    ]
    reasons = Counter(priority.reason for _day, priority in slipped)
    return MemberPlanning(
        week=measures_of(last_days(rows, today, 7), 7),
        month=measures_of(rows, 30),
        review=latest_weekly_review(person.id),
        reasons=sorted(reasons.items(), key=lambda pair: (-pair[1], pair[0])),
        slipped=slipped[:10],
        willingness=willingness(person, now),
        today=today,
    )
