"""Plans, reviews and the daily rollup of the execution measures.

A plan belongs to one hire and one day of the hire's own calendar (their time zone). Its
priorities keep their outcome from the review; a priority carried to a later day points at the
one it came from, so nothing is offered twice."""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.timeutil import utcnow

OUTCOMES = ("done", "partly", "moved", "dropped")


class ActivityKind(db.Model):
    """A kind of sales activity a hire plans and counts (calls, meetings ...), with a weekly goal.
    The company edits the list; a kind in use is retired, never deleted."""

    __tablename__ = "activity_kinds"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name_en: Mapped[str] = mapped_column(sa.String(80))
    name_zh: Mapped[str] = mapped_column(sa.String(80), default="")
    weekly_goal: Mapped[int] = mapped_column(default=0, server_default="0")
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())

    __table_args__ = (sa.CheckConstraint("weekly_goal >= 0", name="goal_not_negative"),)

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") and self.name_zh else self.name_en


class DayPlan(db.Model):
    __tablename__ = "day_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(sa.Date)
    planned_at: Mapped[datetime | None] = mapped_column(sa.DateTime)  # None: only seeded so far
    reviewed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    is_review_late: Mapped[bool] = mapped_column(
        sa.Boolean, default=False, server_default=sa.false()
    )
    learned: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    priorities: Mapped[list[PlanPriority]] = relationship(
        back_populates="plan",
        order_by="PlanPriority.position",
        cascade="all, delete-orphan",
        foreign_keys="PlanPriority.plan_id",
    )
    counts: Mapped[list[ActivityCount]] = relationship(
        cascade="all, delete-orphan", order_by="ActivityCount.kind_id"
    )

    __table_args__ = (sa.UniqueConstraint("user_id", "day"),)

    @property
    def is_reviewed(self) -> bool:
        """Reviewed in time (by noon of the next day): only then does the day count."""
        return self.reviewed_at is not None and not self.is_review_late


class PlanPriority(db.Model):
    __tablename__ = "plan_priorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        sa.ForeignKey("day_plans.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(sa.String(200))
    path_slug: Mapped[str | None] = mapped_column(sa.String(64))
    item_id: Mapped[str | None] = mapped_column(sa.String(64))
    start_time: Mapped[time | None] = mapped_column(sa.Time)
    duration_minutes: Mapped[int | None]
    customer: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    source: Mapped[str] = mapped_column(sa.String(16), default="plan", server_default="plan")
    carried_from_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("plan_priorities.id", ondelete="SET NULL"), index=True
    )
    outcome: Mapped[str | None] = mapped_column(sa.String(16))
    moved_to: Mapped[date | None] = mapped_column(sa.Date)
    reason: Mapped[str | None] = mapped_column(sa.String(32))
    reason_note: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    plan: Mapped[DayPlan] = relationship(back_populates="priorities", foreign_keys=[plan_id])

    __table_args__ = (
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('done', 'partly', 'moved', 'dropped')",
            name="known_outcome",
        ),
        sa.CheckConstraint(
            "duration_minutes IS NULL OR (duration_minutes > 0 AND duration_minutes <= 720)",
            name="duration_range",
        ),
    )


class ActivityCount(db.Model):
    __tablename__ = "plan_activity_counts"

    plan_id: Mapped[int] = mapped_column(
        sa.ForeignKey("day_plans.id", ondelete="CASCADE"), primary_key=True
    )
    kind_id: Mapped[int] = mapped_column(
        sa.ForeignKey("activity_kinds.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    planned: Mapped[int] = mapped_column(default=0, server_default="0")
    actual: Mapped[int | None]

    kind: Mapped[ActivityKind] = relationship(lazy="joined")

    __table_args__ = (
        sa.CheckConstraint("planned >= 0 AND (actual IS NULL OR actual >= 0)", name="counts"),
    )


class WeeklyReview(db.Model):
    __tablename__ = "weekly_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    week_start: Mapped[date] = mapped_column(sa.Date)  # the Monday
    notes: Mapped[str] = mapped_column(sa.String(1000), default="", server_default="")
    next_priorities: Mapped[list] = mapped_column(sa.JSON, default=list)
    # A snapshot of the week as the hire saw it when reviewing (rate, reasons, activity totals).
    summary: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("user_id", "week_start"),)


class ExecutionDay(db.Model):
    """The daily rollup of the four measures: what every page reads instead of raw activity.

    Written by the plan and review services for the day they touch and by the daily job
    (`lms remind`) for every active hire's yesterday and today."""

    __tablename__ = "execution_days"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    is_planned: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    is_reviewed: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    is_review_late: Mapped[bool] = mapped_column(
        sa.Boolean, default=False, server_default=sa.false()
    )
    priorities: Mapped[int] = mapped_column(default=0, server_default="0")
    done_points: Mapped[float] = mapped_column(sa.Double, default=0.0, server_default="0")
    first_tries: Mapped[int] = mapped_column(default=0, server_default="0")
    first_passes: Mapped[int] = mapped_column(default=0, server_default="0")
    timeliness_hours: Mapped[list] = mapped_column(sa.JSON, default=list)
    resolution_hours: Mapped[list] = mapped_column(sa.JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    __table_args__ = (sa.Index("ix_execution_days_day", "day"),)
