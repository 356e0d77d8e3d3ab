"""The four execution measures, kept per hire and day in `execution_days` (see
docs/execution-measures.md for the rules and a worked example).

`refresh_days` recomputes the rows of some (hire, day) pairs from the plans, the path statuses
and the first attempts, in a fixed number of queries whatever the number of hires; the plan and
review services call it for the day they touch, and the daily job (`lms remind`) for every active
hire's yesterday and today. Pages only read the rollup."""

from __future__ import annotations

import contextlib
import contextvars
import statistics
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lms.extensions import db
from lms.people.models import User
from lms.planning import clock
from lms.planning.models import DayPlan, ExecutionDay, PlanPriority

TARGETS = {"completion": 0.95, "timeliness": 24.0, "quality": 0.98, "resolution": 2.0}
OUTCOME_POINTS = {"done": 1.0, "partly": 0.5}


# --- computing the rollup ----------------------------------------------------------------------


def _hours(start: datetime, end: datetime) -> float:
    return round(max(0.0, (end - start).total_seconds() / 3600), 2)


@dataclass(frozen=True)
class ItemEvent:
    """One measurement: `hours` attributed to the hire's local `day` of the action."""

    user_id: int
    day: date
    hours: float


def path_events(
    users: Mapping[int, User], planned: Mapping[tuple[int, str, str], list[datetime]], on: date
) -> tuple[list[ItemEvent], list[ItemEvent]]:
    """Timeliness and problem-resolution events of every path item of the hires, as of `on`.

    Timeliness: from the start (00:00, hire's time) of the item's phase to the first action on it
    (planned, opened, attempted or done). Resolution: from 00:00 of the day after its due date,
    when it went overdue unfinished, to the first action after that."""
    from lms.onboarding.services import active_enrollments
    from lms.onboarding.status import load_statuses

    statuses = load_statuses(active_enrollments(list(users)), on)
    timely: list[ItemEvent] = []
    resolved: list[ItemEvent] = []
    for user_id, status in statuses.items():
        user = users[user_id]
        for phase in status.phases:
            available = clock.to_utc(user, phase.start_date)
            for item in phase.items:
                plans = planned.get((user_id, status.path.id, item.id), [])
                progress = item.progress
                seen = [t for t in (progress.done_at, progress.last_activity_at) if t is not None]
                actions = sorted(plans + seen)
                if actions:
                    first = actions[0]
                    timely.append(
                        ItemEvent(
                            user_id,
                            clock.local_day(user, max(first, available)),
                            _hours(available, first),
                        )
                    )
                overdue_at = clock.to_utc(user, item.due + timedelta(days=1))
                if progress.done_at is not None and progress.done_at < overdue_at:
                    continue
                after = [t for t in actions if t >= overdue_at]
                if after:
                    resolved.append(
                        ItemEvent(
                            user_id, clock.local_day(user, after[0]), _hours(overdue_at, after[0])
                        )
                    )
    return timely, resolved


def _first_tries(
    users: Mapping[int, User], first: datetime, last: datetime
) -> list[tuple[int, datetime, bool]]:
    """(user, when, passed) of every first attempt of a quiz or drill finished in the window."""
    from lms.quizzes.models import QuizAttempt
    from lms.scenarios.models import ScenarioRun

    ids = sorted(users)
    rows: list[tuple[int, datetime, bool]] = []
    quiz = db.session.execute(
        sa.select(QuizAttempt.user_id, QuizAttempt.submitted_at, QuizAttempt.is_passed).where(
            QuizAttempt.user_id.in_(ids),
            QuizAttempt.number == 1,
            QuizAttempt.submitted_at >= first,
            QuizAttempt.submitted_at < last,
        )
    )
    rows += [(uid, at, bool(passed)) for uid, at, passed in quiz]
    earlier = sa.orm.aliased(ScenarioRun)
    runs = db.session.execute(
        sa.select(ScenarioRun.user_id, ScenarioRun.finished_at, ScenarioRun.passed).where(
            ScenarioRun.user_id.in_(ids),
            ScenarioRun.finished_at >= first,
            ScenarioRun.finished_at < last,
            ~sa.exists().where(
                earlier.user_id == ScenarioRun.user_id,
                earlier.item_id == ScenarioRun.item_id,
                earlier.finished_at.is_not(None),
                earlier.finished_at < ScenarioRun.finished_at,
            ),
        )
    )
    rows += [(uid, at, bool(passed)) for uid, at, passed in runs]
    return rows


def _planned_items(user_ids: Sequence[int]) -> dict[tuple[int, str, str], list[datetime]]:
    rows = db.session.execute(
        sa.select(
            DayPlan.user_id, PlanPriority.path_slug, PlanPriority.item_id, PlanPriority.created_at
        )
        .join(DayPlan, DayPlan.id == PlanPriority.plan_id)
        .where(DayPlan.user_id.in_(list(user_ids)), PlanPriority.item_id.is_not(None))
    )
    found: dict[tuple[int, str, str], list[datetime]] = {}
    for user_id, slug, item_id, created in rows:
        found.setdefault((user_id, slug, item_id), []).append(created)
    return found


def refresh_days(pairs: Mapping[int, Iterable[date]], now: datetime) -> int:
    """Recompute the rollup rows of the given (hire, days); returns the number of rows written."""
    wanted = {uid: set(days) for uid, days in pairs.items() if days}
    if not wanted:
        return 0
    ids = sorted(wanted)
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
    all_days = {day for days in wanted.values() for day in days}
    first_day, last_day = min(all_days), max(all_days)
    plans = {
        (plan.user_id, plan.day): plan
        for plan in db.session.scalars(
            sa.select(DayPlan)
            .options(selectinload(DayPlan.priorities))
            .where(DayPlan.user_id.in_(ids), DayPlan.day >= first_day, DayPlan.day <= last_day)
        )
    }
    window_start = datetime.combine(first_day - timedelta(days=1), datetime.min.time())
    window_end = datetime.combine(last_day + timedelta(days=2), datetime.min.time())
    tries: dict[tuple[int, date], list[bool]] = {}
    for uid, at, passed in _first_tries(users, window_start, window_end):
        tries.setdefault((uid, clock.local_day(users[uid], at)), []).append(passed)
    timely, resolved = path_events(users, _planned_items(ids), max(last_day, now.date()))
    hours: dict[str, dict[tuple[int, date], list[float]]] = {"t": {}, "r": {}}
    for key, events in (("t", timely), ("r", resolved)):
        for event in events:
            hours[key].setdefault((event.user_id, event.day), []).append(event.hours)
    existing = {
        (row.user_id, row.day): row
        for row in db.session.scalars(
            sa.select(ExecutionDay).where(
                ExecutionDay.user_id.in_(ids),
                ExecutionDay.day >= first_day,
                ExecutionDay.day <= last_day,
            )
        )
    }
    written = 0
    for uid, days in wanted.items():
        if uid not in users:
            continue
        for day in days:
            key = (uid, day)
            row = existing.get(key)
            if row is None:
                row = ExecutionDay(user_id=uid, day=day)
                db.session.add(row)
            plan = plans.get(key)
            is_planned = plan is not None and plan.planned_at is not None
            row.is_planned = is_planned
            row.is_reviewed = is_planned and plan.is_reviewed
            row.is_review_late = is_planned and plan.reviewed_at is not None and plan.is_review_late
            row.priorities = len(plan.priorities) if is_planned else 0
            row.done_points = (
                sum(OUTCOME_POINTS.get(p.outcome or "", 0.0) for p in plan.priorities)
                if is_planned
                else 0.0
            )
            day_tries = tries.get(key, [])
            row.first_tries, row.first_passes = len(day_tries), sum(day_tries)
            row.timeliness_hours = sorted(hours["t"].get(key, []))
            row.resolution_hours = sorted(hours["r"].get(key, []))
            row.updated_at = now
            written += 1
    db.session.flush()
    return written


_DEFERRED: contextvars.ContextVar[dict[int, set[date]] | None] = contextvars.ContextVar(
    "deferred_rollup", default=None
)


def refresh_after_write(user_id: int, day: date, now: datetime) -> None:
    """What the services call after a write: refresh the day now, or at the end of `deferred`."""
    pending = _DEFERRED.get()
    if pending is None:
        refresh_days({user_id: {day}}, now)
    else:
        pending.setdefault(user_id, set()).add(day)


@contextlib.contextmanager
def deferred(now: datetime) -> Iterator[None]:
    """Many writes in a row (the demo, an import): refresh every touched day once, at the end."""
    pending: dict[int, set[date]] = {}
    token = _DEFERRED.set(pending)
    try:
        yield
    finally:
        _DEFERRED.reset(token)
    refresh_days(pending, now)


# --- reading the rollup ------------------------------------------------------------------------


@dataclass(frozen=True)
class Measures:
    """The four measures over some days; None where there is nothing to measure."""

    days: int
    planned_days: int
    reviewed_days: int
    completion: float | None
    timeliness: float | None
    quality: float | None
    resolution: float | None

    def meets(self, name: str) -> bool | None:
        value = getattr(self, name)
        if value is None:
            return None
        target = TARGETS[name]
        return value >= target if name in ("completion", "quality") else value <= target


def measures_of(rows: Iterable[ExecutionDay], days: int = 0) -> Measures:
    rows = list(rows)
    reviewed = [row for row in rows if row.is_reviewed]
    planned = sum(row.priorities for row in reviewed)
    tries = sum(row.first_tries for row in rows)
    timely = [hours for row in rows for hours in (row.timeliness_hours or [])]
    resolved = [hours for row in rows for hours in (row.resolution_hours or [])]
    return Measures(
        days=days or len(rows),
        planned_days=sum(1 for row in rows if row.is_planned),
        reviewed_days=len(reviewed),
        completion=(sum(row.done_points for row in reviewed) / planned) if planned else None,
        timeliness=statistics.median(timely) if timely else None,
        quality=(sum(row.first_passes for row in rows) / tries) if tries else None,
        resolution=statistics.median(resolved) if resolved else None,
    )


ROLLUP_DAYS_KEPT = 120  # one hire's rollups are read this far back once per page


def rollups(user_ids: Iterable[int], first: date, last: date) -> dict[int, list[ExecutionDay]]:
    """Rollup rows of the hires from `first` to `last`, by hire, oldest first, one query. A GET
    request keeps what it read (one hire's last `ROLLUP_DAYS_KEPT` days at once), so the several
    measures of a page share one query."""
    from flask import g, has_request_context, request

    ids = sorted(set(user_ids))
    found: dict[int, list[ExecutionDay]] = {uid: [] for uid in ids}
    if not ids:
        return found
    memo = None
    if has_request_context() and request.method == "GET":
        memo = g.setdefault("execution_rollups", [])
        for kept_ids, kept_first, kept_last, kept in memo:
            if kept_first <= first and last <= kept_last and kept_ids.issuperset(ids):
                for uid in ids:
                    found[uid] = [row for row in kept[uid] if first <= row.day <= last]
                return found
    read_first = min(first, last - timedelta(days=ROLLUP_DAYS_KEPT)) if len(ids) == 1 else first
    read: dict[int, list[ExecutionDay]] = {uid: [] for uid in ids}
    for row in db.session.scalars(
        sa.select(ExecutionDay)
        .where(
            ExecutionDay.user_id.in_(ids), ExecutionDay.day >= read_first, ExecutionDay.day <= last
        )
        .order_by(ExecutionDay.user_id, ExecutionDay.day)
    ):
        read[row.user_id].append(row)
    if memo is not None:
        memo.append((frozenset(ids), read_first, last, read))
    for uid in ids:
        found[uid] = [row for row in read[uid] if first <= row.day <= last]
    return found


def last_days(rows: Iterable[ExecutionDay], today: date, days: int) -> list[ExecutionDay]:
    """The rollup rows of the `days` days up to and including `today` (the hire's calendar)."""
    return [row for row in rows if today - timedelta(days=days) < row.day <= today]


def recent_completion_by_user(
    users: Sequence[User], now: datetime, days: int = 7
) -> dict[int, float | None]:
    """Plan completion of each hire over their own last `days` days up to today, in their own
    time zone: the value the hire's member page shows for the week. One query."""
    todays = {user.id: clock.local_day(user, now) for user in users}
    if not todays:
        return {}
    rows: dict[int, list[ExecutionDay]] = {uid: [] for uid in todays}
    for row in db.session.scalars(
        sa.select(ExecutionDay).where(
            ExecutionDay.user_id.in_(sorted(todays)),
            ExecutionDay.day >= min(todays.values()) - timedelta(days=days - 1),
            ExecutionDay.day <= max(todays.values()),
        )
    ):
        rows[row.user_id].append(row)
    return {
        uid: measures_of(last_days(rows[uid], today, days)).completion
        for uid, today in todays.items()
    }


def review_streak(rows: Sequence[ExecutionDay], today: date) -> int:
    """Days reviewed in time in a row, up to today (today counts once reviewed); a weekend day
    without a plan does not break the streak, one reviewed counts."""
    reviewed = {row.day for row in rows if row.is_reviewed}
    day = today if today in reviewed else today - timedelta(days=1)
    streak = 0
    while True:
        if day in reviewed:
            streak += 1
        elif clock.is_working_day(day):
            return streak
        day -= timedelta(days=1)
        if streak > 366:
            return streak


# --- willingness -------------------------------------------------------------------------------

WINDOW_DAYS = 14
MIN_WORKING_DAYS = 5
WEIGHTS = {"completion": 0.35, "reviews": 0.15, "timeliness": 0.30, "resolution": 0.20}


@dataclass(frozen=True)
class Willingness:
    score: int  # 0..100
    parts: dict[str, float]  # each part on 0..1
    weights: dict[str, float]  # the weights used (renormalised when a part is missing)
    working_days: int


def _window(user: User, now: datetime) -> tuple[date, date, list[date]]:
    today = clock.local_day(user, now)
    last = today - timedelta(days=1)
    first = today - timedelta(days=WINDOW_DAYS)
    if user.start_date is not None:
        first = max(first, user.start_date)
    return first, last, clock.working_days(first, last)


def _score(rows: Sequence[ExecutionDay], days: Sequence[date]) -> Willingness:
    measures = measures_of(rows)
    reviewed = {row.day for row in rows if row.is_reviewed}
    parts: dict[str, float] = {
        "completion": min(1.0, (measures.completion or 0.0) / TARGETS["completion"]),
        "reviews": sum(1 for day in days if day in reviewed) / len(days),
    }
    if measures.timeliness is not None:
        parts["timeliness"] = min(1.0, TARGETS["timeliness"] / max(measures.timeliness, 0.01))
    if measures.resolution is not None:
        parts["resolution"] = min(1.0, TARGETS["resolution"] / max(measures.resolution, 0.01))
    total = sum(WEIGHTS[name] for name in parts)
    weights = {name: WEIGHTS[name] / total for name in parts}
    score = round(100 * sum(parts[name] * weights[name] for name in parts))
    return Willingness(score, parts, weights, len(days))


def willingness(user: User, now: datetime) -> Willingness | None:
    """The hire's willingness score (0-100) over the last WINDOW_DAYS days before today, from
    behaviour only: plan completion against 95%, the share of working days reviewed in time,
    timeliness against 24 h and problem resolution against 2 h (see docs/execution-measures.md).
    None ("not enough evidence") below MIN_WORKING_DAYS working days in the window since the
    hire started."""
    first, last, days = _window(user, now)
    if len(days) < MIN_WORKING_DAYS:
        return None
    return _score(rollups([user.id], first, last)[user.id], days)


def willingness_from_rows(
    user: User, now: datetime, rows: Iterable[ExecutionDay]
) -> Willingness | None:
    """`willingness` from rollup rows already read (any superset of the window's rows)."""
    first, last, days = _window(user, now)
    if len(days) < MIN_WORKING_DAYS:
        return None
    return _score([row for row in rows if first <= row.day <= last], days)


def willingness_by_user(users: Sequence[User], now: datetime) -> dict[int, Willingness | None]:
    """`willingness` of many hires at once, reading the rollup in one query."""
    windows = {user.id: _window(user, now) for user in users}
    enough = [user for user in users if len(windows[user.id][2]) >= MIN_WORKING_DAYS]
    result: dict[int, Willingness | None] = {uid: None for uid in windows}
    if not enough:
        return result
    first = min(windows[user.id][0] for user in enough)
    last = max(windows[user.id][1] for user in enough)
    rows = rollups([user.id for user in enough], first, last)
    for user in enough:
        result[user.id] = willingness_from_rows(user, now, rows[user.id])
    return result
