"""Small readers shared by the editor halves of the kinds: a text is edited as one field per
interface language (``<name>-en``, ``<name>-zh``), and shown back from a document value."""

from __future__ import annotations

from typing import Any

#: Editor field suffix -> content locale, in the order the editor shows them.
EDITOR_LOCALES = (("en", "en"), ("zh", "zh-CN"))


def read_text(form: Any, name: str) -> dict[str, str]:
    """A text map from the fields ``<name>-en`` and ``<name>-zh``; blank values are left out."""
    values: dict[str, str] = {}
    for suffix, locale in EDITOR_LOCALES:
        value = (form.get(f"{name}-{suffix}") or "").replace("\r\n", "\n").strip()
        if value:
            values[locale] = value
    return values


def text_values(value: Any) -> dict[str, str]:
    """The editor's field values (by suffix) for a document text (a string or a locale map)."""
    if isinstance(value, str):
        return {"en": value}
    if not isinstance(value, dict):
        return {}
    out = {}
    for suffix, locale in EDITOR_LOCALES:
        if isinstance(value.get(locale), str):
            out[suffix] = value[locale]
    return out
