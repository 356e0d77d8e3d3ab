"""Sign-in state kept in the database: failed-login throttles per account and client address,
and the second factor (a TOTP secret, encrypted, and one-time recovery codes)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.timeutil import utcnow


class LoginThrottle(db.Model):
    """Failed sign-ins of one account from one client address (OWASP: throttle per account and
    address, so an attacker elsewhere cannot lock the owner out)."""

    __tablename__ = "login_throttles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(sa.String(64))
    failures: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime)
    last_failure_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("user_id", "address"),
        sa.CheckConstraint("failures >= 0", name="failures_not_negative"),
    )


class TwoFactor(db.Model):
    """A person's TOTP authenticator. `enabled_at` is empty while the enrolment awaits its first
    code; `last_counter` is the time step of the last code accepted, so no code is used twice."""

    __tablename__ = "two_factor"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    secret_encrypted: Mapped[str] = mapped_column(sa.String(255))
    enabled_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    last_counter: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)


class RecoveryCode(db.Model):
    """A one-time recovery code, stored as `salt$sha256(salt + code)` (the codes are random,
    60 bits; the salt is random per code)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(128))
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
