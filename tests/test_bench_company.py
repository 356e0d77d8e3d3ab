"""bench/make_company.py builds a consistent company: what it writes is what the services would
have written (scores from the stored answers and paths, evidence per attempt and run, the
mastery a recompute gives, statuses the status engine can read)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from bench.make_company import CompanySpec, make_company
from lms.content.importer import import_content
from lms.onboarding.services import active_enrollments
from lms.onboarding.status import load_statuses
from lms.people.models import User
from lms.quizzes.models import QuizAttempt
from lms.quizzes.scoring import score_attempt
from lms.quizzes.services import answers_of, quiz_of_version
from lms.scenarios.models import ScenarioRun
from lms.scenarios.scoring import path_points, score_run
from lms.scenarios.services import maxima_for, scenario_of
from lms.skills.mastery import recompute_all
from lms.skills.models import Evidence, Mastery

FIXTURE = Path(__file__).parent / "content" / "fixtures" / "valid"
ON = date(2026, 6, 1)
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
