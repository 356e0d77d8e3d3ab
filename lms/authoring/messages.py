"""The importer's problems in the trainer's words.

The importer names a place in a file and says what is wrong in the file's terms ("say.en: expected
a text, found an empty mapping"). An editor knows which field the place is and how the form labels
it; :func:`trainer_message` turns the problem into one sentence in the interface language that
names the field and says what to do ("Write What the customer says (English)."). A problem of a
kind not listed here still names the field and asks the trainer to correct it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from flask_babel import format_datetime
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
        (r"is not reachable from start", "unreachable"),
        (r"the nodes form a cycle", "cycle"),
        (r"no end node is 'success'", "success_end"),
        (r"is not listed in the scenario's skills", "drill_skill"),
        (r"^unknown end", "end"),
        (r"the lesson has no body", "write"),
        (r"is listed twice", "twice"),
        (r"does not match the (course|lesson|scenario) name", "id"),
        (r"^has (?P<count>\d+) (?P<what>modules|nodes); expected (?P<bounds>.*)$", "count"),
        (r"^invalid language tag", "language"),
        (r"^unknown key", "unknown_key"),
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
    if name == "unreachable":
        return _(
            "Lead a reply to %(field)s, or delete it: no conversation reaches it.", field=label
        )
    if name == "cycle":
        return _(
            "Change where a reply of %(field)s leads: the conversation goes round in a circle.",
            field=label,
        )
    if name == "success_end":
        return _(
            "Choose Success under How it ends for at least one end node of %(field)s.",
            field=label,
        )
    if name == "drill_skill":
        return _(
            "Tick this skill under Skills practised in the drill's settings, or leave "
            "%(field)s empty.",
            field=label,
        )
    if name == "end":
        return _("Choose how the conversation ends for %(field)s.", field=label)
    if name == "language":
        return _("Choose a language for %(field)s.", field=label)
    if name == "unknown_key":
        return _("Remove %(field)s: it is not something this form knows.", field=label)
    if name == "twice":
        return _("%(field)s is listed twice: remove one of them.", field=label)
    return _("Check %(field)s: it is not valid yet.", field=label)


def conflict_message(name: str | None, saved_at: datetime) -> str:
    """Another trainer saved what this trainer is editing: who and when, and that nothing of
    theirs was lost (the form shows what they typed)."""
    return _(
        "%(name)s saved this at %(time)s, while you were editing it. Your changes were not "
        "saved; they are still in the form below. Save again to replace their version with "
        "yours, or open the page anew to see theirs.",
        name=name or _("another trainer"),
        time=format_datetime(saved_at, "short"),
    )


#: How a form labels its fields: (pattern of the field name, label). A pattern's numbered groups
#: are positions from 0 and reach the label as numbers from 1; a group ``locale`` adds the
#: language to the label as the form shows it ("What the customer says (English)").
FieldLabels = tuple[tuple[re.Pattern[str], Callable[..., str]], ...]


def field_labels(*rules: tuple[str, Callable[..., str]]) -> FieldLabels:
    return tuple((re.compile(pattern), label) for pattern, label in rules)


def field_label(name: str, labels: FieldLabels, fallback: str) -> str:
    """The label of the form field `name`, else `fallback`."""
    from lms.authoring.form_states import locale_label

    for pattern, label in labels:
        match = pattern.fullmatch(name)
        if match is None:
            continue
        found = match.groupdict()
        locale = found.pop("locale", None)
        text = label(**{k: int(v) + 1 if v.isdigit() else v for k, v in found.items()})
        if locale:
            return _("%(field)s (%(language)s)", field=text, language=locale_label(locale))
        return text
    return fallback


def field_message(message: str, name: str, labels: FieldLabels, fallback: str) -> str:
    """The importer's `message` about the form field `name`, in the trainer's words."""
    return trainer_message(message, field_label(name, labels, fallback))
