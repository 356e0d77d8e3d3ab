"""Failed sign-ins, counted per (account, client address) in the database (OWASP Authentication
Cheat Sheet): after LOGIN_MAX_FAILURES failures from one address, that address may not try the
account for LOGIN_LOCK_MINUTES, doubling with every further failure up to LOGIN_LOCK_MAX_MINUTES.
The owner signing in from another address is not affected, so nobody can lock a victim out; the
per-address rate limit (Flask-Limiter, see views) slows an attacker spraying many accounts."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from lms.audit.services import record
from lms.auth.models import LoginThrottle
from lms.extensions import db
from lms.people.models import User

# Failures older than this are forgotten: the count starts again.
FORGET_AFTER = timedelta(hours=24)
MAX_DOUBLINGS = 20


def locked_until(user: User, address: str, now: datetime) -> datetime | None:
    """When this address may try this account again, or None when it may now."""
    until = db.session.scalar(
        sa.select(LoginThrottle.locked_until).where(
            LoginThrottle.user_id == user.id, LoginThrottle.address == address
        )
    )
    return until if until is not None and until > now else None


def lock_duration(failures: int) -> timedelta:
    """How long a pair is paused after its `failures`-th failure (zero below the threshold)."""
    config = current_app.config
    limit = config["LOGIN_MAX_FAILURES"]
    if not limit or failures < limit:
        return timedelta(0)
    doublings = min(failures - limit, MAX_DOUBLINGS)
    minutes = min(config["LOGIN_LOCK_MINUTES"] * 2**doublings, config["LOGIN_LOCK_MAX_MINUTES"])
    return timedelta(minutes=minutes)


def count_failure(user: User, address: str, now: datetime) -> datetime | None:
    """Count one failed sign-in (a wrong password or a wrong second-factor code) of `user` from
    `address`; returns the end of the pause this failure starts, if it starts one. Concurrent
    failures on several workers are all counted (one atomic UPDATE, or INSERT once)."""
    address = address[:64]
    forgotten = now - FORGET_AFTER
    values = {
        "failures": sa.case(
            (LoginThrottle.last_failure_at < forgotten, 1), else_=LoginThrottle.failures + 1
        ),
        "last_failure_at": now,
    }
    where = (LoginThrottle.user_id == user.id, LoginThrottle.address == address)
    updated = db.session.execute(
        sa.update(LoginThrottle)
        .where(*where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not updated.rowcount:
        try:
            with db.session.begin_nested():
                db.session.add(
                    LoginThrottle(user_id=user.id, address=address, failures=1, last_failure_at=now)
                )
        except sa.exc.IntegrityError:  # another worker inserted it first
            db.session.execute(
                sa.update(LoginThrottle)
                .where(*where)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
    throttle = db.session.scalars(
        sa.select(LoginThrottle).where(*where).execution_options(populate_existing=True)
    ).one()
    pause = lock_duration(throttle.failures)
    if not pause:
        db.session.flush()
        return None
    throttle.locked_until = now + pause
    record(
        "login.locked",
        actor=None,
        subject=user,
        address=address,
        failures=throttle.failures,
        until=throttle.locked_until.isoformat(timespec="seconds"),
    )
    _tell_owner(user, address, throttle.locked_until, now)
    db.session.flush()
    return throttle.locked_until


def _tell_owner(user: User, address: str, until: datetime, now: datetime) -> None:
    """The owner learns of the pause in-app (and in their next e-mail digest), at most once per
    address and day; whoever typed the address learns nothing."""
    from lms.notifications.services import notify_once

    notify_once(
        user.id,
        "sign_in_paused",
        f"sign_in_paused:{address}:{now.date().isoformat()}",
        link="/account/security",
        now=now,
        address=address,
        until=until.isoformat(timespec="seconds"),
    )


def clear_failures(user: User, address: str | None = None) -> None:
    """Forget the failures of `user` (from `address` only, when given): after a sign-in from
    that address, or from every address when the password is reset."""
    statement = sa.delete(LoginThrottle).where(LoginThrottle.user_id == user.id)
    if address is not None:
        statement = statement.where(LoginThrottle.address == address[:64])
    db.session.execute(statement.execution_options(synchronize_session=False))
