"""Scoring per content-format.md, against tables computed by hand."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from lms.content.model import Question
from lms.quizzes.kinds import KINDS, AnswerError, kind_of
from lms.quizzes.scoring import exact, score_attempt
from tests.quizzes.conftest import choices, make_quiz, t

SINGLE = Question(
    "s", "single", t("?"), {"a": 1}, None, choices(("x", False), ("y", True), ("z", False))
)
TRUE = Question("tf", "true-false", t("?"), {"a": 1}, answer=True)
FALSE = Question("ff", "true-false", t("?"), {"a": 1}, answer=False)
# three correct (0, 1, 2) and two wrong (3, 4)
MULTI = Question(
    "m",
    "multiple",
    t("?"),
    {"a": 1},
    None,
    choices(("a", True), ("b", True), ("c", True), ("d", False), ("e", False)),
)


@pytest.mark.parametrize(
    ("question", "selected", "expected"),
    [
        (SINGLE, [1], F(1)),
        (SINGLE, [0], F(0)),
        (SINGLE, [2], F(0)),
        (SINGLE, [], F(0)),
        (SINGLE, [0, 1], F(0)),  # never stored (parse refuses), and scores nothing anyway
        (TRUE, [0], F(1)),
        (TRUE, [1], F(0)),
        (TRUE, [], F(0)),
        (FALSE, [1], F(1)),
        (FALSE, [0], F(0)),
        # multiple: (correct picks - wrong picks) / 3, floored at 0
        (MULTI, [0, 1, 2], F(1)),
        (MULTI, [0, 1], F(2, 3)),
        (MULTI, [0], F(1, 3)),
        (MULTI, [0, 1, 2, 3], F(2, 3)),
        (MULTI, [0, 1, 3], F(1, 3)),
        (MULTI, [0, 3], F(0)),
        (MULTI, [0, 3, 4], F(0)),  # 1 - 2 = -1, floored at 0
        (MULTI, [3, 4], F(0)),  # -2 / 3, floored at 0
        (MULTI, [0, 1, 2, 3, 4], F(1, 3)),
        (MULTI, [], F(0)),
    ],
)
def test_question_scores(question, selected, expected):
    assert kind_of(question).score(question, selected) == expected


def test_every_kind_of_the_format_is_registered():
    assert set(KINDS) >= {"single", "multiple", "true-false", "ordering"}
    assert KINDS["multiple"].input_type == "checkbox"
    assert KINDS["single"].input_type == KINDS["true-false"].input_type == "radio"


@pytest.mark.parametrize(
    ("question", "raw", "expected"),
    [
        (SINGLE, ["1"], [1]),
        (SINGLE, [" 2 "], [2]),
        (SINGLE, [], []),
        (MULTI, ["4", "0", "0"], [0, 4]),
        (TRUE, ["1"], [1]),
    ],
)
def test_answers_are_parsed(question, raw, expected):
    assert kind_of(question).parse(question, raw) == expected


@pytest.mark.parametrize(
    ("question", "raw"),
    [
        (SINGLE, ["0", "1"]),
        (SINGLE, ["3"]),
        (SINGLE, ["-1"]),
        (SINGLE, ["one"]),
        (SINGLE, ["1e3"]),
        (SINGLE, ["9" * 400]),
        (TRUE, ["2"]),
        (TRUE, ["0", "1"]),
        (MULTI, ["5"]),
        (MULTI, ["<script>"]),
        (MULTI, ["0"] * 50),
    ],
)
def test_bad_answers_are_refused(question, raw):
    with pytest.raises(AnswerError):
        kind_of(question).parse(question, raw)


def test_a_whole_attempt_score_and_evidence_per_skill():
    """The sample quiz: q1 goal-setting 1; q2 planning 1, goal-setting 0.5; q3 planning 2;
    q4 objection-handling 1. Answers: q1 right (1), q2 two of three steps, one wrong (1/3),
    q3 wrong (0), q4 right (1)."""
    quiz = make_quiz()
    answers = {"q1": [1], "q2": [0, 1, 3], "q3": [1], "q4": [1]}
    result = score_attempt(quiz, ["q1", "q2", "q3", "q4"], answers)
    assert result.questions == {"q1": F(1), "q2": F(1, 3), "q3": F(0), "q4": F(1)}
    # mean = (1 + 1/3 + 0 + 1) / 4 = 7/12 = 58.33%
    assert result.mean == F(7, 12)
    assert result.percent == pytest.approx(58.3333333)
    # goal-setting: (1*1 + 0.5*1/3) / 1.5 = 7/9; planning: (1*1/3 + 2*0) / 3 = 1/9
    assert result.skills == {
        "goal-setting": F(7, 9),
        "objection-handling": F(1),
        "planning": F(1, 9),
    }
    assert not result.is_passed(75)
    assert result.is_passed(58.33)
    assert not result.is_passed(58.34)


def test_unanswered_questions_score_zero_and_a_full_attempt_passes_exactly():
    quiz = make_quiz()
    nothing = score_attempt(quiz, ["q1", "q2", "q3", "q4"], {})
    assert nothing.mean == 0 and set(nothing.skills.values()) == {F(0)}
    three_of_four = score_attempt(
        quiz, ["q1", "q2", "q3", "q4"], {"q1": [1], "q2": [0, 1, 2], "q3": [0]}
    )
    assert three_of_four.percent == 75.0
    assert three_of_four.is_passed(75)


def test_a_drawn_attempt_scores_only_its_questions():
    quiz = make_quiz()
    result = score_attempt(quiz, ["q3", "q4"], {"q3": [0], "q1": [1]})
    assert result.mean == F(1, 2)
    assert result.skills == {"objection-handling": F(0), "planning": F(1)}


def test_retired_skills_get_no_evidence():
    quiz = make_quiz()
    result = score_attempt(quiz, ["q1", "q2"], {"q1": [1]}, skills={"planning"})
    assert set(result.skills) == {"planning"}


def test_pass_marks_are_compared_as_written():
    assert exact(66.7) == F(667, 10)
    assert exact(80) == F(80)
