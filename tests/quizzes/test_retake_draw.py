"""A quiz that draws from a pool: a retake shows the questions the previous attempt left out
first, and repeats seen ones only to fill the draw."""

from __future__ import annotations

import random

import pytest

from lms.content.model import Question
from lms.quizzes.services import draw_layout, start_attempt, submit_attempt
from tests.quizzes.conftest import make_quiz, t


def pool(size: int) -> tuple[Question, ...]:
    return tuple(
        Question(f"p{n}", "true-false", t(f"Statement {n}"), {"planning": 1}, answer=n % 2 == 0)
        for n in range(1, size + 1)
    )


def drawn(layout: list[dict]) -> set[str]:
    return {entry["q"] for entry in layout}


@pytest.mark.parametrize("seed", range(20))
def test_a_draw_takes_unseen_questions_first(seed):
    quiz = make_quiz(questions=pool(9), draw=6, shuffle=True)
    rng = random.Random(seed)
    first = drawn(draw_layout(quiz, rng))
    second = drawn(draw_layout(quiz, rng, first))
    assert len(first) == len(second) == 6
    # The three questions the first attempt left out are all in the retake.
    assert {f"p{n}" for n in range(1, 10)} - first <= second
    assert len(second & first) == 3


def test_a_pool_of_twice_the_draw_gives_a_retake_only_new_questions():
    quiz = make_quiz(questions=pool(8), draw=4)
    rng = random.Random(7)
    first = drawn(draw_layout(quiz, rng))
    second = drawn(draw_layout(quiz, rng, first))
    assert first.isdisjoint(second) and len(second) == 4


def test_without_a_draw_every_attempt_shows_every_question():
    quiz = make_quiz(questions=pool(5))
    assert drawn(draw_layout(quiz, random.Random(1), {"p1", "p2"})) == {
        f"p{n}" for n in range(1, 6)
    }


def test_a_retake_through_the_service_avoids_the_previous_attempt(db, publish_quiz, make_user):
    publish_quiz(make_quiz(questions=pool(6), draw=3))
    learner = make_user()
    first = start_attempt(learner.id, "basics", rng=random.Random(3))
    submit_attempt(first.id, user_id=learner.id)
    db.session.commit()
    second = start_attempt(learner.id, "basics", rng=random.Random(3))
    assert second.number == 2
    assert set(first.question_ids).isdisjoint(second.question_ids)
    assert len(second.question_ids) == 3
