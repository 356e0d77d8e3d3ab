"""The weekly rollup (`weekly_snapshots`): written for the current week by the daily job, rebuilt
from the evidence log and the execution rollup on demand; the progress and cohort pages read it
and nothing else (see docs/reports.md)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app

from lms.extensions import db
from lms.onboarding.services import active_enrollments
from lms.onboarding.status import load_statuses, path_of, phase_on
from lms.people.models import User
from lms.planning.measures import (
    measures_of,
    rollups,
    willingness_by_user,
    willingness_from_rows,
)
from lms.planning.reminders import active_hires
from lms.reports.diagnosis import ability_from, ability_score
from lms.reports.models import WeeklySnapshot
from lms.skills.mastery import decay, mastery_by_user, mastery_weight, min_evidence
from lms.skills.models import Evidence

BATCH = 200
MILESTONES = (30, 60, 90)
MEASURES = ("completion", "timeliness", "quality", "resolution")


def week_of(start: date, on: date) -> int:
    """The week of onboarding `on` falls in: days 1-7 are week 1 (0 before the start)."""
    day = (on - start).days + 1
    return 0 if day < 1 else (day - 1) // 7 + 1


def week_bounds(start: date, week: int) -> tuple[date, date]:
    first = start + timedelta(days=7 * (week - 1))
    return first, first + timedelta(days=6)


def _upsert(values: list[dict]) -> int:
    if not values:
        return 0
    keys = {(v["user_id"], v["week"]) for v in values}
    existing = {
        (row.user_id, row.week): row
        for row in db.session.scalars(
            sa.select(WeeklySnapshot).where(
                sa.tuple_(WeeklySnapshot.user_id, WeeklySnapshot.week).in_(sorted(keys))
            )
        )
    }
    for value in values:
        row = existing.get((value["user_id"], value["week"]))
        if row is None:
            db.session.add(WeeklySnapshot(**value))
        else:
            for name, item in value.items():
                setattr(row, name, item)
    db.session.flush()
    return len(values)


def snapshot_current(now: datetime, hires: Sequence[User] | None = None) -> int:
    """Write (or refresh) the current week's snapshot of every active hire; a fixed number of
    queries per batch of hires. Returns the rows written."""
    hires = active_hires() if hires is None else list(hires)
    today = now.date()
    written = 0
    for offset in range(0, len(hires), BATCH):
        batch = [
            h for h in hires[offset : offset + BATCH] if h.start_date and h.start_date <= today
        ]
        if not batch:
            continue
        ids = [hire.id for hire in batch]
        statuses = load_statuses(active_enrollments(ids), today)
        states = mastery_by_user(ids)
        first = min(week_bounds(h.start_date, week_of(h.start_date, today))[0] for h in batch)
        rows = rollups(ids, first, today)
        scores = willingness_by_user(batch, now)
        values = []
        for hire in batch:
            week = week_of(hire.start_date, today)
            week_first, _ = week_bounds(hire.start_date, week)
            status = statuses.get(hire.id)
            current = status.current if status is not None else None
            measures = measures_of([r for r in rows[hire.id] if r.day >= week_first])
            score = scores.get(hire.id)
            values.append(
                {
                    "user_id": hire.id,
                    "week": week,
                    "week_start": week_first,
                    "start_date": hire.start_date,
                    "phase_id": current.id if current is not None else None,
                    "mastery": {
                        skill: round(state.value, 1)
                        for skill, state in states[hire.id].items()
                        if state.value is not None
                    },
                    "ability": ability_score(current.targets) if current is not None else None,
                    "willingness": score.score if score is not None else None,
                    **{name: getattr(measures, name) for name in MEASURES},
                    "updated_at": now,
                }
            )
        written += _upsert(values)
    return written


def rebuild(now: datetime) -> int:
    """Rebuild every hire's snapshots, week by week since their start, from the evidence log
    (mastery at the end of each week, the same decaying average as the live table) and the
    execution rollup. For the command `lms reports rebuild`; pages never call it."""
    db.session.execute(sa.delete(WeeklySnapshot))
    hires = active_hires()
    weight, minimum = mastery_weight(), min_evidence()
    today = now.date()
    written = 0
    for offset in range(0, len(hires), BATCH):
        batch = [
            h for h in hires[offset : offset + BATCH] if h.start_date and h.start_date <= today
        ]
        if not batch:
            continue
        ids = [hire.id for hire in batch]
        enrollments = {e.user_id: e for e in active_enrollments(ids)}
        evidence: dict[int, list[tuple[str, float, datetime]]] = {uid: [] for uid in ids}
        for uid, skill, value, at in db.session.execute(
            sa.select(Evidence.user_id, Evidence.skill_id, Evidence.value, Evidence.at)
            .where(Evidence.user_id.in_(ids))
            .order_by(Evidence.user_id, Evidence.at, Evidence.id)
        ):
            evidence[uid].append((skill, value, at))
        days = rollups(ids, min(h.start_date for h in batch), today)
        values = []
        for hire in batch:
            enrollment = enrollments.get(hire.id)
            path = path_of(enrollment) if enrollment is not None else None
            levels: dict[str, tuple[float, int]] = {}
            pending = list(evidence[hire.id])
            for week in range(1, week_of(hire.start_date, today) + 1):
                first, last = week_bounds(hire.start_date, week)
                last = min(last, today)
                cutoff = datetime.combine(last + timedelta(days=1), time())
                while pending and pending[0][2] < cutoff:
                    skill, value, _at = pending.pop(0)
                    level, count = levels.get(skill, (None, 0))
                    levels[skill] = (decay(level, value, weight), count + 1)
                shown = {
                    skill: round(level * 100, 1)
                    for skill, (level, count) in levels.items()
                    if count >= max(minimum, 1)
                }
                phase = phase_on(path, enrollment.start_date, last) if path else None
                ability = None
                if phase is not None and phase.targets:
                    ability = ability_from(
                        [(float(t), shown.get(skill)) for skill, t in phase.targets.items()]
                    )
                own = days[hire.id]
                measures = measures_of([r for r in own if first <= r.day <= last])
                moment = min(now, datetime.combine(last + timedelta(days=1), time(12)))
                score = willingness_from_rows(hire, moment, own)
                values.append(
                    {
                        "user_id": hire.id,
                        "week": week,
                        "week_start": first,
                        "start_date": hire.start_date,
                        "phase_id": phase.id if phase is not None else None,
                        "mastery": shown,
                        "ability": ability,
                        "willingness": score.score if score is not None else None,
                        **{name: getattr(measures, name) for name in MEASURES},
                        "updated_at": now,
                    }
                )
        written += _upsert(values)
    current_app.logger.info("weekly snapshots rebuilt: %d rows", written)
    return written


# --- reading -----------------------------------------------------------------------------------


def snapshots_of(user_ids: Iterable[int]) -> dict[int, list[WeeklySnapshot]]:
    """Every snapshot of the hires, by hire, week 1 first; one query."""
    ids = sorted(set(user_ids))
    found: dict[int, list[WeeklySnapshot]] = {uid: [] for uid in ids}
    if not ids:
        return found
    for row in db.session.scalars(
        sa.select(WeeklySnapshot)
        .where(WeeklySnapshot.user_id.in_(ids))
        .order_by(WeeklySnapshot.user_id, WeeklySnapshot.week)
    ):
        found[row.user_id].append(row)
    return found


def _median(values: Iterable[float | int | None]) -> float | None:
    shown = [value for value in values if value is not None]
    return statistics.median(shown) if shown else None


@dataclass(frozen=True)
class TeamWeek:
    week: int
    hires: int
    mastery: dict[str, float | None]
    ability: float | None
    willingness: float | None
    measures: dict[str, float | None]


def team_weeks(
    snapshots: dict[int, list[WeeklySnapshot]], skill_ids: Sequence[str]
) -> list[TeamWeek]:
    """The team's median of each value by week since start."""
    by_week: dict[int, list[WeeklySnapshot]] = {}
    for rows in snapshots.values():
        for row in rows:
            by_week.setdefault(row.week, []).append(row)
    weeks = []
    for week in sorted(by_week):
        rows = by_week[week]
        weeks.append(
            TeamWeek(
                week=week,
                hires=len(rows),
                mastery={s: _median(r.mastery.get(s) for r in rows) for s in skill_ids},
                ability=_median(r.ability for r in rows),
                willingness=_median(r.willingness for r in rows),
                measures={m: _median(getattr(r, m) for r in rows) for m in MEASURES},
            )
        )
    return weeks


@dataclass(frozen=True)
class CohortPoint:
    hires: int
    ability: float | None
    willingness: float | None
    completion: float | None
    mastery: float | None  # the median of each hire's mean shown mastery


@dataclass(frozen=True)
class Cohort:
    month: str  # YYYY-MM of the start date
    size: int
    points: dict[int, CohortPoint | None]  # milestone day -> values, None when nobody got there


def cohorts(snapshots: dict[int, list[WeeklySnapshot]]) -> list[Cohort]:
    """Hires grouped by start month, compared at day 30, 60 and 90: each hire's snapshot of
    the week that contains that day (day 30 is in week 5)."""
    months: dict[str, list[list[WeeklySnapshot]]] = {}
    for rows in snapshots.values():
        if rows:
            months.setdefault(rows[0].start_date.strftime("%Y-%m"), []).append(rows)
    result = []
    for month in sorted(months, reverse=True):
        hires = months[month]
        points: dict[int, CohortPoint | None] = {}
        for day in MILESTONES:
            week = (day - 1) // 7 + 1
            reached = [r for rows in hires for r in rows if r.week == week]
            if not reached:
                points[day] = None
                continue
            points[day] = CohortPoint(
                hires=len(reached),
                ability=_median(r.ability for r in reached),
                willingness=_median(r.willingness for r in reached),
                completion=_median(r.completion for r in reached),
                mastery=_median(
                    (sum(r.mastery.values()) / len(r.mastery)) if r.mastery else None
                    for r in reached
                ),
            )
        result.append(Cohort(month=month, size=len(hires), points=points))
    return result
