"""One definition per content kind: the question kinds and the scenario node kinds.

To add a question kind, write one module here (a :class:`QuestionKind` subclass and a
``register_question_kind(...)`` call), import it below, and add its player template and its editor
template (docs/content-format-extras.md, "Adding a question kind").
"""

from . import choices, nodes, ordering, true_false  # noqa: F401  (the built-in kinds register)
from .base import Answer, AnswerError, Edge, NodeKind, QuestionKind
from .registry import (
    NODE_KINDS,
    QUESTION_KINDS,
    node_kind,
    question_kind,
    register_node_kind,
    register_question_kind,
    unregister_question_kind,
)

__all__ = [
    "NODE_KINDS",
    "QUESTION_KINDS",
    "Answer",
    "AnswerError",
    "Edge",
    "NodeKind",
    "QuestionKind",
    "node_kind",
    "question_kind",
    "register_node_kind",
    "register_question_kind",
    "unregister_question_kind",
]
