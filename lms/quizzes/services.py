"""Taking quizzes: start or resume an attempt, save answers as they are given, submit once.

Nothing is lost: every answer is written when given; a submit locks the attempt, scores it and
marks it submitted in one transaction, so a double click, a second tab, a replay or a retry after
a timeout all find it submitted and show the same result. Limits are checked in the database
(unique attempt numbers, at most one open attempt), not only in Python. An attempt with a time
limit that has run out is submitted with the answers given as soon as anyone touches it.

Every function takes an explicit `now` (the demo back-dates history through them), flushes and
never commits.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lms import progress
from lms.content import store
from lms.content.model import Quiz
from lms.content.models import ContentItem, ContentKind, ContentVersion
from lms.core.inputs import is_ascii_digits
from lms.core.transaction import keep_on_rollback
from lms.extensions import db
from lms.quizzes.kinds import AnswerError, kind_of
from lms.quizzes.models import AttemptGrant, QuizAnswer, QuizAttempt, QuizQuestionResult
from lms.quizzes.scoring import AttemptScore, score_attempt
from lms.skills.evidence import record_evidence
from lms.skills.models import Skill
from lms.timeutil import utcnow

# Saves that arrive this long after the deadline still count (the request was under way).
DEADLINE_GRACE = timedelta(seconds=30)


class QuizError(Exception):
    """Something the learner asked for that cannot be done; `code` says what."""

    NOT_FOUND = "not_found"
    LIMIT = "limit"
    CLOSED = "closed"
    EXPIRED = "expired"
    ANSWER = "answer"
    WAIT = "wait"  # a retake rule (wait or lesson) is not met yet

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


@dataclass(frozen=True)
class QuizRef:
    item: ContentItem
    version: ContentVersion
    quiz: Quiz


def get_quiz(slug: str) -> QuizRef | None:
    """The current version of a live quiz, or None."""
    version = store.current_version(ContentKind.QUIZ, slug)
    if version is None:
        return None
    return QuizRef(version.item, version, store.load(version))


def quiz_of_version(version: ContentVersion) -> Quiz:
    return store.load(version)


def attempts_of(user_id: int, item_id: int) -> list[QuizAttempt]:
    return list(
        db.session.scalars(
            sa.select(QuizAttempt)
            .where(QuizAttempt.user_id == user_id, QuizAttempt.item_id == item_id)
            .order_by(QuizAttempt.number)
        )
    )


def attempts_left(quiz: Quiz, attempts_used: int, granted: int = 0) -> int | None:
    """Attempts still allowed (the quiz's `max_attempts` plus the attempts granted to the
    learner), None for unlimited."""
    if not quiz.max_attempts:
        return None
    return max(0, quiz.max_attempts + granted - attempts_used)


def granted_attempts(user_ids: Sequence[int], item_ids: Sequence[int]) -> dict:
    """Attempts granted beyond `max_attempts`, by (user id, item id), in one query."""
    if not user_ids or not item_ids:
        return {}
    rows = db.session.execute(
        sa.select(AttemptGrant.user_id, AttemptGrant.item_id, sa.func.sum(AttemptGrant.extra))
        .where(AttemptGrant.user_id.in_(list(user_ids)), AttemptGrant.item_id.in_(list(item_ids)))
        .group_by(AttemptGrant.user_id, AttemptGrant.item_id)
    )
    return {(user_id, item_id): int(total) for user_id, item_id, total in rows}


def granted_to(user_id: int, item_id: int) -> int:
    return granted_attempts([user_id], [item_id]).get((user_id, item_id), 0)


def get_attempt(attempt_id: int, *, user_id: int | None = None, lock: bool = False):
    statement = sa.select(QuizAttempt).where(QuizAttempt.id == attempt_id)
    if user_id is not None:
        statement = statement.where(QuizAttempt.user_id == user_id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(statement)


def open_attempt(user_id: int, item_id: int) -> QuizAttempt | None:
    return db.session.scalar(
        sa.select(QuizAttempt)
        .where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.item_id == item_id,
            QuizAttempt.submitted_at.is_(None),
        )
        .execution_options(populate_existing=True)
    )


def draw_layout(quiz: Quiz, rng: random.Random, seen: Collection[str] = frozenset()) -> list[dict]:
    """The questions of a new attempt (drawn from the pool when the quiz says so, shuffled when
    it says so) with the order of each question's options. A draw takes questions not in `seen`
    (the learner's previous attempt) first, and only fills up with seen ones when the pool has
    too few others, so a retake shows other questions."""
    questions = list(quiz.questions)
    if quiz.draw and quiz.draw < len(questions):
        fresh = [question for question in questions if question.id not in seen]
        if len(fresh) >= quiz.draw:
            picked = rng.sample(fresh, quiz.draw)
        else:
            again = [question for question in questions if question.id in seen]
            picked = fresh + rng.sample(again, quiz.draw - len(fresh))
        drawn = set(id(question) for question in picked)
        questions = [question for question in questions if id(question) in drawn]
    if quiz.shuffle:
        rng.shuffle(questions)
    layout = []
    for question in questions:
        kind = kind_of(question)
        options = list(range(kind.option_count(question)))
        if quiz.shuffle and kind.shuffles():
            rng.shuffle(options)
        layout.append({"q": question.id, "o": options})
    return layout


def is_overdue(attempt: QuizAttempt, now: datetime) -> bool:
    return (
        attempt.submitted_at is None
        and attempt.deadline_at is not None
        and now > attempt.deadline_at + DEADLINE_GRACE
    )


def close_if_overdue(attempt: QuizAttempt, now: datetime) -> bool:
    """Submit an attempt whose time has run out, with the answers given; True if it was. The
    submission stands even when the request then refuses what was asked (a save after the
    time, a start over the limit): it is kept on rollback (`lms.core.transaction`)."""
    if not is_overdue(attempt, now):
        return False
    attempt_id, user_id = attempt.id, attempt.user_id
    submit_attempt(attempt_id, now=now, user_id=user_id)
    keep_on_rollback(lambda: submit_attempt(attempt_id, now=now, user_id=user_id))
    return True


def start_attempt(
    user_id: int, slug: str, *, now: datetime | None = None, rng: random.Random | None = None
) -> QuizAttempt:
    """Resume the learner's open attempt at the quiz, or start one on the current version.
    Raises QuizError(NOT_FOUND) for an unknown or retired quiz, QuizError(LIMIT) when every
    allowed attempt is used."""
    now = now or utcnow()
    ref = get_quiz(slug)
    if ref is None:
        raise QuizError(QuizError.NOT_FOUND)
    existing = open_attempt(user_id, ref.item.id)
    if existing is not None:
        if not close_if_overdue(existing, now):
            return existing
    used = (
        db.session.scalar(
            sa.select(sa.func.max(QuizAttempt.number)).where(
                QuizAttempt.user_id == user_id, QuizAttempt.item_id == ref.item.id
            )
        )
        or 0
    )
    if attempts_left(ref.quiz, used, granted_to(user_id, ref.item.id)) == 0:
        # The last allowed attempt may have been started by a concurrent request since the
        # first look: resume it rather than refuse.
        existing = open_attempt(user_id, ref.item.id)
        if existing is not None and not is_overdue(existing, now):
            return existing
        raise QuizError(QuizError.LIMIT)
    from lms.quizzes.retakes import retake_block

    if retake_block(ref.quiz, user_id, ref.item.id, now) is not None:
        raise QuizError(QuizError.WAIT)
    rng = rng or random.SystemRandom()
    limit = ref.quiz.time_limit_minutes
    previous = db.session.scalar(
        sa.select(QuizAttempt)
        .where(QuizAttempt.user_id == user_id, QuizAttempt.item_id == ref.item.id)
        .order_by(QuizAttempt.number.desc())
        .limit(1)
    )
    attempt = QuizAttempt(
        user_id=user_id,
        item_id=ref.item.id,
        version_id=ref.version.id,
        number=used + 1,
        layout=draw_layout(ref.quiz, rng, set(previous.question_ids) if previous else frozenset()),
        started_at=now,
        last_activity_at=now,
        deadline_at=now + timedelta(minutes=limit) if limit else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
            db.session.flush()
    except IntegrityError:
        # Another request started an attempt at the same moment: use that one.
        existing = open_attempt(user_id, ref.item.id)
        if existing is not None:
            return existing
        raise QuizError(QuizError.LIMIT) from None
    return attempt


@dataclass(frozen=True)
class AnswersSaved:
    """What became of a save: `is_expired` when the time had run out, so that the attempt was
    submitted with the answers given before and nothing of this save was kept."""

    attempt: QuizAttempt
    is_expired: bool = False


def save_answers(
    attempt_id: int,
    user_id: int,
    answers: Mapping[str, Sequence[str]],
    *,
    now: datetime | None = None,
) -> AnswersSaved:
    """Save the learner's answers (question id -> submitted option values) to an open attempt.
    Every answer is checked before anything is written; an empty list clears an answer. Raises
    QuizError (NOT_FOUND, CLOSED, ANSWER) before any write; an attempt whose time has run out is
    submitted and the outcome says so (it does not raise after that write)."""
    now = now or utcnow()
    attempt = get_attempt(attempt_id, user_id=user_id, lock=True)
    if attempt is None:
        raise QuizError(QuizError.NOT_FOUND)
    if attempt.submitted_at is not None:
        raise QuizError(QuizError.CLOSED)
    if close_if_overdue(attempt, now):
        return AnswersSaved(attempt, is_expired=True)
    quiz = quiz_of_version(attempt.version)
    in_attempt = set(attempt.question_ids)
    parsed: dict[str, list[int]] = {}
    for question_id, raw in answers.items():
        question = quiz.question(question_id) if question_id in in_attempt else None
        if question is None:
            raise QuizError(QuizError.ANSWER, f"{question_id!r} is not a question of this attempt")
        try:
            parsed[question_id] = kind_of(question).parse(question, list(raw))
        except AnswerError as error:
            raise QuizError(QuizError.ANSWER, f"{question_id}: {error}") from None
    stored = {
        answer.question_id: answer
        for answer in db.session.scalars(
            sa.select(QuizAnswer).where(
                QuizAnswer.attempt_id == attempt.id, QuizAnswer.question_id.in_(list(parsed))
            )
        )
    }
    for question_id, selected in parsed.items():
        answer = stored.get(question_id)
        if answer is None:
            db.session.add(
                QuizAnswer(
                    attempt_id=attempt.id, question_id=question_id, selected=selected, saved_at=now
                )
            )
        elif answer.selected != selected:
            answer.selected = selected
            answer.saved_at = now
    attempt.last_activity_at = now
    db.session.flush()
    return AnswersSaved(attempt)


def from_shown(attempt: QuizAttempt, answers: Mapping[str, Sequence[str]]) -> dict:
    """Answers as the page posts them (the positions of the options as shown) turned into
    option indices of the version, through the attempt's layout; a value that is not a shown
    position is passed on unchanged for `save_answers` to refuse. The page therefore gives
    away nothing about the order of the options in the file."""
    orders = {entry["q"]: entry["o"] for entry in attempt.layout}
    mapped: dict[str, list[str]] = {}
    for question_id, raw in answers.items():
        order = orders.get(question_id, [])
        values = []
        for value in raw:
            text = str(value).strip()
            if is_ascii_digits(text) and len(text) < 4 and int(text) < len(order):
                text = str(order[int(text)])
            values.append(text)
        mapped[question_id] = values
    return mapped


def answers_of(attempt_id: int) -> dict[str, list[int]]:
    return {
        question_id: list(selected)
        for question_id, selected in db.session.execute(
            sa.select(QuizAnswer.question_id, QuizAnswer.selected).where(
                QuizAnswer.attempt_id == attempt_id
            )
        )
    }


def live_skill_ids() -> set[str]:
    return set(db.session.scalars(sa.select(Skill.id).where(Skill.retired_at.is_(None))))


def submit_attempt(
    attempt_id: int, *, now: datetime | None = None, user_id: int | None = None
) -> QuizAttempt:
    """Score and close an attempt, once: the attempt row is locked, and an attempt that is
    already submitted is returned as it is. Writes the per-question results and one evidence
    value per skill (see lms.skills.evidence). An attempt past its deadline is submitted as of
    the deadline with the answers saved by then."""
    now = now or utcnow()
    attempt = get_attempt(attempt_id, user_id=user_id, lock=True)
    if attempt is None:
        raise QuizError(QuizError.NOT_FOUND)
    if attempt.submitted_at is not None:
        return attempt
    expired = is_overdue(attempt, now)
    submitted_at = attempt.deadline_at if expired else now
    quiz = quiz_of_version(attempt.version)
    answers = answers_of(attempt.id)
    result = score_attempt(quiz, attempt.question_ids, answers, skills=live_skill_ids())
    closed = db.session.execute(
        sa.update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(
            submitted_at=submitted_at,
            last_activity_at=submitted_at,
            is_expired=expired,
            score=result.percent,
            is_passed=result.is_passed(quiz.pass_score),
        )
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount != 1:  # pragma: no cover - the row lock makes this unreachable
        db.session.refresh(attempt)
        return attempt
    progress.mark_changed([attempt.user_id])  # a bulk update: the watch cannot see it
    _write_results(attempt, answers, result)
    record_evidence(
        attempt.user_id,
        {skill: float(value) for skill, value in result.skills.items()},
        source_kind="quiz",
        source_id=attempt.item.slug,
        source_version_id=attempt.version_id,
        source_ref=f"attempt:{attempt.id}",
        at=submitted_at,
    )
    db.session.flush()
    db.session.refresh(attempt)
    return attempt


def _write_results(
    attempt: QuizAttempt, answers: Mapping[str, list[int]], result: AttemptScore
) -> None:
    db.session.execute(
        sa.insert(QuizQuestionResult),
        [
            {
                "attempt_id": attempt.id,
                "question_id": question_id,
                "position": position,
                "selected": answers.get(question_id, []),
                "score": float(result.questions[question_id]),
            }
            for position, question_id in enumerate(attempt.question_ids)
        ],
    )


def evidence_of_attempt(attempt: QuizAttempt) -> dict[str, float]:
    """The evidence values a submitted attempt recorded, by skill."""
    from lms.skills.models import Evidence

    return dict(
        db.session.execute(
            sa.select(Evidence.skill_id, Evidence.value).where(
                Evidence.user_id == attempt.user_id,
                Evidence.source_kind == "quiz",
                Evidence.source_ref == f"attempt:{attempt.id}",
            )
        ).all()
    )


# --- progress of many learners -------------------------------------------------------------


progress.changes_progress(QuizAttempt)
progress.changes_progress(AttemptGrant)  # more attempts lift "attempts used up"


@progress.provides("quiz")
def quiz_progress(
    user_ids: Sequence[int], slugs: Sequence[str]
) -> dict[progress.Key, progress.ItemProgress]:
    """Best score, passed (on the pass mark of the version attempted), submitted attempts, when
    first passed, the last activity and the attempts left (max_attempts of the current version
    plus those granted, less the submitted ones), for every learner and quiz, in one query."""
    passed_at = sa.case((QuizAttempt.is_passed.is_(True), QuizAttempt.submitted_at))
    granted = (
        sa.select(sa.func.coalesce(sa.func.sum(AttemptGrant.extra), 0))
        .where(AttemptGrant.user_id == QuizAttempt.user_id, AttemptGrant.item_id == ContentItem.id)
        .correlate(QuizAttempt, ContentItem)
        .scalar_subquery()
    )
    newest = sa.orm.aliased(QuizAttempt)
    last_score = (
        sa.select(newest.score)
        .where(
            newest.user_id == QuizAttempt.user_id,
            newest.item_id == ContentItem.id,
            newest.submitted_at.is_not(None),
        )
        .order_by(newest.submitted_at.desc(), newest.id.desc())
        .limit(1)
        .correlate(QuizAttempt, ContentItem)
        .scalar_subquery()
    )
    limit = ContentVersion.document["max_attempts"].as_integer()
    statement = (
        sa.select(
            QuizAttempt.user_id,
            ContentItem.slug,
            sa.func.max(QuizAttempt.score),
            sa.func.count(QuizAttempt.submitted_at),
            sa.func.min(passed_at),
            sa.func.max(QuizAttempt.last_activity_at),
            sa.func.max(limit),
            granted,
            last_score,
        )
        .join(ContentItem, ContentItem.id == QuizAttempt.item_id)
        .outerjoin(ContentVersion, ContentVersion.id == ContentItem.current_version_id)
        .where(
            ContentItem.kind == ContentKind.QUIZ,
            ContentItem.slug.in_(list(slugs)),
            QuizAttempt.user_id.in_(list(user_ids)),
        )
        .group_by(QuizAttempt.user_id, ContentItem.id, ContentItem.slug)
    )
    found: dict[progress.Key, progress.ItemProgress] = {}
    for (
        user_id,
        slug,
        best,
        submitted,
        first_passed,
        last,
        most,
        extra,
        newest_score,
    ) in db.session.execute(statement):
        left = None
        if most:
            left = max(0, int(most) + int(extra or 0) - int(submitted or 0))
        found[(user_id, slug)] = progress.ItemProgress(
            started=True,
            done=first_passed is not None,
            best_score=best,
            attempts=submitted,
            done_at=first_passed,
            last_activity_at=last,
            last_score=newest_score,
            attempts_left=left,
        )
    return found
