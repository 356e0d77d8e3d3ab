"""Question kinds as the quiz player uses them.

Each kind is defined once, in :mod:`lms.content.kinds` (schema, Markdown places, scoring, export,
templates); this module keeps the player's names for them. Scores are exact fractions, so that
equal answers always give equal scores and a pass mark is never missed by a rounding error.
"""

from __future__ import annotations

from lms.content.kinds import QUESTION_KINDS as KINDS
from lms.content.kinds import AnswerError, QuestionKind
from lms.content.kinds import question_kind as kind_of
from lms.content.kinds.base import MAX_RAW_VALUES
from lms.content.kinds.true_false import TRUE_FALSE_LABELS

__all__ = ["KINDS", "MAX_RAW_VALUES", "TRUE_FALSE_LABELS", "AnswerError", "QuestionKind", "kind_of"]
