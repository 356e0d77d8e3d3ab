"""`lms export DIR`: the current version of every live content object, in the file layout.

Files come from `documents.write_tree`, so the same content always gives the same bytes (sorted
keys, one YAML style), and `lms import DIR` of an export reports no change.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lms.content.documents import write_tree
from lms.content.model import ContentTree
from lms.content.store import current_versions, load

TREE_FIELDS = {
    "course": "courses",
    "lesson": "lessons",
    "quiz": "quizzes",
    "scenario": "scenarios",
    "path": "paths",
}
ALL_KINDS = ("framework", *TREE_FIELDS)


class ExportError(Exception):
    """The export cannot be written where it was asked to be."""


def stored_tree(kinds: Iterable[str] = ALL_KINDS) -> ContentTree:
    """A content tree of the current versions of the live objects of `kinds` (one query per
    kind). With several stored frameworks (none is ever needed), the first by id is taken."""
    wanted = set(kinds)
    framework = None
    if "framework" in wanted:
        versions = current_versions("framework")
        if versions:
            framework = load(versions[min(versions)])
    parts: dict[str, dict] = {}
    for kind, field in TREE_FIELDS.items():
        versions = current_versions(kind) if kind in wanted else {}
        parts[field] = {slug: load(version) for slug, version in sorted(versions.items())}
    return ContentTree(framework, **parts)


@dataclass(frozen=True)
class ExportResult:
    directory: Path
    counts: dict[str, int]


def export_content(directory: str | Path, *, replace: bool = False) -> ExportResult:
    """Write every live object to `directory`/courses and `directory`/scenarios.

    Those two folders must be absent or empty, unless `replace` is given: then they are removed
    first, so that nothing retired or deleted lingers in the export."""
    root = Path(directory)
    if root.exists() and not root.is_dir():
        raise ExportError(f"{root}: not a folder")
    for name in ("courses", "scenarios"):
        target = root / name
        if target.is_symlink() or (target.exists() and not target.is_dir()):
            raise ExportError(f"{target}: not a folder")
        if target.is_dir() and any(target.iterdir()):
            if not replace:
                raise ExportError(
                    f"{target} is not empty: export into an empty folder, or give --replace "
                    "to replace it"
                )
            shutil.rmtree(target)
    tree = stored_tree()
    try:
        write_tree(tree, root)
    except OSError as exc:
        raise ExportError(f"{root}: cannot write: {exc.strerror or exc}") from None
    counts = {
        "framework": 1 if tree.framework is not None else 0,
        **{kind: len(getattr(tree, field)) for kind, field in TREE_FIELDS.items()},
    }
    return ExportResult(root, counts)
