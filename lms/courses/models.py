"""Lesson completions: who read which lesson, on which version, and when."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.timeutil import utcnow


class LessonCompletion(db.Model):
    """A learner marked a lesson as done. One row per learner and lesson (across its versions);
    `version_id` is the version they read when they marked it."""

    __tablename__ = "lesson_completions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    lesson_item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("content_items.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("content_versions.id", ondelete="SET NULL"), index=True
    )
    completed_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("user_id", "lesson_item_id"),)
