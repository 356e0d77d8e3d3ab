"""Nothing lost under concurrency: threads on the same database (SQLite or PostgreSQL, whichever
the suite runs on) submit or start the same attempt at once."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from lms.extensions import db as _db
from lms.quizzes.models import QuizAttempt, QuizQuestionResult
from lms.quizzes.services import QuizError, save_answers, start_attempt, submit_attempt
from lms.skills.mastery import mastery_of
from lms.skills.models import Evidence
from lms.timeutil import utcnow


def run_together(app, count, work):
    """Run `work(index)` in `count` threads, each in its own app context and transaction."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count
    errors: list[BaseException] = []

    def target(index):
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                try:
                    results[index] = work(index)
                    _db.session.commit()
                except Exception:
                    _db.session.rollback()
                    raise
                finally:
                    _db.session.remove()
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_concurrent_submits_of_one_attempt_give_one_result(app, db, publish_quiz, make_user):
    publish_quiz()
    learner = make_user()
    attempt = start_attempt(learner.id, "basics")
    save_answers(attempt.id, learner.id, {"q1": ["1"], "q2": ["0", "1"], "q4": ["1"]})
    attempt_id, learner_id = attempt.id, learner.id
    db.session.commit()  # after reading the ids: a read would open a transaction again

    def submit(_index):
        done = submit_attempt(attempt_id, now=utcnow(), user_id=learner_id)
        return (done.submitted_at, done.score)

    results = run_together(app, 6, submit)
    assert len(set(results)) == 1
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    # (1 + 2/3 + 0 + 1) / 4
    assert attempt.score == results[0][1] and round(attempt.score, 4) == 66.6667
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizQuestionResult)) == 4
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 3
    assert {state.count for state in mastery_of(learner_id).values()} == {1}


def test_concurrent_starts_make_one_attempt(app, db, publish_quiz, make_user):
    publish_quiz(max_attempts=1)
    learner = make_user()
    learner_id = learner.id
    db.session.commit()

    def start(_index):
        return start_attempt(learner_id, "basics", now=utcnow()).id

    results = run_together(app, 6, start)
    assert len(set(results)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 1


def test_concurrent_saves_and_a_submit_lose_nothing(app, db, publish_quiz, make_user):
    """Each save either lands before the submit (and is scored) or is refused as closed."""
    publish_quiz()
    learner = make_user()
    attempt = start_attempt(learner.id, "basics")
    attempt_id, learner_id = attempt.id, learner.id
    db.session.commit()
    questions = ["q1", "q2", "q3", "q4"]
    right = {"q1": ["1"], "q2": ["0", "1", "2"], "q3": ["0"], "q4": ["1"]}

    def work(index):
        if index == 4:
            submit_attempt(attempt_id, now=utcnow(), user_id=learner_id)
            return "submitted"
        try:
            save_answers(attempt_id, learner_id, {questions[index]: right[questions[index]]})
        except QuizError as error:
            return error.code
        return "saved"

    outcomes = run_together(app, 5, work)
    assert outcomes[4] == "submitted"
    saved = sum(1 for outcome in outcomes[:4] if outcome == "saved")
    assert all(outcome in ("saved", "closed") for outcome in outcomes[:4])
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.score == 25.0 * saved
