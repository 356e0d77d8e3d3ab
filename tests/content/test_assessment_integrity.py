"""Assessment integrity: over the shipped tree, length, position and habit do not give answers away
(lms.content.integrity); and the check itself flags a drill or quiz that a guess can pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.content import load_tree
from lms.content.__main__ import main
from lms.content.integrity import LIMITS, check, play
from lms.content.model import (
    Choice,
    ContentTree,
    Node,
    Question,
    Quiz,
    Scenario,
    ScenarioChoice,
    Text,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shipped():
    result = load_tree([ROOT / "courses", ROOT / "scenarios"])
    assert result.ok, "\n".join(str(error) for error in result.errors)
    return check(result.tree)


def test_the_shipped_assessments_are_within_every_limit(shipped):
    assert shipped.problems == []


def test_the_best_reply_is_rarely_the_longest(shipped):
    drills = shipped.drills
    assert drills.choice_points >= 90
    for locale in ("en", "zh-CN"):
        assert drills.share(locale) <= LIMITS.best_reply_longest, locale


def test_no_guess_passes_a_shipped_drill(shipped):
    strategies = shipped.drills.strategies
    assert {name for _, name in strategies} == {
        "first",
        "last",
        "longest/en",
        "longest/zh-CN",
        "shortest/en",
        "shortest/zh-CN",
    }
    assert [key for key, (_, passed) in strategies.items() if passed] == []


def test_the_correct_option_is_rarely_the_longest_and_true_false_is_balanced(shipped):
    quizzes = shipped.quizzes
    for locale in ("en", "zh-CN"):
        assert quizzes.share(locale) <= LIMITS.correct_option_longest, locale
    low, high = LIMITS.true_share
    assert low <= quizzes.true_share <= high


def test_every_shipped_quiz_draws_from_a_pool_half_again_its_size(shipped):
    assert shipped.quizzes.pools
    for quiz_id, (draw, pool) in shipped.quizzes.pools.items():
        assert pool >= 1.5 * draw, quiz_id


def test_no_length_guess_passes_a_shipped_quiz_even_on_its_best_draw(shipped):
    assert shipped.quizzes.strategies
    assert not any("quiz" in problem and "guess" in problem for problem in shipped.problems)


def test_the_command_prints_the_figures_and_exits_0(capsys):
    assert main(["integrity", str(ROOT / "courses"), str(ROOT / "scenarios")]) == 0
    out = capsys.readouterr().out
    assert "choice points" in out and "true-false answered true" in out
    assert "PROBLEM" not in out


# -- The check on small hand-made content ---------------------------------------------------------


def text(en: str, zh: str | None = None) -> Text:
    return Text({"en": en, "zh-CN": zh or en})


def reply(words: str, nxt: str, points: int) -> ScenarioChoice:
    return ScenarioChoice(text(words), nxt, None, {"closing": points} if points else {})


def long_is_best_drill() -> Scenario:
    nodes = {
        "a": Node(
            "a",
            "choice",
            text("Too expensive."),
            (
                reply("What do you compare it with, and what would it have to fix?", "b", 2),
                reply("Ten percent off.", "lost", -1),
            ),
        ),
        "b": Node(
            "b",
            "choice",
            text("With last year's quote."),
            (
                reply("No.", "lost", 0),
                reply("Then let's put both side by side with your numbers.", "won", 2),
            ),
        ),
        "won": Node("won", "end", text("Deal."), end="success"),
        "lost": Node("lost", "end", text("Bye."), end="fail"),
    }
    return Scenario("long-wins", text("Drill"), 70, "a", nodes, skills=("closing",))


def test_a_drill_where_the_longest_reply_always_wins_is_flagged():
    scenario = long_is_best_drill()
    assert play(scenario, lambda node: 0).passed is False

    report = check(ContentTree(scenarios={scenario.id: scenario}))
    assert report.drills.choice_points == 2
    assert report.drills.best_longest == {"en": 2, "zh-CN": 2}
    assert report.drills.strategies[("long-wins", "longest/en")] == (100.0, True)
    assert any("'longest/en' passes" in problem for problem in report.problems)
    assert any("longest in 2 of 2 choice points (en)" in problem for problem in report.problems)


def option(words: str, correct: bool = False) -> Choice:
    return Choice(text(words), correct)


def test_a_quiz_a_length_guess_passes_and_without_a_pool_is_flagged():
    questions = tuple(
        Question(
            f"q{n}",
            "single",
            text(f"Question {n}?"),
            {"planning": 1},
            choices=(option("Short"), option("The long and careful right answer", True)),
        )
        for n in range(4)
    ) + (Question("t1", "true-false", text("Statement."), {"planning": 1}, answer=False),)
    quiz = Quiz("guessable", "course", text("Quiz"), 80, questions, shuffle=True)

    report = check(ContentTree(quizzes={quiz.id: quiz}))
    assert report.quizzes.correct_longest == {"en": 4, "zh-CN": 4}
    assert report.quizzes.true_share == 0
    assert report.quizzes.strategies[("guessable", "longest+false/en")] == (100.0, 100.0)
    assert report.quizzes.pools == {"guessable": (5, 5)}
    problems = "\n".join(report.problems)
    assert "'longest+false/en' scores 100%" in problems
    assert "0 of 1 true-false answers are true" in problems
    assert "draws 5 of 5 questions" in problems


def test_a_favourable_draw_is_scored_on_the_drawn_questions_only():
    questions = tuple(
        Question(f"t{n}", "true-false", text(f"S{n}."), {"planning": 1}, answer=n < 2)
        for n in range(6)
    )
    quiz = Quiz("drawn", "course", text("Quiz"), 80, questions, shuffle=True, draw=4)

    report = check(ContentTree(quizzes={quiz.id: quiz}))
    # "Always true" gets 2 of 6 right over the pool; the best draw of 4 holds those 2.
    pool, best = report.quizzes.strategies[("drawn", "longest+true/en")]
    assert round(pool, 2) == 33.33 and best == 50.0
    assert report.quizzes.pools == {"drawn": (4, 6)}
    assert not any("draws 4 of 6" in problem for problem in report.problems)
