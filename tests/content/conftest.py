"""Fixtures of the content-layer tests: a writable copy of the valid fixture tree."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lms.content import LoadResult, ValidationError, load_tree

FIXTURE = Path(__file__).parent / "fixtures" / "valid"


class Workspace:
    """A copy of ``fixtures/valid`` (``courses/`` and ``scenarios/``) to edit and load."""

    def __init__(self, root: Path) -> None:
        self.root = root
        shutil.copytree(FIXTURE, root, dirs_exist_ok=True)

    def path(self, rel: str) -> Path:
        return self.root / rel

    def read(self, rel: str) -> str:
        return self.path(rel).read_text(encoding="utf-8")

    def write(self, rel: str, text: str | bytes) -> None:
        target = self.path(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")

    def replace(self, rel: str, old: str, new: str) -> int:
        """Replace the first ``old`` with ``new``; returns the (1-based) line where it was."""
        text = self.read(rel)
        assert old in text, f"{old!r} not in {rel}"
        line = text[: text.index(old)].count("\n") + 1
        self.write(rel, text.replace(old, new, 1))
        return line

    def line(self, rel: str, needle: str) -> int:
        text = self.read(rel)
        assert needle in text, f"{needle!r} not in {rel}"
        return text[: text.index(needle)].count("\n") + 1

    def remove(self, rel: str) -> None:
        self.path(rel).unlink()

    def load(self) -> LoadResult:
        return load_tree([self.root])


def describe(errors: list[ValidationError]) -> str:
    return "\n".join(str(error) for error in errors) or "(no errors)"


def expect_error(
    result: LoadResult,
    file: str,
    place: str,
    *fragments: str,
    line: int | None = None,
) -> ValidationError:
    """The error of ``file`` at ``place`` whose message holds every fragment (and its line)."""
    for error in result.errors:
        if (
            error.file == file
            and error.place == place
            and all(f in error.message for f in fragments)
        ):
            if line is not None:
                assert error.line == line, f"{error} expected on line {line}"
                text = str(error)
                assert text.startswith(f"{file}:{line}: ") and place in text
            return error
    raise AssertionError(f"no error {file} {place} {fragments} among:\n{describe(result.errors)}")


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path / "content")


@pytest.fixture
def expect():
    return expect_error
