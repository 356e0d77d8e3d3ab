"""One definition per kind: a kind registered through the registry alone is checked, exported,
rendered, scored and played with no other change; the ordering kind's rules and scores."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import pytest

from lms.content import from_document, to_document
from lms.content.checking import StoredContext, check_document
from lms.content.kinds import (
    QUESTION_KINDS,
    AnswerError,
    QuestionKind,
    question_kind,
    register_question_kind,
    unregister_question_kind,
)
from lms.content.kinds.base import text_doc, text_of
from lms.content.model import Choice, Question
from lms.content.store import markdown_places
from lms.quizzes.scoring import score_attempt

CONTEXT = StoredContext(
    skill_ids=frozenset({"planning", "objection-handling"}),
    lesson_courses={},
    lesson_languages={},
    quiz_courses={},
    scenario_ids=frozenset(),
    course_ids=frozenset(),
    taken=frozenset(),
)


class Rating(QuestionKind):
    """A fixture kind: the learner rates 1..5; the `best` rating scores 1, one off scores 1/2."""

    name = "rating"
    required = ("best",)
    optional = ("hint",)
    hint = "it has 'best'"

    def build(self, ctx, place, raw, base, refs):
        from lms.content import checks as c

        best = c.number(ctx, place + ("best",), raw.get("best"), low=1, high=5, integer=True)
        hint = c.optional_text(ctx, raw, place, "hint")
        if best is None:
            return None
        return Question(kind=self.name, choices=(Choice(text_of(str(best)), True, hint),), **base)

    def to_doc(self, question: Question) -> dict[str, Any]:
        doc: dict[str, Any] = {"best": int(question.choices[0].text.get())}
        if question.choices[0].feedback:
            doc["hint"] = text_doc(question.choices[0].feedback)
        return doc

    def from_doc(self, doc: Mapping[str, Any], base: dict) -> Question:
        hint = text_of(doc["hint"]) if doc.get("hint") else None
        return Question(
            kind=self.name, choices=(Choice(text_of(str(doc["best"])), True, hint),), **base
        )

    def feedback_place(self, question, index):
        return f"questions.{question.id}.hint" if question.choices[0].feedback else None

    def option_count(self, question):
        return 5

    def option_text(self, question, index):
        return str(index + 1)

    def score(self, question, selected):
        if len(selected) != 1:
            return Fraction(0)
        distance = abs(selected[0] + 1 - int(question.choices[0].text.get()))
        return {0: Fraction(1), 1: Fraction(1, 2)}.get(distance, Fraction(0))


def quiz_doc(*questions: dict) -> dict:
    return {
        "id": "kinds-quiz",
        "title": {"en": "Kinds", "zh-CN": "题型"},
        "pass_score": 50,
        "questions": list(questions),
    }


@pytest.fixture
def rating_kind():
    kind = register_question_kind(Rating())
    yield kind
    unregister_question_kind("rating")


def test_a_kind_registered_alone_is_checked_exported_rendered_and_scored(rating_kind):
    doc = quiz_doc(
        {
            "id": "r1",
            "kind": "rating",
            "prompt": "How sure are you?",
            "skills": {"planning": 1},
            "best": 4,
            "hint": "Think **twice**.",
        }
    )
    checked = check_document("quiz", doc, CONTEXT, slug="kinds-quiz", course_id="basics")
    assert checked.ok, checked.errors
    quiz = checked.obj
    assert question_kind(quiz.questions[0]) is rating_kind
    exported = to_document(quiz)
    assert exported["questions"][0]["best"] == 4
    assert exported["questions"][0]["hint"] == {"en": "Think **twice**."}
    assert from_document("quiz", exported) == quiz
    assert dict(markdown_places(quiz)) == {
        "questions.r1.prompt": quiz.questions[0].prompt,
        "questions.r1.hint": quiz.questions[0].choices[0].feedback,
    }
    result = score_attempt(quiz, ["r1"], {"r1": [2]})
    assert result.mean == Fraction(1, 2)
    assert rating_kind.parse(quiz.questions[0], ["3"]) == [3]


def test_a_registered_kind_has_its_keys_checked(rating_kind):
    doc = quiz_doc(
        {"id": "r1", "kind": "rating", "prompt": "P", "skills": {"planning": 1}, "best": 9},
        {"id": "r2", "kind": "rating", "prompt": "P", "skills": {"planning": 1}, "choices": []},
    )
    checked = check_document("quiz", doc, CONTEXT, slug="kinds-quiz", course_id="basics")
    places = checked.by_place()
    assert "questions[0].best" in places
    assert any("does not belong in a rating question" in m for m in places["questions[1].choices"])
    assert any("'best' is missing" in m for m in places["questions[1]"])


def test_an_unregistered_kind_is_unknown():
    assert "rating" not in QUESTION_KINDS
    doc = quiz_doc({"id": "r1", "kind": "rating", "prompt": "P", "skills": {"planning": 1}})
    checked = check_document("quiz", doc, CONTEXT, slug="kinds-quiz", course_id="basics")
    assert any(
        "unknown question kind 'rating'" in m for m in checked.by_place()["questions[0].kind"]
    )


# --- ordering -----------------------------------------------------------------------------------

ORDERING = {
    "id": "steps",
    "kind": "ordering",
    "prompt": "Put the call in order.",
    "skills": {"planning": 1},
    "steps": ["Greet", "Ask", "Listen", "Propose"],
}


def ordering_question() -> Question:
    checked = check_document("quiz", quiz_doc(ORDERING), CONTEXT, slug="kinds-quiz", course_id="b")
    assert checked.ok, checked.errors
    return checked.obj.questions[0]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ([0, 1, 2, 3], Fraction(1)),
        ([3, 2, 1, 0], Fraction(0)),
        ([1, 0, 2, 3], Fraction(5, 6)),  # one of six pairs swapped
        ([0, 1, 3, 2], Fraction(5, 6)),
        ([3, 0, 1, 2], Fraction(3, 6)),  # 'Propose' first: three pairs out of order
        ([], Fraction(0)),
    ],
)
def test_ordering_scores_pairs_in_order(order, expected):
    question = ordering_question()
    assert question_kind(question).score(question, order) == expected


def test_ordering_reads_a_whole_order_or_nothing():
    question = ordering_question()
    kind = question_kind(question)
    assert kind.parse(question, ["2", "0", "1", "3"]) == [2, 0, 1, 3]
    assert kind.parse(question, ["", "", "", ""]) == []
    for raw in (["0", "0", "1", "2"], ["0", "1", ""], ["0", "1", "2", "9"], ["0", "1", "2", ""]):
        with pytest.raises(AnswerError):
            kind.parse(question, raw)


def test_ordering_needs_three_to_ten_steps_and_round_trips():
    bad = dict(ORDERING, steps=["Only", "two"])
    checked = check_document("quiz", quiz_doc(bad), CONTEXT, slug="kinds-quiz", course_id="b")
    assert any(
        "has 2 steps; expected 3 to 10" in m for m in checked.by_place()["questions[0].steps"]
    )
    question = ordering_question()
    assert question_kind(question).to_doc(question) == {
        "steps": [{"en": "Greet"}, {"en": "Ask"}, {"en": "Listen"}, {"en": "Propose"}]
    }
