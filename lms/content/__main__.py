"""``python -m lms.content [PATH ...]``: check content files and print every error.

Exits 0 when every file is valid, 1 otherwise. Default paths: ``courses`` and ``scenarios``.

``python -m lms.content integrity [PATH ...]`` also prints the assessment figures of
`lms.content.integrity` and exits 1 when a figure is past its limit.
"""

from __future__ import annotations

import sys

from .loader import load_tree


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    integrity = bool(args) and args[0] == "integrity"
    if integrity:
        args = args[1:]
    roots = args or ["courses", "scenarios"]
    result = load_tree(roots)
    for error in result.errors:
        print(error)
    tree = result.tree
    counts = ", ".join(
        f"{len(getattr(tree, kind))} {kind}"
        for kind in ("courses", "lessons", "quizzes", "scenarios", "paths")
    )
    skills = len(tree.framework.skills) if tree.framework else 0
    status = "ok" if result.ok else f"{len(result.errors)} error(s)"
    print(f"{status}: {skills} skills, {counts}", file=sys.stderr)
    if integrity and result.ok:
        from .integrity import check

        report = check(tree)
        for line in report.lines():
            print(line)
        return 0 if report.ok else 1
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
