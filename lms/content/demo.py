"""Demo step: the shipped curriculum (`courses/` and `scenarios/` beside the code), imported
through the same importer as `lms import`, so that the demo shows the real content."""

from __future__ import annotations

import logging
from pathlib import Path

import lms
from lms.content.importer import FOLDERS, describe_counts, import_content, stored_counts
from lms.demo import DemoContext

SHOWN_ERRORS = 20


def shipped_content_root() -> Path:
    """The folder that holds the shipped `courses/` and `scenarios/` (the repository root)."""
    return Path(lms.__file__).resolve().parent.parent


def import_shipped_content(context: DemoContext) -> None:
    """Import everything in the shipped `courses/` and `scenarios/`, the trainer as the actor."""
    root = shipped_content_root()
    roots = [root / folder for folder in FOLDERS if (root / folder).is_dir()]
    if not roots:
        line = f"content: no courses/ or scenarios/ in {root}, nothing imported"
        logging.getLogger("lms").warning(line)
        context.log.append(line)
        return
    report = import_content(roots, actor=context.people.get("trainer@example.com"))
    if not report.ok:
        context.log.append(
            f"content: {len(report.errors)} problem(s) in the shipped files, nothing imported:"
        )
        context.log.extend(f"  {error}" for error in report.errors[:SHOWN_ERRORS])
        if len(report.errors) > SHOWN_ERRORS:
            context.log.append(f"  ... and {len(report.errors) - SHOWN_ERRORS} more")
        return
    folders = ", ".join(folder + "/" for folder in report.folders)
    context.log.append(f"content: {describe_counts(stored_counts())} from {folders}")
