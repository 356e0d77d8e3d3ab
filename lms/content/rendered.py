"""Columns outside content versions that hold HTML rendered from a Markdown column.

A feature package registers its pairs (`register`) next to its models, so that
`lms rerender --check` finds stored HTML that differs from a fresh render and
`lms rerender --force` repairs it (see `lms.content.store.rerender`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RenderedColumn:
    label: str  # what a row is, in the command's output: "sign-off comment"
    model: type
    source: str  # the attribute holding the Markdown
    html: str  # the attribute holding its rendered HTML (rows where it is NULL are skipped)


RENDERED_COLUMNS: list[RenderedColumn] = []


def register(label: str, model: type, source: str, html: str) -> None:
    if not any(column.model is model and column.html == html for column in RENDERED_COLUMNS):
        RENDERED_COLUMNS.append(RenderedColumn(label, model, source, html))
