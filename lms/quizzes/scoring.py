"""Scoring of a whole attempt (content-format.md): the attempt's score is the mean question score
in percent; each skill's evidence is the weighted mean of the scores of the attempt's questions
that name the skill, with the question's weight for that skill. Unanswered questions score 0."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from lms.content.model import Quiz
from lms.quizzes.kinds import kind_of


def exact(number: int | float | str) -> Fraction:
    """A number as written (``0.5`` is 1/2, ``66.7`` is 667/10), not its binary float."""
    if isinstance(number, int):
        return Fraction(number)
    return Fraction(str(number))


@dataclass(frozen=True)
class AttemptScore:
    questions: dict[str, Fraction]
    mean: Fraction  # 0..1
    skills: dict[str, Fraction]  # skill id -> evidence value in [0, 1]

    @property
    def percent(self) -> float:
        return float(self.mean * 100)

    def is_passed(self, pass_score: int | float) -> bool:
        return self.mean * 100 >= exact(pass_score)


def score_question(quiz: Quiz, question_id: str, selected: Sequence[int] | None) -> Fraction:
    question = quiz.question(question_id)
    if question is None:
        raise KeyError(question_id)
    return kind_of(question).score(question, selected or ())


def score_attempt(
    quiz: Quiz,
    question_ids: Sequence[str],
    answers: Mapping[str, Sequence[int]],
    *,
    skills: Iterable[str] | None = None,
) -> AttemptScore:
    """Score the questions `question_ids` of `quiz` with `answers` (question id -> options).
    With `skills`, evidence is given only for those skills (e.g. the ones not retired)."""
    allowed = None if skills is None else set(skills)
    scores: dict[str, Fraction] = {}
    weighted: dict[str, Fraction] = {}
    weights: dict[str, Fraction] = {}
    for question_id in question_ids:
        question = quiz.question(question_id)
        if question is None:
            raise KeyError(question_id)
        score = kind_of(question).score(question, answers.get(question_id) or ())
        scores[question_id] = score
        for skill_id, weight in question.skills.items():
            if allowed is not None and skill_id not in allowed:
                continue
            w = exact(weight)
            weighted[skill_id] = weighted.get(skill_id, Fraction(0)) + w * score
            weights[skill_id] = weights.get(skill_id, Fraction(0)) + w
    mean = sum(scores.values(), Fraction(0)) / len(scores) if scores else Fraction(0)
    evidence = {skill: weighted[skill] / weights[skill] for skill in sorted(weights)}
    return AttemptScore(questions=scores, mean=mean, skills=evidence)
