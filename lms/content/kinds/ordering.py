"""Ordering questions: put the steps in order.

The file lists ``steps`` in the correct order (3 to 10 texts); the learner sees them shuffled and
gives each position a step. The score is partial credit by pairs in order: of the n·(n-1)/2 pairs
of steps, the share the learner put in the same order as the file. A fully right order scores 1,
a reversed one 0; an unanswered question scores 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from itertools import combinations
from typing import Any

from flask_babel import lazy_gettext as _l

from .. import checks as c
from ..model import Choice, Question
from .base import AnswerError, QuestionKind, text_doc, text_of
from .editing import read_text, text_values
from .registry import register_question_kind

MIN_STEPS = 3
MAX_STEPS = 10


class Ordering(QuestionKind):
    name = "ordering"
    required = ("steps",)
    hint = "it has 'steps', in the right order"
    title = _l("Put the steps in order")
    label = _l("Give each position one step.")
    input_type = "select"
    template = "quizzes/kinds/ordering.html"
    editor_template = "quizzes/editor/kinds/ordering.html"
    is_ordered = True

    def build(self, ctx, place, raw, base, refs):
        items = c.list_of(ctx, place + ("steps",), raw.get("steps"), MIN_STEPS, MAX_STEPS, "steps")
        if items is None:
            return None
        steps = [c.text(ctx, place + ("steps", index), item) for index, item in enumerate(items)]
        if any(step is None for step in steps) or not MIN_STEPS <= len(steps) <= MAX_STEPS:
            return None
        return Question(
            kind=self.name, choices=tuple(Choice(step) for step in steps if step), **base
        )

    def to_doc(self, question: Question) -> dict[str, Any]:
        return {"steps": [text_doc(choice.text) for choice in question.choices]}

    def from_doc(self, doc: Mapping[str, Any], base: dict) -> Question:
        steps = tuple(Choice(text_of(step)) for step in doc.get("steps", ()))
        return Question(kind=self.name, choices=steps, **base)

    def correct_options(self, question: Question) -> frozenset[int]:
        return frozenset()

    def max_picks(self, question: Question) -> int:
        return self.option_count(question)

    def parse(self, question: Question, raw: Sequence[str]) -> list[int]:
        """The learner's order: the step given to each position, all of them once, or nothing."""
        values = [str(value).strip() for value in raw]
        if not any(values):
            return []
        if len(values) != self.option_count(question):
            raise AnswerError("give every position one step")
        order = [self._index(question, value) for value in values if value]
        if len(order) != len(values) or len(set(order)) != len(order):
            raise AnswerError("give every position one step, each step once")
        return order

    def score(self, question: Question, selected: Sequence[int]) -> Fraction:
        count = self.option_count(question)
        if len(selected) != count or count < 2:
            return Fraction(0)
        position = {step: place for place, step in enumerate(selected)}
        pairs = list(combinations(range(count), 2))
        in_order = sum(1 for first, second in pairs if position[first] < position[second])
        return Fraction(in_order, len(pairs))

    def editor_values(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        raw = doc.get("steps") if isinstance(doc.get("steps"), list) else []
        rows = [text_values(step) for step in raw]
        rows += [{}] * max(2, MIN_STEPS + 1 - len(rows))
        return {"steps": rows[:MAX_STEPS]}

    def read_editor(self, form: Any) -> dict[str, Any]:
        steps = [read_text(form, f"step-{index}") for index in range(MAX_STEPS)]
        return {"steps": [step for step in steps if step]}

    def editor_field(self, place: tuple) -> str | None:
        if place[:1] == ("steps",):
            return f"step-{place[1]}" if len(place) >= 2 else "steps"
        return None


register_question_kind(Ordering())
