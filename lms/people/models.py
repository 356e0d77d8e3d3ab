"""People: accounts, roles and the management chain."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.timeutil import utcnow


class Role(enum.StrEnum):
    """Roles added on top of learning; everyone can learn."""

    TRAINER = "trainer"
    MANAGER = "manager"
    ADMIN = "admin"


ROLE_VALUES = tuple(role.value for role in Role)
LOCALES = ("en", "zh_CN")


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(sa.String(16), primary_key=True)

    __table_args__ = (
        sa.CheckConstraint("role IN ('trainer', 'manager', 'admin')", name="known_role"),
        sa.Index("ix_user_roles_role", "role"),
    )


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased: the unique constraint is therefore case-insensitive.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    manager_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    start_date: Mapped[date | None] = mapped_column(sa.Date)
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    timezone: Mapped[str | None] = mapped_column(sa.String(64))  # IANA name; None: the default
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow)

    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.role
    )
    manager: Mapped[User | None] = relationship(remote_side=[id])

    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lower"),
        sa.CheckConstraint("manager_id IS NULL OR manager_id <> id", name="not_own_manager"),
        sa.CheckConstraint("session_version >= 1", name="session_version_positive"),
    )

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(row.role for row in self.role_rows)

    def set_roles(self, roles: set[str] | frozenset[str]) -> None:
        unknown = set(roles) - set(ROLE_VALUES)
        if unknown:
            raise ValueError(f"unknown roles: {', '.join(sorted(unknown))}")
        keep = [row for row in self.role_rows if row.role in roles]
        have = {row.role for row in keep}
        self.role_rows = keep + [UserRole(role=r) for r in sorted(roles) if r not in have]

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:
        # The session version travels with the id: bumping it ends every session and cookie.
        return f"{self.id}:{self.session_version}"

    def day_of_onboarding(self, on: date) -> int | None:
        """Day N of onboarding, day 1 being the start date; None before the start or without one."""
        if self.start_date is None or on < self.start_date:
            return None
        return (on - self.start_date).days + 1

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"
