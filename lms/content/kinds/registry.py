"""The registries of question kinds and node kinds, keyed by name (as CTFd keys challenge types).

A kind module registers one instance at import; :mod:`lms.content.kinds` imports the built-in
kind modules. Everything else looks a kind up here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import Node, Question
    from .base import NodeKind, QuestionKind

QUESTION_KINDS: dict[str, QuestionKind] = {}
NODE_KINDS: dict[str, NodeKind] = {}


def register_question_kind(kind: QuestionKind) -> QuestionKind:
    """Add a question kind; its name must be new."""
    if not kind.name or kind.name in QUESTION_KINDS:
        raise ValueError(f"question kind {kind.name!r} is empty or already registered")
    QUESTION_KINDS[kind.name] = kind
    return kind


def unregister_question_kind(name: str) -> None:
    """Remove a question kind (for tests that register a kind of their own)."""
    QUESTION_KINDS.pop(name, None)


def register_node_kind(kind: NodeKind) -> NodeKind:
    """Add a node kind; its name and its marker key must be new."""
    if not kind.name or kind.name in NODE_KINDS:
        raise ValueError(f"node kind {kind.name!r} is empty or already registered")
    if any(other.marker == kind.marker for other in NODE_KINDS.values()):
        raise ValueError(f"node kind marker {kind.marker!r} is already used")
    NODE_KINDS[kind.name] = kind
    return kind


def question_kind(question: Question | str) -> QuestionKind:
    """The kind of a question (or a kind by name); KeyError when unknown."""
    name = question if isinstance(question, str) else question.kind
    return QUESTION_KINDS[name]


def node_kind(node: Node | str) -> NodeKind:
    """The kind of a scenario node (or a kind by name); KeyError when unknown."""
    name = node if isinstance(node, str) else node.kind
    return NODE_KINDS[name]
