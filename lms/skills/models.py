"""The skill framework as stored (one row per skill, kept in step with `courses/skills.yaml`),
the evidence log and the mastery kept from it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.content.curriculum import Text
from lms.extensions import db
from lms.timeutil import utcnow


class Skill(db.Model):
    __tablename__ = "skills"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    framework: Mapped[str] = mapped_column(sa.String(64))
    position: Mapped[int] = mapped_column(default=0)
    group: Mapped[str | None] = mapped_column(sa.String(64))
    name: Mapped[dict] = mapped_column(sa.JSON)  # locale -> plain text
    description_html: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # locale -> HTML
    language: Mapped[str] = mapped_column(sa.String(16), default="en")
    retired_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    def title(self, locale: str | None) -> str:
        """The name in `locale`, else in the skill's own language, else its id: every page and
        export names a skill this way."""
        return Text.of(self.name or {}, self.language).get(locale, self.language) or self.id


class Evidence(db.Model):
    """One value in [0, 1] for one skill of one learner: the append-only log that mastery is
    computed from. Rows are never updated or deleted."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    skill_id: Mapped[str] = mapped_column(sa.ForeignKey("skills.id", ondelete="CASCADE"))
    value: Mapped[float] = mapped_column(sa.Double)
    source_kind: Mapped[str] = mapped_column(sa.String(16))
    source_id: Mapped[str] = mapped_column(sa.String(64))
    source_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("content_versions.id", ondelete="SET NULL"), index=True
    )
    # What produced the value (e.g. "attempt:12"): one value per skill and producer, so a retried
    # write cannot count twice.
    source_ref: Mapped[str | None] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(sa.DateTime)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("value >= 0 AND value <= 1", name="value_in_unit"),
        sa.UniqueConstraint("user_id", "skill_id", "source_kind", "source_ref"),
        sa.Index("ix_evidence_user_skill_at", "user_id", "skill_id", "at", "id"),
        sa.Index("ix_evidence_skill_id", "skill_id"),
        sa.Index("ix_evidence_source", "source_kind", "source_id"),
    )


class Mastery(db.Model):
    """The decaying average of a learner's evidence for one skill, kept in step with the log in
    the transaction that appends to it (see docs/mastery.md). `level` is in [0, 1]."""

    __tablename__ = "mastery"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[str] = mapped_column(
        sa.ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    level: Mapped[float | None] = mapped_column(sa.Double)
    previous_level: Mapped[float | None] = mapped_column(sa.Double)
    last_value: Mapped[float | None] = mapped_column(sa.Double)
    count: Mapped[int] = mapped_column(default=0, server_default="0")
    first_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    last_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    last_evidence_id: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.CheckConstraint("count >= 0", name="count_not_negative"),
        sa.CheckConstraint("level IS NULL OR (level >= 0 AND level <= 1)", name="level_in_unit"),
    )
