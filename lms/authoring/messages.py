"""The importer's problems in the trainer's words.

The importer names a place in a file and says what is wrong in the file's terms ("say.en: expected
a text, found an empty mapping"). An editor knows which field the place is and how the form labels
it; :func:`trainer_message` turns the problem into one sentence in the interface language that
names the field and says what to do ("Write What the customer says (English)."). A problem of a
kind not listed here still names the field and asks the trainer to correct it.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), name)
    for pattern, name in (
        (r"must not be empty|found an empty mapping|^required key .* is missing", "write"),
        (r"expected a text", "write"),
        (r"is not between '?(?P<low>-?[\d.]+)'? and '?(?P<high>-?[\d.]+)'?", "between"),
        (r"must be at least '?(?P<low>-?[\d.]+)'?", "at_least"),
        (r"must be at most '?(?P<high>-?[\d.]+)'?", "at_most"),
        (r"must be greater than", "positive"),
        (r"expected (an integer|a number|a whole number)", "number"),
        (
            r"^has (?P<count>\d+) (?P<what>choices|steps|questions|rubric lines|items); expected "
            r"(?P<bounds>.*)$",
            "count",
        ),
        (r"correct choices; a single-choice question has exactly one", "one_correct"),
        (r"has 0 correct choices", "some_correct"),
        (r"^unknown skill", "skill"),
        (r"expected at least 1 skill", "skill_needed"),
        (r"^invalid .*id", "id"),
        (r"^duplicate .*id|is already|already taken|is taken", "taken"),
        (r"^unknown (course|quiz|scenario|lesson) ", "reference"),
        (r"^unknown node", "node"),
        (r"is not inside phase", "day"),
        (r"strictly increasing|must end after", "phase_days"),
    )
)


def trainer_message(message: str, label: str) -> str:
    """One sentence for the problem `message` (the importer's) of the field labelled `label`."""
    for pattern, name in _RULES:
        match = pattern.search(message)
        if match:
            return _say(name, label, match.groupdict())
    return _("Check %(field)s: it is not valid yet.", field=label)


def _bounds(text: str) -> str:
    numbers = re.findall(r"\d+", text)
    if "at least" in text and numbers:
        return f"{numbers[0]}+"
    return "–".join(numbers)


def _say(name: str, label: str, found: dict[str, str]) -> str:
    if name == "write":
        return _("Write %(field)s.", field=label)
    if name == "between":
        return _(
            "Enter a number from %(low)s to %(high)s for %(field)s.",
            low=found["low"],
            high=found["high"],
            field=label,
        )
    if name == "at_least":
        return _("Enter %(low)s or more for %(field)s.", low=found["low"], field=label)
    if name == "at_most":
        return _("Enter %(high)s or less for %(field)s.", high=found["high"], field=label)
    if name == "positive":
        return _("Enter a number above 0 for %(field)s.", field=label)
    if name == "number":
        return _("Enter a whole number for %(field)s.", field=label)
    if name == "count":
        return _(
            "%(field)s has %(count)s; give %(bounds)s.",
            field=label,
            count=found["count"],
            bounds=_bounds(found["bounds"]),
        )
    if name == "one_correct":
        return _("Mark exactly one answer as correct in %(field)s.", field=label)
    if name == "some_correct":
        return _("Mark at least one answer as correct in %(field)s.", field=label)
    if name == "skill":
        return _("Pick a skill of the framework for %(field)s.", field=label)
    if name == "skill_needed":
        return _("Give %(field)s at least one skill with a weight.", field=label)
    if name == "id":
        return _(
            "Use lowercase letters, digits and '-' for %(field)s (for example: price-basics).",
            field=label,
        )
    if name == "taken":
        return _("%(field)s is used already: choose another one.", field=label)
    if name == "reference":
        return _("Pick published content for %(field)s.", field=label)
    if name == "node":
        return _("Pick a node of this drill for %(field)s.", field=label)
    if name == "day":
        return _("Choose a day inside the item's phase for %(field)s.", field=label)
    if name == "phase_days":
        return _("Let each phase end on a later day than the one before (%(field)s).", field=label)
    return _("Check %(field)s: it is not valid yet.", field=label)
