"""bench/make_company.py builds a consistent company: what it writes is what the services would
have written (scores from the stored answers and paths, evidence per attempt and run, the
mastery a recompute gives, statuses the status engine can read, plans and reviews within the
planning services' rules, and the execution rollup, stored statuses and weekly snapshots that a
rebuild from the raw records gives)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa

from bench.make_company import CompanySpec, make_company
from lms.content.importer import import_content
from lms.onboarding.services import active_enrollments
from lms.onboarding.standing import recompute as recompute_statuses
from lms.onboarding.status import load_statuses
from lms.people.models import User
from lms.planning import clock
from lms.planning.measures import refresh_days
from lms.planning.models import DayPlan, ExecutionDay, WeeklyReview
from lms.planning.services import MAX_PRIORITIES, MOVE_AHEAD_DAYS, week_summary
from lms.quizzes.models import QuizAttempt
from lms.quizzes.scoring import score_attempt
from lms.quizzes.services import answers_of, quiz_of_version
from lms.reports.models import WeeklySnapshot
from lms.reports.snapshots import rebuild as rebuild_snapshots
from lms.scenarios.models import ScenarioRun
from lms.scenarios.scoring import path_points, score_run
from lms.scenarios.services import maxima_for, scenario_of
from lms.skills.mastery import recompute_all
from lms.skills.models import Evidence, Mastery

FIXTURE = Path(__file__).parent / "content" / "fixtures" / "valid"
ON = date(2026, 6, 1)
NOW = datetime.combine(ON, time(8))
SPEC = CompanySpec(hires=24, teams=3, evidence=1200, seed=3)


def _build(db, password_hash):
    imported = import_content([FIXTURE / "courses", FIXTURE / "scenarios"], actor=None)
    assert imported.ok, imported.errors
    db.session.commit()
    return make_company(SPEC, on=ON, password_hash=password_hash, log=lambda _line: None)


def _mastery_rows(db) -> dict:
    return {
        (row.user_id, row.skill_id): (round(row.level, 12), row.count, row.last_evidence_id)
        for row in db.session.scalars(sa.select(Mastery))
    }


def test_the_company_has_the_shape_asked_for(db, password_hash):
    report = _build(db, password_hash)

    hires = db.session.scalars(sa.select(User).where(User.email.like("hire%"))).all()
    assert len(hires) == report.hires == 24
    teams = Counter(hire.manager_id for hire in hires)
    assert len(teams) == 3 and set(teams.values()) == {8}
    assert all(0 <= (ON - hire.start_date).days <= 120 for hire in hires)
    assert report.enrollments == 24
    assert report.evidence >= SPEC.evidence * 0.9
    evidence_rows = db.session.scalar(sa.select(sa.func.count()).select_from(Evidence))
    assert evidence_rows == report.evidence


def test_mastery_is_what_a_recompute_gives(db, password_hash):
    _build(db, password_hash)
    before = _mastery_rows(db)
    assert before

    result = recompute_all()

    assert result.changed == 0 and result.removed == 0
    assert _mastery_rows(db) == before


def test_scores_and_evidence_are_what_the_scoring_code_gives(db, password_hash):
    _build(db, password_hash)
    evidence: dict[tuple[str, str], dict[str, float]] = {}
    for row in db.session.scalars(sa.select(Evidence)):
        evidence.setdefault((row.source_kind, row.source_ref), {})[row.skill_id] = row.value

    attempts = db.session.scalars(sa.select(QuizAttempt)).all()
    assert attempts
    for attempt in attempts:
        quiz = quiz_of_version(attempt.version)
        result = score_attempt(quiz, attempt.question_ids, answers_of(attempt.id))
        assert attempt.score == result.percent
        assert attempt.is_passed == result.is_passed(quiz.pass_score)
        assert evidence[("quiz", f"attempt:{attempt.id}")] == {
            skill: float(value) for skill, value in result.skills.items()
        }

    runs = db.session.scalars(sa.select(ScenarioRun)).all()
    assert runs
    for run in runs:
        scenario = scenario_of(run.version)
        points = path_points(step.points for step in run.steps)
        outcome = score_run(maxima_for(run.version), points, run.end_kind, scenario.pass_score)
        assert (run.score, run.passed, run.step_count) == (
            outcome.score,
            outcome.passed,
            len(run.steps),
        )
        assert evidence[("scenario", f"run:{run.id}")] == outcome.evidence


def test_the_status_engine_reads_every_hire(db, password_hash):
    _build(db, password_hash)
    hire_ids = list(db.session.scalars(sa.select(User.id).where(User.email.like("hire%"))))
    statuses = load_statuses(active_enrollments(hire_ids), ON)
    assert set(statuses) == set(hire_ids)
    assert any(status.percent > 0 for status in statuses.values())


def _rows(db, model, key, skip=()) -> dict:
    columns = [c.name for c in model.__table__.columns if c.name not in skip]
    return {
        key(row): {name: getattr(row, name) for name in columns}
        for row in db.session.scalars(sa.select(model))
    }


def test_plans_and_reviews_keep_the_rules_of_the_planning_services(db, password_hash):
    report = _build(db, password_hash)
    hires = {u.id: u for u in db.session.scalars(sa.select(User).where(User.email.like("hire%")))}
    plans = db.session.scalars(sa.select(DayPlan).order_by(DayPlan.user_id, DayPlan.day)).all()
    assert report.plans == len(plans) > 100
    planners = {plan.user_id for plan in plans if plan.planned_at}
    assert 0 < len(planners) < len(hires)  # some hires never plan

    outcomes = Counter()
    for plan in plans:
        hire = hires[plan.user_id]
        assert hire.start_date <= plan.day <= ON
        assert [p.position for p in plan.priorities] == list(range(len(plan.priorities)))
        assert 0 < len(plan.priorities) <= MAX_PRIORITIES
        if plan.planned_at is None:  # a Monday seeded by a weekly review, not planned
            assert plan.day.weekday() == 0 and plan.reviewed_at is None
            assert {p.source for p in plan.priorities} == {"weekly"}
            assert all(p.outcome is None for p in plan.priorities)
            continue
        assert plan.day < ON and plan.day.weekday() < 5
        assert plan.planned_at.date() == plan.day
        complete = all(p.outcome for p in plan.priorities)
        assert (plan.reviewed_at is not None) == complete
        if plan.reviewed_at is not None:
            assert plan.planned_at < plan.reviewed_at <= NOW
            deadline = clock.review_deadline(hire, plan.day)
            assert plan.is_review_late == (plan.reviewed_at > deadline)
            assert all(count.actual is not None for count in plan.counts)
        else:
            assert not plan.is_review_late
        for priority in plan.priorities:
            outcomes[priority.outcome] += 1
            if priority.outcome == "moved":
                assert plan.day < priority.moved_to <= plan.day + timedelta(days=MOVE_AHEAD_DAYS)
            else:
                assert priority.moved_to is None
            if priority.outcome in ("moved", "dropped"):
                assert priority.reason
            if priority.item_id is not None:
                assert priority.path_slug == "new-sales-rep"
    assert set(outcomes) == {None, "done", "partly", "moved", "dropped"}
    assert any(plan.is_review_late for plan in plans)

    weekly = db.session.scalars(sa.select(WeeklyReview)).all()
    assert weekly and len(weekly) == report.weekly_reviews
    by_day = {(plan.user_id, plan.day): plan for plan in plans}
    for review in weekly:
        hire = hires[review.user_id]
        shown = week_summary(hire, review.week_start)
        assert review.summary["completion"] == shown.completion
        assert review.summary["planned_days"] == shown.planned_days
        assert review.summary["reviewed_days"] == shown.reviewed_days
        assert review.summary["reasons"] == json.loads(json.dumps(shown.reasons[:3]))
        assert review.summary["totals"] == {
            str(kind.id): shown.totals.get(kind.id, 0) for kind in shown.kinds
        }
        monday = by_day[(review.user_id, review.week_start + timedelta(days=7))]
        seeded = [p.text for p in monday.priorities if p.source == "weekly"]
        assert seeded == review.next_priorities
        assert [p.source for p in monday.priorities[: len(seeded)]] == ["weekly"] * len(seeded)


def test_the_stored_rollups_are_what_a_rebuild_from_the_raw_records_gives(db, password_hash):
    _build(db, password_hash)
    days = _rows(db, ExecutionDay, lambda row: (row.user_id, row.day))
    hires = db.session.scalars(sa.select(User).where(User.email.like("hire%"))).all()
    # a row for every day of every hire since the start, as the daily job leaves them
    assert len(days) == sum((ON - hire.start_date).days + 1 for hire in hires)
    assert any(row["is_reviewed"] for row in days.values())
    assert any(row["is_review_late"] for row in days.values())
    assert any(row["timeliness_hours"] for row in days.values())
    assert any(row["resolution_hours"] for row in days.values())
    assert any(row["first_tries"] for row in days.values())
    snapshots = _rows(db, WeeklySnapshot, lambda row: (row.user_id, row.week))
    assert snapshots and any(row["completion"] is not None for row in snapshots.values())
    assert any(row["willingness"] is not None for row in snapshots.values())

    pairs: dict[int, set[date]] = {}
    for user_id, day in days:
        pairs.setdefault(user_id, set()).add(day)
    refresh_days(pairs, NOW)
    db.session.commit()
    assert _rows(db, ExecutionDay, lambda row: (row.user_id, row.day)) == days

    assert recompute_statuses(ON, commit=False).changed == 0  # `lms recompute-status --check`

    rebuild_snapshots(NOW)
    db.session.commit()
    assert _rows(db, WeeklySnapshot, lambda row: (row.user_id, row.week)) == snapshots
