"""Logging in and out. Failed logins are counted in the database, so the lock holds across every
worker and host; the per-address limit is Flask-Limiter's (see views)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from lms.audit.services import record
from lms.auth.passwords import hash_password, needs_rehash, verify_password
from lms.extensions import db
from lms.people.models import User
from lms.people.services import end_all_sessions, find_user_by_email
from lms.timeutil import utcnow


class LoginOutcome(enum.Enum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    LOCKED = "locked"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None
    locked_until: datetime | None = None


def authenticate(email: str, password: str, *, now: datetime | None = None) -> LoginResult:
    """Check a login attempt and record it; the caller commits (also on failure)."""
    now = now or utcnow()
    user = find_user_by_email(email)
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None:
        record("login.failed", actor=None, email=email.strip().lower()[:254], reason="unknown")
        return LoginResult(LoginOutcome.BAD_CREDENTIALS)
    if user.locked_until is not None and user.locked_until > now:
        record("login.failed", actor=None, subject=user, reason="locked")
        return LoginResult(LoginOutcome.LOCKED, user, user.locked_until)
    if not password_ok:
        _count_failure(user, now)
        record("login.failed", actor=None, subject=user, reason="password")
        if user.locked_until is not None and user.locked_until > now:
            return LoginResult(LoginOutcome.LOCKED, user, user.locked_until)
        return LoginResult(LoginOutcome.BAD_CREDENTIALS, user)
    if not user.active:
        record("login.failed", actor=None, subject=user, reason="inactive")
        return LoginResult(LoginOutcome.INACTIVE, user)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    record("login.succeeded", actor=user, subject=user)
    db.session.flush()
    return LoginResult(LoginOutcome.OK, user)


def _count_failure(user: User, now: datetime) -> None:
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    lock_for = timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    # One atomic statement: concurrent failures on several workers are all counted.
    db.session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user, ["failed_logins"])
    if limit and user.failed_logins >= limit:
        user.failed_logins = 0
        user.locked_until = now + lock_for
        record("login.locked", actor=None, subject=user, until=user.locked_until.isoformat())
    db.session.flush()


def logout_everywhere(user: User) -> None:
    """Logging out ends every session of the user, on every device."""
    end_all_sessions(user)
    record("logout", actor=user, subject=user)
    db.session.flush()
