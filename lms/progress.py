"""Progress of learners on content, whatever the kind: one registry that every feature feeds.

Courses need the status of their lessons, quizzes and drills; onboarding paths need the status of
courses, quizzes, drills, field tasks and check-ins. Each feature registers a batch provider for
its kind (in its `services` module, listed in `lms.app_setup.PROVIDER_MODULES`; `create_app`
loads them and refuses to start while a kind of REQUIRED_KINDS has none), so that no feature
imports another's tables to compute it.

A provider answers for many learners and items at once, in a bounded number of queries:
    provider(user_ids, slugs) -> {(user_id, slug): ItemProgress}
Pairs without any activity may be left out; `progress_of` fills them with NOT_STARTED.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

Key = tuple[int, str]


@dataclass(frozen=True)
class ItemProgress:
    started: bool = False
    done: bool = False  # lesson read, quiz or drill passed, course finished, task signed off ...
    best_score: float | None = None  # percent, for quizzes and drills
    attempts: int = 0
    done_at: datetime | None = None  # when it first became done
    last_activity_at: datetime | None = None
    last_score: float | None = None  # percent: the newest finished attempt's own score
    attempts_left: int | None = None  # attempts still allowed; None: unlimited or no limit kept


NOT_STARTED = ItemProgress()

Provider = Callable[[Sequence[int], Sequence[str]], dict[Key, ItemProgress]]
_PROVIDERS: dict[str, Provider] = {}


def provides(kind: str) -> Callable[[Provider], Provider]:
    """Register the progress provider of a content kind (`lesson`, `quiz`, `scenario`, ...)."""

    def register(function: Provider) -> Provider:
        _PROVIDERS[kind] = function
        return function

    return register


#: The kinds pages ask about; the app refuses to start while one of them has no provider.
REQUIRED_KINDS = ("lesson", "course", "quiz", "scenario", "task", "checkin")


class MissingProvider(RuntimeError):
    """A content kind that pages ask about has no registered progress provider."""


def check_providers(required: Iterable[str] = REQUIRED_KINDS) -> None:
    """Fail (at start) when a required kind has no provider, instead of on some page later."""
    missing = [kind for kind in required if kind not in _PROVIDERS]
    if missing:
        raise MissingProvider("no progress provider is registered for: " + ", ".join(missing))


def progress_of(
    kind: str, user_ids: Iterable[int], slugs: Iterable[str]
) -> dict[Key, ItemProgress]:
    """Progress of every (user, item) pair; a kind with no provider is a programming error."""
    users = sorted(set(user_ids))
    items = sorted(set(slugs))
    if not users or not items:
        return {}
    found = _PROVIDERS[kind](users, items)
    return {(user, slug): found.get((user, slug), NOT_STARTED) for user in users for slug in items}


def progress_by_kind(
    user_ids: Sequence[int], refs: Iterable[tuple[str, str]]
) -> dict[str, dict[Key, ItemProgress]]:
    """Progress of every user on every (kind, slug), by kind: one provider call per kind."""
    by_kind: dict[str, set[str]] = {}
    for kind, slug in refs:
        by_kind.setdefault(kind, set()).add(slug)
    return {kind: progress_of(kind, user_ids, slugs) for kind, slugs in sorted(by_kind.items())}


# --- the writes that change progress --------------------------------------------------------------

_WATCHED: dict[type, str] = {}


def changes_progress(model: type, user_attr: str = "user_id") -> type:
    """Declare that writing rows of `model` changes the progress of the learner named by its
    `user_attr`: stored statuses of that learner are refreshed in the same transaction (see
    `lms.onboarding.standing`). Each feature declares its own tables next to its provider. Rows
    written through the session are seen; a bulk `insert`/`update`/`delete` statement is not,
    and its writer calls `mark_changed`."""
    _WATCHED[model] = user_attr
    return model


def watched_models() -> dict[type, str]:
    return dict(_WATCHED)


CHANGED_KEY = "lms.progress.changed"


def mark_changed(user_ids: Iterable[int]) -> None:
    """Note learners whose progress changed through a bulk write the watch of
    `changes_progress` cannot see; their stored statuses are refreshed before the commit."""
    from lms.extensions import db

    db.session().info.setdefault(CHANGED_KEY, set()).update(user_ids)


# --- new versions of content that change progress ------------------------------------------------

_ON_PUBLISH: list[Callable[[str, str], None]] = []


def on_content_published(listener: Callable[[str, str], None]) -> Callable[[str, str], None]:
    """Register `listener(kind, slug)`, called when a new version of a content item becomes
    current (import or the editors alike): a provider may read the current version (a quiz's
    attempt limit, a course's items), so progress can change with it."""
    _ON_PUBLISH.append(listener)
    return listener


def content_published(kind: str, slug: str) -> None:
    for listener in _ON_PUBLISH:
        listener(kind, slug)
