"""Item analysis of a quiz version, for trainers.

For every question of the version, over all submitted attempts on it:

- difficulty: the mean question score (the share correct; partial credit counts partly);
- discrimination: the point-biserial correlation between the question's score and the rest of
  the attempt (the mean of the attempt's other questions), so a question does not correlate with
  itself; None when either side does not vary;
- how often each option was picked;
- flags, once a question has MIN_RESPONSES answers: too easy (difficulty > 0.9), too hard
  (< 0.3), negative discrimination (< 0).

And the evidence the version produced per skill, across learners. A bounded number of queries,
whatever the number of attempts.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from lms.content import store
from lms.content.model import Quiz, Text
from lms.content.models import ContentItem, ContentKind, ContentVersion
from lms.extensions import db
from lms.quizzes.kinds import QuestionKind, kind_of
from lms.quizzes.models import QuizAttempt, QuizQuestionResult
from lms.quizzes.pages import skill_names
from lms.skills.models import Evidence

MIN_RESPONSES = 5
TOO_EASY = 0.9
TOO_HARD = 0.3


class Flag(enum.StrEnum):
    TOO_EASY = "too_easy"
    TOO_HARD = "too_hard"
    NEGATIVE = "negative_discrimination"


def point_biserial(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's correlation of two equally long series (point-biserial when `xs` is 0/1);
    None for fewer than two pairs or a series that does not vary."""
    n = len(xs)
    if n < 2 or n != len(ys):
        return None
    mean_x = sum(xs) / n
    mean_y = sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return sxy / math.sqrt(sxx * syy)


@dataclass
class OptionStat:
    label: str
    is_correct: bool
    count: int
    share: float


@dataclass
class QuestionStat:
    id: str
    kind: QuestionKind
    prompt_html: str
    responses: int
    difficulty: float | None
    discrimination: float | None
    options: list[OptionStat]
    unanswered: int
    flags: list[Flag] = field(default_factory=list)


@dataclass
class SkillStat:
    id: str
    name: str
    mean: float  # 0..100
    values: int
    learners: int


@dataclass
class Report:
    title: str
    version_number: int
    attempts: int
    learners: int
    mean_score: float | None
    pass_rate: float | None
    questions: list[QuestionStat]
    skills: list[SkillStat]

    @property
    def flagged(self) -> int:
        return sum(1 for question in self.questions if question.flags)


def versions_of(slug: str) -> list[ContentVersion]:
    """Every version of a quiz (live or retired), oldest first."""
    return list(
        db.session.scalars(
            sa.select(ContentVersion)
            .join(ContentItem, ContentItem.id == ContentVersion.item_id)
            .where(ContentItem.kind == ContentKind.QUIZ, ContentItem.slug == slug)
            .order_by(ContentVersion.number)
        )
    )


def analyse_version(version: ContentVersion, locale: str) -> Report:
    quiz: Quiz = store.load(version)  # type: ignore[assignment]
    rows = db.session.execute(
        sa.select(
            QuizAttempt.id,
            QuizAttempt.user_id,
            QuizAttempt.score,
            QuizAttempt.is_passed,
            QuizQuestionResult.question_id,
            QuizQuestionResult.score,
            QuizQuestionResult.selected,
        )
        .join(QuizQuestionResult, QuizQuestionResult.attempt_id == QuizAttempt.id)
        .where(QuizAttempt.version_id == version.id, QuizAttempt.submitted_at.is_not(None))
    ).all()
    attempts: dict[int, tuple[int, float, bool, list[float]]] = {}
    by_question: dict[str, list[tuple[int, float, list[int]]]] = {}
    for attempt_id, user_id, score, passed, question_id, q_score, selected in rows:
        entry = attempts.setdefault(attempt_id, (user_id, score, bool(passed), []))
        entry[3].append(q_score)
        by_question.setdefault(question_id, []).append((attempt_id, q_score, selected or []))
    questions = [
        _question_stat(quiz, version, q.id, by_question.get(q.id, []), attempts, locale)
        for q in quiz.questions
    ]
    scores = [entry[1] for entry in attempts.values()]
    return Report(
        title=quiz.title.get(locale, quiz.language),
        version_number=version.number,
        attempts=len(attempts),
        learners=len({entry[0] for entry in attempts.values()}),
        mean_score=sum(scores) / len(scores) if scores else None,
        pass_rate=(sum(1 for e in attempts.values() if e[2]) / len(attempts)) if attempts else None,
        questions=questions,
        skills=_skill_stats(version, locale),
    )


def _question_stat(
    quiz: Quiz,
    version: ContentVersion,
    question_id: str,
    answers: list[tuple[int, float, list[int]]],
    attempts: dict[int, tuple[int, float, bool, list[float]]],
    locale: str,
) -> QuestionStat:
    question = quiz.question(question_id)
    assert question is not None
    kind = kind_of(question)
    n = len(answers)
    counts = [0] * kind.option_count(question)
    unanswered = 0
    item_scores: list[float] = []
    rest_scores: list[float] = []
    for attempt_id, score, selected in answers:
        if not selected:
            unanswered += 1
        for index in selected:
            if 0 <= index < len(counts):
                counts[index] += 1
        all_scores = attempts[attempt_id][3]
        if len(all_scores) > 1:
            item_scores.append(score)
            rest_scores.append((sum(all_scores) - score) / (len(all_scores) - 1))
    correct = kind.correct_options(question)
    options = []
    for index, count in enumerate(counts):
        label = kind.option_text(question, index)
        if isinstance(label, Text):
            label = label.get(locale, quiz.language)
        options.append(OptionStat(str(label), index in correct, count, count / n if n else 0.0))
    difficulty = sum(score for _, score, _ in answers) / n if n else None
    discrimination = point_biserial(item_scores, rest_scores)
    flags = []
    if n >= MIN_RESPONSES and difficulty is not None:
        if difficulty > TOO_EASY:
            flags.append(Flag.TOO_EASY)
        if difficulty < TOO_HARD:
            flags.append(Flag.TOO_HARD)
        if discrimination is not None and discrimination < 0:
            flags.append(Flag.NEGATIVE)
    return QuestionStat(
        id=question.id,
        kind=kind,
        prompt_html=version.html(kind_of(question).prompt_place(question), locale),
        responses=n,
        difficulty=difficulty,
        discrimination=discrimination,
        options=options,
        unanswered=unanswered,
        flags=flags,
    )


def _skill_stats(version: ContentVersion, locale: str) -> list[SkillStat]:
    rows = db.session.execute(
        sa.select(
            Evidence.skill_id,
            sa.func.avg(Evidence.value),
            sa.func.count(),
            sa.func.count(sa.distinct(Evidence.user_id)),
        )
        .where(Evidence.source_kind == "quiz", Evidence.source_version_id == version.id)
        .group_by(Evidence.skill_id)
    ).all()
    names = skill_names([row[0] for row in rows], locale)
    stats = [
        SkillStat(skill, names.get(skill, skill), float(mean) * 100, count, learners)
        for skill, mean, count, learners in rows
    ]
    return sorted(stats, key=lambda stat: stat.name)


@dataclass
class QuizRow:
    slug: str
    title: str
    version_number: int
    is_retired: bool
    attempts: int
    mean_score: float | None


def quiz_overview() -> list[QuizRow]:
    """Every quiz with its current version, submitted attempts and mean score (two queries)."""
    from lms.i18n import content_locale

    locale = content_locale()
    items = db.session.execute(
        sa.select(
            ContentItem.id,
            ContentItem.slug,
            ContentItem.retired_at,
            ContentVersion.number,
            ContentVersion.document["title"],
            ContentVersion.document["language"],
        )
        .join(ContentVersion, ContentVersion.id == ContentItem.current_version_id)
        .where(ContentItem.kind == ContentKind.QUIZ)
        .order_by(ContentItem.retired_at.is_not(None), ContentItem.slug)
    ).all()
    stats = {
        item_id: (count, mean)
        for item_id, count, mean in db.session.execute(
            sa.select(QuizAttempt.item_id, sa.func.count(), sa.func.avg(QuizAttempt.score))
            .where(QuizAttempt.submitted_at.is_not(None))
            .group_by(QuizAttempt.item_id)
        )
    }
    rows = []
    for item_id, slug, retired_at, number, title, language in items:
        count, mean = stats.get(item_id, (0, None))
        rows.append(
            QuizRow(
                slug=slug,
                title=Text.of(title or slug, language or "en").get(locale, language),
                version_number=number,
                is_retired=retired_at is not None,
                attempts=count,
                mean_score=float(mean) if mean is not None else None,
            )
        )
    return rows
