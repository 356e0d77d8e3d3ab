"""Password hashing (argon2id at OWASP's parameters) and the password rules (after OWASP ASVS)."""

from __future__ import annotations

import functools
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 8
MAX_LENGTH = 128

# OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the account does not exist, so that both answers take the same time.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; always spends one hash's worth of time."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@functools.cache
def common_passwords() -> frozenset[str]:
    text = resources.files("lms.auth").joinpath("common-passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def _is_trivial(password: str) -> bool:
    if len(set(password)) <= 2:
        return True
    codes = [ord(ch) for ch in password.lower()]
    steps = {b - a for a, b in zip(codes, codes[1:], strict=False)}
    return steps <= {1} or steps <= {-1}


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """The reasons `password` is refused (translated), or an empty list when it is acceptable."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(_l("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        problems.append(_l("Use at most %(n)d characters.", n=MAX_LENGTH))
    lowered = password.lower()
    local_part = email.lower().split("@", 1)[0]
    if email and (lowered == email.lower() or (len(local_part) >= 4 and local_part in lowered)):
        problems.append(_l("Do not use your e-mail address in the password."))
    if name and len(name) >= 4 and name.lower().replace(" ", "") in lowered.replace(" ", ""):
        problems.append(_l("Do not use your name in the password."))
    if lowered in common_passwords() or _is_trivial(password):
        problems.append(_l("This password is too common or too simple; choose another."))
    return problems
