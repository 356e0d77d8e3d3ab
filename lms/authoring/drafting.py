"""Drafting: what every document editor (quizzes, paths) does with its draft.

An editor works on one document of a kind, exactly as its file would hold it, valid or not: the
draft if there is one, else the published version. Each change is saved to the draft with the
revision the trainer's page was loaded with; when another trainer saved the draft in between,
nothing is written and the outcome says who did, in the trainer's language. Publishing checks the
document with the importer's rules and makes it a new version.

The services here write nothing once they fail: a refusal is an :class:`Outcome` (or an
:class:`EditorError` raised before any write), and the request commits once at its end.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from flask_babel import gettext as _

from lms.authoring import services as drafts
from lms.authoring.messages import trainer_message
from lms.authoring.models import ContentDraft
from lms.authoring.services import DraftConflict
from lms.content import store
from lms.content.checks import ID_RE
from lms.content.model import Text
from lms.content.models import ContentVersion
from lms.extensions import db
from lms.people.models import User


class EditorError(Exception):
    """A request the editor cannot carry out, in the trainer's words; raised before any write."""


@dataclass(frozen=True)
class Outcome:
    """What a saving service did: ``is_done``, or refused with ``message`` (nothing written)."""

    is_done: bool
    message: str = ""
    result: Any = None

    @classmethod
    def refused(cls, message: str) -> Outcome:
        return cls(False, message)


@dataclass
class Editing:
    """The document an editor shows: the draft's, else the published version's."""

    kind: str
    slug: str
    document: dict[str, Any]
    version: ContentVersion | None
    draft: ContentDraft | None

    @property
    def revision(self) -> int:
        """The draft's revision, which the editor's forms send back when they save (0: no
        draft yet)."""
        return self.draft.revision if self.draft is not None else 0

    @property
    def file(self) -> str:
        """Where the document lives as a file (each editor names it)."""
        return f"{self.kind}/{self.slug}"

    def title(self, locale: str) -> str:
        value = self.document.get("title")
        if isinstance(value, dict):
            shown = {k: v for k, v in value.items() if isinstance(v, str) and v}
            return Text(shown).get(locale, "en") if shown else self.slug
        return value if isinstance(value, str) and value else self.slug


E = TypeVar("E", bound=Editing)


def load(kind: str, slug: str, cls: type[E]) -> E | None:
    """The document of (kind, slug) as an editor starts from it; None if neither a draft nor a
    published version exists."""
    version = store.current_version(kind, slug)
    draft = drafts.find_draft(kind, slug)
    if draft is not None:
        document = copy.deepcopy(draft.document)
    elif version is not None:
        document = copy.deepcopy(version.document)
    else:
        return None
    return cls(kind, slug, document, version, draft)


def conflict_message(draft: ContentDraft) -> str:
    name = draft.updated_by.name if draft.updated_by else _("another trainer")
    return _(
        "%(name)s saved this draft while you were editing it. Your change was not saved: "
        "reload the page to see their version, then make your change again.",
        name=name,
    )


def save(state: Editing, document: dict[str, Any], *, actor: User, revision: int) -> Outcome:
    """Save `document` as the draft if it is still at `revision`; else nothing is written and
    the outcome names who saved in between."""
    if state.draft is not None:
        # the draft was read before this save locks its row: read it again under the lock, so
        # that a save committed in between is seen (its revision and who made it)
        db.session.expire(state.draft)
    try:
        draft = drafts.save_draft(
            state.kind,
            state.slug,
            document,
            actor=actor,
            base_version=state.version,
            revision=revision,
        )
    except DraftConflict as conflict:
        return Outcome.refused(conflict_message(conflict.draft))
    state.document, state.draft = document, draft
    return Outcome(True, result=draft)


def id_problem(kind: str, slug: str, label: str) -> str:
    """What is wrong with `slug` as the id of a new document of `kind` ('' if nothing)."""
    if not ID_RE.match(slug or ""):
        return trainer_message("invalid id", label)
    if drafts.id_taken(kind, slug):
        return trainer_message("duplicate id", label)
    return ""


def start(kind: str, document: dict[str, Any], cls: type[E], *, actor: User) -> E:
    """A new draft of `document` (its id checked with :func:`id_problem`)."""
    slug = document["id"]
    draft = drafts.save_draft(kind, slug, document, actor=actor, base_version=None, revision=0)
    return cls(kind, slug, document, None, draft)


def discard(state: Editing) -> bool:
    """Drop the draft; the published version (if any) is what the editor shows next."""
    return drafts.discard_draft(state.kind, state.slug)


class Checked(Protocol):
    """An editor's check of its document: the built object once there is no problem."""

    @property
    def ok(self) -> bool: ...

    @property
    def count(self) -> int: ...

    @property
    def obj(self) -> Any: ...

    rendered: dict[str, dict[str, str]] | None


def publish(state: Editing, checked: Checked, *, actor: User) -> Outcome:
    """Publish the checked document as the new version and drop the draft; refused (nothing
    written) while the check finds problems."""
    if not checked.ok or checked.obj is None:
        return Outcome.refused(
            _(
                "Fix the %(count)d problems marked below before publishing.",
                count=max(checked.count, 1),
            )
        )
    published = store.publish(checked.obj, actor=actor, origin="editor", rendered=checked.rendered)
    drafts.discard_draft(state.kind, state.slug)
    return Outcome(True, result=published)


# --- reading fields and naming places -----------------------------------------------------------

_INTEGER = re.compile(r"-?[0-9]{1,9}")
_DECIMAL = re.compile(r"-?[0-9]{1,9}\.[0-9]{1,6}")
MAX_NUMBER_CHARS = 20
MAX_ID_CHARS = 64


def read_number(raw: Any, *, decimals: bool = False) -> Any:
    """A number field as the document keeps it: None when blank, an int (or, with `decimals`, a
    float) when it reads as one, else the text as typed (cut to a few characters) so that the
    check names the field."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        return None
    if _INTEGER.fullmatch(text):
        return int(text)
    if decimals and _DECIMAL.fullmatch(text):
        return float(text)
    return text[:MAX_NUMBER_CHARS]


_PLACE = re.compile(r"[^.\[\]]+|\[\d+\]")
_MISSING = re.compile(r"^required key '(?P<key>[a-z_]+)' is missing")
LOCALE_LABELS = {"en": lambda: _("English"), "zh-CN": lambda: _("Chinese")}


def split_place(place: str, message: str = "") -> tuple:
    """``questions[2].choices[1].text.en`` -> ``("questions", 2, "choices", 1, "text", "en")``;
    a missing key named by `message` is added as the last part."""
    parts: list[Any] = [
        int(token[1:-1]) if token.startswith("[") else token for token in _PLACE.findall(place)
    ]
    missing = _MISSING.match(message)
    if missing:
        parts.append(missing.group("key"))
    return tuple(parts)


def locale_suffix(parts: tuple) -> str:
    """`` (English)`` when the place ends in a language, else ''."""
    if parts and parts[-1] in LOCALE_LABELS:
        return f" ({LOCALE_LABELS[parts[-1]]()})"
    return ""


# --- the list of an editor ----------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    slug: str
    title: str
    version: ContentVersion | None
    draft: ContentDraft | None


def listing(kind: str, locale: str) -> list[Row]:
    """Every live document of `kind` and every draft, by id, with the title in `locale`."""
    live = store.current_versions(kind)
    by_slug = {draft.slug: draft for draft in drafts.drafts_of(kind)}
    rows = []
    for slug in sorted(set(live) | set(by_slug)):
        version, draft = live.get(slug), by_slug.get(slug)
        document = draft.document if draft is not None else version.document
        shown = Editing(kind, slug, document, version, draft)
        rows.append(Row(slug, shown.title(locale), version, draft))
    return rows
