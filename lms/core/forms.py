"""The one error collector of every form that WTForms does not read.

Fixed forms (sign-in, accounts, roster, reviews, imports) are WTForms classes; their errors live
on the fields and the macros in ``templates/macros/forms.html`` (`field`, `form_errors`) show
them. Forms with repeated or reorderable parts (the editors, the check-in) are read from the
request into a plain state and checked by a service; the problems are collected here, by form
field name, and the same macro file shows them (`state_errors`, `state_described`,
`state_invalid`, `state_summary`). See docs/forms.md.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass, field
from typing import Any

#: The key of the problems that belong to no single field.
GENERAL = "__all__"


@dataclass
class Problems:
    """Errors by form field; `GENERAL` holds those that belong to no single field."""

    by_field: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message) -> None:
        messages = self.by_field.setdefault(name, [])
        if message not in messages:
            messages.append(message)

    def get(self, name: str) -> list[str]:
        return self.by_field.get(name, [])

    def first(self, name: str):
        """The first message of a field, or None."""
        messages = self.by_field.get(name)
        return messages[0] if messages else None

    def renamed(self, name_of: Callable[[str], str]) -> Problems:
        """The same problems under other names: a service's places turned into the names of
        the form's fields."""
        renamed = Problems()
        for name, messages in self.by_field.items():
            for message in messages:
                renamed.add(name_of(name), message)
        return renamed

    @classmethod
    def refusal(cls, message, name: str | None, names: Container[str] = ()) -> Problems:
        """The problems of a service's refusal that names the field at fault (`name`): under
        that field when the form shows it (`names`), else under `GENERAL`."""
        problems = cls()
        problems.add(name if name and name in names else GENERAL, message)
        return problems

    def as_json(self) -> dict[str, Any]:
        """The problems as a JSON answer carries them: by field, the general ones apart."""
        return {
            "fields": {
                name: list(messages) for name, messages in self.by_field.items() if name != GENERAL
            },
            "general": list(self.general),
            "count": len(self.by_field),
        }

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def __len__(self) -> int:
        return len(self.by_field)

    @property
    def general(self) -> list[str]:
        return self.by_field.get(GENERAL, [])
