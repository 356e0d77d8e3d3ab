"""Password hashing (argon2id at OWASP's parameters) and the password rules (after OWASP ASVS)."""

from __future__ import annotations

import bisect
import functools
import gzip
import itertools
import re
from array import array
from collections.abc import Iterator
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


class SortedWords:
    """A sorted, newline-separated word list kept as one bytes object with an index of line
    starts: membership by binary search, about 5 MB for the shipped list instead of 50 MB as a
    set of strings (each server worker holds one)."""

    def __init__(self, blob: bytes) -> None:
        self._blob = blob
        lengths = [len(line) + 1 for line in blob.rstrip(b"\n").split(b"\n")]
        self._starts = array("I", itertools.accumulate(lengths[:-1], initial=0))

    def _word(self, index: int) -> bytes:
        start = self._starts[index]
        end = self._blob.find(b"\n", start)
        return self._blob[start : end if end >= 0 else len(self._blob)]

    def __len__(self) -> int:
        return len(self._starts)

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str) or not word:
            return False
        key = word.encode("utf-8", "surrogatepass")  # UTF-8 byte order is code point order
        index = bisect.bisect_left(range(len(self)), key, key=self._word)
        return index < len(self) and self._word(index) == key

    def __iter__(self) -> Iterator[str]:
        return (self._word(i).decode("utf-8") for i in range(len(self)))


@functools.cache
def common_passwords() -> SortedWords:
    """The shipped list of breached and common passwords (lower-case, sorted, over 400,000 of
    them; see lms/auth/data/README.md for its source)."""
    packed = resources.files("lms.auth").joinpath("data/common-passwords.txt.gz").read_bytes()
    return SortedWords(gzip.decompress(packed))


# Words that people build "strong-looking" passwords from at work: seasons, months, days and the
# words of the job and the company. "<word><digits or symbols>" is refused for these and for every
# word on the common list (Sales2026!, Summer24, Welcome1!).
CONTEXT_WORDS = frozenset(
    """
    spring summer autumn fall winter
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    sales sale salesforce company business office team welcome onboarding training trainer
    manager admin administrator login password passwort changeme letmein secret qwerty
    """.split()
)
# At most this many digits and symbols around a common word still make a guessable password.
MAX_AFFIX = 6
_AFFIXES = re.compile(r"^([^a-z]*)(.*?)([^a-z]*)$", re.DOTALL)
_LEET = str.maketrans({"@": "a", "4": "a", "0": "o", "1": "i", "!": "i", "3": "e", "$": "s"})
_LEET_L = str.maketrans({"@": "a", "4": "a", "0": "o", "1": "l", "!": "i", "3": "e", "$": "s"})


def _variants(word: str) -> set[str]:
    return {word, word.translate(_LEET), word.translate(_LEET_L), word.replace("5", "s")}


def is_common(password: str, *, extra_words: frozenset[str] = frozenset()) -> bool:
    """True for a password on the common list (also spelled with 4/@ for a, 0 for o, 1 for i...),
    or a common or context word with at most MAX_AFFIX digits and symbols before or after it."""
    lowered = password.lower()
    known = common_passwords()
    if any(variant in known for variant in _variants(lowered)):
        return True
    match = _AFFIXES.match(lowered)
    prefix, base, suffix = match.groups() if match else ("", lowered, "")
    if len(base) < 3 or not (prefix or suffix) or len(prefix) + len(suffix) > MAX_AFFIX:
        return False
    words = CONTEXT_WORDS | extra_words
    return any(variant in known or variant in words for variant in _variants(base))


def _email_words(email: str) -> frozenset[str]:
    """The labels of the e-mail's domain (acme in jo@acme.com): a company's name is guessable."""
    domain = email.lower().rpartition("@")[2]
    return frozenset(label for label in domain.split(".")[:-1] if len(label) >= 3)


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
    if _is_trivial(password) or is_common(password, extra_words=_email_words(email)):
        problems.append(_l("This password is too common or too simple; choose another."))
    return problems
