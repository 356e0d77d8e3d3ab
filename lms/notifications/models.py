"""Notifications shown in the app, and the e-mail digests that carry them to the inbox."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.timeutil import utcnow


class Notification(db.Model):
    """One message to one person. The text is rendered from `kind` and `params` when it is shown,
    in the reader's language. `dedupe_key` makes a reminder idempotent: a second notification with
    the same key for the same person is refused by the database. `digest_id` names the e-mail
    digest that carried it (None: not e-mailed yet)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(64))
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    link: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200))
    digest_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("email_digests.id", ondelete="SET NULL"), index=True
    )

    __table_args__ = (
        sa.UniqueConstraint("user_id", "dedupe_key"),
        sa.Index("ix_notifications_user_read", "user_id", "read_at"),
        sa.Index("ix_notifications_user_created", "user_id", "created_at"),
    )

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DigestKind:
    DAILY = "daily"
    MANAGER_WEEKLY = "manager_weekly"


class EmailDigest(db.Model):
    """One e-mail to one person for one period (a day, or an ISO week for managers). The unique
    (user, kind, period) makes `lms remind` idempotent; a digest stays `pending` until the SMTP
    server accepts it, so a failure is retried on the next run. A run claims a digest
    (`sending`) before talking to the server, so two runs never send the same one; a claim left
    by a run that died is taken over after a while."""

    __tablename__ = "email_digests"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    period: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")  # pending|sending|sent
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    __table_args__ = (
        sa.UniqueConstraint("user_id", "kind", "period"),
        sa.CheckConstraint("status IN ('pending', 'sending', 'sent')", name="known_status"),
        sa.CheckConstraint("kind IN ('daily', 'manager_weekly')", name="known_kind"),
        sa.Index("ix_email_digests_status", "status"),
    )
