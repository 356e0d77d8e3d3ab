"""The weekly rollup the progress and cohort pages read: one row per hire and week since start."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.timeutil import utcnow


class WeeklySnapshot(db.Model):
    """A hire's week `week` of onboarding (week 1 = days 1-7 from the start date): mastery per
    skill at the end of the week (0-100, shown values only), the phase, the ability and
    willingness scores and the four execution measures of the week. Written by the daily job
    (`lms remind`) for the current week, rebuilt from the evidence log and the execution rollup
    by `lms reports rebuild`."""

    __tablename__ = "weekly_snapshots"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    week: Mapped[int] = mapped_column(primary_key=True)
    week_start: Mapped[date] = mapped_column(sa.Date)
    start_date: Mapped[date] = mapped_column(sa.Date)
    phase_id: Mapped[str | None] = mapped_column(sa.String(64))
    mastery: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # skill id -> 0..100
    ability: Mapped[int | None]
    willingness: Mapped[int | None]
    completion: Mapped[float | None] = mapped_column(sa.Double)
    timeliness: Mapped[float | None] = mapped_column(sa.Double)
    quality: Mapped[float | None] = mapped_column(sa.Double)
    resolution: Mapped[float | None] = mapped_column(sa.Double)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("week >= 1", name="week_positive"),
        sa.Index("ix_weekly_snapshots_start_date", "start_date"),
    )
