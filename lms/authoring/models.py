"""Drafts of content being edited in the browser. Learners never see them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.people.models import User
from lms.timeutil import utcnow


class ContentDraft(db.Model):
    """The work in progress on one course, lesson, drill, quiz or path: the editor's fields as a
    document, who saved it last and when, and the version it started from."""

    __tablename__ = "content_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    slug: Mapped[str] = mapped_column(sa.String(64))
    document: Mapped[dict] = mapped_column(sa.JSON)
    base_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("content_versions.id", ondelete="SET NULL"), index=True
    )
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    #: Raised by one on every save; an editor sends the revision it started from, so that two
    #: trainers saving the same draft get a conflict instead of a silent overwrite.
    revision: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")

    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    __table_args__ = (
        sa.UniqueConstraint("kind", "slug"),
        sa.CheckConstraint(
            "kind IN ('course', 'lesson', 'scenario', 'quiz', 'path')", name="editable_kind"
        ),
    )
