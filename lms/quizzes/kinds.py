"""Question kinds: a small registry keyed by the `kind` of a question (content-format.md).

Each kind says how its options are presented (radio buttons or check boxes), turns submitted form
values into a validated answer (a sorted list of option indices of the version), and scores an
answer from 0 to 1 as the content format prescribes:

- ``single`` and ``true-false``: 1 for the correct option, else 0;
- ``multiple``: (correct picks - wrong picks) / number of correct options, floored at 0.

Scores are exact fractions, so that equal answers always give equal scores and a pass mark is
never missed by a rounding error.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from flask_babel import lazy_gettext as _l

from lms.content.model import Question, Text
from lms.core.inputs import InputError, parse_int

MAX_RAW_VALUES = 20


class AnswerError(ValueError):
    """A submitted answer that does not fit the question."""


class QuestionKind:
    name = ""
    input_type = "radio"
    label = _l("Choose one answer.")

    def option_count(self, question: Question) -> int:
        return len(question.choices)

    def option_text(self, question: Question, index: int) -> Text | str:
        return question.choices[index].text

    def correct_options(self, question: Question) -> frozenset[int]:
        return frozenset(i for i, choice in enumerate(question.choices) if choice.correct)

    def feedback_place(self, question: Question, index: int) -> str | None:
        if question.choices[index].feedback:
            return f"questions.{question.id}.choices[{index}].feedback"
        return None

    def shuffles(self) -> bool:
        return True

    def max_picks(self, question: Question) -> int:
        return 1

    def parse(self, question: Question, raw: Sequence[str]) -> list[int]:
        """Validated option indices from form values; an empty list clears the answer."""
        if len(raw) > MAX_RAW_VALUES:
            raise AnswerError("too many values")
        picks: set[int] = set()
        for value in raw:
            try:
                index = parse_int(value, field="answer", maximum=self.option_count(question) - 1)
            except InputError:
                raise AnswerError(f"{value!r} is not an option") from None
            picks.add(index)
        if len(picks) > self.max_picks(question):
            raise AnswerError("only one option may be chosen")
        return sorted(picks)

    def score(self, question: Question, selected: Sequence[int]) -> Fraction:
        picks = set(selected)
        return (
            Fraction(1)
            if len(picks) == 1 and picks <= self.correct_options(question)
            else Fraction(0)
        )


class SingleChoice(QuestionKind):
    name = "single"


class MultipleChoice(QuestionKind):
    name = "multiple"
    input_type = "checkbox"
    label = _l("Choose every answer that applies.")

    def max_picks(self, question: Question) -> int:
        return self.option_count(question)

    def score(self, question: Question, selected: Sequence[int]) -> Fraction:
        correct = self.correct_options(question)
        picks = set(selected)
        right = len(picks & correct)
        wrong = len(picks - correct)
        return max(Fraction(0), Fraction(right - wrong, len(correct)))


TRUE_FALSE_LABELS = (_l("True"), _l("False"))


class TrueFalse(QuestionKind):
    name = "true-false"
    label = _l("True or false?")

    def option_count(self, question: Question) -> int:
        return 2

    def option_text(self, question: Question, index: int) -> str:
        return str(TRUE_FALSE_LABELS[index])

    def correct_options(self, question: Question) -> frozenset[int]:
        return frozenset({0 if question.answer else 1})

    def feedback_place(self, question: Question, index: int) -> str | None:
        return None

    def shuffles(self) -> bool:
        return False


KINDS: dict[str, QuestionKind] = {
    kind.name: kind for kind in (SingleChoice(), MultipleChoice(), TrueFalse())
}


def kind_of(question: Question) -> QuestionKind:
    return KINDS[question.kind]
