"""Two-factor sign-in (OWASP ASVS 5.0 level 2): a TOTP authenticator (RFC 6238, 30-second codes
of 6 digits, one step of clock drift either way) and ten one-time recovery codes.

The TOTP secret is stored encrypted (Fernet, with a key derived from the app's secret key), never
logged, and shown only while enrolling. A code is accepted once: the time step of the last accepted
code is kept and moved forward atomically. Recovery codes are random (60 bits), stored as salted
SHA-256 digests, shown once and each usable once. Services take explicit arguments, flush, audit and
leave the commit to the caller."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from markupsafe import Markup

from lms.audit.services import record
from lms.auth.models import RecoveryCode, TwoFactor
from lms.extensions import db
from lms.people.models import Role, User
from lms.people.services import end_all_sessions

ISSUER = "Sales Onboarding"
STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
_RECOVERY_GROUPS = 3
_RECOVERY_GROUP_LENGTH = 4


class TwoFactorError(ValueError):
    """A second-factor change the rules refuse (the message is for people)."""


def _fernet() -> Fernet:
    secret_key = current_app.config["SECRET_KEY"]
    if isinstance(secret_key, str):
        secret_key = secret_key.encode()
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"lms two-factor secret v1"
    ).derive(secret_key)
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def _decrypt(token: str) -> str | None:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:  # the secret key changed: the factor must be reset
        return None


def factor_of(user: User) -> TwoFactor | None:
    return db.session.get(TwoFactor, user.id)


def is_enabled(user: User) -> bool:
    factor = factor_of(user)
    return factor is not None and factor.enabled_at is not None


def is_required(user: User) -> bool:
    """Admins must use a second factor; for everyone else it is optional."""
    return user.has_role(Role.ADMIN)


def start_enrolment(user: User, *, now: datetime) -> str:
    """Make a new secret for `user` (replacing an unconfirmed one) and return it."""
    factor = factor_of(user)
    if factor is not None and factor.enabled_at is not None:
        raise TwoFactorError("two-factor sign-in is already on")
    secret = pyotp.random_base32()
    if factor is None:
        factor = TwoFactor(user_id=user.id, created_at=now, secret_encrypted="")
        db.session.add(factor)
    factor.secret_encrypted = encrypt_secret(secret)
    factor.created_at = now
    factor.last_counter = None
    db.session.flush()
    return secret


def pending_secret(user: User) -> str | None:
    """The secret of an enrolment awaiting its first code, or None."""
    factor = factor_of(user)
    if factor is None or factor.enabled_at is not None:
        return None
    return _decrypt(factor.secret_encrypted)


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_svg(uri: str) -> Markup:
    """The QR code of `uri` as inline SVG markup (no script, no style attribute)."""
    return Markup(segno.make(uri, error="m").svg_inline(scale=5, border=4))


def format_secret(secret: str) -> str:
    """The secret in groups of four, easier to type."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _matching_counter(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code is `code` (the current one or one either side), or None."""
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    counter = int(now.timestamp()) // STEP_SECONDS
    found = None
    for step in range(counter - DRIFT_STEPS, counter + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def _clean_totp(code: str) -> str | None:
    code = "".join(code.split())
    return code if len(code) == DIGITS and code.isascii() and code.isdigit() else None


def _use_counter(user: User, counter: int) -> bool:
    """Accept the time step once: an atomic compare-and-set on the last accepted step."""
    result = db.session.execute(
        sa.update(TwoFactor)
        .where(
            TwoFactor.user_id == user.id,
            sa.or_(TwoFactor.last_counter.is_(None), TwoFactor.last_counter < counter),
        )
        .values(last_counter=counter)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def confirm_enrolment(user: User, code: str, *, now: datetime) -> list[str] | None:
    """Turn two-factor sign-in on when `code` matches the pending secret; returns the new
    recovery codes (to show once), or None when the code is wrong."""
    secret = pending_secret(user)
    cleaned = _clean_totp(code)
    if secret is None or cleaned is None:
        return None
    counter = _matching_counter(secret, cleaned, now)
    if counter is None or not _use_counter(user, counter):
        return None
    factor = factor_of(user)
    db.session.refresh(factor)
    factor.enabled_at = now
    codes = _new_recovery_codes(user)
    record("two_factor.enabled", actor=user, subject=user)
    db.session.flush()
    return codes


def enable_with_secret(user: User, secret: str, *, now: datetime, actor: User | None) -> None:
    """Turn two-factor sign-in on with a known secret (the demo admin); no recovery codes."""
    factor = factor_of(user)
    if factor is None:
        factor = TwoFactor(user_id=user.id, secret_encrypted="")
        db.session.add(factor)
    factor.secret_encrypted = encrypt_secret(secret)
    factor.created_at = now
    factor.enabled_at = now
    factor.last_counter = None
    record("two_factor.enabled", actor=actor, subject=user)
    db.session.flush()


def _normalize_recovery(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _digest(code: str, salt: str | None = None) -> str:
    """`salt$sha256(salt + code)`, with a random 64-bit salt per code (ASVS: a lookup secret of
    less than 112 bits is stored salted)."""
    salt = salt if salt is not None else secrets.token_hex(8)
    digest = hashlib.sha256((salt + _normalize_recovery(code)).encode()).hexdigest()
    return f"{salt}${digest}"


def _matches(stored: str, code: str) -> bool:
    return hmac.compare_digest(_digest(code, stored.partition("$")[0]), stored)


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(
        sa.delete(RecoveryCode)
        .where(RecoveryCode.user_id == user.id)
        .execution_options(synchronize_session=False)
    )
    codes = [
        "-".join(
            "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_GROUP_LENGTH))
            for _ in range(_RECOVERY_GROUPS)
        )
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(code)) for code in codes)
    db.session.flush()
    return codes


def regenerate_recovery_codes(user: User, *, now: datetime) -> list[str]:
    """Replace every recovery code of `user` with ten new ones, returned to be shown once."""
    if not is_enabled(user):
        raise TwoFactorError("two-factor sign-in is off")
    codes = _new_recovery_codes(user)
    record("two_factor.recovery_codes_renewed", actor=user, subject=user)
    return codes


def recovery_codes_left(user: User) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(RecoveryCode.id)).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )


def verify(user: User, code: str, *, now: datetime) -> str | None:
    """Check a second-factor code of an enrolled user: a TOTP code not used before, or an unused
    recovery code (then spent). Returns "totp" or "recovery_code", or None when refused."""
    factor = factor_of(user)
    if factor is None or factor.enabled_at is None:
        return None
    totp = _clean_totp(code)
    if totp is not None:
        secret = _decrypt(factor.secret_encrypted)
        counter = _matching_counter(secret, totp, now) if secret else None
        return "totp" if counter is not None and _use_counter(user, counter) else None
    if (
        len(code) > 64
        or len(_normalize_recovery(code)) != _RECOVERY_GROUPS * _RECOVERY_GROUP_LENGTH
    ):
        return None
    unused = db.session.execute(
        sa.select(RecoveryCode.id, RecoveryCode.code_hash).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    ).all()
    found = next((row.id for row in unused if _matches(row.code_hash, code)), None)
    if found is None:
        return None
    # Spent once: of two requests with the same code, only one changes the row.
    spent = db.session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.id == found, RecoveryCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        return None
    record(
        "two_factor.recovery_code_used", actor=user, subject=user, left=recovery_codes_left(user)
    )
    return "recovery_code"


def _remove(user: User) -> None:
    for model in (RecoveryCode, TwoFactor):
        db.session.execute(
            sa.delete(model)
            .where(model.user_id == user.id)
            .execution_options(synchronize_session=False)
        )
    db.session.expire_all()


def disable(user: User, *, now: datetime) -> None:
    """The owner turns two-factor sign-in off (not allowed where it is required)."""
    if is_required(user):
        raise TwoFactorError("required")
    _remove(user)
    record("two_factor.disabled", actor=user, subject=user)
    db.session.flush()


def reset(user: User, *, actor: User, now: datetime) -> None:
    """An admin removes another person's second factor (a lost phone): the person's sessions
    end, and they sign in with the password alone (an admin is then sent to enrol again)."""
    if actor.id == user.id:
        raise TwoFactorError("own")
    _remove(user)
    end_all_sessions(user)
    record("two_factor.reset", actor=actor, subject=user)
    db.session.flush()
