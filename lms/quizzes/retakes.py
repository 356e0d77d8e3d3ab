"""A way forward after failing a quiz: retake rules, attempts granted by a manager or a trainer,
and what a failed attempt points to.

- A quiz may ask for a wait (`retake_wait_hours`) or a lesson of its course to be read
  (`retake_lesson`) before a retake after a failed attempt (docs/content-format-extras.md).
- When every attempt (`max_attempts`) is used, the learner's manager (anyone up the chain) or a
  trainer may grant more, with a reason: the grant is kept, audited and the learner notified.
- A failed attempt's result page links the lessons and drills tagged with the skills it found
  weakest (lms.skills.review).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from lms import progress
from lms.auth.permissions import Permission, can_coach_person, has_permission
from lms.content.model import Quiz
from lms.core.inputs import is_ascii_digits
from lms.extensions import db
from lms.notifications.kinds import Params, register_kind, text
from lms.people.models import User
from lms.quizzes.models import AttemptGrant, QuizAttempt
from lms.quizzes.services import attempts_left, get_quiz, granted_attempts, granted_to

MAX_EXTRA = 10
REASON_MIN_CHARS = 3
REASON_MAX_CHARS = 500


class GrantError(ValueError):
    """A grant that cannot be made; the message is for the person granting, `field` names the
    form field at fault (None: the grant as a whole)."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- retake rules ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetakeBlock:
    """Why a retake cannot start yet: ``wait`` until `until`, or read `lesson` of `course`."""

    code: str
    until: datetime | None = None
    lesson: str | None = None
    course: str | None = None


def retake_block(quiz: Quiz, user_id: int, item_id: int, now: datetime) -> RetakeBlock | None:
    """The quiz's retake rule that the learner has not met yet after a failed attempt."""
    if not quiz.retake_wait_hours and not quiz.retake_lesson:
        return None
    last = db.session.scalar(
        sa.select(QuizAttempt)
        .where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.item_id == item_id,
            QuizAttempt.submitted_at.is_not(None),
        )
        .order_by(QuizAttempt.number.desc())
        .limit(1)
    )
    if last is None or last.is_passed:
        return None
    if quiz.retake_wait_hours:
        until = last.submitted_at + timedelta(hours=quiz.retake_wait_hours)
        if now < until:
            return RetakeBlock("wait", until=until)
    if quiz.retake_lesson:
        read = progress.progress_of("lesson", [user_id], [quiz.retake_lesson])
        state = read.get((user_id, quiz.retake_lesson))
        if state is None or not state.done:
            return RetakeBlock("lesson", lesson=quiz.retake_lesson, course=quiz.course_id)
    return None


# --- granting more attempts --------------------------------------------------------------------


def can_grant(actor: Any, person: User) -> bool:
    """A trainer for anyone, a manager for their team (down the chain); nobody for themself."""
    if not getattr(actor, "is_authenticated", False) or actor.id == person.id:
        return False
    if has_permission(actor, Permission.AUTHOR_CONTENT):
        return True
    return can_coach_person(actor, person)


def helpers_of(person: User) -> list[str]:
    """Who can grant the learner more attempts, by name: their manager (trainers can too)."""
    return [person.manager.name] if person.manager is not None else []


@dataclass(frozen=True)
class Standing:
    """A learner's attempts at a quiz with a limit: used, granted and left."""

    used: int
    granted: int
    left: int | None
    passed: bool

    @property
    def is_used_up(self) -> bool:
        return self.left == 0 and not self.passed


def standing(quiz: Quiz, user_id: int, item_id: int) -> Standing:
    attempts = list(
        db.session.execute(
            sa.select(QuizAttempt.number, QuizAttempt.is_passed).where(
                QuizAttempt.user_id == user_id, QuizAttempt.item_id == item_id
            )
        )
    )
    used = max((number for number, _passed in attempts), default=0)
    granted = granted_to(user_id, item_id)
    return Standing(
        used=used,
        granted=granted,
        left=attempts_left(quiz, used, granted),
        passed=any(passed for _number, passed in attempts),
    )


def _extra(raw: Any) -> int:
    value = str(raw if raw is not None else "").strip()
    if not is_ascii_digits(value) or len(value) > 3 or not 1 <= int(value) <= MAX_EXTRA:
        raise GrantError(_("Grant from 1 to %(max)d attempts.", max=MAX_EXTRA), "extra")
    return int(value)


def grant_attempts(
    person: User,
    slug: str,
    *,
    actor: User,
    extra: Any,
    reason: str,
    now: datetime,
    link: str | None = None,
) -> AttemptGrant:
    """Grant `person` `extra` more attempts at quiz `slug`, with a reason. Refused (GrantError)
    for someone the actor may not grant to, a quiz without an attempt limit, a count out of
    range or a missing reason. Audited; the learner is notified. Flushes, never commits."""
    if not can_grant(actor, person):
        raise GrantError(
            _("Only %(name)s's manager or a trainer can grant attempts.", name=person.name)
        )
    ref = get_quiz(slug)
    if ref is None:
        raise GrantError(_("This quiz does not exist (any more)."))
    if not ref.quiz.max_attempts:
        raise GrantError(_("This quiz allows unlimited attempts; there is nothing to grant."))
    count = _extra(extra)
    cleaned = " ".join((reason or "").split())
    if len(cleaned) < REASON_MIN_CHARS:
        raise GrantError(_("Say why you grant more attempts (the hire will read it)."), "reason")
    if len(cleaned) > REASON_MAX_CHARS:
        raise GrantError(
            _("Keep the reason to %(count)d characters at most.", count=REASON_MAX_CHARS),
            "reason",
        )
    grant = AttemptGrant(
        user_id=person.id,
        item_id=ref.item.id,
        extra=count,
        reason=cleaned,
        granted_by_id=actor.id,
        granted_at=now,
    )
    db.session.add(grant)
    from lms.audit.services import record
    from lms.notifications.services import notify

    record(
        "quiz.attempts_granted", actor=actor, subject=person, quiz=slug, extra=count, reason=cleaned
    )
    notify(
        person.id,
        "attempts_granted",
        link=link,
        now=now,
        granter=actor.name,
        quiz=ref.quiz.title,
        extra=count,
        reason=cleaned,
    )
    db.session.flush()
    return grant


def used_up_learners(quiz: Quiz, item_id: int) -> list[tuple[User, int]]:
    """Learners who have used every attempt at the quiz without passing, with their attempts
    (for the trainer's page), in two queries."""
    if not quiz.max_attempts:
        return []
    rows = list(
        db.session.execute(
            sa.select(QuizAttempt.user_id, sa.func.max(QuizAttempt.number))
            .where(QuizAttempt.item_id == item_id)
            .group_by(QuizAttempt.user_id)
            .having(
                sa.func.max(QuizAttempt.number) >= quiz.max_attempts,
                sa.func.sum(sa.case((QuizAttempt.is_passed.is_(True), 1), else_=0)) == 0,
                sa.func.count(QuizAttempt.id) == sa.func.count(QuizAttempt.submitted_at),
            )
        )
    )
    if not rows:
        return []
    granted = granted_attempts([user_id for user_id, _used in rows], [item_id])
    stuck = {
        user_id: used
        for user_id, used in rows
        if used >= quiz.max_attempts + granted.get((user_id, item_id), 0)
    }
    people = db.session.scalars(
        sa.select(User).where(User.id.in_(list(stuck))).order_by(User.name, User.id)
    )
    return [(person, stuck[person.id]) for person in people]


def grants_of(user_id: int, item_id: int) -> list[AttemptGrant]:
    return list(
        db.session.scalars(
            sa.select(AttemptGrant)
            .where(AttemptGrant.user_id == user_id, AttemptGrant.item_id == item_id)
            .order_by(AttemptGrant.granted_at, AttemptGrant.id)
        )
    )


@register_kind("attempts_granted", feedback=True)
def _attempts_granted(p: Params) -> str:
    return _(
        "%(granter)s gave you %(extra)s more attempts at “%(quiz)s”: %(reason)s",
        granter=p.get("granter", ""),
        extra=p.get("extra", ""),
        quiz=text(p.get("quiz")),
        reason=p.get("reason", ""),
    )
