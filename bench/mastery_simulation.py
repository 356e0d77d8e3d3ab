"""How often does one attempt flip a hire's "at risk" status? A simulation of realistic attempt
sequences under several mastery settings, used to choose the defaults (docs/mastery.md, "How
sure is a mastery").

Each simulated hire has a true ability a (the chance to answer a question right), drawn from
0.45..1.0; four in ten improve by 5 points per attempt. Each attempt is a quiz of 8 questions
(the evidence value is the share answered right), except on an off day (10 %: the ability drops
to 40 % of itself) or a lucky one (5 %: full marks). A skill counts toward "at risk" when the
mastery shown (rounded down, lms.skills.rounding) is below the target of 80 and the skill has at
least `minimum` values. For each setting (weight w, minimum) the simulation reports, over every
attempt after the first that counts:

- flips: how often the status changed on a single attempt;
- outlier flips: how often an off or lucky day changed it;
- agreement: how often the status matched the truth (true ability below the target or not);
- swing: the mean change of mastery on one attempt, in points;
- lag: for hires whose true ability rises past the target, the attempts it takes the status to
  follow (counting the attempts left, plus one, when it never does).

Usage: ``python bench/mastery_simulation.py [--hires 4000] [--seed 11]``. The numbers depend only
on the seed; `tests/skills/test_mastery_simulation.py` checks them.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lms.skills.mastery import decay
from lms.skills.rounding import shown

TARGET = 80.0
ATTEMPTS = 8
QUESTIONS = 8
OFF_DAY = 0.10
LUCKY_DAY = 0.05
IMPROVER_SHARE = 0.4
IMPROVEMENT = 0.05
WEIGHTS = (0.65, 0.5, 0.4, 0.35, 0.3, 0.2)
MINIMUMS = (2, 3)
SEED = 11
HIRES = 4000
#: What "resists a single outlier better" may cost: the chosen setting keeps agreement with the
#: truth within this much of today's setting (w = 0.65, minimum 2) and follows a real
#: improvement at most LAG_SLACK attempts later on average.
AGREEMENT_SLACK = 0.01
LAG_SLACK = 1.0


@dataclass(frozen=True)
class Attempt:
    value: float  # evidence, 0..1
    ability: float  # the hire's true ability at the time
    outlier: bool  # an off or lucky day


@dataclass(frozen=True)
class Result:
    weight: float
    minimum: int
    transitions: int
    flips: int
    outlier_flips: int
    outlier_transitions: int
    agreements: int
    judged: int
    swing: float
    lag: float

    @property
    def flip_rate(self) -> float:
        return self.flips / self.transitions if self.transitions else 0.0

    @property
    def outlier_flip_rate(self) -> float:
        return self.outlier_flips / self.outlier_transitions if self.outlier_transitions else 0.0

    @property
    def agreement(self) -> float:
        return self.agreements / self.judged if self.judged else 0.0


def sequences(hires: int, seed: int) -> list[list[Attempt]]:
    """The attempt sequences of `hires` simulated hires (the same for every setting)."""
    rng = random.Random(seed)
    found = []
    for _ in range(hires):
        ability = rng.uniform(0.45, 1.0)
        improves = rng.random() < IMPROVER_SHARE
        attempts = []
        for _ in range(ATTEMPTS):
            roll = rng.random()
            if roll < OFF_DAY:
                chance, outlier = ability * 0.4, True
            elif roll < OFF_DAY + LUCKY_DAY:
                chance, outlier = 1.0, True
            else:
                chance, outlier = ability, False
            right = sum(1 for _ in range(QUESTIONS) if rng.random() < chance)
            attempts.append(Attempt(right / QUESTIONS, ability, outlier))
            if improves:
                ability = min(1.0, ability + IMPROVEMENT)
        found.append(attempts)
    return found


def at_risk(level: float, count: int, minimum: int) -> bool | None:
    """The status a level gives: None while the skill has too few values to count."""
    if count < minimum:
        return None
    return shown(level * 100.0, TARGET) < TARGET


def replay(all_attempts: Iterable[Sequence[Attempt]], weight: float, minimum: int) -> Result:
    transitions = flips = outlier_flips = outlier_transitions = agreements = judged = 0
    swing = 0.0
    swings = 0
    lags: list[int] = []
    for attempts in all_attempts:
        level = None
        status = None
        crossed = None  # the attempt at which the true ability rose past the target
        caught_up = None
        for count, attempt in enumerate(attempts, start=1):
            truly_at_risk = attempt.ability * 100.0 < TARGET
            if crossed is None and count > 1 and not truly_at_risk:
                if attempts[count - 2].ability * 100.0 < TARGET:
                    crossed = count
            previous = level
            level = decay(level, attempt.value, weight)
            if previous is not None:
                swing += abs(level - previous) * 100.0
                swings += 1
            new_status = at_risk(level, count, minimum)
            if crossed is not None and caught_up is None and new_status is False:
                caught_up = count
            if new_status is not None:
                judged += 1
                agreements += int(new_status == truly_at_risk)
                if status is not None:
                    transitions += 1
                    changed = new_status != status
                    flips += int(changed)
                    if attempt.outlier:
                        outlier_transitions += 1
                        outlier_flips += int(changed)
            status = new_status
        if crossed is not None:
            end = caught_up if caught_up is not None else len(attempts) + 1
            lags.append(end - crossed)
    return Result(
        weight,
        minimum,
        transitions,
        flips,
        outlier_flips,
        outlier_transitions,
        agreements,
        judged,
        swing / swings if swings else 0.0,
        sum(lags) / len(lags) if lags else 0.0,
    )


def simulate(hires: int = HIRES, seed: int = SEED) -> list[Result]:
    attempts = sequences(hires, seed)
    return [replay(attempts, weight, minimum) for minimum in MINIMUMS for weight in WEIGHTS]


def choose(results: Sequence[Result]) -> Result:
    """The setting with the fewest outlier flips (then the fewest flips) whose agreement with
    the truth stays within AGREEMENT_SLACK of today's (w = 0.65, minimum 2) and whose lag stays
    within LAG_SLACK attempts of today's."""
    today = next(r for r in results if r.weight == 0.65 and r.minimum == 2)
    fair = [
        r
        for r in results
        if r.agreement >= today.agreement - AGREEMENT_SLACK and r.lag <= today.lag + LAG_SLACK
    ]
    return min(fair, key=lambda r: (r.outlier_flip_rate, r.flip_rate, -r.weight))


def report(results: Sequence[Result]) -> str:
    chosen = choose(results)
    lines = [
        "weight  minimum  flips/attempt  outlier flips  agreement  swing (points)  lag",
    ]
    for r in results:
        mark = "  <- chosen" if r is chosen else ""
        lines.append(
            f"{r.weight:6.2f}  {r.minimum:7d}  {r.flip_rate:13.3f}  {r.outlier_flip_rate:13.3f}"
            f"  {r.agreement:9.3f}  {r.swing:14.1f}  {r.lag:4.2f}{mark}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hires", type=int, default=HIRES)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    print(report(simulate(args.hires, args.seed)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
