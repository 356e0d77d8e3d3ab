import itertools

import pytest

from lms.auth.passwords import (
    MAX_LENGTH,
    SortedWords,
    common_passwords,
    hash_password,
    is_common,
    needs_rehash,
    password_problems,
    verify_password,
)
from lms.people.services import PeopleError, set_password
from tests.helpers import TEST_PASSWORD


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


def test_the_shipped_list_of_breached_passwords_is_large():
    words = common_passwords()
    assert len(words) >= 100_000
    assert all(w in words for w in ("iloveyou123", "password1", "qwerty123", "sunshine"))
    assert "violet-harbour-engine-42" not in words and "" not in words
    first = list(itertools.islice(words, 1000))
    assert first == sorted(first) and all(word == word.lower() for word in first)


def test_sorted_words_finds_every_word_and_nothing_else():
    words = SortedWords("apple\nbanana\ncherry\n销售\n".encode())
    assert len(words) == 4 and list(words) == ["apple", "banana", "cherry", "销售"]
    assert all(w in words for w in ("apple", "banana", "cherry", "销售"))
    assert not any(w in words for w in ("", "a", "apples", "banan", "zebra", "\x00", "\udc80", 7))


@pytest.mark.parametrize(
    "password",
    [
        "Password1!",  # on the list in another case
        "iloveyou123",  # on the list
        "Sales2026!",  # a work word and a year
        "Summer2025",  # a season and a year
        "2026january!",  # digits first
        "P@ssw0rd99",  # common word spelled with symbols
        "Acme2026!!",  # the company's name, from the e-mail domain
        "Dragon#1987",  # a common word with digits and symbols
    ],
)
def test_common_passwords_and_their_patterns_are_refused(app, password):
    problems = [str(p) for p in password_problems(password, email="lena@acme.com")]
    assert problems == ["This password is too common or too simple; choose another."]


@pytest.mark.parametrize(
    "password",
    ["violet-harbour-engine-42", "Zebra-Quartz-17", "monkey7391028345!", "Kx9#mQ2$vL7p"],
)
def test_strong_passwords_are_accepted(app, password):
    assert password_problems(password, email="lena@acme.com") == []


def test_is_common_without_context_words():
    assert is_common("Welcome2026!")
    assert not is_common("Welcome to the jungle, 2026!")
    assert is_common("zorblaxia2026", extra_words=frozenset({"zorblaxia"}))
    assert not is_common("zorblaxia2026")


def test_a_new_password_must_differ_from_the_current_one(app, db, make_user):
    user = make_user("lena@example.com")
    with pytest.raises(PeopleError, match="differ from the current one"):
        set_password(user, TEST_PASSWORD, actor=user)
    set_password(user, "a brand new phrase", actor=user)
    assert verify_password(user.password_hash, "a brand new phrase")
