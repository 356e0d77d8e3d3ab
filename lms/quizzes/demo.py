"""Demo step: the demo hires' quiz history, taken through the same services as the player, with
back-dated times, so that /skills, the quiz pages and item analysis have something to show.

When the hires are enrolled, the history follows the onboarding demo plan
(`lms.onboarding.demo.demo_plan`), so that paths, courses and quizzes tell one story: a quiz the
plan marks done is passed just before that moment (weaker hires fail it once first); a quiz
that is due and not done gets a failed attempt from the weaker hires; a course marked done with
every lesson read has its quizzes passed. Without enrollments, every hire takes the quizzes of
the new-rep path as their due days come, and retakes a failed one while attempts remain.

Answers are right with a probability that is the hire's own (ABILITY) and grows with practice;
every random choice is seeded by the hire's e-mail, so every demo tells the same story."""

from __future__ import annotations

import random
import zlib
from datetime import date, datetime, time, timedelta

from lms.content.model import Path, Question, Quiz
from lms.content.store import current_versions, load
from lms.demo import DEMO_PEOPLE, DemoContext
from lms.quizzes.kinds import kind_of
from lms.quizzes.scoring import score_attempt
from lms.quizzes.services import (
    QuizError,
    attempts_left,
    attempts_of,
    get_quiz,
    quiz_of_version,
    save_answers,
    start_attempt,
    submit_attempt,
)

REP_PATH = "new-sales-rep"
# The chance of a right answer at a hire's first attempt at anything; each attempt adds PRACTICE.
ABILITY = {
    "learner@example.com": 0.55,
    "sam.ortiz@example.com": 0.5,
    "priya.nair@example.com": 0.8,
    "tom.becker@example.com": 0.7,
    "ana.silva@example.com": 0.85,
    "li.na@example.com": 0.65,
    "zhang.wei@example.com": 0.75,
    "chen.jie@example.com": 0.6,
    "omar.haddad@example.com": 0.5,
}
PRACTICE = 0.04
RETAKE_BOOST = 0.2
MAX_TRIES = 3


def schedule(path: Path | None, quiz_slugs: list[str]) -> list[tuple[str, int]]:
    """(quiz, due day) in path order: the path's quiz items, then the quizzes of its courses
    (due with the course). Without the path, every quiz, one every five days."""
    if path is None:
        return [(slug, 5 * (n + 1)) for n, slug in enumerate(sorted(quiz_slugs))]
    courses = current_versions("course")
    plan: dict[str, int] = {}
    for phase in path.phases:
        for item in phase.items:
            day = item.due_day or phase.until_day
            if item.kind == "quiz" and item.ref:
                plan.setdefault(item.ref, day)
            elif item.kind == "course" and item.ref in courses:
                for course_item in load(courses[item.ref]).items:
                    if course_item.kind == "quiz":
                        plan.setdefault(course_item.ref, day)
    return sorted(
        ((slug, day) for slug, day in plan.items() if slug in quiz_slugs), key=lambda e: e[1]
    )


def answer_for(question: Question, chance: float, rng: random.Random) -> list[str]:
    """A plausible answer: right with probability `chance`, else a near miss."""
    kind = kind_of(question)
    correct = sorted(kind.correct_options(question))
    wrong = [i for i in range(kind.option_count(question)) if i not in correct]
    if question.kind == "multiple":
        picks = [i for i in correct if rng.random() < chance]
        picks += [i for i in wrong if rng.random() > chance + 0.2]
        return [str(i) for i in sorted(picks)]
    if rng.random() < chance or not wrong:
        return [str(correct[0])]
    return [str(rng.choice(wrong))]


def answers_with_outcome(
    quiz: Quiz, question_ids: list[str], chance: float, passing: bool, rng: random.Random
) -> dict[str, list[str]]:
    """Plausible answers whose score passes (or fails) the quiz, as asked."""
    for _ in range(30):
        answers = {qid: answer_for(quiz.question(qid), chance, rng) for qid in question_ids}
        parsed = {qid: [int(v) for v in values] for qid, values in answers.items()}
        result = score_attempt(quiz, question_ids, parsed)
        if result.is_passed(quiz.pass_score) == passing:
            return answers
        chance = min(1.0, chance + 0.1) if passing else max(0.0, chance - 0.1)
    return {
        qid: answer_for(quiz.question(qid), 1.0 if passing else 0.0, rng) for qid in question_ids
    }


def take(
    user_id: int,
    slug: str,
    when: datetime,
    rng: random.Random,
    *,
    chance: float,
    passing: bool | None = None,
) -> bool:
    """One attempt, started at `when` and answered over the next minutes; with `passing`, the
    answers are chosen to pass or to fail. Returns whether it passed."""
    attempt = start_attempt(user_id, slug, now=when, rng=rng)
    quiz: Quiz = quiz_of_version(attempt.version)  # type: ignore[assignment]
    ids = attempt.question_ids
    if passing is None:
        answers = {qid: answer_for(quiz.question(qid), chance, rng) for qid in ids}
    else:
        answers = answers_with_outcome(quiz, ids, chance, passing, rng)
    moment = when
    for question_id in ids:
        moment += timedelta(seconds=rng.randint(25, 90))
        save_answers(attempt.id, user_id, {question_id: answers[question_id]}, now=moment)
    done = submit_attempt(attempt.id, now=moment + timedelta(seconds=20), user_id=user_id)
    return bool(done.is_passed)


def _attempts_used(user_id: int, slug: str) -> tuple[int, Quiz | None]:
    ref = get_quiz(slug)
    if ref is None:
        return 0, None
    return len(attempts_of(user_id, ref.item.id)), ref.quiz


def quiz_history(context: DemoContext) -> None:
    """Quiz attempts of every demo hire up to today (see the module docstring)."""
    versions = current_versions("quiz")
    if not versions:
        context.log.append("quizzes: none stored, no quiz history")
        return
    planned = _onboarding_plan(context)
    if planned:
        attempts = _follow_plan(context, planned, set(versions))
    else:
        paths = current_versions("path", [REP_PATH])
        path = load(paths[REP_PATH]) if REP_PATH in paths else None
        plan = schedule(path, list(versions))  # type: ignore[arg-type]
        attempts = 0
        for person in DEMO_PEOPLE:
            user = context.people.get(person.email)
            if user is None or person.email not in ABILITY or user.start_date is None:
                continue
            attempts += _by_schedule(user, ABILITY[person.email], plan, context.today)
    context.log.append(f"{attempts} quiz attempts by the hires")


def _onboarding_plan(context: DemoContext) -> list:
    try:
        from lms.onboarding.demo import demo_plan
    except ImportError:  # pragma: no cover - the onboarding package ships with the app
        return []
    return demo_plan(context, kinds=("quiz", "course"))


def _follow_plan(context: DemoContext, planned: list, live: set[str]) -> int:
    courses = current_versions("course")
    own_items = {(p.user.id, p.item.ref) for p in planned if p.item.kind == "quiz"}
    rngs: dict[int, random.Random] = {}
    count = 0
    for entry in sorted(planned, key=lambda p: (p.user.id, p.due_day)):
        user = entry.user
        rng = rngs.setdefault(user.id, random.Random(zlib.crc32(user.email.encode())))
        ability = ABILITY.get(user.email, 0.7)
        if entry.item.kind == "quiz":
            slugs = [entry.item.ref] if entry.item.ref in live else []
        elif entry.done and not entry.unread_lessons and entry.item.ref in courses:
            course = load(courses[entry.item.ref])
            slugs = [
                item.ref
                for item in course.items
                if item.kind == "quiz" and item.ref in live and (user.id, item.ref) not in own_items
            ]
        else:
            slugs = []
        for slug in slugs:
            count += _planned_attempts(user, slug, entry, ability, rng, context.today)
    return count


def _planned_attempts(user, slug: str, entry, ability: float, rng, today: date) -> int:
    used, quiz = _attempts_used(user.id, slug)
    if quiz is None:
        return 0
    allowed = attempts_left(quiz, used)
    count = 0
    if entry.done:
        passes_at = entry.when - timedelta(minutes=rng.randint(20, 90))
        first_try = passes_at - timedelta(days=1)
        can_retake = allowed is None or allowed >= 2
        if rng.random() > ability and can_retake and first_try.date() >= user.start_date:
            take(user.id, slug, first_try, rng, chance=ability, passing=False)
            count += 1
        if allowed is None or allowed >= 1:
            take(user.id, slug, passes_at, rng, chance=min(0.97, ability + 0.2), passing=True)
            count += 1
        return count
    due = datetime.combine(entry.due, time(10))
    yesterday = datetime.combine(today - timedelta(days=1), time(16))
    if ability < 0.7 and due - timedelta(days=2) <= yesterday and (allowed is None or allowed >= 2):
        when = min(due - timedelta(days=1), yesterday)
        if when.date() >= user.start_date:
            take(user.id, slug, when, rng, chance=ability - 0.1, passing=False)
            count += 1
    return count


def _by_schedule(user, ability: float, plan: list[tuple[str, int]], today: date) -> int:
    rng = random.Random(zlib.crc32(user.email.encode()))
    current_day = (today - user.start_date).days + 1
    taken = 0
    for number, (slug, due_day) in enumerate(plan):
        day = max(1, due_day - rng.randint(0, 3))
        if day >= current_day:
            continue
        chance = min(0.97, ability + PRACTICE * number)
        for attempt in range(MAX_TRIES):
            when = datetime.combine(
                user.start_date + timedelta(days=day - 1), time(9 + rng.randint(0, 7))
            ) + timedelta(minutes=rng.randint(0, 59))
            try:
                passed = take(user.id, slug, when, rng, chance=chance)
            except QuizError:
                break
            taken += 1
            day += rng.randint(1, 2)
            chance = min(0.97, chance + RETAKE_BOOST)
            quiz = load(current_versions("quiz", [slug])[slug])
            if passed or day >= current_day or attempts_left(quiz, attempt + 1) == 0:
                break
    return taken
