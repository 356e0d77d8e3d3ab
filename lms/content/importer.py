"""`lms import`: content files become stored, versioned content, all or nothing.

`import_content(roots)` validates every file first. Any error: the report holds every error and
nothing changes. Otherwise every object of the imported folders is published (the skill
framework, then lessons, quizzes, scenarios, courses and paths) and every stored object of those
kinds that is no longer in the files is retired. Unchanged objects are recognised by their
content hash before anything is written, so importing the same files again writes nothing and
renders nothing. The caller commits (one transaction).

A partial import (only `courses/`, or only `scenarios/`) is validated together with the stored
content of the other folder, so that references between them are checked both ways: scenarios
name stored skills, stored courses and paths name scenarios. Only the kinds of the folders given
are published or retired.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from lms.content.documents import content_hash, write_tree
from lms.content.errors import ValidationError
from lms.content.exporter import TREE_FIELDS, stored_tree
from lms.content.loader import load_tree
from lms.content.markdown import MarkdownError
from lms.content.model import ContentTree
from lms.content.models import ContentItem
from lms.content.store import (
    Change,
    ContentObject,
    item_states,
    publish,
    retire,
    try_render_places,
)
from lms.extensions import db
from lms.people.models import User

FOLDERS = ("courses", "scenarios")
# The kinds of content each top folder holds, in publishing order.
FOLDER_KINDS: dict[str, tuple[str, ...]] = {
    "courses": ("framework", "lesson", "quiz", "course", "path"),
    "scenarios": ("scenario",),
}
PUBLISH_ORDER = ("framework", "lesson", "quiz", "scenario", "course", "path")
KIND_PLURALS = {
    "framework": "skill frameworks",
    "lesson": "lessons",
    "quiz": "quizzes",
    "scenario": "scenarios",
    "course": "courses",
    "path": "paths",
}


def describe_counts(counts: dict[str, int]) -> str:
    """`{"lesson": 24, ...}` -> "24 lessons, ..." (a count of 1 in the singular)."""
    return ", ".join(
        f"{number} {kind if number == 1 else KIND_PLURALS[kind]}" for kind, number in counts.items()
    )


CHANGES = (Change.ADDED, Change.CHANGED, Change.UNCHANGED, Change.RETIRED)
# Any constant: imports on PostgreSQL wait for each other on this transaction-level lock.
IMPORT_LOCK_KEY = 0x4C4D5301

STORED_SUFFIX = " (stored)"


@dataclass(frozen=True)
class ChangeLine:
    kind: str
    slug: str
    change: Change

    def __str__(self) -> str:
        return f"{self.change.value:<9} {self.kind:<9} {self.slug}"


@dataclass
class ImportReport:
    """What an import found (`errors`) or did (`changes`); `applied` is False for a dry run and
    whenever there are errors."""

    folders: tuple[str, ...] = ()
    errors: list[ValidationError] = field(default_factory=list)
    changes: list[ChangeLine] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(
            kind for kind in PUBLISH_ORDER if any(kind in FOLDER_KINDS[f] for f in self.folders)
        )

    def counts(self) -> dict[str, Counter]:
        """Per kind (in publishing order), the number of objects per change."""
        result = {kind: Counter() for kind in self.kinds}
        for line in self.changes:
            result.setdefault(line.kind, Counter())[line.change] += 1
        return result

    def total(self, change: Change) -> int:
        return sum(1 for line in self.changes if line.change == change)

    @property
    def has_changes(self) -> bool:
        return any(line.change != Change.UNCHANGED for line in self.changes)

    def lines(self, *, verbose: bool = False) -> list[str]:
        """The report as text: one line per added, changed or retired object (and unchanged
        ones with `verbose`), then one summary line per kind and a total."""
        out = [str(line) for line in self.changes if verbose or line.change != Change.UNCHANGED]
        for kind, counts in self.counts().items():
            out.append(f"{kind}: " + ", ".join(f"{counts[c]} {c.value}" for c in CHANGES))
        verb = "imported" if self.applied else "would import"
        if not self.has_changes:
            out.append(f"no changes ({self.total(Change.UNCHANGED)} unchanged)")
        else:
            out.append(f"{verb}: " + ", ".join(f"{self.total(c)} {c.value}" for c in CHANGES))
        return out


# --- which folders a path stands for -------------------------------------------------------------


def folders_of(root: Path) -> set[str]:
    """The top folders (`courses`, `scenarios`) a path given to the importer stands for, the way
    `load_tree` finds them: the folder itself by name, the folders it holds, or a folder that
    looks like one of them. Paths that are none of these stand for nothing (the loader reports
    them)."""
    if not root.is_dir():
        return set()
    name = root.resolve().name
    if name in FOLDERS:
        return {name}
    held = {folder for folder in FOLDERS if (root / folder).is_dir()}
    if held:
        return held
    try:
        children = list(root.iterdir())
    except OSError:
        return set()
    if (root / "skills.yaml").is_file() or any(
        child.is_dir() and (child / "course.yaml").is_file() for child in children
    ):
        return {"courses"}
    if any(child.is_file() and child.suffix == ".yaml" for child in children):
        return {"scenarios"}
    return set()


def given_folders(roots: Iterable[str | os.PathLike]) -> tuple[str, ...]:
    found: set[str] = set()
    for root in roots:
        found |= folders_of(Path(root))
    return tuple(folder for folder in FOLDERS if folder in found)


# --- validation ---------------------------------------------------------------------------------


def _kinds_of(folders: Iterable[str]) -> list[str]:
    return [kind for folder in folders for kind in FOLDER_KINDS[folder]]


def validate(
    roots: Sequence[str | os.PathLike],
) -> tuple[ContentTree, list[ValidationError], tuple[str, ...], dict[tuple[str, str], str]]:
    """Load and check the files under `roots`, together with the stored content of the folders
    not given. Returns the tree, every error (errors in stored content are marked "(stored)"),
    the folders given and the file of each object."""
    folders = given_folders(roots)
    missing = [folder for folder in FOLDERS if folder not in folders] if folders else []
    with tempfile.TemporaryDirectory(prefix="lms-stored-") as scratch:
        extra: list[Path] = []
        if missing:
            stored = stored_tree(_kinds_of(missing))
            if "courses" in missing and stored.framework is None:
                missing.remove("courses")  # the loader reports the missing framework
            if missing:
                write_tree(stored, scratch)
                extra = [Path(scratch) / folder for folder in missing]
        result = load_tree([*roots, *extra])
    errors = [
        _mark_stored(error) if any(error.file.startswith(f"{f}/") for f in missing) else error
        for error in result.errors
    ]
    return result.tree, errors, folders, result.files


def _mark_stored(error: ValidationError) -> ValidationError:
    return dataclasses.replace(error, file=error.file + STORED_SUFFIX, line=None)


# --- applying -----------------------------------------------------------------------------------


def _objects(tree: ContentTree, kind: str) -> dict:
    if kind == "framework":
        return {tree.framework.id: tree.framework} if tree.framework is not None else {}
    return getattr(tree, TREE_FIELDS[kind])


def _lock_imports() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY})


# After this many fields that take too long to render, an import stops rendering: each costs
# the renderer's whole time limit, and one problem is enough to refuse the import.
MAX_SLOW_RENDERS = 3


def _render_all(
    pending: list[tuple[int, str, ContentObject]], files: dict[tuple[str, str], str]
) -> tuple[dict[int, dict], list[ValidationError]]:
    """The HTML of every object to publish, or a ValidationError per field the renderer
    refuses (the same problems publishing would meet)."""
    rendered: dict[int, dict] = {}
    errors: list[ValidationError] = []
    slow = 0
    for index, kind, obj in pending:
        file = files.get((kind, obj.id), f"{kind} {obj.id}")
        if slow >= MAX_SLOW_RENDERS:
            errors.append(
                ValidationError(
                    file, None, "", "not rendered: earlier fields took too long to render"
                )
            )
            continue
        html, problems = try_render_places(obj)
        for problem in problems:
            errors.append(ValidationError(file, None, problem.where, str(problem.error)))
            slow += problem.error.reason == MarkdownError.TOO_SLOW
        rendered[index] = html
    errors.sort(key=lambda error: error.sort_key)
    return rendered, errors


def plan_and_apply(
    tree: ContentTree,
    folders: Sequence[str],
    *,
    actor: User | None,
    apply: bool,
    origin: str = "import",
    files: dict[tuple[str, str], str] | None = None,
) -> tuple[list[ChangeLine], list[ValidationError]]:
    """Compare the objects of `folders` in `tree` with the stored ones and render the new and
    changed ones; with `apply` and no problem, publish them and retire the missing ones.
    Unchanged objects cost no query and no rendering. Returns the changes and the fields the
    renderer refuses (then nothing is written)."""
    if apply:
        _lock_imports()
    kinds = [kind for kind in PUBLISH_ORDER if kind in _kinds_of(folders)]
    changes: list[ChangeLine] = []
    retiring: list[ChangeLine] = []
    pending: list[tuple[int, str, ContentObject]] = []
    for kind in kinds:
        states = item_states(kind)
        objects = _objects(tree, kind)
        for slug in sorted(objects):
            obj = objects[slug]
            state = states.get(slug)
            if (
                state is not None
                and not state.is_retired
                and state.content_hash == content_hash(obj)
            ):
                changes.append(ChangeLine(kind, slug, Change.UNCHANGED))
                continue
            change = Change.ADDED if state is None or state.is_retired else Change.CHANGED
            pending.append((len(changes), kind, obj))
            changes.append(ChangeLine(kind, slug, change))
        for slug in sorted(states):
            if slug not in objects and not states[slug].is_retired:
                retiring.append(ChangeLine(kind, slug, Change.RETIRED))
    rendered, errors = _render_all(pending, files or {})
    if errors or not apply:
        return changes + retiring, errors
    for index, kind, obj in pending:
        result = publish(obj, actor=actor, origin=origin, rendered=rendered[index])
        changes[index] = ChangeLine(kind, obj.id, result.change)
    for line in reversed(retiring):
        retire(line.kind, line.slug)
    return changes + retiring, []


def import_content(
    roots: Sequence[str | os.PathLike],
    *,
    actor: User | None = None,
    apply: bool = True,
    origin: str = "import",
) -> ImportReport:
    """Validate the content under `roots` and, if valid and `apply`, store it (see the module
    docstring). Never commits; writes nothing when there are errors or nothing changed."""
    tree, errors, folders, files = validate(roots)
    report = ImportReport(folders=folders, errors=errors)
    if errors:
        return report
    changes, errors = plan_and_apply(
        tree, folders, actor=actor, apply=apply, origin=origin, files=files
    )
    if errors:
        report.errors = errors
        return report
    report.changes = changes
    report.applied = apply
    if apply and report.has_changes:
        from lms.audit.services import record

        record(
            "content.import",
            actor=actor,
            folders=list(folders),
            **{change.value: report.total(change) for change in CHANGES},
        )
    return report


def stored_counts() -> dict[str, int]:
    """How many live objects of each kind are stored, in one query."""
    rows = db.session.execute(
        sa.select(ContentItem.kind, sa.func.count())
        .where(ContentItem.retired_at.is_(None), ContentItem.current_version_id.is_not(None))
        .group_by(ContentItem.kind)
    )
    found = dict(rows.all())
    return {kind: found.get(kind, 0) for kind in PUBLISH_ORDER}
