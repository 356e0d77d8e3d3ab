"""True-or-false questions: ``answer: true|false`` instead of choices; 1 or 0."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from .. import checks as c
from ..model import Question
from .base import QuestionKind
from .registry import register_question_kind

TRUE_FALSE_LABELS = (_l("True"), _l("False"))


class TrueFalse(QuestionKind):
    name = "true-false"
    required = ("answer",)
    hint = "it has 'answer' instead of 'choices'"
    title = _l("True or false")
    label = _l("True or false?")
    editor_template = "quizzes/editor/kinds/true_false.html"

    def build(self, ctx, place, raw, base, refs):
        if "answer" not in raw:
            return None
        answer = c.boolean(ctx, place + ("answer",), raw["answer"])
        if answer is None:
            return None
        return Question(kind=self.name, answer=answer, **base)

    def to_doc(self, question: Question) -> dict[str, Any]:
        return {"answer": question.answer}

    def from_doc(self, doc: Mapping[str, Any], base: dict) -> Question:
        return Question(kind=self.name, answer=doc.get("answer"), **base)

    def option_count(self, question: Question) -> int:
        return 2

    def option_text(self, question: Question, index: int) -> str:
        return str(TRUE_FALSE_LABELS[index])

    def correct_options(self, question: Question) -> frozenset[int]:
        return frozenset({0 if question.answer else 1})

    def shuffles(self) -> bool:
        return False

    def editor_values(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        return {"answer": doc.get("answer")}

    def read_editor(self, form: Any) -> dict[str, Any]:
        value = form.get("answer")
        return {"answer": value == "true"} if value in ("true", "false") else {}

    def editor_field(self, place: tuple) -> str | None:
        return "answer" if place[:1] == ("answer",) else None


register_question_kind(TrueFalse())
