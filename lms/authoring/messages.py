"""The importer's problems in the trainer's words.

The importer names a place in a file and says what is wrong in the file's terms ("say.en: expected
a text, found an empty mapping"). An editor knows which field the place is and how the form labels
it; :func:`trainer_message` turns the problem into one sentence in the interface language that
names the field and says what to do ("Write what the customer says (English)."). The sentences
are one table, :data:`RULES`: the first pattern that matches the importer's message gives the
sentence, filled with the field's label and the numbers the pattern found. A problem that no rule
matches still names the field and asks the trainer to correct it.

A field the trainer fills by picking from a list (a drop-down: where the conversation starts,
the skill of a rubric line, the course of a lesson) is a *choice*: a missing value there asks the
trainer to choose it ("Choose the conversation starts at."), not to write it. A label rule says so
with :data:`CHOICE`; an editor that labels its fields otherwise passes ``choice=True``.

Inside a sentence a label loses the capital it has on the form ("Write what the customer says
(English)."), unless its first word is an abbreviation or a name ("CRM notes", "English title").
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


#: (the importer's message, the trainer's sentence, the sentence for a choice field or None:
#: the same); ``%(field)s`` is the field's label, the other placeholders are the pattern's named
#: groups.
RULES = tuple(
    (re.compile(pattern), sentence, rule[0] if rule else None)
    for pattern, sentence, *rule in (
        (
            r"must not be empty|found an empty mapping|^required key .* is missing|expected a text"
            r"|the lesson has no body",
            _l("Write %(field)s."),
            _l("Choose %(field)s."),
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
            r"^has (?P<count>\d+) "
            r"(?P<what>choices|steps|questions|rubric lines|items|modules|nodes); "
            r"expected (?P<bounds>.*)$",
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
            r"^invalid .*id|does not match the (course|lesson|scenario) name",
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
        (r"is listed twice", _l("%(field)s is listed twice: remove one of them.")),
        (r"^invalid language tag", _l("Choose a language for %(field)s.")),
        (r"^unknown key", _l("Remove %(field)s: it is not something this form knows.")),
    )
)

#: How a named group is shown in the sentence (as found, unless listed).
_SHOWN = {"bounds": _bounds}


def trainer_message(message: str, label: str, *, choice: bool = False) -> str:
    """One sentence for the problem `message` (the importer's) of the field labelled `label`;
    `choice`: the field is picked from a list."""
    for pattern, sentence, choice_sentence in RULES:
        match = pattern.search(message)
        if match:
            found = {
                name: _SHOWN.get(name, str)(value)
                for name, value in match.groupdict().items()
                if value is not None
            }
            if choice and choice_sentence is not None:
                sentence = choice_sentence
            return _in_sentence(str(sentence), label, found)
    return _in_sentence(_("Check %(field)s: it is not valid yet."), label, {})


#: First words of labels that keep their capital inside a sentence: the names of the languages
#: the editors show, and of the text format.
NAMES = frozenset({"English", "Chinese", "Markdown"})

_FIRST_WORD = re.compile(r"\w+")


def in_sentence(label: str) -> str:
    """`label` as it reads inside a sentence: without the capital it has on the form, unless its
    first word is an abbreviation ("CRM", "SPIN"), has a capital inside ("PowerPoint") or is one
    of :data:`NAMES`. A language without case (Chinese) is unchanged."""
    word = _FIRST_WORD.match(label)
    if word is None or word.group() in NAMES or any(c.isupper() for c in word.group()[1:]):
        return label
    return label[0].lower() + label[1:]


def _in_sentence(sentence: str, label: str, found: dict[str, str]) -> str:
    """`sentence` filled in; the label in sentence case unless the sentence starts with it."""
    if not sentence.startswith("%(field)s"):
        label = in_sentence(label)
    return sentence % {**found, "field": label}


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


#: How a form labels its fields: (pattern of the field name, label, whether it is a choice). A
#: pattern's numbered groups are positions from 0 and reach the label as numbers from 1; a group
#: ``locale`` adds the language to the label as the form shows it ("What the customer says
#: (English)").
FieldLabels = tuple[tuple[re.Pattern[str], Callable[..., str], bool], ...]

#: Marks a label rule's field as picked from a list: ``("start", label, CHOICE)``.
CHOICE = "choice"


def field_labels(*rules: tuple) -> FieldLabels:
    """Label rules from (pattern, label) or (pattern, label, :data:`CHOICE`)."""
    return tuple((re.compile(pattern), label, CHOICE in flags) for pattern, label, *flags in rules)


def _rule(name: str, labels: FieldLabels):
    for pattern, label, choice in labels:
        match = pattern.fullmatch(name)
        if match is not None:
            return match, label, choice
    return None


def field_label(name: str, labels: FieldLabels, fallback: str) -> str:
    """The label of the form field `name`, else `fallback`."""
    from lms.authoring.form_states import locale_label

    rule = _rule(name, labels)
    if rule is None:
        return fallback
    match, label, _choice = rule
    found = match.groupdict()
    locale = found.pop("locale", None)
    text = label(**{k: int(v) + 1 if v.isdigit() else v for k, v in found.items()})
    if locale:
        return _("%(field)s (%(language)s)", field=text, language=locale_label(locale))
    return text


def is_choice(name: str, labels: FieldLabels) -> bool:
    """Whether the form field `name` is picked from a list."""
    rule = _rule(name, labels)
    return rule is not None and rule[2]


def field_message(message: str, name: str, labels: FieldLabels, fallback: str) -> str:
    """The importer's `message` about the form field `name`, in the trainer's words."""
    return trainer_message(
        message, field_label(name, labels, fallback), choice=is_choice(name, labels)
    )
