"""Choice questions: ``single`` (exactly one correct choice, 1 or 0) and ``multiple`` (at least
one correct; (correct picks - wrong picks) / number of correct choices, floored at 0)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from flask_babel import lazy_gettext as _l

from .. import checks as c
from ..model import Choice, Question
from .base import QuestionKind, optional_text_of, put, text_doc, text_of
from .editing import read_text, text_values
from .registry import register_question_kind

MIN_CHOICES = 2
MAX_CHOICES = 10


class ChoiceQuestionKind(QuestionKind):
    required = ("choices",)
    hint = "it has 'choices'"
    exactly_one = True

    def build(self, ctx, place, raw, base, refs):
        items = c.list_of(
            ctx, place + ("choices",), raw.get("choices"), MIN_CHOICES, MAX_CHOICES, "choices"
        )
        if items is None:
            return None
        choices: list[Choice] = []
        ok = True
        for index, item in enumerate(items):
            ch_place = place + ("choices", index)
            entry = c.mapping(ctx, ch_place, item, ("text",), ("correct", "feedback"))
            if entry is None:
                ok = False
                continue
            text = c.optional_text(ctx, entry, ch_place, "text")
            correct = False
            if "correct" in entry:
                correct = bool(c.boolean(ctx, ch_place + ("correct",), entry["correct"]))
            feedback = c.optional_text(ctx, entry, ch_place, "feedback")
            if text is None:
                ok = False
                continue
            choices.append(Choice(text, correct, feedback))
        correct_count = sum(1 for choice in choices if choice.correct)
        if self.exactly_one and correct_count != 1:
            ctx.error(
                place + ("choices",),
                f"has {correct_count} correct choices; a single-choice question has exactly one",
            )
            ok = False
        elif not self.exactly_one and correct_count < 1:
            ctx.error(
                place + ("choices",),
                "has 0 correct choices; a multiple-choice question has at least one",
            )
            ok = False
        if not ok or len(choices) < MIN_CHOICES or len(choices) > MAX_CHOICES:
            return None
        return Question(kind=self.name, choices=tuple(choices), **base)

    def to_doc(self, question: Question) -> dict[str, Any]:
        choices = []
        for choice in question.choices:
            entry: dict[str, Any] = {"text": text_doc(choice.text), "correct": choice.correct}
            put(entry, "feedback", choice.feedback)
            choices.append(entry)
        return {"choices": choices}

    def from_doc(self, doc: Mapping[str, Any], base: dict) -> Question:
        choices = tuple(
            Choice(
                text_of(ch["text"]),
                bool(ch.get("correct", False)),
                optional_text_of(ch, "feedback"),
            )
            for ch in doc.get("choices", ())
        )
        return Question(kind=self.name, choices=choices, **base)

    def feedback_place(self, question: Question, index: int) -> str | None:
        if question.choices[index].feedback:
            return f"questions.{question.id}.choices[{index}].feedback"
        return None

    # --- editor: one row per choice (text, correct, feedback), blank rows are dropped ---

    def editor_values(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        rows = []
        raw = doc.get("choices") if isinstance(doc.get("choices"), list) else []
        padded = [*raw, *([{}] * max(2, 4 - len(raw)))][:MAX_CHOICES]
        for choice in padded:
            choice = choice if isinstance(choice, dict) else {}
            rows.append(
                {
                    "text": text_values(choice.get("text")),
                    "correct": choice.get("correct") is True,
                    "feedback": text_values(choice.get("feedback")),
                }
            )
        return {"choices": rows}

    def read_editor(self, form: Any) -> dict[str, Any]:
        choices = []
        for index in range(MAX_CHOICES):
            text = read_text(form, f"choice-{index}-text")
            feedback = read_text(form, f"choice-{index}-feedback")
            correct = form.get(f"choice-{index}-correct") == "on"
            if not text and not feedback and not correct:
                continue
            entry: dict[str, Any] = {"text": text, "correct": correct}
            if feedback:
                entry["feedback"] = feedback
            choices.append(entry)
        return {"choices": choices}

    def editor_field(self, place: tuple) -> str | None:
        if place[:1] == ("choices",):
            if len(place) >= 3:
                return f"choice-{place[1]}-{place[2]}"
            return "choices"
        return None


class SingleChoice(ChoiceQuestionKind):
    name = "single"
    title = _l("One correct answer")
    exactly_one = True


class MultipleChoice(ChoiceQuestionKind):
    name = "multiple"
    title = _l("Several correct answers")
    input_type = "checkbox"
    label = _l("Choose every answer that applies.")
    exactly_one = False

    def max_picks(self, question: Question) -> int:
        return self.option_count(question)

    def score(self, question: Question, selected: Sequence[int]) -> Fraction:
        correct = self.correct_options(question)
        picks = set(selected)
        right = len(picks & correct)
        wrong = len(picks - correct)
        return max(Fraction(0), Fraction(right - wrong, len(correct)))


register_question_kind(SingleChoice())
register_question_kind(MultipleChoice())
