"""Drill runs, their steps, open replies and their reviews, and the maxima of each version.

A run belongs to one learner and one immutable scenario version. Each answered node is a step
with its position in the run; the database refuses a second step at the same position, and a
partial unique index refuses a second open run of one learner on one version.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.content.models import ContentItem, ContentVersion
from lms.content.rendered import register as register_rendered
from lms.extensions import db
from lms.people.models import User
from lms.timeutil import utcnow


class RunStatus(enum.StrEnum):
    OPEN = "open"
    FINISHED = "finished"
    ABANDONED = "abandoned"


class ReplyStatus(enum.StrEnum):
    PENDING = "pending"
    REVIEWED = "reviewed"


class ScenarioVersionStats(db.Model):
    """The maxima of a scenario version (see `scoring.compute_maxima`), computed once."""

    __tablename__ = "scenario_version_stats"

    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("content_versions.id", ondelete="CASCADE"), primary_key=True
    )
    maxima: Mapped[dict] = mapped_column(sa.JSON)
    path_count: Mapped[int] = mapped_column(sa.BigInteger)
    computed_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)


class ScenarioRun(db.Model):
    __tablename__ = "scenario_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("content_items.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("content_versions.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(sa.String(16), default=RunStatus.OPEN)
    current_node: Mapped[str] = mapped_column(sa.String(64))
    step_count: Mapped[int] = mapped_column(default=0)
    # Shuffles the replies of each choice node for this run (lms.scenarios.ordering); runs
    # started before it existed use their id.
    order_seed: Mapped[int | None] = mapped_column(sa.BigInteger)
    # An open node's reply as the learner types it, kept until the step is sent.
    draft_node: Mapped[str | None] = mapped_column(sa.String(64))
    draft_text: Mapped[str | None] = mapped_column(sa.Text)
    draft_saved_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    started_at: Mapped[datetime] = mapped_column(sa.DateTime)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    end_kind: Mapped[str | None] = mapped_column(sa.String(16))
    points: Mapped[dict | None] = mapped_column(sa.JSON)  # skill -> points on the path
    total_points: Mapped[float | None] = mapped_column(sa.Double)
    score: Mapped[float | None] = mapped_column(sa.Double)  # percent
    passed: Mapped[bool | None] = mapped_column(sa.Boolean)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    item: Mapped[ContentItem] = relationship(foreign_keys=[item_id])
    version: Mapped[ContentVersion] = relationship(foreign_keys=[version_id])
    steps: Mapped[list[ScenarioStep]] = relationship(
        back_populates="run", order_by="ScenarioStep.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint("status IN ('open', 'finished', 'abandoned')", name="known_status"),
        sa.CheckConstraint("step_count >= 0", name="step_count_not_negative"),
        sa.CheckConstraint(
            "end_kind IS NULL OR end_kind IN ('success', 'partial', 'fail')", name="known_end"
        ),
        sa.CheckConstraint(
            "status <> 'finished' OR (score IS NOT NULL AND passed IS NOT NULL "
            "AND finished_at IS NOT NULL)",
            name="finished_has_result",
        ),
        sa.Index(
            "uq_scenario_runs_one_open",
            "user_id",
            "version_id",
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
        sa.Index("ix_scenario_runs_user_item", "user_id", "item_id"),
    )

    @property
    def is_open(self) -> bool:
        return self.status == RunStatus.OPEN

    @property
    def is_finished(self) -> bool:
        return self.status == RunStatus.FINISHED

    @property
    def seed(self) -> int:
        return self.order_seed if self.order_seed is not None else self.id


class ScenarioStep(db.Model):
    """One answered node of a run: the choice taken (with its points) or the reply written."""

    __tablename__ = "scenario_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("scenario_runs.id", ondelete="CASCADE"))
    position: Mapped[int]
    node_id: Mapped[str] = mapped_column(sa.String(64))
    kind: Mapped[str] = mapped_column(sa.String(16))
    choice_index: Mapped[int | None]
    points: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    reply: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)

    run: Mapped[ScenarioRun] = relationship(back_populates="steps")

    __table_args__ = (
        sa.UniqueConstraint("run_id", "position"),
        sa.CheckConstraint("position >= 0", name="position_not_negative"),
        sa.CheckConstraint("kind IN ('choice', 'open')", name="known_kind"),
        sa.CheckConstraint(
            "(kind = 'choice' AND choice_index IS NOT NULL AND reply IS NULL) OR "
            "(kind = 'open' AND choice_index IS NULL AND reply IS NOT NULL)",
            name="answer_matches_kind",
        ),
    )


class OpenReply(db.Model):
    """A reply written at an open node, waiting for a reviewer or reviewed.

    `lines` holds one entry per rubric line, in rubric order: ``{"met": bool, "comment": str,
    "comment_html": str}``; comments are Markdown, rendered when saved."""

    __tablename__ = "scenario_open_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(
        sa.ForeignKey("scenario_steps.id", ondelete="CASCADE"), unique=True
    )
    run_id: Mapped[int] = mapped_column(
        sa.ForeignKey("scenario_runs.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("content_versions.id", ondelete="CASCADE"), index=True
    )
    node_id: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(16), default=ReplyStatus.PENDING)
    submitted_at: Mapped[datetime] = mapped_column(sa.DateTime)
    reviewer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    lines: Mapped[list | None] = mapped_column(sa.JSON)
    comment: Mapped[str | None] = mapped_column(sa.Text)
    comment_html: Mapped[str | None] = mapped_column(sa.Text)
    # A later reply of the same hire to the same node of the drill, sent while this one was
    # still pending: this one stays in the run's history but leaves the review queue.
    superseded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("scenario_open_replies.id", ondelete="SET NULL")
    )

    step: Mapped[ScenarioStep] = relationship(foreign_keys=[step_id])
    run: Mapped[ScenarioRun] = relationship(foreign_keys=[run_id])
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])

    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'reviewed')", name="known_status"),
        sa.CheckConstraint(
            "status <> 'reviewed' OR (reviewed_at IS NOT NULL AND lines IS NOT NULL)",
            name="reviewed_has_result",
        ),
        sa.Index("ix_scenario_open_replies_status_submitted", "status", "submitted_at"),
    )

    @property
    def is_reviewed(self) -> bool:
        return self.status == ReplyStatus.REVIEWED

    @property
    def is_superseded(self) -> bool:
        return self.superseded_by_id is not None and not self.is_reviewed


register_rendered("review comment", OpenReply, "comment", "comment_html")
