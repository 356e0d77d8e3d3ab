"""The trainer's company-wide figures: per course the funnel (enrolled, started, completed,
passed its quizzes) and the median days to complete; per skill the distribution of mastery by
onboarding phase. A fixed number of queries whatever the number of hires."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms import progress
from lms.content.model import Text
from lms.courses.services import current_objects
from lms.extensions import db
from lms.onboarding.services import live_paths
from lms.onboarding.status import enrollments_query, path_of
from lms.reports.datasets import Table
from lms.reports.models import WeeklySnapshot
from lms.skills.services import live_skills


@dataclass(frozen=True)
class Funnel:
    course_id: str
    title: Text
    enrolled: int
    started: int
    completed: int
    passed: int | None  # None: the course has no quiz
    median_days: float | None  # from the hire's start to the course's last item done


def course_funnels() -> list[Funnel]:
    """Every course on an onboarding path, with the hires on those paths: one query for the
    enrollments, one for the courses, one per kind of course item."""
    enrollments = list(db.session.scalars(enrollments_query()).unique())
    on_course: dict[str, dict[int, object]] = {}
    for enrollment in enrollments:
        for phase in path_of(enrollment).phases:
            for item in phase.items:
                if item.kind == "course" and item.ref:
                    on_course.setdefault(item.ref, {})[enrollment.user_id] = enrollment
    if not on_course:
        return []
    courses = {slug: loaded.obj for slug, loaded in current_objects("course", on_course).items()}
    refs = {(item.kind, item.ref) for course in courses.values() for item in course.items}
    users = sorted({uid for hires in on_course.values() for uid in hires})
    states = progress.progress_by_kind(users, refs)
    funnels = []
    for slug, course in sorted(courses.items()):
        items = [(item.kind, item.ref) for item in course.items]
        quizzes = [ref for ref in items if ref[0] == "quiz"]
        started = completed = passed = 0
        days: list[int] = []
        for uid, enrollment in on_course[slug].items():
            found = [
                states.get(kind, {}).get((uid, ref), progress.NOT_STARTED) for kind, ref in items
            ]
            if any(state.started or state.done for state in found):
                started += 1
            if items and all(state.done for state in found):
                completed += 1
                finished = [state.done_at for state in found if state.done_at]
                if finished:
                    days.append(max(0, (max(finished).date() - enrollment.start_date).days + 1))
            quiz_states = [
                states["quiz"].get((uid, ref), progress.NOT_STARTED) for _, ref in quizzes
            ]
            if quizzes and all(state.done for state in quiz_states):
                passed += 1
        funnels.append(
            Funnel(
                course_id=slug,
                title=course.title,
                enrolled=len(on_course[slug]),
                started=started,
                completed=completed,
                passed=passed if quizzes else None,
                median_days=statistics.median(days) if days else None,
            )
        )
    return funnels


DISTRIBUTION_BANDS = (
    ("0-39", 0, 40),
    ("40-59", 40, 60),
    ("60-79", 60, 80),
    ("80-100", 80, 101),
)
UNKNOWN_BAND = _l("not enough evidence")


@dataclass
class PhaseDistribution:
    phase_id: str
    title: str
    hires: int
    counts: dict[str, dict[str, int]]  # skill id -> band label (or "unknown") -> hires


def skill_distribution(locale: str = "en") -> list[PhaseDistribution]:
    """Each hire's latest weekly snapshot, grouped by the phase they were in: how many hires
    have each skill in each band of mastery. Two queries (snapshots, live paths) and the
    skills."""
    latest = (
        sa.select(WeeklySnapshot.user_id, sa.func.max(WeeklySnapshot.week).label("week"))
        .group_by(WeeklySnapshot.user_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(WeeklySnapshot.phase_id, WeeklySnapshot.mastery).join(
            latest,
            sa.and_(
                latest.c.user_id == WeeklySnapshot.user_id, latest.c.week == WeeklySnapshot.week
            ),
        )
    )
    skills = [skill.id for skill in live_skills()]
    titles: dict[str, str] = {}
    for path in live_paths().values():
        for phase in path.phases:
            titles.setdefault(phase.id, phase.title.get(locale) if phase.title else phase.id)
    by_phase: dict[str, PhaseDistribution] = {}
    for phase_id, mastery in rows:
        key = phase_id or ""
        found = by_phase.get(key)
        if found is None:
            found = PhaseDistribution(
                key,
                titles.get(key) or key or _("Not started"),
                0,
                {
                    skill: {label: 0 for label, *_rest in DISTRIBUTION_BANDS} | {"unknown": 0}
                    for skill in skills
                },
            )
            by_phase[key] = found
        found.hires += 1
        for skill in skills:
            value = (mastery or {}).get(skill)
            band = "unknown"
            if value is not None:
                band = next(label for label, low, high in DISTRIBUTION_BANDS if low <= value < high)
            found.counts[skill][band] += 1
    return sorted(by_phase.values(), key=lambda d: d.phase_id)


def funnels_table(locale: str) -> Table:
    header = [_("Course"), _("Enrolled"), _("Started"), _("Completed"), _("Passed its quizzes")]
    header.append(_("Median days to complete"))
    rows = [
        [f.title.get(locale), f.enrolled, f.started, f.completed, f.passed, f.median_days]
        for f in course_funnels()
    ]
    return Table("courses", header, rows)


def distribution_table(locale: str) -> Table:
    names = {
        skill.id: (skill.name or {}).get(locale) or (skill.name or {}).get("en") or skill.id
        for skill in live_skills()
    }
    header = [_("Phase"), _("Skill"), *[label for label, *_rest in DISTRIBUTION_BANDS]]
    header.append(str(UNKNOWN_BAND))
    rows = []
    for found in skill_distribution(locale):
        for skill, counts in found.counts.items():
            rows.append(
                [found.title, names.get(skill, skill)]
                + [counts[label] for label, *_rest in DISTRIBUTION_BANDS]
                + [counts["unknown"]]
            )
    return Table("skill-distribution", header, rows)


TABLES = {"courses": funnels_table, "skills": distribution_table}
