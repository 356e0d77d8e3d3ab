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
