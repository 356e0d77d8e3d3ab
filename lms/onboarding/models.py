"""Enrollments, sign-offs, check-ins (with their goals and agreed actions) and calendar feeds.

Sign-offs and check-ins are keyed by (hire, path id, item id), not by enrollment: moving an
enrollment to a newer version of its path keeps everything already done."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.content.models import ContentItem, ContentVersion
from lms.content.rendered import register as register_rendered
from lms.extensions import db
from lms.people.models import User
from lms.timeutil import utcnow

ACTIVE = sa.text("ended_at IS NULL")
NOT_UNDONE = sa.text("undone_at IS NULL")


class Enrollment(db.Model):
    """A hire on a path, pinned to one version of it. One active enrollment per person: the
    partial unique index refuses a second one."""

    __tablename__ = "enrollments"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    path_item_id: Mapped[int] = mapped_column(sa.ForeignKey("content_items.id"), index=True)
    path_version_id: Mapped[int] = mapped_column(sa.ForeignKey("content_versions.id"), index=True)
    start_date: Mapped[date] = mapped_column(sa.Date)
    enrolled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    enrolled_by: Mapped[User | None] = relationship(foreign_keys=[enrolled_by_id])
    path_item: Mapped[ContentItem] = relationship(foreign_keys=[path_item_id])
    path_version: Mapped[ContentVersion] = relationship(foreign_keys=[path_version_id])

    __table_args__ = (
        sa.Index(
            "uq_enrollments_active_user",
            "user_id",
            unique=True,
            sqlite_where=ACTIVE,
            postgresql_where=ACTIVE,
        ),
        sa.Index("ix_enrollments_user_id", "user_id"),
    )

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    @property
    def path_slug(self) -> str:
        return self.path_item.slug


class SignOff(db.Model):
    """A manager's confirmation that a field task was done. Undoing keeps the row (with who,
    when and why); only one sign-off per task and hire is in force at a time."""

    __tablename__ = "signoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    path_slug: Mapped[str] = mapped_column(sa.String(64))
    item_id: Mapped[str] = mapped_column(sa.String(64))
    signed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    signed_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    comment_html: Mapped[str] = mapped_column(sa.Text, default="")
    skills: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # skill id -> evidence value
    undone_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    undone_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    undo_reason: Mapped[str | None] = mapped_column(sa.Text)

    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])
    undone_by: Mapped[User | None] = relationship(foreign_keys=[undone_by_id])

    __table_args__ = (
        sa.Index(
            "uq_signoffs_in_force",
            "user_id",
            "path_slug",
            "item_id",
            unique=True,
            sqlite_where=NOT_UNDONE,
            postgresql_where=NOT_UNDONE,
        ),
        sa.Index("ix_signoffs_user_id", "user_id"),
    )

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


class CheckIn(db.Model):
    """A 30/60/90-day check-in as held: the meeting notes, the SMART goals for the next phase and
    the actions agreed. One per hire and check-in item."""

    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    path_slug: Mapped[str] = mapped_column(sa.String(64))
    item_id: Mapped[str] = mapped_column(sa.String(64))
    held_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    held_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    went_well: Mapped[str] = mapped_column(sa.Text, default="")
    went_badly: Mapped[str] = mapped_column(sa.Text, default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    notes_html: Mapped[str] = mapped_column(sa.Text, default="")

    held_by: Mapped[User | None] = relationship(foreign_keys=[held_by_id])
    goals: Mapped[list[CheckInGoal]] = relationship(
        back_populates="checkin",
        foreign_keys="CheckInGoal.checkin_id",
        order_by="CheckInGoal.position",
        cascade="all, delete-orphan",
    )
    actions: Mapped[list[AgreedAction]] = relationship(
        back_populates="checkin", order_by="AgreedAction.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("user_id", "path_slug", "item_id"),
        sa.Index("ix_checkins_user_id", "user_id"),
    )


GOAL_OUTCOMES = ("met", "partly", "missed")


class CheckInGoal(db.Model):
    """A SMART goal agreed at a check-in: what (specific), how much (a number and a unit), by
    when (a deadline inside the next phase). Its outcome is recorded at the next check-in."""

    __tablename__ = "checkin_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(
        sa.ForeignKey("checkins.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(sa.String(500))
    target_value: Mapped[float] = mapped_column(sa.Double)
    unit: Mapped[str] = mapped_column(sa.String(40))
    deadline: Mapped[date] = mapped_column(sa.Date)
    outcome: Mapped[str | None] = mapped_column(sa.String(16))
    achieved_value: Mapped[float | None] = mapped_column(sa.Double)
    reviewed_in_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("checkins.id", ondelete="SET NULL"), index=True
    )

    checkin: Mapped[CheckIn] = relationship(back_populates="goals", foreign_keys=[checkin_id])

    __table_args__ = (
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('met', 'partly', 'missed')", name="known_outcome"
        ),
    )


ACTION_OWNERS = ("hire", "manager")


class AgreedAction(db.Model):
    __tablename__ = "checkin_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(
        sa.ForeignKey("checkins.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(sa.String(500))
    owner: Mapped[str] = mapped_column(sa.String(16), default="hire")
    due_date: Mapped[date | None] = mapped_column(sa.Date)

    checkin: Mapped[CheckIn] = relationship(back_populates="actions")

    __table_args__ = (sa.CheckConstraint("owner IN ('hire', 'manager')", name="known_owner"),)


class CalendarFeed(db.Model):
    """A private calendar address. Its token is a random nonce plus an HMAC of it under the
    app's secret key, so the database alone cannot forge one; a new address replaces the nonce
    and revoking deletes the row, and either way the old address stops working."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    nonce: Mapped[str] = mapped_column(sa.String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)


register_rendered("sign-off comment", SignOff, "comment", "comment_html")
register_rendered("check-in notes", CheckIn, "notes", "notes_html")


class HireSummary(db.Model):
    """A hire's status as stored: written by the writes that change it (see
    `lms.onboarding.standing`), so that lists read one row per hire.

    `inputs` holds what the status engine was given (progress per item, mastery per target
    skill), so the status of any later day is the engine's function of it; `summary` holds what
    the engine made of them on `as_of` (item states, counts, the headline reason, ...), a JSON
    object that features add keys to. The columns repeat what lists sort and filter on."""

    __tablename__ = "hire_summaries"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollments.id", ondelete="CASCADE"), index=True
    )
    path_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("content_versions.id", ondelete="CASCADE"), index=True
    )
    start_date: Mapped[date] = mapped_column(sa.Date)
    as_of: Mapped[date] = mapped_column(sa.Date, index=True)
    health: Mapped[str] = mapped_column(sa.String(16))
    health_rank: Mapped[int] = mapped_column(default=0)
    done_count: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    overdue_count: Mapped[int] = mapped_column(default=0)
    below_count: Mapped[int] = mapped_column(default=0)
    last_activity_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    inputs: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    summary: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
