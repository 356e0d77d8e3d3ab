import pytest

from lms.auth.passwords import (
    MAX_LENGTH,
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)


def test_hash_is_argon2id_at_owasp_parameters():
    hashed = hash_password("a long enough passphrase")
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(hashed, "a long enough passphrase")
    assert not verify_password(hashed, "a long enough passphras")
    assert not needs_rehash(hashed)


def test_verify_never_raises_on_bad_hashes():
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")
    assert not verify_password("", "")


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short1!", "at least 8"),
        ("x" * (MAX_LENGTH + 1), "at most 128"),
        ("password123", "too common"),
        ("Welcome1", "too common"),
        ("aaaaaaaaaaaa", "too common"),
        ("abcdefghij", "too common"),
        ("98765432", "too common"),
        ("lena.park@example.com", "e-mail"),
        ("my lena.park secret", "e-mail"),
        ("LenaPark2026!", "name"),
    ],
)
def test_refused_passwords(app, password, fragment):
    problems = [
        str(p) for p in password_problems(password, email="lena.park@example.com", name="Lena Park")
    ]
    assert any(fragment in p for p in problems), problems


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "Tr0ub4dor&3xyz",
        "plan the work " * 4 + "then work the plan",
        "销售执行力每天进步一点",
    ],
)
def test_accepted_passwords(app, password):
    assert len(password) >= 8
    assert password_problems(password, email="lena.park@example.com", name="Lena Park") == []
