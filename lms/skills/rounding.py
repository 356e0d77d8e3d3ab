"""One rounding rule for every number a page shows next to a verdict (docs/mastery.md, "Numbers
on the pages"): mastery, targets, gaps, trends, quiz and drill scores.

A number is shown **rounded down** to a whole number (to one decimal when the threshold it is
compared with is not whole), and the verdicts compare that same number: a mastery of 79.65
shows 79 and is below a target of 80 by 1; a quiz score of 79.63% shows 79% and does not reach a
pass score of 80%. For a whole threshold T, ``shown(x) >= T`` exactly when ``x >= T``, so the
exact scoring of quizzes and drills and the number shown always agree. A tolerance of 1e-6 keeps
float noise (80 computed as 79.99999999999999) from dropping a point.
"""

from __future__ import annotations

import math

TOLERANCE = 1e-6


def is_whole(value: float) -> bool:
    return float(value).is_integer()


def shown(value: float, threshold: float | None = None) -> float:
    """The value as a page shows it: rounded down to a whole number, or to one decimal when
    `threshold` is not whole."""
    if threshold is not None and not is_whole(threshold):
        return math.floor(float(value) * 10 + TOLERANCE) / 10
    return float(math.floor(float(value) + TOLERANCE))


def text(value: float | None, threshold: float | None = None) -> str:
    """`shown` as text: ``79``, ``79.6``; an empty string for None."""
    if value is None:
        return ""
    number = shown(value, threshold)
    return str(int(number)) if is_whole(number) else f"{number:.1f}"


def threshold_text(value: float | None) -> str:
    """A target or pass score as text: whole when whole, else with its decimal."""
    if value is None:
        return ""
    return str(int(value)) if is_whole(value) else f"{float(value):g}"


def below(value: float, threshold: float) -> bool:
    """The verdict "below the threshold", on the number shown."""
    return shown(value, threshold) < float(threshold)


def difference(new: float, old: float) -> float:
    """The change between two shown numbers (a trend), so it adds up with what is shown."""
    return shown(new) - shown(old)
