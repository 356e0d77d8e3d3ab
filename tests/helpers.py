"""Helpers for tests: constants, login shortcuts, CSRF token extraction, skip-or-fail."""

from __future__ import annotations

import os
import re

import pytest

from lms.people.models import User

REQUIRE_ALL = os.environ.get("LMS_REQUIRE_ALL_TESTS") == "1"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TEST_PASSWORD = "correct horse battery staple"
TEST_SECRET = "test-secret-key-" + "x" * 32
# The authenticator key the user factory gives admins (admins must have a second factor).
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def skip_or_fail(reason: str) -> None:
    """Skip on a laptop without the service; fail in CI, where everything must run."""
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (LMS_REQUIRE_ALL_TESTS=1 forbids skipping)")
    pytest.skip(reason)


def login_as(client, user: User) -> None:
    """Put `user` in the client's session without spending a password hash."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def login_with_password(client, email: str, password: str = TEST_PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(response) -> str:
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, "no csrf_token in the page"
    return match.group(1)
