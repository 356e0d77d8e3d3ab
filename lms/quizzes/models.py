"""Quiz attempts as stored: the questions drawn for an attempt, the answers as they are given, and
the per-question results written once when the attempt is submitted."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.content.models import ContentItem, ContentVersion
from lms.extensions import db
from lms.timeutil import utcnow


class QuizAttempt(db.Model):
    """One attempt of one learner at one quiz, on the version that was current when it started.

    `layout` fixes what the learner sees for the whole attempt: the drawn questions in their
    shuffled order and, per question, the order of its options (as indices into the version's
    choices; true-false uses 0 = true, 1 = false). At most one attempt per learner and quiz is
    open (a partial unique index), and attempt numbers are unique, so neither a second tab nor a
    replayed request can start more attempts than the quiz allows."""

    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("content_items.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("content_versions.id", ondelete="RESTRICT")
    )
    number: Mapped[int]
    layout: Mapped[list] = mapped_column(sa.JSON)
    started_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    deadline_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    last_activity_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    is_expired: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    score: Mapped[float | None] = mapped_column(sa.Double)  # percent, 0..100
    is_passed: Mapped[bool | None] = mapped_column(sa.Boolean)

    item: Mapped[ContentItem] = relationship(foreign_keys=[item_id])
    version: Mapped[ContentVersion] = relationship(foreign_keys=[version_id])

    __table_args__ = (
        sa.UniqueConstraint("user_id", "item_id", "number"),
        sa.Index(
            "uq_quiz_attempts_one_open",
            "user_id",
            "item_id",
            unique=True,
            sqlite_where=sa.text("submitted_at IS NULL"),
            postgresql_where=sa.text("submitted_at IS NULL"),
        ),
        sa.Index("ix_quiz_attempts_item_id", "item_id"),
        sa.Index("ix_quiz_attempts_version_submitted", "version_id", "submitted_at"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
        sa.CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
        sa.CheckConstraint(
            "(submitted_at IS NULL) = (score IS NULL)", name="scored_when_submitted"
        ),
    )

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None

    @property
    def question_ids(self) -> list[str]:
        return [entry["q"] for entry in self.layout]


class QuizAnswer(db.Model):
    """The learner's current answer to one question of an open attempt (overwritten on change)."""

    __tablename__ = "quiz_answers"

    attempt_id: Mapped[int] = mapped_column(
        sa.ForeignKey("quiz_attempts.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    selected: Mapped[list] = mapped_column(sa.JSON)  # option indices of the version
    saved_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)


class QuizQuestionResult(db.Model):
    """The score of one question of a submitted attempt, written once (the primary key makes a
    second scoring impossible); item analysis reads these."""

    __tablename__ = "quiz_question_results"

    attempt_id: Mapped[int] = mapped_column(
        sa.ForeignKey("quiz_attempts.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    position: Mapped[int]
    selected: Mapped[list] = mapped_column(sa.JSON)
    score: Mapped[float] = mapped_column(sa.Double)

    __table_args__ = (sa.CheckConstraint("score >= 0 AND score <= 1", name="score_in_unit"),)


class AttemptGrant(db.Model):
    """More attempts at a quiz for one learner, granted by their manager or a trainer after the
    quiz's `max_attempts` were used up; the reason is kept (and audited)."""

    __tablename__ = "quiz_attempt_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("content_items.id", ondelete="CASCADE"))
    extra: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.Text)
    granted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    granted_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    __table_args__ = (
        sa.Index("ix_quiz_attempt_grants_user_item", "user_id", "item_id"),
        sa.CheckConstraint("extra >= 1 AND extra <= 10", name="extra_in_range"),
    )
