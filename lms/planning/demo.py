"""Demo step: two to six weeks of daily plans and reviews for every demo hire, written through the
planning services as the hires would have, so that the measures and the team column tell a story:
most plan and review reliably (one of them, Priya Nair, without putting path items in her plans),
three let things slip, and one stopped planning ten days ago. Each
hire's history goes back to their start date (as far as their days since the start allow)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from lms.demo import DemoContext
from lms.onboarding.services import active_enrollment
from lms.planning import clock
from lms.planning.measures import deferred, refresh_after_write
from lms.planning.services import (
    OutcomeInput,
    PriorityInput,
    activity_kinds,
    carry_over,
    carry_over_candidates,
    due_item_choices,
    ensure_default_kinds,
    save_plan,
    save_review,
    save_weekly_review,
)

STOPPED_DAYS_AGO = 10

PROFILES = {
    "omar.haddad@example.com": "stopped",
    "learner@example.com": "slipping",
    "ana.silva@example.com": "slipping",
    "chen.jie@example.com": "slipping",
    "priya.nair@example.com": "focused",
}
# Plan and review as reliably as the rest; "focused" hires plan only their own sales work and
# leave the path's items out of their plans.
RELIABLE = ("reliable", "focused")

TASKS = {
    "en": [
        "Call ten leads from the new list",
        "Update the CRM after every call",
        "Prepare the discovery call with {c}",
        "Send the proposal to {c}",
        "Follow up on last week's meetings",
        "Book two first meetings",
        "Qualify the inbound leads",
        "Review my pipeline for the week",
    ],
    "zh-CN": [
        "给新名单上的十个潜在客户打电话",
        "每次通话后更新 CRM",
        "准备与{c}的需求沟通",
        "把方案发给{c}",
        "跟进上周的会面",
        "约两个首次会面",
        "筛选新进来的线索",
        "梳理本周的销售管道",
    ],
}
CUSTOMERS = {
    "en": ["Acme Logistics", "Northwind", "Globex", "Initech", "Umbrella Health"],
    "zh-CN": ["华通物流", "远景科技", "恒信医疗", "鼎盛制造", "星河零售"],
}
NEXT_WEEK = {
    "en": ["Close the Globex proposal", "Ten first calls a day", "Clean up the CRM"],
    "zh-CN": ["拿下远景科技的方案", "每天十个首次电话", "整理 CRM 数据"],
}
LEARNED = {
    "en": ["Calling before 10 gets more answers.", "Ask for the next step before hanging up."],
    "zh-CN": ["上午十点前打电话接通率更高。", "挂电话前先约好下一步。"],
}
SLIP_REASONS = ("interrupted", "underestimated", "waiting", "customer", "priorities_changed")


def _language(user) -> str:
    return "zh-CN" if (user.locale or "").startswith("zh") else "en"


def _at(user, day: date, hour: int, minute: int = 0) -> datetime:
    return clock.to_utc(user, day, time(hour, minute))


def planning_history(context: DemoContext) -> None:
    ensure_default_kinds()
    kinds = activity_kinds()
    made = 0
    now = datetime.combine(context.today, time(7))
    with deferred(now):
        for email, user in context.people.items():
            enrollment = active_enrollment(user.id)
            if enrollment is None:
                continue
            rng = random.Random(email)
            profile = PROFILES.get(email, "reliable")
            made += _history(user, enrollment.start_date, context.today, profile, kinds, rng)
    context.log.append(f"{made} daily plans with their reviews")


def _history(user, start: date, today: date, profile: str, kinds, rng: random.Random) -> int:
    language = _language(user)
    first = start
    days = [d for d in clock.working_days(first, today - timedelta(days=1))]
    if profile == "stopped":
        days = [d for d in days if d < today - timedelta(days=STOPPED_DAYS_AGO)]
    made = 0
    weekly_choices: dict[date, list] = {}
    for day in days:
        monday = clock.week_start(day)
        if monday not in weekly_choices:
            weekly_choices[monday] = due_item_choices(user, day, days_ahead=90)
        _plan_day(user, day, profile, kinds, rng, language, weekly_choices[monday])
        made += 1
        if day.weekday() == 4 and profile != "stopped":
            save_weekly_review(
                user,
                clock.week_start(day),
                "",
                NEXT_WEEK[language],
                actor=user,
                now=_at(user, day, 17, 45),
            )
    if profile != "stopped" and clock.is_working_day(today):
        choices = due_item_choices(user, today, days_ahead=90)
        _plan_day(user, today, profile, kinds, rng, language, choices, review=False)
        made += 1
    refresh_after_write(user.id, today, _at(user, today, 7))
    return made


def _plan_day(user, day, profile, kinds, rng, language, choices, *, review: bool = True) -> None:
    morning = _at(user, day, 8, rng.randint(0, 50))
    offered = carry_over_candidates(user, day)
    if offered:
        carry_over(user, day, [p.id for p in offered[:2]], actor=user, now=morning)
    count = rng.randint(3, 4) if profile in RELIABLE else rng.randint(4, 5)
    texts = rng.sample(TASKS[language], count)
    customers = CUSTOMERS[language]
    rows = []
    if choices and profile != "focused" and rng.random() < 0.6:
        rows.append(PriorityInput(item=choices[0].value))
    for index, text in enumerate(texts):
        customer = rng.choice(customers)
        rows.append(
            PriorityInput(
                text=text.format(c=customer),
                start=f"{9 + index * 2:02d}:00" if rng.random() < 0.5 else "",
                duration=str(rng.choice((30, 60, 90))) if rng.random() < 0.5 else "",
                customer=customer if "{c}" in text else "",
            )
        )
    from lms.planning.services import plan_for

    existing = plan_for(user.id, day)
    kept = [
        PriorityInput(text=p.text, id=p.id, item=f"{p.path_slug}/{p.item_id}" if p.item_id else "")
        for p in (existing.priorities if existing else [])
    ]
    room = 5 - len(kept)
    planned = {kind.id: max(0, round(kind.weekly_goal / 5) + rng.randint(-1, 2)) for kind in kinds}
    plan = save_plan(
        user, day, kept + rows[:room], planned, actor=user, now=morning, choices=choices
    )
    if not review:
        return
    if profile == "slipping" and rng.random() < 0.3:
        return  # not reviewed
    outcomes = []
    for priority in plan.priorities:
        roll = rng.random()
        if profile in RELIABLE:
            outcome = "done" if roll < 0.9 else "partly"
        else:
            outcome = (
                "done"
                if roll < 0.45
                else "partly"
                if roll < 0.6
                else "moved"
                if roll < 0.85
                else "dropped"
            )
        reason = rng.choice(SLIP_REASONS) if outcome in ("moved", "dropped") else ""
        moved_to = clock.working_days(day + timedelta(days=1), day + timedelta(days=4))[0]
        outcomes.append(
            OutcomeInput(priority.id, outcome, moved_to=moved_to.isoformat(), reason=reason)
        )
    short = (0, 1) if profile in RELIABLE else (0, 4)
    actual = {kind.id: max(0, planned[kind.id] - rng.randint(*short)) for kind in kinds}
    late = profile == "slipping" and rng.random() < 0.2
    when = (
        _at(user, day + timedelta(days=1), 13) if late else _at(user, day, 17, rng.randint(0, 50))
    )
    learned = rng.choice(LEARNED[language]) if rng.random() < 0.5 else ""
    save_review(user, day, outcomes, actual, learned, actor=user, now=when)
