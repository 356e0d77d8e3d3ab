"""Signing in and out. Failed sign-ins are counted per account and client address in the database
(see `lms.auth.throttle`), so the pause holds across every worker and host; the per-address limit
is Flask-Limiter's (see views).

A paused pair, a wrong password and an unknown address get the same answer after the same work
(one password hash), so the sign-in page tells nobody whether an address has an account or is
paused; the owner is told in-app."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from lms.audit.services import record
from lms.auth import throttle, two_factor
from lms.auth.passwords import hash_password, needs_rehash, verify_password
from lms.core.transaction import keep_on_rollback
from lms.extensions import db
from lms.people.models import User
from lms.people.services import end_all_sessions, find_user_by_email
from lms.timeutil import utcnow


class LoginOutcome(enum.Enum):
    OK = "ok"
    SECOND_FACTOR = "second_factor"  # the password is right; a code is needed
    BAD_CREDENTIALS = "bad_credentials"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None


def authenticate(
    email: str, password: str, *, address: str, now: datetime | None = None
) -> LoginResult:
    """Check the password step of a sign-in and record it. A failure is recorded so that it
    stands whatever the request answers (see `record_failure`). A person with two-factor
    sign-in gets SECOND_FACTOR and is not signed in yet."""
    now = now or utcnow()
    user = find_user_by_email(email)
    if user is None:
        verify_password(None, password)
        record_failure(None, "unknown", address=address, now=now, email=email)
        return LoginResult(LoginOutcome.BAD_CREDENTIALS)
    if throttle.locked_until(user, address, now) is not None:
        # Same work as a real check, without looking at the real password.
        verify_password(None, password)
        record_failure(user.id, "paused", address=address, now=now)
        return LoginResult(LoginOutcome.BAD_CREDENTIALS, user)
    if not verify_password(user.password_hash, password):
        record_failure(user.id, "password", address=address, now=now, count=True)
        return LoginResult(LoginOutcome.BAD_CREDENTIALS, user)
    if not user.active:
        record_failure(user.id, "inactive", address=address, now=now)
        return LoginResult(LoginOutcome.INACTIVE, user)
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if two_factor.is_enabled(user):
        # The failures of this address are only forgotten once the second factor passes.
        db.session.flush()
        return LoginResult(LoginOutcome.SECOND_FACTOR, user)
    complete_sign_in(user, address=address, now=now, method="password")
    return LoginResult(LoginOutcome.OK, user)


def check_second_factor(
    user: User, code: str, *, address: str, now: datetime, sign_in: bool = True
) -> str | None:
    """The second step of a sign-in (or, with `sign_in=False`, a fresh code before a change of
    the second factor): a TOTP or recovery code. Wrong codes count as failed sign-ins of the
    (account, address) pair, so the same pause applies. Returns how it passed ("totp" or
    "recovery_code"), or None."""
    if not user.active or throttle.locked_until(user, address, now) is not None:
        record_failure(user.id, "paused", address=address, now=now)
        return None
    method = two_factor.verify(user, code, now=now)
    if method is None:
        record_failure(user.id, "second_factor", address=address, now=now, count=True)
        return None
    if sign_in:
        complete_sign_in(user, address=address, now=now, method=method)
    return method


def record_failure(
    user_id: int | None,
    reason: str,
    *,
    address: str,
    now: datetime,
    email: str = "",
    count: bool = False,
) -> None:
    """Audit a failed sign-in (and, with `count`, count it against the account and address for
    the throttle). The record stands even when the request then answers with an error, fails,
    or is discarded: it is written now and kept on rollback (`lms.core.transaction`), so that
    no answer the caller can provoke undoes the count."""

    def write() -> None:
        user = db.session.get(User, user_id) if user_id is not None else None
        if user is None:
            record("login.failed", actor=None, email=email.strip().lower()[:254], reason=reason)
        else:
            if count:
                throttle.count_failure(user, address, now)
            record("login.failed", actor=None, subject=user, reason=reason)
        db.session.flush()

    write()
    keep_on_rollback(write)


def complete_sign_in(user: User, *, address: str, now: datetime, method: str) -> None:
    throttle.clear_failures(user, address)
    user.last_login_at = now
    record("login.succeeded", actor=user, subject=user, method=method)
    db.session.flush()


def logout_everywhere(user: User) -> None:
    """Logging out ends every session of the user, on every device."""
    end_all_sessions(user)
    record("logout", actor=user, subject=user)
    db.session.flush()
