"""Assessment integrity: do length, position or a habit give the answer away?

A quiz or drill should be passed by understanding, not by a habit such as "pick the longest reply"
or "answer false". This module computes, over a loaded content tree, the figures that show such a
signal and plays guessing strategies through the real scoring code (`lms.quizzes.scoring` and
`lms.scenarios.scoring`):

- drills: in how many choice points the best reply is the longest (per language); whether "always
  the longest", "always the shortest", "always the first" or "always the last" reply passes a drill;
- quizzes: in how many single-choice questions the correct option is the longest (per language);
  the share of true-false questions whose answer is true; whether a length-based guess (the
  longest single option, the longer half of multiple options, always "false" or always "true",
  and the same with the shortest) passes a quiz, scored over the whole pool and over the draw most
  favourable to the guess; a pool at least `POOL_FACTOR` times the draw.

`check(tree)` lists every breach of `LIMITS`; `python -m lms.content integrity` prints the figures.
Lengths are counted in characters of the stripped text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from lms.content.kinds import node_kind, question_kind
from lms.content.model import ContentTree, Node, Question, Quiz, Scenario
from lms.quizzes.scoring import exact, score_attempt
from lms.scenarios.scoring import compute_maxima, path_points, score_run

LOCALES = ("en", "zh-CN")


@dataclass(frozen=True)
class Limits:
    #: Largest share of choice points whose best reply is (one of) the longest.
    best_reply_longest: float = 0.40
    #: Largest share of single-choice questions whose correct option is (one of) the longest.
    correct_option_longest: float = 0.40
    #: Allowed share of true-false questions whose answer is true.
    true_share: tuple[float, float] = (0.35, 0.65)
    #: Every quiz draws from a pool at least this many times the draw.
    pool_factor: float = 1.5


LIMITS = Limits()


def _length(text, locale: str, language: str) -> int:
    return len(text.get(locale, language).strip())


def _longest(lengths: Sequence[int]) -> set[int]:
    top = max(lengths)
    return {index for index, length in enumerate(lengths) if length == top}


def _shortest(lengths: Sequence[int]) -> set[int]:
    low = min(lengths)
    return {index for index, length in enumerate(lengths) if length == low}


# -- Drills ---------------------------------------------------------------------------------------


@dataclass
class DrillFigures:
    choice_points: int = 0
    #: locale -> choice points whose best reply is (one of) the longest
    best_longest: dict[str, int] = field(default_factory=dict)
    #: choice points whose best reply is the first / the last listed
    best_first: int = 0
    best_last: int = 0
    #: (scenario id, strategy) -> (score, passed)
    strategies: dict[tuple[str, str], tuple[float, bool]] = field(default_factory=dict)

    def share(self, locale: str) -> float:
        return self.best_longest.get(locale, 0) / self.choice_points if self.choice_points else 0.0


def best_choices(scenario: Scenario, node: Node) -> set[int]:
    """The choices at `node` that start a best-scoring way from `node` to an end."""
    totals = []
    for choice in node.choices:
        rest = compute_maxima(dataclasses.replace(scenario, start=choice.next)).total
        totals.append(float(sum(choice.points.values())) + rest)
    top = max(totals)
    return {index for index, total in enumerate(totals) if total == top}


Picker = Callable[[Node], int]


def _length_picker(locale: str, language: str, longest: bool) -> Picker:
    def pick(node: Node) -> int:
        lengths = [_length(choice.text, locale, language) for choice in node.choices]
        wanted = max(lengths) if longest else min(lengths)
        return lengths.index(wanted)

    return pick


def play(scenario: Scenario, pick: Picker):
    """Play `scenario` choosing with `pick` at every choice node; the scored outcome."""
    maxima = compute_maxima(scenario)
    steps = []
    node = scenario.nodes[scenario.start]
    while not node_kind(node).is_end:
        edges = node_kind(node).edges(node)
        edge = edges[pick(node)] if node.choices else edges[0]
        steps.append(edge.points)
        node = scenario.nodes[edge.next]
    return score_run(maxima, path_points(steps), node.end or "fail", scenario.pass_score)


def drill_strategies(scenario: Scenario) -> dict[str, Picker]:
    strategies: dict[str, Picker] = {
        "first": lambda node: 0,
        "last": lambda node: len(node.choices) - 1,
    }
    for locale in LOCALES:
        strategies[f"longest/{locale}"] = _length_picker(locale, scenario.language, True)
        strategies[f"shortest/{locale}"] = _length_picker(locale, scenario.language, False)
    return strategies


def drill_figures(scenarios: Sequence[Scenario]) -> DrillFigures:
    figures = DrillFigures(best_longest=dict.fromkeys(LOCALES, 0))
    for scenario in scenarios:
        for node in scenario.nodes.values():
            if len(node.choices) < 2:
                continue
            figures.choice_points += 1
            best = best_choices(scenario, node)
            if 0 in best:
                figures.best_first += 1
            if len(node.choices) - 1 in best:
                figures.best_last += 1
            for locale in LOCALES:
                lengths = [_length(c.text, locale, scenario.language) for c in node.choices]
                if _longest(lengths) & best:
                    figures.best_longest[locale] += 1
        for name, pick in drill_strategies(scenario).items():
            outcome = play(scenario, pick)
            figures.strategies[(scenario.id, name)] = (outcome.score, outcome.passed)
    return figures


# -- Quizzes --------------------------------------------------------------------------------------


@dataclass
class QuizFigures:
    single: int = 0
    #: locale -> single-choice questions whose correct option is (one of) the longest
    correct_longest: dict[str, int] = field(default_factory=dict)
    true_false: int = 0
    true_answers: int = 0
    #: (quiz id, strategy) -> (score over the pool, score over the most favourable draw)
    strategies: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)
    #: quiz id -> (draw, pool)
    pools: dict[str, tuple[int, int]] = field(default_factory=dict)

    def share(self, locale: str) -> float:
        return self.correct_longest.get(locale, 0) / self.single if self.single else 0.0

    @property
    def true_share(self) -> float:
        return self.true_answers / self.true_false if self.true_false else 0.5


def guess(question: Question, locale: str, language: str, longest: bool, truth: bool) -> list[int]:
    """A guess without reading: the longest (or shortest) single option; the options longer (or
    shorter) than the question's mean length for a multiple choice; `truth` for true-false."""
    if question.kind == "true-false":
        return [0 if truth else 1]
    lengths = [_length(choice.text, locale, language) for choice in question.choices]
    if question.kind == "single":
        return [min(_longest(lengths) if longest else _shortest(lengths))]
    mean = Fraction(sum(lengths), len(lengths))
    picks = [i for i, n in enumerate(lengths) if (n > mean if longest else n < mean)]
    return picks or [min(_longest(lengths) if longest else _shortest(lengths))]


def quiz_strategies(quiz: Quiz) -> dict[str, Callable[[Question], list[int]]]:
    strategies: dict[str, Callable[[Question], list[int]]] = {}
    for locale in LOCALES:
        for longest in (True, False):
            for truth in (False, True):
                name = f"{'longest' if longest else 'shortest'}+{str(truth).lower()}/{locale}"
                strategies[name] = lambda q, loc=locale, lg=longest, t=truth: guess(
                    q, loc, quiz.language, lg, t
                )
    if not quiz.shuffle:
        strategies["first"] = lambda q: [0]
        strategies["last"] = lambda q: [question_kind(q).option_count(q) - 1]
    return strategies


def drawn_size(quiz: Quiz) -> int:
    return min(quiz.draw, len(quiz.questions)) if quiz.draw else len(quiz.questions)


def quiz_figures(quizzes: Sequence[Quiz]) -> QuizFigures:
    figures = QuizFigures(correct_longest=dict.fromkeys(LOCALES, 0))
    for quiz in quizzes:
        figures.pools[quiz.id] = (drawn_size(quiz), len(quiz.questions))
        for question in quiz.questions:
            if question.kind == "true-false":
                figures.true_false += 1
                figures.true_answers += bool(question.answer)
            elif question.kind == "single":
                figures.single += 1
                correct = question_kind(question).correct_options(question)
                for locale in LOCALES:
                    lengths = [_length(c.text, locale, quiz.language) for c in question.choices]
                    if _longest(lengths) & correct:
                        figures.correct_longest[locale] += 1
        ids = [question.id for question in quiz.questions]
        size = drawn_size(quiz)
        for name, strategy in quiz_strategies(quiz).items():
            answers = {question.id: strategy(question) for question in quiz.questions}
            pool = score_attempt(quiz, ids, answers)
            favourable = sorted(pool.questions, key=lambda qid: pool.questions[qid])[-size:]
            best = score_attempt(quiz, favourable, answers)
            figures.strategies[(quiz.id, name)] = (pool.percent, best.percent)
    return figures


# -- The check ------------------------------------------------------------------------------------


@dataclass
class Report:
    drills: DrillFigures
    quizzes: QuizFigures
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        d, q = self.drills, self.quizzes
        out = [f"drills: {d.choice_points} choice points"]
        for locale in LOCALES:
            out.append(
                f"  best reply is the longest ({locale}): {d.best_longest.get(locale, 0)}"
                f" ({d.share(locale):.0%})"
            )
        out.append(f"  best reply listed first: {d.best_first}, last: {d.best_last}")
        passing = sorted({key for key, (_, passed) in d.strategies.items() if passed})
        out.append(f"  guesses that pass a drill: {len(passing)}")
        out.append(f"quizzes: {q.single} single-choice, {q.true_false} true-false questions")
        for locale in LOCALES:
            out.append(
                f"  correct option is the longest ({locale}): {q.correct_longest.get(locale, 0)}"
                f" ({q.share(locale):.0%})"
            )
        out.append(f"  true-false answered true: {q.true_answers} ({q.true_share:.0%})")
        for quiz_id, (draw, pool) in sorted(q.pools.items()):
            best = max(
                (value for (qid, _), value in q.strategies.items() if qid == quiz_id),
                key=lambda pair: pair[1],
            )
            out.append(
                f"  {quiz_id}: draws {draw} of {pool}; best guess {best[0]:.0f}% over the pool,"
                f" {best[1]:.0f}% on its most favourable draw"
            )
        out.extend(f"PROBLEM: {problem}" for problem in self.problems)
        return out


def check(tree: ContentTree, limits: Limits = LIMITS) -> Report:
    """The figures of `tree` and every breach of `limits`."""
    scenarios = [tree.scenarios[key] for key in sorted(tree.scenarios)]
    quizzes = [tree.quizzes[key] for key in sorted(tree.quizzes)]
    drills = drill_figures(scenarios)
    quiz = quiz_figures(quizzes)
    problems: list[str] = []
    for locale in LOCALES:
        if drills.share(locale) > limits.best_reply_longest:
            problems.append(
                f"the best reply is the longest in {drills.best_longest[locale]} of"
                f" {drills.choice_points} choice points ({locale}); at most"
                f" {limits.best_reply_longest:.0%} allowed"
            )
        if quiz.share(locale) > limits.correct_option_longest:
            problems.append(
                f"the correct option is the longest in {quiz.correct_longest[locale]} of"
                f" {quiz.single} single-choice questions ({locale}); at most"
                f" {limits.correct_option_longest:.0%} allowed"
            )
    low, high = limits.true_share
    if quiz.true_false and not low <= quiz.true_share <= high:
        problems.append(
            f"{quiz.true_answers} of {quiz.true_false} true-false answers are true"
            f" ({quiz.true_share:.0%}); {low:.0%}..{high:.0%} allowed"
        )
    for (scenario_id, name), (score, passed) in sorted(drills.strategies.items()):
        if passed:
            problems.append(f"drill {scenario_id}: the guess {name!r} passes ({score:.0f}%)")
    by_id = {item.id: item for item in quizzes}
    for (quiz_id, name), (pool, best) in sorted(quiz.strategies.items()):
        pass_score = float(exact(by_id[quiz_id].pass_score))
        if max(pool, best) >= pass_score:
            problems.append(
                f"quiz {quiz_id}: the guess {name!r} scores {pool:.0f}% over the pool and"
                f" {best:.0f}% on its most favourable draw (pass {pass_score:.0f}%)"
            )
    for quiz_id, (draw, pool) in sorted(quiz.pools.items()):
        if pool < limits.pool_factor * draw or draw == pool:
            problems.append(
                f"quiz {quiz_id}: draws {draw} of {pool} questions; the pool must hold at least"
                f" {limits.pool_factor} times the draw"
            )
    return Report(drills, quiz, problems)
