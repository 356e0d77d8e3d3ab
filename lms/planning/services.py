"""Making and reviewing a day's plan, carrying over what slipped, and the weekly review.

Every function takes the acting user and `now` (naive UTC) explicitly, flushes, and leaves the
commit to the caller. A hire plans and reviews only their own days. Each write refreshes the
day's row of the execution rollup (see `lms.planning.measures`)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from lms.core.inputs import is_ascii_digits
from lms.extensions import db
from lms.planning import clock
from lms.planning.models import (
    OUTCOMES,
    ActivityCount,
    ActivityKind,
    DayPlan,
    PlanPriority,
    WeeklyReview,
)

MAX_PRIORITIES = 5
MAX_TEXT = 200
MAX_CUSTOMER = 120
MAX_NOTE = 300
MAX_LEARNED = 500
MAX_WEEK_NOTES = 1000
MAX_COUNT = 999
PLAN_AHEAD_DAYS = 7
MOVE_AHEAD_DAYS = 14
WEEK_PRIORITIES = 3
CARRY_BACK_DAYS = 14

REASONS: dict[str, object] = {
    "interrupted": _l("Urgent work came in"),
    "underestimated": _l("Took longer than planned"),
    "waiting": _l("Waiting for someone else"),
    "customer": _l("The customer rescheduled"),
    "priorities_changed": _l("Priorities changed"),
    "unclear": _l("Not clear how to do it"),
    "other": _l("Other"),
}
OUTCOME_LABELS: dict[str, object] = {
    "done": _l("Done"),
    "partly": _l("Partly"),
    "moved": _l("Moved"),
    "dropped": _l("Dropped"),
}
OUTCOME_POINTS = {"done": 1.0, "partly": 0.5, "moved": 0.0, "dropped": 0.0}

DEFAULT_KINDS = (
    ("calls", "Calls", "电话", 50),
    ("meetings", "Meetings", "会面", 8),
    ("proposals", "Proposals", "方案", 3),
    ("crm", "CRM updates", "CRM 更新", 25),
)


class PlanningError(ValueError):
    """A plan or review the service refuses, with the form field it concerns."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class NotYours(PlanningError):
    pass


def _own(user, actor) -> None:
    if actor is None or actor.id != user.id:
        raise NotYours(_l("Only the hire plans and reviews their own day."))


# --- activity kinds ----------------------------------------------------------------------------


def activity_kinds(*, include_retired: bool = False) -> list[ActivityKind]:
    statement = sa.select(ActivityKind).order_by(ActivityKind.position, ActivityKind.id)
    if not include_retired:
        statement = statement.where(ActivityKind.active.is_(True))
    return list(db.session.scalars(statement))


def ensure_default_kinds() -> list[ActivityKind]:
    """The starting list (calls, meetings, proposals, CRM updates) when the company has none."""
    if db.session.scalar(sa.select(sa.func.count(ActivityKind.id))):
        return activity_kinds()
    for position, (slug, name_en, name_zh, goal) in enumerate(DEFAULT_KINDS):
        db.session.add(
            ActivityKind(
                slug=slug, name_en=name_en, name_zh=name_zh, weekly_goal=goal, position=position
            )
        )
    db.session.flush()
    return activity_kinds()


SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def save_activity_kind(
    *,
    slug: str,
    name_en: str,
    name_zh: str = "",
    weekly_goal: str | int = 0,
    active: bool = True,
    kind_id: int | None = None,
) -> ActivityKind:
    """Add or change a kind of activity (admin). A slug is lower-case letters, digits, dashes."""
    slug = (slug or "").strip().lower()
    name_en, name_zh = (name_en or "").strip(), (name_zh or "").strip()
    if not SLUG_RE.match(slug):
        raise PlanningError(_l("Use 1 to 40 lower-case letters, digits or dashes."), "slug")
    if not name_en or len(name_en) > 80 or len(name_zh) > 80:
        raise PlanningError(_l("Give an English name of at most 80 characters."), "name_en")
    goal = _count(weekly_goal, "weekly_goal")
    kind = db.session.get(ActivityKind, kind_id) if kind_id else None
    if kind_id and kind is None:
        raise PlanningError(_l("That kind of activity does not exist."), "kind_id")
    clash = db.session.scalar(sa.select(ActivityKind).where(ActivityKind.slug == slug))
    if clash is not None and clash is not kind:
        raise PlanningError(_l("Another kind of activity has this short name."), "slug")
    if kind is None:
        position = db.session.scalar(sa.select(sa.func.count(ActivityKind.id))) or 0
        kind = ActivityKind(position=position)
        db.session.add(kind)
    kind.slug, kind.name_en, kind.name_zh = slug, name_en, name_zh
    kind.weekly_goal, kind.active = goal, bool(active)
    db.session.flush()
    return kind


# --- reading plans -----------------------------------------------------------------------------


def _plan_query() -> sa.Select:
    return sa.select(DayPlan).options(
        selectinload(DayPlan.priorities), selectinload(DayPlan.counts)
    )


def _linked(plans: list[DayPlan]) -> list[DayPlan]:
    """Point each loaded priority at its plan without a query per priority."""
    for plan in plans:
        for priority in plan.priorities:
            set_committed_value(priority, "plan", plan)
    return plans


def plan_for(user_id: int, day: date) -> DayPlan | None:
    plan = db.session.scalar(_plan_query().where(DayPlan.user_id == user_id, DayPlan.day == day))
    return _linked([plan])[0] if plan is not None else None


def plans_between(user_id: int, first: date, last: date) -> list[DayPlan]:
    return _linked(
        list(
            db.session.scalars(
                _plan_query()
                .where(DayPlan.user_id == user_id, DayPlan.day >= first, DayPlan.day <= last)
                .order_by(DayPlan.day)
            )
        )
    )


def _get_or_create(user, day: date, now: datetime) -> DayPlan:
    plan = plan_for(user.id, day)
    if plan is None:
        plan = DayPlan(user_id=user.id, day=day, created_at=now, updated_at=now)
        db.session.add(plan)
        db.session.flush()
    return plan


# --- due path items to pick from ---------------------------------------------------------------


@dataclass(frozen=True)
class ItemChoice:
    value: str  # "<path id>/<item id>"
    title: str
    due: date
    is_overdue: bool


def due_item_choices(user, on: date, *, days_ahead: int = 14) -> list[ItemChoice]:
    """The hire's open path items, overdue first, then those due in the next `days_ahead` days."""
    from lms.onboarding.pages import hire_status

    found = hire_status(user.id, on)  # from the stored status: no activity table read
    if found is None:
        return []
    _enrollment, status = found
    until = on + timedelta(days=days_ahead)
    found = [
        ItemChoice(f"{status.path.id}/{item.id}", item.title_text, item.due, item.due < on)
        for item in status.items
        if not item.is_done and item.due <= until and item.kind != "checkin"
    ]
    return sorted(found, key=lambda choice: (not choice.is_overdue, choice.due, choice.title))


# --- saving a plan -----------------------------------------------------------------------------


@dataclass
class PriorityInput:
    text: str = ""
    item: str = ""  # "<path id>/<item id>" or ""
    start: str = ""  # HH:MM
    duration: str = ""  # minutes
    customer: str = ""
    id: int | None = None

    @property
    def is_blank(self) -> bool:
        return not (self.text.strip() or self.item.strip())


def _count(raw, field_name: str) -> int:
    text = str(raw if raw is not None else "").strip()
    if text == "":
        return 0
    if not is_ascii_digits(text) or int(text) > MAX_COUNT:
        raise PlanningError(_l("Enter a whole number from 0 to 999."), field_name)
    return int(text)


def _time(raw: str, field_name: str) -> time | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return time.fromisoformat(text[:5]) if len(text) <= 8 else None
    except ValueError:
        raise PlanningError(_l("Enter a time as HH:MM, for example 09:30."), field_name) from None


def _minutes(raw: str, field_name: str) -> int | None:
    text = (raw or "").strip()
    if not text:
        return None
    if not is_ascii_digits(text) or not 1 <= int(text) <= 720:
        raise PlanningError(_l("Enter minutes from 1 to 720."), field_name)
    return int(text)


def check_plan_day(user, day: date, now: datetime) -> None:
    today = clock.local_day(user, now)
    if day < today:
        raise PlanningError(_l("A past day can no longer be planned; review it instead."), "day")
    if day > today + timedelta(days=PLAN_AHEAD_DAYS):
        raise PlanningError(_l("Plan at most a week ahead."), "day")


def save_plan(
    user,
    day: date,
    priorities: Sequence[PriorityInput],
    counts: Mapping[int, str | int] | None = None,
    *,
    actor,
    now: datetime,
    choices: Sequence[ItemChoice] | None = None,
) -> DayPlan:
    """Save the hire's plan for `day` (today or up to a week ahead): at most five priorities in
    the given order (blank rows are left out), each with an optional time block, path item and
    customer, and the planned count per kind of activity. Rows with an id update that priority;
    priorities left out are removed. A path item must be one of `choices` (default: the hire's
    open items due within 90 days, see `due_item_choices`)."""
    _own(user, actor)
    check_plan_day(user, day, now)
    # (the row of the form, the row): a problem names the form's row, blank rows included
    rows = [(index, row) for index, row in enumerate(priorities) if not row.is_blank]
    if len(rows) > MAX_PRIORITIES:
        raise PlanningError(_l("Keep to at most five priorities."), "priorities")
    by_value = {choice.value: choice for choice in choices} if choices is not None else None
    plan = plan_for(user.id, day)
    existing = {priority.id: priority for priority in plan.priorities} if plan else {}
    # Every row and count is checked before anything is written: a refusal leaves no trace.
    checked: list[dict] = []
    for position, (index, row) in enumerate(rows):
        place = f"p-{index}"
        slug = item_id = None
        text = row.text.strip()
        if row.item.strip():
            if by_value is None:
                found_choices = due_item_choices(user, day, days_ahead=90)
                by_value = {choice.value: choice for choice in found_choices}
            choice = by_value.get(row.item.strip())
            if choice is None:
                found = existing.get(row.id) if row.id else None
                if found is None or f"{found.path_slug}/{found.item_id}" != row.item.strip():
                    raise PlanningError(_l("Pick an item of your own path."), f"{place}-item")
                slug, item_id = found.path_slug, found.item_id
            else:
                slug, _, item_id = choice.value.partition("/")
                text = text or choice.title
        if len(text) > MAX_TEXT:
            raise PlanningError(_l("Keep a priority to 200 characters."), f"{place}-text")
        customer = row.customer.strip()
        if len(customer) > MAX_CUSTOMER:
            raise PlanningError(
                _l("Keep the customer or deal to 120 characters."), f"{place}-customer"
            )
        start = _time(row.start, f"{place}-start")
        minutes = _minutes(row.duration, f"{place}-duration")
        if row.id is not None and row.id not in existing:
            raise NotYours(_l("That priority is not in this plan."), f"{place}-text")
        checked.append(
            {
                "id": row.id,
                "position": position,
                "text": text[:MAX_TEXT],
                "path_slug": slug,
                "item_id": item_id,
                "start_time": start,
                "duration_minutes": minutes,
                "customer": customer,
            }
        )
    planned = _checked_counts(counts or {}, "planned")
    plan = plan or _get_or_create(user, day, now)
    keep: list[PlanPriority] = []
    for values in checked:
        row_id = values.pop("id")
        priority = existing.get(row_id) if row_id is not None else None
        if priority is None:
            priority = PlanPriority(created_at=now)
        for name, value in values.items():
            setattr(priority, name, value)
        keep.append(priority)
    plan.priorities = keep
    _set_counts(plan, planned, "planned")
    plan.planned_at = plan.planned_at or now
    plan.updated_at = now
    db.session.flush()
    _refresh(user, day, now)
    return plan


def _checked_counts(counts: Mapping[int, str | int], column: str) -> dict[int, int]:
    """The counts per kind of activity as numbers; refuses an unknown kind or a bad number."""
    kinds = {kind.id for kind in activity_kinds(include_retired=True)}
    values: dict[int, int] = {}
    for kind_id, raw in counts.items():
        if kind_id not in kinds:
            raise PlanningError(_l("That kind of activity does not exist."), f"count-{kind_id}")
        values[kind_id] = _count(raw, f"{column}-{kind_id}")
    return values


def _set_counts(plan: DayPlan, values: Mapping[int, int], column: str) -> None:
    have = {count.kind_id: count for count in plan.counts}
    for kind_id, value in values.items():
        row = have.get(kind_id)
        if row is None:
            if not value and column == "planned":
                continue
            row = ActivityCount(kind_id=kind_id, planned=0)
            plan.counts.append(row)
            have[kind_id] = row
        setattr(row, column, value)


# --- carrying over ------------------------------------------------------------------------------


def carry_over_candidates(user, day: date) -> list[PlanPriority]:
    """Unfinished priorities offered for `day`: those of the most recent earlier plan that were
    not done (not reviewed, partly done), and those moved to this day or before it; none that has
    already been carried."""
    earlier = plans_between(user.id, day - timedelta(days=CARRY_BACK_DAYS), day - timedelta(days=1))
    if not earlier:
        return []
    latest = max((plan for plan in earlier if plan.planned_at), key=lambda p: p.day, default=None)
    found: list[PlanPriority] = []
    for plan in earlier:
        for priority in plan.priorities:
            if priority.outcome == "moved" and priority.moved_to and priority.moved_to <= day:
                found.append(priority)
            elif plan is latest and priority.outcome in (None, "partly"):
                found.append(priority)
    if not found:
        return []
    carried = set(
        db.session.scalars(
            sa.select(PlanPriority.carried_from_id).where(
                PlanPriority.carried_from_id.in_([priority.id for priority in found])
            )
        )
    )
    return [priority for priority in found if priority.id not in carried]


def carry_over(user, day: date, priority_ids: Sequence[int], *, actor, now: datetime) -> DayPlan:
    """Copy the chosen unfinished priorities into the plan of `day`, keeping their item, time
    block and customer."""
    _own(user, actor)
    check_plan_day(user, day, now)
    offered = {priority.id: priority for priority in carry_over_candidates(user, day)}
    chosen = [offered[pid] for pid in dict.fromkeys(priority_ids) if pid in offered]
    if not chosen:
        raise PlanningError(_l("Choose at least one priority to carry over."), "carry")
    plan = _get_or_create(user, day, now)
    if len(plan.priorities) + len(chosen) > MAX_PRIORITIES:
        raise PlanningError(_l("Keep to at most five priorities."), "priorities")
    for source in chosen:
        plan.priorities.append(
            PlanPriority(
                position=len(plan.priorities),
                text=source.text,
                path_slug=source.path_slug,
                item_id=source.item_id,
                start_time=source.start_time,
                duration_minutes=source.duration_minutes,
                customer=source.customer,
                source="carried",
                carried_from_id=source.id,
                created_at=now,
            )
        )
    plan.planned_at = plan.planned_at or now
    plan.updated_at = now
    db.session.flush()
    _refresh(user, day, now)
    return plan


# --- the end-of-day review ---------------------------------------------------------------------


@dataclass
class OutcomeInput:
    priority_id: int
    outcome: str = ""
    moved_to: str = ""
    reason: str = ""
    note: str = ""


def review_window(user, day: date, now: datetime) -> str:
    """'early' before the day, 'open' until noon of the next day (hire's time), 'late' after."""
    if clock.local_day(user, now) < day:
        return "early"
    return "open" if now <= clock.review_deadline(user, day) else "late"


def save_review(
    user,
    day: date,
    outcomes: Sequence[OutcomeInput],
    actuals: Mapping[int, str | int] | None = None,
    learned: str = "",
    *,
    actor,
    now: datetime,
) -> DayPlan:
    """Record how the day went. The review is complete (and the day reviewed) once every
    priority has an outcome; moved needs the day it moves to and, like dropped, a reason. A review
    completed after noon of the next day is kept, but the day counts as not reviewed."""
    _own(user, actor)
    plan = plan_for(user.id, day)
    if plan is None or plan.planned_at is None:
        raise PlanningError(_l("There is no plan for that day to review."), "day")
    if review_window(user, day, now) == "early":
        raise PlanningError(_l("A day can be reviewed from that day on."), "day")
    by_id = {priority.id: priority for priority in plan.priorities}
    # Every row is checked before anything is written: a refusal leaves no trace.
    reviewed: list[tuple[PlanPriority, str | None, date | None, str | None, str]] = []
    for row in outcomes:
        priority = by_id.get(row.priority_id)
        if priority is None:
            raise NotYours(_l("That priority is not in this plan."), "outcome")
        place = f"o-{priority.id}"
        outcome = (row.outcome or "").strip()
        if outcome and outcome not in OUTCOMES:
            raise PlanningError(_l("Choose done, partly, moved or dropped."), place)
        moved_to = None
        reason = (row.reason or "").strip() or None
        note = (row.note or "").strip()
        if len(note) > MAX_NOTE:
            raise PlanningError(_l("Keep the note to 300 characters."), f"{place}-note")
        if reason is not None and reason not in REASONS:
            raise PlanningError(_l("Choose a reason from the list."), f"{place}-reason")
        if outcome == "moved":
            try:
                moved_to = date.fromisoformat((row.moved_to or "").strip())
            except ValueError:
                raise PlanningError(_l("Say which day it moves to."), f"{place}-moved") from None
            if not day < moved_to <= day + timedelta(days=MOVE_AHEAD_DAYS):
                raise PlanningError(
                    _l("Move it to a day within the next two weeks."), f"{place}-moved"
                )
        if outcome in ("moved", "dropped") and reason is None:
            raise PlanningError(_l("Say why it slipped."), f"{place}-reason")
        kept_reason = reason if outcome in ("moved", "dropped", "partly") else None
        reviewed.append((priority, outcome or None, moved_to, kept_reason, note))
    actual = _checked_counts(actuals or {}, "actual")
    learned = (learned or "").strip()
    if len(learned) > MAX_LEARNED:
        raise PlanningError(_l("Keep what you learned to 500 characters."), "learned")
    for priority, outcome, moved_to, reason, note in reviewed:
        priority.outcome = outcome
        priority.moved_to = moved_to
        priority.reason = reason
        priority.reason_note = note
    _set_counts(plan, actual, "actual")
    plan.learned = learned
    complete = all(priority.outcome for priority in plan.priorities)
    if complete and plan.reviewed_at is None:
        plan.reviewed_at = now
        plan.is_review_late = review_window(user, day, now) == "late"
    elif not complete:
        plan.reviewed_at = None
        plan.is_review_late = False
    plan.updated_at = now
    db.session.flush()
    _refresh(user, day, now)
    return plan


# --- the weekly review --------------------------------------------------------------------------


@dataclass
class WeekSummary:
    week_start: date
    plans: list[DayPlan]
    kinds: list[ActivityKind]
    reviewed_days: int = 0
    planned_days: int = 0
    planned: int = 0
    points: float = 0.0
    reasons: list[tuple[str, int]] = field(default_factory=list)
    totals: dict[int, int] = field(default_factory=dict)

    @property
    def completion(self) -> float | None:
        return self.points / self.planned if self.planned else None


def week_summary(user, first: date) -> WeekSummary:
    """The week from Monday `first`: completion on reviewed days, the reasons things slipped
    (most common first), and the actual activity against each kind's weekly goal."""
    plans = plans_between(user.id, first, first + timedelta(days=6))
    summary = WeekSummary(first, plans, activity_kinds())
    reasons: Counter[str] = Counter()
    for plan in plans:
        if plan.planned_at is None:
            continue
        summary.planned_days += 1
        for count in plan.counts:
            summary.totals[count.kind_id] = summary.totals.get(count.kind_id, 0) + (
                count.actual or 0
            )
        for priority in plan.priorities:
            if priority.reason:
                reasons[priority.reason] += 1
        if plan.is_reviewed:
            summary.reviewed_days += 1
            summary.planned += len(plan.priorities)
            summary.points += sum(OUTCOME_POINTS.get(p.outcome or "", 0.0) for p in plan.priorities)
    summary.reasons = sorted(reasons.items(), key=lambda pair: (-pair[1], pair[0]))
    return summary


def weekly_review_of(user_id: int, first: date) -> WeeklyReview | None:
    return db.session.scalar(
        sa.select(WeeklyReview).where(
            WeeklyReview.user_id == user_id, WeeklyReview.week_start == first
        )
    )


def latest_weekly_review(user_id: int) -> WeeklyReview | None:
    return db.session.scalar(
        sa.select(WeeklyReview)
        .where(WeeklyReview.user_id == user_id)
        .order_by(WeeklyReview.week_start.desc())
        .limit(1)
    )


def save_weekly_review(
    user, first: date, notes: str, next_priorities: Sequence[str], *, actor, now: datetime
) -> WeeklyReview:
    """Review the week of Monday `first` (this week or, until it ends, last week) and set up to
    three priorities for next week; they become the first priorities of next Monday's plan."""
    _own(user, actor)
    today = clock.local_day(user, now)
    if first.weekday() != 0 or not clock.week_start(today) - timedelta(days=7) <= first <= today:
        raise PlanningError(_l("Review this week or last week."), "week")
    notes = (notes or "").strip()
    if len(notes) > MAX_WEEK_NOTES:
        raise PlanningError(_l("Keep the notes to 1000 characters."), "notes")
    chosen = [text.strip() for text in next_priorities if text and text.strip()]
    if len(chosen) > WEEK_PRIORITIES:
        raise PlanningError(_l("Choose at most three priorities for next week."), "next")
    for index, text in enumerate(chosen):
        if len(text) > MAX_TEXT:
            raise PlanningError(_l("Keep a priority to 200 characters."), f"next-{index}")
    summary = week_summary(user, first)
    review = weekly_review_of(user.id, first)
    if review is None:
        review = WeeklyReview(user_id=user.id, week_start=first, created_at=now)
        db.session.add(review)
    review.notes = notes
    review.next_priorities = chosen
    review.summary = {
        "completion": summary.completion,
        "planned_days": summary.planned_days,
        "reviewed_days": summary.reviewed_days,
        "reasons": summary.reasons[:3],
        "totals": {str(kind.id): summary.totals.get(kind.id, 0) for kind in summary.kinds},
        "goals": {str(kind.id): kind.weekly_goal for kind in summary.kinds},
    }
    review.updated_at = now
    _seed_monday(user, first + timedelta(days=7), chosen, now)
    db.session.flush()
    return review


def _seed_monday(user, monday: date, texts: Sequence[str], now: datetime) -> None:
    plan = _get_or_create(user, monday, now)
    others = [p for p in plan.priorities if p.source != "weekly" or p.outcome is not None]
    seeded = [
        PlanPriority(text=text, source="weekly", created_at=now)
        for text in texts[: max(0, MAX_PRIORITIES - len(others))]
    ]
    plan.priorities = seeded + others
    for position, priority in enumerate(plan.priorities):
        priority.position = position
    plan.updated_at = now


# --- the rollup hook ----------------------------------------------------------------------------


def _refresh(user, day: date, now: datetime) -> None:
    from lms.planning.measures import refresh_after_write

    refresh_after_write(user.id, day, now)
