"""Typed readers for the fields of a content document.

Each reader takes the :class:`FileContext` of the file, the place of the value and the value; it
returns the checked value, or ``None`` after recording an error. Nothing here raises.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import Place, ValidationError, describe, format_place, show
from .model import DEFAULT_LANGUAGE, Text
from .yamlsafe import Marks

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
ID_RULE = (
    "ids use lowercase letters, digits and '-', start with a letter or digit, at most 64 characters"
)

# BCP 47, the parts a curriculum needs: language, script, region, variants.
LOCALE_RE = re.compile(
    r"^[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*$"
)


@dataclass
class FileContext:
    """Errors and line marks of one file."""

    file: str
    errors: list[ValidationError]
    marks: Marks = field(default_factory=Marks)
    line_offset: int = 0
    language: str = DEFAULT_LANGUAGE

    def error(self, place: Place, message: str, line: int | None = None) -> None:
        if line is None:
            line = self.marks.line(place)
        self.errors.append(ValidationError(self.file, line, format_place(place), message))

    def file_error(self, message: str, line: int | None = None) -> None:
        self.errors.append(ValidationError(self.file, line, "", message))


# --- structure ---------------------------------------------------------------------------------


def mapping(
    ctx: FileContext,
    place: Place,
    value: Any,
    required: Iterable[str] = (),
    optional: Iterable[str] = (),
    what: str = "",
) -> dict[str, Any] | None:
    """A mapping with the ``required`` keys and no key outside ``required | optional``."""
    if not isinstance(value, dict):
        ctx.error(place, f"expected {what or 'a mapping'}, found {describe(value)}")
        return None
    required = tuple(required)
    allowed = set(required) | set(optional)
    for key in value:
        if key not in allowed:
            ctx.error(place + (key,), unknown_key_message(key, allowed))
    for key in required:
        if key not in value:
            ctx.error(place, f"required key {show(key)} is missing")
    return value


def unknown_key_message(key: str, allowed: Iterable[str]) -> str:
    message = f"unknown key {show(key)}"
    close = difflib.get_close_matches(str(key), sorted(allowed), n=1, cutoff=0.7)
    if close:
        message += f" (did you mean {show(close[0])}?)"
    return message


def list_of(
    ctx: FileContext,
    place: Place,
    value: Any,
    min_len: int = 0,
    max_len: int | None = None,
    what: str = "items",
) -> list[Any] | None:
    if not isinstance(value, list):
        ctx.error(place, f"expected a list, found {describe(value)}")
        return None
    count = len(value)
    if count < min_len or (max_len is not None and count > max_len):
        if max_len is None:
            bounds = f"at least {min_len}"
        elif min_len == max_len:
            bounds = f"exactly {min_len}"
        else:
            bounds = f"{min_len} to {max_len}"
        ctx.error(place, f"has {count} {what}; expected {bounds}")
    return value


# --- scalars -----------------------------------------------------------------------------------


def identifier(ctx: FileContext, place: Place, value: Any, what: str = "id") -> str | None:
    if not isinstance(value, str):
        ctx.error(place, f"expected {what} (a string), found {describe(value)}")
        return None
    if not ID_RE.match(value):
        ctx.error(place, f"invalid {what} {show(value)}: {ID_RULE}")
        return None
    return value


def string(ctx: FileContext, place: Place, value: Any, what: str = "a string") -> str | None:
    if not isinstance(value, str):
        ctx.error(place, f"expected {what}, found {describe(value)}")
        return None
    if not value.strip():
        ctx.error(place, "must not be empty")
        return None
    return value


def locale(ctx: FileContext, place: Place, value: Any) -> str | None:
    if not isinstance(value, str):
        ctx.error(
            place, f"expected a language tag such as 'en' or 'zh-CN', found {describe(value)}"
        )
        return None
    if not LOCALE_RE.match(value):
        ctx.error(place, f"invalid language tag {show(value)}: use BCP 47 such as 'en' or 'zh-CN'")
        return None
    return value


def boolean(ctx: FileContext, place: Place, value: Any) -> bool | None:
    if not isinstance(value, bool):
        ctx.error(place, f"expected true or false, found {describe(value)}")
        return None
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def number(
    ctx: FileContext,
    place: Place,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    above: float | None = None,
    integer: bool = False,
) -> int | float | None:
    """A number; ``low``/``high`` inclusive bounds, ``above`` an exclusive lower bound."""
    kind = "a whole number" if integer else "a number"
    if not _is_number(value) or (integer and not isinstance(value, int)):
        ctx.error(place, f"expected {kind}, found {describe(value)}")
        return None
    if isinstance(value, float) and not math.isfinite(value):
        ctx.error(place, f"expected {kind}, found {show(value)}")
        return None
    if above is not None and not value > above:
        ctx.error(place, f"{show(value)} must be greater than {show(above)}")
        return None
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            ctx.error(place, f"{show(value)} is not between {show(low)} and {show(high)}")
        elif low is not None:
            ctx.error(place, f"{show(value)} must be at least {show(low)}")
        else:
            ctx.error(place, f"{show(value)} must be at most {show(high)}")
        return None
    return value


def text(ctx: FileContext, place: Place, value: Any, language: str | None = None) -> Text | None:
    """A text: a non-empty string in the file's language or a map of locale to string."""
    language = language or ctx.language
    if isinstance(value, str):
        if not value.strip():
            ctx.error(place, "must not be empty")
            return None
        return Text({language: value})
    if isinstance(value, dict):
        if not value:
            ctx.error(place, "expected a text, found an empty mapping")
            return None
        values: dict[str, str] = {}
        ok = True
        for key, item in value.items():
            if locale(ctx, place + (key,), key) is None:
                ok = False
                continue
            if not isinstance(item, str):
                ctx.error(place + (key,), f"expected a string, found {describe(item)}")
                ok = False
            elif not item.strip():
                ctx.error(place + (key,), "must not be empty")
                ok = False
            else:
                values[key] = item
        return Text(values) if ok else None
    ctx.error(
        place,
        f"expected a text (a string, or a mapping of language to string), found {describe(value)}",
    )
    return None


def id_list(ctx: FileContext, place: Place, value: Any, what: str = "skill id") -> tuple[str, ...]:
    """A list of distinct ids (bad entries are reported and left out)."""
    items = list_of(ctx, place, value)
    if items is None:
        return ()
    out: list[str] = []
    for index, item in enumerate(items):
        checked = identifier(ctx, place + (index,), item, what)
        if checked is None:
            continue
        if checked in out:
            ctx.error(place + (index,), f"{what} {show(checked)} is listed twice")
            continue
        out.append(checked)
    return tuple(out)


def weights(
    ctx: FileContext,
    place: Place,
    value: Any,
    positive: bool,
    low: float | None = None,
    high: float | None = None,
    min_len: int = 0,
) -> dict[str, int | float]:
    """A mapping of skill id to number (``positive``: each > 0)."""
    if not isinstance(value, dict):
        ctx.error(place, f"expected a mapping of skill to number, found {describe(value)}")
        return {}
    if len(value) < min_len:
        ctx.error(place, f"expected at least {min_len} skill, found none")
    out: dict[str, int | float] = {}
    for key, item in value.items():
        if identifier(ctx, place + (key,), key, "skill id") is None:
            continue
        checked = number(
            ctx, place + (key,), item, low=low, high=high, above=0 if positive else None
        )
        if checked is not None:
            out[key] = checked
    return out


def get(document: Mapping[str, Any], key: str) -> Any:
    return document.get(key) if isinstance(document, Mapping) else None


# --- references and shared field readers --------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """A name in one file of something defined elsewhere, resolved by the loader.

    ``kind`` is ``skill``, ``course``, ``lesson``, ``quiz``, ``scenario`` (by id anywhere), or
    ``lesson-file`` and ``quiz-file`` (a file in the course folder ``folder``)."""

    ctx: FileContext
    place: Place
    kind: str
    ref: str
    folder: str | None = None


Refs = list[Reference]


def optional_text(ctx: FileContext, doc: dict, place: Place, key: str) -> Text | None:
    """The text under ``key`` of ``doc`` if present (checked), else None."""
    return text(ctx, place + (key,), doc[key]) if key in doc else None


def weight_refs(refs: Refs, ctx: FileContext, place: Place, weights: dict) -> None:
    """Record each skill of a weights mapping as a reference to resolve."""
    for skill in weights:
        refs.append(Reference(ctx, place + (skill,), "skill", skill))
