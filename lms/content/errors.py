"""Validation errors of content files and the way places in a document are written."""

from __future__ import annotations

import re
from dataclasses import dataclass

Place = tuple[str | int, ...]

_SIMPLE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_MAX_SHOWN = 60


@dataclass(frozen=True, slots=True)
class ValidationError:
    """One problem in one file.

    ``file`` is shown relative to the folder that holds ``courses/`` and ``scenarios/``;
    ``line`` is 1-based, or ``None`` when unknown; ``place`` is the path in the document
    (``nodes.opening.choices[1].next``, list indexes from 0), or ``""`` for the whole file.
    """

    file: str
    line: int | None
    place: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.place:
            return f"{where}: {self.place}: {self.message}"
        return f"{where}: {self.message}"

    @property
    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.file, self.line or 0, self.place, self.message)


def format_place(place: Place) -> str:
    """``("nodes", "opening", "choices", 1, "next")`` -> ``nodes.opening.choices[1].next``."""
    out: list[str] = []
    for part in place:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _SIMPLE_KEY.match(part):
            out.append(f".{part}" if out else part)
        else:
            out.append(f"[{show(part)}]")
    return "".join(out)


def show(value: object) -> str:
    """A short, quoted rendering of an offending value for messages."""
    if isinstance(value, str):
        text = value if len(value) <= _MAX_SHOWN else value[: _MAX_SHOWN - 1] + "…"
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        text = repr(value)
        return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"
    return describe(value)


def describe(value: object) -> str:
    """The YAML kind of a value, for 'expected X, found Y' messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"a boolean ({show(value)})"
    if isinstance(value, int | float):
        return f"a number ({show(value)})"
    if isinstance(value, str):
        return f"a string ({show(value)})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__} ({value})"
