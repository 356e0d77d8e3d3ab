"""The importer's problems in the trainer's words.

The importer names a place in a file and says what is wrong in the file's terms ("say.en: expected
a text, found an empty mapping"). An editor knows which field the place is and how the form labels
it; :func:`trainer_message` turns the problem into one sentence in the interface language that
names the field and says what to do ("Write What the customer says (English)."). The sentences
are one table, :data:`RULES`: the first pattern that matches the importer's message gives the
sentence, filled with the field's label and the numbers the pattern found. A problem that no rule
matches still names the field and asks the trainer to correct it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


def _bounds(text: str) -> str:
    """``at least 2`` -> ``2+``; ``2..10`` -> ``2–10``."""
    numbers = re.findall(r"\d+", text)
    if "at least" in text and numbers:
        return f"{numbers[0]}+"
    return "–".join(numbers)


#: (the importer's message, the trainer's sentence); ``%(field)s`` is the field's label, the other
#: placeholders are the pattern's named groups.
RULES = tuple(
    (re.compile(pattern), sentence)
    for pattern, sentence in (
        (
            r"must not be empty|found an empty mapping|^required key .* is missing|expected a text",
            _l("Write %(field)s."),
        ),
        (
            r"is not between '?(?P<low>-?[\d.]+)'? and '?(?P<high>-?[\d.]+)'?",
            _l("Enter a number from %(low)s to %(high)s for %(field)s."),
        ),
        (r"must be at least '?(?P<low>-?[\d.]+)'?", _l("Enter %(low)s or more for %(field)s.")),
        (r"must be at most '?(?P<high>-?[\d.]+)'?", _l("Enter %(high)s or less for %(field)s.")),
        (r"must be greater than", _l("Enter a number above 0 for %(field)s.")),
        (
            r"expected (an integer|a number|a whole number)",
            _l("Enter a whole number for %(field)s."),
        ),
        (
            r"^has (?P<count>\d+) (?P<what>choices|steps|questions|rubric lines|items); expected "
            r"(?P<bounds>.*)$",
            _l("%(field)s has %(count)s; give %(bounds)s."),
        ),
        (
            r"correct choices; a single-choice question has exactly one",
            _l("Mark exactly one answer as correct in %(field)s."),
        ),
        (r"has 0 correct choices", _l("Mark at least one answer as correct in %(field)s.")),
        (r"^unknown skill", _l("Pick a skill of the framework for %(field)s.")),
        (r"expected at least 1 skill", _l("Give %(field)s at least one skill with a weight.")),
        (
            r"^invalid .*id",
            _l("Use lowercase letters, digits and '-' for %(field)s (for example: price-basics)."),
        ),
        (
            r"^duplicate .*id|is already|already taken|is taken",
            _l("%(field)s is used already: choose another one."),
        ),
        (
            r"^unknown lesson .*in this folder",
            _l("Pick a lesson of the same course for %(field)s."),
        ),
        (r"^unknown (course|quiz|scenario|lesson) ", _l("Pick published content for %(field)s.")),
        (r"^unknown node", _l("Pick a node of this drill for %(field)s.")),
        (r"is not inside phase", _l("Choose a day inside the item's phase for %(field)s.")),
        (
            r"strictly increasing|must end after",
            _l("Let each phase end on a later day than the one before (%(field)s)."),
        ),
        (
            r"is not reachable from start",
            _l("Lead a reply to %(field)s, or delete it: no conversation reaches it."),
        ),
        (
            r"the nodes form a cycle",
            _l("Change where a reply of %(field)s leads: the conversation goes round in a circle."),
        ),
        (
            r"no end node is 'success'",
            _l("Choose Success under How it ends for at least one end node of %(field)s."),
        ),
        (
            r"is not listed in the scenario's skills",
            _l(
                "Tick this skill under Skills practised in the drill's settings, or leave "
                "%(field)s empty."
            ),
        ),
        (r"^unknown end", _l("Choose how the conversation ends for %(field)s.")),
        (r"the lesson has no body", _l("Write %(field)s.")),
        (r"is listed twice", _l("%(field)s is listed twice: remove one of them.")),
        (
            r"does not match the (course|lesson|scenario) name",
            _l("Use lowercase letters, digits and '-' for %(field)s (for example: price-basics)."),
        ),
        (
            r"^has (?P<count>\d+) (?P<what>modules|nodes); expected (?P<bounds>.*)$",
            _l("%(field)s has %(count)s; give %(bounds)s."),
        ),
        (r"^invalid language tag", _l("Choose a language for %(field)s.")),
        (r"^unknown key", _l("Remove %(field)s: it is not something this form knows.")),
    )
)

#: How a named group is shown in the sentence (as found, unless listed).
_SHOWN = {"bounds": _bounds}


def trainer_message(message: str, label: str) -> str:
    """One sentence for the problem `message` (the importer's) of the field labelled `label`."""
    for pattern, sentence in RULES:
        match = pattern.search(message)
        if match:
            found = {
                name: _SHOWN.get(name, str)(value)
                for name, value in match.groupdict().items()
                if value is not None
            }
            return str(sentence) % {**found, "field": label}
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
