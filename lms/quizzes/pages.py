"""What the quiz pages show, in the reader's language, from stored versions and rendered HTML."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from lms.content.model import Question, Quiz, Text
from lms.content.models import ContentVersion
from lms.extensions import db
from lms.quizzes.kinds import QuestionKind, kind_of
from lms.quizzes.models import QuizAttempt, QuizQuestionResult
from lms.quizzes.services import QuizRef, answers_of, evidence_of_attempt, quiz_of_version
from lms.skills.models import Skill

MINUTES_PER_QUESTION = 1.0


def skill_names(skill_ids: Sequence[str], locale: str) -> dict[str, str]:
    if not skill_ids:
        return {}
    rows = db.session.execute(
        sa.select(Skill.id, Skill.name, Skill.language).where(Skill.id.in_(list(skill_ids)))
    )
    return {sid: Text(dict(name or {})).get(locale, language) for sid, name, language in rows}


def _text(text: Text | None, quiz: Quiz, locale: str) -> str:
    return text.get(locale, quiz.language) if text else ""


# --- intro ---------------------------------------------------------------------------------


@dataclass
class IntroPage:
    title: str
    pass_score: float
    max_attempts: int
    question_count: int
    minutes: int
    time_limit: int | None
    skills: list[str]
    best: float | None
    is_passed: bool
    open_attempt: QuizAttempt | None
    language: str


def intro_page(ref: QuizRef, attempts: Sequence[QuizAttempt], locale: str) -> IntroPage:
    quiz = ref.quiz
    count = min(quiz.draw, len(quiz.questions)) if quiz.draw else len(quiz.questions)
    skill_ids: list[str] = []
    for question in quiz.questions:
        for skill in question.skills:
            if skill not in skill_ids:
                skill_ids.append(skill)
    names = skill_names(skill_ids, locale)
    scores = [a.score for a in attempts if a.score is not None]
    return IntroPage(
        title=_text(quiz.title, quiz, locale),
        pass_score=quiz.pass_score,
        max_attempts=quiz.max_attempts,
        question_count=count,
        minutes=quiz.time_limit_minutes or max(1, math.ceil(count * MINUTES_PER_QUESTION)),
        time_limit=quiz.time_limit_minutes,
        skills=[names[s] for s in skill_ids if s in names],
        best=max(scores) if scores else None,
        is_passed=any(a.is_passed for a in attempts),
        open_attempt=next((a for a in attempts if a.is_open), None),
        language=quiz.language,
    )


# --- one question ----------------------------------------------------------------------------


@dataclass
class Option:
    value: int  # the position shown, which the form posts (services.from_shown)
    label: str
    is_checked: bool = False
    is_correct: bool = False
    feedback_html: str = ""


@dataclass
class QuestionView:
    position: int
    id: str
    kind: QuestionKind
    prompt_html: str
    options: list[Option]
    is_answered: bool
    explanation_html: str = ""
    score: float | None = None
    picked: list[int] = field(default_factory=list)  # the answer as given (an ordering's order)


@dataclass
class NavEntry:
    position: int
    is_answered: bool
    is_current: bool


@dataclass
class QuestionPage:
    title: str
    count: int
    question: QuestionView
    nav: list[NavEntry]
    answered: int
    deadline_at: datetime | None


def _options(
    quiz: Quiz,
    version: ContentVersion,
    question: Question,
    order: Sequence[int],
    picked: Sequence[int],
    locale: str,
    *,
    with_feedback: bool = False,
) -> list[Option]:
    kind = kind_of(question)
    correct = kind.correct_options(question)
    options = []
    for shown, index in enumerate(order):
        label = kind.option_text(question, index)
        if isinstance(label, Text):
            label = label.get(locale, quiz.language)
        feedback = ""
        place = kind.feedback_place(question, index) if with_feedback else None
        if place and index in picked:
            feedback = version.html(place, locale)
        options.append(
            Option(
                value=shown,
                label=str(label),
                is_checked=index in picked,
                is_correct=index in correct,
                feedback_html=feedback,
            )
        )
    return options


def question_page(attempt: QuizAttempt, position: int, locale: str) -> QuestionPage:
    version = attempt.version
    quiz = quiz_of_version(version)
    answers = answers_of(attempt.id)
    entry = attempt.layout[position - 1]
    question = quiz.question(entry["q"])
    assert question is not None
    picked = answers.get(question.id, [])
    view = QuestionView(
        position=position,
        id=question.id,
        kind=kind_of(question),
        prompt_html=version.html(kind_of(question).prompt_place(question), locale),
        options=_options(quiz, version, question, entry["o"], picked, locale),
        is_answered=bool(picked),
        picked=list(picked),
    )
    nav = [
        NavEntry(n, bool(answers.get(e["q"])), n == position)
        for n, e in enumerate(attempt.layout, start=1)
    ]
    return QuestionPage(
        title=_text(quiz.title, quiz, locale),
        count=len(attempt.layout),
        question=view,
        nav=nav,
        answered=sum(1 for e in nav if e.is_answered),
        deadline_at=attempt.deadline_at,
    )


# --- review before submitting -----------------------------------------------------------------


@dataclass
class ReviewEntry:
    position: int
    prompt_html: str
    chosen: list[str]


@dataclass
class ReviewPage:
    title: str
    entries: list[ReviewEntry]
    answered: int
    deadline_at: datetime | None

    @property
    def unanswered(self) -> int:
        return sum(1 for entry in self.entries if not entry.chosen)


def review_page(attempt: QuizAttempt, locale: str) -> ReviewPage:
    version = attempt.version
    quiz = quiz_of_version(version)
    answers = answers_of(attempt.id)
    entries = []
    for position, entry in enumerate(attempt.layout, start=1):
        question = quiz.question(entry["q"])
        assert question is not None
        picked = answers.get(question.id, [])
        options = _options(quiz, version, question, entry["o"], picked, locale)
        entries.append(
            ReviewEntry(
                position=position,
                prompt_html=version.html(kind_of(question).prompt_place(question), locale),
                chosen=[option.label for option in options if option.is_checked],
            )
        )
    return ReviewPage(
        title=_text(quiz.title, quiz, locale),
        entries=entries,
        answered=sum(1 for entry in entries if entry.chosen),
        deadline_at=attempt.deadline_at,
    )


# --- result ----------------------------------------------------------------------------------


@dataclass
class SkillResult:
    id: str
    name: str
    value: float  # percent


@dataclass
class ResultPage:
    title: str
    score: float
    is_passed: bool
    pass_score: float
    version_number: int
    is_current_version: bool
    submitted_at: datetime
    is_expired: bool
    questions: list[QuestionView]
    skills: list[SkillResult] = field(default_factory=list)
    correct: int = 0


def result_page(attempt: QuizAttempt, locale: str) -> ResultPage:
    version = attempt.version
    quiz = quiz_of_version(version)
    results = {
        row.question_id: row
        for row in db.session.scalars(
            sa.select(QuizQuestionResult).where(QuizQuestionResult.attempt_id == attempt.id)
        )
    }
    questions = []
    for position, entry in enumerate(attempt.layout, start=1):
        question = quiz.question(entry["q"])
        row = results.get(entry["q"])
        if question is None or row is None:
            continue
        picked = list(row.selected or [])
        questions.append(
            QuestionView(
                position=position,
                id=question.id,
                kind=kind_of(question),
                prompt_html=version.html(kind_of(question).prompt_place(question), locale),
                options=_options(
                    quiz, version, question, entry["o"], picked, locale, with_feedback=True
                ),
                is_answered=bool(picked),
                picked=picked,
                explanation_html=(
                    version.html(kind_of(question).explanation_place(question), locale)
                    if question.explanation
                    else ""
                ),
                score=row.score,
            )
        )
    evidence = evidence_of_attempt(attempt)
    names = skill_names(list(evidence), locale)
    return ResultPage(
        title=_text(quiz.title, quiz, locale),
        score=attempt.score or 0.0,
        is_passed=bool(attempt.is_passed),
        pass_score=quiz.pass_score,
        version_number=version.number,
        is_current_version=attempt.item.current_version_id == version.id,
        submitted_at=attempt.submitted_at,
        is_expired=attempt.is_expired,
        questions=questions,
        skills=[
            SkillResult(skill, names.get(skill, skill), value * 100)
            for skill, value in sorted(evidence.items(), key=lambda kv: names.get(kv[0], kv[0]))
        ],
        correct=sum(1 for q in questions if q.score == 1),
    )
